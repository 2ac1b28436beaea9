//! `palisade serve --dashboard`: the HTML report's views, live and read-only, over the
//! history store (trends per cluster, every run, two runs compared) or over report files
//! read again on each visit. `palisade_serve::dashboard` answers HTTP; the pages are drawn
//! here, each when it is asked for.

use crate::cli::ServeArgs;
use palisade_report::html::dashboard::{self, Index, ReportRow, RunRow};
use palisade_report::Report;
use palisade_store::{Run, Store};
use serde_json::Value;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

const VERSION: &str = env!("CARGO_PKG_VERSION");
/// Runs the front page lists.
const RUNS: i64 = 200;

/// Where the pages come from.
enum Source {
    Store(Store),
    Files(Vec<PathBuf>),
}

/// `HOST:PORT`, with a port alone on loopback.
fn address(addr: &str) -> String {
    let port = addr.strip_prefix(':').unwrap_or(addr);
    if port.parse::<u16>().is_ok() {
        format!("127.0.0.1:{port}")
    } else {
        addr.to_string()
    }
}

/// The token, from --dashboard-token-file or $PALISADE_DASHBOARD_TOKEN.
fn token(args: &ServeArgs) -> Result<Option<String>, String> {
    let token = match &args.dashboard_token_file {
        Some(path) => Some(std::fs::read_to_string(path).map_err(|e| format!("--dashboard-token-file {}: {e}", path.display()))?.trim().to_string()),
        None => std::env::var("PALISADE_DASHBOARD_TOKEN").ok().map(|t| t.trim().to_string()).filter(|t| !t.is_empty()),
    };
    match token {
        Some(t) if t.is_empty() => Err("--dashboard-token-file: the file is empty".into()),
        Some(t) if t.chars().any(|c| !c.is_ascii_graphic()) => Err("the dashboard token must be printable ASCII without spaces".into()),
        t => Ok(t),
    }
}

/// Starts the dashboard on `addr`; returns the address it answers on.
pub fn start(args: &ServeArgs, addr: &str, runtime: &tokio::runtime::Runtime, tls: Option<Arc<rustls::ServerConfig>>) -> Result<String, ExitCode> {
    let token = token(args).map_err(super::usage)?;
    let source = if args.reports.is_empty() {
        let location = args.record.store.location();
        match runtime.block_on(Store::open(&location)) {
            Ok(store) => Source::Store(store),
            Err(e) => return Err(super::usage(format!("history store {e}"))),
        }
    } else {
        Source::Files(args.reports.clone())
    };
    let addr = address(addr);
    let listener = runtime.block_on(palisade_serve::https::bind(&addr, "--dashboard")).map_err(super::usage)?;
    let bound = listener.local_addr().map_err(|e| super::usage(format!("--dashboard {addr}: {e}")))?;
    if !bound.ip().is_loopback() && token.is_none() && !args.quiet {
        eprintln!("warning: the dashboard on {bound} answers other hosts and asks no token (--dashboard-token-file)");
    }
    let source = Arc::new(source);
    let pages: palisade_serve::dashboard::Pages = Arc::new(move |path, query| page(&source, path, query));
    let app = palisade_serve::dashboard::router(pages, token, palisade_report::html::CSP);
    let scheme = match tls {
        Some(tls) => {
            runtime.spawn(palisade_serve::https::serve(listener, tls, app));
            "https"
        }
        None => {
            runtime.spawn(palisade_serve::dashboard::serve(listener, app));
            "http"
        }
    };
    Ok(format!("{scheme}://{bound}/"))
}

fn row(r: &Run) -> RunRow {
    RunRow { id: r.id.clone(), cluster: r.cluster.clone(), source: r.source.clone(), finished_ms: r.finished_ms, objects: r.objects, findings: r.findings, by_severity: r.by_severity.clone() }
}

