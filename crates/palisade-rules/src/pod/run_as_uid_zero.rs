use palisade_core::{Context, PssCheck, Target, Violation};
use crate::check::Check;

declare_rule! {
    /// ## What it does
    /// From policy version v1.23: flags `securityContext.runAsUser: 0` on the pod or on a
    /// container. Unset is allowed here (POD015 covers it). From v1.35, pods in their own
    /// user namespace (`hostUsers: false`) are exempt.
    ///
    /// ## Why is this bad?
    /// UID 0 is root: every file the image owns is writable, and a container escape lands as
    /// root on the node. Setting it explicitly defeats `runAsNonRoot` on the image.
    ///
    /// ## Example
    /// ```yaml
    /// securityContext:
    ///   runAsUser: 0
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// securityContext:
    ///   runAsUser: 10001
    /// ```
    ///
    /// ## Remediation
    /// Run as a non-zero UID (`runAsUser: 10001`) and make the image work without root.
    ///
    /// ## References
    /// - Pod Security Standards, Restricted, "Running as Non-root user": <https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted>
    /// - CIS Kubernetes Benchmark 1.12, 5.2.7
    pub struct RunAsUidZero {
        id: "POD016",
        name: "run-as-uid-zero",
        severity: Medium,
        summary: "Runs as UID 0",
        controls: ["pss-restricted:runAsUser", "cis-1.12:5.2.7", "nsa:non-root-containers", "cncf:7"],
        pss: PssCheck::restricted("runAsUser", 23, &[]),
    }
}

impl Check for RunAsUidZero {
    fn check(&self, cx: &Context, t: &Target, out: &mut Vec<Violation>) {
        let Some(pod) = &t.pod else { return };
        if cx.version.at_least(35) && pod.in_user_namespace() {
            return;
        }
        if pod.sc_field("runAsUser").and_then(|v| v.as_i64()) == Some(0) {
            out.push(Violation::new(pod.sc_path(&["runAsUser"]), format!("{} sets runAsUser: 0", t.what())));
        }
        for c in pod.containers() {
            if c.sc_field("runAsUser").and_then(|v| v.as_i64()) == Some(0) {
                out.push(Violation::new(
                    c.sc_path(&["runAsUser"]),
                    format!("{} of {} sets runAsUser: 0", c.describe(), t.what()),
                ));
            }
        }
    }
}
