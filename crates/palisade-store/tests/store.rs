//! The history store against a real SQLite file and a real PostgreSQL (the one `scripts/test`
//! starts on a loopback port and names in `PALISADE_TEST_POSTGRES`; each test makes a fresh
//! database in it): migrations, runs and their findings, lookups by id, watch events, and two
//! writers recording at once without losing a row.

use palisade_store::{Backend, NewEvent, NewRun, Store};
use serde_json::{json, Value};

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap()
}

/// A fresh SQLite file.
fn sqlite(name: &str) -> String {
    let dir = std::env::temp_dir().join(format!("palisade-store-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir.join("nested/history.db").display().to_string()
}

/// Removes the scratch directory of a SQLite file `sqlite` made.
fn remove(db: &str) {
    if let Some(dir) = std::path::Path::new(db).parent().and_then(std::path::Path::parent) {
        let _ = std::fs::remove_dir_all(dir);
    }
}

/// A fresh database in the test PostgreSQL.
async fn postgres(name: &str) -> String {
    let base = std::env::var("PALISADE_TEST_POSTGRES").expect("PALISADE_TEST_POSTGRES names the test PostgreSQL (scripts/test starts one)");
    let db = format!("palisade_{name}_{}", std::process::id());
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&base).await.unwrap_or_else(|e| panic!("{base}: {e}"));
    sqlx::query(&format!("DROP DATABASE IF EXISTS {db}")).execute(&pool).await.unwrap();
    sqlx::query(&format!("CREATE DATABASE {db}")).execute(&pool).await.unwrap();
    let (head, _) = base.rsplit_once('/').unwrap();
    format!("{head}/{db}")
}

fn finding(rule: &str, severity: &str, namespace: Option<&str>, name: &str) -> Value {
    json!({"rule": rule, "name": "x", "severity": severity, "message": format!("{rule} on {name}"),
           "object": {"api_version": "v1", "kind": "Pod", "namespace": namespace, "name": name}, "path": "spec", "controls": [], "remediation": "fix it"})
}

fn run<'a>(cluster: &'a str, at: i64) -> NewRun<'a> {
    NewRun { cluster, source: "cluster", started_ms: at, finished_ms: at + 1500, objects: 42, version: "0.1.0" }
}

async fn runs_and_findings(url: &str, backend: Backend) {
    let store = Store::open(url).await.unwrap();
    assert_eq!(store.backend, backend);
    assert_eq!(store.schema_version().await.unwrap(), palisade_store::MIGRATIONS.last().unwrap().0);
    // Opening again finds the schema in place.
    drop(store);
    let store = Store::open(url).await.unwrap();

    let monday = vec![finding("POD001", "high", Some("shop"), "web"), finding("NS001", "medium", None, "shop"), finding("RBAC001", "critical", None, "admin")];
    let tuesday = vec![finding("NS001", "medium", None, "shop")];
    let a = store.record_run(&run("prod", 1_796_000_000_000), &monday).await.unwrap();
    let b = store.record_run(&run("prod", 1_796_086_400_000), &tuesday).await.unwrap();
    let c = store.record_run(&run("staging", 1_796_090_000_000), &[]).await.unwrap();
    assert!(a.starts_with("20261130T005320-"), "ids sort by time: {a}");

    let all = store.runs(None, None, 10).await.unwrap();
    assert_eq!(all.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(), [c.as_str(), b.as_str(), a.as_str()]);
    let prod = store.runs(Some("prod"), None, 10).await.unwrap();
    assert_eq!(prod.len(), 2);
    let first = &prod[1];
    assert_eq!((first.findings, first.objects, first.finished_ms - first.started_ms), (3, 42, 1500));
    assert_eq!(first.by_severity.get("critical"), Some(&1));
    assert_eq!(first.by_layer.get("rbac"), Some(&1));
    assert_eq!(first.by_layer.get("namespaces"), Some(&1));
    assert_eq!(store.runs(Some("prod"), Some(1_796_086_400_000), 10).await.unwrap().len(), 1, "since");

    let mut back = store.findings(&a).await.unwrap();
    back.sort_by_key(|f| f["rule"].to_string());
    let mut want = monday.clone();
    want.sort_by_key(|f| f["rule"].to_string());
    assert_eq!(back, want, "findings come back as they were recorded");

    assert_eq!(store.find_run("latest", Some("prod")).await.unwrap().id, b);
    assert_eq!(store.find_run("latest~1", Some("prod")).await.unwrap().id, a);
    assert_eq!(store.find_run(&a[..a.len() - 2], None).await.unwrap().id, a);
    assert!(store.find_run("2026", None).await.unwrap_err().contains("more than one run"));
    assert!(store.find_run("1999", None).await.unwrap_err().contains("no run `1999`"));
    assert!(store.find_run("latest~9", Some("prod")).await.is_err());

    let f = finding("POD002", "high", Some("shop"), "debug");
    store.record_events("prod", "w1", &[NewEvent { at_ms: 10, event: "opened", finding: &f }, NewEvent { at_ms: 20, event: "resolved", finding: &f }]).await.unwrap();
    let events = store.events("prod", 0).await.unwrap();
    assert_eq!(events.iter().map(|(at, e, _)| (*at, e.as_str())).collect::<Vec<_>>(), [(10, "opened"), (20, "resolved")]);
    assert_eq!(events[0].2, f);
    assert!(store.events("staging", 0).await.unwrap().is_empty());
}

