use super::{allowed, detection, event, subject, target, text, who};
use crate::check::Check;
use palisade_core::{Context, Severity, Target, Violation};

declare_rule! {
    /// ## What it does
    /// Detects, in an audit log, a Role, ClusterRole, RoleBinding or ClusterRoleBinding
    /// created, changed or deleted (and allowed), by anyone but the API server itself and the
    /// controller that keeps aggregated ClusterRoles up to date. Kubernetes' own `system:`
    /// roles and bindings are left to AUD004, which rates them higher.
    ///
    /// ## Why is this bad?
    /// Who may do what is the cluster's security boundary: every change to it should be a
    /// reviewed change, and a change made by hand or by an unexpected account is how access
    /// is widened and kept (MITRE ATT&CK T1098, Account Manipulation). What a new role or
    /// binding grants is judged by the RBAC rules themselves, on the request's object.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Event
    /// verb: create
    /// user: {username: alice@example.com}
    /// objectRef: {resource: clusterrolebindings, apiGroup: rbac.authorization.k8s.io, name: alice-admin}
    /// responseStatus: {code: 201}
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// # RBAC changed only by the pipeline that applies reviewed manifests, under an account
    /// # of its own that a waiver in palisade.yaml names (rule AUD007, with an owner)
    /// kind: Event
    /// verb: create
    /// user: {username: "system:serviceaccount:ci:deployer"}
    /// objectRef: {resource: clusterrolebindings, apiGroup: rbac.authorization.k8s.io, name: alice-admin}
    /// ```
    ///
    /// ## Remediation
    /// Check that the change was intended and reviewed; waive the deploying account
    /// (`palisade.yaml`, with an owner and an expiry) so that only unexpected changes remain.
    ///
    /// ## References
    /// - MITRE ATT&CK T1098 (Account Manipulation)
    /// - <https://kubernetes.io/docs/reference/access-authn-authz/rbac/>
    pub struct RbacChanged {
        id: "AUD007",
        name: "rbac-changed",
        severity: Low,
        summary: "A role or role binding was created, changed or deleted",
        controls: ["mitre:T1098"],
        pss: None,
    }
}

impl Check for RbacChanged {
    fn check(&self, _cx: &Context, t: &Target, out: &mut Vec<Violation>) {
        let Some(e) = event(t) else { return };
        let verb = text(e, &["verb"]);
        let resource = text(e, &["objectRef", "resource"]);
        if !matches!(resource, "roles" | "clusterroles" | "rolebindings" | "clusterrolebindings")
            || !matches!(verb, "create" | "update" | "patch" | "delete" | "deletecollection")
            || !text(e, &["objectRef", "subresource"]).is_empty()
            || !allowed(e)
        {
            return;
        }
        let by = subject(e);
        let system = resource.starts_with("cluster") && text(e, &["objectRef", "name"]).starts_with("system:");
        if system || by == "system:apiserver" || by == "system:serviceaccount:kube-system:clusterrole-aggregation-controller" {
            return;
        }
        let done = match verb {
            "create" => "created",
            "delete" | "deletecollection" => "deleted",
            _ => "changed",
        };
        out.push(detection(&["objectRef", "resource"], Severity::Low, format!("{} {done} {}", who(e), target(e))));
    }
}
