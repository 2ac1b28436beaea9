use palisade_analysis::model::Model;
use palisade_analysis::rbac::model::Subject;
use palisade_core::{Anchor, Context, FieldPath, Violation};
use crate::check::{Check, Scope};
use std::sync::Arc;

/// Resources known to be namespaced: a ClusterRole granting only these is about what happens
/// inside namespaces. Anything else (cluster-scoped kinds, custom resources whose scope is
/// unknown, wildcards, non-resource URLs) keeps the rule quiet.
const NAMESPACED: &[&str] = &[
    "pods", "pods/log", "pods/exec", "pods/portforward", "pods/attach", "pods/status", "services", "endpoints",
    "configmaps", "secrets", "serviceaccounts", "persistentvolumeclaims", "events", "replicationcontrollers",
    "deployments", "deployments/scale", "deployments/status", "replicasets", "statefulsets", "daemonsets", "jobs",
    "cronjobs", "ingresses", "ingresses/status", "networkpolicies", "roles", "rolebindings", "leases",
    "horizontalpodautoscalers", "poddisruptionbudgets", "endpointslices", "resourcequotas", "limitranges",
    "controllerrevisions",
];

declare_rule! {
    /// ## What it does
    /// Suggests a RoleBinding where a ClusterRoleBinding grants a ClusterRole only to
    /// ServiceAccounts of one namespace, and the ClusterRole (the input's, or Kubernetes' built-in
    /// definition when the input has none; not aggregated)
    /// grants only resources that live in namespaces. Whether the ServiceAccounts work in
    /// other namespaces cannot be seen in manifests — cluster-wide controllers legitimately
    /// do — so this is advice (severity info): if they only work in their own namespace, a
    /// RoleBinding there gives them the same power over far less.
    ///
    /// ## Why is this bad?
    /// A ClusterRoleBinding grants its role in every namespace, present and future: a
    /// ServiceAccount meant to manage its own namespace can read and change every other.
    ///
    /// ## Example
    /// ```yaml
    /// kind: ClusterRoleBinding
    /// roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: app-manager}
    /// subjects: [{kind: ServiceAccount, name: app, namespace: shop}]
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// kind: RoleBinding
    /// metadata: {namespace: shop}
    /// roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: app-manager}
    /// subjects: [{kind: ServiceAccount, name: app, namespace: shop}]
    /// ```
    ///
    /// ## Remediation
    /// Replace the ClusterRoleBinding with a RoleBinding in the ServiceAccounts' namespace (a
    /// RoleBinding may reference the same ClusterRole), unless they must act cluster-wide.
    ///
    /// ## References
    /// - CIS Kubernetes Benchmark 1.12, 5.1.1 (grants only where required)
    /// - Kubernetes documentation, "Using RBAC Authorization: RoleBinding and ClusterRoleBinding"
    pub struct ClusterBindingOneNamespace {
        id: "RBAC015",
        name: "cluster-binding-for-one-namespace",
        severity: Info,
        summary: "ClusterRoleBinding for one namespace's ServiceAccounts where a RoleBinding may do",
        controls: ["nsa:rbac"],
        pss: None,
    }
}

impl Check for ClusterBindingOneNamespace {
    fn check_model(&self, _cx: &Context, model: &Model, scope: Scope, out: &mut Vec<(Arc<Anchor>, Violation)>) {
        if scope != Scope::Cluster {
            return;
        }
        for (b, anchor) in model.bindings_in(None).filter(|(b, _)| b.role_is_cluster) {
            let mut namespaces = b.subjects.iter().map(|s| match s {
                Subject::ServiceAccount(ns, _) => Some(ns.as_str()).filter(|ns| !ns.is_empty()),
                _ => None,
            });
            let Some(Some(ns)) = namespaces.next() else { continue };
            if !namespaces.all(|n| n == Some(ns)) || b.name.starts_with("system:") {
                continue;
            }
            let Some(role) = model.cluster_role(&b.role_name).filter(|r| r.aggregation.is_none()) else { continue };
            let namespaced_only = !role.rules.is_empty()
                && role.rules.iter().all(|r| {
                    r.non_resource_urls.is_empty()
                        && !r.resources.is_empty()
                        && r.resources.iter().all(|res| NAMESPACED.contains(&res.as_str()))
                });
            if namespaced_only {
                out.push((
                    anchor.clone(),
                    Violation::new(
                        FieldPath::root().keys(&["roleRef", "name"]),
                        format!(
                            "{} grants ClusterRole {}{} in every namespace to ServiceAccounts of {ns} only; if they work only there, a RoleBinding in {ns} would do",
                            anchor.object,
                            b.role_name,
                            if role.builtin { " (Kubernetes' built-in definition)" } else { "" }
                        ),
                    ),
                ));
            }
        }
    }
}
