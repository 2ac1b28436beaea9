use palisade_analysis::netpol::matrix::Cell;
use palisade_analysis::netpol::model::Peer;
use palisade_analysis::netpol::Direction;
use palisade_core::{Anchor, Check, Context, Facts, FieldPath, Violation};
use std::sync::Arc;

use super::network;

/// A public address, standing for "outside the cluster".
const OUTSIDE: &str = "203.0.113.10";

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
    fn check_facts(&self, _cx: &Context, facts: &Facts, out: &mut Vec<(Arc<Anchor>, Violation)>) {
        let located = network(facts);
        let sel = located.net.selection();
        let outside = Cell::Address(OUTSIDE.parse().expect("address"));
        for pods in located.workloads_by_namespace().values() {
            for &i in pods {
                let pod = &located.net.pods[i];
                let mut policies = located.net.selecting(pod, Direction::Ingress).peekable();
                if policies.peek().is_none() {
                    continue;
                }
                let every_namespace = policies.any(|p| {
                    p.ingress.iter().any(|r| {
                        r.peers.iter().any(|peer| match peer {
                            Peer::Selectors { namespaces: Some(ns), pods } => {
                                ns.requirements.is_empty() && pods.as_ref().is_none_or(|s| s.requirements.is_empty())
                            }
                            _ => false,
                        })
                    })
                });
                let from_outside = !located.net.open_ports(&sel, outside, Cell::Pod(i)).is_empty();
                let what = match (from_outside, every_namespace) {
                    (true, _) => "from outside the cluster",
                    (false, true) => "from every namespace",
                    _ => continue,
                };
                out.push((
                    located.pods[i].clone(),
                    Violation::new(
                        FieldPath::root().keys(&["metadata", "name"]),
                        format!("{} is isolated for ingress, yet its policies admit connections {what}", pod.name()),
                    ),
                ));
            }
        }
    }
}
