use palisade_core::{Context, Target, Violation};
use crate::check::Check;

use super::host_paths;

/// Host directories that must not be mounted whole, nor anything beneath them.
const TREES: &[&str] = &["/proc", "/root", "/var/lib/kubelet", "/etc/kubernetes", "/var/lib/etcd", "/boot", "/dev"];
/// Host directories that must not be mounted whole (files beneath them, such as
/// `/etc/ssl/certs` or `/etc/localtime`, are common and harmless).
const WHOLE: &[&str] = &["/", "/etc", "/var", "/var/lib", "/home", "/usr", "/sys"];

/// The sensitive directory `path` falls under, if any.
pub(crate) fn sensitive(path: &str) -> Option<&'static str> {
    WHOLE.iter().find(|w| **w == path).copied().or_else(|| {
        TREES.iter().find(|t| path == **t || path.starts_with(&format!("{t}/"))).copied()
    })
}

declare_rule! {
    /// ## What it does
    /// Flags `hostPath` volumes that mount a sensitive part of the node: the root `/`, `/etc`,
    /// `/var`, `/sys`, `/usr` or `/home` as a whole, or anything under `/proc`, `/root`,
    /// `/var/lib/kubelet`, `/etc/kubernetes`, `/var/lib/etcd`, `/boot` or `/dev`. Paths are
    /// compared after resolving `.`, `..` and repeated slashes. Single files under `/etc`
    /// (`/etc/localtime`, `/etc/ssl/certs`) are not flagged.
    ///
    /// ## Why is this bad?
    /// These paths hold the node's credentials (kubelet and control-plane certificates,
    /// root's SSH keys), its configuration and its kernel interfaces. Read access leaks the
    /// keys to the cluster; write access is root on the node.
    ///
    /// ## Example
    /// ```yaml
    /// volumes:
    ///   - name: kubelet
    ///     hostPath:
    ///       path: /var/lib/kubelet
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// volumes:
    ///   - name: tz
    ///     hostPath:
    ///       path: /etc/localtime
    ///       type: File
    /// ```
    ///
    /// ## Remediation
    /// Mount only the files the workload needs, read-only, or get the data through the
    /// Kubernetes API or a CSI driver instead of the node's filesystem.
    ///
    /// ## References
    /// - CIS Kubernetes Benchmark 1.12, 5.2.11
    /// - MITRE ATT&CK for containers, T1611 Escape to Host
    pub struct SensitiveHostPath {
        id: "POD031",
        name: "sensitive-host-path-mounted",
        severity: High,
        summary: "Pod mounts a sensitive host directory",
        controls: ["cis-1.12:5.2.11", "nsa:pod-security", "mitre:T1611"],
        pss: None,
    }
}

impl Check for SensitiveHostPath {
    fn check(&self, _cx: &Context, t: &Target, out: &mut Vec<Violation>) {
        let Some(pod) = &t.pod else { return };
        for (i, name, path) in host_paths(pod) {
            if let Some(dir) = sensitive(&path) {
                let what = if dir == path { format!("`{path}`") } else { format!("`{path}` (under `{dir}`)") };
                out.push(Violation::new(
                    pod.spec_path.key("volumes").index(i).keys(&["hostPath", "path"]),
                    format!("volume `{name}` of {} mounts the host's {what}", t.what()),
                ));
            }
        }
    }
}
