use palisade_core::{Context, ContainerKind, Target, Violation};
use crate::check::Check;

use super::missing_resource_limits::missing;

declare_rule! {
    /// ## What it does
    /// Flags containers and init containers without a CPU or memory request. A limit without a
    /// request counts as a request: Kubernetes sets the request to the limit.
    ///
    /// ## Why is this bad?
    /// Without requests the scheduler cannot place pods by what they need, nodes are
    /// overcommitted, and such pods (BestEffort) are the first evicted under pressure. Requests
    /// are also what ResourceQuotas count.
    ///
    /// ## Example
    /// ```yaml
    /// containers:
    ///   - name: app
    ///     image: registry.example.com/app:1.4.2
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// containers:
    ///   - name: app
    ///     image: registry.example.com/app:1.4.2
    ///     resources:
    ///       requests: {cpu: 100m, memory: 128Mi}
    /// ```
    ///
    /// ## Remediation
    /// Set `resources.requests.cpu` and `resources.requests.memory` on every container.
    ///
    /// ## References
    /// - NSA/CISA Kubernetes Hardening Guide, "Resource policies"
    pub struct MissingResourceRequests {
        id: "POD023",
        name: "missing-resource-requests",
        severity: Low,
        summary: "Container has no CPU or memory request",
        controls: ["nsa:resource-limits"],
        pss: None,
    }
}

impl Check for MissingResourceRequests {
    fn check(&self, _cx: &Context, t: &Target, out: &mut Vec<Violation>) {
        let Some(pod) = &t.pod else { return };
        for c in pod.containers().filter(|c| c.kind != ContainerKind::Ephemeral) {
            let lacking = missing(c, &["requests", "limits"]);
            if !lacking.is_empty() {
                out.push(Violation::new(
                    c.path.keys(&["resources", "requests"]),
                    format!("{} of {} has no {} request", c.describe(), t.what(), lacking.join(" or ")),
                ));
            }
        }
    }
}
