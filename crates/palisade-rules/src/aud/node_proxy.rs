use super::{allowed, detection, event, target, text, who};
use crate::check::Check;
use palisade_core::{Context, Severity, Target, Violation};

declare_rule! {
    /// ## What it does
    /// Detects, in an audit log, a request through the `nodes/proxy` subresource that the
    /// API server let through: the API server relaying the request to a node's kubelet API.
    ///
    /// ## Why is this bad?
    /// The kubelet API behind `nodes/proxy` runs commands in any container on the node
    /// (`/exec`, `/run`), reads every pod's spec and environment (`/pods`) and its logs, and
    /// none of it shows up as a pod `exec` in the audit log — only as this proxy request.
    /// Monitoring agents sometimes read `/metrics` this way; anything else deserves a look
    /// (MITRE ATT&CK T1609, Container Administration Command).
    ///
    /// ## Example
    /// ```yaml
    /// kind: Event
    /// verb: create
    /// requestURI: /api/v1/nodes/node-1/proxy/run/default/web/app?cmd=id
    /// objectRef: {resource: nodes, name: node-1, subresource: proxy}
    /// responseStatus: {code: 200}
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// kind: Event
    /// verb: get
    /// objectRef: {resource: nodes, name: node-1}
    /// ```
    ///
    /// ## Remediation
    /// Take `nodes/proxy` from every role that does not strictly need it (`palisade rbac
    /// who-can get nodes/proxy`); metrics collectors can scrape the kubelet's `/metrics`
    /// with their own credentials instead.
    ///
    /// ## References
    /// - MITRE ATT&CK T1609 (Container Administration Command)
    /// - <https://kubernetes.io/docs/concepts/security/rbac-good-practices/#access-to-proxy-subresource-of-nodes>
    pub struct NodeProxy {
        id: "AUD006",
        name: "node-proxy-request",
        severity: High,
        summary: "A request reached a kubelet through the nodes/proxy subresource",
        controls: ["mitre:T1609"],
        pss: None,
    }
}

impl Check for NodeProxy {
    fn check(&self, _cx: &Context, t: &Target, out: &mut Vec<Violation>) {
        let Some(e) = event(t) else { return };
        if text(e, &["objectRef", "resource"]) != "nodes" || text(e, &["objectRef", "subresource"]) != "proxy" || !allowed(e) {
            return;
        }
        let uri = text(e, &["requestURI"]);
        // What the kubelet was asked: the path after `/proxy`.
        let asked = uri.split_once("/proxy").map(|(_, rest)| rest.split('?').next().unwrap_or("")).filter(|p| !p.is_empty()).unwrap_or("/");
        let severity = if matches!(asked.trim_start_matches('/').split('/').next(), Some("metrics" | "healthz" | "stats")) { Severity::Low } else { Severity::High };
        out.push(detection(&["objectRef", "subresource"], severity, format!("{} reached the kubelet of {} through nodes/proxy: {} {asked}", who(e), target(e), text(e, &["verb"]))));
    }
}
