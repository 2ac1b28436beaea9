use palisade_core::{Context, FieldPath, Node, Target, Violation};
use crate::check::Check;

declare_rule! {
    /// ## What it does
    /// Flags a node (from `palisade node`) where neither AppArmor is enabled with at least
    /// one profile in enforce mode nor SELinux is enforcing. Nothing is judged when the
    /// audit could not read `/sys` (an image).
    ///
    /// ## Why is this bad?
    /// The container runtime's default AppArmor profile or SELinux labels are what stop a
    /// process that escapes its container's namespaces from writing to the host's
    /// `/proc` and `/sys`; without a mandatory access control system, the pods' AppArmor and
    /// SELinux settings mean nothing.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Host
    /// spec: {lsm: {apparmor: false, selinux_enforcing: null}}
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// kind: Host
    /// spec: {lsm: {apparmor: true, apparmor_enforcing_profiles: 42}}
    /// ```
    ///
    /// ## Remediation
    /// Enable AppArmor (Debian, Ubuntu: `apparmor=1 security=apparmor` on the kernel command
    /// line, the `apparmor` service) or set SELinux to enforcing (`/etc/selinux/config`).
    ///
    /// ## References
    /// - Kubernetes documentation, "Restrict a Container's Access to Resources with AppArmor"
    /// - NSA/CISA Kubernetes Hardening Guide (pod security)
    pub struct NoMandatoryAccessControl {
        id: "HOST002",
        name: "no-mandatory-access-control",
        severity: Medium,
        summary: "Neither AppArmor nor SELinux protects the node",
        controls: ["cncf:8"],
        pss: None,
    }
}

impl Check for NoMandatoryAccessControl {
    fn check(&self, _cx: &Context, t: &Target, out: &mut Vec<Violation>) {
        let Some(lsm) = super::host(t).and_then(|s| s.get("lsm")) else { return };
        let (apparmor, profiles, selinux) = (lsm.get("apparmor").and_then(Node::as_bool), lsm.get("apparmor_enforcing_profiles").and_then(Node::as_i64), lsm.get("selinux_enforcing").and_then(Node::as_bool));
        if apparmor.is_none() && selinux.is_none() {
            return;
        }
        let apparmor_on = apparmor == Some(true) && profiles.is_none_or(|n| n > 0);
        if !apparmor_on && selinux != Some(true) {
            let what = match (apparmor, profiles) {
                (Some(true), Some(0)) => "AppArmor is enabled with no profile in enforce mode",
                (Some(true), _) => "AppArmor is enabled without profiles",
                _ => "AppArmor is not enabled",
            };
            let selinux = if selinux == Some(false) { "SELinux is permissive" } else { "SELinux is not enabled" };
            out.push(Violation::new(FieldPath::root().keys(&["spec", "lsm"]), format!("{}: {what} and {selinux}", t.what())));
        }
    }
}
