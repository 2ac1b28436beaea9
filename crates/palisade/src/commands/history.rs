//! The history store from the command line: recording a run (`--record`), `palisade
//! history`, `palisade trend`, and the runs `palisade diff --store` compares.

use crate::cli::{HistoryArgs, ListFormat, RecordArgs, TrendArgs};
use palisade_report::trend::{Point, Trend};
use palisade_report::Report;
use palisade_store::{NewRun, Run, Store};
use serde_json::{json, Value};
use std::io::Write;
use std::process::ExitCode;

/// A small runtime for the store's queries, and the store at `location`; errors are said.
pub fn open(location: &str) -> Result<(tokio::runtime::Runtime, Store), ExitCode> {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().map_err(|e| super::usage(format!("cannot start a runtime: {e}")))?;
    match runtime.block_on(Store::open(location)) {
        Ok(store) => Ok((runtime, store)),
        Err(e) => Err(super::usage(format!("history store {e}"))),
    }
}

/// The cluster name a run is recorded under.
pub fn cluster_name(args: &RecordArgs, report: &Report) -> String {
    let live = report.coverage.as_ref().map(|c| c.context.clone().unwrap_or_else(|| c.server.clone()));
    args.cluster_name.clone().or(live).unwrap_or_else(|| "local".into())
}

/// Records `report` as a run of `source` when the arguments ask for it.
pub fn record(report: &Report, args: &RecordArgs, source: &str, started_ms: i64, quiet: bool) -> Result<(), ExitCode> {
    if !args.wanted() {
        return Ok(());
    }
    let (runtime, store) = open(&args.store.location())?;
    let cluster = cluster_name(args, report);
    let findings: Vec<Value> = report.findings.iter().map(palisade_report::json::finding).collect();
    let run = NewRun { cluster: &cluster, source, started_ms, finished_ms: palisade_store::now_ms(), objects: report.objects as i64, version: env!("CARGO_PKG_VERSION") };
    match runtime.block_on(store.record_run(&run, &findings)) {
        Ok(id) => {
            if !quiet {
                eprintln!("recorded run {id} of {cluster} ({} findings) in {}", findings.len(), store.location);
            }
            Ok(())
        }
        Err(e) => Err(super::usage(format!("history store {}: recording the run: {e}", store.location))),
    }
}

fn run_json(r: &Run) -> Value {
    json!({
        "id": r.id, "cluster": r.cluster, "source": r.source,
        "started": palisade_core::clock::rfc3339_ms(r.started_ms),
        "finished": palisade_core::clock::rfc3339_ms(r.finished_ms),
        "objects": r.objects, "findings": r.findings, "by_severity": r.by_severity, "by_layer": r.by_layer, "palisade_version": r.version,
    })
}

pub fn history(args: HistoryArgs) -> ExitCode {
    let (runtime, store) = match open(&args.store.location()) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let runs = match runtime.block_on(store.runs(args.cluster.as_deref(), None, args.limit)) {
        Ok(r) => r,
        Err(e) => return super::usage(format!("history store {}: {e}", store.location)),
    };
    let mut out = std::io::stdout().lock();
    let written = match args.format {
        ListFormat::Json => writeln!(out, "{}", serde_json::to_string_pretty(&json!({"store": store.location, "runs": runs.iter().map(run_json).collect::<Vec<_>>()})).unwrap_or_default()),
        ListFormat::Table if runs.is_empty() => writeln!(out, "no runs recorded in {} (record one with --record)", store.location),
        ListFormat::Table => (|| {
            writeln!(out, "{:<22}  {:<16}  {:<9}  {:<19}  {:>8}  {:>8}  {:>4} {:>4} {:>4} {:>4}", "RUN", "CLUSTER", "SOURCE", "FINISHED (UTC)", "OBJECTS", "FINDINGS", "CRIT", "HIGH", "MED", "LOW")?;
            for r in &runs {
                let n = |s: &str| r.by_severity.get(s).copied().unwrap_or(0);
                let cluster: String = r.cluster.chars().take(16).collect();
                writeln!(out, "{:<22}  {cluster:<16}  {:<9}  {:<19}  {:>8}  {:>8}  {:>4} {:>4} {:>4} {:>4}", r.id, r.source, palisade_core::clock::utc_seconds(r.finished_ms), r.objects, r.findings, n("critical"), n("high"), n("medium"), n("low"))?;
            }
            Ok(())
        })(),
    };
    match written {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => super::usage(format!("cannot write: {e}")),
    }
}