/// Two stores on the same database (two connections, as two processes would have), each
/// recording runs at the same time: every run and every finding is there afterwards.
async fn two_writers(url: &str) {
    let (one, two) = (Store::open(url).await.unwrap(), Store::open(url).await.unwrap());
    let findings: Vec<Value> = (0..1200).map(|i| finding("POD001", "high", Some("shop"), &format!("pod-{i}"))).collect();
    let write = |store: Store, cluster: &'static str, findings: Vec<Value>| async move {
        let mut ids = Vec::new();
        for i in 0..15 {
            ids.push(store.record_run(&run(cluster, 1_796_000_000_000 + i), &findings).await.unwrap());
        }
        (store, ids)
    };
    let ((one, a), (_, b)) = tokio::join!(tokio::spawn(write(one, "east", findings.clone())), tokio::spawn(write(two, "west", findings))).map_both();
    let runs = one.runs(None, None, 100).await.unwrap();
    assert_eq!(runs.len(), 30);
    for id in a.iter().chain(&b) {
        assert_eq!(one.findings(id).await.unwrap().len(), 1200, "run {id}");
    }
}

trait Both<A, B> {
    fn map_both(self) -> (A, B);
}

impl<A, B> Both<A, B> for (Result<A, tokio::task::JoinError>, Result<B, tokio::task::JoinError>) {
    fn map_both(self) -> (A, B) {
        (self.0.unwrap(), self.1.unwrap())
    }
}

#[test]
fn sqlite_records_and_reads_runs() {
    let db = sqlite("runs");
    runtime().block_on(runs_and_findings(&db, Backend::Sqlite));
    remove(&db);
}

#[test]
fn postgres_records_and_reads_runs() {
    runtime().block_on(async { runs_and_findings(&postgres("runs").await, Backend::Postgres).await });
}

#[test]
fn sqlite_two_writers_lose_nothing() {
    let db = sqlite("writers");
    runtime().block_on(two_writers(&db));
    remove(&db);
}

#[test]
fn postgres_two_writers_lose_nothing() {
    runtime().block_on(async { two_writers(&postgres("writers").await).await });
}

#[test]
fn a_store_that_cannot_be_opened_says_where() {
    let rt = runtime();
    let err = rt.block_on(Store::open("/proc/palisade/history.db")).err().unwrap();
    assert!(err.contains("/proc/palisade"), "{err}");
    let err = rt.block_on(Store::open("postgres://nobody:secret@127.0.0.1:1/x")).err().unwrap();
    assert!(err.contains("127.0.0.1:1") && !err.contains("secret"), "the password is never shown: {err}");
}
