use super::{answered, at_check, at_service, endpoint, evidence, service};
use crate::check::Check;
use palisade_core::{Context, Severity, Target, Violation};

declare_rule! {
    /// ## What it does
    /// Flags a Kubernetes Dashboard reachable by `palisade probe`: critical when its API
    /// lists namespaces without a login (`--enable-skip-login`, or an insecure port with a
    /// privileged service account), medium when it only shows its login page.
    ///
    /// ## Why is this bad?
    /// A dashboard that works without login acts with its own service account — often
    /// bound to cluster-admin by a quick-start guide — for whoever opens it; Tesla's cluster
    /// was mined for cryptocurrency through one. Even behind a login it is one more
    /// internet-facing way into the cluster.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Endpoint
    /// spec: {service: dashboard, checks: {dashboard.namespaces: {status: 200, anonymous: true}}}
    /// ```
    ///
    /// Use instead: reach it through `kubectl proxy` or a port-forward, on loopback.
    /// ```yaml
    /// kind: Endpoint
    /// spec: {service: kube-apiserver, checks: {}}
    /// ```
    ///
    /// ## Remediation
    /// Remove `--enable-skip-login` and `--enable-insecure-login`, give the dashboard's
    /// service account no more than view rights, and expose it only through `kubectl proxy`
    /// or an authenticating proxy.
    ///
    /// ## References
    /// - https://github.com/kubernetes/dashboard/blob/master/docs/user/access-control/README.md
    pub struct DashboardExposed {
        id: "EXP007",
        name: "dashboard-exposed",
        severity: Medium,
        summary: "A Kubernetes Dashboard is reachable, perhaps without login",
        controls: ["nsa:network-separation"],
        pss: None,
    }
}

impl Check for DashboardExposed {
    fn check(&self, _cx: &Context, t: &Target, out: &mut Vec<Violation>) {
        let Some(spec) = endpoint(t) else { return };
        if service(spec) != "dashboard" {
            return;
        }
        out.push(match answered(spec, "dashboard.namespaces") {
            Some(a) => at_check(t, "dashboard.namespaces", Severity::Critical, format!("the Kubernetes Dashboard serves cluster data without a login{}", evidence(a))),
            None => at_service(t, Severity::Medium, "a Kubernetes Dashboard is reachable (it asks for a login)".into()),
        });
    }
}
