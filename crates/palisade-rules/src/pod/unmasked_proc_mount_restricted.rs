use palisade_core::{Context, PssCheck, Target, Violation};
use crate::check::Check;

use super::unmasked_proc_mount::UnmaskedProcMount;
use super::unmasked_proc_mounts;

declare_rule! {
    /// ## What it does
    /// From policy version v1.35: at the restricted level, flags every container whose
    /// `securityContext.procMount` is not `Default`, including in pods with their own user
    /// namespace (`hostUsers: false`), which the baseline level (POD008) exempts from v1.35.
    /// It replaces POD008 at the restricted level; outside a user namespace the finding also
    /// carries the baseline control and severity.
    ///
    /// ## Why is this bad?
    /// Even inside a user namespace an unmasked `/proc` exposes kernel interfaces that the
    /// masked paths exist to hide; the restricted level keeps the masks unconditionally.
    ///
    /// ## Example
    /// ```yaml
    /// spec:
    ///   hostUsers: false
    ///   containers:
    ///     - name: builder
    ///       securityContext:
    ///         procMount: Unmasked
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// spec:
    ///   hostUsers: false
    ///   containers:
    ///     - name: builder
    ///       securityContext:
    ///         procMount: Default
    /// ```
    ///
    /// ## Remediation
    /// Remove `procMount` or set it to `Default`; run workloads that need an unmasked `/proc`
    /// in a namespace that enforces only the baseline level.
    ///
    /// ## References
    /// - Pod Security Standards, Restricted: <https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted>
    /// - KEP-4265 (proc mount type): <https://github.com/kubernetes/enhancements/issues/4265>
    pub struct UnmaskedProcMountRestricted {
        id: "POD019",
        name: "unmasked-proc-mount-restricted",
        severity: Medium,
        summary: "Container unmasks /proc (restricted level, user namespaces included)",
        controls: ["pss-restricted:procMount_restricted", "nsa:pod-security", "cncf:7"],
        pss: PssCheck::restricted("procMount_restricted", 35, &["procMount"]),
    }
}

impl Check for UnmaskedProcMountRestricted {
    fn check(&self, _cx: &Context, t: &Target, out: &mut Vec<Violation>) {
        let Some(pod) = &t.pod else { return };
        let user_namespace = pod.in_user_namespace();
        for (c, value) in unmasked_proc_mounts(pod) {
            let v = Violation::new(
                c.sc_path(&["procMount"]),
                format!("{} of {} sets procMount `{value}`", c.describe(), t.what()),
            );
            out.push(if user_namespace { v } else { v.also(UnmaskedProcMount::META.severity, "pss-baseline:procMount") });
        }
    }
}
