//! The cross-object model: everything that spans objects — namespaces and what they hold,
//! the network (workloads, NetworkPolicies, namespace labels, who selects whom), RBAC roles
//! and bindings, Secrets and who reads them — kept in its real types, built once per input
//! and updated in place one object at a time.
//!
//! [`Model::apply`] adds or replaces an object's [`ObjectFacts`], [`Model::remove`] takes
//! them out; both return the [`Dirty`] scopes whose cross-object verdicts may have changed,
//! so that a caller re-evaluates only those. Every rule, query and inventory reads this one
//! model; none builds an index of its own.

pub mod audit;
pub mod network;
pub mod read;

use crate::netpol::model::{NetPod, Policy};
use crate::rbac::model::{Binding, Role, RoleKey};
use crate::rbac::{builtin, Rbac, WorkloadAccount};
use network::NetModel;
use palisade_core::secrets::SecretUse;
use palisade_core::{Anchor, FieldPath, Location, ObjectRef};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

pub use read::{read, read_object, Plan};

/// Identifies one object in the model: its reference and, for objects read from files,
/// where it was read (two files may hold objects of the same name; both count). Keys order
/// by where they were read, then by reference: file order for inputs, names for live objects.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Key {
    pub object: Arc<ObjectRef>,
    /// File, document and item index (0 outside `List`s); `None` for live objects.
    pub origin: Option<(Arc<str>, u32, u32)>,
}

impl Ord for Key {
    fn cmp(&self, other: &Key) -> std::cmp::Ordering {
        (&self.origin, &self.object).cmp(&(&other.origin, &other.object))
    }
}

impl PartialOrd for Key {
    fn partial_cmp(&self, other: &Key) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Key {
    /// A live object's key: the reference alone.
    pub fn live(object: ObjectRef) -> Key {
        Key { object: Arc::new(object), origin: None }
    }

    /// The namespace cross-object verdicts about this object belong to (`None`: the cluster).
    pub fn scope(&self) -> Option<&str> {
        self.object.namespace.as_deref()
    }
}

/// A `Namespace` object.
#[derive(Clone, Debug)]
pub struct NamespaceDecl {
    pub name: String,
    pub labels: BTreeMap<String, String>,
    /// At `metadata.name`.
    pub anchor: Arc<Anchor>,
}

/// A workload reading a Secret, located at the reading field.
#[derive(Clone, Debug)]
pub struct SecretRead {
    pub anchor: Arc<Anchor>,
    pub secret: String,
    pub how: SecretUse,
    pub path: FieldPath,
}

/// A Secret: where it is, when it was created, and whose token it holds.
#[derive(Clone, Debug)]
pub struct SecretInfo {
    pub namespace: String,
    pub name: String,
    /// `metadata.creationTimestamp`, as written.
    pub created: Option<String>,
    pub location: Option<Location>,
    /// For a long-lived `kubernetes.io/service-account-token` Secret, its ServiceAccount.
    pub token_for: Option<String>,
}

/// What one object contributes to the model.
#[derive(Clone, Debug, Default)]
pub struct ObjectFacts {
    pub kind: String,
    /// The object carries a pod spec.
    pub workload: bool,
    pub namespace_decl: Option<NamespaceDecl>,
    pub pod: Option<(NetPod, Arc<Anchor>)>,
    pub policy: Option<(Policy, Arc<Anchor>)>,
    pub role: Option<Role>,
    /// A binding, located at its `roleRef.name`.
    pub binding: Option<(Binding, Arc<Anchor>)>,
    pub secret: Option<SecretInfo>,
    /// For a workload, the ServiceAccount its pods run as.
    pub runs_as: Option<WorkloadAccount>,
    /// Secrets this object keeps in sync from a vault (ExternalSecret, SecretProviderClass).
    pub vault_secrets: Vec<String>,
    pub secret_reads: Vec<SecretRead>,
    /// Counted beside the kinds: the control-plane component a pod of this object runs
    /// (`component/kube-apiserver`), or a managed platform a ClusterInfo reports
    /// (`platform/managed`), or the components a Host's processes run, for the compliance
    /// view.
    pub counted: Vec<&'static str>,
    /// For an audit event, what it tells across events (a refusal, a Secret read).
    pub audit: Option<audit::Fact>,
}

/// The scopes a change may have changed verdicts in.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Dirty {
    /// Namespaces (`None`: cluster-scoped objects) whose own cross-object verdicts may change.
    pub scopes: BTreeSet<Option<String>>,
    /// Namespaces whose verdicts that look into other namespaces may change (a policy peer
    /// selecting namespaces, when pods or namespace labels elsewhere changed).
    pub crossing: BTreeSet<String>,
}

