use palisade_core::{Context, Target, Violation};
use crate::check::Check;

use super::images;

declare_rule! {
    /// ## What it does
    /// When the policy file lists allowed registries (`registries:`), flags containers whose
    /// image comes from anywhere else. An entry is a registry host (`registry.example.com`),
    /// a repository prefix (`ghcr.io/acme`), or a glob (`*.dkr.ecr.eu-west-1.amazonaws.com`);
    /// images without a registry are Docker Hub's (`docker.io`). Without the list, the rule
    /// finds nothing.
    ///
    /// ## Why is this bad?
    /// Images from registries the organisation does not control or mirror bypass its
    /// scanning, signing and retention, and can be changed or removed by strangers.
    ///
    /// ## Example
    /// ```yaml
    /// # palisade.yaml: registries: [registry.example.com]
    /// containers:
    ///   - name: web
    ///     image: docker.io/someone/web:1.0
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// containers:
    ///   - name: web
    ///     image: registry.example.com/web:1.0
    /// ```
    ///
    /// ## Remediation
    /// Mirror the image into an allowed registry and reference it there, or add its registry
    /// to the policy's `registries` list after review.
    ///
    /// ## References
    /// - CIS Kubernetes Benchmark 1.12, 5.5.1
    /// - NSA/CISA Kubernetes Hardening Guide, "Container image scanning and supply chain"
    pub struct RegistryNotAllowed {
        id: "IMG003",
        name: "image-registry-not-allowed",
        severity: High,
        summary: "Image comes from a registry the policy does not allow",
        controls: ["nsa:supply-chain", "mitre:T1525"],
        pss: None,
    }
}

impl Check for RegistryNotAllowed {
    fn check(&self, cx: &Context, t: &Target, out: &mut Vec<Violation>) {
        let allowed = &cx.settings().allowed_registries;
        let Some(pod) = &t.pod else { return };
        if allowed.is_empty() {
            return;
        }
        for (c, text, image) in images(pod) {
            if !allowed.iter().any(|entry| image.allowed_by(entry)) {
                out.push(Violation::new(
                    c.path.key("image"),
                    format!("{} of {} uses image `{text}` from `{}`, which the policy does not allow", c.describe(), t.what(), image.registry),
                ));
            }
        }
    }
}
