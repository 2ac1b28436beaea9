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
            let mut loc = json!({"file": l.file, "line": l.line, "column": l.column, "document": l.document});
            if let Some(t) = &l.template {
                loc["template"] = json!(t);
            }
            loc
        }),
        "path": f.path.to_string(),
        "controls": f.controls,
        "remediation": f.rule.remediation(),
    })
}

/// The report as a JSON value.
pub fn to_value(report: &Report, version: &str) -> Value {
    let by_severity: Map<String, Value> =
        report.by_severity().iter().map(|(s, n)| (s.as_str().to_string(), json!(n))).collect();
    json!({
        "schema": SCHEMA,
        "tool": {"name": "palisade", "version": version},
        "summary": {
            "files": report.files,
            "objects": report.objects,
            "findings": report.findings.len(),
            "errors": report.errors.len(),
            "skipped": report.skipped.len(),
            "by_severity": by_severity,
        },
        "findings": report.findings.iter().map(finding).collect::<Vec<_>>(),
        "errors": report.errors.iter().map(|e| json!({
            "file": e.file, "line": e.line, "column": e.column, "document": e.document, "message": e.message,
        })).collect::<Vec<_>>(),
        "skipped": report.skipped.iter().map(|s| json!({
            "file": s.file, "line": s.line, "document": s.document, "reason": s.reason,
        })).collect::<Vec<_>>(),
    })
}

pub fn write(report: &Report, version: &str, out: &mut dyn Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &to_value(report, version))?;
    writeln!(out)
}
