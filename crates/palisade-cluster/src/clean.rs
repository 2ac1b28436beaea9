//! What is kept of a live object: list items get back the apiVersion and kind lists leave
//! out; `managedFields` and the last-applied annotation (a full second copy, with a
//! Secret's values in it) are dropped; Secret values become their lengths, and ConfigMap
//! values over 64 KiB are left out, so a snapshot never holds a credential and memory stays
//! bounded. The same clean-up feeds the live scan and the snapshot, so both give the same
//! findings.

use palisade_core::secrets::{omitted, redacted};
use serde_json::{json, Value};

/// ConfigMap values larger than this are replaced by their length.
pub const LARGE_VALUE: usize = 64 * 1024;

/// The annotation kubectl keeps the last applied object in.
const LAST_APPLIED: &str = "kubectl.kubernetes.io/last-applied-configuration";

/// Cleans one object of a list of `kind` in `api_version`.
pub fn clean(mut object: Value, api_version: &str, kind: &str) -> Value {
    let Some(map) = object.as_object_mut() else { return object };
    map.entry("apiVersion").or_insert_with(|| json!(api_version));
    map.entry("kind").or_insert_with(|| json!(kind));
    if let Some(metadata) = map.get_mut("metadata").and_then(Value::as_object_mut) {
        metadata.remove("managedFields");
        if let Some(annotations) = metadata.get_mut("annotations").and_then(Value::as_object_mut) {
            annotations.remove(LAST_APPLIED);
        }
    }
    let (secret, config) = (kind == "Secret" && api_version == "v1", kind == "ConfigMap" && api_version == "v1");
    if secret {
        for field in ["data", "stringData"] {
            if let Some(data) = map.get_mut(field).and_then(Value::as_object_mut) {
                for value in data.values_mut() {
                    let len = match value.as_str() {
                        // `data` is base64: the decoded length is what the Secret holds.
                        Some(text) if field == "data" => text.trim_end_matches('=').len() * 3 / 4,
                        Some(text) => text.len(),
                        None => 0,
                    };
                    *value = json!(redacted(len));
                }
            }
        }
    }
    if config {
        if let Some(data) = map.get_mut("data").and_then(Value::as_object_mut) {
            for value in data.values_mut() {
                if let Some(len) = value.as_str().map(str::len).filter(|l| *l > LARGE_VALUE) {
                    *value = json!(omitted(len));
                }
            }
        }
        if let Some(data) = map.get_mut("binaryData").and_then(Value::as_object_mut) {
            for value in data.values_mut() {
                let len = value.as_str().map(|t| t.trim_end_matches('=').len() * 3 / 4).unwrap_or(0);
                *value = json!(omitted(len));
            }
        }
    }
    object
}

/// The kinds whose objects a controller creates from a template the scan checks already
/// (the owner's kind, the owned kind): a Pod of a ReplicaSet is its Deployment's template.
const CONTROLLED: &[(&str, &str)] = &[
    ("ReplicaSet", "Pod"),
    ("StatefulSet", "Pod"),
    ("DaemonSet", "Pod"),
    ("Job", "Pod"),
    ("ReplicationController", "Pod"),
    ("Deployment", "ReplicaSet"),
    ("CronJob", "Job"),
];

/// Whether a controller whose template the scan checks owns this object.
pub fn owned_by_controller(object: &Value) -> bool {
    let kind = object["kind"].as_str().unwrap_or("");
    object["metadata"]["ownerReferences"].as_array().into_iter().flatten().any(|owner| {
        owner["controller"].as_bool() == Some(true) && CONTROLLED.iter().any(|(o, k)| *k == kind && owner["kind"].as_str() == Some(*o))
    })
}
