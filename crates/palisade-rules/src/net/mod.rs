//! Network rules (`NET…`): what the NetworkPolicies of the input actually allow, decided with
//! `palisade_analysis::netpol`'s exact semantics over every workload, Namespace and policy.

pub mod metadata_endpoint_reachable;
pub mod named_port_unresolved;
pub mod peer_selects_nothing;
pub mod policy_selects_nothing;
pub mod reachable_from_everywhere;
pub mod unisolated_egress;
pub mod unisolated_workloads;

use palisade_analysis::netpol::Network;
use palisade_core::{Anchor, Facts, Object};
use std::collections::BTreeMap;
use std::sync::Arc;

/// The network of the input, with each workload's, Namespace's and policy's anchor.
pub(crate) struct Located {
    pub net: Network,
    /// Per pod (same order as `net.pods`), its anchor.
    pub pods: Vec<Arc<Anchor>>,
    /// Per policy (same order as `net.policies`), its anchor.
    pub policies: Vec<Arc<Anchor>>,
    /// Declared Namespaces' anchors.
    pub namespaces: BTreeMap<String, Arc<Anchor>>,
}

pub(crate) fn network(facts: &Facts) -> Located {
    let mut located = Located { net: Network::default(), pods: Vec::new(), policies: Vec::new(), namespaces: BTreeMap::new() };
    for (node, anchor) in &facts.network_objects {
        let Ok(object) = Object::from_node(node) else { continue };
        let (pods, policies) = (located.net.pods.len(), located.net.policies.len());
        located.net.add(&object, node);
        if located.net.pods.len() > pods {
            located.pods.push(anchor.clone());
        } else if located.net.policies.len() > policies {
            located.policies.push(anchor.clone());
        } else if object.kind == "Namespace" {
            located.namespaces.insert(object.name.to_string(), anchor.clone());
        }
    }
    located.net.complete_namespaces();
    located
}

impl Located {
    /// Where a finding about namespace `ns` goes: its Namespace object, else its first workload.
    pub fn namespace_anchor(&self, ns: &str) -> Option<Arc<Anchor>> {
        self.namespaces
            .get(ns)
            .cloned()
            .or_else(|| self.net.pods.iter().position(|p| p.namespace == ns).map(|i| self.pods[i].clone()))
    }

    /// The namespaces that hold workloads and that the input speaks for — declared by a
    /// Namespace object, or holding a NetworkPolicy — with their workloads' indices. A scan
    /// of one application's manifests says nothing about the policies of the namespaces it
    /// merely deploys into.
    pub fn workloads_by_namespace(&self) -> BTreeMap<&str, Vec<usize>> {
        let mut out: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
        for (i, p) in self.net.pods.iter().enumerate() {
            let ns = p.namespace.as_str();
            if self.namespaces.contains_key(ns) || self.net.policies.iter().any(|pol| pol.namespace == ns) {
                out.entry(ns).or_default().push(i);
            }
        }
        out
    }
}

/// `a, b, c and 4 more`: the first few names of a list, for messages.
pub(crate) fn some_of(names: &[&str]) -> String {
    let shown = names.iter().take(3).copied().collect::<Vec<_>>().join(", ");
    match names.len() {
        n if n > 3 => format!("{shown} and {} more", n - 3),
        _ => shown,
    }
}
