//! `palisade watch`: the session of `palisade::watch` over a live connection, writing each
//! finding opened and resolved, with metrics and alerts beside it.

use super::cluster::{connect, read_options, with_server_version};
use super::history::Record;
use super::scan::Setup;
use crate::cli::{WatchArgs, WatchFormat};
use palisade::live;
use palisade::watch::{Change, ClusterIdentity, Session};
use palisade_cluster::watch::{Event, Restart, WatchOptions};
use palisade_core::clock::rfc3339;
use palisade_core::Finding;
use palisade_serve::alerts::{Alert, Alerts, Sink};
use palisade_serve::metrics::WatchMetrics;
use std::io::Write;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Instant, SystemTime};

pub fn run(args: WatchArgs) -> ExitCode {
    let runtime = match live::runtime() {
        Ok(r) => r,
        Err(e) => return super::usage(e),
    };
    let mut out: Box<dyn Write> = match &args.output {
        Some(path) => match std::fs::OpenOptions::new().create(true).append(true).open(path) {
            Ok(f) => Box::new(std::io::LineWriter::new(f)),
            Err(e) => return super::usage(format!("{}: {e}", path.display())),
        },
        None => Box::new(std::io::LineWriter::new(std::io::stdout())),
    };
    let metrics = Arc::new(WatchMetrics::new());
    if let Some(addr) = &args.metrics_addr {
        match runtime.block_on(palisade_serve::metrics::bind(addr)) {
            Ok(listener) => {
                let bound = listener.local_addr().map(|a| a.to_string()).unwrap_or_else(|_| addr.clone());
                runtime.spawn(palisade_serve::metrics::serve(listener, metrics.clone()));
                if !args.quiet {
                    eprintln!("metrics on http://{bound}/metrics");
                }
            }
            Err(e) => return super::usage(e),
        }
    }
    let sinks: Vec<Sink> = args.alert_webhook.iter().map(|u| Sink::Webhook(u.clone())).chain(args.alert_slack.iter().map(|u| Sink::Slack(u.clone()))).collect();
    let alerts = match Alerts::start(runtime.handle(), sinks, !args.quiet) {
        Ok(a) => a,
        Err(e) => return super::usage(e),
    };
    let conn = match connect(&args.connect, &runtime, args.quiet) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let version = runtime.block_on(palisade_cluster::version(&conn));
    let setup = match Setup::new(&with_server_version(&args.select, version.as_deref()), None, &[], None) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let opts = WatchOptions { read: read_options(&args.connect), idle: args.watch_timeout, ..WatchOptions::default() };
    let identity = ClusterIdentity { server: conn.server.clone(), context: conn.context.clone(), version };
    let mut watch = match runtime.block_on(async {
        let _guard = tokio::runtime::Handle::current().enter();
        palisade_cluster::watch::start(&conn, &opts).await
    }) {
        Ok(w) => w,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    for p in &watch.problems {
        eprintln!("warning: {p}");
    }
    let status = |line: String| {
        if !args.quiet {
            eprintln!("{line}");
        }
    };
    status(format!("watching {} resource types on {}", watch.resources.len(), conn.server));
    let started = Instant::now();
    let recorder = if args.record.wanted() {
        let cluster = args.record.cluster_name.clone().unwrap_or_else(|| conn.context.clone().unwrap_or_else(|| conn.server.clone()));
        match super::history::Recorder::start(&args.record, cluster, args.quiet) {
            Ok(r) => Some(r),
            Err(code) => return code,
        }
    } else {
        None
    };
    let mut last_snapshot = Instant::now();
    let mut session = Session::new(setup.engine, !args.select.no_builtin_roles, std::mem::take(&mut watch.resources), identity);
    let mut lost = vec![false; session.resources().len()];
    let mut errors_seen = 0;
    loop {
        // Wake now and then, so snapshots are taken in a quiet cluster too.
        let wake = args.snapshot_every.min(std::time::Duration::from_secs(5));
        let next = runtime.block_on(async { tokio::time::timeout(wake, watch.events.recv()).await });
        if let (Some(recorder), true) = (&recorder, session.synced() && last_snapshot.elapsed() >= args.snapshot_every) {
            last_snapshot = Instant::now();
            recorder.send(Record::Snapshot(session.open().map(palisade_report::json::finding).collect(), session.objects()));
        }
        let (received, event) = match next {
            Ok(Some(e)) => e,
            Ok(None) => break,
            Err(_) => continue,
        };
        let i = event.resource();
        let name = session.resources()[i].qualified();
        match &event {
            Event::Restarted(_, restart) => {
                metrics.reconnect(&name, restart.reason());
                match restart {
                    Restart::Lost(why) if !lost[i] => {
                        lost[i] = true;
                        status(format!("warning: the watch of {name} was lost ({why}); retrying"));
                    }
                    Restart::Expired => status(format!("{name}: 410 Gone, listing again")),
                    Restart::Silent => status(format!("{name}: the watch went silent; reopened")),
                    _ => {}
                }
            }
            Event::Unavailable(_, state) => status(format!("warning: {name} cannot be watched: {}", state.describe())),
            _ => {
                metrics.heard(&name);
                if std::mem::take(&mut lost[i]) {
                    status(format!("{name}: watching again"));
                }
            }
        }
        let was_synced = session.synced();
        let evaluating = Instant::now();
        let changes = session.handle(event);
        metrics.evaluated(evaluating.elapsed());
        let at = rfc3339(SystemTime::now());
        let initial = !was_synced && session.synced();
        for (change, finding) in &changes {
            metrics.changed(*change == Change::Opened, finding);
            if initial && args.changes_only {
                continue;
            }
            if let Err(e) = write_event(&mut out, args.format, *change, &at, finding) {
                eprintln!("error: cannot write: {e}");
                return ExitCode::from(2);
            }
        }
        if !changes.is_empty() {
            metrics.lag(received.elapsed());
        }
        metrics.objects(session.objects());
        for e in &session.errors[errors_seen..] {
            eprintln!("error: {e}");
        }
        errors_seen = session.errors.len();
        if let Some(recorder) = &recorder {
            if initial {
                last_snapshot = Instant::now();
                recorder.send(Record::Snapshot(session.open().map(palisade_report::json::finding).collect(), session.objects()));
            } else if !changes.is_empty() {
                let now = palisade_store::now_ms();
                recorder.send(Record::Events(changes.iter().map(|(c, f)| (now, c.as_str(), palisade_report::json::finding(f))).collect()));
            }
        }
        if initial {
            metrics.synced();
            let open: Vec<&Finding> = session.open().collect();
            status(format!("listed {} objects in {:.1}s: {} open findings; watching for changes", session.objects(), started.elapsed().as_secs_f64(), open.len()));
            alerts.summary(&at, &conn.server, open.iter().copied(), args.alert_severity);
        } else {
            for (change, finding) in changes.iter().filter(|(_, f)| f.severity >= args.alert_severity) {
                alerts.send(Alert { change: change.as_str(), at: at.clone(), finding: palisade_report::json::finding(finding), line: line(*change, &at, finding) });
            }
        }
    }
    eprintln!("error: the watch stopped");
    ExitCode::from(2)
}

/// A finding event as a person reads it.
fn line(change: Change, at: &str, f: &Finding) -> String {
    palisade_report::stream::event_line(change.as_str(), at, f, false)
}

fn write_event(out: &mut dyn Write, format: WatchFormat, change: Change, at: &str, f: &Finding) -> std::io::Result<()> {
    writeln!(out, "{}", palisade_report::stream::event_line(change.as_str(), at, f, matches!(format, WatchFormat::Json)))
}
