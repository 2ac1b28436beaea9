//! Requests and how RBAC matches them, exactly as the Kubernetes RBAC authorizer does:
//!
//! - verbs: equal, or `*`;
//! - API groups: equal, or `*`;
//! - resources: equal to `resource` or `resource/subresource`, or `*` (everything, any
//!   subresource), or `*/subresource` (that subresource of every resource); `deployments/*`
//!   is no wildcard and matches only a request for a subresource literally named `*`;
//! - resource names: an empty list matches every name; otherwise the request must name one
//!   of them (so `list` and `create`, which name nothing, are not allowed by such a rule);
//! - non-resource URLs: equal, `*`, or a prefix ending in `*`; granted only through
//!   ClusterRoleBindings;
//! - a RoleBinding grants only in its namespace (also when it references a ClusterRole);
//!   a ClusterRoleBinding grants everywhere;
//! - subjects: users by name, groups by membership, ServiceAccounts as the user
//!   `system:serviceaccount:<ns>:<name>` (a RoleBinding's ServiceAccount without a namespace is
//!   in the binding's); everyone authenticated is in `system:authenticated`, ServiceAccounts
//!   in `system:serviceaccounts` and `system:serviceaccounts:<ns>`, the anonymous user in
//!   `system:unauthenticated`.

use super::model::{Binding, PolicyRule, Subject};
use std::fmt;

/// What is asked.
#[derive(Clone, Debug, PartialEq)]
pub enum Request {
    Resource {
        verb: String,
        /// API group; `""` is the core group.
        group: String,
        resource: String,
        /// `""` for none.
        subresource: String,
        /// `""` when the request names no object (list, create, watch of a collection).
        name: String,
        /// `None` for cluster-scoped resources or requests across all namespaces.
        namespace: Option<String>,
    },
    NonResource {
        verb: String,
        path: String,
    },
}

/// Resources whose API group `RESOURCE` without `.GROUP` means (kubectl's discovery would
/// find the same); anything else is taken to be in the core group.
const KNOWN_GROUPS: &[(&str, &str)] = &[
    ("deployments", "apps"),
    ("replicasets", "apps"),
    ("statefulsets", "apps"),
    ("daemonsets", "apps"),
    ("controllerrevisions", "apps"),
    ("jobs", "batch"),
    ("cronjobs", "batch"),
    ("ingresses", "networking.k8s.io"),
    ("ingressclasses", "networking.k8s.io"),
    ("networkpolicies", "networking.k8s.io"),
    ("roles", "rbac.authorization.k8s.io"),
    ("rolebindings", "rbac.authorization.k8s.io"),
    ("clusterroles", "rbac.authorization.k8s.io"),
    ("clusterrolebindings", "rbac.authorization.k8s.io"),
    ("certificatesigningrequests", "certificates.k8s.io"),
    ("mutatingwebhookconfigurations", "admissionregistration.k8s.io"),
    ("validatingwebhookconfigurations", "admissionregistration.k8s.io"),
    ("validatingadmissionpolicies", "admissionregistration.k8s.io"),
    ("customresourcedefinitions", "apiextensions.k8s.io"),
    ("storageclasses", "storage.k8s.io"),
    ("csidrivers", "storage.k8s.io"),
    ("volumeattachments", "storage.k8s.io"),
    ("poddisruptionbudgets", "policy"),
    ("horizontalpodautoscalers", "autoscaling"),
    ("leases", "coordination.k8s.io"),
    ("priorityclasses", "scheduling.k8s.io"),
    ("runtimeclasses", "node.k8s.io"),
    ("endpointslices", "discovery.k8s.io"),
    ("tokenreviews", "authentication.k8s.io"),
    ("subjectaccessreviews", "authorization.k8s.io"),
];

impl Request {
    /// A request from the command line: `VERB RESOURCE[.GROUP][/SUBRESOURCE]`, or a path
    /// starting with `/` for a non-resource URL.
    pub fn parse(verb: &str, resource: &str, namespace: Option<&str>, name: Option<&str>) -> Result<Request, String> {
        if verb.is_empty() {
            return Err("the verb is empty".into());
        }
        if resource.starts_with('/') {
            return Ok(Request::NonResource { verb: verb.into(), path: resource.into() });
        }
        let (main, subresource) = resource.split_once('/').unwrap_or((resource, ""));
        let (resource, group) = match main.split_once('.') {
            Some((r, g)) => (r, g.to_string()),
            None => (main, KNOWN_GROUPS.iter().find(|(r, _)| *r == main).map(|(_, g)| g.to_string()).unwrap_or_default()),
        };
        if resource.is_empty() {
            return Err(format!("`{main}` names no resource"));
        }
        Ok(Request::Resource {
            verb: verb.into(),
            group,
            resource: resource.into(),
            subresource: subresource.into(),
            name: name.unwrap_or("").into(),
            namespace: namespace.map(Into::into),
        })
    }
}

