use palisade_analysis::controlplane::Component;
use palisade_core::{Context, Target, Violation};
use crate::check::Check;

declare_rule! {
    /// ## What it does
    /// Judges the flags of kube-apiserver — in its static pod manifest or the live Pod of
    /// `kube-system` — against CIS Kubernetes Benchmark 1.12 §1.2 and §3.2.1: anonymous
    /// auth, token files, authorization modes, admission plugins (with the defaults that
    /// apply when `--enable-admission-plugins` does not name them), profiling, the audit log
    /// (path, age, backups, size, policy), kubelet and etcd client certificates, TLS files and
    /// strong cipher suites, the service-account key and lookup, encryption at rest and token
    /// expiration. Unset flags are judged by their real defaults: no `--authorization-mode`
    /// means AlwaysAllow, no `--profiling=false` means profiling is on. Each failed check is
    /// one finding, with its control (`cis-1.12:1.2.6`) and severity.
    ///
    /// ## Why is this bad?
    /// The API server is the cluster's front door: anonymous requests, AlwaysAllow
    /// authorization or a missing NodeRestriction let anyone — or any compromised node — act
    /// as an administrator; no audit log means nobody can tell afterwards.
    ///
    /// ## Example
    /// ```yaml
    /// command: [kube-apiserver, --authorization-mode=AlwaysAllow, --anonymous-auth=true]
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// command: [kube-apiserver, --authorization-mode=Node,RBAC, --anonymous-auth=false,
    ///           --enable-admission-plugins=NodeRestriction, --audit-log-path=/var/log/audit.log]
    /// ```
    ///
    /// ## Remediation
    /// Set the flag the finding names in `/etc/kubernetes/manifests/kube-apiserver.yaml`; the
    /// kubelet restarts the API server when the manifest changes.
    ///
    /// ## References
    /// - CIS Kubernetes Benchmark 1.12, 1.2.1–1.2.30 and 3.2.1
    pub struct ApiServerFlags {
        id: "CP001",
        name: "apiserver-flags",
        severity: High,
        summary: "kube-apiserver runs with a flag the CIS Benchmark advises against",
        controls: ["cis-1.12:1.2.1", "cis-1.12:1.2.2", "cis-1.12:1.2.3", "cis-1.12:1.2.4", "cis-1.12:1.2.5", "cis-1.12:1.2.6", "cis-1.12:1.2.7", "cis-1.12:1.2.8", "cis-1.12:1.2.9", "cis-1.12:1.2.10", "cis-1.12:1.2.11", "cis-1.12:1.2.12", "cis-1.12:1.2.13", "cis-1.12:1.2.14", "cis-1.12:1.2.15", "cis-1.12:1.2.16", "cis-1.12:1.2.17", "cis-1.12:1.2.18", "cis-1.12:1.2.19", "cis-1.12:1.2.21", "cis-1.12:1.2.22", "cis-1.12:1.2.23", "cis-1.12:1.2.24", "cis-1.12:1.2.25", "cis-1.12:1.2.26", "cis-1.12:1.2.27", "cis-1.12:1.2.29", "cis-1.12:1.2.30", "cis-1.12:3.2.1", "nsa:control-plane"],
        pss: None,
    }
}

impl Check for ApiServerFlags {
    fn check(&self, _cx: &Context, t: &Target, out: &mut Vec<Violation>) {
        super::judge(Component::ApiServer, t, out);
    }
}
