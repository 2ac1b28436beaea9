use palisade_core::{Context, FieldPath, Node, Target, Violation};
use crate::check::Check;

use super::{subjects, user_binding};

declare_rule! {
    /// ## What it does
    /// Flags RoleBindings and ClusterRoleBindings to the `cluster-admin` ClusterRole, other than
    /// Kubernetes' own defaults (bindings named `system:*` or labelled
    /// `kubernetes.io/bootstrapping: rbac-defaults`).
    ///
    /// ## Why is this bad?
    /// `cluster-admin` is every permission on every resource: the subject can read every
    /// Secret, run anything on any node and grant itself anything else. Few humans and no
    /// workload need it day to day.
    ///
    /// ## Example
    /// ```yaml
    /// kind: ClusterRoleBinding
    /// roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
    /// subjects: [{kind: ServiceAccount, name: deployer, namespace: ci}]
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// kind: RoleBinding
    /// metadata: {namespace: shop}
    /// roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: edit}
    /// subjects: [{kind: ServiceAccount, name: deployer, namespace: ci}]
    /// ```
    ///
    /// ## Remediation
    /// Bind a narrower role, in the namespaces where it is needed; keep cluster-admin for
    /// break-glass accounts.
    ///
    /// ## References
    /// - CIS Kubernetes Benchmark 1.12, 5.1.1
    pub struct ClusterAdminBinding {
        id: "RBAC010",
        name: "cluster-admin-bound",
        severity: High,
        summary: "cluster-admin is bound to a subject",
        controls: ["cis-1.12:5.1.1", "nsa:rbac", "cncf:2", "mitre:T1078"],
        pss: None,
    }
}

impl Check for ClusterAdminBinding {
    fn check(&self, _cx: &Context, t: &Target, out: &mut Vec<Violation>) {
        if !user_binding(t) {
            return;
        }
        let role_ref = t.object.node.get("roleRef");
        let field = |k| role_ref.and_then(|r| r.get(k)).and_then(Node::as_str);
        if field("kind") == Some("ClusterRole") && field("name") == Some("cluster-admin") {
            let names: Vec<String> = subjects(t).map(|(_, kind, name)| format!("{kind} {name}")).collect();
            out.push(Violation::new(
                FieldPath::root().keys(&["roleRef", "name"]),
                format!("{} grants cluster-admin to {}", t.what(), if names.is_empty() { "no subject".into() } else { names.join(", ") }),
            ));
        }
    }
}
