use super::{allowed, detection, event, target, text, who};
use crate::check::Check;
use palisade_core::{Context, Severity, Target, Violation};

declare_rule! {
    /// ## What it does
    /// Detects, in an audit log (`palisade audit-log`), a command run in a pod, a terminal
    /// attached to one, or a port forwarded into one: a request on the `exec`, `attach` or
    /// `portforward` subresource of a pod that the API server let through. The command is
    /// named when the request URI carries it.
    ///
    /// ## Why is this bad?
    /// Exec is how an attacker with API access moves into a workload and its secrets (MITRE
    /// ATT&CK T1609, Container Administration Command); in production it should be rare,
    /// attributable and expected. Every one deserves a look.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Event
    /// verb: create
    /// objectRef: {resource: pods, subresource: exec, namespace: shop, name: web}
    /// responseStatus: {code: 101}
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// kind: Event
    /// verb: get
    /// objectRef: {resource: pods, subresource: log, namespace: shop, name: web}
    /// ```
    ///
    /// ## Remediation
    /// Find out who ran it and why; take `pods/exec`, `pods/attach` and `pods/portforward`
    /// from roles that do not need them (`palisade rbac who-can create pods/exec`), and keep
    /// break-glass access behind a separate, audited role.
    ///
    /// ## References
    /// - MITRE ATT&CK T1609 (Container Administration Command)
    pub struct PodExec {
        id: "AUD001",
        name: "pod-exec",
        severity: Medium,
        summary: "Someone ran a command in, attached to, or forwarded a port into a pod",
        controls: ["mitre:T1609"],
        pss: None,
    }
}

impl Check for PodExec {
    fn check(&self, _cx: &Context, t: &Target, out: &mut Vec<Violation>) {
        let Some(e) = event(t) else { return };
        let sub = text(e, &["objectRef", "subresource"]);
        if text(e, &["objectRef", "resource"]) != "pods" || !matches!(sub, "exec" | "attach" | "portforward") || !allowed(e) {
            return;
        }
        let uri = text(e, &["requestURI"]);
        let command: Vec<String> = uri.split_once('?').map(|(_, q)| q).unwrap_or("").split('&').filter_map(|kv| kv.strip_prefix("command=")).map(str::to_string).collect();
        let shown = if command.is_empty() { String::new() } else { format!(": {}", command.join(" ")) };
        out.push(detection(&["objectRef", "subresource"], Severity::Medium, format!("{} ran {sub} on {}{shown}", who(e), target(e))));
    }
}
