use super::endpoint;
use crate::check::Check;
use palisade_core::{Context, FieldPath, Node, Severity, Target, Violation};

declare_rule! {
    /// ## What it does
    /// Flags the serving certificate of a probed endpoint (from `palisade probe`) that has
    /// expired (high) or expires within 30 days (low), with its subject and date.
    ///
    /// ## Why is this bad?
    /// An expired serving certificate breaks every client that verifies it — kubelets stop
    /// reporting, the API server stops reaching etcd — and teaches people to turn
    /// verification off. kubeadm's certificates last a year and expire on clusters nobody
    /// upgraded.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Endpoint
    /// spec: {tls: {certificate: {subject: CN=kube-apiserver, not_after: "2025-01-01T00:00:00Z", expired: true, days_left: -300}}}
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// kind: Endpoint
    /// spec: {tls: {certificate: {subject: CN=kube-apiserver, not_after: "2027-06-01T00:00:00Z", expired: false, days_left: 180}}}
    /// ```
    ///
    /// ## Remediation
    /// Renew it (`kubeadm certs renew all`, or let cert-manager rotate it) and restart what
    /// serves it; turn on kubelet certificate rotation (`rotateCertificates: true`).
    ///
    /// ## References
    /// - https://kubernetes.io/docs/tasks/administer-cluster/kubeadm/kubeadm-certs/
    pub struct CertificateExpiry {
        id: "EXP009",
        name: "certificate-expiry",
        severity: High,
        summary: "A serving certificate has expired or expires soon",
        controls: [],
        pss: None,
    }
}

impl Check for CertificateExpiry {
    fn check(&self, _cx: &Context, t: &Target, out: &mut Vec<Violation>) {
        let Some(cert) = endpoint(t).and_then(|s| s.get_path(&["tls", "certificate"])).filter(|c| !c.is_null()) else { return };
        let subject = cert.get("subject").map(Node::display_scalar).unwrap_or_default();
        let date = cert.get("not_after").map(Node::display_scalar).unwrap_or_default();
        let days = cert.get("days_left").and_then(Node::as_i64).unwrap_or(i64::MAX);
        let (severity, what) = if cert.get("expired").and_then(Node::as_bool) == Some(true) {
            (Severity::High, format!("expired on {date}"))
        } else if days < 30 {
            (Severity::Low, format!("expires on {date}, in {days} days"))
        } else {
            return;
        };
        let mut v = Violation::new(FieldPath::root().keys(&["spec", "tls", "certificate", "not_after"]), format!("{}: the serving certificate {subject} {what}", t.object.name));
        v.severity = Some(severity);
        out.push(v);
    }
}
