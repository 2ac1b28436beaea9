use palisade_core::{Context, FieldPath, Node, Severity, Target, Violation};
use crate::check::Check;

declare_rule! {
    /// ## What it does
    /// Judges an `EncryptionConfiguration` (the file kube-apiserver's
    /// `--encryption-provider-config` names) by the provider in front of each resource list —
    /// the one every write uses: `identity` stores Secrets in plaintext in etcd (critical);
    /// `aescbc` is weak (CBC, open to padding-oracle attacks; Kubernetes no longer recommends
    /// it); KMS v1 is deprecated (since 1.28, off by default since 1.29); `aesgcm` needs its
    /// key rotated every 200,000 writes; `secretbox` is strong but keeps its key on the
    /// control-plane nodes. KMS v2 is the goal and passes. Secrets that no entry covers
    /// (`secrets`, `*.`, `*.*`) are stored in plaintext too. The finding names the provider.
    ///
    /// ## Why is this bad?
    /// Anyone who can read etcd or its backups — a stolen disk, a snapshot in a bucket —
    /// reads every Secret of the cluster when they are stored in plaintext or with a key that
    /// sits beside them.
    ///
    /// ## Example
    /// ```yaml
    /// kind: EncryptionConfiguration
    /// resources:
    ///   - resources: [secrets]
    ///     providers: [{identity: {}}, {aescbc: {keys: [{name: k1, secret: ...}]}}]
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// kind: EncryptionConfiguration
    /// resources:
    ///   - resources: [secrets]
    ///     providers:
    ///       - kms: {apiVersion: v2, name: vault, endpoint: unix:///var/run/kms.sock}
    ///       - identity: {}
    /// ```
    ///
    /// ## Remediation
    /// Put a KMS v2 provider first (keep the old provider after it to read what it wrote),
    /// restart the API servers, then rewrite every Secret (`kubectl get secrets -A -o json |
    /// kubectl replace -f -`).
    ///
    /// ## References
    /// - CIS Kubernetes Benchmark 1.12, 1.2.28
    /// - Kubernetes documentation, "Encrypting Confidential Data at Rest"
    pub struct EncryptionAtRest {
        id: "CP005",
        name: "encryption-at-rest",
        severity: High,
        summary: "Secrets are stored in plaintext or with a weak or deprecated provider",
        controls: ["cis-1.12:1.2.28", "nsa:secrets"],
        pss: None,
    }
}

/// Whether a resource list entry covers Secrets (`secrets`, `*.` for the core group, `*.*`).
fn covers_secrets(resources: &Node) -> bool {
    resources.items().iter().filter_map(Node::as_str).any(|r| matches!(r, "secrets" | "*." | "*.*"))
}

/// What is wrong with the provider in front, if anything: (severity, why).
fn judge(provider: &str, config: &Node) -> Option<(Severity, String)> {
    match provider {
        "identity" => Some((Severity::Critical, "`identity` (no encryption): they are stored in plaintext in etcd".into())),
        "aescbc" => Some((Severity::Medium, "`aescbc`, which is weak (CBC, open to padding-oracle attacks)".into())),
        "aesgcm" => Some((Severity::Low, "`aesgcm`, whose key must be rotated every 200,000 writes".into())),
        "secretbox" => Some((Severity::Info, "`secretbox`, whose key sits on the control-plane nodes; KMS v2 keeps it outside".into())),
        "kms" if config.get("apiVersion").and_then(Node::as_str) != Some("v2") => {
            Some((Severity::Medium, "KMS v1, deprecated since Kubernetes 1.28 and off by default since 1.29".into()))
        }
        "kms" => None,
        other => Some((Severity::Medium, format!("`{other}`, which the API server does not know"))),
    }
}

impl Check for EncryptionAtRest {
    fn check(&self, _cx: &Context, t: &Target, out: &mut Vec<Violation>) {
        let o = &t.object;
        if o.kind != "EncryptionConfiguration" || !o.api_version.starts_with("apiserver.config.k8s.io/") {
            return;
        }
        let entries = o.node.get("resources").map(Node::items).unwrap_or(&[]);
        let mut secrets_covered = false;
        for (i, entry) in entries.iter().enumerate() {
            let resources = entry.get("resources").cloned().unwrap_or(Node::new(Default::default(), palisade_core::Value::Null));
            let secrets = covers_secrets(&resources);
            if !secrets || secrets_covered {
                continue;
            }
            // The first entry that covers Secrets decides how they are written.
            secrets_covered = true;
            let Some(first) = entry.get("providers").map(Node::items).and_then(<[Node]>::first) else { continue };
            let Some(e) = first.entries().first() else { continue };
            if let Some((severity, why)) = judge(&e.key, &e.value) {
                let mut v = Violation::new(
                    FieldPath::root().key("resources").index(i).key("providers").index(0),
                    format!("{} writes Secrets with {why}", t.what()),
                );
                v.severity = Some(severity);
                out.push(v);
            }
        }
        if !secrets_covered {
            let mut v = Violation::new(FieldPath::root().key("resources"), format!("{} does not cover Secrets: they are stored in plaintext in etcd", t.what()));
            v.severity = Some(Severity::Critical);
            out.push(v);
        }
    }
}
