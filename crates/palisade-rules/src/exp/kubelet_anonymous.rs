use super::{answered, at_check, endpoint, evidence, service};
use crate::check::Check;
use palisade_core::{Context, Severity, Target, Violation};

declare_rule! {
    /// ## What it does
    /// Flags a kubelet API (port 10250, found by `palisade probe`) that answers anonymous
    /// requests: `/pods` (every pod's spec, environment included), `/runningpods/` and
    /// `/configz` (critical), `/metrics` (medium). A kubelet that answers 401 or 403 passes.
    ///
    /// ## Why is this bad?
    /// A kubelet that serves `/pods` anonymously is one whose `/exec` and `/run` endpoints are
    /// open too (anonymous authentication with `AlwaysAllow`): anyone who reaches the node
    /// runs commands in any of its containers.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Endpoint
    /// spec: {service: kubelet, checks: {kubelet.pods: {status: 200, anonymous: true}}}
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// kind: Endpoint
    /// spec: {service: kubelet, checks: {kubelet.pods: {status: 401, anonymous: false}}}
    /// ```
    ///
    /// ## Remediation
    /// In the kubelet's config file: `authentication.anonymous.enabled: false`,
    /// `authentication.webhook.enabled: true`, `authorization.mode: Webhook`; restart the
    /// kubelet.
    ///
    /// ## References
    /// - CIS Kubernetes Benchmark 1.12, 4.2.1 and 4.2.2
    pub struct KubeletAnonymous {
        id: "EXP003",
        name: "kubelet-anonymous",
        severity: Critical,
        summary: "The kubelet API answers anonymous requests",
        controls: ["cis-1.12:4.2.1", "cis-1.12:4.2.2", "nsa:network-separation"],
        pss: None,
    }
}

impl Check for KubeletAnonymous {
    fn check(&self, _cx: &Context, t: &Target, out: &mut Vec<Violation>) {
        let Some(spec) = endpoint(t) else { return };
        if service(spec) != "kubelet" {
            return;
        }
        for (check, severity, what) in [
            ("kubelet.pods", Severity::Critical, "/pods (every pod's spec, its environment included)"),
            ("kubelet.runningpods", Severity::Critical, "/runningpods/"),
            ("kubelet.configz", Severity::Critical, "/configz (its whole configuration)"),
            ("kubelet.metrics", Severity::Medium, "/metrics"),
        ] {
            if let Some(a) = answered(spec, check) {
                out.push(at_check(t, check, severity, format!("the kubelet answers anonymous requests for {what}{}", evidence(a))));
            }
        }
    }
}
