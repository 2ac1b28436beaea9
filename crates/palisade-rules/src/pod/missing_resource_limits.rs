use palisade_core::{Context, ContainerKind, Target, Violation};
use crate::check::Check;

declare_rule! {
    /// ## What it does
    /// Flags containers and init containers without a CPU or memory limit
    /// (`resources.limits.cpu`, `resources.limits.memory`). One finding per container names
    /// what is missing.
    ///
    /// ## Why is this bad?
    /// A container without limits can take all the memory or CPU of its node: a leak, a bug or
    /// an attacker's miner then starves every other workload there (denial of service), and
    /// the kubelet evicts the wrong pods.
    ///
    /// ## Example
    /// ```yaml
    /// containers:
    ///   - name: app
    ///     image: registry.example.com/app:1.4.2
    ///     resources:
    ///       requests: {cpu: 100m, memory: 128Mi}
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// containers:
    ///   - name: app
    ///     image: registry.example.com/app:1.4.2
    ///     resources:
    ///       requests: {cpu: 100m, memory: 128Mi}
    ///       limits: {cpu: 500m, memory: 256Mi}
    /// ```
    ///
    /// ## Remediation
    /// Set `resources.limits.memory` and `resources.limits.cpu` on every container (or give the
    /// namespace a LimitRange with defaults).
    ///
    /// ## References
    /// - NSA/CISA Kubernetes Hardening Guide, "Resource policies"
    /// - Kubernetes documentation, "Resource Management for Pods and Containers"
    pub struct MissingResourceLimits {
        id: "POD022",
        name: "missing-resource-limits",
        severity: Low,
        summary: "Container has no CPU or memory limit",
        controls: ["nsa:resource-limits"],
        pss: None,
    }
}

/// The resources of `section` (`limits`, `requests`) a container lacks, of `cpu` and `memory`.
pub(crate) fn missing(c: &palisade_core::ContainerView, sections: &[&str]) -> Vec<&'static str> {
    ["cpu", "memory"]
        .into_iter()
        .filter(|r| !sections.iter().any(|s| c.node.get_path(&["resources", s, r]).is_some_and(|n| !n.is_null())))
        .collect()
}

impl Check for MissingResourceLimits {
    fn check(&self, _cx: &Context, t: &Target, out: &mut Vec<Violation>) {
        let Some(pod) = &t.pod else { return };
        for c in pod.containers().filter(|c| c.kind != ContainerKind::Ephemeral) {
            let lacking = missing(c, &["limits"]);
            if !lacking.is_empty() {
                out.push(Violation::new(
                    c.path.keys(&["resources", "limits"]),
                    format!("{} of {} has no {} limit", c.describe(), t.what(), lacking.join(" or ")),
                ));
            }
        }
    }
}
