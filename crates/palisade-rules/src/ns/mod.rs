//! Namespace rules (`NS…`): each Namespace of the input enforces a Pod Security level and has
//! a ResourceQuota, a LimitRange and a NetworkPolicy. Only namespaces declared by Namespace
//! objects in the input are judged: a scan of one application's manifests says nothing about
//! namespaces it merely deploys into.

pub mod pss_not_enforced;
pub mod without_limit_range;
pub mod without_network_policy;
pub mod without_resource_quota;

use crate::check::Scope;
use palisade_analysis::model::Model;
use palisade_core::{Anchor, FieldPath, Violation};
use std::sync::Arc;

pub(crate) const SYSTEM_NAMESPACES: &[&str] = &["kube-system", "kube-public", "kube-node-lease"];

/// A violation on each Namespace object of `scope` when the namespace holds no `kind`.
pub(crate) fn namespaces_without(model: &Model, scope: Scope, kind: &str, skip_system: bool, out: &mut Vec<(Arc<Anchor>, Violation)>) {
    let Some(name) = scope.namespace() else { return };
    if (skip_system && SYSTEM_NAMESPACES.contains(&name)) || model.namespace_has(name, kind) {
        return;
    }
    for ns in model.declarations(name) {
        out.push((
            ns.anchor.clone(),
            Violation::new(FieldPath::root().keys(&["metadata", "name"]), format!("namespace `{}` has no {kind}", ns.name)),
        ));
    }
}
