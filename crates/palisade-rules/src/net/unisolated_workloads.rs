use crate::check::{Check, Scope};
use palisade_analysis::model::Model;
use palisade_analysis::netpol::Direction;
use palisade_core::{Anchor, Context, FieldPath, Violation};
use std::sync::Arc;

use super::{judged_workloads, namespace_anchor, some_of};

/// One violation per namespace whose workloads are not all isolated in `direction`.
pub(crate) fn unisolated(model: &Model, scope: Scope, direction: Direction, out: &mut Vec<(Arc<Anchor>, Violation)>) {
    let Some(ns) = scope.namespace() else { return };
    let (word, what) = match direction {
        Direction::Ingress => ("ingress", "accept connections from every pod and from outside"),
        Direction::Egress => ("egress", "may connect anywhere, the cloud metadata endpoint included"),
    };
    let pods = judged_workloads(model, ns);
    let open: Vec<&str> = pods.iter().filter(|p| p.selected_by(direction).is_empty()).map(|p| p.pod.workload.as_str()).collect();
    if open.is_empty() {
        return;
    }
    let Some(anchor) = namespace_anchor(model, ns) else { return };
    out.push((
        anchor,
        Violation::new(
            FieldPath::root().keys(&["metadata", "name"]),
            format!("namespace `{ns}` has no default-deny {word}: {} of {} workloads {what} ({})", open.len(), pods.len(), some_of(&open)),
        ),
    ));
}

declare_rule! {
    /// ## What it does
    /// Flags each namespace whose workloads are not all isolated for ingress: no
    /// NetworkPolicy of an `Ingress` type selects them, so they accept connections from every
    /// pod of the cluster and from outside. Namespaces are judged when the input declares them
    /// (a Namespace object) or holds one of their NetworkPolicies. The finding sits on the
    /// Namespace object (or the namespace's first workload) and names the open workloads.
    ///
    /// ## Why is this bad?
    /// Without ingress isolation, one compromised pod anywhere in the cluster can reach this
    /// namespace's databases, admin ports and internal APIs directly.
    ///
    /// ## Example
    /// ```yaml
    /// # namespace shop: workloads, but no NetworkPolicy selecting them
    /// kind: Deployment
    /// metadata: {name: db, namespace: shop}
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// kind: NetworkPolicy
    /// metadata: {name: default-deny-ingress, namespace: shop}
    /// spec:
    ///   podSelector: {}
    ///   policyTypes: [Ingress]
    /// ```
    ///
    /// ## Remediation
    /// Add a default-deny ingress policy (`podSelector: {}`, `policyTypes: [Ingress]`) to every
    /// namespace, then allow the flows each workload needs.
    ///
    /// ## References
    /// - CIS Kubernetes Benchmark 1.12, 5.3.2
    /// - NSA/CISA Kubernetes Hardening Guide, "Network separation and hardening"
    pub struct UnisolatedIngress {
        id: "NET001",
        name: "namespace-without-default-deny-ingress",
        severity: Medium,
        summary: "Namespace's workloads are not isolated for ingress",
        controls: ["cis-1.12:5.3.2", "nsa:network-separation", "cncf:6", "mitre:T1046"],
        pss: None,
    }
}

impl Check for UnisolatedIngress {
    fn check_model(&self, _cx: &Context, model: &Model, scope: Scope, out: &mut Vec<(Arc<Anchor>, Violation)>) {
        unisolated(model, scope, Direction::Ingress, out);
    }
}
