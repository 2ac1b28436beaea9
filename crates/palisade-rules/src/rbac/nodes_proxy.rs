use palisade_core::{Context, Target, Violation};
use crate::check::Check;

use super::{allowed_verb, at_rule, role_rules};

declare_rule! {
    /// ## What it does
    /// Flags rules of Roles and ClusterRoles that allow `get` or `create` on `nodes/proxy`, directly or through
    /// wildcards (rules narrowed by `resourceNames` are not flagged). Kubernetes' default
    /// roles are not flagged.
    ///
    /// ## Why is this bad?
    /// `nodes/proxy` reaches the kubelet API of every node, bypassing audit logging and
    /// admission control: with `get` alone (over a WebSocket) it runs commands in any container
    /// on the node.
    ///
    /// ## Example
    /// ```yaml
    /// rules:
    ///   - apiGroups: [""]
    ///     resources: ["nodes/proxy"]
    ///     verbs: ["get"]
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// rules:
    ///   - apiGroups: [""]
    ///     resources: ["nodes/metrics", "nodes/stats"]
    ///     verbs: ["get"]
    /// ```
    ///
    /// ## Remediation
    /// Grant the read-only node subresources a monitoring agent needs (`nodes/metrics`,
    /// `nodes/stats`) instead of `nodes/proxy`.
    ///
    /// ## References
    /// - CIS Kubernetes Benchmark 1.12, 5.1.10
    pub struct NodesProxy {
        id: "RBAC006",
        name: "role-uses-nodes-proxy",
        severity: High,
        summary: "Role allows the nodes/proxy subresource",
        controls: ["cis-1.12:5.1.10", "nsa:rbac", "mitre:T1609"],
        pss: None,
    }
}

impl Check for NodesProxy {
    fn check(&self, _cx: &Context, t: &Target, out: &mut Vec<Violation>) {
        for (i, rule) in role_rules(t) {
            if let Some(verb) = allowed_verb(&rule, &["get", "create"], "", "nodes", "proxy") {
                out.push(at_rule(i, format!("{} allows `{verb}` on `nodes/proxy` (rule {})", t.what(), i + 1)));
            }
        }
    }
}
