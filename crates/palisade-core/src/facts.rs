//! Facts that cross objects (which namespaces exist, what each holds), gathered file by file
//! and merged, so rules about a namespace as a whole run once at the end of a scan without
//! the scan keeping every document.

use crate::finding::Location;
use crate::object::ObjectRef;
use crate::policy::InlineWaiver;
use crate::value::Node;
use std::collections::{BTreeMap, BTreeSet};
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

/// A `Namespace` object of the input.
#[derive(Clone, Debug)]
pub struct NamespaceFact {
    pub name: String,
    pub anchor: Arc<Anchor>,
}

/// What crosses objects, for one input or (merged) for the whole scan.
#[derive(Clone, Debug, Default)]
pub struct Facts {
    /// Namespaces declared by `Namespace` objects, in input order.
    pub namespaces: Vec<NamespaceFact>,
    /// The kinds of the objects in each namespace (`ResourceQuota`, `NetworkPolicy`, …).
    pub kinds: BTreeMap<String, BTreeSet<String>>,
}

impl Facts {
    /// Whether namespace `ns` holds an object of `kind`.
    pub fn namespace_has(&self, ns: &str, kind: &str) -> bool {
        self.kinds.get(ns).is_some_and(|k| k.contains(kind))
    }

    pub fn merge(&mut self, other: Facts) {
        self.namespaces.extend(other.namespaces);
        for (ns, kinds) in other.kinds {
            self.kinds.entry(ns).or_default().extend(kinds);
        }
    }
}
