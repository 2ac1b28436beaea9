use palisade_core::{Context, Node, Target, Violation};
use crate::check::Check;

declare_rule! {
    /// ## What it does
    /// Flags pod specs that run as the namespace's `default` ServiceAccount: no
    /// `serviceAccountName` (nor the deprecated `serviceAccount`), or one set to `default`.
    ///
    /// ## Why is this bad?
    /// Every pod of the namespace that names no ServiceAccount shares `default`. A permission
    /// granted to it for one workload is granted to all of them, and nobody can tell which
    /// workload needs what.
    ///
    /// ## Example
    /// ```yaml
    /// spec:
    ///   containers:
    ///     - name: web
    ///       image: registry.example.com/web:2.0.1
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// spec:
    ///   serviceAccountName: web
    ///   containers:
    ///     - name: web
    ///       image: registry.example.com/web:2.0.1
    /// ```
    ///
    /// ## Remediation
    /// Create a ServiceAccount per workload and set `serviceAccountName`; leave `default`
    /// without permissions and with `automountServiceAccountToken: false`.
    ///
    /// ## References
    /// - CIS Kubernetes Benchmark 1.12, 5.1.5
    pub struct DefaultServiceAccount {
        id: "POD025",
        name: "default-service-account",
        severity: Low,
        summary: "Pod runs as the namespace's default ServiceAccount",
        controls: ["cis-1.12:5.1.5", "nsa:service-account-tokens"],
        pss: None,
    }
}

impl Check for DefaultServiceAccount {
    fn check(&self, _cx: &Context, t: &Target, out: &mut Vec<Violation>) {
        let Some(pod) = &t.pod else { return };
        let (key, name) = ["serviceAccountName", "serviceAccount"]
            .into_iter()
            .find_map(|k| pod.spec.field(k).and_then(Node::as_str).filter(|s| !s.is_empty()).map(|s| (k, s)))
            .unwrap_or(("serviceAccountName", "default"));
        if name == "default" {
            out.push(Violation::new(
                pod.spec_path.key(key),
                format!("{} runs as the `default` ServiceAccount", t.what()),
            ));
        }
    }
}
