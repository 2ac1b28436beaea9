//! `--format json`: the `palisade.report/v1` document (schema in `schema/report.schema.json`).

use crate::Report;
use palisade_core::Finding;
use serde_json::{json, Map, Value};
use std::io::{self, Write};

pub const SCHEMA: &str = "palisade.report/v1";

fn finding(f: &Finding) -> Value {
    json!({
        "rule": f.rule.id,
        "name": f.rule.name,
        "severity": f.severity.as_str(),
        "message": f.message,
        "object": {
            "api_version": f.object.api_version,
            "kind": f.object.kind,
            "namespace": f.object.namespace,
            "name": f.object.name,
        },
        "location": f.location.as_ref().map(|l| {
            let mut loc = json!({"file": &*l.file, "line": l.line, "column": l.column, "document": l.document});
            if let Some(t) = &l.template {
                loc["template"] = json!(&**t);
            }
            loc
        }),
        "path": f.path.to_string(),
        "controls": f.controls,
        "remediation": f.rule.remediation(),
    })
}

/// Writes `items` as a JSON array, one element at a time, so a large report is never held
/// in memory as a whole.
pub(crate) fn write_array<T>(
    out: &mut dyn Write,
    indent: &str,
    items: impl IntoIterator<Item = T>,
    to_value: impl Fn(T) -> Value,
) -> io::Result<()> {
    let mut first = true;
    write!(out, "[")?;
    for item in items {
        write!(out, "{}\n{indent}  ", if first { "" } else { "," })?;
        serde_json::to_writer(&mut *out, &to_value(item))?;
        first = false;
    }
    if first {
        write!(out, "]")
    } else {
        write!(out, "\n{indent}]")
    }
}

/// Writes the report: one finding, error or skipped document per line.
pub fn write(report: &Report, version: &str, out: &mut dyn Write) -> io::Result<()> {
    let by_severity: Map<String, Value> =
        report.by_severity().iter().map(|(s, n)| (s.as_str().to_string(), json!(n))).collect();
    let summary = json!({
        "files": report.files,
        "objects": report.objects,
        "findings": report.findings.len(),
        "errors": report.errors.len(),
        "skipped": report.skipped.len(),
        "by_severity": by_severity,
    });
    writeln!(out, "{{")?;
    writeln!(out, "  \"schema\": \"{SCHEMA}\",")?;
    writeln!(out, "  \"tool\": {},", json!({"name": "palisade", "version": version}))?;
    writeln!(out, "  \"summary\": {summary},")?;
    write!(out, "  \"findings\": ")?;
    write_array(out, "  ", &report.findings, finding)?;
    write!(out, ",\n  \"errors\": ")?;
    write_array(out, "  ", &report.errors, |e| {
        json!({"file": e.file, "line": e.line, "column": e.column, "document": e.document, "message": e.message})
    })?;
    write!(out, ",\n  \"skipped\": ")?;
    write_array(out, "  ", &report.skipped, |s| {
        json!({"file": s.file, "line": s.line, "document": s.document, "reason": s.reason})
    })?;
    writeln!(out, "\n}}")
}
