//! Anchors: the located object a cross-object finding attaches to.

use crate::finding::Location;
use crate::object::ObjectRef;
use crate::policy::InlineWaiver;
use crate::value::Node;
use std::sync::Arc;

/// A located object that a cross-object finding attaches to, with what waivers match on.
#[derive(Clone, Debug)]
pub struct Anchor {
    pub object: Arc<ObjectRef>,
    pub location: Option<Location>,
    /// The object's `metadata.labels` (for waivers that match labels).
    pub labels: Option<Node>,
    pub inline: Option<InlineWaiver>,
}
