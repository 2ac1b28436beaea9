use palisade_core::{Context, PssCheck, Target, Violation};
use crate::check::Check;

use super::{confining_seccomp, profile_type};

declare_rule! {
    /// ## What it does
    /// Flags seccomp profiles that switch seccomp off. From policy version v1.19: a
    /// `seccompProfile.type` (pod or container) other than `RuntimeDefault` or `Localhost`.
    /// Before v1.19: the `seccomp.security.alpha.kubernetes.io/pod` and
    /// `container.seccomp.security.alpha.kubernetes.io/<container>` annotations with a value
    /// other than `runtime/default`, `docker/default` or `localhost/<profile>`.
    ///
    /// ## Why is this bad?
    /// Seccomp filters the system calls a container may make; `Unconfined` exposes the whole
    /// kernel syscall surface, which is where most container escapes start.
    ///
    /// ## Example
    /// ```yaml
    /// securityContext:
    ///   seccompProfile:
    ///     type: Unconfined
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// securityContext:
    ///   seccompProfile:
    ///     type: RuntimeDefault
    /// ```
    ///
    /// ## Remediation
    /// Set `seccompProfile.type: RuntimeDefault` (or `Localhost` with a reviewed profile).
    ///
    /// ## References
    /// - Pod Security Standards, Baseline, "Seccomp": <https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline>
    /// - CIS Kubernetes Benchmark 1.12, 5.6.2
    pub struct SeccompUnconfined {
        id: "POD009",
        name: "seccomp-unconfined",
        severity: Medium,
        summary: "Seccomp disabled",
        controls: ["pss-baseline:seccompProfile_baseline", "cis-1.12:5.6.2", "nsa:pod-security", "cncf:7"],
        pss: PssCheck::baseline("seccompProfile_baseline", 0),
    }
}

const POD_ANNOTATION: &str = "seccomp.security.alpha.kubernetes.io/pod";
const CONTAINER_ANNOTATION_PREFIX: &str = "container.seccomp.security.alpha.kubernetes.io/";

fn allowed_annotation(value: &str) -> bool {
    value == "runtime/default" || value == "docker/default" || value.starts_with("localhost/")
}

impl Check for SeccompUnconfined {
    fn check(&self, cx: &Context, t: &Target, out: &mut Vec<Violation>) {
        let Some(pod) = &t.pod else { return };
        if !cx.version.at_least(19) {
            let annotation = |key: &str| pod.annotations().find(|(k, _)| *k == key).map(|(_, v)| v.display_scalar());
            if let Some(value) = annotation(POD_ANNOTATION).filter(|v| !allowed_annotation(v)) {
                out.push(Violation::new(
                    pod.annotation_path(POD_ANNOTATION),
                    format!("{} sets seccomp annotation `{POD_ANNOTATION}` to `{value}`", t.what()),
                ));
            }
            for c in pod.containers() {
                let key = format!("{CONTAINER_ANNOTATION_PREFIX}{}", c.name);
                if let Some(value) = annotation(&key).filter(|v| !allowed_annotation(v)) {
                    out.push(Violation::new(
                        pod.annotation_path(&key),
                        format!("{} of {} has seccomp annotation `{value}`", c.describe(), t.what()),
                    ));
                }
            }
            return;
        }
        if let Some(profile) = pod.sc_field("seccompProfile").filter(|p| !confining_seccomp(p)) {
            out.push(Violation::new(
                pod.sc_path(&["seccompProfile", "type"]),
                format!("{} sets seccomp profile type `{}`", t.what(), profile_type(profile)),
            ));
        }
        for c in pod.containers() {
            if let Some(profile) = c.sc_field("seccompProfile").filter(|p| !confining_seccomp(p)) {
                out.push(Violation::new(
                    c.sc_path(&["seccompProfile", "type"]),
                    format!("{} of {} sets seccomp profile type `{}`", c.describe(), t.what(), profile_type(profile)),
                ));
            }
        }
    }
}
