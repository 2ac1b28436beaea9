use palisade_core::{Context, PssCheck, Target, Violation};
use crate::check::Check;

use super::is_true;

declare_rule! {
    /// ## What it does
    /// Flags Windows HostProcess pods and containers:
    /// `securityContext.windowsOptions.hostProcess: true` at pod or container level.
    ///
    /// ## Why is this bad?
    /// A HostProcess container runs directly on the Windows node, outside any container
    /// isolation, with the node's network and filesystem: it is the Windows equivalent of a
    /// privileged container.
    ///
    /// ## Example
    /// ```yaml
    /// securityContext:
    ///   windowsOptions:
    ///     hostProcess: true
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// securityContext:
    ///   windowsOptions:
    ///     runAsUserName: "ContainerUser"
    /// ```
    ///
    /// ## Remediation
    /// Remove `hostProcess: true`; run node-management agents in a dedicated privileged
    /// namespace.
    ///
    /// ## References
    /// - Pod Security Standards, Baseline, "HostProcess": <https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline>
    /// - CIS Kubernetes Benchmark 1.12, 5.2.10
    pub struct WindowsHostProcess {
        id: "POD011",
        name: "windows-host-process",
        severity: High,
        summary: "Windows HostProcess container",
        controls: ["pss-baseline:windowsHostProcess", "cis-1.12:5.2.10", "nsa:pod-security", "cncf:7"],
        pss: PssCheck::baseline("windowsHostProcess", 0),
    }
}

impl Check for WindowsHostProcess {
    fn check(&self, _cx: &Context, t: &Target, out: &mut Vec<Violation>) {
        let Some(pod) = &t.pod else { return };
        let host_process = |sc: Option<&palisade_core::Node>| is_true(sc.and_then(|o| o.get("hostProcess")));
        if host_process(pod.sc_field("windowsOptions")) {
            out.push(Violation::new(
                pod.sc_path(&["windowsOptions", "hostProcess"]),
                format!("{} runs as a Windows HostProcess pod", t.what()),
            ));
        }
        for c in pod.containers() {
            if host_process(c.sc_field("windowsOptions")) {
                out.push(Violation::new(
                    c.sc_path(&["windowsOptions", "hostProcess"]),
                    format!("{} of {} runs as a Windows HostProcess container", c.describe(), t.what()),
                ));
            }
        }
    }
}
