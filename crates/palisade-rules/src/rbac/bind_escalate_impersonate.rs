use palisade_core::{Context, Target, Violation};
use crate::check::Check;

use super::{allowed_verb, at_rule, role_rules};

/// (verb, group, resource) grants that let a subject raise its own privileges.
const ESCALATING: &[(&str, &str, &str)] = &[
    ("bind", "rbac.authorization.k8s.io", "roles"),
    ("bind", "rbac.authorization.k8s.io", "clusterroles"),
    ("escalate", "rbac.authorization.k8s.io", "roles"),
    ("escalate", "rbac.authorization.k8s.io", "clusterroles"),
    ("impersonate", "", "users"),
    ("impersonate", "", "groups"),
    ("impersonate", "", "serviceaccounts"),
    ("impersonate", "authentication.k8s.io", "userextras"),
    ("impersonate", "authentication.k8s.io", "uids"),
];

declare_rule! {
    /// ## What it does
    /// Flags rules of Roles and ClusterRoles that allow `bind` or `escalate` on roles or
    /// clusterroles, or `impersonate` on users, groups, ServiceAccounts, user extras or UIDs —
    /// directly or through wildcards. Kubernetes' default roles are not flagged.
    ///
    /// ## Why is this bad?
    /// These verbs bypass RBAC's own escalation check: `escalate` edits a role to grant what
    /// the editor does not have, `bind` binds a role the binder does not hold, and
    /// `impersonate` acts as anyone — `system:masters` included. Each is a path to
    /// cluster-admin.
    ///
    /// ## Example
    /// ```yaml
    /// rules:
    ///   - apiGroups: [""]
    ///     resources: ["users", "groups"]
    ///     verbs: ["impersonate"]
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// rules:
    ///   - apiGroups: ["rbac.authorization.k8s.io"]
    ///     resources: ["rolebindings"]
    ///     verbs: ["get", "list"]
    /// ```
    ///
    /// ## Remediation
    /// Remove these verbs; if a controller must manage bindings, limit `bind` to the named
    /// roles it hands out (`resourceNames`).
    ///
    /// ## References
    /// - CIS Kubernetes Benchmark 1.12, 5.1.8
    /// - Kubernetes documentation, "RBAC: privilege escalation prevention and bootstrapping"
    pub struct BindEscalateImpersonate {
        id: "RBAC004",
        name: "role-can-escalate",
        severity: High,
        summary: "Role allows bind, escalate or impersonate",
        controls: ["cis-1.12:5.1.8", "nsa:rbac", "mitre:T1078"],
        pss: None,
    }
}

impl Check for BindEscalateImpersonate {
    fn check(&self, _cx: &Context, t: &Target, out: &mut Vec<Violation>) {
        for (i, rule) in role_rules(t) {
            let mut grants: Vec<String> = ESCALATING
                .iter()
                .filter(|(verb, group, resource)| allowed_verb(&rule, &[verb], group, resource, "").is_some())
                .map(|(verb, _, resource)| format!("{verb} {resource}"))
                .collect();
            grants.dedup();
            if !grants.is_empty() {
                out.push(at_rule(i, format!("{} allows {} (rule {})", t.what(), grants.join(", "), i + 1)));
            }
        }
    }
}
