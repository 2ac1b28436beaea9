use palisade_core::{Context, FieldPath, Severity, Target, Violation};
use crate::check::Check;

use super::{subjects, user_binding};

declare_rule! {
    /// ## What it does
    /// Flags bindings that grant a role to everyone: the user `system:anonymous`, the group
    /// `system:unauthenticated` (high), or the group `system:authenticated` (medium: every
    /// user and every ServiceAccount of the cluster). Kubernetes' own default bindings (such
    /// as `system:public-info-viewer`) are not flagged.
    ///
    /// ## Why is this bad?
    /// Whatever such a binding grants, anyone who can reach the API server has — with no
    /// credentials at all for the unauthenticated ones. On managed clusters,
    /// `system:authenticated` can include every account of the cloud provider.
    ///
    /// ## Example
    /// ```yaml
    /// kind: ClusterRoleBinding
    /// roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}
    /// subjects: [{kind: Group, name: "system:authenticated"}]
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// kind: ClusterRoleBinding
    /// roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}
    /// subjects: [{kind: Group, name: "platform-viewers"}]
    /// ```
    ///
    /// ## Remediation
    /// Bind the role to the groups of your identity provider that need it.
    ///
    /// ## References
    /// - NSA/CISA Kubernetes Hardening Guide, "Authentication and authorization"
    pub struct PublicGroupBinding {
        id: "RBAC011",
        name: "role-bound-to-everyone",
        severity: High,
        summary: "Role bound to anonymous, unauthenticated or all authenticated users",
        controls: ["nsa:rbac", "cncf:2", "mitre:T1078"],
        pss: None,
    }
}

impl Check for PublicGroupBinding {
    fn check(&self, _cx: &Context, t: &Target, out: &mut Vec<Violation>) {
        if !user_binding(t) {
            return;
        }
        for (i, kind, name) in subjects(t) {
            let everyone = matches!((kind, name), ("User", "system:anonymous") | ("Group", "system:unauthenticated"));
            let authenticated = (kind, name) == ("Group", "system:authenticated");
            if everyone || authenticated {
                let mut v = Violation::new(
                    FieldPath::root().key("subjects").index(i),
                    format!("{} grants its role to `{name}`", t.what()),
                );
                if authenticated {
                    v.severity = Some(Severity::Medium);
                }
                out.push(v);
            }
        }
    }
}
