//! The network part of the model: workloads' pods, NetworkPolicies and namespace labels,
//! indexed so that who selects whom is computed once and kept up to date one object at a
//! time. Per namespace, pods are indexed by label and policies by one requirement of their
//! `podSelector`; each pod remembers the policies that select it, per direction. Adding a
//! pod costs the policies that could select it, adding a policy the pods it could select —
//! never the namespace times its policies.

use super::Key;
use crate::netpol::model::{NetPod, Peer, Policy, PortRef};
use crate::netpol::{Direction, Network};
use crate::selector::{Requirement, Selector};
use palisade_core::Anchor;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::net::IpAddr;
use std::sync::Arc;

/// The cloud metadata endpoint.
pub const METADATA: IpAddr = IpAddr::V4(std::net::Ipv4Addr::new(169, 254, 169, 254));
/// A public address, standing for "outside the cluster".
pub const OUTSIDE: IpAddr = IpAddr::V4(std::net::Ipv4Addr::new(203, 0, 113, 10));

pub type PodId = u32;
pub type PolicyId = u32;

/// A workload's pods, with the policies that select them.
#[derive(Debug)]
pub struct PodEntry {
    pub pod: NetPod,
    pub anchor: Arc<Anchor>,
    /// Policies of the namespace that select these pods for ingress / egress.
    pub ingress: Vec<PolicyId>,
    pub egress: Vec<PolicyId>,
}

impl PodEntry {
    pub fn selected_by(&self, direction: Direction) -> &[PolicyId] {
        match direction {
            Direction::Ingress => &self.ingress,
            Direction::Egress => &self.egress,
        }
    }
}

/// A NetworkPolicy, with what can be decided about it alone.
#[derive(Debug)]
pub struct PolicyEntry {
    pub policy: Policy,
    pub anchor: Arc<Anchor>,
    /// Some egress rule allows the cloud metadata endpoint on some port.
    pub egress_to_metadata: bool,
    /// Indices of the ingress rules that admit traffic from outside the cluster.
    pub ingress_from_outside: Vec<usize>,
    /// Some ingress peer is `namespaceSelector: {}` without a narrowing `podSelector`.
    pub ingress_from_every_namespace: bool,
}

/// Where a policy is found in the policy index of its namespace.
#[derive(Clone, Debug, PartialEq)]
enum IndexedBy {
    /// Under each (key, value): an `In` requirement (matchLabels included).
    Values(String, Vec<String>),
    /// Under the key: an `Exists` requirement.
    Key(String),
    /// Everywhere: an empty selector, or only negative requirements.
    Anything,
}

impl IndexedBy {
    fn of(selector: &Selector) -> IndexedBy {
        let mut best = IndexedBy::Anything;
        for r in &selector.requirements {
            match r {
                Requirement::In(k, vs) => return IndexedBy::Values(k.clone(), vs.clone()),
                Requirement::Exists(k) if best == IndexedBy::Anything => best = IndexedBy::Key(k.clone()),
                _ => {}
            }
        }
        best
    }
}

/// One namespace of the network.
#[derive(Debug, Default)]
pub struct NamespaceNet {
    /// Labels of the Namespace object, with its automatic name label; `None` until one is
    /// applied (selectors then see only the name label).
    pub labels: Option<BTreeMap<String, String>>,
    pub pods: BTreeMap<Key, PodId>,
    pub policies: BTreeMap<Key, PolicyId>,
    pods_by_label: HashMap<(String, String), BTreeSet<PodId>>,
    pods_by_key: HashMap<String, BTreeSet<PodId>>,
    policies_by_label: HashMap<(String, String), BTreeSet<PolicyId>>,
    policies_by_key: HashMap<String, BTreeSet<PolicyId>>,
    policies_anywhere: BTreeSet<PolicyId>,
}

impl NamespaceNet {
    fn is_empty(&self) -> bool {
        self.labels.is_none() && self.pods.is_empty() && self.policies.is_empty()
    }

