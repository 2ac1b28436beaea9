//! Kubernetes label selectors (`matchLabels` and `matchExpressions` with In, NotIn, Exists,
//! DoesNotExist), as ClusterRole aggregation and NetworkPolicies use them.

use palisade_core::Node;
use std::collections::BTreeMap;

/// One `matchExpressions` requirement.
#[derive(Clone, Debug, PartialEq)]
pub enum Requirement {
    In(String, Vec<String>),
    NotIn(String, Vec<String>),
    Exists(String),
    DoesNotExist(String),
}

/// A label selector. An empty selector matches everything.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Selector {
    pub requirements: Vec<Requirement>,
}

impl Selector {
    /// Reads a selector; an unknown operator makes it match nothing (as the API server would
    /// have rejected it), and the problem is returned.
    pub fn from_node(node: &Node) -> Result<Selector, String> {
        let mut requirements = Vec::new();
        for e in node.get("matchLabels").map(Node::entries).unwrap_or(&[]) {
            requirements.push(Requirement::In(e.key.clone(), vec![e.value.display_scalar()]));
        }
        for expr in node.get("matchExpressions").map(Node::items).unwrap_or(&[]) {
            let key = expr.get("key").map(Node::display_scalar).unwrap_or_default();
            let values: Vec<String> = expr.get("values").map(Node::items).unwrap_or(&[]).iter().map(Node::display_scalar).collect();
            let op = expr.get("operator").map(Node::display_scalar).unwrap_or_default();
            requirements.push(match op.as_str() {
                "In" => Requirement::In(key, values),
                "NotIn" => Requirement::NotIn(key, values),
                "Exists" => Requirement::Exists(key),
                "DoesNotExist" => Requirement::DoesNotExist(key),
                other => return Err(format!("unknown selector operator `{other}`")),
            });
        }
        Ok(Selector { requirements })
    }

    pub fn matches(&self, labels: &BTreeMap<String, String>) -> bool {
        self.requirements.iter().all(|r| match r {
            Requirement::In(k, vs) => labels.get(k).is_some_and(|v| vs.contains(v)),
            Requirement::NotIn(k, vs) => labels.get(k).is_none_or(|v| !vs.contains(v)),
            Requirement::Exists(k) => labels.contains_key(k),
            Requirement::DoesNotExist(k) => !labels.contains_key(k),
        })
    }
}

/// An object's `metadata.labels` as a map.
pub fn labels_of(object: &Node) -> BTreeMap<String, String> {
    object
        .get_path(&["metadata", "labels"])
        .map(Node::entries)
        .unwrap_or(&[])
        .iter()
        .map(|e| (e.key.clone(), e.value.display_scalar()))
        .collect()
}
