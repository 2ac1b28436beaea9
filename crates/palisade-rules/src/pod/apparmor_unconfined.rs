use palisade_core::{Context, Node, PssCheck, Target, Violation};
use crate::check::Check;

use super::profile_type;

declare_rule! {
    /// ## What it does
    /// Flags AppArmor profiles other than the runtime default or a named local profile: an
    /// `appArmorProfile.type` (pod or container) other than `RuntimeDefault` or `Localhost`,
    /// and a legacy `container.apparmor.security.beta.kubernetes.io/<container>` annotation
    /// other than empty, `runtime/default` or `localhost/<profile>`.
    ///
    /// ## Why is this bad?
    /// `Unconfined` switches AppArmor off for the container, removing the mandatory access
    /// control that blocks many container escapes (writing to `/proc/sys`, mounting, ptrace).
    ///
    /// ## Example
    /// ```yaml
    /// metadata:
    ///   annotations:
    ///     container.apparmor.security.beta.kubernetes.io/app: unconfined
    /// spec:
    ///   securityContext:
    ///     appArmorProfile:
    ///       type: Unconfined
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// spec:
    ///   securityContext:
    ///     appArmorProfile:
    ///       type: RuntimeDefault
    /// ```
    ///
    /// ## Remediation
    /// Use `appArmorProfile.type: RuntimeDefault` (or `Localhost` with a reviewed profile), and
    /// drop the deprecated AppArmor annotations.
    ///
    /// ## References
    /// - Pod Security Standards, Baseline, "AppArmor": <https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline>
    /// - <https://kubernetes.io/docs/tutorials/security/apparmor/>
    pub struct ApparmorUnconfined {
        id: "POD006",
        name: "apparmor-unconfined",
        severity: Medium,
        summary: "AppArmor profile overridden or disabled",
        controls: ["pss-baseline:appArmorProfile", "nsa:pod-security", "cncf:7"],
        pss: PssCheck::baseline("appArmorProfile", 0),
    }
}

const ANNOTATION_PREFIX: &str = "container.apparmor.security.beta.kubernetes.io/";

fn allowed_type(profile: &Node) -> bool {
    matches!(profile.get("type").and_then(Node::as_str), Some("RuntimeDefault" | "Localhost"))
}

fn allowed_annotation(value: &str) -> bool {
    value.is_empty() || value == "runtime/default" || value.starts_with("localhost/")
}

impl Check for ApparmorUnconfined {
    fn check(&self, _cx: &Context, t: &Target, out: &mut Vec<Violation>) {
        let Some(pod) = &t.pod else { return };
        if let Some(profile) = pod.sc_field("appArmorProfile") {
            if !allowed_type(profile) {
                out.push(Violation::new(
                    pod.sc_path(&["appArmorProfile", "type"]),
                    format!("{} sets AppArmor profile type `{}`", t.what(), profile_type(profile)),
                ));
            }
        }
        for c in pod.containers() {
            if let Some(profile) = c.sc_field("appArmorProfile") {
                if !allowed_type(profile) {
                    out.push(Violation::new(
                        c.sc_path(&["appArmorProfile", "type"]),
                        format!("{} of {} sets AppArmor profile type `{}`", c.describe(), t.what(), profile_type(profile)),
                    ));
                }
            }
        }
        for (key, value) in pod.annotations() {
            if key.starts_with(ANNOTATION_PREFIX) {
                let value = value.display_scalar();
                if !allowed_annotation(&value) {
                    out.push(Violation::new(
                        pod.annotation_path(key),
                        format!("{} sets AppArmor annotation `{key}` to `{value}`", t.what()),
                    ));
                }
            }
        }
    }
}