    /// Pods that may match `selector` (a superset; check each).
    fn candidate_pods(&self, selector: &Selector) -> Box<dyn Iterator<Item = PodId> + '_> {
        match IndexedBy::of(selector) {
            IndexedBy::Values(k, vs) => {
                let mut ids: Vec<PodId> = vs
                    .iter()
                    .flat_map(|v| self.pods_by_label.get(&(k.clone(), v.clone())).into_iter().flatten().copied())
                    .collect();
                if vs.len() > 1 {
                    ids.sort_unstable();
                    ids.dedup();
                }
                Box::new(ids.into_iter())
            }
            IndexedBy::Key(k) => Box::new(self.pods_by_key.get(&k).into_iter().flatten().copied()),
            IndexedBy::Anything => Box::new(self.pods.values().copied()),
        }
    }

    /// Policies that may select a pod with these labels (a superset; check each).
    fn candidate_policies(&self, labels: &BTreeMap<String, String>) -> Vec<PolicyId> {
        let mut ids: Vec<PolicyId> = self.policies_anywhere.iter().copied().collect();
        for (k, v) in labels {
            ids.extend(self.policies_by_label.get(&(k.clone(), v.clone())).into_iter().flatten());
            ids.extend(self.policies_by_key.get(k).into_iter().flatten());
        }
        ids.sort_unstable();
        ids.dedup();
        ids
    }

    fn index_policy(&mut self, id: PolicyId, selector: &Selector, add: bool) {
        let edit = |set: &mut BTreeSet<PolicyId>| {
            if add {
                set.insert(id);
            } else {
                set.remove(&id);
            }
        };
        match IndexedBy::of(selector) {
            IndexedBy::Values(k, vs) => {
                for v in vs {
                    edit(self.policies_by_label.entry((k.clone(), v)).or_default());
                }
            }
            IndexedBy::Key(k) => edit(self.policies_by_key.entry(k).or_default()),
            IndexedBy::Anything => edit(&mut self.policies_anywhere),
        }
    }

    fn index_pod(&mut self, id: PodId, labels: &BTreeMap<String, String>, add: bool) {
        for (k, v) in labels {
            for set in [self.pods_by_label.entry((k.clone(), v.clone())).or_default(), self.pods_by_key.entry(k.clone()).or_default()] {
                if add {
                    set.insert(id);
                } else {
                    set.remove(&id);
                }
            }
        }
        if !add {
            self.pods_by_label.retain(|_, s| !s.is_empty());
            self.pods_by_key.retain(|_, s| !s.is_empty());
        }
    }
}

/// Slots that are reused after removal.
#[derive(Debug)]
struct Slab<T> {
    slots: Vec<Option<T>>,
    free: Vec<u32>,
}

impl<T> Default for Slab<T> {
    fn default() -> Self {
        Slab { slots: Vec::new(), free: Vec::new() }
    }
}

impl<T> Slab<T> {
    fn insert(&mut self, value: T) -> u32 {
        match self.free.pop() {
            Some(id) => {
                self.slots[id as usize] = Some(value);
                id
            }
            None => {
                self.slots.push(Some(value));
                (self.slots.len() - 1) as u32
            }
        }
    }

    fn remove(&mut self, id: u32) -> Option<T> {
        let v = self.slots.get_mut(id as usize)?.take();
        if v.is_some() {
            self.free.push(id);
        }
        v
    }

    fn get(&self, id: u32) -> &T {
        self.slots[id as usize].as_ref().expect("live slot")
    }

    fn get_mut(&mut self, id: u32) -> &mut T {
        self.slots[id as usize].as_mut().expect("live slot")
    }
}

/// The network of the model.
#[derive(Debug, Default)]
pub struct NetModel {
    pods: Slab<PodEntry>,
    policies: Slab<PolicyEntry>,
    namespaces: BTreeMap<String, NamespaceNet>,
    /// Each distinct `namespaceSelector` of policy peers: the namespaces it matches, and
    /// the namespaces whose policies use it.
    crossing: HashMap<String, Crossing>,
}

/// A `namespaceSelector` of policy peers, with what it matches and who uses it.
#[derive(Debug)]
pub struct Crossing {
    selector: Selector,
    pub matched: BTreeSet<String>,
    users: BTreeMap<String, usize>,
}