impl fmt::Display for Request {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Request::NonResource { verb, path } => write!(f, "{verb} {path}"),
            Request::Resource { verb, group, resource, subresource, name, namespace } => {
                write!(f, "{verb} {resource}")?;
                if !group.is_empty() {
                    write!(f, ".{group}")?;
                }
                if !subresource.is_empty() {
                    write!(f, "/{subresource}")?;
                }
                if !name.is_empty() {
                    write!(f, " {name}")?;
                }
                match namespace {
                    Some(ns) => write!(f, " in namespace {ns}"),
                    None => write!(f, " cluster-wide"),
                }
            }
        }
    }
}

fn verb_matches(rule: &PolicyRule, verb: &str) -> bool {
    rule.verbs.iter().any(|v| v == "*" || v == verb)
}

fn group_matches(rule: &PolicyRule, group: &str) -> bool {
    rule.api_groups.iter().any(|g| g == "*" || g == group)
}

fn resource_matches(rule: &PolicyRule, resource: &str, subresource: &str) -> bool {
    let combined = if subresource.is_empty() { resource.to_string() } else { format!("{resource}/{subresource}") };
    rule.resources.iter().any(|r| {
        r == "*"
            || *r == combined
            || (!subresource.is_empty()
                && r.len() == subresource.len() + 2
                && r.starts_with("*/")
                && r.ends_with(subresource))
    })
}

fn name_matches(rule: &PolicyRule, name: &str) -> bool {
    rule.resource_names.is_empty() || rule.resource_names.iter().any(|n| n == name)
}

fn url_matches(rule: &PolicyRule, path: &str) -> bool {
    rule.non_resource_urls.iter().any(|u| {
        u == "*" || u == path || u.strip_suffix('*').is_some_and(|prefix| path.starts_with(prefix))
    })
}

/// Whether one rule allows the request.
pub fn rule_allows(rule: &PolicyRule, request: &Request) -> bool {
    match request {
        Request::Resource { verb, group, resource, subresource, name, .. } => {
            verb_matches(rule, verb)
                && group_matches(rule, group)
                && resource_matches(rule, resource, subresource)
                && name_matches(rule, name)
        }
        Request::NonResource { verb, path } => verb_matches(rule, verb) && url_matches(rule, path),
    }
}

impl Binding {
    /// Whether the binding can grant this request at all: a ClusterRoleBinding everywhere, a
    /// RoleBinding only for resource requests in its own namespace.
    pub fn applies_to(&self, request: &Request) -> bool {
        match (&self.namespace, request) {
            (None, _) => true,
            (Some(ns), Request::Resource { namespace: Some(req_ns), .. }) => ns == req_ns,
            (Some(_), _) => false,
        }
    }
}

/// Who is asking: a user name (absent when asking for a group) and every group, implicit
/// ones included.
#[derive(Clone, Debug, PartialEq)]
pub struct Identity {
    pub user: Option<String>,
    pub groups: Vec<String>,
}

impl Identity {
    /// The identity of a subject as the API server authenticates it.
    pub fn of(subject: &Subject) -> Identity {
        match subject {
            Subject::User(name) if name == "system:anonymous" => {
                Identity { user: Some(name.clone()), groups: vec!["system:unauthenticated".into()] }
            }
            Subject::User(name) => {
                if let Some((ns, sa)) = name.strip_prefix("system:serviceaccount:").and_then(|r| r.split_once(':')) {
                    return Identity::of(&Subject::ServiceAccount(ns.into(), sa.into()));
                }
                Identity { user: Some(name.clone()), groups: vec!["system:authenticated".into()] }
            }
            Subject::Group(group) => {
                let mut groups = vec![group.clone()];
                if group != "system:unauthenticated" && group != "system:authenticated" {
                    groups.push("system:authenticated".into());
                }
                Identity { user: None, groups }
            }
            Subject::ServiceAccount(ns, name) => Identity {
                user: Some(format!("system:serviceaccount:{ns}:{name}")),
                groups: vec![
                    "system:serviceaccounts".into(),
                    format!("system:serviceaccounts:{ns}"),
                    "system:authenticated".into(),
                ],
            },
        }
    }
}

impl Subject {
    /// Whether this subject of `binding` names the identity (or one of its groups).
    pub fn matches(&self, who: &Identity, binding: &Binding) -> bool {
        match self {
            Subject::User(name) => who.user.as_deref() == Some(name.as_str()),
            Subject::Group(group) => who.groups.iter().any(|g| g == group),
            Subject::ServiceAccount(ns, name) => {
                let ns = if ns.is_empty() { binding.namespace.as_deref().unwrap_or("") } else { ns.as_str() };
                !ns.is_empty() && who.user.as_deref() == Some(format!("system:serviceaccount:{ns}:{name}").as_str())
            }
        }
    }
}
