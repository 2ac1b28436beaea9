use palisade_core::{Context, Node, PssCheck, Target, Violation};
use crate::check::Check;

use super::BASELINE_CAPABILITIES;

declare_rule! {
    /// ## What it does
    /// Flags containers that add a Linux capability outside the container runtime's default
    /// set (`AUDIT_WRITE`, `CHOWN`, `DAC_OVERRIDE`, `FOWNER`, `FSETID`, `KILL`, `MKNOD`,
    /// `NET_BIND_SERVICE`, `SETFCAP`, `SETGID`, `SETPCAP`, `SETUID`, `SYS_CHROOT`).
    /// Names are compared exactly, as Kubernetes does: `CAP_CHOWN` is not `CHOWN`.
    ///
    /// ## Why is this bad?
    /// Capabilities such as `SYS_ADMIN`, `NET_ADMIN`, `SYS_PTRACE` or `SYS_MODULE` are most of
    /// the way to root on the node: mounting filesystems, rewriting routes, attaching to other
    /// processes, loading kernel modules.
    ///
    /// ## Example
    /// ```yaml
    /// securityContext:
    ///   capabilities:
    ///     add: ["SYS_ADMIN", "NET_ADMIN"]
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// securityContext:
    ///   capabilities:
    ///     drop: ["ALL"]
    ///     add: ["NET_BIND_SERVICE"]
    /// ```
    ///
    /// ## Remediation
    /// Add only capabilities from the runtime's default set; redesign the workload (or move it
    /// to a dedicated, privileged namespace) if it needs more.
    ///
    /// ## References
    /// - Pod Security Standards, Baseline, "Capabilities": <https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline>
    /// - CIS Kubernetes Benchmark 1.12, 5.2.9
    pub struct CapabilitiesBeyondDefault {
        id: "POD003",
        name: "capabilities-beyond-default",
        severity: High,
        summary: "Container adds capabilities beyond the runtime's default set",
        controls: ["pss-baseline:capabilities_baseline", "cis-1.12:5.2.9", "nsa:pod-security", "cncf:7"],
        pss: PssCheck::baseline("capabilities_baseline", 0),
    }
}

impl Check for CapabilitiesBeyondDefault {
    fn check(&self, _cx: &Context, t: &Target, out: &mut Vec<Violation>) {
        let Some(pod) = &t.pod else { return };
        for c in pod.containers() {
            let added = c.sc_field("capabilities").and_then(|caps| caps.get("add")).map(Node::items).unwrap_or(&[]);
            for (i, cap) in added.iter().enumerate() {
                let name = cap.display_scalar();
                if !BASELINE_CAPABILITIES.contains(&name.as_str()) {
                    out.push(Violation::new(
                        c.sc_path(&["capabilities", "add"]).index(i),
                        format!("{} of {} adds capability `{name}`", c.describe(), t.what()),
                    ));
                }
            }
        }
    }
}
