//! `--format sarif`: SARIF 2.1.0 for code-scanning services. Rules are described in
//! `tool.driver.rules`; results point at file, line and column; input errors become tool
//! execution notifications.

use crate::Report;
use palisade_core::{RuleMeta, Severity};
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

pub fn to_value(report: &Report, version: &str) -> Value {
    let results: Vec<Value> = report
        .findings
        .iter()
        .map(|f| {
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
                    "path": f.path.to_string(),
                    "controls": f.controls,
                    "severity": f.severity.as_str(),
                    "security-severity": security_severity(f.severity),
                },
            });
            if let Some(i) = rule_index {
                result["ruleIndex"] = json!(i);
            }
            result
        })
        .collect();
    let notifications: Vec<Value> = report
        .errors
        .iter()
        .map(|e| {
            let mut n = json!({"level": "error", "message": {"text": e.message}});
            let mut loc = json!({"physicalLocation": {"artifactLocation": {"uri": uri(&e.file)}}});
            if let Some(line) = e.line {
                loc["physicalLocation"]["region"] = json!({"startLine": line.max(1), "startColumn": e.column.unwrap_or(1).max(1)});
            }
            n["locations"] = json!([loc]);
            n
        })
        .collect();
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "palisade",
                "version": version,
                "semanticVersion": version,
                "rules": report.rules.iter().map(|r| rule(r)).collect::<Vec<_>>(),
            }},
            "results": results,
            "invocations": [{
                "executionSuccessful": report.errors.is_empty(),
                "toolExecutionNotifications": notifications,
            }],
        }],
    })
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

pub fn write(report: &Report, version: &str, out: &mut dyn Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &to_value(report, version))?;
    writeln!(out)
}
