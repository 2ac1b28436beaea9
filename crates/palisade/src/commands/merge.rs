//! `palisade merge REPORT...`: node reports rolled up into one — the roll-up kube-bench lacks.

use crate::cli::{ListFormat, MergeArgs};
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::process::ExitCode;

/// A finding's check: its rule, and its first CIS control if it has one.
fn check_of(f: &Value) -> (String, Option<String>) {
    let control = f["controls"].as_array().into_iter().flatten().filter_map(Value::as_str).find(|c| c.starts_with("cis-")).map(str::to_string);
    (f["rule"].as_str().unwrap_or("").to_string(), control)
}

pub fn run(args: MergeArgs) -> ExitCode {
    let (mut findings, mut suppressed, mut errors) = (Vec::new(), Vec::new(), Vec::new());
    let mut hosts: BTreeSet<String> = BTreeSet::new();
    let mut failing: BTreeMap<(String, Option<String>), BTreeSet<String>> = BTreeMap::new();
    let (mut objects, mut workloads) = (0u64, 0u64);
    let mut kinds: BTreeMap<String, u64> = BTreeMap::new();
    for path in &args.reports {
        let report: Value = match std::fs::read(path).map_err(|e| e.to_string()).and_then(|b| serde_json::from_slice(&b).map_err(|e| e.to_string())) {
            Ok(v) => v,
            Err(e) => {
                eprintln!("error: {}: {e}", path.display());
                return ExitCode::from(2);
            }
        };
        if report["schema"] != "palisade.report/v1" {
            eprintln!("error: {}: not a palisade.report/v1 JSON report", path.display());
            return ExitCode::from(2);
        }
        let host = report["host"].as_str().map(str::to_string);
        if let Some(h) = &host {
            if !hosts.insert(h.clone()) {
                eprintln!("warning: {}: host {h} is in an earlier report too; both are merged", path.display());
            }
        }
        objects += report["summary"]["objects"].as_u64().unwrap_or(0);
        workloads += report["summary"]["workloads"].as_u64().unwrap_or(0);
        for (kind, n) in report["summary"]["kinds"].as_object().into_iter().flatten() {
            *kinds.entry(kind.clone()).or_default() += n.as_u64().unwrap_or(0);
        }
        for f in report["findings"].as_array().into_iter().flatten() {
            if let Some(h) = &host {
                failing.entry(check_of(f)).or_default().insert(h.clone());
            }
            findings.push(f.clone());
        }
        suppressed.extend(report["suppressed"].as_array().cloned().unwrap_or_default());
        errors.extend(report["errors"].as_array().cloned().unwrap_or_default());
    }
    let checks: Vec<Value> = failing
        .iter()
        .map(|((rule, control), fail)| {
            let pass: Vec<&String> = hosts.iter().filter(|h| !fail.contains(*h)).collect();
            json!({"rule": rule, "control": control, "failing": fail, "passing": pass})
        })
        .collect();
    let mut by_severity = serde_json::Map::new();
    for s in ["critical", "high", "medium", "low", "info"] {
        by_severity.insert(s.into(), json!(findings.iter().filter(|f| f["severity"] == s).count()));
    }
    let merged = json!({
        "schema": "palisade.report/v1",
        "tool": {"name": "palisade", "version": env!("CARGO_PKG_VERSION")},
        "summary": {"files": args.reports.len(), "objects": objects, "findings": findings.len(), "suppressed": suppressed.len(), "errors": errors.len(), "skipped": 0, "by_severity": by_severity, "workloads": workloads, "kinds": kinds},
        "findings": findings, "suppressed": suppressed, "errors": errors, "skipped": [],
        "merge": {"reports": args.reports.len(), "hosts": hosts, "checks": checks},
    });
    let written = match args.format {
        ListFormat::Json => super::write_json(&args.output, &merged),
        ListFormat::Table => super::styled(&args.output, |out| {
            writeln!(out, "{} reports, {} hosts: {}", args.reports.len(), hosts.len(), hosts.iter().cloned().collect::<Vec<_>>().join(", "))?;
            for c in &checks {
                let fail: Vec<&str> = c["failing"].as_array().into_iter().flatten().filter_map(Value::as_str).collect();
                let label = c["control"].as_str().map(|x| format!("{} {x}", c["rule"].as_str().unwrap_or(""))).unwrap_or_else(|| c["rule"].as_str().unwrap_or("").to_string());
                writeln!(out, "  {label:<28} fails on {}/{}: {}", fail.len(), hosts.len(), fail.join(", "))?;
            }
            Ok(())
        }),
    };
    if let Err(e) = written {
        eprintln!("error: cannot write the output: {e}");
        return ExitCode::from(2);
    }
    if errors.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(2) }
}