impl Dirty {
    pub fn merge(&mut self, other: Dirty) {
        self.scopes.extend(other.scopes);
        self.crossing.extend(other.crossing);
    }
}

/// What the model remembers of an object besides its contributions to the indexes, which
/// hold the rest (so removing it can give them back).
#[derive(Debug)]
struct Summary {
    kind: String,
    workload: bool,
    namespace_decl: bool,
    pod: bool,
    policy: bool,
    vault_secrets: Vec<String>,
    counted: Vec<&'static str>,
}

/// The model.
#[derive(Debug, Default)]
pub struct Model {
    objects: HashMap<Key, Summary>,
    /// Kinds of the objects in each namespace, with how many of each.
    kinds: BTreeMap<String, BTreeMap<String, usize>>,
    kind_counts: BTreeMap<String, usize>,
    workloads: usize,
    /// Namespace objects, by name (a name may be declared twice in files).
    declared: BTreeMap<String, BTreeMap<Key, NamespaceDecl>>,
    pub net: NetModel,
    roles: BTreeMap<Key, Role>,
    role_keys: HashMap<RoleKey, usize>,
    bindings: BTreeMap<Key, (Binding, Arc<Anchor>)>,
    /// For each ClusterRole name, the scopes of the bindings that reference it.
    cluster_role_users: HashMap<String, BTreeMap<Option<String>, usize>>,
    secrets: BTreeMap<Key, SecretInfo>,
    workload_accounts: BTreeMap<Key, WorkloadAccount>,
    vault_secrets: BTreeMap<(String, String), usize>,
    secret_reads: BTreeMap<String, BTreeMap<Key, Vec<SecretRead>>>,
    audit: audit::Trail,
    /// `--no-builtin-roles`: bindings to Kubernetes' default roles see only the input's.
    no_builtin_roles: bool,
    /// Verdicts that depend on the whole model and are asked from many scopes (a peer's
    /// namespaceSelector and podSelector, judged once for every namespace that uses them),
    /// kept until the next change.
    memo: std::sync::Mutex<HashMap<String, Option<String>>>,
}

fn bump<K: Ord>(map: &mut BTreeMap<K, usize>, key: K, up: bool) {
    if up {
        *map.entry(key).or_default() += 1;
    } else if let Some(n) = map.get_mut(&key) {
        *n -= 1;
        if *n == 0 {
            map.remove(&key);
        }
    }
}

/// The namespace an object of the input is in, as the API server would put it.
fn namespace_of(key: &Key) -> Option<&str> {
    key.object.namespace.as_deref()
}

impl Model {
    /// Adds the object, or replaces what it contributed before.
    pub fn apply(&mut self, key: Key, facts: ObjectFacts) -> Dirty {
        self.put(key, facts, true)
    }

    /// Adds the object like [`Model::apply`], without working out what the change touched
    /// (for building a model whose verdicts are all judged afterwards).
    pub fn load(&mut self, key: Key, facts: ObjectFacts) {
        self.put(key, facts, false);
    }

    fn put(&mut self, key: Key, facts: ObjectFacts, track: bool) -> Dirty {
        let mut dirty = if track || self.objects.contains_key(&key) { self.remove(&key) } else { Dirty::default() };
        dirty.merge(self.insert(&key, &facts, true, track));
        let summary = Summary {
            kind: facts.kind,
            workload: facts.workload,
            namespace_decl: facts.namespace_decl.is_some(),
            pod: facts.pod.is_some(),
            policy: facts.policy.is_some(),
            vault_secrets: facts.vault_secrets,
            counted: facts.counted,
        };
        self.objects.insert(key, summary);
        dirty
    }

    /// Takes out everything the object contributed (nothing if it is not there).
    pub fn remove(&mut self, key: &Key) -> Dirty {
        match self.objects.remove(key) {
            Some(summary) => {
                let facts = self.contributed(key, summary);
                self.insert(key, &facts, false, true)
            }
            None => Dirty::default(),
        }
    }

