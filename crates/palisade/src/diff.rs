//! `palisade diff OLD NEW`: what changed between two snapshots (or any manifests) — objects
//! added, removed and changed, and findings opened and resolved — or between two JSON
//! reports (findings only: a report does not list its objects).

use crate::inputs::{Input, PassOptions};
use crate::scan::{scan, ScanOptions};
use palisade_rules::Engine;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::path::Path;

/// One side of a diff.
pub struct Side {
    /// Objects by identity (`group/Kind namespace/name`), cleaned of what changes on every
    /// write; `None` for a report.
    pub objects: Option<BTreeMap<String, (Value, Value)>>,
    /// The findings, as the JSON report writes them.
    pub findings: Vec<Value>,
}

/// What identifies an object across snapshots: its API group (not version), kind,
/// namespace and name; and the reference JSON reports use.
fn identity(o: &Value) -> (String, Value) {
    let api_version = o["apiVersion"].as_str().unwrap_or("");
    let group = api_version.rsplit_once('/').map(|(g, _)| g).unwrap_or("");
    let (kind, ns, name) = (o["kind"].as_str().unwrap_or(""), o["metadata"]["namespace"].as_str(), o["metadata"]["name"].as_str().unwrap_or(""));
    let key = format!("{group}/{kind} {}{name}", ns.map(|n| format!("{n}/")).unwrap_or_default());
    (key, json!({"api_version": api_version, "kind": kind, "namespace": ns, "name": name}))
}

/// An object without what the API server rewrites on every change.
fn content(mut o: Value) -> Value {
    if let Some(m) = o.as_object_mut() {
        m.remove("status");
        m.remove("apiVersion");
    }
    if let Some(meta) = o.get_mut("metadata").and_then(Value::as_object_mut) {
        for k in ["resourceVersion", "generation", "managedFields", "uid", "creationTimestamp"] {
            meta.remove(k);
        }
    }
    o
}

pub use palisade_report::json::{finding_key, path_within_object};

/// Reads one side: a `palisade.report/v1` JSON report, or manifests (a snapshot) that are
/// scanned with `engine`.
pub fn read_side(path: &Path, engine: &Engine) -> Result<Side, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    if let Ok(report) = serde_json::from_slice::<Value>(&bytes) {
        if report["schema"] == "palisade.report/v1" {
            return Ok(Side { objects: None, findings: report["findings"].as_array().cloned().unwrap_or_default() });
        }
    }
    let (objects, errors) = palisade_source::json::objects_of(&bytes);
    if let Some(e) = errors.first() {
        return Err(format!("{}: {e}", path.display()));
    }
    let objects = objects.into_iter().map(|o| (identity(&o).0, (identity(&o).1, content(o)))).collect();
    let opts = ScanOptions { engine, pass: PassOptions::quiet(), keep_objects: false, builtin_roles: true, insights: false };
    let report = scan(&[Input::File(path.to_path_buf())], &opts);
    if let Some(e) = report.errors.first() {
        return Err(e.to_string());
    }
    let mut out = Vec::new();
    palisade_report::json::write(&report, env!("CARGO_PKG_VERSION"), &mut out).map_err(|e| e.to_string())?;
    let report: Value = serde_json::from_slice(&out).map_err(|e| e.to_string())?;
    Ok(Side { objects: Some(objects), findings: report["findings"].as_array().cloned().unwrap_or_default() })
}

/// The differences, as `palisade diff --format json` writes them.
pub fn diff(old: &Side, new: &Side) -> Value {
    let objects = match (&old.objects, &new.objects) {
        (Some(a), Some(b)) => {
            let refs = |keys: Vec<&String>, side: &BTreeMap<String, (Value, Value)>| -> Vec<Value> { keys.into_iter().map(|k| side[k].0.clone()).collect() };
            let added = refs(b.keys().filter(|k| !a.contains_key(*k)).collect(), b);
            let removed = refs(a.keys().filter(|k| !b.contains_key(*k)).collect(), a);
            let changed = refs(b.keys().filter(|k| a.get(*k).is_some_and(|(_, c)| *c != b[*k].1)).collect(), b);
            json!({"added": added, "removed": removed, "changed": changed})
        }
        _ => Value::Null,
    };
    let keyed = |side: &Side| -> BTreeMap<String, Value> { side.findings.iter().map(|f| (finding_key(f), f.clone())).collect() };
    let (a, b) = (keyed(old), keyed(new));
    let opened: Vec<Value> = b.iter().filter(|(k, _)| !a.contains_key(*k)).map(|(_, f)| f.clone()).collect();
    let resolved: Vec<Value> = a.iter().filter(|(k, _)| !b.contains_key(*k)).map(|(_, f)| f.clone()).collect();
    json!({"objects": objects, "findings": {"opened": opened, "resolved": resolved}})
}
