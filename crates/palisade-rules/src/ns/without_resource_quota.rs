use palisade_core::{Anchor, Context, Violation};
use crate::check::{Check, Scope};
use palisade_analysis::model::Model;
use std::sync::Arc;

use super::namespaces_without;

declare_rule! {
    /// ## What it does
    /// Flags Namespaces of the input that have no ResourceQuota in the input.
    /// `kube-system`, `kube-public` and `kube-node-lease` are not flagged.
    ///
    /// ## Why is this bad?
    /// Without a quota, one team's runaway deployment (or an attacker's) can claim every CPU,
    /// byte of memory, volume and load balancer the cluster has, and every other tenant
    /// suffers.
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
    /// kind: ResourceQuota
    /// metadata: {name: shop, namespace: shop}
    /// spec:
    ///   hard: {requests.cpu: "20", requests.memory: 64Gi, limits.memory: 64Gi, pods: "200"}
    /// ```
    ///
    /// ## Remediation
    /// Add a ResourceQuota to every application namespace.
    ///
    /// ## References
    /// - NSA/CISA Kubernetes Hardening Guide, "Resource policies"
    /// - Kubernetes documentation, "Resource Quotas"
    pub struct WithoutResourceQuota {
        id: "NS002",
        name: "namespace-without-resource-quota",
        severity: Low,
        summary: "Namespace has no ResourceQuota",
        controls: ["nsa:resource-limits", "cncf:3"],
        pss: None,
    }
}

impl Check for WithoutResourceQuota {
    fn check_model(&self, _cx: &Context, model: &Model, scope: Scope, out: &mut Vec<(Arc<Anchor>, Violation)>) {
        namespaces_without(model, scope, "ResourceQuota", true, out);
    }
}
