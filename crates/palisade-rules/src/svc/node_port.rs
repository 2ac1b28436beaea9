use palisade_core::{Context, FieldPath, Target, Violation};
use crate::check::Check;

use super::service_type;

declare_rule! {
    /// ## What it does
    /// Flags Services of type `NodePort`.
    ///
    /// ## Why is this bad?
    /// A NodePort opens the same port on every node of the cluster, on every node address,
    /// bypassing the load balancer and whatever firewalling it does; node firewalls are rarely
    /// written with a 30000–32767 range in mind.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Service
    /// spec:
    ///   type: NodePort
    ///   ports: [{port: 80, nodePort: 30080}]
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// kind: Service
    /// spec:
    ///   type: ClusterIP
    ///   ports: [{port: 80}]
    /// ```
    ///
    /// ## Remediation
    /// Use a ClusterIP Service behind an Ingress or Gateway, or a LoadBalancer restricted with
    /// `loadBalancerSourceRanges`.
    ///
    /// ## References
    /// - NSA/CISA Kubernetes Hardening Guide, "Network separation and hardening"
    /// - Kubernetes documentation, "Service: type NodePort"
    pub struct NodePort {
        id: "SVC001",
        name: "node-port-service",
        severity: Medium,
        summary: "Service of type NodePort opens a port on every node",
        controls: ["nsa:network-separation", "mitre:T1133"],
        pss: None,
    }
}

impl Check for NodePort {
    fn check(&self, _cx: &Context, t: &Target, out: &mut Vec<Violation>) {
        if service_type(t) == Some("NodePort") {
            out.push(Violation::new(
                FieldPath::root().keys(&["spec", "type"]),
                format!("{} opens a port on every node (type NodePort)", t.what()),
            ));
        }
    }
}
