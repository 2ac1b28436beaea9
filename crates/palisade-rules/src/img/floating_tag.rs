use palisade_core::{Context, Target, Violation};
use crate::check::Check;

use super::images;

declare_rule! {
    /// ## What it does
    /// Flags containers whose image has no tag or the tag `latest`, and no digest
    /// (`nginx`, `nginx:latest`).
    ///
    /// ## Why is this bad?
    /// Such a reference means "whatever was pushed last": two replicas can run different
    /// builds, a rollback does not roll back, and a compromised registry account ships code to
    /// production on the next restart. Nobody can say what is running.
    ///
    /// ## Example
    /// ```yaml
    /// containers:
    ///   - name: web
    ///     image: nginx:latest
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
    /// Reference a versioned tag, and preferably pin it by digest (`image: name:tag@sha256:…`).
    ///
    /// ## References
    /// - NSA/CISA Kubernetes Hardening Guide, "Container image scanning and supply chain"
    /// - Kubernetes documentation, "Images: image names and tags"
    pub struct FloatingTag {
        id: "IMG001",
        name: "image-tag-latest-or-missing",
        severity: Medium,
        summary: "Image has no tag, or the tag `latest`",
        controls: ["nsa:supply-chain"],
        pss: None,
    }
}

impl Check for FloatingTag {
    fn check(&self, _cx: &Context, t: &Target, out: &mut Vec<Violation>) {
        let Some(pod) = &t.pod else { return };
        for (c, text, image) in images(pod) {
            if image.floating() {
                let what = if image.tag.is_some() { "the tag `latest`" } else { "no tag" };
                out.push(Violation::new(
                    c.path.key("image"),
                    format!("{} of {} uses image `{text}` with {what}", c.describe(), t.what()),
                ));
            }
        }
    }
}
