//! `--format json`: the `palisade.report/v1` document (schema in `schema/report.schema.json`).

use crate::Report;
use palisade_core::compliance::{Compliance, Status};
use palisade_core::{Finding, Location, Suppression};
use std::sync::Arc;
use serde::Serialize;
use serde_json::{json, Map, Value};
use std::io::{self, Write};

pub const SCHEMA: &str = "palisade.report/v1";

#[derive(Serialize)]
struct FindingOut<'a> {
    rule: &'a str,
    name: &'a str,
    severity: &'a str,
    message: &'a str,
    object: ObjectOut<'a>,
    location: Option<LocationOut<'a>>,
    path: &'a str,
    controls: &'a [&'static str],
    remediation: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    audit_id: Option<&'a str>,
    /// A user policy's enforcement action.
    #[serde(skip_serializing_if = "Option::is_none")]
    action: Option<&'a str>,
}

#[derive(Serialize)]
struct ObjectOut<'a> {
    api_version: &'a str,
    kind: &'a str,
    namespace: Option<&'a str>,
    name: &'a str,
}

#[derive(Serialize)]
struct LocationOut<'a> {
    file: &'a str,
    line: u32,
    column: u32,
    document: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    template: Option<&'a str>,
}

/// Each rule's remediation line, worked out once per report rather than once per finding.
pub(crate) struct Remediations(Vec<(&'static str, String)>);


impl Remediations {
    pub(crate) fn new(report: &Report) -> Remediations {
        Remediations(report.rules.iter().map(|r| (r.id, r.remediation())).collect())
    }

    pub(crate) fn get(&self, rule: &palisade_core::RuleMeta) -> std::borrow::Cow<'_, str> {
        match self.0.iter().find(|(id, _)| *id == rule.id) {
            Some((_, text)) => text.as_str().into(),
            None => rule.remediation().into(),
        }
    }
}

fn finding_out<'a>(f: &'a Finding, remediation: &'a str) -> FindingOut<'a> {
    FindingOut {
        rule: f.rule.id,
        name: f.rule.name,
        severity: f.severity.as_str(),
        message: &f.message,
        object: object_out(&f.object),
        location: f.location.as_ref().map(location_out),
        path: &f.path,
        controls: &f.controls,
        remediation,
        audit_id: f.event.as_deref(),
        action: f.action,
    }
}

fn object_out(o: &palisade_core::ObjectRef) -> ObjectOut<'_> {
    ObjectOut { api_version: &o.api_version, kind: &o.kind, namespace: o.namespace.as_deref(), name: &o.name }
}

fn location_out(l: &Location) -> LocationOut<'_> {
    LocationOut { file: &l.file, line: l.line, column: l.column, document: l.document, template: l.template.as_deref() }
}

/// One finding in the report's shape, on its own (watch events, alerts).
pub fn finding(f: &Finding) -> Value {
    let remediation = f.rule.remediation();
    serde_json::to_value(finding_out(f, &remediation)).unwrap_or(Value::Null)
}

/// A finding as [`FindingOut`] serializes it, written directly: a report holds hundreds of
/// thousands, and serde_json's string escaping was most of the time spent writing them (a
/// test checks the bytes are serde_json's).
fn write_finding(out: &mut Vec<u8>, f: &Finding, remediations: &Remediations) -> io::Result<()> {
    use palisade_core::json_text::write_string as string;
    let field = |out: &mut Vec<u8>, name: &str| {
        out.extend_from_slice(b",\"");
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(b"\":");
    };
    let number = |out: &mut Vec<u8>, n: u32| out.extend_from_slice(n.to_string().as_bytes());
    out.extend_from_slice(b"{\"rule\":");
    string(out, f.rule.id);
    field(out, "name");
    string(out, f.rule.name);
    field(out, "severity");
    string(out, f.severity.as_str());
    field(out, "message");
    string(out, &f.message);
    out.extend_from_slice(b",\"object\":{\"api_version\":");
    string(out, &f.object.api_version);
    field(out, "kind");
    string(out, &f.object.kind);
    field(out, "namespace");
    match &f.object.namespace {
        Some(ns) => string(out, ns),
        None => out.extend_from_slice(b"null"),
    }
    field(out, "name");
    string(out, &f.object.name);
    out.push(b'}');
    field(out, "location");
    match &f.location {
        Some(l) => {
            out.extend_from_slice(b"{\"file\":");
            string(out, &l.file);
            field(out, "line");
            number(out, l.line);
            field(out, "column");
            number(out, l.column);
            field(out, "document");
            number(out, l.document);
            if let Some(template) = &l.template {
                field(out, "template");
                string(out, template);
            }
            out.push(b'}');
        }
        None => out.extend_from_slice(b"null"),
    }
    field(out, "path");
    string(out, &f.path);
    field(out, "controls");
    out.push(b'[');
    for (i, c) in f.controls.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        string(out, c);
    }
    out.push(b']');
    field(out, "remediation");
    string(out, &remediations.get(f.rule));
    if let Some(id) = &f.event {
        field(out, "audit_id");
        string(out, id);
    }
    if let Some(action) = f.action {
        field(out, "action");
        string(out, action);
    }
    out.push(b'}');
    Ok(())
}

