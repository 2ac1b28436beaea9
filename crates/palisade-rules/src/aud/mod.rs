//! Audit detections (`AUD…`): what a Kubernetes audit event says someone did, from the
//! `audit.k8s.io/v1` `Event` objects of `palisade audit-log` — exec and attach into pods,
//! anonymous requests let through, cluster-admin granted, Kubernetes' own roles changed,
//! tokens minted, kubelets reached through `nodes/proxy`, RBAC changed — and, across events,
//! Secrets read by strangers and bursts of refusals (from the model's audit trail).
//! What a request created (a privileged pod, a wildcard role, a NodePort) is judged by the
//! workload, RBAC and service rules themselves, on the event's `requestObject`.

pub mod anonymous_allowed;
pub mod cluster_admin_granted;
pub mod forbidden_burst;
pub mod node_proxy;
pub mod pod_exec;
pub mod rbac_changed;
pub mod secret_read_by_stranger;
pub mod system_role_changed;
pub mod token_requested;

use palisade_core::{FieldPath, Node, Severity, Target, Violation};

/// An audit event, if `t` is one.
pub(crate) fn event<'a>(t: &Target<'a>) -> Option<&'a Node> {
    (t.object.kind == "Event" && t.object.api_version == "audit.k8s.io/v1").then_some(t.object.node)
}

pub(crate) fn text<'a>(e: &'a Node, path: &[&str]) -> &'a str {
    e.get_path(path).and_then(Node::as_str).unwrap_or("")
}

/// Whether the API server let the request through (its authorization decision, else its
/// response code).
pub(crate) fn allowed(e: &Node) -> bool {
    let decision = e.get("annotations").and_then(|a| a.get("authorization.k8s.io/decision")).and_then(Node::as_str);
    let code = e.get_path(&["responseStatus", "code"]).and_then(Node::as_i64);
    match decision {
        Some(d) => d == "allow" && code.is_none_or(|c| c < 400),
        None => code.is_none_or(|c| c < 400),
    }
}

/// Who the request acted as: the impersonated user where there is one.
pub(crate) fn subject(e: &Node) -> &str {
    palisade_analysis::model::audit::subject(e)
}

/// Who made the request, as `user NAME`.
pub(crate) fn who(e: &Node) -> String {
    let user = text(e, &["user", "username"]);
    let impersonated = text(e, &["impersonatedUser", "username"]);
    if impersonated.is_empty() { format!("user {user}") } else { format!("user {user} (as {impersonated})") }
}

/// `RESOURCE NAMESPACE/NAME` of the event's target.
pub(crate) fn target(e: &Node) -> String {
    let (ns, name) = (text(e, &["objectRef", "namespace"]), text(e, &["objectRef", "name"]));
    let resource = text(e, &["objectRef", "resource"]);
    if ns.is_empty() { format!("{resource} {name}") } else { format!("{resource} {ns}/{name}") }
}

/// A detection at a field of the event.
pub(crate) fn detection(path: &'static [&'static str], severity: Severity, message: String) -> Violation {
    let mut v = Violation::new(FieldPath::root().keys(path), message);
    v.severity = Some(severity);
    v
}
