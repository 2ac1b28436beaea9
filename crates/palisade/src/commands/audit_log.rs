//! `palisade audit-log FILE|-`: audit events read by `palisade_source::audit`, each judged
//! by the rules (the AUD detections on the event, the usual rules on what it created), each
//! finding placed at the event's line and named by its auditID.

use super::scan::{file_outcome, Setup};
use crate::cli::AuditLogArgs;
use palisade_core::Location;
use palisade_report::{InputError, Report};
use std::io::Read;
use std::process::ExitCode;
use std::sync::Arc;

pub fn run(args: AuditLogArgs) -> ExitCode {
    let stdin = args.input.as_os_str() == "-";
    let name: Arc<str> = if stdin { "<stdin>".into() } else { args.input.display().to_string().into() };
    let bytes = if stdin {
        let mut b = Vec::new();
        std::io::stdin().read_to_end(&mut b).map(|_| b)
    } else {
        std::fs::read(&args.input)
    };
    let bytes = match bytes {
        Ok(b) => b,
        Err(e) => {
            eprintln!("error: {name}: {e}");
            return ExitCode::from(2);
        }
    };
    let setup = match Setup::new(&args.check.select, args.check.fail_on, &[], None) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let engine = &setup.engine;
    let (events, bad) = palisade_source::audit::read(&bytes);
    let mut report = Report { files: 1, objects: events.len(), rules: engine.rules().iter().map(|r| r.meta()).collect(), ..Report::default() };
    for event in &events {
        let id: Arc<str> = event.object["metadata"]["name"].as_str().unwrap_or("").into();
        let at = Location { file: name.clone(), line: event.line, column: 1, document: 1, template: None };
        for object in std::iter::once(&event.object).chain(event.request_object.as_ref()) {
            let outcome = engine.evaluate_live(&palisade_source::json::node_of(object));
            let place = |mut f: palisade_core::Finding| {
                f.location = f.location.or_else(|| Some(at.clone()));
                f.event = Some(id.clone());
                f
            };
            // Each event stands alone: what it created is not a cluster's state to analyse
            // across objects, so its facts are only counted.
            for (key, _) in file_outcome(&mut report, outcome, place) {
                *report.kinds.entry(key.object.kind.clone()).or_default() += 1;
            }
        }
    }
    file_outcome(&mut report, engine.finish(&palisade_analysis::model::Model::default()), |f| f);
    report.errors = bad.iter().map(|(line, why)| InputError { file: name.to_string(), line: Some(*line), column: None, document: None, message: format!("not an audit event: {why}") }).collect();
    if !args.check.quiet {
        eprintln!("read {} audit events from {name}{}", events.len(), if bad.is_empty() { String::new() } else { format!("; {} not an event (see the errors)", if bad.len() == 1 { "1 line is".to_string() } else { format!("{} lines are", bad.len()) }) });
    }
    report.sort();
    setup.finish(report, &args.check, false, "audit-log")
}
