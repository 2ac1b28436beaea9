use palisade_core::{Context, Node, Target, Violation};
use crate::check::Check;

use super::images;

declare_rule! {
    /// ## What it does
    /// Flags containers whose image is referenced by a tag (no digest) while
    /// `imagePullPolicy` is `IfNotPresent` or `Never` — set explicitly, or by default, which is
    /// `IfNotPresent` for any tag other than `latest`.
    ///
    /// ## Why is this bad?
    /// With a mutable tag and a cached image, each node runs whatever the tag meant when that
    /// node first pulled it: replicas silently differ, and a rebuilt image with a security fix
    /// never reaches nodes that already have the old one.
    ///
    /// ## Example
    /// ```yaml
    /// containers:
    ///   - name: web
    ///     image: registry.example.com/web:2.1
    ///     imagePullPolicy: IfNotPresent
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// containers:
    ///   - name: web
    ///     image: registry.example.com/web:2.1@sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08
    ///     imagePullPolicy: IfNotPresent
    /// ```
    ///
    /// ## Remediation
    /// Pin the image by digest (then any pull policy is safe), or set `imagePullPolicy: Always`.
    ///
    /// ## References
    /// - Kubernetes documentation, "Images: image pull policy"
    pub struct MutableTagPullPolicy {
        id: "IMG004",
        name: "mutable-tag-cached-pull-policy",
        severity: Low,
        summary: "Mutable image tag with a pull policy that keeps stale images",
        controls: ["nsa:supply-chain"],
        pss: None,
    }
}

impl Check for MutableTagPullPolicy {
    fn check(&self, _cx: &Context, t: &Target, out: &mut Vec<Violation>) {
        let Some(pod) = &t.pod else { return };
        for (c, text, image) in images(pod) {
            if image.pinned() {
                continue;
            }
            let policy = c.node.get("imagePullPolicy").and_then(Node::as_str);
            let effective = policy.unwrap_or(if image.floating() { "Always" } else { "IfNotPresent" });
            if effective != "Always" {
                let how = if policy.is_some() { "" } else { " (the default for a version tag)" };
                out.push(Violation::new(
                    c.path.key("imagePullPolicy"),
                    format!("{} of {} pulls mutable `{text}` with imagePullPolicy {effective}{how}", c.describe(), t.what()),
                ));
            }
        }
    }
}
