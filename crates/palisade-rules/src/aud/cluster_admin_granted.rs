use super::{allowed, detection, event, target, text, who};
use crate::check::Check;
use palisade_core::{Context, Severity, Target, Violation};

declare_rule! {
    /// ## What it does
    /// Detects, in an audit log (`palisade audit-log`), a RoleBinding or ClusterRoleBinding
    /// created or replaced to grant `cluster-admin`, from the binding the request carried —
    /// whoever made it and whatever labels it wears (RBAC010 leaves Kubernetes' own
    /// bootstrap bindings alone; a request that creates one is still a grant).
    ///
    /// ## Why is this bad?
    /// cluster-admin is every permission on every resource. A new grant of it is the
    /// classic step of privilege escalation and persistence (MITRE ATT&CK T1098, Account
    /// Manipulation); even a legitimate one should be seen by more than the person who made it.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Event
    /// verb: create
    /// objectRef: {resource: clusterrolebindings, name: ci-admin}
    /// requestObject: {kind: ClusterRoleBinding, roleRef: {kind: ClusterRole, name: cluster-admin}}
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// kind: Event
    /// verb: create
    /// objectRef: {resource: rolebindings, namespace: ci, name: ci-deployer}
    /// requestObject: {kind: RoleBinding, roleRef: {kind: ClusterRole, name: edit}}
    /// ```
    ///
    /// ## Remediation
    /// Delete the binding unless it is meant to be; grant the narrowest role that does the
    /// job, in the namespace that needs it.
    ///
    /// ## References
    /// - CIS Kubernetes Benchmark 1.12, 5.1.1
    /// - MITRE ATT&CK T1098 (Account Manipulation)
    pub struct ClusterAdminGranted {
        id: "AUD003",
        name: "cluster-admin-granted",
        severity: High,
        summary: "A binding to cluster-admin was created",
        controls: ["cis-1.12:5.1.1", "mitre:T1098"],
        pss: None,
    }
}

impl Check for ClusterAdminGranted {
    fn check(&self, _cx: &Context, t: &Target, out: &mut Vec<Violation>) {
        let Some(e) = event(t) else { return };
        let resource = text(e, &["objectRef", "resource"]);
        if !matches!(resource, "clusterrolebindings" | "rolebindings") || !matches!(text(e, &["verb"]), "create" | "update") || !allowed(e) {
            return;
        }
        if text(e, &["requestObject", "roleRef", "name"]) == "cluster-admin" {
            out.push(detection(&["requestObject", "roleRef", "name"], Severity::High, format!("{} bound cluster-admin: {}", who(e), target(e))));
        }
    }
}
