use crate::check::{Check, Scope};
use palisade_analysis::model::Model;
use palisade_analysis::netpol::model::Peer;
use palisade_core::{Anchor, Context, FieldPath, Violation};
use std::sync::Arc;

use super::policy_selects_nothing::has_custom_resources;

declare_rule! {
    /// ## What it does
    /// Flags `from`/`to` peers whose selectors match nothing in the input: a
    /// `namespaceSelector` that matches none of the input's namespaces (judged when the input
    /// declares Namespace objects), or a `podSelector` that matches none of the workloads of
    /// the namespaces it applies to (judged when those namespaces have workloads in the input
    /// and no custom resources that could create pods).
    ///
    /// ## Why is this bad?
    /// A peer that matches nothing allows nothing: the flow it was written for is blocked —
    /// usually a label typo, or a namespace label that was never set (`team: shop` on pods but
    /// not on the Namespace).
    ///
    /// ## Example
    /// ```yaml
    /// ingress:
    ///   - from:
    ///       - namespaceSelector: {matchLabels: {name: monitoring}}
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// ingress:
    ///   - from:
    ///       - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: monitoring}}
    /// ```
    ///
    /// ## Remediation
    /// Fix the selector, or label the namespaces and pods it is meant to match; the automatic
    /// `kubernetes.io/metadata.name` label names a namespace reliably.
    ///
    /// ## References
    /// - Kubernetes documentation, "Network Policies: behavior of to and from selectors"
    pub struct PeerSelectsNothing {
        id: "NET007",
        name: "network-peer-selects-nothing",
        severity: Low,
        summary: "NetworkPolicy peer selector matches no namespace or workload",
        controls: ["nsa:network-separation"],
        pss: None,
    }
}

impl Check for PeerSelectsNothing {
    fn check_model(&self, _cx: &Context, model: &Model, scope: Scope, out: &mut Vec<(Arc<Anchor>, Violation)>) {
        let Some(ns) = scope.namespace() else { return };
        let net = &model.net;
        let declared = model.declared_namespaces().next().is_some();
        let has_workloads = |ns: &str| net.pods_in(ns).next().is_some();
        for entry in net.policies_in(ns) {
            let policy = &entry.policy;
            for (field, peer_key, rules) in [("ingress", "from", &policy.ingress), ("egress", "to", &policy.egress)] {
                for (r, rule) in rules.iter().enumerate() {
                    for (k, peer) in rule.peers.iter().enumerate() {
                        let Peer::Selectors { pods, namespaces } = peer else { continue };
                        let judge = || {
                            let matched: Vec<&str> = match namespaces {
                                None => vec![policy.namespace.as_str()],
                                Some(sel) => net.matching_namespaces(sel).collect(),
                            };
                            if namespaces.is_some() && matched.is_empty() && declared {
                                Some("its namespaceSelector matches none of the input's namespaces".to_string())
                            } else if let Some(sel) = pods.as_ref().filter(|_| !matched.is_empty()) {
                                let judged = matched.iter().all(|ns| has_workloads(ns) && !has_custom_resources(model, ns));
                                let any = || matched.iter().any(|ns| net.matching_pods(ns, sel).next().is_some());
                                (judged && !any()).then(|| format!("its podSelector matches no workload of namespace {}", matched.join(", ")))
                            } else {
                                None
                            }
                        };
                        // A peer that selects namespaces is judged the same from every
                        // namespace: once per state of the model.
                        let problem = match namespaces {
                            Some(_) => model.memo(&format!("NET007 {peer:?}"), judge),
                            None => judge(),
                        };
                        if let Some(problem) = problem {
                            out.push((
                                entry.anchor.clone(),
                                Violation::new(
                                    FieldPath::root().keys(&["spec"]).key(field).index(r).key(peer_key).index(k),
                                    format!("{policy}: {field} rule {}, peer {}: {problem}", r + 1, k + 1),
                                ),
                            ));
                        }
                    }
                }
            }
        }
    }

    fn crosses_namespaces(&self) -> bool {
        true
    }
}
