//! A `palisade.report/v1` JSON report read back into a [`Report`]: the inverse of
//! [`crate::json::write`], so reports made elsewhere (a node audit on each node, a cluster
//! scan in CI) can be judged together — `palisade compliance` over them — as if one scan had
//! made them all. Findings keep their rule, severity, message, object, location, path and
//! controls; waived findings keep their waiver; the object counts by kind say which controls
//! apply.

use crate::{InputError, Report};
use palisade_core::{Date, Finding, Location, ObjectRef, RuleMeta, Severity, Suppression, WaiverSource};
use serde_json::Value;
use std::borrow::Cow;
use std::collections::HashSet;
use std::sync::{Arc, Mutex};

/// Whether a JSON value is a Palisade report.
pub fn is_report(value: &Value) -> bool {
    value.get("schema").and_then(Value::as_str) == Some(crate::json::SCHEMA)
}

/// A control reference as the `&'static str` findings hold: the rule's own when it names it,
/// else one interned for the process (the distinct controls are a few hundred at most).
fn control(rule: &'static RuleMeta, id: &str) -> &'static str {
    static INTERNED: Mutex<Option<HashSet<&'static str>>> = Mutex::new(None);
    if let Some(c) = rule.controls.iter().find(|c| **c == id) {
        return c;
    }
    let mut set = INTERNED.lock().unwrap_or_else(|e| e.into_inner());
    let set = set.get_or_insert_with(HashSet::new);
    match set.get(id) {
        Some(c) => c,
        None => {
            let c: &'static str = Box::leak(id.to_string().into_boxed_str());
            set.insert(c);
            c
        }
    }
}

fn text<'a>(v: &'a Value, key: &str, what: &str) -> Result<&'a str, String> {
    v.get(key).and_then(Value::as_str).ok_or_else(|| format!("{what}: `{key}` is missing or not a string"))
}

fn location(v: &Value) -> Option<Location> {
    let l = v.as_object()?;
    Some(Location {
        file: l.get("file")?.as_str()?.into(),
        line: l.get("line")?.as_u64()? as u32,
        column: l.get("column").and_then(Value::as_u64).unwrap_or(1) as u32,
        document: l.get("document").and_then(Value::as_u64).unwrap_or(1) as u32,
        template: l.get("template").and_then(Value::as_str).map(Into::into),
    })
}

/// One finding; `what` names it in errors (`findings[3]`).
fn finding(v: &Value, what: &str, rule_of: &dyn Fn(&str) -> Option<&'static RuleMeta>) -> Result<Finding, String> {
    let id = text(v, "rule", what)?;
    let rule = rule_of(id).ok_or_else(|| format!("{what}: rule {id} is not one this Palisade knows (a report from another version?)"))?;
    let severity: Severity = text(v, "severity", what)?.parse().map_err(|e| format!("{what}: {e}"))?;
    let o = v.get("object").ok_or_else(|| format!("{what}: `object` is missing"))?;
    let object = ObjectRef {
        api_version: text(o, "api_version", what)?.to_string(),
        kind: text(o, "kind", what)?.to_string(),
        namespace: o.get("namespace").and_then(Value::as_str).map(str::to_string),
        name: text(o, "name", what)?.to_string(),
    };
    let controls: Vec<&'static str> = v.get("controls").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str).map(|c| control(rule, c)).collect();
    let controls = if controls.as_slice() == rule.controls { Cow::Borrowed(rule.controls) } else { Cow::Owned(controls) };
    Ok(Finding {
        rule,
        severity,
        message: text(v, "message", what)?.to_string(),
        object: Arc::new(object),
        location: v.get("location").and_then(location),
        path: v.get("path").and_then(Value::as_str).unwrap_or("").to_string(),
        controls,
        event: v.get("audit_id").and_then(Value::as_str).map(Into::into),
        action: v.get("action").and_then(Value::as_str).and_then(palisade_core::rule::action_named),
    })
}

fn waiver(v: &Value, what: &str) -> Result<Suppression, String> {
    let w = v.get("waiver").ok_or_else(|| format!("{what}: a suppressed finding without its `waiver`"))?;
    let source = match w.get("source").and_then(Value::as_str) {
        Some("annotation") => WaiverSource::Annotation,
        _ => WaiverSource::Policy,
    };
    let expires = match w.get("expires").and_then(Value::as_str) {
        Some(d) => Some(d.parse::<Date>().map_err(|e| format!("{what}: waiver expiry {e}"))?),
        None => None,
    };
    Ok(Suppression {
        source,
        rule: w.get("rule").and_then(Value::as_str).unwrap_or("").to_string(),
        reason: w.get("reason").and_then(Value::as_str).unwrap_or("").to_string(),
        owner: w.get("owner").and_then(Value::as_str).map(str::to_string),
        expires,
        location: w.get("location").and_then(location),
    })
}

/// The report in `value`; `rule_of` finds a rule by its ID. An error names the finding.
pub fn read(value: &Value, rule_of: &dyn Fn(&str) -> Option<&'static RuleMeta>) -> Result<Report, String> {
    if !is_report(value) {
        return Err(format!("not a {} JSON report", crate::json::SCHEMA));
    }
    let list = |key: &str| value.get(key).and_then(Value::as_array).map(Vec::as_slice).unwrap_or(&[]);
    let mut report = Report::default();
    for (i, f) in list("findings").iter().enumerate() {
        report.findings.push(finding(f, &format!("findings[{i}]"), rule_of)?);
    }
    for (i, s) in list("suppressed").iter().enumerate() {
        let what = format!("suppressed[{i}]");
        report.suppressed.push((finding(s, &what, rule_of)?, Arc::new(waiver(s, &what)?)));
    }
    for e in list("errors") {
        let n = |k: &str| e.get(k).and_then(Value::as_u64).map(|n| n as u32);
        report.errors.push(InputError {
            file: e.get("file").and_then(Value::as_str).unwrap_or("").to_string(),
            line: n("line"),
            column: n("column"),
            document: n("document"),
            message: e.get("message").and_then(Value::as_str).unwrap_or("").to_string(),
        });
    }
    let summary = &value["summary"];
    report.files = summary["files"].as_u64().unwrap_or(0) as usize;
    report.objects = summary["objects"].as_u64().unwrap_or(0) as usize;
    report.workloads = summary["workloads"].as_u64().unwrap_or(0) as usize;
    for (kind, n) in summary["kinds"].as_object().into_iter().flatten() {
        report.kinds.insert(kind.clone(), n.as_u64().unwrap_or(0) as usize);
    }
    report.host = value.get("host").and_then(Value::as_str).map(str::to_string);
    Ok(report)
}

impl Report {
    /// Takes in another report's findings, waived findings, errors and counts, as if one scan
    /// had read both inputs.
    pub fn absorb(&mut self, other: Report) {
        self.files += other.files;
        self.objects += other.objects;
        self.workloads += other.workloads;
        for (kind, n) in other.kinds {
            *self.kinds.entry(kind).or_default() += n;
        }
        self.findings.extend(other.findings);
        self.suppressed.extend(other.suppressed);
        self.errors.extend(other.errors);
        self.skipped.extend(other.skipped);
        self.scanned.extend(other.scanned);
        for rule in other.rules {
            if !self.rules.iter().any(|r| r.id == rule.id) {
                self.rules.push(rule);
            }
        }
    }
}
