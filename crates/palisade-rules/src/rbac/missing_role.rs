use palisade_analysis::rbac::is_builtin_role;
use palisade_core::{Anchor, Context, FieldPath, Violation};
use crate::check::{Check, Scope};
use palisade_analysis::model::Model;
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
    fn check_model(&self, _cx: &Context, model: &Model, scope: Scope, out: &mut Vec<(Arc<Anchor>, Violation)>) {
        let namespace = match scope {
            Scope::Policy => return,
            other => other.namespace(),
        };
        for (b, anchor) in model.bindings_in(namespace) {
            if model.has_role(&b.role_key()) || is_builtin_role(b.role_is_cluster, b.namespace.as_deref(), &b.role_name) {
                continue;
            }
            let kind = if b.role_is_cluster { "ClusterRole" } else { "Role" };
            let place = match (&b.namespace, b.role_is_cluster) {
                (Some(ns), false) => format!(" in namespace {ns}"),
                _ => String::new(),
            };
            out.push((
                anchor.clone(),
                Violation::new(
                    FieldPath::root().keys(&["roleRef", "name"]),
                    format!("{} references {kind} `{}`, which is not in the input{place}; it grants nothing", anchor.object, b.role_name),
                ),
            ));
        }
    }
}
