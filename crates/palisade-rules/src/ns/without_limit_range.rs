use palisade_core::{Anchor, Context, Violation};
use crate::check::{Check, Scope};
use palisade_analysis::model::Model;
use std::sync::Arc;

use super::namespaces_without;

declare_rule! {
    /// ## What it does
    /// Flags Namespaces of the input that have no LimitRange in the input.
    /// `kube-system`, `kube-public` and `kube-node-lease` are not flagged.
    ///
    /// ## Why is this bad?
    /// A LimitRange gives containers that set no requests or limits sensible defaults and
    /// caps what one container may ask for; without it, such containers are unbounded
    /// (and, under a quota, cannot even be admitted).
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: Namespace
    /// metadata: {name: shop}
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// apiVersion: v1
    /// kind: LimitRange
    /// metadata: {name: defaults, namespace: shop}
    /// spec:
    ///   limits:
    ///     - type: Container
    ///       default: {cpu: 500m, memory: 256Mi}
    ///       defaultRequest: {cpu: 100m, memory: 128Mi}
    /// ```
    ///
    /// ## Remediation
    /// Add a LimitRange with default requests and limits to every application namespace.
    ///
    /// ## References
    /// - NSA/CISA Kubernetes Hardening Guide, "Resource policies"
    /// - Kubernetes documentation, "Limit Ranges"
    pub struct WithoutLimitRange {
        id: "NS003",
        name: "namespace-without-limit-range",
        severity: Low,
        summary: "Namespace has no LimitRange",
        controls: ["nsa:resource-limits"],
        pss: None,
    }
}

impl Check for WithoutLimitRange {
    fn check_model(&self, _cx: &Context, model: &Model, scope: Scope, out: &mut Vec<(Arc<Anchor>, Violation)>) {
        namespaces_without(model, scope, "LimitRange", true, out);
    }
}
