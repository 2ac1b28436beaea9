use palisade_core::{Context, Node, PssCheck, Target, Violation};
use crate::check::Check;

use super::capabilities_beyond_default::CapabilitiesBeyondDefault;
use super::BASELINE_CAPABILITIES;

declare_rule! {
    /// ## What it does
    /// From policy version v1.22: requires every container to drop all capabilities
    /// (`capabilities.drop` contains `ALL`) and to add back at most `NET_BIND_SERVICE`. At the
    /// restricted level this check replaces POD003; an added capability outside the runtime's
    /// default set also carries the baseline control and severity. From v1.25, Windows pods
    /// (`spec.os.name: windows`) are exempt.
    ///
    /// ## Why is this bad?
    /// The runtime's default set still includes `NET_RAW` (packet spoofing on the pod network),
    /// `DAC_OVERRIDE`, `SETUID` and others an application almost never needs. Dropping all of
    /// them removes a whole class of escalation paths.
    ///
    /// ## Example
    /// ```yaml
    /// securityContext:
    ///   capabilities:
    ///     add: ["CHOWN"]
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
    /// Add `capabilities: {drop: ["ALL"]}` to every container's securityContext and add back
    /// only `NET_BIND_SERVICE` if the process binds a port below 1024.
    ///
    /// ## References
    /// - Pod Security Standards, Restricted, "Capabilities": <https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted>
    /// - CIS Kubernetes Benchmark 1.12, 5.2.8, 5.2.9
    pub struct CapabilitiesNotDropped {
        id: "POD018",
        name: "capabilities-not-dropped",
        severity: Medium,
        summary: "Container does not drop ALL capabilities, or adds more than NET_BIND_SERVICE",
        controls: ["pss-restricted:capabilities_restricted", "cis-1.12:5.2.8", "cis-1.12:5.2.9", "nsa:pod-security", "cis-1.12:5.6.3", "cncf:7"],
        pss: PssCheck::restricted("capabilities_restricted", 22, &["capabilities_baseline"]),
    }
}

impl Check for CapabilitiesNotDropped {
    fn check(&self, cx: &Context, t: &Target, out: &mut Vec<Violation>) {
        let Some(pod) = &t.pod else { return };
        if cx.version.at_least(25) && pod.is_windows() {
            return;
        }
        for c in pod.containers() {
            let caps = c.sc_field("capabilities");
            let list = |key| caps.and_then(|caps| caps.get(key)).map(Node::items).unwrap_or(&[]);
            if !list("drop").iter().any(|cap| cap.as_str() == Some("ALL")) {
                out.push(Violation::new(
                    c.sc_path(&["capabilities", "drop"]),
                    format!("{} of {} does not drop ALL capabilities", c.describe(), t.what()),
                ));
            }
            for (i, cap) in list("add").iter().enumerate() {
                let name = cap.display_scalar();
                if name == "NET_BIND_SERVICE" {
                    continue;
                }
                let v = Violation::new(
                    c.sc_path(&["capabilities", "add"]).index(i),
                    format!("{} of {} adds capability `{name}`; only NET_BIND_SERVICE is allowed", c.describe(), t.what()),
                );
                out.push(if BASELINE_CAPABILITIES.contains(&name.as_str()) {
                    v
                } else {
                    v.also(CapabilitiesBeyondDefault::META.severity, "pss-baseline:capabilities_baseline")
                });
            }
        }
    }
}
