use palisade_core::{Context, Target, Violation};
use crate::check::Check;

use super::host_paths;

/// Container runtime sockets, and the directories that hold them.
const SOCKETS: &[&str] = &[
    "/var/run/docker.sock",
    "/run/docker.sock",
    "/run/containerd/containerd.sock",
    "/var/run/containerd/containerd.sock",
    "/var/run/crio/crio.sock",
    "/run/crio/crio.sock",
    "/var/run/cri-dockerd.sock",
    "/run/cri-dockerd.sock",
];

/// Whether mounting `path` exposes a runtime socket: the socket itself, a directory on the
/// way to one (`/var/run`, `/run/containerd`), or any `*.sock` of docker, containerd or CRI-O.
pub(crate) fn exposes_socket(path: &str) -> bool {
    let file = path.rsplit('/').next().unwrap_or("");
    SOCKETS.iter().any(|s| *s == path || s.starts_with(&format!("{path}/")) && path != "/")
        || matches!(file, "docker.sock" | "containerd.sock" | "crio.sock" | "cri-dockerd.sock")
}

declare_rule! {
    /// ## What it does
    /// Flags `hostPath` volumes that expose a container runtime socket — `docker.sock`,
    /// `containerd.sock`, `crio.sock`, `cri-dockerd.sock` — or a directory that holds one
    /// (`/var/run`, `/run/containerd`, `/var/run/crio`). Paths are compared after resolving
    /// `.`, `..` and repeated slashes. Mounting the whole host root is reported by POD031.
    ///
    /// ## Why is this bad?
    /// Whoever can talk to the runtime socket can start a privileged container with the host's
    /// filesystem mounted: it is root on the node, whatever the pod's own securityContext says.
    ///
    /// ## Example
    /// ```yaml
    /// volumes:
    ///   - name: docker
    ///     hostPath:
    ///       path: /var/run/docker.sock
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// volumes:
    ///   - name: work
    ///     emptyDir: {}
    /// ```
    ///
    /// ## Remediation
    /// Do not mount runtime sockets. Build images with a daemonless builder (BuildKit rootless,
    /// Kaniko) and read container metadata from the Kubernetes API.
    ///
    /// ## References
    /// - MITRE ATT&CK for containers, T1610 Deploy Container and T1611 Escape to Host
    /// - CIS Kubernetes Benchmark 1.12, 5.2.11
    pub struct RuntimeSocketMounted {
        id: "POD030",
        name: "container-runtime-socket-mounted",
        severity: Critical,
        summary: "Pod mounts a container runtime socket",
        controls: ["cis-1.12:5.2.11", "nsa:pod-security", "mitre:T1610", "mitre:T1611"],
        pss: None,
    }
}

impl Check for RuntimeSocketMounted {
    fn check(&self, _cx: &Context, t: &Target, out: &mut Vec<Violation>) {
        let Some(pod) = &t.pod else { return };
        for (i, name, path) in host_paths(pod) {
            if exposes_socket(&path) {
                out.push(Violation::new(
                    pod.spec_path.key("volumes").index(i).keys(&["hostPath", "path"]),
                    format!("volume `{name}` of {} exposes the container runtime socket (host path `{path}`)", t.what()),
                ));
            }
        }
    }
}
