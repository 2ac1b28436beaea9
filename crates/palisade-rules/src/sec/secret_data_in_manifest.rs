use palisade_core::secrets::is_redacted;
use palisade_core::{Context, FieldPath, Target, Violation};
use crate::check::Check;

declare_rule! {
    /// ## What it does
    /// Flags `Secret` manifests that carry values in `data` or `stringData`. Keys with empty
    /// values are ignored, and so are values a cluster scan or snapshot replaced by their
    /// length (`<redacted: 24 bytes>`): a Secret in the cluster is where it belongs. The
    /// finding names the keys, never the values.
    ///
    /// ## Why is this bad?
    /// A Secret in the repository is a credential in the repository: base64 is an encoding,
    /// not encryption. Everyone with read access to the source, its forks, its CI logs and
    /// its history has the secret, and rotating it means rewriting history.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: Secret
    /// metadata: {name: db}
    /// data:
    ///   password: aHVudGVyMg==
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// apiVersion: external-secrets.io/v1
    /// kind: ExternalSecret
    /// metadata: {name: db}
    /// spec:
    ///   secretStoreRef: {name: vault, kind: ClusterSecretStore}
    ///   data:
    ///     - secretKey: password
    ///       remoteRef: {key: shop/db, property: password}
    /// ```
    ///
    /// ## Remediation
    /// Keep the value in a secret manager and sync it (External Secrets, Secrets Store CSI),
    /// or commit it encrypted (Sealed Secrets, SOPS); rotate the exposed value.
    ///
    /// ## References
    /// - CIS Kubernetes Benchmark 1.12, 5.4.2
    /// - MITRE ATT&CK for containers, T1552 Unsecured Credentials
    pub struct SecretDataInManifest {
        id: "SEC001",
        name: "secret-data-in-manifest",
        severity: Medium,
        summary: "Secret manifest carries secret values",
        controls: ["cis-1.12:5.4.2", "nsa:secrets", "mitre:T1552"],
        pss: None,
    }
}

impl Check for SecretDataInManifest {
    fn check(&self, _cx: &Context, t: &Target, out: &mut Vec<Violation>) {
        if t.object.kind != "Secret" || t.object.api_version != "v1" {
            return;
        }
        for field in ["data", "stringData"] {
            let Some(data) = t.object.node.field(field) else { continue };
            let keys: Vec<&str> = data
                .entries()
                .iter()
                .filter(|e| !e.value.is_null() && !e.value.as_str().is_some_and(|v| v.is_empty() || is_redacted(v)))
                .map(|e| e.key.as_str())
                .collect();
            if keys.is_empty() {
                continue;
            }
            let shown: Vec<String> = keys.iter().take(5).map(|k| format!("`{k}`")).collect();
            let more = if keys.len() > 5 { format!(" and {} more", keys.len() - 5) } else { String::new() };
            out.push(Violation::new(
                FieldPath::root().key(field),
                format!("{} carries secret values in `{field}`: {}{more}", t.what(), shown.join(", ")),
            ));
        }
    }
}
