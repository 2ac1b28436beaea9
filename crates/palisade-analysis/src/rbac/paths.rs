//! Escalation paths: from a subject, the chains of steps that reach cluster-admin
//! equivalence, admin of a namespace, or the Secrets of a namespace other than its own.
//!
//! Steps are what RBAC lets a subject do to become someone more powerful or to grant itself
//! more: run a pod (or mint a token) as a ServiceAccount of a namespace — directly, or
//! through any workload that creates pods (Deployment, ReplicaSet, StatefulSet, DaemonSet,
//! Job, CronJob, ReplicationController); exec into, attach to or add an ephemeral container
//! to the pods of a workload that runs as a ServiceAccount; read a long-lived
//! token Secret of one; impersonate; bind or
//! escalate roles; approve a client certificate for `system:masters`; reach every kubelet
//! through `nodes/proxy`. The search is breadth-first, so each reach comes with a shortest
//! chain.

use super::authorizer::{rule_allows, Identity, Request};
use super::model::{Binding, Role, Subject};
use super::Rbac;
use std::collections::{BTreeSet, HashSet, VecDeque};
use std::fmt;

/// What a path reaches.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Reach {
    ClusterAdmin,
    NamespaceAdmin(String),
    Secrets(String),
}

impl fmt::Display for Reach {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Reach::ClusterAdmin => write!(f, "cluster-admin"),
            Reach::NamespaceAdmin(ns) => write!(f, "namespace-admin:{ns}"),
            Reach::Secrets(ns) => write!(f, "secrets:{ns}"),
        }
    }
}

/// One step of a chain: who does what.
#[derive(Clone, Debug, PartialEq)]
pub struct Step {
    pub actor: Subject,
    pub action: String,
}

/// A chain from a subject to what it reaches.
#[derive(Clone, Debug, PartialEq)]
pub struct Path {
    pub subject: Subject,
    pub reaches: Reach,
    pub steps: Vec<Step>,
}

/// The grants of one identity, to ask many requests cheaply.
struct Grants<'a> {
    roles: Vec<(&'a Binding, &'a Role)>,
}

impl Grants<'_> {
    fn allows(&self, request: &Request) -> bool {
        self.roles.iter().any(|(b, role)| b.applies_to(request) && role.rules.iter().any(|r| rule_allows(r, request)))
    }
}

fn resource(verb: &str, group: &str, resource: &str, sub: &str, name: &str, namespace: Option<&str>) -> Request {
    Request::Resource {
        verb: verb.into(),
        group: group.into(),
        resource: resource.into(),
        subresource: sub.into(),
        name: name.into(),
        namespace: namespace.map(Into::into),
    }
}

const RBAC_GROUP: &str = "rbac.authorization.k8s.io";

/// What creates pods besides a pod: (API group, resource, kind).
const POD_CREATORS: &[(&str, &str, &str)] = &[
    ("apps", "deployments", "Deployment"),
    ("apps", "replicasets", "ReplicaSet"),
    ("apps", "statefulsets", "StatefulSet"),
    ("apps", "daemonsets", "DaemonSet"),
    ("batch", "jobs", "Job"),
    ("batch", "cronjobs", "CronJob"),
    ("", "replicationcontrollers", "ReplicationController"),
];

/// Ways into a running pod's containers, whose processes hold its ServiceAccount's token:
/// (verb, subresource, what it does).
const INTO_PODS: &[(&str, &str, &str)] = &[
    ("create", "exec", "execs into"),
    ("create", "attach", "attaches to"),
    ("patch", "ephemeralcontainers", "adds an ephemeral container to"),
    ("update", "ephemeralcontainers", "adds an ephemeral container to"),
];