    /// What the object contributed, read back from the indexes.
    fn contributed(&self, key: &Key, summary: Summary) -> ObjectFacts {
        let ns = namespace_of(key).unwrap_or("default");
        let net_entry = |pods: bool| {
            let space = self.net.namespace(ns)?;
            let id = *if pods { space.pods.get(key) } else { space.policies.get(key) }?;
            Some(id)
        };
        ObjectFacts {
            kind: summary.kind,
            counted: summary.counted,
            workload: summary.workload,
            namespace_decl: summary
                .namespace_decl
                .then(|| self.declared.get(&key.object.name).and_then(|d| d.get(key)).cloned())
                .flatten(),
            pod: summary.pod.then(|| net_entry(true)).flatten().map(|id| {
                let e = self.net.pod(id);
                (e.pod.clone(), e.anchor.clone())
            }),
            policy: summary.policy.then(|| net_entry(false)).flatten().map(|id| {
                let e = self.net.policy(id);
                (e.policy.clone(), e.anchor.clone())
            }),
            role: self.roles.get(key).cloned(),
            binding: self.bindings.get(key).cloned(),
            secret: self.secrets.get(key).cloned(),
            runs_as: self.workload_accounts.get(key).cloned(),
            vault_secrets: summary.vault_secrets,
            secret_reads: self.secret_reads.get(ns).and_then(|r| r.get(key)).cloned().unwrap_or_default(),
            audit: self.audit.get(key).cloned(),
        }
    }

    /// Adds (`up`) or takes out what `facts` contribute; with `track`, says what it touched.
    fn insert(&mut self, key: &Key, facts: &ObjectFacts, up: bool, track: bool) -> Dirty {
        self.memo.get_mut().expect("memo").clear();
        let mut dirty = Dirty::default();
        let ns = namespace_of(key);
        let scope = ns.map(str::to_string);
        dirty.scopes.insert(scope.clone());
        // The namespaces this object touches, and the namespaces whose peers look at them
        // now (a change may make a namespace appear, vanish or change labels).
        let touched: BTreeSet<String> = ns
            .into_iter()
            .chain(facts.namespace_decl.as_ref().map(|d| d.name.as_str()))
            .chain(facts.pod.as_ref().map(|(p, _)| p.namespace.as_str()))
            .chain(facts.policy.as_ref().map(|(p, _)| p.namespace.as_str()))
            .map(str::to_string)
            .collect();
        let watchers = |net: &NetModel| -> BTreeSet<String> {
            if track {
                touched.iter().flat_map(|t| net.dependents_of(t)).collect()
            } else {
                BTreeSet::new()
            }
        };
        let watching_before = watchers(&self.net);
        let mut crossing = facts.namespace_decl.is_some() || facts.pod.is_some();
        bump(&mut self.kind_counts, facts.kind.clone(), up);
        if facts.audit.is_some() {
            self.audit.put(key, facts.audit.as_ref(), up);
        }
        for key in &facts.counted {
            bump(&mut self.kind_counts, key.to_string(), up);
        }
        if facts.workload {
            if up {
                self.workloads += 1;
            } else {
                self.workloads -= 1;
            }
        }
        if let Some(ns) = ns {
            let kinds = self.kinds.entry(ns.to_string()).or_default();
            let before = kinds.len();
            bump(kinds, facts.kind.clone(), up);
            crossing |= kinds.len() != before;
            if kinds.is_empty() {
                self.kinds.remove(ns);
            }
        }
        if let Some(decl) = &facts.namespace_decl {
            let first_or_last = self.declared.is_empty() || (self.declared.len() == 1 && self.declared.contains_key(&decl.name));
            let entries = self.declared.entry(decl.name.clone()).or_default();
            if up {
                entries.insert(key.clone(), decl.clone());
            } else {
                entries.remove(key);
            }
            let labels = entries.values().next().map(|d| d.labels.clone());
            if entries.is_empty() {
                self.declared.remove(&decl.name);
            }
            self.net.set_namespace_labels(&decl.name, labels);
            dirty.scopes.insert(Some(decl.name.clone()));
            if first_or_last && track {
                // Whether any namespace is declared at all changes what peers are judged by.
                dirty.crossing.extend(self.net.crossing_namespaces());
            }
        }
        if let Some((pod, anchor)) = &facts.pod {
            if up {
                self.net.add_pod(key.clone(), pod.clone(), anchor.clone());
            } else {
                self.net.remove_pod(key, &pod.namespace);
            }
            dirty.scopes.insert(Some(pod.namespace.clone()));
        }
        if let Some((policy, anchor)) = &facts.policy {
            let ns = policy.namespace.clone();
            if up {
                self.net.add_policy(key.clone(), policy.clone(), anchor.clone());
            } else {
                self.net.remove_policy(key, &ns);
            }
            dirty.scopes.insert(Some(ns.clone()));
            dirty.crossing.insert(ns);
        }
        if let Some(role) = &facts.role {
            if up {
                self.roles.insert(key.clone(), role.clone());
                *self.role_keys.entry(role.key()).or_default() += 1;
            } else {
                self.roles.remove(key);
                if let Some(n) = self.role_keys.get_mut(&role.key()) {
                    *n -= 1;
                    if *n == 0 {
                        self.role_keys.remove(&role.key());
                    }
                }
            }
            match &role.namespace {
                Some(ns) => {
                    dirty.scopes.insert(Some(ns.clone()));
                }
                None if track => dirty.scopes.extend(self.cluster_role_users.get(&role.name).into_iter().flat_map(|m| m.keys().cloned())),
                None => {}
            }
        }
        if let Some((binding, anchor)) = &facts.binding {
            if up {
                self.bindings.insert(key.clone(), (binding.clone(), anchor.clone()));
            } else {
                self.bindings.remove(key);
            }
            if binding.role_is_cluster {
                let users = self.cluster_role_users.entry(binding.role_name.clone()).or_default();
                bump(users, binding.namespace.clone(), up);
                if users.is_empty() {
                    self.cluster_role_users.remove(&binding.role_name);
                }
            }
            dirty.scopes.insert(binding.namespace.clone());
        }
        if let Some(secret) = &facts.secret {
            if up {
                self.secrets.insert(key.clone(), secret.clone());
            } else {
                self.secrets.remove(key);
            }
        }
        if let Some(account) = &facts.runs_as {
            if up {
                self.workload_accounts.insert(key.clone(), account.clone());
            } else {
                self.workload_accounts.remove(key);
            }
        }
        let ns_name = ns.unwrap_or("default").to_string();
        if !facts.vault_secrets.is_empty() || !facts.secret_reads.is_empty() {
            dirty.scopes.insert(Some(ns_name.clone()));
        }
        for name in &facts.vault_secrets {
            bump(&mut self.vault_secrets, (ns_name.clone(), name.clone()), up);
        }
        if !facts.secret_reads.is_empty() {
            let reads = self.secret_reads.entry(ns_name.clone()).or_default();
            if up {
                reads.insert(key.clone(), facts.secret_reads.clone());
            } else {
                reads.remove(key);
            }
            if reads.is_empty() {
                self.secret_reads.remove(&ns_name);
            }
        }
        if crossing {
            dirty.crossing.extend(watching_before);
            dirty.crossing.extend(watchers(&self.net));
        }
        dirty
    }

