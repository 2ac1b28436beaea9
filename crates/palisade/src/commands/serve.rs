//! `palisade serve`: the admission webhook (`palisade::admission` deciding,
//! `palisade_serve::admission` answering over HTTP) and the audit webhook
//! (`palisade::audit`), over TLS; and `palisade admission manifests`, which installs the
//! former.

use super::scan::Setup;
use crate::cli::{AdmissionCommand, AdmissionMode, ManifestsArgs, OnErrorArg, SelectArgs, ServeArgs};
use palisade::admission::{Admission, Engines, Exemptions, Mode};
use palisade::audit::AuditJudge;
use palisade::live;
use palisade_cluster::watch::{Event, WatchOptions};
use palisade_core::Severity;
use palisade_serve::admission::{OnError, Webhook};
use palisade_serve::metrics::AdmissionMetrics;
use palisade_source::admission::Request;
use serde_json::json;
use std::collections::{BTreeMap, HashMap};
use std::io::Write;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, RwLock};

type Labels = Arc<RwLock<HashMap<String, BTreeMap<String, String>>>>;

/// A Setup for one level: the server's selection (`None`), or a Pod Security level's
/// framework under the same policy file and `--ignore` (its checks are the level's, so
/// `--select` does not narrow them).
fn setup_at(args: &SelectArgs, framework: Option<&str>) -> Result<Setup, ExitCode> {
    match framework {
        None => Setup::new(args, None, &[], None),
        Some(fw) => Setup::new(&SelectArgs { framework: Some(fw.to_string()), select: Vec::new(), ..args.clone() }, None, &[], None),
    }
}

pub fn run(args: ServeArgs) -> ExitCode {
    let status = |line: String| {
        if !args.quiet {
            eprintln!("{line}");
        }
    };
    let (default, baseline, restricted) = match (setup_at(&args.select, None), setup_at(&args.select, Some("pss-baseline")), setup_at(&args.select, Some("pss-restricted"))) {
        (Ok(d), Ok(b), Ok(r)) => (d, b, r),
        (Err(code), ..) | (_, Err(code), _) | (.., Err(code)) => return code,
    };
    let blocking = args.fail_on.or(default.engine.policy().fail_on).unwrap_or(Severity::High);
    let runtime = match live::runtime() {
        Ok(r) => r,
        Err(e) => return super::usage(e),
    };
    let tls = match (&args.tls_cert, &args.tls_key) {
        (Some(cert), Some(key)) => match palisade_serve::tls::server_config(cert, key) {
            Ok(t) => Some(t),
            Err(e) => return super::usage(format!("--tls-cert/--tls-key: {e}")),
        },
        _ => None,
    };
    if tls.is_none() && (args.admission.is_some() || args.audit_webhook.is_some()) {
        return super::usage("--admission and --audit-webhook serve over TLS: give --tls-cert and --tls-key".into());
    }
    // Lines on standard output: decided findings and detections, one JSON object each; the
    // same in the history store with --record.
    let out = Arc::new(Mutex::new(std::io::LineWriter::new(std::io::stdout())));
    let recorder = if args.record.wanted() {
        let cluster = args.record.cluster_name.clone().unwrap_or_else(|| "local".into());
        match super::history::Recorder::start_as(&args.record, cluster, args.quiet, "serve") {
            Ok(r) => Some(Arc::new(Mutex::new(r))),
            Err(code) => return code,
        }
    } else {
        None
    };
    let namespaces: Labels = Arc::default();
    let ready = Arc::new(AtomicBool::new(true));
    if let Some(addr) = &args.admission {
        if !args.no_cluster {
            let inventories = [&default, &baseline, &restricted].iter().filter_map(|s| s.inventory.clone()).collect();
            if let Err(code) = watch_namespaces(&args, &runtime, namespaces.clone(), inventories, ready.clone()) {
                return code;
            }
        }
        let listener = match runtime.block_on(palisade_serve::https::bind(addr, "--admission")) {
            Ok(l) => l,
            Err(e) => return super::usage(e),
        };
        let (printed, stored) = (out.clone(), recorder.clone());
        let admission = Admission {
            engines: Engines { default: default.engine, baseline: baseline.engine, restricted: restricted.engine },
            mode: mode(args.mode),
            blocking,
            exempt: Exemptions {
                namespaces: args.exempt_namespace.iter().cloned().collect(),
                usernames: args.exempt_user.iter().cloned().collect(),
                runtime_classes: args.exempt_runtime_class.iter().cloned().collect(),
            },
            namespaces: namespaces.clone(),
            record: Box::new(move |r: &Request, acted| {
                let at = palisade_core::clock::rfc3339(std::time::SystemTime::now());
                let mut out = printed.lock().expect("stdout");
                let request = json!({"uid": r.uid, "operation": r.operation, "user": r.username, "namespace": r.namespace, "kind": r.kind});
                let mut events = Vec::new();
                for a in acted {
                    let finding = palisade_report::json::finding(&a.finding);
                    let line = json!({"event": "admission", "action": a.action, "at": at, "request": request, "finding": finding});
                    let _ = writeln!(out, "{line}");
                    events.push((palisade_store::now_ms(), if a.action == "deny" { "admission-deny" } else { "admission-audit" }, finding));
                }
                if let Some(stored) = &stored {
                    stored.lock().expect("recorder").send(super::history::Record::Events(events));
                }
            }),
        };
        let webhook = Webhook {
            admit: Arc::new(admission),
            budget: args.budget,
            on_error: if args.on_error == OnErrorArg::Deny { OnError::Deny } else { OnError::Allow },
            metrics: Arc::new(AdmissionMetrics::new()),
            ready: ready.clone(),
        };
        let bound = listener.local_addr().map(|a| a.to_string()).unwrap_or_else(|_| addr.clone());
        let tls = tls.clone().expect("checked above");
        runtime.spawn(palisade_serve::https::serve(listener, tls, palisade_serve::admission::router(webhook)));
        status(format!("admission webhook on https://{bound}/validate ({} mode, blocking at {})", mode(args.mode).as_str(), blocking.as_str()));
    }
    if let Some(addr) = &args.audit_webhook {
        let listener = match runtime.block_on(palisade_serve::https::bind(addr, "--audit-webhook")) {
            Ok(l) => l,
            Err(e) => return super::usage(e),
        };
        // The server lives as long as the process: its engine too.
        let engine: &'static Setup = Box::leak(Box::new(match setup_at(&args.select, None) {
            Ok(mut s) => {
                s.engine.model_no_network();
                s
            }
            Err(code) => return code,
        }));
        let judge = Arc::new(Mutex::new(AuditJudge::new(&engine.engine)));
        let bound = listener.local_addr().map(|a| a.to_string()).unwrap_or_else(|_| addr.clone());
        let tls = tls.clone().expect("checked above");
        runtime.spawn(palisade_serve::https::serve(listener, tls, palisade_serve::audit_webhook::router(audit_taker(judge, out.clone(), recorder.clone()))));
        status(format!("audit webhook on https://{bound}/"));
    }
    if let Some(addr) = &args.dashboard {
        match super::dashboard::start(&args, addr, &runtime, tls.clone()) {
            Ok(url) => status(format!("dashboard on {url}")),
            Err(code) => return code,
        }
    }
    runtime.block_on(std::future::pending::<()>());
    ExitCode::SUCCESS
}

