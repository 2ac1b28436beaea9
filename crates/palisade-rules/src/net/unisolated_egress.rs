use crate::check::{Check, Scope};
use palisade_analysis::model::Model;
use palisade_analysis::netpol::Direction;
use palisade_core::{Anchor, Context, Violation};
use std::sync::Arc;

use super::unisolated_workloads::unisolated;

declare_rule! {
    /// ## What it does
    /// Flags each namespace of the input whose workloads are not all isolated for egress: no
    /// NetworkPolicy of an `Egress` type selects them, so they may open connections to any
    /// pod, the internet and the cloud metadata endpoint. Namespaces are judged when the input
    /// declares them or holds one of their NetworkPolicies. The finding sits on the Namespace
    /// object (or the namespace's first workload) and names the open workloads.
    ///
    /// ## Why is this bad?
    /// Unrestricted egress is how a compromised pod downloads tools, exfiltrates data, reaches
    /// the cloud provider's metadata credentials and moves laterally.
    ///
    /// ## Example
    /// ```yaml
    /// # namespace shop: no NetworkPolicy with policyTypes [Egress]
    /// kind: Deployment
    /// metadata: {name: web, namespace: shop}
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// kind: NetworkPolicy
    /// metadata: {name: default-deny-egress, namespace: shop}
    /// spec:
    ///   podSelector: {}
    ///   policyTypes: [Egress]
    ///   egress:
    ///     - ports: [{protocol: UDP, port: 53}, {protocol: TCP, port: 53}]
    /// ```
    ///
    /// ## Remediation
    /// Add a default-deny egress policy that still allows DNS, then allow each workload's
    /// destinations.
    ///
    /// ## References
    /// - CIS Kubernetes Benchmark 1.12, 5.3.2
    /// - NSA/CISA Kubernetes Hardening Guide, "Network separation and hardening"
    pub struct UnisolatedEgress {
        id: "NET002",
        name: "namespace-without-default-deny-egress",
        severity: Low,
        summary: "Namespace's workloads are not isolated for egress",
        controls: ["cis-1.12:5.3.2", "nsa:network-separation", "cncf:6"],
        pss: None,
    }
}

impl Check for UnisolatedEgress {
    fn check_model(&self, _cx: &Context, model: &Model, scope: Scope, out: &mut Vec<(Arc<Anchor>, Violation)>) {
        unisolated(model, scope, Direction::Egress, out);
    }
}
