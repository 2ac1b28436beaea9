use palisade_core::{Context, Severity, Target, Violation};
use crate::check::Check;

use super::inherited;

declare_rule! {
    /// ## What it does
    /// Flags containers that run as root, in every profile (not only at the restricted Pod
    /// Security level): the effective `runAsUser` is 0 (set on the container, or on the pod and
    /// inherited; high severity), or there is no way to know — no non-zero `runAsUser` — while
    /// neither the container nor the pod sets `runAsNonRoot: true`, so the image's `USER`
    /// decides. With `runAsNonRoot: true` the kubelet refuses to start a root container, so
    /// such containers are not flagged. Pods in their own user namespace (`hostUsers: false`)
    /// and Windows pods are not flagged either.
    ///
    /// When the restricted checks `runAsNonRoot` (POD015) and `runAsUser` (POD016) both run, they
    /// already report every such container, so this rule stays quiet unless selected by ID.
    ///
    /// ## Why is this bad?
    /// Root in a container owns every file of the image, can bind low ports and use every
    /// capability the runtime grants; after a container escape it is root on the node.
    ///
    /// ## Example
    /// ```yaml
    /// spec:
    ///   containers:
    ///     - name: app
    ///       image: registry.example.com/app:1.4.2
    ///       securityContext:
    ///         runAsUser: 0
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// spec:
    ///   securityContext:
    ///     runAsUser: 10001
    ///     runAsNonRoot: true
    ///   containers:
    ///     - name: app
    ///       image: registry.example.com/app:1.4.2
    /// ```
    ///
    /// ## Remediation
    /// Set a non-zero `runAsUser` and `runAsNonRoot: true` on the pod (containers inherit them)
    /// and build the image with a non-root `USER`.
    ///
    /// ## References
    /// - CIS Kubernetes Benchmark 1.12, 5.2.7
    /// - NSA/CISA Kubernetes Hardening Guide, "Use containers built to run applications as non-root users"
    pub struct RunsAsRoot {
        id: "POD020",
        name: "container-runs-as-root",
        severity: Medium,
        summary: "Container runs as root, or nothing stops it from doing so",
        controls: ["cis-1.12:5.2.7", "nsa:non-root-containers", "cncf:7"],
        pss: None,
        redundant_with: ["POD015", "POD016"],
    }
}

impl Check for RunsAsRoot {
    fn check(&self, _cx: &Context, t: &Target, out: &mut Vec<Violation>) {
        let Some(pod) = &t.pod else { return };
        if pod.in_user_namespace() || pod.is_windows() {
            return;
        }
        for c in pod.containers() {
            // With runAsNonRoot: true the kubelet refuses to start a container as UID 0.
            if inherited(pod, c, "runAsNonRoot").and_then(|(n, _)| n.as_bool()) == Some(true) {
                continue;
            }
            match inherited(pod, c, "runAsUser").map(|(n, path)| (n.as_i64(), path)) {
                Some((Some(0), path)) => {
                    let mut v = Violation::new(path, format!("{} of {} runs as UID 0 (root)", c.describe(), t.what()));
                    v.severity = Some(Severity::High);
                    out.push(v);
                }
                Some((Some(_), _)) => {}
                _ => out.push(Violation::new(
                    c.sc_path(&["runAsNonRoot"]),
                    format!(
                        "{} of {} may run as root: no non-zero runAsUser and no runAsNonRoot: true, so the image decides",
                        c.describe(),
                        t.what()
                    ),
                )),
            }
        }
    }
}
