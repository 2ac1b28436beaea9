use palisade_core::{Context, PssCheck, Target, Violation};
use crate::check::Check;

use super::is_true;

declare_rule! {
    /// ## What it does
    /// Flags pods that share the host's network, PID or IPC namespace (`hostNetwork`,
    /// `hostPID`, `hostIPC` set to `true`).
    ///
    /// ## Why is this bad?
    /// With `hostPID` a container sees and can signal every process on the node; with
    /// `hostIPC` it reads other processes' shared memory; with `hostNetwork` it binds node
    /// ports, sniffs node traffic and reaches services that listen only on localhost (the
    /// kubelet, etcd on control-plane nodes).
    ///
    /// ## Example
    /// ```yaml
    /// spec:
    ///   hostNetwork: true
    ///   hostPID: true
    ///   containers:
    ///     - name: agent
    ///       image: registry.example.com/agent:2.0.0
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// spec:
    ///   containers:
    ///     - name: agent
    ///       image: registry.example.com/agent:2.0.0
    /// ```
    ///
    /// ## Remediation
    /// Remove `hostNetwork`, `hostPID` and `hostIPC` (or set them to `false`); expose ports
    /// through a Service instead of the host network.
    ///
    /// ## References
    /// - Pod Security Standards, Baseline, "Host Namespaces": <https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline>
    /// - CIS Kubernetes Benchmark 1.12, 5.2.3, 5.2.4, 5.2.5
    pub struct HostNamespaces {
        id: "POD002",
        name: "host-namespaces",
        severity: High,
        summary: "Pod shares the host's network, PID or IPC namespace",
        controls: ["pss-baseline:hostNamespaces", "cis-1.12:5.2.3", "cis-1.12:5.2.4", "cis-1.12:5.2.5", "mitre:T1611", "nsa:pod-security", "cncf:7"],
        pss: PssCheck::baseline("hostNamespaces", 0),
    }
}

impl Check for HostNamespaces {
    fn check(&self, _cx: &Context, t: &Target, out: &mut Vec<Violation>) {
        let Some(pod) = &t.pod else { return };
        for (field, what) in [("hostNetwork", "network"), ("hostPID", "process (PID)"), ("hostIPC", "IPC")] {
            if is_true(pod.spec.get(field)) {
                out.push(Violation::new(
                    pod.spec_path.key(field),
                    format!("{} shares the host's {what} namespace (`{field}: true`)", t.what()),
                ));
            }
        }
    }
}
