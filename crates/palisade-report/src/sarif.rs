//! `--format sarif`: SARIF 2.1.0 for code-scanning services. Rules are described in
//! `tool.driver.rules`; results point at file, line and column; input errors become tool
//! execution notifications.

use crate::json::write_array;
use crate::Report;
use palisade_core::policy::WaiverSource;
use palisade_core::{Finding, RuleMeta, Severity, Suppression};
use serde_json::{json, Value};
use std::io::{self, Write};

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info => "note",
    }
}

/// The numeric score GitHub code scanning reads to rank security results.
fn security_severity(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "9.5",
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "3.0",
        Severity::Info => "1.0",
    }
}

fn rule(meta: &RuleMeta) -> Value {
    let markdown = meta.markdown();
    let description = meta.doc_section("What it does").unwrap_or_default();
    json!({
        "id": meta.id,
        "name": meta.name,
        "shortDescription": {"text": meta.summary},
        "fullDescription": {"text": description},
        "help": {"text": meta.remediation(), "markdown": markdown},
        "defaultConfiguration": {"level": level(meta.severity)},
        "properties": {
            "tags": meta.controls,
            "security-severity": security_severity(meta.severity),
            "precision": "very-high",
        },
    })
}

fn result(report: &Report, f: &palisade_core::Finding) -> Value {
    let rule_index = report.rules.iter().position(|r| r.id == f.rule.id);
    let mut location = json!({
        "logicalLocations": [{"fullyQualifiedName": f.object.to_string(), "kind": "object"}],
    });
    if let Some(l) = &f.location {
        location["physicalLocation"] = json!({
            "artifactLocation": {"uri": uri(&l.file)},
            "region": {"startLine": l.line.max(1), "startColumn": l.column.max(1)},
        });
    }
    let mut result = json!({
        "ruleId": f.rule.id,
        "level": level(f.severity),
        "message": {"text": f.message},
        "locations": [location],
        "properties": {
            "path": f.path,
            "controls": f.controls,
            "severity": f.severity.as_str(),
            "security-severity": security_severity(f.severity),
        },
    });
    if let Some(i) = rule_index {
        result["ruleIndex"] = json!(i);
    }
    result
}

fn notification(e: &crate::InputError) -> Value {
    let mut loc = json!({"physicalLocation": {"artifactLocation": {"uri": uri(&e.file)}}});
    if let Some(line) = e.line {
        loc["physicalLocation"]["region"] = json!({"startLine": line.max(1), "startColumn": e.column.unwrap_or(1).max(1)});
    }
    json!({"level": "error", "message": {"text": e.message}, "locations": [loc]})
}

/// Writes the SARIF log, streaming the results.
pub fn write(report: &Report, version: &str, out: &mut dyn Write) -> io::Result<()> {
    let driver = json!({
        "name": "palisade",
        "version": version,
        "semanticVersion": version,
        "rules": report.rules.iter().map(|r| rule(r)).collect::<Vec<_>>(),
    });
    writeln!(out, "{{")?;
    writeln!(out, "  \"$schema\": \"https://json.schemastore.org/sarif-2.1.0.json\",")?;
    writeln!(out, "  \"version\": \"2.1.0\",")?;
    writeln!(out, "  \"runs\": [{{")?;
    writeln!(out, "    \"tool\": {{\"driver\": {driver}}},")?;
    write!(out, "    \"results\": ")?;
    // Waived findings are results too, each marked with the suppression that covers it.
    let results: Vec<(&Finding, Option<&Suppression>)> = report
        .findings
        .iter()
        .map(|f| (f, None))
        .chain(report.suppressed.iter().map(|(f, w)| (f, Some(&**w))))
        .collect();
    write_array(out, "    ", &results, |out, (f, w)| {
        let mut r = result(report, f);
        if let Some(w) = w {
            r["suppressions"] = suppression(w);
        }
        serde_json::to_writer(out, &r).map_err(io::Error::from)
    })?;
    write!(out, ",\n    \"invocations\": [{{\"executionSuccessful\": {}, \"toolExecutionNotifications\": ", report.errors.is_empty())?;
    write_array(out, "    ", &report.errors, |out, e| {
        serde_json::to_writer(out, &notification(e)).map_err(io::Error::from)
    })?;
    writeln!(out, "}}]\n  }}]\n}}")
}

/// A SARIF suppression: `external` for a policy-file waiver, `inSource` for an annotation.
fn suppression(w: &Suppression) -> Value {
    let kind = match w.source {
        WaiverSource::Policy => "external",
        WaiverSource::Annotation => "inSource",
    };
    let mut justification = w.reason.clone();
    if let Some(owner) = &w.owner {
        justification.push_str(&format!(" (owner: {owner}"));
        if let Some(expires) = w.expires {
            justification.push_str(&format!(", expires {expires}"));
        }
        justification.push(')');
    }
    json!([{"kind": kind, "status": "accepted", "justification": justification}])
}

/// A file path as a relative URI reference (forward slashes, spaces and `%` escaped).
fn uri(file: &str) -> String {
    let file = file.strip_prefix("./").unwrap_or(file);
    let mut out = String::with_capacity(file.len());
    for ch in file.chars() {
        match ch {
            '\\' => out.push('/'),
            ' ' => out.push_str("%20"),
            '%' => out.push_str("%25"),
            '#' => out.push_str("%23"),
            '?' => out.push_str("%3F"),
            c => out.push(c),
        }
    }
    out
}

