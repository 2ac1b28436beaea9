use palisade_core::{Context, PssCheck, Target, Violation};
use crate::check::Check;

use super::unmasked_proc_mounts;

declare_rule! {
    /// ## What it does
    /// Flags containers whose `securityContext.procMount` is anything but `Default` (that is,
    /// `Unmasked`). From policy version v1.35 the baseline level allows it for pods in their
    /// own user namespace (`hostUsers: false`); the restricted level never does (see POD019).
    ///
    /// ## Why is this bad?
    /// The default `/proc` mount masks and makes read-only the paths that leak host
    /// information or let a process reconfigure the kernel (`/proc/sys`, `/proc/kcore`, …).
    /// `Unmasked` removes those protections.
    ///
    /// ## Example
    /// ```yaml
    /// securityContext:
    ///   procMount: Unmasked
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// securityContext:
    ///   procMount: Default
    /// ```
    ///
    /// ## Remediation
    /// Remove `procMount` or set it to `Default`. Nested container builds that need an
    /// unmasked `/proc` should run with `hostUsers: false`.
    ///
    /// ## References
    /// - Pod Security Standards, Baseline, "/proc Mount Type": <https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline>
    pub struct UnmaskedProcMount {
        id: "POD008",
        name: "unmasked-proc-mount",
        severity: High,
        summary: "Container unmasks /proc",
        controls: ["pss-baseline:procMount", "nsa:pod-security", "cncf:7"],
        pss: PssCheck::baseline("procMount", 0),
    }
}

impl Check for UnmaskedProcMount {
    fn check(&self, cx: &Context, t: &Target, out: &mut Vec<Violation>) {
        let Some(pod) = &t.pod else { return };
        if cx.version.at_least(35) && pod.in_user_namespace() {
            return;
        }
        for (c, value) in unmasked_proc_mounts(pod) {
            out.push(Violation::new(
                c.sc_path(&["procMount"]),
                format!("{} of {} sets procMount `{value}`", c.describe(), t.what()),
            ));
        }
    }
}