    /// Every scope the model knows: each namespace anything is in or declared, then `None`.
    pub fn scopes(&self) -> Dirty {
        let mut scopes: BTreeSet<Option<String>> = self.kinds.keys().cloned().map(Some).collect();
        scopes.extend(self.declared.keys().cloned().map(Some));
        scopes.extend(self.net.namespaces().map(|(n, _)| Some(n.to_string())));
        scopes.extend(self.bindings.values().map(|(b, _)| b.namespace.clone()));
        scopes.insert(None);
        let crossing = scopes.iter().flatten().cloned().collect();
        Dirty { scopes, crossing }
    }

    /// A verdict about the model as it is now, computed once per `key` until the next change.
    pub fn memo(&self, key: &str, compute: impl FnOnce() -> Option<String>) -> Option<String> {
        if let Some(v) = self.memo.lock().expect("memo").get(key) {
            return v.clone();
        }
        let v = compute();
        self.memo.lock().expect("memo").insert(key.to_string(), v.clone());
        v
    }

    /// How many objects the model holds.
    pub fn len(&self) -> usize {
        self.objects.len()
    }

    pub fn is_empty(&self) -> bool {
        self.objects.is_empty()
    }

    /// How many objects of each kind.
    pub fn kind_counts(&self) -> &BTreeMap<String, usize> {
        &self.kind_counts
    }

    /// How many objects carry a pod spec.
    pub fn workloads(&self) -> usize {
        self.workloads
    }

