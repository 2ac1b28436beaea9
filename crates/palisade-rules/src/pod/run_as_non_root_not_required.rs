use palisade_core::{Context, PssCheck, Target, Violation};
use crate::check::Check;

declare_rule! {
    /// ## What it does
    /// Flags pods whose containers are not required to run as a non-root user: the pod sets
    /// `securityContext.runAsNonRoot: false`, a container sets it to `false`, or a container
    /// does not set it while the pod does not set it to `true`. A container inherits the
    /// pod-level value, so `runAsNonRoot: true` on the pod covers every container that does not
    /// override it. From policy version v1.35, pods in their own user namespace
    /// (`hostUsers: false`) are exempt.
    ///
    /// ## Why is this bad?
    /// A process running as UID 0 in the container is root on the node once it escapes, and
    /// can already write everything the image owns. `runAsNonRoot: true` makes the kubelet
    /// refuse to start a container whose user is root.
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
    ///     runAsNonRoot: true
    ///     runAsUser: 10001
    ///   containers:
    ///     - name: app
    ///       image: registry.example.com/app:1.4.2
    /// ```
    ///
    /// ## Remediation
    /// Set `securityContext.runAsNonRoot: true` on the pod (or on every container) and build
    /// the image with a non-root `USER`.
    ///
    /// ## References
    /// - Pod Security Standards, Restricted, "Running as Non-root": <https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted>
    /// - CIS Kubernetes Benchmark 1.12, 5.2.7
    pub struct RunAsNonRootNotRequired {
        id: "POD015",
        name: "run-as-non-root-not-required",
        severity: Medium,
        summary: "Containers are not required to run as non-root",
        controls: ["pss-restricted:runAsNonRoot", "cis-1.12:5.2.7", "nsa:non-root-containers", "cncf:7"],
        pss: PssCheck::restricted("runAsNonRoot", 0, &[]),
    }
}

impl Check for RunAsNonRootNotRequired {
    fn check(&self, cx: &Context, t: &Target, out: &mut Vec<Violation>) {
        let Some(pod) = &t.pod else { return };
        if cx.version.at_least(35) && pod.in_user_namespace() {
            return;
        }
        let pod_value = pod.sc_field("runAsNonRoot").map(|v| v.as_bool());
        if let Some(v) = pod_value.filter(|v| *v != Some(true)) {
            let shown = v.map(|b| b.to_string()).unwrap_or_else(|| "a non-boolean".into());
            out.push(Violation::new(
                pod.sc_path(&["runAsNonRoot"]),
                format!("{} sets runAsNonRoot: {shown}", t.what()),
            ));
        }
        let pod_requires = pod_value == Some(Some(true));
        for c in pod.containers() {
            match c.sc_field("runAsNonRoot").map(|v| v.as_bool()) {
                Some(Some(true)) => {}
                Some(_) => out.push(Violation::new(
                    c.sc_path(&["runAsNonRoot"]),
                    format!("{} of {} sets runAsNonRoot to something other than true", c.describe(), t.what()),
                )),
                None if !pod_requires => out.push(Violation::new(
                    c.sc_path(&["runAsNonRoot"]),
                    format!("{} of {} may run as root: neither it nor the pod sets runAsNonRoot: true", c.describe(), t.what()),
                )),
                None => {}
            }
        }
    }
}
