use super::{allowed, detection, event, text};
use crate::check::Check;
use palisade_core::{Context, Severity, Target, Violation};

declare_rule! {
    /// ## What it does
    /// Detects, in an audit log (`palisade audit-log`), a request from `system:anonymous`
    /// that the API server let through, other than the health and version endpoints anonymous
    /// users may reach by default (`/healthz`, `/livez`, `/readyz`, `/version`).
    ///
    /// ## Why is this bad?
    /// A stranger's request succeeded: some binding grants `system:anonymous` or
    /// `system:unauthenticated` more than it should (MITRE ATT&CK T1078, Valid Accounts).
    ///
    /// ## Example
    /// ```yaml
    /// kind: Event
    /// verb: create
    /// user: {username: system:anonymous}
    /// annotations: {authorization.k8s.io/decision: allow}
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// kind: Event
    /// verb: create
    /// user: {username: system:anonymous}
    /// annotations: {authorization.k8s.io/decision: forbid}
    /// responseStatus: {code: 403}
    /// ```
    ///
    /// ## Remediation
    /// Remove the bindings to `system:anonymous` and `system:unauthenticated`
    /// (`palisade rbac who-can VERB RESOURCE` lists them) and turn anonymous authentication
    /// off where the health checks allow it.
    ///
    /// ## References
    /// - CIS Kubernetes Benchmark 1.12, 1.2.1
    /// - MITRE ATT&CK T1078 (Valid Accounts)
    pub struct AnonymousAllowed {
        id: "AUD002",
        name: "anonymous-request-allowed",
        severity: High,
        summary: "An anonymous request was allowed",
        controls: ["cis-1.12:1.2.1", "mitre:T1078"],
        pss: None,
    }
}

impl Check for AnonymousAllowed {
    fn check(&self, _cx: &Context, t: &Target, out: &mut Vec<Violation>) {
        let Some(e) = event(t) else { return };
        if text(e, &["user", "username"]) != "system:anonymous" || !allowed(e) {
            return;
        }
        let uri = text(e, &["requestURI"]);
        let path = uri.split('?').next().unwrap_or(uri);
        if ["/healthz", "/livez", "/readyz", "/version"].iter().any(|p| path == *p || path.starts_with(&format!("{p}/"))) {
            return;
        }
        out.push(detection(&["user", "username"], Severity::High, format!("an anonymous request was allowed: {} {uri}", text(e, &["verb"]))));
    }
}
