use super::{answered, at_check, endpoint, evidence, service};
use crate::check::Check;
use palisade_core::{Context, Severity, Target, Violation};

declare_rule! {
    /// ## What it does
    /// Flags an etcd (found by `palisade probe`) that answers key reads from a client without
    /// a certificate: a count-only range over its v3 gateway (`POST /v3/kv/range`), or the
    /// v2 keys API (`GET /v2/keys/`). The evidence is how many keys, and how many sit under
    /// `/registry/secrets/` — the probe asks for counts only and never reads a value.
    ///
    /// ## Why is this bad?
    /// etcd holds the whole cluster: every Secret (unencrypted unless encryption at rest is
    /// on), every service account token, every object. An etcd that serves strangers is the
    /// cluster given away, and such endpoints are routinely found open on the internet.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Endpoint
    /// spec: {service: etcd, checks: {etcd.v3: {status: 200, anonymous: true, evidence: 1840 keys}}}
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// kind: Endpoint
    /// spec: {service: etcd, tls: {client_certificate: required}, checks: {}}
    /// ```
    ///
    /// ## Remediation
    /// Serve clients over TLS only and require client certificates: `--cert-file`,
    /// `--key-file`, `--client-cert-auth=true`, `--trusted-ca-file`, and `https://` in
    /// `--listen-client-urls`; keep etcd off every network but the control plane's.
    ///
    /// ## References
    /// - CIS Kubernetes Benchmark 1.12, 2.1 and 2.2
    /// - https://etcd.io/docs/v3.5/op-guide/security/
    pub struct EtcdAnonymousRead {
        id: "EXP001",
        name: "etcd-anonymous-read",
        severity: Critical,
        summary: "etcd serves its keys to clients without a certificate",
        controls: ["cis-1.12:2.1", "cis-1.12:2.2", "nsa:network-separation"],
        pss: None,
    }
}

impl Check for EtcdAnonymousRead {
    fn check(&self, _cx: &Context, t: &Target, out: &mut Vec<Violation>) {
        let Some(spec) = endpoint(t) else { return };
        if service(spec) != "etcd" {
            return;
        }
        if let Some(a) = answered(spec, "etcd.v3") {
            let secrets = answered(spec, "etcd.v3_secrets").map(evidence).unwrap_or_default();
            out.push(at_check(t, "etcd.v3", Severity::Critical, format!("etcd answers v3 key reads without a client certificate{}{secrets}: every Secret and object of the cluster is readable", evidence(a))));
        }
        if let Some(a) = answered(spec, "etcd.v2") {
            out.push(at_check(t, "etcd.v2", Severity::Critical, format!("etcd serves the v2 keys API without a client certificate{}", evidence(a))));
        }
    }
}
