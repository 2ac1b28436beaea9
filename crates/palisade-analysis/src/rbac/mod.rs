//! RBAC as the Kubernetes authorizer evaluates it: Roles, ClusterRoles (with aggregation),
//! RoleBindings and ClusterRoleBindings loaded from any input, and queries over them.
//!
//! - [`model`]: the objects, read from value trees;
//! - [`builtin`]: Kubernetes' default roles, shipped as data;
//! - [`authorizer`]: requests and the matching rules (verbs, groups, resources and
//!   subresources, resource names, non-resource URLs, subjects and implicit groups);
//! - [`Rbac`]: the loaded set, with aggregated ClusterRoles resolved, and its queries
//!   (`who_can`, `can`, `grants_of`).

pub mod authorizer;
pub mod builtin;
pub mod model;
pub mod paths;

use crate::selector::Selector;
use authorizer::{rule_allows, Identity, Request};
use model::{Binding, PolicyRule, Role, RoleKey, Subject};
use std::collections::HashMap;

/// How a request is allowed: the binding, the role it references, and the rule.
#[derive(Clone, Debug, PartialEq)]
pub struct Via {
    /// `RoleBinding shop/web-reader` or `ClusterRoleBinding admins`.
    pub binding: String,
    /// `Role shop/reader` or `ClusterRole view`.
    pub role: String,
    /// Index of the rule in the role (after aggregation).
    pub rule: usize,
    /// The role is Kubernetes' shipped definition, not the input's.
    pub builtin: bool,
}

/// A subject allowed to do something, with every way it is allowed.
#[derive(Clone, Debug, PartialEq)]
pub struct Allowed {
    pub subject: Subject,
    pub via: Vec<Via>,
}

/// A loaded RBAC configuration.
#[derive(Debug, Default)]
pub struct Rbac {
    pub roles: Vec<Role>,
    index: HashMap<RoleKey, usize>,
    pub bindings: Vec<Binding>,
    /// Namespaces known from other objects of the input (Namespaces, Secrets, workloads), for
    /// the analyses that go namespace by namespace.
    pub known_namespaces: std::collections::BTreeSet<String>,
    /// Long-lived token Secrets of the input: (namespace, Secret, ServiceAccount it is for).
    pub token_secrets: Vec<(String, String, String)>,
    /// The workloads of the input and the ServiceAccounts their pods run as.
    pub workload_accounts: Vec<WorkloadAccount>,
}

/// A workload whose pods run as a ServiceAccount.
#[derive(Clone, Debug, PartialEq)]
pub struct WorkloadAccount {
    pub namespace: String,
    pub kind: String,
    pub name: String,
    pub service_account: String,
}

impl Rbac {
    /// Builds the set and resolves aggregated ClusterRoles: a ClusterRole with an
    /// `aggregationRule` holds the rules of every ClusterRole its selectors match (repeated
    /// until nothing changes, as the aggregation controller converges).
    ///
    /// With `builtin_roles`, Kubernetes' default roles that the input does not define are
    /// added from the shipped data ([`builtin`]); without, only `cluster-admin`, whose meaning
    /// the API server fixes.
    pub fn new(mut roles: Vec<Role>, bindings: Vec<Binding>, builtin_roles: bool) -> Rbac {
        let defined: std::collections::HashSet<RoleKey> = roles.iter().map(Role::key).collect();
        for role in builtin::roles() {
            if !defined.contains(&role.key()) && (builtin_roles || (role.namespace.is_none() && role.name == "cluster-admin")) {
                roles.push(role.clone());
            }
        }
        let index: HashMap<RoleKey, usize> = roles.iter().enumerate().map(|(i, r)| (r.key(), i)).collect();
        let aggregating: Vec<(usize, Vec<Selector>)> =
            roles.iter().enumerate().filter_map(|(i, r)| r.aggregation.clone().map(|s| (i, s))).collect();
        for _ in 0..=aggregating.len() {
            let mut changed = false;
            for (i, selectors) in &aggregating {
                let mut rules: Vec<PolicyRule> = Vec::new();
                for (j, other) in roles.iter().enumerate() {
                    if j != *i && other.namespace.is_none() && selectors.iter().any(|s| s.matches(&other.labels)) {
                        for rule in &other.rules {
                            if !rules.contains(rule) {
                                rules.push(rule.clone());
                            }
                        }
                    }
                }
                if roles[*i].rules != rules {
                    roles[*i].rules = rules;
                    changed = true;
                }
            }
            if !changed {
                break;
            }
        }
        Rbac { roles, index, bindings, known_namespaces: Default::default(), token_secrets: Vec::new(), workload_accounts: Vec::new() }
    }

    /// The role a binding references, if it exists.
    pub fn role_of(&self, binding: &Binding) -> Option<&Role> {
        self.index.get(&binding.role_key()).map(|i| &self.roles[*i])
    }

    /// Bindings whose role is neither in the input nor one of Kubernetes' built-in roles
    /// (they grant nothing).
    pub fn dangling(&self) -> impl Iterator<Item = &Binding> {
        self.bindings.iter().filter(|b| self.role_of(b).is_none() && !builtin_role(b))
    }

