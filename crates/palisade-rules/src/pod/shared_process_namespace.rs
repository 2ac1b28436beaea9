use palisade_core::{Context, Target, Violation};
use crate::check::Check;

use super::is_true;

declare_rule! {
    /// ## What it does
    /// Flags pod specs with `shareProcessNamespace: true`.
    ///
    /// ## Why is this bad?
    /// With a shared process namespace every container sees the others' processes, can signal
    /// them, and can read their environment and filesystem through `/proc/<pid>/root` —
    /// secrets of a sidecar become readable by the application and the other way round.
    ///
    /// ## Example
    /// ```yaml
    /// spec:
    ///   shareProcessNamespace: true
    ///   containers:
    ///     - {name: app, image: registry.example.com/app:1.4.2}
    ///     - {name: proxy, image: registry.example.com/proxy:0.9.0}
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// spec:
    ///   containers:
    ///     - {name: app, image: registry.example.com/app:1.4.2}
    ///     - {name: proxy, image: registry.example.com/proxy:0.9.0}
    /// ```
    ///
    /// ## Remediation
    /// Remove `shareProcessNamespace: true`; debug with an ephemeral container instead.
    ///
    /// ## References
    /// - Kubernetes documentation, "Share Process Namespace between Containers in a Pod"
    pub struct SharedProcessNamespace {
        id: "POD027",
        name: "shared-process-namespace",
        severity: Medium,
        summary: "Pod's containers share one process namespace",
        controls: ["nsa:pod-security"],
        pss: None,
    }
}

impl Check for SharedProcessNamespace {
    fn check(&self, _cx: &Context, t: &Target, out: &mut Vec<Violation>) {
        let Some(pod) = &t.pod else { return };
        if is_true(pod.spec.get("shareProcessNamespace")) {
            out.push(Violation::new(
                pod.spec_path.key("shareProcessNamespace"),
                format!("{} shares one process namespace between its containers", t.what()),
            ));
        }
    }
}
