//! Palisade's value tree as the policy engines' values: Rego's and CEL's.

use palisade_core::{Node, Value};
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

/// A value tree as a Rego value.
pub fn rego(node: &Node) -> regorus::Value {
    match &node.value {
        Value::Null => regorus::Value::Null,
        Value::Bool(b) => regorus::Value::from(*b),
        Value::Int(i) => regorus::Value::from(*i),
        Value::Float(f) => regorus::Value::from(*f),
        Value::Str(s) => regorus::Value::from(s.as_str()),
        Value::Seq(items) => regorus::Value::from(items.iter().map(rego).collect::<Vec<_>>()),
        Value::Map(entries) => {
            let map: BTreeMap<regorus::Value, regorus::Value> =
                entries.iter().map(|e| (regorus::Value::from(e.key.as_str()), rego(&e.value))).collect();
            regorus::Value::from(map)
        }
    }
}

/// A JSON value as a Rego value.
pub fn rego_json(v: &serde_json::Value) -> regorus::Value {
    regorus::Value::from(v.clone())
}

/// A value tree as a CEL value.
pub fn cel(node: &Node) -> ::cel::Value {
    match &node.value {
        Value::Null => ::cel::Value::Null,
        Value::Bool(b) => ::cel::Value::Bool(*b),
        Value::Int(i) => ::cel::Value::Int(*i),
        Value::Float(f) => ::cel::Value::Float(*f),
        Value::Str(s) => ::cel::Value::String(Arc::new(s.clone())),
        Value::Seq(items) => ::cel::Value::List(Arc::new(items.iter().map(cel).collect())),
        Value::Map(entries) => cel_map(entries.iter().map(|e| (e.key.as_str(), cel(&e.value))), entries.len()),
    }
}

/// A CEL map, built in place (CEL's `From<HashMap>` would build it twice).
pub fn cel_map<'k>(entries: impl Iterator<Item = (&'k str, ::cel::Value)>, len: usize) -> ::cel::Value {
    let mut map: HashMap<::cel::objects::Key, ::cel::Value> = HashMap::with_capacity(len);
    for (k, v) in entries {
        map.insert(::cel::objects::Key::String(Arc::new(k.to_string())), v);
    }
    ::cel::Value::Map(::cel::objects::Map { map: Arc::new(map) })
}

/// A JSON value as a CEL value.
pub fn cel_json(v: &serde_json::Value) -> ::cel::Value {
    match v {
        serde_json::Value::Null => ::cel::Value::Null,
        serde_json::Value::Bool(b) => ::cel::Value::Bool(*b),
        serde_json::Value::Number(n) => n.as_i64().map(::cel::Value::Int).unwrap_or_else(|| ::cel::Value::Float(n.as_f64().unwrap_or(0.0))),
        serde_json::Value::String(s) => ::cel::Value::String(Arc::new(s.clone())),
        serde_json::Value::Array(a) => ::cel::Value::List(Arc::new(a.iter().map(cel_json).collect())),
        serde_json::Value::Object(m) => {
            let map: HashMap<String, ::cel::Value> = m.iter().map(|(k, v)| (k.clone(), cel_json(v))).collect();
            map.into()
        }
    }
}

/// A value tree as JSON.
pub fn json(node: &Node) -> serde_json::Value {
    match &node.value {
        Value::Null => serde_json::Value::Null,
        Value::Bool(b) => (*b).into(),
        Value::Int(i) => (*i).into(),
        Value::Float(f) => serde_json::Number::from_f64(*f).map(serde_json::Value::Number).unwrap_or(serde_json::Value::Null),
        Value::Str(s) => s.clone().into(),
        Value::Seq(items) => items.iter().map(json).collect(),
        Value::Map(entries) => entries.iter().map(|e| (e.key.clone(), json(&e.value))).collect::<serde_json::Map<_, _>>().into(),
    }
}
