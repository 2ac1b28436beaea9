//! Objects that arrive as JSON values (an API server's answers, admission requests) into the
//! value tree, and back. Live objects have no file, so their nodes carry `Pos::UNKNOWN`;
//! their scalars are already typed by the API server, so nothing is re-resolved.

use palisade_core::{Entry, Node, Pos, Value};

/// The value tree of a JSON value.
pub fn node_of(value: &serde_json::Value) -> Node {
    use serde_json::Value as J;
    let value = match value {
        J::Null => Value::Null,
        J::Bool(b) => Value::Bool(*b),
        J::Number(n) => match n.as_i64() {
            Some(i) => Value::Int(i),
            None => Value::Float(n.as_f64().unwrap_or(f64::NAN)),
        },
        J::String(s) => Value::Str(s.clone()),
        J::Array(items) => Value::Seq(items.iter().map(node_of).collect()),
        J::Object(map) => Value::Map(map.iter().map(|(k, v)| Entry { key: k.clone(), key_pos: Pos::UNKNOWN, value: node_of(v) }).collect()),
    };
    Node::new(Pos::UNKNOWN, value)
}

/// The JSON value of a tree (a float that JSON cannot hold becomes `null`).
pub fn json_of(node: &Node) -> serde_json::Value {
    use serde_json::Value as J;
    match &node.value {
        Value::Null => J::Null,
        Value::Bool(b) => J::Bool(*b),
        Value::Int(i) => J::from(*i),
        Value::Float(f) => serde_json::Number::from_f64(*f).map(J::Number).unwrap_or(J::Null),
        Value::Str(s) => J::String(s.clone()),
        Value::Seq(items) => J::Array(items.iter().map(json_of).collect()),
        Value::Map(entries) => J::Object(entries.iter().map(|e| (e.key.clone(), json_of(&e.value))).collect()),
    }
}

/// The line of every mapping key of a tree read from a file, by its dotted path
/// (`authentication.anonymous.enabled` → 4): what a JSON copy of the tree loses.
pub fn key_lines(node: &Node) -> serde_json::Map<String, serde_json::Value> {
    fn walk(node: &Node, prefix: &str, out: &mut serde_json::Map<String, serde_json::Value>) {
        if let Value::Map(entries) = &node.value {
            for e in entries {
                let path = if prefix.is_empty() { e.key.clone() } else { format!("{prefix}.{}", e.key) };
                out.insert(path.clone(), e.key_pos.line.into());
                walk(&e.value, &path, out);
            }
        }
    }
    let mut out = serde_json::Map::new();
    walk(node, "", &mut out);
    out
}

/// The objects of a YAML/JSON text as JSON values: `List`s unpacked, documents that are not
/// objects with an apiVersion, kind and name (Helm values, policy files) left out. A
/// document that cannot be read is an error with its line; the rest are still read.
pub fn objects_of(bytes: &[u8]) -> (Vec<serde_json::Value>, Vec<String>) {
    let (mut objects, mut errors) = (Vec::new(), Vec::new());
    for doc in crate::Document::load_all(bytes, &crate::Limits::default()) {
        let doc = match doc {
            Ok(doc) => doc,
            Err(e) => {
                errors.push(e.to_string());
                continue;
            }
        };
        let value = json_of(&doc.root);
        if value["kind"].as_str() == Some("List") {
            objects.extend(value["items"].as_array().cloned().unwrap_or_default());
        } else if value["kind"].is_string() && value["apiVersion"].is_string() && value["metadata"]["name"].is_string() {
            objects.push(value);
        }
    }
    (objects, errors)
}
