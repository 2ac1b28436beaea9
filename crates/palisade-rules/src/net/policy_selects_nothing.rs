use crate::check::{Check, Scope};
use palisade_analysis::model::Model;
use palisade_core::{Anchor, Context, FieldPath, Violation};
use std::sync::Arc;

use super::judged_workloads;

/// Kinds Kubernetes itself defines, that create no pods behind the input's back.
const BUILT_IN: &[&str] = &[
    "Pod", "Deployment", "ReplicaSet", "StatefulSet", "DaemonSet", "Job", "CronJob", "ReplicationController",
    "Service", "ConfigMap", "Secret", "ServiceAccount", "Role", "RoleBinding", "NetworkPolicy", "Ingress",
    "PersistentVolumeClaim", "PodDisruptionBudget", "HorizontalPodAutoscaler", "LimitRange", "ResourceQuota",
    "Endpoints", "EndpointSlice", "Lease", "Event", "PodTemplate", "ControllerRevision",
];

/// Whether namespace `ns` holds objects of kinds Kubernetes does not define (which operators
/// may turn into pods the input does not show).
pub(crate) fn has_custom_resources(model: &Model, ns: &str) -> bool {
    model.kinds_in(ns).any(|k| !BUILT_IN.contains(&k))
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
    fn check_model(&self, _cx: &Context, model: &Model, scope: Scope, out: &mut Vec<(Arc<Anchor>, Violation)>) {
        let Some(ns) = scope.namespace() else { return };
        let pods = judged_workloads(model, ns).len();
        if pods == 0 || has_custom_resources(model, ns) {
            return;
        }
        for entry in model.net.policies_in(ns) {
            if model.net.selected_pods(entry).next().is_none() {
                out.push((
                    entry.anchor.clone(),
                    Violation::new(
                        FieldPath::root().keys(&["spec", "podSelector"]),
                        format!("{} selects none of the {pods} workloads of namespace `{ns}`", entry.policy),
                    ),
                ));
            }
        }
    }
}
