use palisade_core::{Context, PssCheck, Target, Violation};
use crate::check::Check;

use super::is_true;

declare_rule! {
    /// ## What it does
    /// Flags containers, init containers and ephemeral containers that set
    /// `securityContext.privileged: true`.
    ///
    /// ## Why is this bad?
    /// A privileged container runs with every capability, sees every host device and is not
    /// confined by seccomp, AppArmor or SELinux. Anyone who controls it controls the node:
    /// mounting the host disk or loading a kernel module is one command away.
    ///
    /// ## Example
    /// ```yaml
    /// containers:
    ///   - name: app
    ///     image: registry.example.com/app:1.4.2
    ///     securityContext:
    ///       privileged: true
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// containers:
    ///   - name: app
    ///     image: registry.example.com/app:1.4.2
    ///     securityContext:
    ///       privileged: false
    ///       capabilities:
    ///         add: ["NET_BIND_SERVICE"]
    /// ```
    ///
    /// ## Remediation
    /// Remove `privileged: true`; grant the single capabilities the workload needs instead.
    ///
    /// ## References
    /// - Pod Security Standards, Baseline, "Privileged Containers": <https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline>
    /// - CIS Kubernetes Benchmark 1.12, 5.2.2
    pub struct PrivilegedContainer {
        id: "POD001",
        name: "privileged-container",
        severity: High,
        summary: "Container runs privileged",
        controls: ["pss-baseline:privileged", "cis-1.12:5.2.2", "mitre:T1611", "nsa:pod-security", "cncf:7"],
        pss: PssCheck::baseline("privileged", 0),
    }
}

impl Check for PrivilegedContainer {
    fn check(&self, _cx: &Context, t: &Target, out: &mut Vec<Violation>) {
        let Some(pod) = &t.pod else { return };
        for c in pod.containers() {
            if is_true(c.sc_field("privileged")) {
                out.push(Violation::new(
                    c.sc_path(&["privileged"]),
                    format!("{} of {} runs privileged", c.describe(), t.what()),
                ));
            }
        }
    }
}
