//! What exists besides the object under review: Gatekeeper's `data.inventory` for
//! referential templates, and the Namespaces that `namespaceSelector` and CEL's
//! `namespaceObject` read. Filled from `--inventory` files, from the Namespaces of the input
//! itself as they are read, and on a live cluster from the cluster.

use crate::value;
use palisade_core::{Node, Object};
use std::collections::HashMap;
use std::sync::{Arc, RwLock};

#[derive(Default)]
pub struct Inventory {
    /// `data.inventory` as Rego reads it: `cluster[groupVersion][kind][name]` and
    /// `namespace[ns][groupVersion][kind][name]`.
    data: RwLock<serde_json::Map<String, serde_json::Value>>,
    /// Bumped on each change, so Rego engines know to reload the data.
    generation: std::sync::atomic::AtomicU64,
    namespaces: RwLock<HashMap<String, Arc<Node>>>,
    /// What the loaded policies read of a live cluster besides the object under review.
    wants: RwLock<Wants>,
    /// Roles and bindings, for CEL's `authorizer`; the authorizer built from them, until
    /// another one arrives.
    rbac_objects: RwLock<Vec<palisade_analysis::rbac::model::RbacObject>>,
    rbac: RwLock<Option<Arc<palisade_analysis::rbac::Rbac>>>,
}

/// What the policies need synced from a live cluster, as Gatekeeper's sync does.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Wants {
    /// Namespaces (namespaceSelectors, `namespaceObject`).
    pub namespaces: bool,
    /// Every object (a template reads `data.inventory` and says no more).
    pub everything: bool,
    /// (group, kind) pairs a template's `metadata.gatekeeper.sh/requires-sync-data` names.
    pub kinds: Vec<(String, String)>,
}

impl Inventory {
    /// Adds an object that exists in the cluster (not itself under review).
    pub fn add(&self, node: &Node) {
        let Ok(object) = Object::from_node(node) else { return };
        if object.kind == "Namespace" && object.api_version == "v1" {
            self.add_namespace(node);
        }
        if let Some(r) = palisade_analysis::rbac::model::read(&object, node) {
            self.rbac_objects.write().unwrap_or_else(|e| e.into_inner()).push(r);
            *self.rbac.write().unwrap_or_else(|e| e.into_inner()) = None;
        }
        let json = value::json(node);
        let mut data = self.data.write().unwrap_or_else(|e| e.into_inner());
        let scope = match object.namespace {
            Some(ns) if !palisade_core::is_cluster_scoped(object.kind) => {
                let ns_map = entry(entry(&mut data, "namespace"), ns);
                ns_map
            }
            _ => entry(&mut data, "cluster"),
        };
        entry(entry(scope, object.api_version), object.kind).insert(object.name.to_string(), json);
        self.generation.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }

    /// The authorizer over the inventory's Roles and bindings (and Kubernetes' default roles
    /// they name), as CEL's `authorizer` asks it.
    pub fn rbac(&self) -> Arc<palisade_analysis::rbac::Rbac> {
        if let Some(r) = self.rbac.read().unwrap_or_else(|e| e.into_inner()).as_ref() {
            return r.clone();
        }
        let (mut roles, mut bindings) = (Vec::new(), Vec::new());
        for o in self.rbac_objects.read().unwrap_or_else(|e| e.into_inner()).iter() {
            match o {
                palisade_analysis::rbac::model::RbacObject::Role(r) => roles.push(r.clone()),
                palisade_analysis::rbac::model::RbacObject::Binding(b) => bindings.push(b.clone()),
            }
        }
        let rbac = Arc::new(palisade_analysis::rbac::Rbac::new(roles, bindings, true));
        *self.rbac.write().unwrap_or_else(|e| e.into_inner()) = Some(rbac.clone());
        rbac
    }

    /// Records what a loaded policy needs synced.
    pub fn want(&self, more: Wants) {
        let mut w = self.wants.write().unwrap_or_else(|e| e.into_inner());
        w.namespaces |= more.namespaces;
        w.everything |= more.everything;
        w.kinds.extend(more.kinds);
    }

    /// Whether the policies need objects of `group`/`kind` from a live cluster.
    pub fn wants(&self, group: &str, kind: &str) -> bool {
        let w = self.wants.read().unwrap_or_else(|e| e.into_inner());
        w.everything || (w.namespaces && group.is_empty() && kind == "Namespace") || w.kinds.iter().any(|(g, k)| (g == group || g == "*") && (k == kind || k == "*"))
    }

    /// Whether the policies need anything from a live cluster.
    pub fn wants_any(&self) -> bool {
        *self.wants.read().unwrap_or_else(|e| e.into_inner()) != Wants::default()
    }

    /// Remembers a Namespace object (its labels decide `namespaceSelector`s).
    pub fn add_namespace(&self, node: &Node) {
        if let Some(name) = node.get("metadata").and_then(|m| m.get("name")).and_then(Node::as_str) {
            self.namespaces.write().unwrap_or_else(|e| e.into_inner()).insert(name.to_string(), Arc::new(node.clone()));
        }
    }

    /// Remembers a Namespace as it is judged (a watch, a cluster scan without a first pass).
    pub fn saw(&self, t: &palisade_core::Target) {
        if t.object.kind == "Namespace" {
            self.add_namespace(t.object.node);
        }
    }

    /// The Namespace object of that name, when known.
    pub fn namespace(&self, name: &str) -> Option<Arc<Node>> {
        self.namespaces.read().unwrap_or_else(|e| e.into_inner()).get(name).cloned()
    }

    /// `data.inventory` as JSON, and its generation.
    pub fn data(&self) -> (serde_json::Value, u64) {
        let data = self.data.read().unwrap_or_else(|e| e.into_inner());
        let mut inv = data.clone();
        inv.entry("cluster").or_insert_with(|| serde_json::json!({}));
        inv.entry("namespace").or_insert_with(|| serde_json::json!({}));
        (serde_json::Value::Object(inv), self.generation())
    }

    pub fn generation(&self) -> u64 {
        self.generation.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Whether anything was added to `data.inventory`.
    pub fn is_empty(&self) -> bool {
        self.data.read().unwrap_or_else(|e| e.into_inner()).is_empty()
    }
}

fn entry<'a>(map: &'a mut serde_json::Map<String, serde_json::Value>, key: &str) -> &'a mut serde_json::Map<String, serde_json::Value> {
    let v = map.entry(key.to_string()).or_insert_with(|| serde_json::Value::Object(Default::default()));
    if !v.is_object() {
        *v = serde_json::Value::Object(Default::default());
    }
    v.as_object_mut().expect("made an object above")
}