/// How the crossing index names a selector.
fn selector_key(selector: &Selector) -> String {
    format!("{:?}", selector.requirements)
}

/// The namespace selectors of a policy's peers.
fn namespace_selectors(policy: &Policy) -> impl Iterator<Item = &Selector> {
    policy.ingress.iter().chain(&policy.egress).flat_map(|r| &r.peers).filter_map(|p| match p {
        Peer::Selectors { namespaces: Some(ns), .. } => Some(ns),
        _ => None,
    })
}

fn automatic_labels(ns: &str) -> BTreeMap<String, String> {
    [("kubernetes.io/metadata.name".to_string(), ns.to_string())].into()
}

fn rule_has_port_for_address(rule: &crate::netpol::model::Rule) -> bool {
    rule.ports.is_empty() || rule.ports.iter().any(|p| !matches!(p.port, PortRef::Name(_)))
}

fn peers_admit_address(peers: &[Peer], ip: &IpAddr) -> bool {
    peers.is_empty()
        || peers.iter().any(|p| match p {
            Peer::Block { cidr, except } => cidr.contains(ip) && !except.iter().any(|e| e.contains(ip)),
            Peer::Selectors { .. } => false,
        })
}

impl PolicyEntry {
    fn new(policy: Policy, anchor: Arc<Anchor>) -> PolicyEntry {
        let egress_to_metadata = policy.egress_type
            && policy.egress.iter().any(|r| peers_admit_address(&r.peers, &METADATA) && rule_has_port_for_address(r));
        let ingress_from_outside =
            policy.ingress.iter().enumerate().filter(|(_, r)| peers_admit_address(&r.peers, &OUTSIDE)).map(|(i, _)| i).collect();
        let ingress_from_every_namespace = policy.ingress.iter().any(|r| {
            r.peers.iter().any(|peer| match peer {
                Peer::Selectors { namespaces: Some(ns), pods } => {
                    ns.requirements.is_empty() && pods.as_ref().is_none_or(|s| s.requirements.is_empty())
                }
                _ => false,
            })
        });
        PolicyEntry { policy, anchor, egress_to_metadata, ingress_from_outside, ingress_from_every_namespace }
    }

    /// Whether the ingress rules that admit outside traffic leave some port of `pod` open.
    pub fn admits_outside_to(&self, pod: &NetPod) -> bool {
        self.ingress_from_outside.iter().any(|&r| {
            let rule = &self.policy.ingress[r];
            rule.ports.is_empty()
                || rule.ports.iter().any(|p| match &p.port {
                    PortRef::Name(name) => {
                        pod.ports.iter().any(|cp| cp.name.as_deref() == Some(name.as_str()) && cp.protocol == p.protocol)
                    }
                    _ => true,
                })
        })
    }
}

impl NetModel {
    pub fn pod(&self, id: PodId) -> &PodEntry {
        self.pods.get(id)
    }

    pub fn policy(&self, id: PolicyId) -> &PolicyEntry {
        self.policies.get(id)
    }

    pub fn namespace(&self, ns: &str) -> Option<&NamespaceNet> {
        self.namespaces.get(ns)
    }

    /// Every namespace with pods, policies or a Namespace object.
    pub fn namespaces(&self) -> impl Iterator<Item = (&str, &NamespaceNet)> {
        self.namespaces.iter().map(|(n, v)| (n.as_str(), v))
    }

    /// Namespaces whose policies have peers in other namespaces.
    pub fn crossing_namespaces(&self) -> BTreeSet<String> {
        self.crossing.values().flat_map(|c| c.users.keys().cloned()).collect()
    }

    /// Namespaces whose policies have peers that select namespace `ns` (by its labels now).
    pub fn dependents_of(&self, ns: &str) -> BTreeSet<String> {
        self.crossing.values().filter(|c| c.matched.contains(ns)).flat_map(|c| c.users.keys().cloned()).collect()
    }