pub fn trend(args: TrendArgs) -> ExitCode {
    let (runtime, store) = match open(&args.store.location()) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let since = palisade_store::now_ms() - i64::from(args.since) * 86_400_000;
    let runs = match runtime.block_on(store.runs(args.cluster.as_deref(), Some(since), 100_000)) {
        Ok(r) => r,
        Err(e) => return super::usage(format!("history store {}: {e}", store.location)),
    };
    let mut trends = trends_of(&runs);
    if let Some(name) = &args.cluster {
        if trends.is_empty() {
            trends.push(Trend { cluster: name.clone(), points: Vec::new() });
        }
    }
    let written = match (&args.output, args.format) {
        (_, ListFormat::Json) => {
            let value = json!({"store": store.location, "since_days": args.since, "clusters": trends.iter().map(|t| json!({
                "cluster": t.cluster,
                "points": t.points.iter().map(|p| json!({"at": palisade_core::clock::rfc3339_ms(p.at_ms), "by_severity": p.by_severity, "by_layer": p.by_layer})).collect::<Vec<_>>(),
            })).collect::<Vec<_>>()});
            let text = serde_json::to_string_pretty(&value).unwrap_or_default() + "\n";
            match &args.output {
                Some(path) => std::fs::write(path, text),
                None => std::io::stdout().write_all(text.as_bytes()),
            }
        }
        (Some(path), ListFormat::Table) => std::fs::write(path, palisade_report::trend::svg(&trends)),
        (None, ListFormat::Table) => palisade_report::trend::terminal(&trends, &mut std::io::stdout().lock()),
    };
    match written {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => super::usage(format!("cannot write: {e}")),
    }
}

/// Runs (newest first, as the store lists them) as each cluster's points, oldest first.
pub fn trends_of(runs: &[Run]) -> Vec<Trend> {
    let mut trends: Vec<Trend> = Vec::new();
    for r in runs.iter().rev() {
        let point = Point { at_ms: r.finished_ms, by_severity: r.by_severity.clone(), by_layer: r.by_layer.clone() };
        match trends.iter_mut().find(|t| t.cluster == r.cluster) {
            Some(t) => t.points.push(point),
            None => trends.push(Trend { cluster: r.cluster.clone(), points: vec![point] }),
        }
    }
    trends
}

/// A recorded run's findings, for `palisade diff --store`.
pub fn run_findings(location: &str, id: &str, cluster: Option<&str>) -> Result<(Run, Vec<Value>), String> {
    let (runtime, store) = open(location).map_err(|_| format!("cannot open {location}"))?;
    runtime.block_on(async {
        let run = store.find_run(id, cluster).await?;
        let findings = store.findings(&run.id).await?;
        Ok((run, findings))
    })
}

/// What a watch session hands its recorder.
pub enum Record {
    /// The findings open now (report-shaped), and the objects held.
    Snapshot(Vec<Value>, usize),
    /// Findings opened and resolved: (at, `opened`|`resolved`, finding); of `palisade serve`,
    /// `admission-deny`, `admission-audit` and `detected`.
    Events(Vec<(i64, &'static str, Value)>),
}

/// A watch session's recorder: a thread of its own writes to the store, so the watch never
/// waits on the database. Problems are said on standard error and the watch goes on.
pub struct Recorder {
    tx: std::sync::mpsc::Sender<Record>,
}

impl Recorder {
    /// Opens the store now (a bad store is an error before the watch starts).
    pub fn start(args: &RecordArgs, cluster: String, quiet: bool) -> Result<Recorder, ExitCode> {
        Recorder::start_as(args, cluster, quiet, "watch")
    }

    /// A recorder whose events are those of a `kind` of session (`watch`, `serve`).
    pub fn start_as(args: &RecordArgs, cluster: String, quiet: bool, kind: &str) -> Result<Recorder, ExitCode> {
        let (runtime, store) = open(&args.store.location())?;
        let (tx, rx) = std::sync::mpsc::channel::<Record>();
        let started = palisade_store::now_ms();
        let session = format!("{kind}-{started}-{}", std::process::id());
        std::thread::spawn(move || {
            for record in rx {
                let done = match record {
                    Record::Snapshot(findings, objects) => {
                        let now = palisade_store::now_ms();
                        let run = NewRun { cluster: &cluster, source: "watch", started_ms: now, finished_ms: now, objects: objects as i64, version: env!("CARGO_PKG_VERSION") };
                        runtime.block_on(store.record_run(&run, &findings)).map(|id| {
                            if !quiet {
                                eprintln!("recorded snapshot {id} of {cluster} ({} open findings) in {}", findings.len(), store.location);
                            }
                        })
                    }
                    Record::Events(events) => {
                        let rows: Vec<palisade_store::NewEvent> = events.iter().map(|(at_ms, event, finding)| palisade_store::NewEvent { at_ms: *at_ms, event, finding }).collect();
                        runtime.block_on(store.record_events(&cluster, &session, &rows))
                    }
                };
                if let Err(e) = done {
                    eprintln!("error: history store {}: {e}", store.location);
                }
            }
        });
        Ok(Recorder { tx })
    }

    pub fn send(&self, record: Record) {
        let _ = self.tx.send(record);
    }
}