/// A rule by its ID: Palisade's, else one standing for a rule it does not define (a user
/// policy's, another version's), so that every recorded finding can be shown.
fn rule_of(id: &str) -> Option<&'static palisade_core::RuleMeta> {
    palisade_rules::registry::all().iter().map(|r| r.meta()).find(|m| m.id == id).or_else(|| {
        Some(palisade_core::RuleMeta::user(id, palisade_core::Severity::Info, "a rule this Palisade does not define (a user policy's, or another version's)", ""))
    })
}

fn not_found(what: String) -> (u16, String) {
    (404, what)
}

fn html_of(report: &Report) -> Result<String, (u16, String)> {
    let mut out = Vec::new();
    palisade_report::html::write_page(report, VERSION, Some("/"), &mut out).map_err(|e| (500, e.to_string()))?;
    String::from_utf8(out).map_err(|e| (500, e.to_string()))
}

/// A JSON report file, read now.
fn read_report(path: &PathBuf) -> Result<Report, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let value: Value = serde_json::from_slice(&bytes).map_err(|e| format!("{}: not JSON: {e}", path.display()))?;
    palisade_report::read::read(&value, &rule_of).map_err(|e| format!("{}: {e}", path.display()))
}

fn page(source: &Source, path: &str, query: &[(String, String)]) -> Result<String, (u16, String)> {
    let arg = |name: &str| query.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
    match source {
        Source::Files(files) => {
            if path == "/" {
                let reports: Vec<ReportRow> = files
                    .iter()
                    .map(|f| ReportRow {
                        name: f.display().to_string(),
                        summary: read_report(f).map(|r| r.by_severity().iter().map(|(s, n)| (s.to_string(), *n as i64)).collect()),
                    })
                    .collect();
                return Ok(dashboard::index(&Index { source: "report files", trends: &[], runs: &[], reports: &reports, version: VERSION }));
            }
            if let Some(n) = path.strip_prefix("/reports/") {
                let file = n.parse::<usize>().ok().and_then(|n| files.get(n)).ok_or_else(|| not_found(format!("no report {n}")))?;
                return html_of(&read_report(file).map_err(|e| (500, e))?);
            }
            Err(not_found(format!("no page {path}: try /")))
        }
        Source::Store(store) => {
            let handle = tokio::runtime::Handle::current();
            let failed = |e: String| (500, format!("history store {}: {e}", store.location));
            if path == "/" {
                let runs = handle.block_on(store.runs(arg("cluster"), None, RUNS)).map_err(failed)?;
                let trends = super::history::trends_of(&runs);
                let rows: Vec<RunRow> = runs.iter().map(row).collect();
                return Ok(dashboard::index(&Index { source: &store.location, trends: &trends, runs: &rows, reports: &[], version: VERSION }));
            }
            // A recorded run and its findings.
            let recorded = |id: &str| -> Result<(Run, Vec<Value>), (u16, String)> {
                let run = handle.block_on(store.find_run(id, None)).map_err(not_found)?;
                let findings = handle.block_on(store.findings(&run.id)).map_err(failed)?;
                Ok((run, findings))
            };
            if let Some(id) = path.strip_prefix("/runs/") {
                let (run, findings) = recorded(id)?;
                let value = serde_json::json!({"schema": palisade_report::json::SCHEMA, "findings": findings, "summary": {"objects": run.objects}});
                let report = palisade_report::read::read(&value, &rule_of).map_err(|e| (500, e))?;
                return html_of(&report);
            }
            if path == "/diff" {
                let (Some(from), Some(to)) = (arg("from"), arg("to")) else { return Err((400, "compare two runs: /diff?from=RUN&to=RUN".into())) };
                let side = |id: &str| recorded(id).map(|(run, findings)| (run, palisade::diff::Side { objects: None, findings }));
                let ((a, old), (b, new)) = (side(from)?, side(to)?);
                let d = palisade::diff::diff(&old, &new);
                let list = |v: &Value| v.as_array().cloned().unwrap_or_default();
                return Ok(dashboard::diff(&row(&a), &row(&b), &list(&d["findings"]["opened"]), &list(&d["findings"]["resolved"])));
            }
            Err(not_found(format!("no page {path}: try /")))
        }
    }
}