fn mode(m: AdmissionMode) -> Mode {
    match m {
        AdmissionMode::Enforce => Mode::Enforce,
        AdmissionMode::Warn => Mode::Warn,
        AdmissionMode::Audit => Mode::Audit,
    }
}

/// Keeps `labels` current from a watch on Namespaces; `ready` is false until the first list
/// is in. Without any kubeconfig (and outside a cluster) there is nothing to watch: every
/// namespace gets the server's mode.
/// Keeps namespaces' labels current (the palisade.io/* levels), and the Namespaces user
/// policies' namespaceSelectors read.
fn watch_namespaces(args: &ServeArgs, runtime: &tokio::runtime::Runtime, labels: Labels, inventories: Vec<Arc<palisade_policy::Inventory>>, ready: Arc<AtomicBool>) -> Result<(), ExitCode> {
    let target = palisade_cluster::connect::Target { kubeconfig: args.kubeconfig.clone(), context: args.context.clone() };
    let conn = match runtime.block_on(palisade_cluster::connect(&target)) {
        Ok(c) => c,
        Err(e) if args.kubeconfig.is_none() && args.context.is_none() => {
            if !args.quiet {
                eprintln!("note: namespaces' palisade.io/* labels are not read ({e}); every namespace gets --mode");
            }
            return Ok(());
        }
        Err(e) => {
            eprintln!("error: {e}");
            return Err(ExitCode::from(2));
        }
    };
    ready.store(false, Ordering::Relaxed);
    let opts = WatchOptions::default();
    let mut watch = runtime
        .block_on(async {
            let _guard = tokio::runtime::Handle::current().enter();
            palisade_cluster::watch::start_matching(&conn, &opts, |r| r.group.is_empty() && r.kind == "Namespace").await
        })
        .map_err(|e| {
            eprintln!("error: {e}");
            ExitCode::from(2)
        })?;
    let quiet = args.quiet;
    runtime.spawn(async move {
        let remember = |o: &serde_json::Value| {
            if !inventories.is_empty() {
                let node = palisade_source::json::node_of(o);
                inventories.iter().for_each(|i| i.add_namespace(&node));
            }
        };
        let labels_of = |o: &serde_json::Value| -> (String, BTreeMap<String, String>) {
            remember(o);
            let name = o["metadata"]["name"].as_str().unwrap_or("").to_string();
            let labels = o["metadata"]["labels"].as_object().map(|m| m.iter().filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string()))).collect()).unwrap_or_default();
            (name, labels)
        };
        let mut listing: Option<HashMap<String, BTreeMap<String, String>>> = None;
        while let Some((_, event)) = watch.events.recv().await {
            match event {
                Event::Listing(_) => listing = Some(HashMap::new()),
                Event::Page(_, objects) => {
                    let into = listing.get_or_insert_with(HashMap::new);
                    into.extend(objects.iter().map(labels_of));
                }
                Event::Listed(_) => {
                    *labels.write().expect("labels") = listing.take().unwrap_or_default();
                    if !ready.swap(true, Ordering::Relaxed) && !quiet {
                        eprintln!("namespaces' labels loaded; ready");
                    }
                }
                Event::Applied(_, o) => {
                    let (name, l) = labels_of(&o);
                    labels.write().expect("labels").insert(name, l);
                }
                Event::Deleted(_, o) => {
                    labels.write().expect("labels").remove(&labels_of(&o).0);
                }
                Event::Unavailable(_, state) => eprintln!("warning: Namespaces cannot be watched: {}; every namespace gets --mode", state.describe()),
                Event::Restarted(..) | Event::Alive(_) => {}
            }
        }
    });
    Ok(())
}

