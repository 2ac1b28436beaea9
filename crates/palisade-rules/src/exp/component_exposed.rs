use super::{answered, at_check, endpoint, service};
use crate::check::Check;
use palisade_core::{Context, Severity, Target, Violation};

declare_rule! {
    /// ## What it does
    /// Flags a controller manager (10257), scheduler (10259) or kube-proxy (10256), found by
    /// `palisade probe`, that serves `/metrics` or `/configz` to anonymous requests.
    /// Anonymous `/healthz` is their default and passes.
    ///
    /// ## Why is this bad?
    /// `/configz` is the component's whole configuration, `/metrics` a map of the cluster's
    /// activity; both should need credentials (`--authorization-always-allow-paths` keeps
    /// only the health endpoints open by default). Either answering means the component's
    /// delegated authorization is off, or it is bound beyond loopback without it.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Endpoint
    /// spec: {service: kube-scheduler, checks: {component.metrics: {status: 200, anonymous: true}}}
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// kind: Endpoint
    /// spec: {service: kube-scheduler, checks: {component.metrics: {status: 403, anonymous: false}}}
    /// ```
    ///
    /// ## Remediation
    /// Bind the component to loopback (`--bind-address=127.0.0.1`), keep its
    /// `--authentication-kubeconfig` and `--authorization-kubeconfig`, and do not widen
    /// `--authorization-always-allow-paths`; kube-proxy's metrics belong on
    /// `metricsBindAddress: 127.0.0.1:10249`.
    ///
    /// ## References
    /// - CIS Kubernetes Benchmark 1.12, 1.3.7, 1.4.2 and 4.3.1
    pub struct ComponentExposed {
        id: "EXP008",
        name: "component-exposed",
        severity: Medium,
        summary: "A control-plane component serves metrics or configuration anonymously",
        controls: ["cis-1.12:1.3.7", "cis-1.12:1.4.2", "nsa:network-separation"],
        pss: None,
    }
}

impl Check for ComponentExposed {
    fn check(&self, _cx: &Context, t: &Target, out: &mut Vec<Violation>) {
        let Some(spec) = endpoint(t) else { return };
        let component = service(spec);
        if !matches!(component, "kube-controller-manager" | "kube-scheduler" | "kube-proxy") {
            return;
        }
        for (check, what) in [("component.configz", "/configz (its whole configuration)"), ("component.metrics", "/metrics")] {
            if answered(spec, check).is_some() {
                out.push(at_check(t, check, Severity::Medium, format!("{component} serves {what} to anonymous requests")));
            }
        }
    }
}
