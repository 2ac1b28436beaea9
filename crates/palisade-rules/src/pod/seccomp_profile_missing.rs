use palisade_core::{Context, PssCheck, Target, Violation};
use crate::check::Check;

use super::{confining_seccomp, profile_type};
use super::seccomp_unconfined::SeccompUnconfined;

declare_rule! {
    /// ## What it does
    /// From policy version v1.19: requires a confining seccomp profile. The pod's
    /// `securityContext.seccompProfile.type` must be `RuntimeDefault` or `Localhost`, or every
    /// container must set one; a container-level profile overrides the pod's, so a container
    /// that sets `Unconfined` fails even under a good pod-level profile. At the restricted
    /// level this check replaces POD009; an explicit `Unconfined` found here also carries the
    /// baseline control. From v1.25, Windows pods (`spec.os.name: windows`) are exempt.
    ///
    /// ## Why is this bad?
    /// Without a profile the container runtime may run the container unconfined (the kubelet
    /// default unless `--seccomp-default` is on), exposing every system call of the kernel.
    ///
    /// ## Example
    /// ```yaml
    /// spec:
    ///   containers:
    ///     - name: app
    ///       image: registry.example.com/app:1.4.2
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// spec:
    ///   securityContext:
    ///     seccompProfile:
    ///       type: RuntimeDefault
    ///   containers:
    ///     - name: app
    ///       image: registry.example.com/app:1.4.2
    /// ```
    ///
    /// ## Remediation
    /// Set `securityContext.seccompProfile.type: RuntimeDefault` on the pod.
    ///
    /// ## References
    /// - Pod Security Standards, Restricted, "Seccomp": <https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted>
    /// - CIS Kubernetes Benchmark 1.12, 5.6.2
    pub struct SeccompProfileMissing {
        id: "POD017",
        name: "seccomp-profile-missing",
        severity: Medium,
        summary: "No confining seccomp profile",
        controls: ["pss-restricted:seccompProfile_restricted", "cis-1.12:5.6.2", "nsa:pod-security", "cncf:7"],
        pss: PssCheck::restricted("seccompProfile_restricted", 19, &["seccompProfile_baseline"]),
    }
}

impl Check for SeccompProfileMissing {
    fn check(&self, cx: &Context, t: &Target, out: &mut Vec<Violation>) {
        let Some(pod) = &t.pod else { return };
        if cx.version.at_least(25) && pod.is_windows() {
            return;
        }
        let baseline = |v: Violation| v.also(SeccompUnconfined::META.severity, "pss-baseline:seccompProfile_baseline");
        let pod_profile = pod.sc_field("seccompProfile");
        if let Some(profile) = pod_profile.filter(|p| !confining_seccomp(p)) {
            out.push(baseline(Violation::new(
                pod.sc_path(&["seccompProfile", "type"]),
                format!("{} sets seccomp profile type `{}`", t.what(), profile_type(profile)),
            )));
        }
        let pod_confined = pod_profile.is_some_and(confining_seccomp);
        for c in pod.containers() {
            match c.sc_field("seccompProfile") {
                Some(profile) if !confining_seccomp(profile) => out.push(baseline(Violation::new(
                    c.sc_path(&["seccompProfile", "type"]),
                    format!("{} of {} sets seccomp profile type `{}`", c.describe(), t.what(), profile_type(profile)),
                ))),
                None if !pod_confined => out.push(Violation::new(
                    c.sc_path(&["seccompProfile"]),
                    format!(
                        "{} of {} has no seccomp profile: set seccompProfile.type RuntimeDefault or Localhost on it or on the pod",
                        c.describe(),
                        t.what()
                    ),
                )),
                _ => {}
            }
        }
    }
}