    /// Re-judges which crossing selectors match `ns` after its labels or existence changed.
    fn refresh_crossing(&mut self, ns: &str) {
        let labels = self.namespaces.contains_key(ns).then(|| self.namespace_labels(ns).into_owned());
        for c in self.crossing.values_mut() {
            if labels.as_ref().is_some_and(|l| c.selector.matches(l)) {
                c.matched.insert(ns.to_string());
            } else {
                c.matched.remove(ns);
            }
        }
    }

    fn index_crossing(&mut self, policy: &Policy, add: bool) {
        for selector in namespace_selectors(policy) {
            let key = selector_key(selector);
            if add && !self.crossing.contains_key(&key) {
                let matched = self.matching_namespaces(selector).map(str::to_string).collect();
                self.crossing.insert(key.clone(), Crossing { selector: selector.clone(), matched, users: BTreeMap::new() });
            }
            let Some(c) = self.crossing.get_mut(&key) else { continue };
            let n = c.users.entry(policy.namespace.clone()).or_default();
            if add {
                *n += 1;
            } else {
                *n -= 1;
                if *n == 0 {
                    c.users.remove(&policy.namespace);
                }
                if c.users.is_empty() {
                    self.crossing.remove(&key);
                }
            }
        }
    }

    /// The labels namespace selectors see for `ns`.
    pub fn namespace_labels(&self, ns: &str) -> std::borrow::Cow<'_, BTreeMap<String, String>> {
        match self.namespaces.get(ns).and_then(|n| n.labels.as_ref()) {
            Some(l) => std::borrow::Cow::Borrowed(l),
            None => std::borrow::Cow::Owned(automatic_labels(ns)),
        }
    }

    /// The pods of a namespace, in key order.
    pub fn pods_in<'a>(&'a self, ns: &str) -> impl Iterator<Item = &'a PodEntry> + 'a {
        self.namespaces.get(ns).into_iter().flat_map(|n| n.pods.values()).map(|&id| self.pods.get(id))
    }

    /// The policies of a namespace, in key order.
    pub fn policies_in<'a>(&'a self, ns: &str) -> impl Iterator<Item = &'a PolicyEntry> + 'a {
        self.namespaces.get(ns).into_iter().flat_map(|n| n.policies.values()).map(|&id| self.policies.get(id))
    }

    /// The pods of `ns` that `selector` matches, in no particular order.
    pub fn matching_pods<'a>(&'a self, ns: &str, selector: &'a Selector) -> impl Iterator<Item = &'a PodEntry> + 'a {
        self.namespaces
            .get(ns)
            .into_iter()
            .flat_map(move |n| n.candidate_pods(selector))
            .map(|id| self.pods.get(id))
            .filter(move |p| selector.matches(&p.pod.labels))
    }

    /// The pods a policy's `podSelector` selects.
    pub fn selected_pods<'a>(&'a self, policy: &'a PolicyEntry) -> impl Iterator<Item = &'a PodEntry> + 'a {
        self.matching_pods(&policy.policy.namespace, &policy.policy.pod_selector)
    }

    /// Namespaces (known to the model) whose labels `selector` matches, in name order.
    pub fn matching_namespaces<'a>(&'a self, selector: &'a Selector) -> Box<dyn Iterator<Item = &'a str> + 'a> {
        match self.crossing.get(&selector_key(selector)) {
            Some(c) => Box::new(c.matched.iter().map(String::as_str)),
            None => Box::new(self.namespaces.keys().map(String::as_str).filter(move |ns| selector.matches(&self.namespace_labels(ns)))),
        }
    }

    /// Makes sure namespace `ns` exists in the network (selectors see it from then on).
    fn ensure(&mut self, ns: &str) {
        if !self.namespaces.contains_key(ns) {
            self.namespaces.insert(ns.to_string(), NamespaceNet::default());
            self.refresh_crossing(ns);
        }
    }

    fn drop_if_empty(&mut self, ns: &str) {
        if self.namespaces.get(ns).is_some_and(NamespaceNet::is_empty) {
            self.namespaces.remove(ns);
            self.refresh_crossing(ns);
        }
    }

    /// Sets (or, with `None`, clears) the labels of a Namespace object.
    pub fn set_namespace_labels(&mut self, ns: &str, labels: Option<BTreeMap<String, String>>) {
        let labels = labels.map(|mut l| {
            l.insert("kubernetes.io/metadata.name".into(), ns.to_string());
            l
        });
        self.ensure(ns);
        self.namespaces.get_mut(ns).expect("ensured").labels = labels;
        self.refresh_crossing(ns);
        self.drop_if_empty(ns);
    }

    pub fn add_pod(&mut self, key: Key, pod: NetPod, anchor: Arc<Anchor>) {
        let ns = pod.namespace.clone();
        self.ensure(&ns);
        let id = self.pods.insert(PodEntry { pod, anchor, ingress: Vec::new(), egress: Vec::new() });
        let (mut ingress, mut egress) = (Vec::new(), Vec::new());
        {
            let labels = &self.pods.get(id).pod.labels;
            let space = self.namespaces.entry(ns.clone()).or_default();
            space.pods.insert(key, id);
            space.index_pod(id, labels, true);
            for pid in space.candidate_policies(labels) {
                let p = &self.policies.get(pid).policy;
                if p.pod_selector.matches(labels) {
                    if p.ingress_type {
                        ingress.push(pid);
                    }
                    if p.egress_type {
                        egress.push(pid);
                    }
                }
            }
        }
        let entry = self.pods.get_mut(id);
        entry.ingress = ingress;
        entry.egress = egress;
    }

    pub fn remove_pod(&mut self, key: &Key, ns: &str) {
        let Some(space) = self.namespaces.get_mut(ns) else { return };
        let Some(id) = space.pods.remove(key) else { return };
        let entry = self.pods.remove(id).expect("indexed pod");
        space.index_pod(id, &entry.pod.labels, false);
        self.drop_if_empty(ns);
    }

    pub fn add_policy(&mut self, key: Key, policy: Policy, anchor: Arc<Anchor>) {
        let ns = policy.namespace.clone();
        self.ensure(&ns);
        let entry = PolicyEntry::new(policy, anchor);
        self.index_crossing(&entry.policy, true);
        let id = self.policies.insert(entry);
        let space = self.namespaces.entry(ns.clone()).or_default();
        space.policies.insert(key, id);
        let p = &self.policies.get(id).policy;
        space.index_policy(id, &p.pod_selector, true);
        let selected: Vec<PodId> = space.candidate_pods(&p.pod_selector).filter(|&pod| p.pod_selector.matches(&self.pods.get(pod).pod.labels)).collect();
        let (ingress, egress) = (p.ingress_type, p.egress_type);
        for pod in selected {
            let e = self.pods.get_mut(pod);
            if ingress {
                e.ingress.push(id);
            }
            if egress {
                e.egress.push(id);
            }
        }
    }

    pub fn remove_policy(&mut self, key: &Key, ns: &str) {
        let Some(space) = self.namespaces.get_mut(ns) else { return };
        let Some(id) = space.policies.remove(key) else { return };
        let entry = self.policies.remove(id).expect("indexed policy");
        space.index_policy(id, &entry.policy.pod_selector, false);
        let selected: Vec<PodId> = space.candidate_pods(&entry.policy.pod_selector).collect();
        for pod in selected {
            let e = self.pods.get_mut(pod);
            e.ingress.retain(|&p| p != id);
            e.egress.retain(|&p| p != id);
        }
        self.index_crossing(&entry.policy, false);
        self.drop_if_empty(ns);
    }

    /// The network as the query commands (`netpol can-reach`, `netpol matrix`) take it:
    /// pods and policies in namespace and key order.
    pub fn to_network(&self) -> Network {
        let mut net = Network::default();
        for (ns, space) in &self.namespaces {
            net.pods.extend(space.pods.values().map(|&id| self.pods.get(id).pod.clone()));
            net.policies.extend(space.policies.values().map(|&id| self.policies.get(id).policy.clone()));
            net.namespaces.insert(ns.clone(), self.namespace_labels(ns).into_owned());
        }
        net
    }
}
