use palisade_core::{Context, PssCheck, Target, Violation};
use crate::check::Check;

declare_rule! {
    /// ## What it does
    /// From policy version v1.8: flags containers that do not set
    /// `securityContext.allowPrivilegeEscalation: false`. Unset counts as allowed, because
    /// that is the runtime's default. From v1.25, Windows pods (`spec.os.name: windows`) are
    /// exempt.
    ///
    /// ## Why is this bad?
    /// Without `no_new_privs`, a process in the container can gain privileges through setuid
    /// or setgid binaries and file capabilities, turning a foothold into root in the container.
    ///
    /// ## Example
    /// ```yaml
    /// containers:
    ///   - name: app
    ///     image: registry.example.com/app:1.4.2
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// containers:
    ///   - name: app
    ///     image: registry.example.com/app:1.4.2
    ///     securityContext:
    ///       allowPrivilegeEscalation: false
    /// ```
    ///
    /// ## Remediation
    /// Set `securityContext.allowPrivilegeEscalation: false` on every container.
    ///
    /// ## References
    /// - Pod Security Standards, Restricted, "Privilege Escalation": <https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted>
    /// - CIS Kubernetes Benchmark 1.12, 5.2.6
    pub struct PrivilegeEscalationAllowed {
        id: "POD014",
        name: "privilege-escalation-allowed",
        severity: Medium,
        summary: "Container may gain more privileges than its parent process",
        controls: ["pss-restricted:allowPrivilegeEscalation", "cis-1.12:5.2.6", "nsa:pod-security", "cis-1.12:5.6.3", "cncf:7"],
        pss: PssCheck::restricted("allowPrivilegeEscalation", 8, &[]),
    }
}

impl Check for PrivilegeEscalationAllowed {
    fn check(&self, cx: &Context, t: &Target, out: &mut Vec<Violation>) {
        let Some(pod) = &t.pod else { return };
        if cx.version.at_least(25) && pod.is_windows() {
            return;
        }
        for c in pod.containers() {
            let value = c.sc_field("allowPrivilegeEscalation");
            if value.and_then(|v| v.as_bool()) != Some(false) {
                let how = match value {
                    Some(v) => format!("sets allowPrivilegeEscalation: {}", v.display_scalar()),
                    None => "does not set allowPrivilegeEscalation: false".to_string(),
                };
                out.push(Violation::new(
                    c.sc_path(&["allowPrivilegeEscalation"]),
                    format!("{} of {} {how}", c.describe(), t.what()),
                ));
            }
        }
    }
}
