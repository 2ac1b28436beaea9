//! What the engine remembers of each object for the rules that span objects: namespaces and
//! the kinds they hold, counts, RBAC roles and bindings, and (when the policy requires a
//! vault) secret reads and vault-synced Secrets. Only these small facts outlive a document.

use crate::engine::Origin;
use palisade_analysis::rbac::{self, model::RbacObject, model::Subject};
use palisade_core::secrets::{self, SecretUse};
use palisade_core::{
    Anchor, BindingFact, Facts, FieldPath, NamespaceFact, Node, Pos, SecretReadFact, Target, Value,
};
use std::sync::Arc;

/// Which facts are worth gathering for the rules that run (decided once per engine).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Plan {
    /// A network rule (`NET…`) runs: keep workloads' labels and ports, Namespaces, policies.
    pub network: bool,
    /// The policy requires a vault: keep secret reads and vault-synced Secrets.
    pub secret_reads: bool,
}

/// Records what cross-object rules need to know about this object.
pub(crate) fn gather(plan: &Plan, target: &Target, node: &Node, prefix: Option<&FieldPath>, origin: &Origin, subject: &palisade_core::Subject, facts: &mut Facts) {
    let object = &target.object;
    match facts.kind_counts.get_mut(object.kind) {
        Some(n) => *n += 1,
        None => {
            facts.kind_counts.insert(object.kind.to_string(), 1);
        }
    }
    facts.workloads += usize::from(target.pod.is_some());
    let anchor_at = |pos: Pos| {
        Arc::new(Anchor {
            object: target.reference(),
            location: Some(origin.location(pos)),
            labels: subject.labels.cloned(),
            inline: subject.inline.cloned(),
        })
    };
    if plan.network {
        let kept = match (&target.pod, object.kind) {
            (_, "Namespace" | "NetworkPolicy") => Some(node.clone()),
            (Some(pod), _) => Some(pod_summary(object.name, object.namespace, pod)),
            (None, _) => None,
        };
        if let Some(kept) = kept {
            let at = FieldPath::root().keys(&["metadata", "name"]).locate(node).0;
            facts.network_objects.push((kept, anchor_at(at)));
        }
    }
    if object.kind == "Namespace" && object.api_version == "v1" {
        let at = FieldPath::root().keys(&["metadata", "name"]).locate(node).0;
        facts.namespaces.push(NamespaceFact { name: object.name.to_string(), anchor: anchor_at(at) });
    }
    if let Some(ns) = object.namespace {
        if !facts.namespace_has(ns, object.kind) {
            facts.kinds.entry(ns.to_string()).or_default().insert(object.kind.to_string());
        }
    }
    match rbac::model::read(object, node) {
        Some(RbacObject::Role(role)) => {
            if role.is_cluster_role() && role.aggregation.is_none() {
                let rules = node.get("rules").cloned().unwrap_or_else(|| Node::new(node.pos, Value::Null));
                facts.cluster_role_rules.insert(role.name.clone(), rules);
            }
            facts.rbac_roles.insert(role.key());
        }
        Some(RbacObject::Binding(b)) => {
            let at = FieldPath::root().keys(&["roleRef", "name"]).locate(node).0;
            let subjects = b
                .subjects
                .iter()
                .map(|s| match s {
                    Subject::User(n) => ("User".to_string(), n.clone(), None),
                    Subject::Group(n) => ("Group".to_string(), n.clone(), None),
                    Subject::ServiceAccount(ns, n) => ("ServiceAccount".to_string(), n.clone(), Some(ns.clone()).filter(|ns| !ns.is_empty())),
                })
                .collect();
            facts.rbac_bindings.push(BindingFact {
                anchor: anchor_at(at),
                namespace: b.namespace,
                cluster_role: b.role_is_cluster,
                role: b.role_name,
                subjects,
            });
        }
        None => {}
    }
    if plan.secret_reads {
        let namespace = object.namespace.map(str::to_string);
        for name in secrets::vault_synced_secrets(object.kind, object.api_version, node) {
            facts.vault_secrets.insert((namespace.clone(), name));
        }
        let reads = target.pod.as_ref().map(secrets::secret_reads).unwrap_or_default();
        for read in reads.into_iter().filter(|r| r.how != SecretUse::ImagePull) {
            let at = read.path.locate(node).0;
            facts.secret_reads.push(SecretReadFact {
                anchor: anchor_at(at),
                namespace: namespace.clone(),
                secret: read.secret.to_string(),
                how: read.how,
                path: prefix.map(|p| p.join(&read.path)).unwrap_or(read.path),
            });
        }
    }
}

/// What NetworkPolicies see of a workload, as a small Pod: its name and namespace, its pod
/// template's labels, and its containers' ports — not the whole object, so a scan of many
/// workloads keeps little.
fn pod_summary(name: &str, namespace: Option<&str>, pod: &palisade_core::PodSpecView) -> Node {
    let at = pod.spec.pos;
    let node = |value| Node::new(at, value);
    let entry = |key: &str, value: Node| palisade_core::Entry { key: key.to_string(), key_pos: at, value };
    let text = |t: &str| node(Value::Str(t.to_string()));
    let mut meta = vec![entry("name", text(name))];
    if let Some(ns) = namespace {
        meta.push(entry("namespace", text(ns)));
    }
    if let Some(labels) = pod.meta.and_then(|m| m.get("labels")) {
        meta.push(entry("labels", labels.clone()));
    }
    let containers: Vec<Node> = pod
        .containers()
        .filter_map(|c| c.node.get("ports"))
        .map(|ports| node(Value::Map(vec![entry("ports", ports.clone())])))
        .collect();
    node(Value::Map(vec![
        entry("apiVersion", text("v1")),
        entry("kind", text("Pod")),
        entry("metadata", node(Value::Map(meta))),
        entry("spec", node(Value::Map(vec![entry("containers", node(Value::Seq(containers)))]))),
    ]))
}
