//! Supply-chain rules (`IMG…`): where images come from and whether a reference names one
//! build or whatever was pushed last.

pub mod floating_tag;
pub mod mutable_tag_pull_policy;
pub mod not_pinned_by_digest;
pub mod registry_not_allowed;

use palisade_core::{ContainerView, ImageRef, Node, PodSpecView};

/// Every container with an image, and that image parsed.
pub(crate) fn images<'a>(pod: &'a PodSpecView<'a>) -> impl Iterator<Item = (&'a ContainerView<'a>, &'a str, ImageRef)> + 'a {
    pod.containers().filter_map(|c| {
        let text = c.node.get("image").and_then(Node::as_str)?;
        Some((c, text, ImageRef::parse(text)?))
    })
}