/// The audit webhook: each POSTed batch (an `EventList`, or JSON lines) judged as it comes;
/// detections written as `audit-log --follow` writes them.
fn audit_taker(judge: Arc<Mutex<AuditJudge<'static>>>, out: Arc<Mutex<std::io::LineWriter<std::io::Stdout>>>, recorder: Option<Arc<Mutex<super::history::Recorder>>>) -> palisade_serve::audit_webhook::Take {
    Arc::new(move |body| {
        let mut judge = judge.lock().expect("audit judge");
        let (mut findings, mut bad) = (Vec::new(), Vec::new());
        let read = palisade_source::audit::stream(&body[..], true, |item| match item {
            palisade_source::audit::Item::Event(e) => findings.extend(judge.judge(&e, None).findings),
            palisade_source::audit::Item::Bad(line, why) => bad.push(format!("line {line}: {why}")),
            palisade_source::audit::Item::Quiet(_) => {}
        });
        findings.extend(judge.new_across());
        judge.forget_window(palisade::audit::STREAM_WINDOW_MS);
        let mut out = out.lock().expect("stdout");
        for f in &findings {
            let _ = writeln!(out, "{}", palisade::audit::detection_line(f, true));
        }
        if let (Some(recorder), false) = (&recorder, findings.is_empty()) {
            let now = palisade_store::now_ms();
            recorder.lock().expect("recorder").send(super::history::Record::Events(findings.iter().map(|f| (now, "detected", palisade_report::json::finding(f))).collect()));
        }
        if let Err(e) = read {
            bad.push(format!("reading stopped: {e}"));
        }
        if bad.is_empty() {
            Ok(())
        } else {
            let why = format!("not audit events: {}", bad.join("; "));
            eprintln!("error: audit webhook: {why}");
            Err(why)
        }
    })
}

pub fn admission(cmd: AdmissionCommand) -> ExitCode {
    match cmd {
        AdmissionCommand::Manifests(args) => match palisade::admission::manifests(&manifest_options(&args)) {
            Ok(yaml) => {
                print!("{yaml}");
                ExitCode::SUCCESS
            }
            Err(e) => super::usage(e),
        },
    }
}

fn manifest_options(args: &ManifestsArgs) -> palisade::admission::ManifestOptions {
    palisade::admission::ManifestOptions {
        namespace: args.namespace.clone(),
        image: args.image.clone(),
        ca_bundle: args.ca_bundle.clone(),
        tls_secret: args.tls_secret.clone(),
        fail_closed: args.failure_policy == crate::cli::FailurePolicy::Fail,
        timeout_seconds: args.timeout_seconds,
        mode: mode(args.mode).as_str(),
        framework: args.framework.clone(),
    }
}