/// A suppressed finding: the finding's fields, plus the waiver that covers it.
#[derive(Serialize)]
struct SuppressedOut<'a> {
    #[serde(flatten)]
    finding: FindingOut<'a>,
    waiver: WaiverOut<'a>,
}

#[derive(Serialize)]
struct WaiverOut<'a> {
    source: &'a str,
    rule: &'a str,
    reason: &'a str,
    owner: Option<&'a str>,
    expires: Option<String>,
    location: Option<LocationOut<'a>>,
}

fn write_suppressed(out: &mut Vec<u8>, (f, w): &(Finding, Arc<Suppression>), remediations: &Remediations) -> io::Result<()> {
    let remediation = remediations.get(f.rule);
    let entry = SuppressedOut {
        finding: finding_out(f, &remediation),
        waiver: WaiverOut {
            source: w.source.as_str(),
            rule: &w.rule,
            reason: &w.reason,
            owner: w.owner.as_deref(),
            expires: w.expires.map(|d| d.to_string()),
            location: w.location.as_ref().map(location_out),
        },
    };
    serde_json::to_writer(out, &entry).map_err(io::Error::from)
}

/// Writes `items` as a JSON array, one element per line. Elements are rendered in parallel,
/// a batch at a time, so a large report is neither held in memory as a whole nor rendered on
/// one core while the others wait.
pub(crate) fn write_array<T: Sync>(
    out: &mut dyn Write,
    indent: &str,
    items: &[T],
    render: impl Fn(&mut Vec<u8>, &T) -> io::Result<()> + Sync,
) -> io::Result<()> {
    const BATCH: usize = 8192;
    if items.is_empty() {
        return write!(out, "[]");
    }
    let threads = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
    let separator = format!(",\n{indent}  ");
    write!(out, "[\n{indent}  ")?;
    for (b, batch) in items.chunks(BATCH).enumerate() {
        let chunk = batch.len().div_ceil(threads);
        let rendered: Vec<io::Result<Vec<u8>>> = std::thread::scope(|scope| {
            let handles: Vec<_> = batch
                .chunks(chunk)
                .map(|part| {
                    let (render, separator) = (&render, &separator);
                    scope.spawn(move || {
                        let mut buf = Vec::with_capacity(part.len() * 512);
                        for (i, item) in part.iter().enumerate() {
                            if i > 0 {
                                buf.extend_from_slice(separator.as_bytes());
                            }
                            render(&mut buf, item)?;
                        }
                        Ok(buf)
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().expect("rendering thread panicked")).collect()
        });
        for (i, part) in rendered.into_iter().enumerate() {
            if b > 0 || i > 0 {
                out.write_all(separator.as_bytes())?;
            }
            out.write_all(&part?)?;
        }
    }
    write!(out, "\n{indent}]")
}

/// Writes the report: one finding, error or skipped document per line.
pub fn write(report: &Report, version: &str, out: &mut dyn Write) -> io::Result<()> {
    let by_severity: Map<String, Value> =
        report.by_severity().iter().map(|(s, n)| (s.as_str().to_string(), json!(n))).collect();
    let summary = json!({
        "files": report.files,
        "objects": report.objects,
        "findings": report.findings.len(),
        "suppressed": report.suppressed.len(),
        "errors": report.errors.len(),
        "skipped": report.skipped.len(),
        "by_severity": by_severity,
        "workloads": report.workloads,
        "kinds": report.kinds,
    });
    writeln!(out, "{{")?;
    writeln!(out, "  \"schema\": \"{SCHEMA}\",")?;
    writeln!(out, "  \"tool\": {},", json!({"name": "palisade", "version": version}))?;
    writeln!(out, "  \"summary\": {summary},")?;
    write!(out, "  \"findings\": ")?;
    let remediations = Remediations::new(report);
    write_array(out, "  ", &report.findings, |out, f| write_finding(out, f, &remediations))?;
    write!(out, ",\n  \"suppressed\": ")?;
    write_array(out, "  ", &report.suppressed, |out, s| write_suppressed(out, s, &remediations))?;
    write!(out, ",\n  \"errors\": ")?;
    write_array(out, "  ", &report.errors, |out, e| {
        let v = json!({"file": e.file, "line": e.line, "column": e.column, "document": e.document, "message": e.message});
        serde_json::to_writer(out, &v).map_err(io::Error::from)
    })?;
    write!(out, ",\n  \"skipped\": ")?;
    write_array(out, "  ", &report.skipped, |out, s| {
        let v = json!({"file": s.file, "line": s.line, "document": s.document, "reason": s.reason});
        serde_json::to_writer(out, &v).map_err(io::Error::from)
    })?;
    if let Some(c) = &report.compliance {
        write!(out, ",\n  \"compliance\": ")?;
        write_compliance(c, out)?;
    }
    if let Some(c) = &report.coverage {
        write!(out, ",\n  \"coverage\": {}", coverage_json(c))?;
    }
    if let Some(h) = &report.host {
        write!(out, ",\n  \"host\": {}", json!(h))?;
    }
    if let Some(p) = &report.probe {
        write!(out, ",\n  \"probe\": {p}")?;
    }
    writeln!(out, "\n}}")
}

/// The `coverage` section of a live scan: the server, and each resource type with its state.
pub fn coverage_json(c: &palisade_core::coverage::Coverage) -> Value {
    use palisade_core::coverage::ReadState;
    let (read, forbidden, failed, skipped) = c.counts();
    let resources: Vec<Value> = c
        .resources
        .iter()
        .map(|r| {
            let (objects, message) = match &r.state {
                ReadState::Read { objects } => (*objects, None),
                ReadState::Forbidden(m) | ReadState::Failed(m) | ReadState::Skipped(m) => (0, Some(m.as_str())),
            };
            let hides = (!matches!(r.state, ReadState::Read { .. })).then(|| r.hides());
            json!({"resource": r.resource, "group": r.group, "version": r.version, "kind": r.kind, "namespaced": r.namespaced,
                   "status": r.state.label(), "objects": objects, "owned": r.owned, "relists": r.relists, "message": message, "hides": hides})
        })
        .collect();
    let platform = c.platform.as_ref().map(|(name, evidence)| json!({"name": name, "evidence": evidence}));
    json!({"server": c.server, "context": c.context, "version": c.version, "platform": platform, "read": read, "forbidden": forbidden, "failed": failed,
           "skipped": skipped, "objects": c.objects(), "resources": resources})
}

#[derive(Serialize)]
struct ComplianceOut<'a> {
    framework: &'a str,
    title: &'a str,
    score: Option<f64>,
    summary: ComplianceSummary,
    controls: Vec<ControlOut<'a>>,
}

#[derive(Serialize)]
struct ComplianceSummary {
    pass: usize,
    fail: usize,
    not_applicable: usize,
    manual: usize,
}

#[derive(Serialize)]
struct ControlOut<'a> {
    id: &'a str,
    title: &'a str,
    status: &'a str,
    rules: &'a [&'static str],
    findings: usize,
    waived: usize,
    objects: Vec<ObjectOut<'a>>,
    note: Option<&'a str>,
}

