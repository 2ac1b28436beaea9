use palisade_core::{Anchor, Context, Violation};
use crate::check::{Check, Scope};
use palisade_analysis::model::Model;
use std::sync::Arc;

use super::namespaces_without;

declare_rule! {
    /// ## What it does
    /// Flags Namespaces of the input that have no NetworkPolicy at all in the input, system
    /// namespaces included (CIS 5.3.2 asks it of all namespaces). Whether the policies that
    /// exist actually isolate anything is the network analysis' business (`palisade netpol`).
    ///
    /// ## Why is this bad?
    /// Without a NetworkPolicy every pod of the namespace accepts connections from every pod
    /// of the cluster and may connect anywhere: one compromised pod can reach the databases,
    /// the cloud metadata service and the control plane.
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
    /// apiVersion: networking.k8s.io/v1
    /// kind: NetworkPolicy
    /// metadata: {name: default-deny, namespace: shop}
    /// spec:
    ///   podSelector: {}
    ///   policyTypes: [Ingress, Egress]
    /// ```
    ///
    /// ## Remediation
    /// Start every namespace with a default-deny NetworkPolicy, then allow the flows each
    /// workload needs.
    ///
    /// ## References
    /// - CIS Kubernetes Benchmark 1.12, 5.3.2
    /// - NSA/CISA Kubernetes Hardening Guide, "Network separation and hardening"
    pub struct WithoutNetworkPolicy {
        id: "NS004",
        name: "namespace-without-network-policy",
        severity: Medium,
        summary: "Namespace has no NetworkPolicy",
        controls: ["cis-1.12:5.3.2", "nsa:network-separation", "cncf:6", "mitre:T1046"],
        pss: None,
    }
}

impl Check for WithoutNetworkPolicy {
    fn check_model(&self, _cx: &Context, model: &Model, scope: Scope, out: &mut Vec<(Arc<Anchor>, Violation)>) {
        namespaces_without(model, scope, "NetworkPolicy", false, out);
    }
}
