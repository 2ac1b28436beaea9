use palisade_core::{Context, FieldPath, Target, Violation};
use crate::check::Check;

use super::{binding, subjects};

declare_rule! {
    /// ## What it does
    /// Flags RoleBindings and ClusterRoleBindings with the group `system:masters` as a
    /// subject.
    ///
    /// ## Why is this bad?
    /// Members of `system:masters` are cluster-admin by a rule compiled into the API server:
    /// no binding or webhook authorizer can take that away, and certificates naming the group
    /// cannot be revoked. Binding roles to it signals that credentials with that group are
    /// in circulation.
    ///
    /// ## Example
    /// ```yaml
    /// subjects:
    ///   - kind: Group
    ///     name: system:masters
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// subjects:
    ///   - kind: Group
    ///     name: platform-admins
    /// ```
    ///
    /// ## Remediation
    /// Use ordinary groups bound to ordinary roles; issue no credentials with `system:masters`
    /// beyond the break-glass kubeconfig.
    ///
    /// ## References
    /// - CIS Kubernetes Benchmark 1.12, 5.1.7
    pub struct SystemMasters {
        id: "RBAC012",
        name: "system-masters-bound",
        severity: High,
        summary: "Binding names the system:masters group",
        controls: ["cis-1.12:5.1.7", "nsa:rbac"],
        pss: None,
    }
}

impl Check for SystemMasters {
    fn check(&self, _cx: &Context, t: &Target, out: &mut Vec<Violation>) {
        if !binding(t) {
            return;
        }
        for (i, kind, name) in subjects(t) {
            if kind == "Group" && name == "system:masters" {
                out.push(Violation::new(FieldPath::root().key("subjects").index(i), format!("{} names the group system:masters", t.what())));
            }
        }
    }
}
