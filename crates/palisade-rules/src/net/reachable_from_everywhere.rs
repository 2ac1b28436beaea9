use crate::check::{Check, Scope};
use palisade_analysis::model::Model;
use palisade_core::{Anchor, Context, FieldPath, Violation};
use std::sync::Arc;

use super::judged_workloads;

declare_rule! {
    /// ## What it does
    /// Flags workloads that are isolated for ingress yet still accept connections from
    /// outside the cluster (a rule without peers, or an `ipBlock` covering public addresses)
    /// or from every namespace (a `namespaceSelector: {}` peer without a narrowing
    /// `podSelector`). Workloads no policy isolates at all are NET001's.
    ///
    /// ## Why is this bad?
    /// Such a policy looks like protection while it admits the whole cluster or the whole
    /// internet: usually an `ingress: [{}]` meant for one port, or a `from` list where a
    /// `namespaceSelector` and a `podSelector` ended up as two items instead of one.
    ///
    /// ## Example
    /// ```yaml
    /// ingress:
    ///   - from:
    ///       - namespaceSelector: {}
    ///       - podSelector: {matchLabels: {app: web}}
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// ingress:
    ///   - from:
    ///       - namespaceSelector: {matchLabels: {team: shop}}
    ///         podSelector: {matchLabels: {app: web}}
    /// ```
    ///
    /// ## Remediation
    /// Name the sources: combine `namespaceSelector` and `podSelector` in one peer, and limit
    /// `ipBlock`s to the networks that need access.
    ///
    /// ## References
    /// - NSA/CISA Kubernetes Hardening Guide, "Network separation and hardening"
    /// - Kubernetes documentation, "Network Policies: behavior of to and from selectors"
    pub struct ReachableFromEverywhere {
        id: "NET005",
        name: "workload-reachable-from-everywhere",
        severity: Medium,
        summary: "Isolated workload still reachable from outside or from every namespace",
        controls: ["nsa:network-separation", "cis-1.12:5.3.2", "mitre:T1133"],
        pss: None,
    }
}

impl Check for ReachableFromEverywhere {
    fn check_model(&self, _cx: &Context, model: &Model, scope: Scope, out: &mut Vec<(Arc<Anchor>, Violation)>) {
        let Some(ns) = scope.namespace() else { return };
        for entry in judged_workloads(model, ns) {
            if entry.ingress.is_empty() {
                continue;
            }
            let policies = || entry.ingress.iter().map(|&id| model.net.policy(id));
            let what = if policies().any(|p| p.admits_outside_to(&entry.pod)) {
                "from outside the cluster"
            } else if policies().any(|p| p.ingress_from_every_namespace) {
                "from every namespace"
            } else {
                continue;
            };
            out.push((
                entry.anchor.clone(),
                Violation::new(
                    FieldPath::root().keys(&["metadata", "name"]),
                    format!("{} is isolated for ingress, yet its policies admit connections {what}", entry.pod.name()),
                ),
            ));
        }
    }
}
