use crate::check::{Check, Scope};
use palisade_analysis::model::network::METADATA;
use palisade_analysis::model::Model;
use palisade_core::{Anchor, Context, FieldPath, Violation};
use std::sync::Arc;

use super::{judged_workloads, namespace_anchor, some_of};


declare_rule! {
    /// ## What it does
    /// Flags each namespace of the input with workloads whose egress allows connections to the
    /// cloud metadata endpoint `169.254.169.254` on any port — because nothing isolates their
    /// egress, or because a policy allows it (an `ipBlock` of `0.0.0.0/0` without an
    /// `except` for it, or a rule without peers). Namespaces are judged when the input
    /// declares them or holds one of their NetworkPolicies.
    ///
    /// ## Why is this bad?
    /// The metadata endpoint hands out the node's cloud credentials to anyone who asks from
    /// the node's network: a compromised pod becomes the node's cloud identity.
    ///
    /// ## Example
    /// ```yaml
    /// egress:
    ///   - to: [{ipBlock: {cidr: 0.0.0.0/0}}]
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// egress:
    ///   - to: [{ipBlock: {cidr: 0.0.0.0/0, except: [169.254.169.254/32]}}]
    /// ```
    ///
    /// ## Remediation
    /// Isolate egress and except `169.254.169.254/32` from every ipBlock that covers it; on
    /// the cloud side, require IMDSv2 or workload identity.
    ///
    /// ## References
    /// - CNCF, "9 Kubernetes security best practices": secure cloud metadata access
    /// - MITRE ATT&CK for containers, T1552.005 Cloud Instance Metadata API
    pub struct MetadataEndpointReachable {
        id: "NET003",
        name: "metadata-endpoint-reachable",
        severity: Medium,
        summary: "Workloads can reach the cloud metadata endpoint",
        controls: ["cncf:5", "nsa:network-separation", "mitre:T1552"],
        pss: None,
    }
}

impl Check for MetadataEndpointReachable {
    fn check_model(&self, _cx: &Context, model: &Model, scope: Scope, out: &mut Vec<(Arc<Anchor>, Violation)>) {
        let Some(ns) = scope.namespace() else { return };
        let pods = judged_workloads(model, ns);
        let open: Vec<&str> = pods
            .iter()
            .filter(|p| p.egress.is_empty() || p.egress.iter().any(|&id| model.net.policy(id).egress_to_metadata))
            .map(|p| p.pod.workload.as_str())
            .collect();
        let Some(anchor) = namespace_anchor(model, ns).filter(|_| !open.is_empty()) else { return };
        out.push((
            anchor,
            Violation::new(
                FieldPath::root().keys(&["metadata", "name"]),
                format!("in namespace `{ns}`, {} of {} workloads can reach {METADATA} ({})", open.len(), pods.len(), some_of(&open)),
            ),
        ));
    }
}
