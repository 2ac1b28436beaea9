use palisade_core::{Context, FieldPath, Node, Target, Violation};
use crate::check::Check;

declare_rule! {
    /// ## What it does
    /// Flags Secrets of type `kubernetes.io/service-account-token`: long-lived
    /// ServiceAccount tokens that the control plane fills in and never expires.
    ///
    /// ## Why is this bad?
    /// These tokens do not expire and are not bound to a pod: one copied out of a cluster
    /// dump, a backup or a CI log works until someone deletes the Secret. Since Kubernetes
    /// 1.24 pods get short-lived, audience-bound tokens from the TokenRequest API instead.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: Secret
    /// metadata:
    ///   name: ci-token
    ///   annotations: {kubernetes.io/service-account.name: ci}
    /// type: kubernetes.io/service-account-token
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// # no Secret: request a short-lived token when needed
    /// # kubectl create token ci --duration 1h
    /// apiVersion: v1
    /// kind: ServiceAccount
    /// metadata: {name: ci}
    /// ```
    ///
    /// ## Remediation
    /// Delete the Secret and use projected ServiceAccount tokens or `kubectl create token`
    /// (TokenRequest) with a short duration.
    ///
    /// ## References
    /// - Kubernetes documentation, "Service account tokens: long-lived API tokens"
    /// - MITRE ATT&CK for containers, T1528 Steal Application Access Token
    pub struct LegacyTokenSecret {
        id: "SEC003",
        name: "long-lived-service-account-token",
        severity: Medium,
        summary: "Long-lived ServiceAccount token Secret",
        controls: ["nsa:service-account-tokens", "mitre:T1528"],
        pss: None,
    }
}

impl Check for LegacyTokenSecret {
    fn check(&self, _cx: &Context, t: &Target, out: &mut Vec<Violation>) {
        if t.object.kind != "Secret" || t.object.api_version != "v1" {
            return;
        }
        if t.object.node.get("type").and_then(Node::as_str) == Some("kubernetes.io/service-account-token") {
            let sa = t
                .object
                .node
                .get_path(&["metadata", "annotations", "kubernetes.io/service-account.name"])
                .map(Node::display_scalar)
                .unwrap_or_else(|| "<unnamed>".into());
            out.push(Violation::new(
                FieldPath::root().key("type"),
                format!("{} is a long-lived token for ServiceAccount `{sa}`", t.what()),
            ));
        }
    }
}
