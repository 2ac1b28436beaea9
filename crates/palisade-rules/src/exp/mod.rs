//! Exposure rules (`EXP…`): what an endpoint gave a stranger, from the `Endpoint` objects of
//! `palisade probe` — etcd readable without a client certificate, a kubelet or API server
//! answering anonymously, the API without TLS, dashboards without login, control-plane
//! metrics open, certificates expired.

pub mod apiserver_anonymous;
pub mod apiserver_insecure;
pub mod certificate_expiry;
pub mod component_exposed;
pub mod dashboard_exposed;
pub mod etcd_anonymous_read;
pub mod etcd_exposed;
pub mod kubelet_anonymous;
pub mod kubelet_read_only_port;

use palisade_core::{FieldPath, Node, Severity, Target, Violation};

/// The `spec` of a probed Endpoint, if `t` is one.
pub(crate) fn endpoint<'a>(t: &Target<'a>) -> Option<&'a Node> {
    (t.object.kind == "Endpoint" && t.object.api_version == "palisade.io/v1").then(|| t.object.node.get("spec")).flatten()
}

/// The service the probe identified.
pub(crate) fn service(spec: &Node) -> &str {
    spec.get("service").and_then(Node::as_str).unwrap_or("unknown")
}

/// A request that succeeded anonymously: its recorded answer.
pub(crate) fn answered<'a>(spec: &'a Node, check: &str) -> Option<&'a Node> {
    spec.get("checks")?.get(check).filter(|c| c.get("anonymous").and_then(Node::as_bool) == Some(true))
}

/// The evidence of an answer, as ` (…)`, or nothing.
pub(crate) fn evidence(answer: &Node) -> String {
    answer.get("evidence").and_then(Node::as_str).map(|e| format!(" ({e})")).unwrap_or_default()
}

/// A finding at a check of the endpoint.
pub(crate) fn at_check(t: &Target, check: &str, severity: Severity, message: String) -> Violation {
    let mut v = Violation::new(FieldPath::root().keys(&["spec", "checks"]).key(check.to_string()), format!("{}: {message}", t.object.name));
    v.severity = Some(severity);
    v
}

/// A finding about the endpoint as a whole (what answers there), not one of its answers.
pub(crate) fn at_service(t: &Target, severity: Severity, message: String) -> Violation {
    let mut v = Violation::new(FieldPath::root().keys(&["spec", "service"]), format!("{}: {message}", t.object.name));
    v.severity = Some(severity);
    v
}
