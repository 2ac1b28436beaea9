use palisade_core::{Context, Node, PssCheck, Target, Violation};
use crate::check::Check;

declare_rule! {
    /// ## What it does
    /// Flags container ports that set a non-zero `hostPort`.
    ///
    /// ## Why is this bad?
    /// A host port binds the container directly on the node's address, bypassing Services and
    /// most NetworkPolicy implementations, and exposes it on every interface of the node.
    ///
    /// ## Example
    /// ```yaml
    /// ports:
    ///   - containerPort: 8080
    ///     hostPort: 80
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// ports:
    ///   - containerPort: 8080
    /// ```
    ///
    /// ## Remediation
    /// Remove `hostPort` and publish the port through a Service (ClusterIP, or a
    /// LoadBalancer/Ingress when it must be reachable from outside).
    ///
    /// ## References
    /// - Pod Security Standards, Baseline, "Host Ports": <https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline>
    /// - CIS Kubernetes Benchmark 1.12, 5.2.12
    pub struct HostPort {
        id: "POD005",
        name: "host-port",
        severity: Medium,
        summary: "Container binds a port on the host",
        controls: ["pss-baseline:hostPorts", "cis-1.12:5.2.12", "nsa:pod-security", "cncf:7"],
        pss: PssCheck::baseline("hostPorts", 0),
    }
}

impl Check for HostPort {
    fn check(&self, _cx: &Context, t: &Target, out: &mut Vec<Violation>) {
        let Some(pod) = &t.pod else { return };
        for c in pod.containers() {
            let ports = c.node.get("ports").map(Node::items).unwrap_or(&[]);
            for (i, port) in ports.iter().enumerate() {
                let Some(host_port) = port.field("hostPort") else { continue };
                if host_port.as_i64() != Some(0) {
                    out.push(Violation::new(
                        c.path.key("ports").index(i).key("hostPort"),
                        format!("{} of {} binds host port {}", c.describe(), t.what(), host_port.display_scalar()),
                    ));
                }
            }
        }
    }
}
