//! Exposure rules (`SVC…`): Services and Ingresses that open workloads to more of the network
//! than intended.

pub mod external_ips;
pub mod ingress_without_tls;
pub mod load_balancer_open;
pub mod node_port;

use palisade_core::{Node, Target};

/// The `spec.type` of a core/v1 Service, or `None` for anything else.
pub(crate) fn service_type<'a>(t: &'a Target) -> Option<&'a str> {
    if t.object.kind != "Service" || t.object.api_version != "v1" {
        return None;
    }
    Some(t.object.node.get_path(&["spec", "type"]).and_then(Node::as_str).unwrap_or("ClusterIP"))
}
