use palisade_core::{Context, PssCheck, Target, Violation};
use crate::check::Check;

declare_rule! {
    /// ## What it does
    /// From policy version v1.34: flags probes (`livenessProbe`, `readinessProbe`,
    /// `startupProbe`) and lifecycle handlers (`postStart`, `preStop`) whose `httpGet.host` or
    /// `tcpSocket.host` is set.
    ///
    /// ## Why is this bad?
    /// The kubelet makes these requests from the node. A `host` field turns it into a proxy
    /// that reaches addresses the pod itself cannot: node-local services, the cloud metadata
    /// endpoint, other tenants' pods.
    ///
    /// ## Example
    /// ```yaml
    /// livenessProbe:
    ///   httpGet:
    ///     host: 169.254.169.254
    ///     path: /latest/meta-data/
    ///     port: 80
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// livenessProbe:
    ///   httpGet:
    ///     path: /healthz
    ///     port: 8080
    /// ```
    ///
    /// ## Remediation
    /// Remove `host` so the probe targets the pod's own IP.
    ///
    /// ## References
    /// - Pod Security Standards, Baseline, "Host Probes / Lifecycle Hooks": <https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline>
    pub struct ProbeOrLifecycleHost {
        id: "POD012",
        name: "probe-or-lifecycle-host",
        severity: Medium,
        summary: "Probe or lifecycle hook targets another host",
        controls: ["pss-baseline:hostProbesAndHostLifecycle", "nsa:pod-security", "cncf:7"],
        pss: PssCheck::baseline("hostProbesAndHostLifecycle", 34),
    }
}

const HANDLERS: &[&[&str]] = &[
    &["livenessProbe"],
    &["readinessProbe"],
    &["startupProbe"],
    &["lifecycle", "postStart"],
    &["lifecycle", "preStop"],
];

impl Check for ProbeOrLifecycleHost {
    fn check(&self, _cx: &Context, t: &Target, out: &mut Vec<Violation>) {
        let Some(pod) = &t.pod else { return };
        for c in pod.containers() {
            for handler_path in HANDLERS {
                let Some(handler) = c.node.get_path(handler_path) else { continue };
                for action in ["httpGet", "tcpSocket"] {
                    let Some(host) = handler.get(action).and_then(|a| a.field("host")) else { continue };
                    let host = host.display_scalar();
                    if !host.is_empty() {
                        out.push(Violation::new(
                            c.path.keys(handler_path).keys(&[action, "host"]),
                            format!("{} of {} has {} {action} to host `{host}`", c.describe(), t.what(), handler_path.join(".")),
                        ));
                    }
                }
            }
        }
    }
}
