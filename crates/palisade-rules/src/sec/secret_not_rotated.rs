use palisade_core::{Context, Date, FieldPath, Node, Target, Violation};
use crate::check::Check;

declare_rule! {
    /// ## What it does
    /// When the policy file sets a rotation period (`secrets: {max-age: 90d}`), flags Secrets
    /// whose `metadata.creationTimestamp` is older than that. Secrets without a creation time
    /// (manifests that were never applied) are not flagged; run it on a cluster dump
    /// (`kubectl get secrets -A -o yaml`). `palisade rbac secrets` lists every Secret with its
    /// age and its readers.
    ///
    /// ## Why is this bad?
    /// A credential that never changes has had the longest time to leak — through backups,
    /// logs, former employees and everyone who could read it — and keeps working after it did.
    ///
    /// ## Example
    /// ```yaml
    /// # palisade.yaml: secrets: {max-age: 90d}
    /// kind: Secret
    /// metadata:
    ///   name: db
    ///   creationTimestamp: "2023-02-01T09:00:00Z"
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// kind: ExternalSecret
    /// spec:
    ///   refreshInterval: 1h
    ///   target: {name: db}
    /// ```
    ///
    /// ## Remediation
    /// Rotate the credential and recreate the Secret; better, let a secret manager rotate it
    /// and sync it (External Secrets, Secrets Store CSI).
    ///
    /// ## References
    /// - CIS Kubernetes Benchmark 1.12, 5.4.2
    /// - NSA/CISA Kubernetes Hardening Guide, "Secrets"
    pub struct SecretNotRotated {
        id: "SEC006",
        name: "secret-not-rotated",
        severity: Medium,
        summary: "Secret is older than the policy's rotation period",
        controls: ["cis-1.12:5.4.2", "nsa:secrets"],
        pss: None,
    }
}

impl Check for SecretNotRotated {
    fn check(&self, cx: &Context, t: &Target, out: &mut Vec<Violation>) {
        let Some(max_age) = cx.settings().secret_max_age_days else { return };
        if t.object.kind != "Secret" || t.object.api_version != "v1" {
            return;
        }
        let created = t.object.node.get_path(&["metadata", "creationTimestamp"]).map(Node::display_scalar);
        let Some(date) = created.as_deref().and_then(Date::of_timestamp) else { return };
        let age = cx.today.unix_days() - date.unix_days();
        if age > i64::from(max_age) {
            out.push(Violation::new(
                FieldPath::root().keys(&["metadata", "creationTimestamp"]),
                format!("{} was created {age} days ago ({date}); the policy rotates secrets every {max_age} days", t.what()),
            ));
        }
    }
}
