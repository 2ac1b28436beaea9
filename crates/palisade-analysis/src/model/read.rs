//! Reads what one object contributes to the model, once, from its value tree: its kind, its
//! pods as NetworkPolicies see them, a policy, a Namespace's labels, a role or binding, a
//! Secret, and the Secrets it reads or syncs from a vault.

use super::{NamespaceDecl, ObjectFacts, SecretInfo, SecretRead};
use crate::netpol::model::{read_policy, read_pod};
use crate::rbac::model::{self as rbac, RbacObject};
use crate::rbac::WorkloadAccount;
use crate::selector::labels_of;
use palisade_core::secrets::{self, SecretUse};
use palisade_core::{Anchor, FieldPath, Location, Node, Object, PodSpecView};
use super::Key;
use std::sync::Arc;

/// Which facts are worth reading, for what will consume the model.
#[derive(Clone, Copy, Debug)]
pub struct Plan {
    /// Workloads' pods and NetworkPolicies (network rules and queries).
    pub network: bool,
    /// Which workloads read which Secrets (when the policy requires a vault).
    pub secret_reads: bool,
    /// What only the RBAC queries use: Secrets (age, the ServiceAccount a token is for) and
    /// the ServiceAccount each workload runs as.
    pub rbac_queries: bool,
}

impl Plan {
    /// Everything.
    pub const ALL: Plan = Plan { network: true, secret_reads: true, rbac_queries: true };
}

/// Reads a live object (no file: its findings carry no location) under its own reference,
/// as it is (namespace placement is the caller's).
pub fn read_object(plan: &Plan, node: &Node) -> Result<(Key, ObjectFacts), String> {
    let object = Object::from_node(node)?;
    let key = Key::live(object.reference());
    let anchor = |_: &FieldPath| Arc::new(Anchor { object: key.object.clone(), location: None, labels: None, inline: None });
    let facts = read(plan, &object, node, PodSpecView::of(&object).as_ref(), None, &anchor, &|_| None);
    Ok((key, facts))
}

/// Reads the facts of `object` (whose tree is `node`). `anchor` makes the anchor of a
/// cross-object finding at a field of the object; `location` locates a position;
/// `prefix` is the object's path in its document (`items[3]` in a `List`).
pub fn read(
    plan: &Plan,
    object: &Object,
    node: &Node,
    pod: Option<&PodSpecView>,
    prefix: Option<&FieldPath>,
    anchor: &dyn Fn(&FieldPath) -> Arc<Anchor>,
    location: &dyn Fn(&FieldPath) -> Option<Location>,
) -> ObjectFacts {
    let name_path = FieldPath::root().keys(&["metadata", "name"]);
    let mut facts = ObjectFacts { kind: object.kind.to_string(), workload: pod.is_some(), ..ObjectFacts::default() };
    facts.counted = crate::controlplane::counted(object, node, pod);
    if object.kind == "Namespace" && object.api_version == "v1" {
        facts.namespace_decl = Some(NamespaceDecl { name: object.name.to_string(), labels: labels_of(node), anchor: anchor(&name_path) });
    }
    if let Some(pod) = pod.filter(|_| plan.rbac_queries) {
        let account = ["serviceAccountName", "serviceAccount"].iter().find_map(|k| pod.spec.get(k).and_then(Node::as_str)).filter(|s| !s.is_empty());
        facts.runs_as = Some(WorkloadAccount {
            namespace: object.namespace.unwrap_or("default").to_string(),
            kind: object.kind.to_string(),
            name: object.name.to_string(),
            service_account: account.unwrap_or("default").to_string(),
        });
    }
    if plan.network {
        if let Some(policy) = read_policy(object, node) {
            facts.policy = Some((policy, anchor(&name_path)));
        } else if let Some(net_pod) = read_pod(object) {
            facts.pod = Some((net_pod, anchor(&name_path)));
        }
    }
    match rbac::read(object, node) {
        Some(RbacObject::Role(role)) => facts.role = Some(role),
        Some(RbacObject::Binding(b)) => facts.binding = Some((b, anchor(&FieldPath::root().keys(&["roleRef", "name"])))),
        None => {}
    }
    if plan.rbac_queries && object.kind == "Secret" && object.api_version == "v1" {
        let token_for = (node.get("type").and_then(Node::as_str) == Some("kubernetes.io/service-account-token"))
            .then(|| node.get_path(&["metadata", "annotations", "kubernetes.io/service-account.name"]).and_then(Node::as_str))
            .flatten()
            .map(str::to_string);
        facts.secret = Some(SecretInfo {
            namespace: object.namespace.unwrap_or("default").to_string(),
            name: object.name.to_string(),
            created: node.get_path(&["metadata", "creationTimestamp"]).map(Node::display_scalar),
            location: location(&FieldPath::root()),
            token_for,
        });
    }
    if object.kind == "Event" && object.api_version == "audit.k8s.io/v1" {
        facts.audit = super::audit::read(node, anchor(&FieldPath::root().keys(&["verb"])));
    }
    if plan.secret_reads {
        facts.vault_secrets = secrets::vault_synced_secrets(object.kind, object.api_version, node);
        let reads = pod.map(secrets::secret_reads).unwrap_or_default();
        facts.secret_reads = reads
            .into_iter()
            .filter(|r| r.how != SecretUse::ImagePull)
            .map(|r| SecretRead {
                anchor: anchor(&r.path),
                secret: r.secret.to_string(),
                how: r.how,
                path: prefix.map(|p| p.join(&r.path)).unwrap_or(r.path),
            })
            .collect();
    }
    facts
}
