use palisade_analysis::controlplane::Component;
use palisade_core::{Context, Target, Violation};
use crate::check::Check;

declare_rule! {
    /// ## What it does
    /// Judges the flags of etcd — in its static pod manifest or the live Pod of
    /// `kube-system` — against CIS Kubernetes Benchmark 1.12 §2: serving and peer
    /// certificates, client-certificate authentication for clients and peers (off by
    /// default), and no self-signed `--auto-tls` or `--peer-auto-tls`.
    ///
    /// ## Why is this bad?
    /// etcd holds every object of the cluster, Secrets included. Without
    /// `--client-cert-auth=true` anyone who can reach port 2379 reads and writes all of it,
    /// bypassing the API server's authentication, authorization and audit.
    ///
    /// ## Example
    /// ```yaml
    /// command: [etcd, --listen-client-urls=https://0.0.0.0:2379, --auto-tls=true]
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// command: [etcd, --cert-file=/etc/kubernetes/pki/etcd/server.crt,
    ///           --key-file=/etc/kubernetes/pki/etcd/server.key, --client-cert-auth=true,
    ///           --trusted-ca-file=/etc/kubernetes/pki/etcd/ca.crt]
    /// ```
    ///
    /// ## Remediation
    /// Set the flags in `/etc/kubernetes/manifests/etcd.yaml`, with certificates from a CA
    /// used for etcd only.
    ///
    /// ## References
    /// - CIS Kubernetes Benchmark 1.12, 2.1–2.7
    pub struct EtcdFlags {
        id: "CP004",
        name: "etcd-flags",
        severity: High,
        summary: "etcd runs with a flag the CIS Benchmark advises against",
        controls: ["cis-1.12:2.1", "cis-1.12:2.2", "cis-1.12:2.3", "cis-1.12:2.4", "cis-1.12:2.5", "cis-1.12:2.6", "nsa:control-plane"],
        pss: None,
    }
}

impl Check for EtcdFlags {
    fn check(&self, _cx: &Context, t: &Target, out: &mut Vec<Violation>) {
        super::judge(Component::Etcd, t, out);
    }
}
