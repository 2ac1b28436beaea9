use palisade_core::{Anchor, Check, Context, Facts, FieldPath, Violation};
use std::sync::Arc;

use super::network;

/// Kinds Kubernetes itself defines, that create no pods behind the input's back.
const BUILT_IN: &[&str] = &[
    "Pod", "Deployment", "ReplicaSet", "StatefulSet", "DaemonSet", "Job", "CronJob", "ReplicationController",
    "Service", "ConfigMap", "Secret", "ServiceAccount", "Role", "RoleBinding", "NetworkPolicy", "Ingress",
    "PersistentVolumeClaim", "PodDisruptionBudget", "HorizontalPodAutoscaler", "LimitRange", "ResourceQuota",
    "Endpoints", "EndpointSlice", "Lease", "Event", "PodTemplate", "ControllerRevision",
];

/// Whether namespace `ns` holds objects of kinds Kubernetes does not define (which operators
/// may turn into pods the input does not show).
pub(crate) fn has_custom_resources(facts: &Facts, ns: &str) -> bool {
    facts.kinds.get(ns).is_some_and(|kinds| kinds.iter().any(|k| !BUILT_IN.contains(&k.as_str())))
}

declare_rule! {
    /// ## What it does
    /// Flags NetworkPolicies whose `podSelector` matches none of the workloads of their
    /// namespace — judged only for namespaces that have workloads in the input and no custom
    /// resources (operators create pods from those: a Prometheus object becomes a StatefulSet
    /// the input does not show).
    ///
    /// ## Why is this bad?
    /// A policy that selects nothing protects nothing: usually a label typo or a renamed app,
    /// leaving the workload it was written for open while everyone believes it is covered.
    ///
    /// ## Example
    /// ```yaml
    /// spec:
    ///   podSelector:
    ///     matchLabels: {app: databse}
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// spec:
    ///   podSelector:
    ///     matchLabels: {app: database}
    /// ```
    ///
    /// ## Remediation
    /// Fix the selector to match the workload's pod template labels, or delete the policy.
    ///
    /// ## References
    /// - Kubernetes documentation, "Network Policies"
    pub struct PolicySelectsNothing {
        id: "NET004",
        name: "network-policy-selects-nothing",
        severity: Low,
        summary: "NetworkPolicy selects no workload",
        controls: ["nsa:network-separation"],
        pss: None,
    }
}

impl Check for PolicySelectsNothing {
    fn check_facts(&self, _cx: &Context, facts: &Facts, out: &mut Vec<(Arc<Anchor>, Violation)>) {
        let located = network(facts);
        let by_ns = located.workloads_by_namespace();
        for (i, policy) in located.net.policies.iter().enumerate() {
            let Some(pods) = by_ns.get(policy.namespace.as_str()) else { continue };
            if has_custom_resources(facts, &policy.namespace) {
                continue;
            }
            if !pods.iter().any(|&p| policy.pod_selector.matches(&located.net.pods[p].labels)) {
                out.push((
                    located.policies[i].clone(),
                    Violation::new(
                        FieldPath::root().keys(&["spec", "podSelector"]),
                        format!("{policy} selects none of the {} workloads of namespace `{}`", pods.len(), policy.namespace),
                    ),
                ));
            }
        }
    }
}
