//! End-to-end tests of `palisade watch` against the test API server: the findings open at
//! the start are those `palisade cluster` finds; changes open and resolve findings (a
//! Namespace's labels, a fixed Deployment, a Pod created and deleted); the watch survives
//! `410 Gone` (writing only the true differences), watches that fall silent, and a server
//! that goes away and comes back; metrics and alert sinks see what happened.

use crate::common;

use common::{palisade, tempdir, write, Running};
use palisade_testserver::{Options, TestServer};
use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, Read, Write};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

fn namespace(name: &str, labels: Value) -> Value {
    json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name, "labels": labels}})
}

fn deployment(name: &str, privileged: bool) -> Value {
    json!({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": name, "namespace": "shop"},
        "spec": {"selector": {"matchLabels": {"app": name}}, "template": {
            "metadata": {"labels": {"app": name}},
            "spec": {"containers": [{"name": "app", "image": "registry.example/app:1.0", "securityContext": {"privileged": privileged}}]}
        }}
    })
}

fn pod(name: &str) -> Value {
    json!({
        "apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": "shop"},
        "spec": {"hostPID": true, "containers": [{"name": "debug", "image": "busybox:1.36"}]}
    })
}

/// A running `palisade watch --format json`: its events as they come (every one seen is
/// kept), its standard error.
struct Watching {
    process: Running,
    seen: Vec<Value>,
    _dir: common::TempDir,
}

impl Watching {
    fn start(server: &TestServer, name: &str, extra: &[&str]) -> Watching {
        let dir = tempdir(name);
        let kubeconfig = write(&dir, "kubeconfig", server.kubeconfig(false));
        let mut args = vec!["watch", "--kubeconfig", &kubeconfig, "--format", "json", "--no-config"];
        args.extend_from_slice(extra);
        Watching { process: Running::start(&args), seen: Vec::new(), _dir: dir }
    }

    fn stderr(&self) -> String {
        self.process.stderr()
    }

    /// Waits until standard error says `text`.
    fn wait_for_status(&mut self, text: &str) {
        self.process.wait_for_stderr(text);
    }

    /// The events that come until `until` holds for them (30 s at most), and any that
    /// follow within 300 ms (they belong to the same change).
    fn events_until(&mut self, until: impl Fn(&[Value]) -> bool) -> Vec<Value> {
        let got = self.process.json_until(until);
        self.seen.extend(got.iter().cloned());
        got
    }

    /// The events within `wait` (none expected, usually).
    fn events_within(&mut self, wait: Duration) -> Vec<Value> {
        let mut got = Vec::new();
        let deadline = Instant::now() + wait;
        while let Ok(line) = self.process.lines.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
            got.push(serde_json::from_str(&line).unwrap_or_else(|e| panic!("not a JSON line ({e}): {line}")));
        }
        got
    }
}

fn has(events: &[Value], change: &str, rule: &str, name: &str) -> bool {
    events.iter().any(|e| e["event"] == change && e["finding"]["rule"] == rule && e["finding"]["object"]["name"] == name)
}

/// The events about the object `name`, and the rest.
fn about<'a>(events: &'a [Value], name: &str) -> (Vec<&'a Value>, Vec<&'a Value>) {
    events.iter().partition(|e| e["finding"]["object"]["name"] == name)
}

/// Findings of other objects that a change re-words (a namespace's "2 of 2 workloads" becoming
/// "3 of 3") resolve and open again in pairs: the same rule on the same object.
fn reworded(events: &[&Value]) -> bool {
    let key = |e: &Value| (e["finding"]["rule"].clone().to_string(), e["finding"]["object"].to_string());
    let count = |change: &str| {
        let mut keys: Vec<_> = events.iter().filter(|e| e["event"] == change).map(|e| key(e)).collect();
        keys.sort();
        keys
    };
    count("opened") == count("resolved")
}

fn ids<'a>(findings: impl Iterator<Item = &'a Value>) -> BTreeSet<String> {
    findings.map(palisade::diff::finding_key).collect()
}

