use palisade_core::{Anchor, Context, Violation};
use crate::check::{Check, Scope};
use palisade_analysis::model::Model;
use std::sync::Arc;

declare_rule! {
    /// ## What it does
    /// When the policy file sets `secrets: {require-vault: true}`, flags every workload that
    /// reads a plain Secret — through `env`, `envFrom`, a `secret` volume or a projected
    /// volume — unless that Secret is kept in sync from a vault by an object in the same
    /// input: an External Secrets `ExternalSecret` (its target) or a Secrets Store CSI
    /// `SecretProviderClass` (its `secretObjects`). Secrets Store CSI volumes read the vault
    /// directly and are never flagged; `imagePullSecrets` are not counted.
    ///
    /// ## Why is this bad?
    /// A plain Secret lives only in etcd: nobody rotates it, its history is not audited, and
    /// the policy says this organisation keeps secrets in a vault.
    ///
    /// ## Example
    /// ```yaml
    /// # palisade.yaml: secrets: {require-vault: true}
    /// volumes:
    ///   - name: db
    ///     secret: {secretName: db-password}
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// volumes:
    ///   - name: db
    ///     csi:
    ///       driver: secrets-store.csi.k8s.io
    ///       readOnly: true
    ///       volumeAttributes: {secretProviderClass: db-vault}
    /// ```
    ///
    /// ## Remediation
    /// Read the secret through a Secrets Store CSI volume, or create the Secret from the vault
    /// with an ExternalSecret.
    ///
    /// ## References
    /// - CIS Kubernetes Benchmark 1.12, 5.4.2
    pub struct PlainSecretWithoutVault {
        id: "SEC005",
        name: "plain-secret-without-vault",
        severity: Medium,
        summary: "Workload reads a plain Secret where the policy requires a vault",
        controls: ["cis-1.12:5.4.2", "nsa:secrets"],
        pss: None,
    }
}

impl Check for PlainSecretWithoutVault {
    fn check_model(&self, cx: &Context, model: &Model, scope: Scope, out: &mut Vec<(Arc<Anchor>, Violation)>) {
        let Some(ns) = scope.namespace().filter(|_| cx.settings().require_vault) else { return };
        for read in model.secret_reads_in(ns) {
            if model.vault_synced(ns, &read.secret) {
                continue;
            }
            out.push((
                read.anchor.clone(),
                Violation::new(
                    read.path.clone(),
                    format!(
                        "{} reads plain Secret `{}` ({}); the policy requires secrets from a vault",
                        read.anchor.object,
                        read.secret,
                        read.how.as_str()
                    ),
                ),
            ));
        }
    }
}
