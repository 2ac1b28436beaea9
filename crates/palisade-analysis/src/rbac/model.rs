//! RBAC objects, read from value trees.

use crate::selector::{labels_of, Selector};
use palisade_core::{Node, Object};
use std::collections::BTreeMap;
use std::fmt;

/// One rule of a Role or ClusterRole.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct PolicyRule {
    pub verbs: Vec<String>,
    pub api_groups: Vec<String>,
    pub resources: Vec<String>,
    pub resource_names: Vec<String>,
    pub non_resource_urls: Vec<String>,
}

/// A Role (namespaced) or ClusterRole (`namespace` None).
#[derive(Clone, Debug, PartialEq)]
pub struct Role {
    pub namespace: Option<String>,
    pub name: String,
    pub labels: BTreeMap<String, String>,
    pub rules: Vec<PolicyRule>,
    /// A ClusterRole's `aggregationRule.clusterRoleSelectors`.
    pub aggregation: Option<Vec<Selector>>,
    /// Kubernetes' shipped definition ([`super::builtin`]), not the input's.
    pub builtin: bool,
}

/// How bindings name roles: (cluster role?, namespace, name).
pub type RoleKey = (bool, Option<String>, String);

impl Role {
    pub fn key(&self) -> RoleKey {
        (self.namespace.is_none(), self.namespace.clone(), self.name.clone())
    }

    pub fn is_cluster_role(&self) -> bool {
        self.namespace.is_none()
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.namespace {
            Some(ns) => write!(f, "Role {ns}/{}", self.name),
            None => write!(f, "ClusterRole {}", self.name),
        }
    }
}

/// A binding's subject.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Subject {
    User(String),
    Group(String),
    /// (namespace, name); the namespace may be empty in a RoleBinding (it defaults to the
    /// binding's).
    ServiceAccount(String, String),
}

impl Subject {
    /// Parses `user:NAME`, `group:NAME` or `sa:NAMESPACE/NAME`.
    pub fn parse(text: &str) -> Result<Subject, String> {
        let bad = || format!("`{text}` is not a subject (expected user:NAME, group:NAME or sa:NAMESPACE/NAME)");
        let (kind, rest) = text.split_once(':').ok_or_else(bad)?;
        match kind {
            "user" if !rest.is_empty() => Ok(Subject::User(rest.into())),
            "group" if !rest.is_empty() => Ok(Subject::Group(rest.into())),
            "sa" | "serviceaccount" => {
                let (ns, name) = rest.split_once('/').filter(|(n, m)| !n.is_empty() && !m.is_empty()).ok_or_else(bad)?;
                Ok(Subject::ServiceAccount(ns.into(), name.into()))
            }
            _ => Err(bad()),
        }
    }

    /// The subject with a RoleBinding's namespace filled in for a ServiceAccount that names
    /// none.
    pub fn in_binding(&self, binding: &Binding) -> Subject {
        match self {
            Subject::ServiceAccount(ns, name) if ns.is_empty() => {
                Subject::ServiceAccount(binding.namespace.clone().unwrap_or_default(), name.clone())
            }
            s => s.clone(),
        }
    }
}

impl fmt::Display for Subject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Subject::User(n) => write!(f, "user:{n}"),
            Subject::Group(n) => write!(f, "group:{n}"),
            Subject::ServiceAccount(ns, n) => write!(f, "sa:{ns}/{n}"),
        }
    }
}

/// A RoleBinding (namespaced) or ClusterRoleBinding (`namespace` None).
#[derive(Clone, Debug, PartialEq)]
pub struct Binding {
    pub namespace: Option<String>,
    pub name: String,
    /// `roleRef.kind == ClusterRole`.
    pub role_is_cluster: bool,
    pub role_name: String,
    pub subjects: Vec<Subject>,
}

impl Binding {
    /// The key of the role it references: a RoleBinding's Role lives in its namespace.
    pub fn role_key(&self) -> RoleKey {
        if self.role_is_cluster {
            (true, None, self.role_name.clone())
        } else {
            (false, self.namespace.clone(), self.role_name.clone())
        }
    }
}

impl fmt::Display for Binding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.namespace {
            Some(ns) => write!(f, "RoleBinding {ns}/{}", self.name),
            None => write!(f, "ClusterRoleBinding {}", self.name),
        }
    }
}

/// The RBAC API group.
pub const GROUP: &str = "rbac.authorization.k8s.io";

fn strings(node: Option<&Node>) -> Vec<String> {
    node.map(Node::items).unwrap_or(&[]).iter().map(Node::display_scalar).collect()
}

/// Reads a rule of a role.
pub fn policy_rule(node: &Node) -> PolicyRule {
    PolicyRule {
        verbs: strings(node.get("verbs")),
        api_groups: strings(node.get("apiGroups")),
        resources: strings(node.get("resources")),
        resource_names: strings(node.get("resourceNames")),
        non_resource_urls: strings(node.get("nonResourceURLs")),
    }
}

/// An RBAC object, read.
pub enum RbacObject {
    Role(Role),
    Binding(Binding),
}

/// Reads a Role, ClusterRole, RoleBinding or ClusterRoleBinding; `None` for anything else.
pub fn read(object: &Object, node: &Node) -> Option<RbacObject> {
    if object.api_version.split('/').next() != Some(GROUP) {
        return None;
    }
    let cluster = object.kind.starts_with("Cluster");
    let namespace = if cluster { None } else { Some(object.namespace.unwrap_or("default").to_string()) };
    match object.kind {
        "Role" | "ClusterRole" => {
            let aggregation = node
                .get_path(&["aggregationRule", "clusterRoleSelectors"])
                .filter(|_| cluster)
                .map(|s| s.items().iter().filter_map(|sel| Selector::from_node(sel).ok()).collect());
            Some(RbacObject::Role(Role {
                namespace,
                name: object.name.to_string(),
                labels: labels_of(node),
                rules: node.get("rules").map(Node::items).unwrap_or(&[]).iter().map(policy_rule).collect(),
                aggregation,
                builtin: false,
            }))
        }
        "RoleBinding" | "ClusterRoleBinding" => {
            let role_ref = node.get("roleRef");
            let subjects = node
                .get("subjects")
                .map(Node::items)
                .unwrap_or(&[])
                .iter()
                .filter_map(|s| {
                    let name = s.get("name").map(Node::display_scalar)?;
                    match s.get("kind").and_then(Node::as_str)? {
                        "User" => Some(Subject::User(name)),
                        "Group" => Some(Subject::Group(name)),
                        "ServiceAccount" => {
                            Some(Subject::ServiceAccount(s.get("namespace").map(Node::display_scalar).unwrap_or_default(), name))
                        }
                        _ => None,
                    }
                })
                .collect();
            Some(RbacObject::Binding(Binding {
                namespace,
                name: object.name.to_string(),
                role_is_cluster: role_ref.and_then(|r| r.get("kind")).and_then(Node::as_str) == Some("ClusterRole"),
                role_name: role_ref.and_then(|r| r.get("name")).map(Node::display_scalar).unwrap_or_default(),
                subjects,
            }))
        }
        _ => None,
    }
}