/// Writes the `compliance` section: the framework, a score, and each control's status.
fn write_compliance(c: &Compliance, out: &mut dyn Write) -> io::Result<()> {
    let section = ComplianceOut {
        framework: &c.framework,
        title: c.title,
        score: c.score(),
        summary: ComplianceSummary {
            pass: c.count(Status::Pass),
            fail: c.count(Status::Fail),
            not_applicable: c.count(Status::NotApplicable),
            manual: c.count(Status::Manual),
        },
        controls: c
            .controls
            .iter()
            .map(|r| ControlOut {
                id: &r.id,
                title: &r.title,
                status: r.status.as_str(),
                rules: &r.rules,
                findings: r.findings,
                waived: r.waived,
                objects: r.objects.iter().map(|o| object_out(o)).collect(),
                note: r.note,
            })
            .collect(),
    };
    serde_json::to_writer(io::BufWriter::new(out), &section).map_err(io::Error::from)
}

/// A finding's path within its object: a scan of a `List` file prefixes it with the item
/// (`items[3].spec…`), a live scan does not.
pub fn path_within_object(path: &str) -> &str {
    match path.strip_prefix("items[").and_then(|rest| rest.split_once("].")) {
        Some((n, rest)) if n.chars().all(|c| c.is_ascii_digit()) => rest,
        _ => path,
    }
}

