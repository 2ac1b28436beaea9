use palisade_core::{Context, Node, Target, Violation};
use crate::check::Check;

declare_rule! {
    /// ## What it does
    /// Flags pod specs that do not set `automountServiceAccountToken: false`. Kubernetes then
    /// mounts a token for the pod's ServiceAccount into every container (unless the
    /// ServiceAccount itself opts out, which a manifest scan cannot always see).
    ///
    /// Most applications never call the Kubernetes API. Those that do (operators,
    /// controllers) need the token: waive this rule for them in the policy file or with a
    /// `palisade.io/waive: POD024` annotation and a reason.
    ///
    /// ## Why is this bad?
    /// A mounted token is a credential for the API server in every container's filesystem:
    /// whoever gets code execution in the pod gets whatever the ServiceAccount may do.
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
    ///   automountServiceAccountToken: false
    ///   containers:
    ///     - name: web
    ///       image: registry.example.com/web:2.0.1
    /// ```
    ///
    /// ## Remediation
    /// Set `automountServiceAccountToken: false` in the pod spec of workloads that do not use
    /// the Kubernetes API.
    ///
    /// ## References
    /// - CIS Kubernetes Benchmark 1.12, 5.1.6
    /// - NSA/CISA Kubernetes Hardening Guide, "Service account tokens"
    pub struct ServiceAccountTokenAutomounted {
        id: "POD024",
        name: "service-account-token-automounted",
        severity: Low,
        summary: "Pod mounts a ServiceAccount token it may not need",
        controls: ["cis-1.12:5.1.6", "nsa:service-account-tokens", "mitre:T1528"],
        pss: None,
    }
}

impl Check for ServiceAccountTokenAutomounted {
    fn check(&self, _cx: &Context, t: &Target, out: &mut Vec<Violation>) {
        let Some(pod) = &t.pod else { return };
        if pod.spec.get("automountServiceAccountToken").and_then(Node::as_bool) != Some(false) {
            out.push(Violation::new(
                pod.spec_path.key("automountServiceAccountToken"),
                format!("{} mounts a ServiceAccount token: automountServiceAccountToken is not false", t.what()),
            ));
        }
    }
}
