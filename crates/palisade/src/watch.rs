//! Watch mode: the events of [`palisade_cluster::watch`] fed to the incremental engine
//! ([`Incremental`]), which answers each change with the findings it opened and resolved.
//!
//! Until every resource type has been listed once, objects are only gathered; then the
//! engine judges them all at once and every open finding is reported as opened. After that,
//! each change re-judges what it touches. A relist (after `410 Gone`) is applied object by
//! object and the objects it no longer holds are removed, so only true differences come out.
//! The cluster's `ClusterInfo` (version, kubelets) follows the Nodes as they change.

use palisade_cluster::platform::Observer;
use palisade_cluster::watch::Event;
use palisade_cluster::ApiResource;
use palisade_core::coverage::ReadState;
use palisade_core::{Finding, ObjectRef};
use palisade_rules::{Delta, Engine, Incremental};
use palisade_source::json::node_of;
use serde_json::Value;
use std::collections::{BTreeMap, HashMap, HashSet};

/// Whether a finding opened or resolved.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Change {
    Opened,
    Resolved,
}

impl Change {
    pub fn as_str(self) -> &'static str {
        match self {
            Change::Opened => "opened",
            Change::Resolved => "resolved",
        }
    }
}

/// What the server the watch reads is, for the `ClusterInfo` object.
pub struct ClusterIdentity {
    pub server: String,
    pub context: Option<String>,
    pub version: Option<String>,
}

/// A watch session's state.
pub struct Session {
    /// The engine, until the first lists are in; then the incremental judgement.
    engine: Option<Engine>,
    live: Option<Incremental>,
    builtin_roles: bool,
    resources: Vec<ApiResource>,
    /// Objects gathered per type before the first judgement.
    gathered: Vec<BTreeMap<(String, String), Value>>,
    /// Types whose first list has not come (neither listed nor unavailable).
    waiting: HashSet<usize>,
    /// The objects each type holds now, after the first judgement.
    known: Vec<HashSet<ObjectRef>>,
    /// The Nodes, for `ClusterInfo`.
    nodes: BTreeMap<String, Value>,
    identity: ClusterIdentity,
    /// Types that cannot be read, and why.
    pub unavailable: Vec<(usize, ReadState)>,
    /// Objects that could not be judged, each with the reason.
    pub errors: Vec<String>,
}

fn key(object: &Value) -> (String, String) {
    let meta = &object["metadata"];
    (meta["namespace"].as_str().unwrap_or("").to_string(), meta["name"].as_str().unwrap_or("").to_string())
}

fn reference(object: &Value) -> ObjectRef {
    let (namespace, name) = key(object);
    ObjectRef {
        api_version: object["apiVersion"].as_str().unwrap_or("").to_string(),
        kind: object["kind"].as_str().unwrap_or("").to_string(),
        namespace: (!namespace.is_empty()).then_some(namespace),
        name,
    }
}

fn is_node(object: &Value) -> bool {
    object["kind"] == "Node" && object["apiVersion"] == "v1"
}

impl Session {
    pub fn new(engine: Engine, builtin_roles: bool, resources: Vec<ApiResource>, identity: ClusterIdentity) -> Session {
        let n = resources.len();
        Session {
            engine: Some(engine),
            live: None,
            builtin_roles,
            resources,
            gathered: vec![BTreeMap::new(); n],
            waiting: (0..n).collect(),
            known: vec![HashSet::new(); n],
            nodes: BTreeMap::new(),
            identity,
            unavailable: Vec::new(),
            errors: Vec::new(),
        }
    }

    pub fn resources(&self) -> &[ApiResource] {
        &self.resources
    }

    /// Whether every type has been listed once and judged.
    pub fn synced(&self) -> bool {
        self.live.is_some()
    }

    /// The findings open now (none before the first judgement).
    pub fn open(&self) -> impl Iterator<Item = &Finding> {
        self.live.iter().flat_map(|l| l.findings())
    }

    /// The objects held (gathered, before the first judgement).
    pub fn objects(&self) -> usize {
        match &self.live {
            Some(_) => self.known.iter().map(HashSet::len).sum(),
            None => self.gathered.iter().map(BTreeMap::len).sum(),
        }
    }

