use palisade_core::{Context, FieldPath, Target, Violation};
use crate::check::Check;

declare_rule! {
    /// ## What it does
    /// Flags a node (from `palisade node`) whose running programs do not include `auditd`.
    /// Nothing is judged when the audit could not read the processes (an image).
    ///
    /// ## Why is this bad?
    /// Without the kernel audit log there is no record of who ran what on the node — the
    /// evidence an investigation of a container escape or a misused SSH key needs.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Host
    /// spec: {programs: [containerd, kubelet, sshd]}
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// kind: Host
    /// spec: {programs: [auditd, containerd, kubelet]}
    /// ```
    ///
    /// ## Remediation
    /// Install and enable auditd (`apt-get install auditd`, `systemctl enable --now auditd`)
    /// with rules for the Kubernetes and runtime binaries and their files.
    ///
    /// ## References
    /// - NSA/CISA Kubernetes Hardening Guide (audit logging)
    pub struct AuditdNotRunning {
        id: "HOST006",
        name: "auditd-not-running",
        severity: Low,
        summary: "The node does not run auditd",
        controls: ["cncf:8"],
        pss: None,
    }
}

impl Check for AuditdNotRunning {
    fn check(&self, _cx: &Context, t: &Target, out: &mut Vec<Violation>) {
        let Some(spec) = super::host(t) else { return };
        if super::runs(spec, "auditd") == Some(false) {
            out.push(Violation::new(FieldPath::root().keys(&["spec", "programs"]), format!("{} does not run auditd: nothing records who ran what on it", t.what())));
        }
    }
}
