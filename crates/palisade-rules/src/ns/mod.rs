//! Namespace rules (`NS…`): each Namespace of the input enforces a Pod Security level and has
//! a ResourceQuota, a LimitRange and a NetworkPolicy. Only namespaces declared by Namespace
//! objects in the input are judged: a scan of one application's manifests says nothing about
//! namespaces it merely deploys into.

pub mod pss_not_enforced;
pub mod without_limit_range;
pub mod without_network_policy;
pub mod without_resource_quota;

use palisade_core::{Anchor, Facts, FieldPath, Violation};
use std::sync::Arc;

/// Namespaces the cluster itself manages, whose needs differ from applications'.
pub(crate) const SYSTEM_NAMESPACES: &[&str] = &["kube-system", "kube-public", "kube-node-lease"];

/// A violation on every declared namespace (but `skip_system` ones) that holds no object of
/// `kind`.
pub(crate) fn namespaces_without(facts: &Facts, kind: &str, skip_system: bool, out: &mut Vec<(Arc<Anchor>, Violation)>) {
    for ns in &facts.namespaces {
        if (skip_system && SYSTEM_NAMESPACES.contains(&ns.name.as_str())) || facts.namespace_has(&ns.name, kind) {
            continue;
        }
        out.push((
            ns.anchor.clone(),
            Violation::new(FieldPath::root().keys(&["metadata", "name"]), format!("namespace `{}` has no {kind}", ns.name)),
        ));
    }
}
