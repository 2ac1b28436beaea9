//! `palisade diff OLD NEW`.

use crate::cli::{DiffArgs, ListFormat};
use palisade_core::Severity;
use palisade_rules::{Engine, Selection};
use serde_json::Value;
use std::process::ExitCode;
use std::sync::Arc;

fn name(o: &Value) -> String {
    match o["namespace"].as_str() {
        Some(ns) => format!("{} {ns}/{}", o["kind"].as_str().unwrap_or(""), o["name"].as_str().unwrap_or("")),
        None => format!("{} {}", o["kind"].as_str().unwrap_or(""), o["name"].as_str().unwrap_or("")),
    }
}

pub fn run(args: DiffArgs) -> ExitCode {
    let policy = match super::load_policy(&args.config, args.config.is_none(), &[]) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let fail_on = args.fail_on.or(policy.fail_on).unwrap_or(Severity::Low);
    let selection = Selection { framework: policy.framework.clone(), select: policy.select.clone(), ignore: policy.ignore.clone(), policy: Some(Arc::new(policy)), ..Selection::default() };
    let engine = match Engine::new(&selection) {
        Ok(e) => e,
        Err(e) => return super::usage(e),
    };
    let side = |path: &std::path::Path| match &args.store {
        Some(location) => {
            let location = if location.is_empty() { palisade_store::default_location() } else { location.clone() };
            super::history::run_findings(&location, &path.to_string_lossy(), args.cluster.as_deref()).map(|(_, findings)| palisade::diff::Side { objects: None, findings })
        }
        None if !path.exists() && path != std::path::Path::new("-") => Err(format!("{}: no such file (to compare recorded runs, add --store)", path.display())),
        None => palisade::diff::read_side(path, &engine),
    };
    let (old, new) = match (side(&args.old), side(&args.new)) {
        (Ok(a), Ok(b)) => (a, b),
        (Err(e), _) | (_, Err(e)) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    if old.objects.is_some() != new.objects.is_some() && args.store.is_none() {
        eprintln!("note: one side is a report, which does not list its objects: only findings are compared");
    }
    let d = palisade::diff::diff(&old, &new);
    let opened = d["findings"]["opened"].as_array().cloned().unwrap_or_default();
    let failing = opened.iter().any(|f| f["severity"].as_str().and_then(|s| s.parse::<Severity>().ok()).is_some_and(|s| s >= fail_on));
    match args.format {
        ListFormat::Json => println!("{}", serde_json::to_string_pretty(&d).unwrap_or_default()),
        ListFormat::Table => {
            let list = |v: &Value| v.as_array().cloned().unwrap_or_default();
            if d["objects"].is_object() {
                let (added, removed, changed) = (list(&d["objects"]["added"]), list(&d["objects"]["removed"]), list(&d["objects"]["changed"]));
                println!("objects: {} added, {} removed, {} changed", added.len(), removed.len(), changed.len());
                for (mark, objects) in [("+", &added), ("-", &removed), ("~", &changed)] {
                    for o in objects {
                        println!("  {mark} {}", name(o));
                    }
                }
            }
            let resolved = list(&d["findings"]["resolved"]);
            println!("findings: {} opened, {} resolved", opened.len(), resolved.len());
            for (mark, findings) in [("+", &opened), ("-", &resolved)] {
                for f in findings {
                    println!("  {mark} {:<8} {}  {}", f["severity"].as_str().unwrap_or(""), f["rule"].as_str().unwrap_or(""), f["message"].as_str().unwrap_or(""));
                }
            }
        }
    }
    if failing { ExitCode::from(1) } else { ExitCode::SUCCESS }
}