#[test]
fn the_watch_starts_with_the_cluster_scan_and_follows_each_change() {
    let objects = vec![namespace("shop", json!({})), deployment("web", true), deployment("api", false)];
    let server = TestServer::start(objects, Options::default()).unwrap();
    let mut w = Watching::start(&server, "watch-changes", &[]);
    w.wait_for_status("watching for changes");
    let initial = w.events_until(|e| !e.is_empty());
    assert!(initial.iter().all(|e| e["event"] == "opened" && e["at"].as_str().is_some_and(|t| t.ends_with('Z'))), "{initial:#?}");

    // The findings open at the start are exactly those of a live scan of the same server.
    let dir = tempdir("watch-changes-scan");
    let kubeconfig = write(&dir, "kubeconfig", server.kubeconfig(false));
    let scan = palisade(&["cluster", "--kubeconfig", &kubeconfig, "--no-config", "--format", "json"], None);
    let report: Value = serde_json::from_str(&scan.stdout).unwrap();
    assert_eq!(ids(initial.iter().map(|e| &e["finding"])), ids(report["findings"].as_array().unwrap().iter()));
    assert!(has(&initial, "opened", "POD001", "web"), "privileged web");
    assert!(has(&initial, "opened", "NS001", "shop"), "shop enforces no PSS level");
    // Each finding is in the report's shape.
    let one = &initial[0]["finding"];
    for field in ["rule", "name", "severity", "message", "object", "path", "controls", "remediation"] {
        assert!(one.get(field).is_some(), "{field} missing from {one}");
    }

    // Labelling the Namespace resolves NS001, and only that.
    server.apply(namespace("shop", json!({"pod-security.kubernetes.io/enforce": "restricted"}))).unwrap();
    let labelled = w.events_until(|e| has(e, "resolved", "NS001", "shop"));
    assert!(labelled.iter().all(|e| e["finding"]["object"]["kind"] == "Namespace"), "{labelled:#?}");

    // Fixing the Deployment resolves its privileged container; nothing opens.
    server.apply(deployment("web", false)).unwrap();
    let fixed = w.events_until(|e| has(e, "resolved", "POD001", "web"));
    assert!(fixed.iter().all(|e| e["event"] == "resolved"), "{fixed:#?}");

    // A Pod with the host's PID namespace opens POD002; deleting it resolves what it opened.
    server.apply(pod("debug")).unwrap();
    let created = w.events_until(|e| has(e, "opened", "POD002", "debug"));
    let (pod_created, others) = about(&created, "debug");
    assert!(pod_created.iter().all(|e| e["event"] == "opened") && reworded(&others), "{created:#?}");
    assert!(server.delete("v1", "Pod", "shop", "debug"));
    let deleted = w.events_until(|e| about(e, "debug").0.len() >= pod_created.len());
    let (pod_deleted, others) = about(&deleted, "debug");
    assert_eq!(ids(pod_deleted.iter().map(|e| &e["finding"])), ids(pod_created.iter().map(|e| &e["finding"])));
    assert!(pod_deleted.iter().all(|e| e["event"] == "resolved") && reworded(&others), "{deleted:#?}");
    // Bookmarks (one a second) kept the watches alive; none was lost or reopened for silence.
    let said = w.stderr();
    assert!(!said.contains("was lost") && !said.contains("silent"), "{said}");
}

/// Reads `GET /metrics` from the address `palisade watch` printed.
fn metrics(stderr: &str) -> String {
    let addr = stderr.lines().find_map(|l| l.strip_prefix("metrics on http://")).and_then(|l| l.strip_suffix("/metrics")).expect("the metrics address");
    let mut tcp = std::net::TcpStream::connect(addr).unwrap();
    write!(tcp, "GET /metrics HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").unwrap();
    let mut out = String::new();
    tcp.read_to_string(&mut out).unwrap();
    assert!(out.starts_with("HTTP/1.1 200"), "{out}");
    out
}

fn metric(text: &str, prefix: &str) -> f64 {
    text.lines().filter(|l| l.starts_with(prefix)).map(|l| l.rsplit(' ').next().unwrap().parse::<f64>().unwrap()).sum()
}

