use palisade_core::{Context, Target, Violation};
use crate::check::Check;

use super::is_true;

declare_rule! {
    /// ## What it does
    /// Flags containers and init containers that do not set
    /// `securityContext.readOnlyRootFilesystem: true`. Windows pods are not flagged (the field
    /// does not apply to them); ephemeral debugging containers are not flagged.
    ///
    /// ## Why is this bad?
    /// A writable root filesystem lets an intruder drop tools, alter binaries and persist
    /// inside the container. Applications that need scratch space can mount an `emptyDir`.
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
    ///       readOnlyRootFilesystem: true
    ///     volumeMounts:
    ///       - {name: tmp, mountPath: /tmp}
    /// ```
    ///
    /// ## Remediation
    /// Set `readOnlyRootFilesystem: true` and mount an `emptyDir` where the application writes.
    ///
    /// ## References
    /// - NSA/CISA Kubernetes Hardening Guide, "Use immutable container file systems"
    pub struct WritableRootFilesystem {
        id: "POD021",
        name: "writable-root-filesystem",
        severity: Low,
        summary: "Container's root filesystem is writable",
        controls: ["nsa:immutable-filesystem", "mitre:T1525", "cis-1.12:5.6.3"],
        pss: None,
    }
}

impl Check for WritableRootFilesystem {
    fn check(&self, _cx: &Context, t: &Target, out: &mut Vec<Violation>) {
        let Some(pod) = &t.pod else { return };
        if pod.is_windows() {
            return;
        }
        for c in pod.containers().filter(|c| c.kind != palisade_core::ContainerKind::Ephemeral) {
            if !is_true(c.sc_field("readOnlyRootFilesystem")) {
                out.push(Violation::new(
                    c.sc_path(&["readOnlyRootFilesystem"]),
                    format!("{} of {} has a writable root filesystem", c.describe(), t.what()),
                ));
            }
        }
    }
}