    /// Takes one event; returns the findings it opened and resolved.
    pub fn handle(&mut self, event: Event) -> Vec<(Change, Finding)> {
        let mut delta = Delta::default();
        match event {
            Event::Listed(i, objects) if self.live.is_none() => {
                objects.iter().filter(|o| is_node(o)).for_each(|o| self.see_node(o, true));
                self.gathered[i] = objects.into_iter().map(|o| (key(&o), o)).collect();
                self.waiting.remove(&i);
                if self.waiting.is_empty() {
                    delta = self.judge_all();
                }
            }
            Event::Listed(i, objects) => {
                let now: HashSet<ObjectRef> = objects.iter().map(reference).collect();
                for gone in self.known[i].difference(&now).cloned().collect::<Vec<_>>() {
                    self.remove(i, &gone, &mut delta);
                }
                for object in objects {
                    self.apply(i, object, &mut delta);
                }
            }
            Event::Applied(i, object) if self.live.is_none() => {
                if is_node(&object) {
                    self.see_node(&object, true);
                }
                self.gathered[i].insert(key(&object), object);
            }
            Event::Applied(i, object) => self.apply(i, object, &mut delta),
            Event::Deleted(i, object) if self.live.is_none() => {
                if is_node(&object) {
                    self.see_node(&object, false);
                }
                self.gathered[i].remove(&key(&object));
            }
            Event::Deleted(i, object) => {
                if is_node(&object) {
                    self.see_node(&object, false);
                    self.update_cluster_info(&mut delta);
                }
                self.remove(i, &reference(&object), &mut delta);
            }
            Event::Unavailable(i, state) => {
                self.unavailable.push((i, state));
                if self.waiting.remove(&i) && self.waiting.is_empty() && self.live.is_none() {
                    delta = self.judge_all();
                }
            }
            Event::Restarted(..) | Event::Alive(_) => {}
        }
        net(delta)
    }

    fn see_node(&mut self, node: &Value, present: bool) {
        let name = node["metadata"]["name"].as_str().unwrap_or("").to_string();
        if present {
            self.nodes.insert(name, node.clone());
        } else {
            self.nodes.remove(&name);
        }
    }

    fn cluster_info(&self) -> Value {
        let mut observer = Observer::default();
        self.nodes.values().for_each(|n| observer.see(n));
        let id = &self.identity;
        observer.cluster_info(&id.server, id.context.as_deref(), id.version.as_deref())
    }

    fn update_cluster_info(&mut self, delta: &mut Delta) {
        let info = node_of(&self.cluster_info());
        if let Some(live) = &mut self.live {
            match live.apply(&info) {
                Ok(d) => merge(delta, d),
                Err(e) => self.errors.push(format!("ClusterInfo: {e}")),
            }
        }
    }

    /// The first judgement, over everything gathered; every finding is new.
    fn judge_all(&mut self) -> Delta {
        let Some(engine) = self.engine.take() else { return Delta::default() };
        let gathered = std::mem::take(&mut self.gathered);
        let mut nodes = Vec::with_capacity(gathered.iter().map(BTreeMap::len).sum::<usize>() + 1);
        for (i, objects) in gathered.into_iter().enumerate() {
            self.known[i] = objects.values().map(reference).collect();
            nodes.extend(objects.values().map(node_of));
        }
        nodes.push(node_of(&self.cluster_info()));
        let (live, errors) = Incremental::load(engine, self.builtin_roles, nodes.iter());
        self.errors.extend(errors);
        let delta = Delta { opened: live.findings().cloned().collect(), resolved: Vec::new() };
        self.live = Some(live);
        delta
    }

    fn apply(&mut self, i: usize, object: Value, delta: &mut Delta) {
        let node = is_node(&object);
        if node {
            self.see_node(&object, true);
        }
        let Some(live) = &mut self.live else { return };
        match live.apply(&node_of(&object)) {
            Ok(d) => {
                self.known[i].insert(reference(&object));
                merge(delta, d);
            }
            Err(e) => self.errors.push(format!("{}: {e}", reference(&object))),
        }
        if node {
            self.update_cluster_info(delta);
        }
    }

    fn remove(&mut self, i: usize, object: &ObjectRef, delta: &mut Delta) {
        if let Some(live) = &mut self.live {
            merge(delta, live.remove(object));
        }
        self.known[i].remove(object);
    }
}

fn merge(delta: &mut Delta, more: Delta) {
    delta.opened.extend(more.opened);
    delta.resolved.extend(more.resolved);
}

/// What a delta changed in the end: a finding resolved and opened again within one event (a
/// relist's removals and applies re-judging the same scope) is no change.
fn net(delta: Delta) -> Vec<(Change, Finding)> {
    let id = palisade_rules::incremental::finding_id;
    let mut count: HashMap<_, isize> = HashMap::new();
    for f in &delta.resolved {
        *count.entry(id(f)).or_default() -= 1;
    }
    for f in &delta.opened {
        *count.entry(id(f)).or_default() += 1;
    }
    let mut out = Vec::new();
    for (change, f) in delta.resolved.into_iter().map(|f| (Change::Resolved, f)).chain(delta.opened.into_iter().map(|f| (Change::Opened, f))) {
        let n = count.get_mut(&id(&f)).expect("counted");
        let wanted = if change == Change::Opened { *n > 0 } else { *n < 0 };
        if wanted {
            *n -= n.signum();
            out.push((change, f));
        }
    }
    out
}
