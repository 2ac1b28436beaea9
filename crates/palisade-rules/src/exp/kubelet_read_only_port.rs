use super::{answered, at_check, at_service, endpoint, evidence, service};
use crate::check::Check;
use palisade_core::{Context, Severity, Target, Violation};

declare_rule! {
    /// ## What it does
    /// Flags a kubelet read-only port (10255 by default, plain HTTP, found by `palisade
    /// probe`) that is open at all; with the evidence of what `/pods` gave away.
    ///
    /// ## Why is this bad?
    /// The read-only port has no authentication and no authorization: it lists every pod of
    /// the node with its full spec — environment variables, and the secrets people put there —
    /// to anyone who can reach the node.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Endpoint
    /// spec: {service: kubelet-read-only, port: 10255, checks: {kubelet.pods: {status: 200, anonymous: true}}}
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// kind: Endpoint
    /// spec: {service: kubelet, port: 10250, checks: {kubelet.pods: {status: 401, anonymous: false}}}
    /// ```
    ///
    /// ## Remediation
    /// `readOnlyPort: 0` in the kubelet's config file (the default with a config file), and no
    /// `--read-only-port` flag; restart the kubelet.
    ///
    /// ## References
    /// - CIS Kubernetes Benchmark 1.12, 4.2.4
    pub struct KubeletReadOnlyPort {
        id: "EXP004",
        name: "kubelet-read-only-port",
        severity: High,
        summary: "The kubelet's unauthenticated read-only port is open",
        controls: ["cis-1.12:4.2.4", "nsa:network-separation"],
        pss: None,
    }
}

impl Check for KubeletReadOnlyPort {
    fn check(&self, _cx: &Context, t: &Target, out: &mut Vec<Violation>) {
        let Some(spec) = endpoint(t) else { return };
        if service(spec) != "kubelet-read-only" {
            return;
        }
        out.push(match answered(spec, "kubelet.pods") {
            Some(a) => at_check(t, "kubelet.pods", Severity::High, format!("the kubelet's read-only port is open and serves /pods without authentication{}", evidence(a))),
            None => at_service(t, Severity::High, "the kubelet's read-only port is open".into()),
        });
    }
}
