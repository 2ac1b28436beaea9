use super::{answered, at_check, at_service, endpoint, evidence, service};
use crate::check::Check;
use palisade_core::{Context, Severity, Target, Violation};

declare_rule! {
    /// ## What it does
    /// Flags the Kubernetes API served over plain HTTP to anyone who connects (found by
    /// `palisade probe`): an API server's insecure port (8080, removed in 1.20 but alive in
    /// old clusters and in forks) or a `kubectl proxy` listening where others can reach it.
    ///
    /// ## Why is this bad?
    /// The insecure port skips authentication and authorization entirely: every request is
    /// cluster-admin. A reachable `kubectl proxy` lends everyone the credentials of the user
    /// who started it.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Endpoint
    /// spec: {service: kube-apiserver-insecure, scheme: http, port: 8080}
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// kind: Endpoint
    /// spec: {service: kube-apiserver, scheme: https, port: 6443}
    /// ```
    ///
    /// ## Remediation
    /// Remove `--insecure-port` and `--insecure-bind-address` from the API server (or upgrade
    /// past 1.20); run `kubectl proxy` only on loopback (its default `--address=127.0.0.1`)
    /// and never with `--accept-hosts='.*'` on a shared machine.
    ///
    /// ## References
    /// - Kubernetes 1.20 release notes (insecure port removed)
    pub struct ApiserverInsecure {
        id: "EXP006",
        name: "apiserver-insecure",
        severity: Critical,
        summary: "The Kubernetes API is served over plain HTTP without authentication",
        controls: ["nsa:network-separation"],
        pss: None,
    }
}

impl Check for ApiserverInsecure {
    fn check(&self, _cx: &Context, t: &Target, out: &mut Vec<Violation>) {
        let Some(spec) = endpoint(t) else { return };
        let who = match service(spec) {
            "kube-apiserver-insecure" => "the API server's insecure port: every request is cluster-admin",
            "kubectl-proxy" => "a kubectl proxy: every request carries its user's credentials",
            _ => return,
        };
        let secrets = answered(spec, "api.secrets").map(|a| format!("; Secrets listed{}", evidence(a))).unwrap_or_default();
        let message = format!("the Kubernetes API over plain HTTP, without authentication, from {who}{secrets}");
        out.push(match answered(spec, "api.secrets") {
            Some(_) => at_check(t, "api.secrets", Severity::Critical, message),
            None => at_service(t, Severity::Critical, message),
        });
    }
}
