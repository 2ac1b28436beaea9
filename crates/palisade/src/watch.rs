//! Watch mode: the events of [`palisade_cluster::watch`] fed to the incremental engine
//! ([`Incremental`]), which answers each change with the findings it opened and resolved.
//!
//! Until every resource type has been listed once, each object's own rules run as it arrives
//! (nothing of it is kept but its findings and its facts); then the cross-object rules judge
//! everything once and every open finding is reported as opened. After that, each change
//! re-judges what it touches. A relist (after `410 Gone`) is applied object by object and the
//! objects it no longer holds are removed, so only true differences come out.
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
    live: Incremental,
    /// Whether every type has been listed once and everything judged.
    synced: bool,
    resources: Vec<ApiResource>,
    /// Types whose first list has not come (neither listed nor unavailable).
    waiting: HashSet<usize>,
    /// The objects each type holds now.
    known: Vec<HashSet<ObjectRef>>,
    /// The objects seen by each list under way.
    listing: HashMap<usize, HashSet<ObjectRef>>,
    /// The Nodes, for `ClusterInfo`.
    nodes: BTreeMap<String, Value>,
    identity: ClusterIdentity,
    /// Types that cannot be read, and why.
    pub unavailable: Vec<(usize, ReadState)>,
    /// Objects that could not be judged, each with the reason.
    pub errors: Vec<String>,
}

fn reference(object: &Value) -> ObjectRef {
    let meta = &object["metadata"];
    ObjectRef {
        api_version: object["apiVersion"].as_str().unwrap_or("").to_string(),
        kind: object["kind"].as_str().unwrap_or("").to_string(),
        namespace: meta["namespace"].as_str().filter(|n| !n.is_empty()).map(str::to_string),
        name: meta["name"].as_str().unwrap_or("").to_string(),
    }
}

fn is_node(object: &Value) -> bool {
    object["kind"] == "Node" && object["apiVersion"] == "v1"
}

impl Session {
    pub fn new(engine: Engine, builtin_roles: bool, resources: Vec<ApiResource>, identity: ClusterIdentity) -> Session {
        let n = resources.len();
        let (live, _) = Incremental::load(engine, builtin_roles, std::iter::empty());
        Session {
            live,
            synced: false,
            resources,
            waiting: (0..n).collect(),
            known: vec![HashSet::new(); n],
            listing: HashMap::new(),
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
        self.synced
    }

    /// The findings open now (none before the first judgement).
    pub fn open(&self) -> impl Iterator<Item = &Finding> {
        self.live.findings().filter(|_| self.synced)
    }

    /// The objects held.
    pub fn objects(&self) -> usize {
        self.known.iter().map(HashSet::len).sum()
    }

    /// Takes one event; returns the findings it opened and resolved. Until every type has
    /// been listed, objects are gathered and nothing comes out; the event that completes the
    /// first lists returns every open finding as opened.
    pub fn handle(&mut self, event: Event) -> Vec<(Change, Finding)> {
        let mut delta = Delta::default();
        match event {
            Event::Listing(i) => {
                self.listing.insert(i, HashSet::new());
            }
            Event::Page(i, objects) => {
                for object in objects {
                    self.listing.entry(i).or_default().insert(reference(&object));
                    self.apply(i, object, &mut delta);
                }
            }
            Event::Listed(i) => {
                let seen = self.listing.remove(&i).unwrap_or_default();
                for gone in self.known[i].difference(&seen).cloned().collect::<Vec<_>>() {
                    self.remove(i, &gone, &mut delta);
                }
                self.listed(i, &mut delta);
            }
            Event::Applied(i, object) => self.apply(i, object, &mut delta),
            Event::Deleted(i, object) => {
                if is_node(&object) {
                    self.see_node(&object, false);
                    self.update_cluster_info(&mut delta);
                }
                self.remove(i, &reference(&object), &mut delta);
            }
            Event::Unavailable(i, state) => {
                self.unavailable.push((i, state));
                self.listed(i, &mut delta);
            }
            Event::Restarted(..) | Event::Alive(_) => {}
        }
        if self.synced {
            net(delta)
        } else {
            Vec::new()
        }
    }

    /// Type `i` has had its first list (or cannot have one); the last of them judges all.
    fn listed(&mut self, i: usize, delta: &mut Delta) {
        if !self.waiting.remove(&i) || !self.waiting.is_empty() {
            return;
        }
        let info = node_of(&self.cluster_info());
        if let Err(e) = self.live.gather(&info) {
            self.errors.push(format!("ClusterInfo: {e}"));
        }
        self.live.settle();
        self.synced = true;
        *delta = Delta { opened: self.live.findings().cloned().collect(), resolved: Vec::new() };
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

    /// The Nodes changed: so does `ClusterInfo` (once it is judged).
    fn update_cluster_info(&mut self, delta: &mut Delta) {
        if !self.synced {
            return;
        }
        match self.live.apply(&node_of(&self.cluster_info())) {
            Ok(d) => merge(delta, d),
            Err(e) => self.errors.push(format!("ClusterInfo: {e}")),
        }
    }

    /// Adds or replaces an object: before the first judgement only its own rules run.
    fn apply(&mut self, i: usize, object: Value, delta: &mut Delta) {
        let node = is_node(&object);
        if node {
            self.see_node(&object, true);
        }
        let tree = node_of(&object);
        let judged = if self.synced { self.live.apply(&tree).map(|d| merge(delta, d)) } else { self.live.gather(&tree) };
        match judged {
            Ok(()) => {
                self.known[i].insert(reference(&object));
            }
            Err(e) => self.errors.push(format!("{}: {e}", reference(&object))),
        }
        if node {
            self.update_cluster_info(delta);
        }
    }

    fn remove(&mut self, i: usize, object: &ObjectRef, delta: &mut Delta) {
        merge(delta, self.live.remove(object));
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
