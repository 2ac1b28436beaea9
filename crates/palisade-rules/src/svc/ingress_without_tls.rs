use palisade_core::{Context, FieldPath, Node, Target, Violation};
use crate::check::Check;

/// Whether a TLS host entry covers `host`: equal, or a `*.` wildcard for exactly one label.
fn covers(tls_host: &str, host: &str) -> bool {
    match tls_host.strip_prefix("*.") {
        Some(suffix) => host.split_once('.').is_some_and(|(first, rest)| !first.is_empty() && rest == suffix),
        None => tls_host.eq_ignore_ascii_case(host),
    }
}

declare_rule! {
    /// ## What it does
    /// Flags Ingresses that serve plain HTTP: no `spec.tls` at all, or rule hosts that no
    /// `spec.tls[].hosts` entry covers (a `*.example.com` entry covers one label). An Ingress
    /// with `spec.tls` entries that list no hosts is taken to cover every host.
    ///
    /// ## Why is this bad?
    /// Without TLS, credentials, session cookies and data cross the network in clear text, and
    /// anyone on the path can read or change them.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Ingress
    /// spec:
    ///   rules:
    ///     - host: shop.example.com
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// kind: Ingress
    /// spec:
    ///   tls:
    ///     - hosts: [shop.example.com]
    ///       secretName: shop-tls
    ///   rules:
    ///     - host: shop.example.com
    /// ```
    ///
    /// ## Remediation
    /// Add a `spec.tls` entry for every host (cert-manager can issue the certificates) and
    /// redirect HTTP to HTTPS.
    ///
    /// ## References
    /// - NSA/CISA Kubernetes Hardening Guide, "Network separation and hardening"
    /// - Kubernetes documentation, "Ingress: TLS"
    pub struct IngressWithoutTls {
        id: "SVC004",
        name: "ingress-without-tls",
        severity: Medium,
        summary: "Ingress serves hosts without TLS",
        controls: ["nsa:network-separation", "mitre:T1040"],
        pss: None,
    }
}

impl Check for IngressWithoutTls {
    fn check(&self, _cx: &Context, t: &Target, out: &mut Vec<Violation>) {
        let o = &t.object;
        let group = o.api_version.split('/').next().unwrap_or("");
        if o.kind != "Ingress" || !matches!(group, "networking.k8s.io" | "extensions") {
            return;
        }
        let spec = o.node.get("spec");
        let tls = spec.and_then(|s| s.get("tls")).map(Node::items).unwrap_or(&[]);
        if tls.is_empty() {
            out.push(Violation::new(FieldPath::root().keys(&["spec", "tls"]), format!("{} has no TLS section: it serves plain HTTP", t.what())));
            return;
        }
        let tls_hosts: Vec<&str> = tls.iter().flat_map(|e| e.get("hosts").map(Node::items).unwrap_or(&[])).filter_map(Node::as_str).collect();
        if tls_hosts.is_empty() {
            return;
        }
        let rules = spec.and_then(|s| s.get("rules")).map(Node::items).unwrap_or(&[]);
        for (i, rule) in rules.iter().enumerate() {
            let Some(host) = rule.get("host").and_then(Node::as_str) else { continue };
            if !tls_hosts.iter().any(|h| covers(h, host)) {
                out.push(Violation::new(
                    FieldPath::root().keys(&["spec", "rules"]).index(i).key("host"),
                    format!("{} serves `{host}` without TLS: no spec.tls entry covers it", t.what()),
                ));
            }
        }
    }
}
