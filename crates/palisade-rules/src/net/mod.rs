//! Network rules (`NET…`): what the NetworkPolicies of the input actually allow, decided with
//! `palisade_analysis::netpol`'s exact semantics, read from the model's network: who selects
//! whom is computed once there, and every rule reads it namespace by namespace.

pub mod metadata_endpoint_reachable;
pub mod named_port_unresolved;
pub mod peer_selects_nothing;
pub mod policy_selects_nothing;
pub mod reachable_from_everywhere;
pub mod unisolated_egress;
pub mod unisolated_workloads;

use palisade_analysis::model::network::PodEntry;
use palisade_analysis::model::Model;
use palisade_core::Anchor;
use std::sync::Arc;

/// The workloads of namespace `ns` when the input speaks for it — declares it (a Namespace
/// object) or holds one of its NetworkPolicies. A scan of one application's manifests says
/// nothing about the policies of the namespaces it merely deploys into.
pub(crate) fn judged_workloads<'a>(model: &'a Model, ns: &str) -> Vec<&'a PodEntry> {
    let speaks = model.declarations(ns).next().is_some() || model.net.policies_in(ns).next().is_some();
    if speaks {
        model.net.pods_in(ns).collect()
    } else {
        Vec::new()
    }
}

/// Where a finding about namespace `ns` goes: its Namespace object, else its first workload.
pub(crate) fn namespace_anchor(model: &Model, ns: &str) -> Option<Arc<Anchor>> {
    model.declarations(ns).next().map(|d| d.anchor.clone()).or_else(|| model.net.pods_in(ns).next().map(|p| p.anchor.clone()))
}

/// `a, b, c and 4 more`: the first few names of a list in alphabetical order, for messages.
pub(crate) fn some_of(names: &[&str]) -> String {
    let mut sorted = names.to_vec();
    sorted.sort_unstable();
    let shown = sorted.iter().take(3).copied().collect::<Vec<_>>().join(", ");
    match names.len() {
        n if n > 3 => format!("{shown} and {} more", n - 3),
        _ => shown,
    }
}
