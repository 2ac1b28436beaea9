use palisade_analysis::rbac::is_builtin_role;
use palisade_core::{Anchor, Check, Context, Facts, FieldPath, Violation};
use std::sync::Arc;

declare_rule! {
    /// ## What it does
    /// Flags RoleBindings and ClusterRoleBindings whose `roleRef` names a Role or ClusterRole
    /// that is not in the input and is not one of the roles every cluster has (`cluster-admin`,
    /// `admin`, `edit`, `view`, `system:*`). A RoleBinding's Role must be in the binding's
    /// namespace.
    ///
    /// ## Why is this bad?
    /// The binding grants nothing today — the subject is probably missing a permission it
    /// was meant to have — and it grants whatever someone later creates under that name,
    /// without anyone reviewing the pair.
    ///
    /// ## Example
    /// ```yaml
    /// kind: RoleBinding
    /// metadata: {name: web, namespace: shop}
    /// roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: web-reader}
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// kind: Role
    /// metadata: {name: web-reader, namespace: shop}
    /// rules:
    ///   - {apiGroups: [""], resources: ["configmaps"], verbs: ["get"]}
    /// ```
    ///
    /// ## Remediation
    /// Create the role next to the binding, fix the name in `roleRef`, or delete the binding.
    ///
    /// ## References
    /// - Kubernetes documentation, "Using RBAC Authorization: RoleBinding and ClusterRoleBinding"
    pub struct MissingRole {
        id: "RBAC013",
        name: "binding-to-missing-role",
        severity: Medium,
        summary: "Binding references a role that does not exist",
        controls: ["nsa:rbac"],
        pss: None,
    }
}

impl Check for MissingRole {
    fn check_facts(&self, _cx: &Context, facts: &Facts, out: &mut Vec<(Arc<Anchor>, Violation)>) {
        for b in &facts.rbac_bindings {
            let key = (b.cluster_role, if b.cluster_role { None } else { b.namespace.clone() }, b.role.clone());
            if facts.rbac_roles.contains(&key) || is_builtin_role(b.cluster_role, b.namespace.as_deref(), &b.role) {
                continue;
            }
            let kind = if b.cluster_role { "ClusterRole" } else { "Role" };
            let place = match (&b.namespace, b.cluster_role) {
                (Some(ns), false) => format!(" in namespace {ns}"),
                _ => String::new(),
            };
            out.push((
                b.anchor.clone(),
                Violation::new(
                    FieldPath::root().keys(&["roleRef", "name"]),
                    format!("{} references {kind} `{}`, which is not in the input{place}; it grants nothing", b.anchor.object, b.role),
                ),
            ));
        }
    }
}
