//! Live clusters: the objects `palisade_cluster` reads go through the same engine and model
//! a file scan uses (`evaluate_live`, then the cross-object rules over the model), page by
//! page, so nothing but the facts that cross objects is kept.

use palisade_analysis::model::Model;
use palisade_cluster::{ApiResource, Connection, Progress, ReadOptions};
use palisade_report::{InputError, Report};
use palisade_rules::Engine;
use palisade_source::json::node_of;
use serde_json::Value;

/// A runtime for the live sources: network I/O on two worker threads; the caller's thread
/// evaluates.
pub fn runtime() -> Result<tokio::runtime::Runtime, String> {
    tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().map_err(|e| format!("cannot start the I/O runtime: {e}"))
}

/// Reads the cluster and hands every cleaned object to `object`; returns the coverage, with
/// problems (discovery gaps, resources that failed) as errors naming the server.
pub fn read(
    runtime: &tokio::runtime::Runtime,
    conn: &Connection,
    opts: &ReadOptions,
    mut object: impl FnMut(&ApiResource, Value),
    progress: impl Fn(Progress),
) -> Result<(palisade_core::coverage::Coverage, Vec<InputError>), String> {
    let (coverage, problems) = runtime.block_on(palisade_cluster::read(conn, opts, |r, page| page.into_iter().for_each(|o| object(r, o)), progress))?;
    let error = |message: String| InputError { file: conn.server.clone(), line: None, column: None, document: None, message };
    let mut errors: Vec<InputError> = problems.into_iter().map(error).collect();
    for r in &coverage.resources {
        if let palisade_core::coverage::ReadState::Failed(message) = &r.state {
            errors.push(error(format!("listing {} failed: {message}", r.qualified())));
        }
    }
    Ok((coverage, errors))
}

/// Scans a live cluster with `engine`: the report names live objects (no file locations)
/// and carries the coverage; with `insights`, what the report's views show beyond findings
/// (the engine should keep every fact: `Engine::model_everything`).
pub fn scan(runtime: &tokio::runtime::Runtime, conn: &Connection, opts: &ReadOptions, engine: &Engine, builtin_roles: bool, insights: bool, progress: impl Fn(Progress)) -> Result<Report, String> {
    let mut inventories = crate::inventory::Inventories::default();
    let mut model = Model::default();
    model.set_builtin_roles(builtin_roles);
    let mut report = Report { rules: engine.rules().iter().map(|r| r.meta()).collect(), ..Report::default() };
    let (coverage, errors) = read(
        runtime,
        conn,
        opts,
        |_, object| {
            let node = node_of(&object);
            drop(object);
            if insights {
                if let Ok(object) = palisade_core::Object::from_node(&node) {
                    inventories.add(&object, &node, &|_| None);
                }
            }
            let outcome = engine.evaluate_live(&node);
            report.objects += outcome.objects;
            report.findings.extend(outcome.findings);
            report.suppressed.extend(outcome.suppressed);
            for (key, facts) in outcome.facts {
                model.load(key, facts);
            }
        },
        progress,
    )?;
    let end = engine.finish(&model);
    report.workloads = model.workloads();
    report.kinds = model.kind_counts().clone();
    report.findings.extend(end.findings);
    report.suppressed.extend(end.suppressed);
    report.errors = errors;
    report.coverage = Some(coverage);
    report.sort();
    if insights {
        report.insights = Some(Box::new(crate::insights::gather(&report, &model, inventories)));
    }
    Ok(report)
}
