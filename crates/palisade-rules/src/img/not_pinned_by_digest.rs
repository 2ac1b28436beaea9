use palisade_core::{Context, Target, Violation};
use crate::check::Check;

use super::images;

declare_rule! {
    /// ## What it does
    /// Flags containers whose image has a version tag but no digest (`nginx:1.27`). Images
    /// with no tag or `latest` are reported by IMG001 instead.
    ///
    /// ## Why is this bad?
    /// Tags are mutable: whoever can push to the repository can move `1.27` to another build,
    /// and nodes that pull again run it. A digest names exactly one build.
    ///
    /// ## Example
    /// ```yaml
    /// containers:
    ///   - name: web
    ///     image: nginx:1.27.3
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// containers:
    ///   - name: web
    ///     image: nginx:1.27.3@sha256:0a399eb16751829e1af26fea27b20c3ec28d7ab1fb72182879dcae1cca21206a
    /// ```
    ///
    /// ## Remediation
    /// Pin the image by digest (`name:tag@sha256:…`); let a bot such as Renovate update
    /// digests.
    ///
    /// ## References
    /// - NSA/CISA Kubernetes Hardening Guide, "Container image scanning and supply chain"
    pub struct NotPinnedByDigest {
        id: "IMG002",
        name: "image-not-pinned-by-digest",
        severity: Low,
        summary: "Image is referenced by a mutable tag, not a digest",
        controls: ["nsa:supply-chain"],
        pss: None,
    }
}

impl Check for NotPinnedByDigest {
    fn check(&self, _cx: &Context, t: &Target, out: &mut Vec<Violation>) {
        let Some(pod) = &t.pod else { return };
        for (c, text, image) in images(pod) {
            if !image.pinned() && !image.floating() {
                out.push(Violation::new(
                    c.path.key("image"),
                    format!("{} of {} uses image `{text}`, not pinned by digest", c.describe(), t.what()),
                ));
            }
        }
    }
}