#[test]
fn the_watch_survives_gone_silent_and_absent_servers_and_writes_only_true_differences() {
    let objects = vec![namespace("shop", json!({})), deployment("web", true)];
    let options = Options { stall_watches_after: Some(Duration::from_millis(1500)), bookmark_interval: Duration::from_secs(600), ..Options::default() };
    let server = TestServer::start(objects, options).unwrap();
    let mut w = Watching::start(&server, "watch-survives", &["--watch-timeout", "2s", "--metrics-addr", "127.0.0.1:0"]);
    w.wait_for_status("watching for changes");
    let initial = w.events_until(|e| has(e, "opened", "POD001", "web"));

    // The history is compacted past where the watches stand: resuming gets 410 Gone, the types
    // are listed again, and only the change made meanwhile comes out.
    server.apply(pod("debug")).unwrap();
    server.compact();
    let after_gone = w.events_until(|e| has(e, "opened", "POD002", "debug"));
    let (new_pod, others) = about(&after_gone, "debug");
    assert!(new_pod.iter().all(|e| e["event"] == "opened") && reworded(&others), "only the new Pod's findings: {after_gone:#?}");
    w.wait_for_status("410 Gone, listing again");

    // Watches that go silent (the server stalls them after 1.5 s) are reopened after 2 s, and
    // a change made while they were silent still arrives.
    std::thread::sleep(Duration::from_secs(2));
    server.apply(deployment("web", false)).unwrap();
    let fixed = w.events_until(|e| has(e, "resolved", "POD001", "web"));
    assert!(fixed.iter().all(|e| e["event"] == "resolved"), "{fixed:#?}");
    w.wait_for_status("went silent; reopened");

    // The server goes away; what changes while it is away arrives when it is back.
    server.go_away();
    w.wait_for_status("was lost");
    assert!(server.delete("v1", "Pod", "shop", "debug"));
    std::thread::sleep(Duration::from_secs(2));
    server.come_back();
    let back = w.events_until(|e| has(e, "resolved", "POD002", "debug"));
    let (gone_pod, others) = about(&back, "debug");
    assert!(gone_pod.iter().all(|e| e["event"] == "resolved") && reworded(&others), "{back:#?}");
    w.wait_for_status("watching again");

    // Nothing was written twice: every finding opened at most once before it resolved.
    let mut open = BTreeSet::new();
    assert!(w.seen.len() > initial.len());
    for e in &w.seen {
        let id = palisade::diff::finding_key(&e["finding"]);
        match e["event"].as_str() {
            Some("opened") => assert!(open.insert(id.clone()), "opened twice: {id}"),
            _ => assert!(open.remove(&id), "resolved without being open: {id}"),
        }
    }

    // The metrics say so too.
    let text = metrics(&w.stderr());
    assert_eq!(metric(&text, "palisade_watch_synced "), 1.0, "{text}");
    assert_eq!(metric(&text, "palisade_open_findings{"), open.len() as f64, "{text}");
    assert!(metric(&text, "palisade_watch_reconnects_total{") >= 3.0, "{text}");
    assert!(text.contains("reason=\"expired\"") && text.contains("reason=\"silent\"") && text.contains("reason=\"lost\""), "{text}");
    assert!(metric(&text, "palisade_evaluation_seconds_count") >= 4.0, "{text}");
    assert!(text.contains("palisade_watch_last_event_timestamp_seconds{resource=\"pods\"}"), "{text}");
    assert!(w.events_within(Duration::from_millis(500)).is_empty());
}

/// An HTTP receiver for alerts on a loopback port: it refuses the first `failures` requests
/// with 500 and keeps the bodies of the rest, by path.
/// The bodies a receiver kept, each with the path it was POSTed to.
type Received = Arc<Mutex<Vec<(String, Value)>>>;

fn receiver(failures: usize) -> (String, Received) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let got = Arc::new(Mutex::new(Vec::new()));
    let kept = got.clone();
    std::thread::spawn(move || {
        let mut refused = 0;
        for stream in listener.incoming().map_while(Result::ok) {
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut request = String::new();
            reader.read_line(&mut request).unwrap();
            let path = request.split(' ').nth(1).unwrap_or("").to_string();
            let mut length = 0;
            loop {
                let mut header = String::new();
                reader.read_line(&mut header).unwrap();
                if header.trim().is_empty() {
                    break;
                }
                if let Some(v) = header.to_ascii_lowercase().strip_prefix("content-length:") {
                    length = v.trim().parse().unwrap();
                }
            }
            let mut body = vec![0; length];
            reader.read_exact(&mut body).unwrap();
            let mut stream = stream;
            if refused < failures {
                refused += 1;
                let _ = stream.write_all(b"HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
                continue;
            }
            kept.lock().unwrap().push((path, serde_json::from_slice(&body).unwrap()));
            let _ = stream.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok");
        }
    });
    (url, got)
}

