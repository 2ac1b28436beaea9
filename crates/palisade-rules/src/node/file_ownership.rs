use palisade_core::{Context, Target, Violation};
use crate::check::Check;

declare_rule! {
    /// ## What it does
    /// Flags the files of a node (from `palisade node`) not owned as CIS Kubernetes Benchmark
    /// 1.12 §1.1 and §4.1 require: `root:root` for the static-pod manifests, kubeconfigs, PKI
    /// and kubelet files, `etcd:etcd` for the etcd data directory. Owners are named from the
    /// host's own passwd and group files. Each finding carries its own check's control.
    ///
    /// ## Why is this bad?
    /// The owner of a file can change its permissions and contents: a kubeconfig or manifest
    /// owned by a service user is one compromise away from cluster-admin.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Host
    /// spec:
    ///   files: [{path: /etc/kubernetes/manifests/kube-apiserver.yaml, mode: "0600", owner: "deploy:deploy"}]
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// kind: Host
    /// spec:
    ///   files: [{path: /etc/kubernetes/manifests/kube-apiserver.yaml, mode: "0600", owner: "root:root"}]
    /// ```
    ///
    /// ## Remediation
    /// `chown root:root` the file (`etcd:etcd` for the etcd data directory).
    ///
    /// ## References
    /// - CIS Kubernetes Benchmark 1.12, 1.1.2–1.1.19 and 4.1.2–4.1.10 (ownership)
    pub struct FileOwnership {
        id: "NODE002",
        name: "node-file-ownership",
        severity: Medium,
        summary: "A Kubernetes file on the node is not owned as the CIS Benchmark requires",
        controls: ["cis-1.12:1.1.2", "cis-1.12:1.1.4", "cis-1.12:1.1.6", "cis-1.12:1.1.8", "cis-1.12:1.1.12", "cis-1.12:1.1.14", "cis-1.12:1.1.16", "cis-1.12:1.1.18", "cis-1.12:1.1.19", "cis-1.12:4.1.2", "cis-1.12:4.1.4", "cis-1.12:4.1.6", "cis-1.12:4.1.8", "cis-1.12:4.1.10"],
        pss: None,
    }
}

impl Check for FileOwnership {
    fn check(&self, _cx: &Context, t: &Target, out: &mut Vec<Violation>) {
        super::judge_files(t, false, out);
    }
}