/// A finding's identity: rule, object, path within the object, message.
pub fn finding_key(f: &Value) -> String {
    format!("{} {} {} {}", f["rule"], f["object"], path_within_object(f["path"].as_str().unwrap_or("")), f["message"])
}

#[cfg(test)]
mod tests {
    use super::*;
    use palisade_core::{FieldPath, ObjectRef, RuleMeta, Severity, Violation};

    #[test]
    fn findings_are_written_as_serde_json_writes_them() {
        let user = RuleMeta::user("vap:ports", Severity::High, "only \"80\" and 443\tplease", "Use\n80.");
        let builtin = palisade_rules_free_meta();
        let objects = [
            Arc::new(ObjectRef { api_version: "v1".into(), kind: "Pod".into(), namespace: Some("shop".into()), name: "web-\u{1}é".into() }),
            Arc::new(ObjectRef { api_version: "rbac.authorization.k8s.io/v1".into(), kind: "ClusterRole".into(), namespace: None, name: "admin".into() }),
        ];
        let mut findings = Vec::new();
        for (i, object) in objects.iter().enumerate() {
            for rule in [user, builtin] {
                let mut v = Violation::new(FieldPath::root().key("spec").index(i), format!("message {i} with \"quotes\", a \\ and 日本"));
                v.extra_controls.push("extra:1");
                let mut f = Finding::new(rule, object.clone(), v);
                if i == 0 {
                    f.location = Some(Location { file: "dir/a \"b\".yaml".into(), line: 12, column: 3, document: 2, template: Some("templates/x.yaml".into()) });
                    f.event = Some("4f0c-\u{7f}".into());
                    f.action = Some("deny");
                }
                findings.push(f);
            }
        }
        let report = Report { findings: findings.clone(), ..Report::default() };
        let remediations = Remediations::new(&report);
        for f in &findings {
            let mut ours = Vec::new();
            write_finding(&mut ours, f, &remediations).unwrap();
            let theirs = serde_json::to_vec(&finding_out(f, &remediations.get(f.rule))).unwrap();
            assert_eq!(String::from_utf8(ours).unwrap(), String::from_utf8(theirs).unwrap());
        }
    }

    /// A rule of the catalogue's shape (controls, a remediation with a link), without the
    /// rules crate.
    fn palisade_rules_free_meta() -> &'static RuleMeta {
        Box::leak(Box::new(RuleMeta {
            id: "POD001",
            name: "privileged-container",
            severity: Severity::Critical,
            summary: "Privileged container",
            doc: " ## Remediation\n Set `privileged: false`; see <https://kubernetes.io/docs/>.\n",
            controls: &["pss-baseline:privileged", "cis-1.12:5.2.2"],
            pss: None,
            redundant_with: &[],
        }))
    }
}
