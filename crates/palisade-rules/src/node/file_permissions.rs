use palisade_core::{Context, Target, Violation};
use crate::check::Check;

declare_rule! {
    /// ## What it does
    /// Flags the files of a node (from `palisade node`) whose permissions are looser than CIS
    /// Kubernetes Benchmark 1.12 §1.1 and §4.1 allow: the static-pod manifests, the etcd data
    /// directory (from etcd's `--data-dir`), the admin, scheduler, controller-manager, kubelet
    /// and proxy kubeconfigs, the PKI certificates (644) and keys (600), the kubelet's unit
    /// file, config and client CA. Each finding carries its own check's control.
    ///
    /// ## Why is this bad?
    /// A kubeconfig or key readable by other users is a credential anyone on the node can
    /// take: `admin.conf` is cluster-admin, `etcd`'s data directory is every Secret; a
    /// writable static-pod manifest lets a local user replace the API server.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Host
    /// spec:
    ///   files: [{path: /etc/kubernetes/admin.conf, mode: "0644", owner: "root:root"}]
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// kind: Host
    /// spec:
    ///   files: [{path: /etc/kubernetes/admin.conf, mode: "0600", owner: "root:root"}]
    /// ```
    ///
    /// ## Remediation
    /// `chmod 600` the file (700 for the etcd data directory, 644 for certificates).
    ///
    /// ## References
    /// - CIS Kubernetes Benchmark 1.12, 1.1.1–1.1.21 and 4.1.1–4.1.10 (permissions)
    pub struct FilePermissions {
        id: "NODE001",
        name: "node-file-permissions",
        severity: Medium,
        summary: "A Kubernetes file on the node is more open than the CIS Benchmark allows",
        controls: ["cis-1.12:1.1.1", "cis-1.12:1.1.3", "cis-1.12:1.1.5", "cis-1.12:1.1.7", "cis-1.12:1.1.11", "cis-1.12:1.1.13", "cis-1.12:1.1.15", "cis-1.12:1.1.17", "cis-1.12:1.1.20", "cis-1.12:1.1.21", "cis-1.12:4.1.1", "cis-1.12:4.1.3", "cis-1.12:4.1.5", "cis-1.12:4.1.7", "cis-1.12:4.1.9"],
        pss: None,
    }
}

impl Check for FilePermissions {
    fn check(&self, _cx: &Context, t: &Target, out: &mut Vec<Violation>) {
        super::judge_files(t, true, out);
    }
}
