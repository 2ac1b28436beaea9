use super::{answered, at_check, endpoint, evidence, service};
use crate::check::Check;
use palisade_core::{Context, Severity, Target, Violation};

declare_rule! {
    /// ## What it does
    /// Flags an API server (found by `palisade probe`) that grants anonymous requests more
    /// than Kubernetes' defaults: listing Secrets (critical), Pods or Namespaces (high), or
    /// API discovery, `/api` and `/apis` (low: since 1.14 only authenticated users may
    /// discover). Anonymous `/version` and `/healthz` are the defaults
    /// (`system:public-info-viewer`) and pass.
    ///
    /// ## Why is this bad?
    /// Someone bound a role to `system:anonymous` or `system:unauthenticated`: whatever it
    /// grants, every stranger who reaches the API server has. Listing Secrets anonymously is
    /// every credential of the cluster.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Endpoint
    /// spec: {service: kube-apiserver, checks: {api.secrets: {status: 200, anonymous: true}}}
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// kind: Endpoint
    /// spec: {service: kube-apiserver, checks: {api.secrets: {status: 403, anonymous: false}}}
    /// ```
    ///
    /// ## Remediation
    /// Find and delete the bindings to `system:anonymous` and `system:unauthenticated`
    /// (`palisade rbac who-can list secrets`), and set `--anonymous-auth=false` where the
    /// health checks allow it (or an `AuthenticationConfiguration` that limits anonymous
    /// access to the health endpoints).
    ///
    /// ## References
    /// - CIS Kubernetes Benchmark 1.12, 1.2.1
    pub struct ApiserverAnonymous {
        id: "EXP005",
        name: "apiserver-anonymous",
        severity: High,
        summary: "The API server grants anonymous requests more than the defaults",
        controls: ["cis-1.12:1.2.1", "nsa:network-separation"],
        pss: None,
    }
}

impl Check for ApiserverAnonymous {
    fn check(&self, _cx: &Context, t: &Target, out: &mut Vec<Violation>) {
        let Some(spec) = endpoint(t) else { return };
        // Without TLS or behind kubectl proxy everything is open: EXP006 says so.
        if service(spec) != "kube-apiserver" {
            return;
        }
        for (check, severity, what) in [
            ("api.secrets", Severity::Critical, "lists Secrets"),
            ("api.pods", Severity::High, "lists Pods"),
            ("api.namespaces", Severity::High, "lists Namespaces"),
            ("api.api", Severity::Low, "answers API discovery (/api)"),
            ("api.apis", Severity::Low, "answers API discovery (/apis)"),
        ] {
            if let Some(a) = answered(spec, check) {
                out.push(at_check(t, check, severity, format!("the API server {what} for anonymous requests{}", evidence(a))));
            }
        }
    }
}
