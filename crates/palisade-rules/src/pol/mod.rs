//! Policy rules (`POL…`): problems with waivers themselves — expired, stale, or inline waivers
//! that cannot be honoured. They run last, once every other finding has met the waivers.

pub mod expired_waiver;
pub mod invalid_inline_waiver;
pub mod stale_waiver;

use palisade_core::{Anchor, Context, Location, ObjectRef, Pos};
use std::sync::Arc;

/// The policy file as the object waiver findings attach to, at `pos` in it.
pub(crate) fn waiver_anchor(cx: &Context, pos: Pos) -> Arc<Anchor> {
    let source = cx.policy.source.clone();
    Arc::new(Anchor {
        object: Arc::new(ObjectRef {
            api_version: "palisade.io/v1".into(),
            kind: "Policy".into(),
            namespace: None,
            name: source.as_deref().unwrap_or("policy").to_string(),
        }),
        location: source.map(|file| Location::at(file, pos, 1)),
        labels: None,
        inline: None,
    })
}
