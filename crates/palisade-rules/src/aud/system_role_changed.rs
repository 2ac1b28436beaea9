use super::{allowed, detection, event, target, text, who};
use crate::check::Check;
use palisade_core::{Context, Severity, Target, Violation};

declare_rule! {
    /// ## What it does
    /// Detects, in an audit log (`palisade audit-log`), an update, patch or delete of one of
    /// Kubernetes' own ClusterRoles or ClusterRoleBindings (`system:*`) by anyone but the API
    /// server's bootstrap reconciler (`system:apiserver`).
    ///
    /// ## Why is this bad?
    /// The `system:` roles are what nodes, controllers and the scheduler run with; widening one
    /// is a quiet way to persist (every kubelet or controller gets the new rights), removing
    /// one breaks the cluster (MITRE ATT&CK T1098, Account Manipulation).
    ///
    /// ## Example
    /// ```yaml
    /// kind: Event
    /// verb: patch
    /// objectRef: {resource: clusterroles, name: system:node}
    /// user: {username: alice}
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// kind: Event
    /// verb: patch
    /// objectRef: {resource: clusterroles, name: monitoring-reader}
    /// user: {username: alice}
    /// ```
    ///
    /// ## Remediation
    /// Put the role back (the API server reconciles the bootstrap roles it owns at start;
    /// `kubectl auth reconcile` for the rest) and add rights through a new role and binding
    /// instead, or through an aggregation label.
    ///
    /// ## References
    /// - MITRE ATT&CK T1098 (Account Manipulation)
    pub struct SystemRoleChanged {
        id: "AUD004",
        name: "system-role-changed",
        severity: Medium,
        summary: "One of Kubernetes' own roles or bindings was changed or deleted",
        controls: ["mitre:T1098"],
        pss: None,
    }
}

impl Check for SystemRoleChanged {
    fn check(&self, _cx: &Context, t: &Target, out: &mut Vec<Violation>) {
        let Some(e) = event(t) else { return };
        let verb = text(e, &["verb"]);
        if !matches!(text(e, &["objectRef", "resource"]), "clusterroles" | "clusterrolebindings")
            || !text(e, &["objectRef", "name"]).starts_with("system:")
            || !matches!(verb, "update" | "patch" | "delete")
            || text(e, &["user", "username"]) == "system:apiserver"
            || !allowed(e)
        {
            return;
        }
        let done = if verb == "delete" { "deleted" } else { "changed" };
        out.push(detection(&["objectRef", "name"], Severity::Medium, format!("{} {done} Kubernetes' own {}", who(e), target(e))));
    }
}
