use palisade_core::{Context, Node, PssCheck, Target, Violation};
use crate::check::Check;

declare_rule! {
    /// ## What it does
    /// Flags pods with `hostPath` volumes.
    ///
    /// ## Why is this bad?
    /// A hostPath volume exposes the node's filesystem to the container. Mounting `/`,
    /// `/etc`, `/var/lib/kubelet` or a container-runtime socket hands over the node; even a
    /// read-only mount leaks credentials of other pods and of the kubelet.
    ///
    /// ## Example
    /// ```yaml
    /// volumes:
    ///   - name: host
    ///     hostPath:
    ///       path: /var/run/docker.sock
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// volumes:
    ///   - name: scratch
    ///     emptyDir: {}
    /// ```
    ///
    /// ## Remediation
    /// Replace the hostPath volume with an `emptyDir`, a ConfigMap/Secret, or a
    /// PersistentVolumeClaim; node agents that truly need host files belong in a separate,
    /// privileged namespace.
    ///
    /// ## References
    /// - Pod Security Standards, Baseline, "HostPath Volumes": <https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline>
    /// - CIS Kubernetes Benchmark 1.12, 5.2.11
    pub struct HostPathVolume {
        id: "POD004",
        name: "host-path-volume",
        severity: High,
        summary: "Pod mounts a hostPath volume",
        controls: ["pss-baseline:hostPathVolumes", "cis-1.12:5.2.11", "mitre:T1611", "nsa:pod-security", "cncf:7"],
        pss: PssCheck::baseline("hostPathVolumes", 0),
    }
}

impl Check for HostPathVolume {
    fn check(&self, _cx: &Context, t: &Target, out: &mut Vec<Violation>) {
        let Some(pod) = &t.pod else { return };
        let volumes = pod.spec.get("volumes").map(Node::items).unwrap_or(&[]);
        for (i, volume) in volumes.iter().enumerate() {
            if let Some(host_path) = volume.field("hostPath") {
                let name = volume.get("name").map(Node::display_scalar).unwrap_or_default();
                let path = host_path.get("path").map(Node::display_scalar).unwrap_or_default();
                out.push(Violation::new(
                    pod.spec_path.key("volumes").index(i).key("hostPath"),
                    format!("volume `{name}` of {} mounts host path `{path}`", t.what()),
                ));
            }
        }
    }
}