    /// Bindings to built-in roles whose rules are neither in the input nor shipped (the
    /// controllers' roles, or any with `--no-builtin-roles`): answers about them are
    /// incomplete until the roles are added, e.g. from `kubectl get clusterroles -o yaml`.
    pub fn unmodelled(&self) -> impl Iterator<Item = &Binding> {
        self.bindings.iter().filter(|b| self.role_of(b).is_none() && builtin_role(b))
    }

    /// Bindings whose role is Kubernetes' shipped definition, because the input has none.
    pub fn using_builtin(&self) -> impl Iterator<Item = &Binding> {
        self.bindings.iter().filter(|b| self.role_of(b).is_some_and(|r| r.builtin))
    }

    /// The ways `binding` allows `request` (empty when it does not apply or grants nothing).
    fn via(&self, binding: &Binding, request: &Request) -> Vec<Via> {
        if !binding.applies_to(request) {
            return Vec::new();
        }
        let Some(role) = self.role_of(binding) else { return Vec::new() };
        role.rules
            .iter()
            .enumerate()
            .filter(|(_, rule)| rule_allows(rule, request))
            .map(|(i, _)| Via { binding: binding.to_string(), role: role.to_string(), rule: i, builtin: role.builtin })
            .collect()
    }

    /// Every subject named in a binding that allows the request, with how (groups are not
    /// expanded to their members). Subjects are in first-seen order.
    pub fn who_can(&self, request: &Request) -> Vec<Allowed> {
        let mut out: Vec<Allowed> = Vec::new();
        for binding in &self.bindings {
            let via = self.via(binding, request);
            if via.is_empty() {
                continue;
            }
            for subject in &binding.subjects {
                let subject = subject.in_binding(binding);
                match out.iter_mut().find(|a| a.subject == subject) {
                    Some(a) => a.via.extend(via.iter().cloned()),
                    None => out.push(Allowed { subject, via: via.clone() }),
                }
            }
        }
        out
    }

    /// Who can read a Secret: every subject allowed `get` on it, or `list` or `watch` on the
    /// Secrets of its namespace (which return the values too), with the verbs and how.
    pub fn secret_readers(&self, namespace: &str, name: &str) -> Vec<(Subject, Vec<&'static str>, Vec<Via>)> {
        let mut out: Vec<(Subject, Vec<&'static str>, Vec<Via>)> = Vec::new();
        for verb in ["get", "list", "watch"] {
            let name = if verb == "get" { name } else { "" };
            let request = Request::Resource {
                verb: verb.into(),
                group: String::new(),
                resource: "secrets".into(),
                subresource: String::new(),
                name: name.into(),
                namespace: Some(namespace.into()),
            };
            for allowed in self.who_can(&request) {
                match out.iter_mut().find(|(s, _, _)| *s == allowed.subject) {
                    Some((_, verbs, via)) => {
                        verbs.push(verb);
                        via.extend(allowed.via.into_iter().filter(|v| !via.contains(v)).collect::<Vec<_>>());
                    }
                    None => out.push((allowed.subject, vec![verb], allowed.via)),
                }
            }
        }
        out
    }

    /// Whether an identity (a user with its groups, implicit ones included) may make the
    /// request, and every way it may.
    pub fn can(&self, who: &Identity, request: &Request) -> Vec<Via> {
        self.bindings
            .iter()
            .filter(|b| b.subjects.iter().any(|s| s.matches(who, b)))
            .flat_map(|b| self.via(b, request))
            .collect()
    }

    /// Everything an identity is granted: per binding that names it (or one of its groups),
    /// the scope (`None` = cluster-wide) and the role's rules.
    pub fn grants_of(&self, who: &Identity) -> Vec<(Option<&str>, &Binding, &Role)> {
        self.bindings
            .iter()
            .filter(|b| b.subjects.iter().any(|s| s.matches(who, b)))
            .filter_map(|b| Some((b.namespace.as_deref(), b, self.role_of(b)?)))
            .collect()
    }
}

/// Whether a binding references one of the roles every cluster has (`admin`, `edit`, `view`,
/// `system:*`, and kube-system's authentication reader).
pub fn builtin_role(b: &Binding) -> bool {
    builtin::is_builtin_role(b.role_is_cluster, b.namespace.as_deref(), &b.role_name)
}

pub use builtin::is_builtin_role;

/// Loads every RBAC object of a set of document roots (objects, or `List`s of them).
pub fn load<'a>(roots: impl IntoIterator<Item = &'a palisade_core::Node>) -> Rbac {
    let (mut roles, mut bindings) = (Vec::new(), Vec::new());
    let mut take = |node: &palisade_core::Node| {
        let Ok(object) = palisade_core::Object::from_node(node) else { return };
        match model::read(&object, node) {
            Some(model::RbacObject::Role(r)) => roles.push(r),
            Some(model::RbacObject::Binding(b)) => bindings.push(b),
            None => {}
        }
    };
    for root in roots {
        match palisade_core::Object::from_node(root) {
            Ok(o) if o.is_list() => root.get("items").map(palisade_core::Node::items).unwrap_or(&[]).iter().for_each(&mut take),
            _ => take(root),
        }
    }
    Rbac::new(roles, bindings, true)
}
