use palisade_core::{Context, Target, Violation};
use crate::check::Check;

use super::{capabilities, capability};

declare_rule! {
    /// ## What it does
    /// Flags containers whose `securityContext.capabilities.add` names `SYS_ADMIN` (or
    /// `CAP_SYS_ADMIN`, or `ALL`, which includes it).
    ///
    /// ## Why is this bad?
    /// `SYS_ADMIN` is "the new root": it allows mounting filesystems, changing namespaces and a
    /// long list of administrative operations, and most published container escapes need
    /// nothing more.
    ///
    /// ## Example
    /// ```yaml
    /// securityContext:
    ///   capabilities:
    ///     add: ["SYS_ADMIN"]
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
    /// Remove `SYS_ADMIN`; if the workload mounts filesystems or uses FUSE, move that work to a
    /// CSI driver or a dedicated, isolated node pool.
    ///
    /// ## References
    /// - CIS Kubernetes Benchmark 1.12, 5.2.9
    /// - MITRE ATT&CK for containers, T1611 Escape to Host
    pub struct SysAdminCapability {
        id: "POD029",
        name: "sys-admin-capability",
        severity: High,
        summary: "Container adds the SYS_ADMIN capability",
        controls: ["cis-1.12:5.2.9", "nsa:pod-security", "mitre:T1611"],
        pss: None,
    }
}

impl Check for SysAdminCapability {
    fn check(&self, _cx: &Context, t: &Target, out: &mut Vec<Violation>) {
        let Some(pod) = &t.pod else { return };
        for c in pod.containers() {
            for (i, cap) in capabilities(c, "add").iter().enumerate() {
                let name = capability(cap);
                if name == "SYS_ADMIN" || name == "ALL" {
                    out.push(Violation::new(
                        c.sc_path(&["capabilities", "add"]).index(i),
                        format!("{} of {} adds {name}, which grants SYS_ADMIN", c.describe(), t.what()),
                    ));
                }
            }
        }
    }
}