#[test]
fn alerts_reach_a_webhook_and_slack_through_failures_without_holding_up_the_watch() {
    let server = TestServer::start(vec![namespace("shop", json!({"pod-security.kubernetes.io/enforce": "baseline"})), deployment("web", true)], Options::default()).unwrap();
    let (url, got) = receiver(2);
    let (hook, slack) = (format!("{url}/hook"), format!("{url}/slack"));
    let mut w = Watching::start(&server, "watch-alerts", &["--alert-webhook", &hook, "--alert-slack", &slack, "--alert-severity", "high"]);
    w.wait_for_status("watching for changes");
    w.events_until(|e| has(e, "opened", "POD001", "web"));
    // The watch goes on while the sinks are refused and retried.
    server.apply(pod("debug")).unwrap();
    let opened = w.events_until(|e| has(e, "opened", "POD002", "debug"));
    let wanted: BTreeSet<String> = opened.iter().filter(|e| matches!(e["finding"]["severity"].as_str(), Some("high" | "critical"))).map(|e| palisade::diff::finding_key(&e["finding"])).collect();
    assert!(!wanted.is_empty());

    let deadline = Instant::now() + Duration::from_secs(40);
    let alerted = loop {
        let bodies = got.lock().unwrap().clone();
        let alerted: BTreeSet<String> = bodies
            .iter()
            .filter(|(path, _)| path == "/hook")
            .flat_map(|(_, b)| b["alerts"].as_array().unwrap().clone())
            .filter(|a| a["event"] == "opened")
            .map(|a| palisade::diff::finding_key(&a["finding"]))
            .collect();
        let slack_said = bodies.iter().any(|(path, b)| path == "/slack" && b["text"].as_str().is_some_and(|t| t.contains("POD002") && t.contains("debug")));
        if alerted.is_superset(&wanted) && slack_said {
            break bodies;
        }
        assert!(Instant::now() < deadline, "alerts so far: {bodies:#?}\nstderr: {}", w.stderr());
        std::thread::sleep(Duration::from_millis(200));
    };
    // The state at the start came as one summary, not one alert per finding.
    let summaries = alerted.iter().filter(|(p, b)| p == "/hook" && b["alerts"].as_array().unwrap().iter().any(|a| a["event"] == "summary")).count();
    assert_eq!(summaries, 1, "{alerted:#?}");
    // Below --alert-severity nothing is sent.
    let all: Vec<&Value> = alerted.iter().filter(|(p, _)| p == "/hook").flat_map(|(_, b)| b["alerts"].as_array().unwrap()).filter(|a| a["event"] != "summary").collect();
    assert!(all.iter().all(|a| matches!(a["finding"]["severity"].as_str(), Some("high" | "critical"))), "{all:#?}");
}

#[test]
fn user_policies_open_and_resolve_findings_as_objects_change() {
    let fixtures = common::repo().join("crates/palisade/tests/policies");
    let vap = fixtures.join("vap.yaml").display().to_string();
    let server = TestServer::start(vec![namespace("shop", json!({}))], Options::default()).unwrap();
    let mut w = Watching::start(&server, "watch-policies", &["--policies", &vap, "--select", "vap:"]);
    w.wait_for_status("watching for changes");
    let mut latest = pod("edge");
    latest["spec"]["containers"][0]["image"] = json!("registry.example.com/edge:latest");
    server.apply(latest).unwrap();
    let opened = w.events_until(|e| has(e, "opened", "vap:no-latest", "edge"));
    let finding = &opened.iter().find(|e| e["finding"]["rule"] == "vap:no-latest").unwrap()["finding"];
    assert_eq!((finding["action"].as_str(), finding["message"].as_str()), (Some("warn"), Some("images must not use the latest tag")));
    assert!(server.delete("v1", "Pod", "shop", "edge"));
    w.events_until(|e| has(e, "resolved", "vap:no-latest", "edge"));
}