impl Rbac {
    /// Every namespace the configuration (or the rest of the input) mentions.
    pub fn namespaces(&self) -> BTreeSet<String> {
        let mut out: BTreeSet<String> = self.roles.iter().filter_map(|r| r.namespace.clone()).collect();
        out.extend(self.known_namespaces.iter().cloned());
        for b in &self.bindings {
            out.extend(b.namespace.clone());
            for s in &b.subjects {
                if let Subject::ServiceAccount(ns, _) = s.in_binding(b) {
                    if !ns.is_empty() {
                        out.insert(ns);
                    }
                }
            }
        }
        out
    }

    /// Every subject named in a binding (ServiceAccounts with their namespace filled in).
    pub fn subjects(&self) -> BTreeSet<Subject> {
        self.bindings.iter().flat_map(|b| b.subjects.iter().map(move |s| s.in_binding(b))).collect()
    }

    fn grants(&self, subject: &Subject) -> Grants<'_> {
        let who = Identity::of(subject);
        Grants { roles: self.grants_of(&who).into_iter().map(|(_, b, r)| (b, r)).collect() }
    }

    /// The shortest chain to each thing `from` can reach.
    pub fn paths(&self, from: &Subject) -> Vec<Path> {
        let namespaces = self.namespaces();
        let subjects = self.subjects();
        let accounts = |ns: &str| -> Vec<Subject> {
            subjects.iter().filter(|s| matches!(s, Subject::ServiceAccount(n, _) if n == ns)).cloned().collect()
        };
        let mut found: Vec<Path> = Vec::new();
        let mut reached: HashSet<Reach> = HashSet::new();
        let mut seen: HashSet<Subject> = HashSet::from([from.clone()]);
        let mut queue: VecDeque<(Subject, Vec<Step>)> = VecDeque::from([(from.clone(), Vec::new())]);
        while let Some((actor, steps)) = queue.pop_front() {
            let g = self.grants(&actor);
            if g.roles.is_empty() {
                continue;
            }
            let mut reach = |what: Reach, action: String| {
                if reached.insert(what.clone()) {
                    let mut chain = steps.clone();
                    chain.push(Step { actor: actor.clone(), action });
                    found.push(Path { subject: from.clone(), reaches: what, steps: chain });
                }
            };
            // Cluster-admin equivalents.
            if g.allows(&resource("*", "*", "*", "", "", None)) {
                reach(Reach::ClusterAdmin, "holds every verb on every resource cluster-wide".into());
            }
            if g.allows(&resource("escalate", RBAC_GROUP, "clusterroles", "", "", None)) {
                reach(Reach::ClusterAdmin, "escalates a ClusterRole it is bound to, to grant itself everything".into());
            }
            if g.allows(&resource("bind", RBAC_GROUP, "clusterroles", "", "cluster-admin", None))
                && g.allows(&resource("create", RBAC_GROUP, "clusterrolebindings", "", "", None))
            {
                reach(Reach::ClusterAdmin, "creates a ClusterRoleBinding to cluster-admin for itself".into());
            }
            if g.allows(&resource("impersonate", "", "groups", "", "system:masters", None)) {
                reach(Reach::ClusterAdmin, "impersonates the group system:masters".into());
            }
            if g.allows(&resource("create", "certificates.k8s.io", "certificatesigningrequests", "", "", None))
                && g.allows(&resource("update", "certificates.k8s.io", "certificatesigningrequests", "approval", "", None))
                && g.allows(&resource("approve", "certificates.k8s.io", "signers", "", "kubernetes.io/kube-apiserver-client", None))
            {
                reach(Reach::ClusterAdmin, "requests and approves a client certificate for system:masters".into());
            }
            if g.allows(&resource("get", "", "nodes", "proxy", "", None)) {
                reach(Reach::ClusterAdmin, "runs commands in any pod, control plane included, through the kubelets' nodes/proxy".into());
            }
            let mut next: Vec<(Subject, String)> = Vec::new();
            if g.allows(&resource("impersonate", "", "serviceaccounts", "", "", None)) {
                next.extend(subjects.iter().filter(|s| matches!(s, Subject::ServiceAccount(..))).map(|s| (s.clone(), format!("impersonates {s}"))));
            }
            if g.allows(&resource("impersonate", "", "users", "", "", None)) {
                next.extend(subjects.iter().filter(|s| matches!(s, Subject::User(_))).map(|s| (s.clone(), format!("impersonates {s}"))));
            }
            // "Other namespaces" are other than the starting subject's own.
            let own_ns = match from {
                Subject::ServiceAccount(ns, _) => Some(ns.as_str()),
                _ => None,
            };
            for ns in &namespaces {
                let at = Some(ns.as_str());
                if g.allows(&resource("*", "*", "*", "", "", at)) {
                    reach(Reach::NamespaceAdmin(ns.clone()), format!("holds every verb on every resource in {ns}"));
                } else if g.allows(&resource("escalate", RBAC_GROUP, "roles", "", "", at))
                    || (g.allows(&resource("bind", RBAC_GROUP, "clusterroles", "", "admin", at))
                        && g.allows(&resource("create", RBAC_GROUP, "rolebindings", "", "", at)))
                {
                    reach(Reach::NamespaceAdmin(ns.clone()), format!("grants itself admin in {ns} (bind or escalate)"));
                }
                if own_ns != Some(ns.as_str()) && g.allows(&resource("list", "", "secrets", "", "", at)) {
                    reach(Reach::Secrets(ns.clone()), format!("lists the Secrets of {ns}"));
                }
                for (_, secret, sa) in self.token_secrets.iter().filter(|(n, _, _)| n == ns) {
                    if g.allows(&resource("get", "", "secrets", "", secret, at)) {
                        let who = Subject::ServiceAccount(ns.clone(), sa.clone());
                        next.push((who.clone(), format!("reads the token Secret {ns}/{secret} of {who}")));
                    }
                }
                // A pod, or else the first kind of workload it may create that creates pods.
                let creator = if g.allows(&resource("create", "", "pods", "", "", at)) {
                    Some("Pod")
                } else {
                    POD_CREATORS.iter().find(|(group, res, _)| g.allows(&resource("create", group, res, "", "", at))).map(|(_, _, kind)| *kind)
                };
                if let Some(kind) = creator {
                    next.extend(accounts(ns).into_iter().map(|sa| {
                        let action = match kind {
                            "Pod" => format!("creates a pod in {ns} that runs as {sa}"),
                            kind => format!("creates a {kind} in {ns} whose pods run as {sa}"),
                        };
                        (sa, action)
                    }));
                } else if g.allows(&resource("create", "", "serviceaccounts", "token", "", at)) {
                    next.extend(accounts(ns).into_iter().map(|sa| (sa.clone(), format!("creates a token for {sa}"))));
                }
                for w in self.workload_accounts.iter().filter(|w| &w.namespace == ns) {
                    // A bare Pod is known by name; a controller's pods have generated names.
                    let name = if w.kind == "Pod" { w.name.as_str() } else { "" };
                    if let Some((_, _, how)) = INTO_PODS.iter().find(|(verb, sub, _)| g.allows(&resource(verb, "", "pods", sub, name, at))) {
                        let who = Subject::ServiceAccount(ns.clone(), w.service_account.clone());
                        next.push((who.clone(), format!("{how} the pods of {} {ns}/{}, which run as {who}", w.kind, w.name)));
                    }
                }
            }
            for (who, action) in next {
                if seen.insert(who.clone()) {
                    let mut chain = steps.clone();
                    chain.push(Step { actor: actor.clone(), action });
                    queue.push_back((who, chain));
                }
            }
        }
        // Cluster-admin implies every namespace: the narrower reaches would only repeat it.
        if found.iter().any(|p| p.reaches == Reach::ClusterAdmin) {
            found.retain(|p| p.reaches == Reach::ClusterAdmin);
        }
        found.sort_by(|a, b| a.reaches.cmp(&b.reaches));
        found
    }
}
