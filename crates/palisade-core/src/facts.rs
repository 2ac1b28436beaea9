//! Facts that cross objects (which namespaces exist, what each holds), gathered file by file
//! and merged, so rules about a namespace as a whole run once at the end of a scan without
//! the scan keeping every document.

use crate::finding::Location;
use crate::object::ObjectRef;
use crate::path::FieldPath;
use crate::secrets::SecretUse;
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
    /// How many objects of each kind the input holds.
    pub kind_counts: BTreeMap<String, usize>,
    /// How many objects carry a pod spec.
    pub workloads: usize,
    /// Secrets kept in sync from a vault (External Secrets, Secrets Store CSI), by
    /// (namespace, name). Gathered only when the policy requires a vault.
    pub vault_secrets: BTreeSet<(Option<String>, String)>,
    /// Roles and ClusterRoles of the input: (cluster role?, namespace, name).
    pub rbac_roles: BTreeSet<(bool, Option<String>, String)>,
    /// Bindings of the input, located at their `roleRef`.
    pub rbac_bindings: Vec<BindingFact>,
    /// Workloads, Namespaces and NetworkPolicies (whole), each with its anchor — gathered
    /// only when a network rule runs.
    pub network_objects: Vec<(Node, Arc<Anchor>)>,
    /// The `rules` of each ClusterRole of the input that is not aggregated, by name.
    pub cluster_role_rules: BTreeMap<String, Node>,
    /// Plain Secrets read by workloads, each located. Gathered only when the policy requires
    /// a vault.
    pub secret_reads: Vec<SecretReadFact>,
}

/// A RoleBinding or ClusterRoleBinding and the role it references.
#[derive(Clone, Debug)]
pub struct BindingFact {
    pub anchor: Arc<Anchor>,
    /// The binding's namespace (`None` for a ClusterRoleBinding).
    pub namespace: Option<String>,
    /// `roleRef.kind == ClusterRole`.
    pub cluster_role: bool,
    pub role: String,
    /// (kind, name, namespace) of each subject.
    pub subjects: Vec<(String, String, Option<String>)>,
}

/// A workload reading a Secret, located at the reading field.
#[derive(Clone, Debug)]
pub struct SecretReadFact {
    pub anchor: Arc<Anchor>,
    pub namespace: Option<String>,
    pub secret: String,
    pub how: SecretUse,
    pub path: FieldPath,
}

impl Facts {
    /// Whether namespace `ns` holds an object of `kind`.
    pub fn namespace_has(&self, ns: &str, kind: &str) -> bool {
        self.kinds.get(ns).is_some_and(|k| k.contains(kind))
    }

    pub fn merge(&mut self, other: Facts) {
        self.namespaces.extend(other.namespaces);
        self.workloads += other.workloads;
        for (kind, n) in other.kind_counts {
            *self.kind_counts.entry(kind).or_default() += n;
        }
        self.vault_secrets.extend(other.vault_secrets);
        self.secret_reads.extend(other.secret_reads);
        self.rbac_roles.extend(other.rbac_roles);
        self.rbac_bindings.extend(other.rbac_bindings);
        self.cluster_role_rules.extend(other.cluster_role_rules);
        self.network_objects.extend(other.network_objects);
        for (ns, kinds) in other.kinds {
            self.kinds.entry(ns).or_default().extend(kinds);
        }
    }
}