    /// Whether namespace `ns` holds an object of `kind`.
    pub fn namespace_has(&self, ns: &str, kind: &str) -> bool {
        self.kinds.get(ns).is_some_and(|k| k.contains_key(kind))
    }

    /// The kinds of the objects in `ns`.
    pub fn kinds_in(&self, ns: &str) -> impl Iterator<Item = &str> {
        self.kinds.get(ns).into_iter().flat_map(|k| k.keys().map(String::as_str))
    }

    /// The Namespace objects declaring `ns` (more than one when files repeat it).
    pub fn declarations(&self, ns: &str) -> impl Iterator<Item = &NamespaceDecl> {
        self.declared.get(ns).into_iter().flat_map(|d| d.values())
    }

    /// Every declared namespace name.
    pub fn declared_namespaces(&self) -> impl Iterator<Item = &str> {
        self.declared.keys().map(String::as_str)
    }

    /// Whether a Role or ClusterRole with this key is in the model.
    pub fn has_role(&self, key: &RoleKey) -> bool {
        self.role_keys.contains_key(key)
    }

    /// Whether bindings to undefined default roles grant what Kubernetes ships.
    pub fn builtin_roles(&self) -> bool {
        !self.no_builtin_roles
    }

    /// Whether bindings to Kubernetes' default roles that the input does not define see the
    /// shipped definitions (the default) or nothing.
    pub fn set_builtin_roles(&mut self, on: bool) {
        self.no_builtin_roles = !on;
        self.memo.lock().unwrap_or_else(|e| e.into_inner()).clear();
    }

    /// A ClusterRole by name (the first, when files repeat it), or Kubernetes' shipped
    /// definition when the input has none.
    pub fn cluster_role(&self, name: &str) -> Option<&Role> {
        self.roles.values().find(|r| r.namespace.is_none() && r.name == name).or_else(|| {
            let key: RoleKey = (true, None, name.to_string());
            builtin::role(&key).filter(|_| !self.no_builtin_roles)
        })
    }

    /// The bindings whose scope is `scope` (`None`: ClusterRoleBindings), in key order.
    pub fn bindings_in<'a>(&'a self, scope: Option<&'a str>) -> impl Iterator<Item = &'a (Binding, Arc<Anchor>)> + 'a {
        self.bindings.values().filter(move |(b, _)| b.namespace.as_deref() == scope)
    }

    /// The Secrets, in key order.
    pub fn secrets(&self) -> impl Iterator<Item = &SecretInfo> {
        self.secrets.values()
    }

    /// Whether a vault keeps Secret `name` of `ns` in sync.
    pub fn vault_synced(&self, ns: &str, name: &str) -> bool {
        self.vault_secrets.contains_key(&(ns.to_string(), name.to_string()))
    }

    /// The audit events' facts that cross events.
    pub fn audit(&self) -> &audit::Trail {
        &self.audit
    }

    /// The ServiceAccounts (names in `ns`) that workloads reading the Secret `ns/secret`
    /// run as.
    pub fn accounts_reading<'a>(&'a self, ns: &'a str, secret: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.secret_reads.get(ns).into_iter().flatten().filter(move |(_, reads)| reads.iter().any(|r| r.secret == secret)).filter_map(|(key, _)| self.workload_accounts.get(key)).map(|a| a.service_account.as_str())
    }

    /// The Secrets workloads of `ns` read, per workload.
    pub fn secret_reads_in(&self, ns: &str) -> impl Iterator<Item = &SecretRead> {
        self.secret_reads.get(ns).into_iter().flat_map(|m| m.values().flatten())
    }

    /// The RBAC authorizer's view of the model, for queries (`rbac who-can`, paths, secret
    /// readers): roles with aggregation resolved, bindings, namespaces and token Secrets.
    pub fn rbac(&self) -> Rbac {
        let mut rbac = Rbac::new(self.roles.values().cloned().collect(), self.bindings.values().map(|(b, _)| b.clone()).collect(), !self.no_builtin_roles);
        rbac.known_namespaces = self.kinds.keys().chain(self.declared.keys()).cloned().collect();
        rbac.token_secrets = self
            .secrets
            .values()
            .filter_map(|s| Some((s.namespace.clone(), s.name.clone(), s.token_for.clone()?)))
            .collect();
        rbac.workload_accounts = self.workload_accounts.values().cloned().collect();
        rbac
    }
}
