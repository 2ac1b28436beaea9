use super::{answered, at_check, endpoint, evidence, service};
use crate::check::Check;
use palisade_core::{Context, FieldPath, Node, Severity, Target, Violation};

declare_rule! {
    /// ## What it does
    /// Flags what an etcd (found by `palisade probe`) tells a client without a certificate
    /// short of its keys (EXP001): serving clients over plain HTTP at all (high), its
    /// metrics (medium), its version (low), and a peer port that lists the cluster's members
    /// to a stranger (medium).
    ///
    /// ## Why is this bad?
    /// An etcd that answers anyone at all is one configuration change away from serving its
    /// keys; its metrics and member list map the control plane, and its version says which
    /// published vulnerabilities apply. The peer port carries the raft traffic that
    /// replicates every write.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Endpoint
    /// spec: {service: etcd-peer, checks: {etcd.members: {status: 200, anonymous: true}}}
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// kind: Endpoint
    /// spec: {service: etcd-peer, tls: {client_certificate: required}, checks: {}}
    /// ```
    ///
    /// ## Remediation
    /// Require client certificates on both ports (`--client-cert-auth=true`,
    /// `--peer-client-cert-auth=true`, with TLS on each), serve metrics on a separate
    /// loopback listener (`--listen-metrics-urls=http://127.0.0.1:2381`), and firewall 2379
    /// and 2380 to the control-plane nodes.
    ///
    /// ## References
    /// - CIS Kubernetes Benchmark 1.12, 2.2 and 2.5
    pub struct EtcdExposed {
        id: "EXP002",
        name: "etcd-exposed",
        severity: Medium,
        summary: "etcd answers clients without a certificate",
        controls: ["cis-1.12:2.2", "cis-1.12:2.5", "nsa:network-separation"],
        pss: None,
    }
}

impl Check for EtcdExposed {
    fn check(&self, _cx: &Context, t: &Target, out: &mut Vec<Violation>) {
        let Some(spec) = endpoint(t) else { return };
        match service(spec) {
            "etcd" => {
                if spec.get("scheme").and_then(Node::as_str) == Some("http") {
                    let mut v = Violation::new(FieldPath::root().keys(&["spec", "scheme"]), format!("{}: etcd serves clients over plain HTTP: every key, Secrets included, crosses the network unencrypted", t.object.name));
                    v.severity = Some(Severity::High);
                    out.push(v);
                }
                if let Some(a) = answered(spec, "etcd.metrics") {
                    out.push(at_check(t, "etcd.metrics", Severity::Medium, format!("etcd serves its metrics without a client certificate{}", evidence(a))));
                }
                if let Some(a) = answered(spec, "etcd.version") {
                    out.push(at_check(t, "etcd.version", Severity::Low, format!("etcd tells its version to a client without a certificate{}", evidence(a))));
                }
            }
            "etcd-peer" => {
                if let Some(a) = answered(spec, "etcd.members") {
                    out.push(at_check(t, "etcd.members", Severity::Medium, format!("etcd's peer port answers without a client certificate{}: the raft port is open to strangers", evidence(a))));
                }
            }
            _ => {}
        }
    }
}
