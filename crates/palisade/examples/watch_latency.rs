//! The watch benchmark: the objects under DIR served by the test API server, `palisade
//! watch --format json --changes-only` on it, then CHANGES changes to one Deployment at a
//! time (its first container's `privileged` flipped, which opens or resolves POD001), each
//! timed from the server taking it to Palisade's event line read back from its stdout —
//! the whole way: the watch stream, the incremental judgement, the JSON line. Prints the
//! initial list time, latency percentiles and the watch process's peak and final memory.
//!
//!   cargo run --release --example watch_latency -- DIR [--changes N] [--palisade PATH]

use palisade_testserver::{objects_from_files, Options, TestServer};
use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::mpsc::channel;
use std::time::{Duration, Instant};

fn memory_kb(pid: u32, field: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status.lines().find_map(|l| l.strip_prefix(field)).and_then(|v| v.split_whitespace().next()).and_then(|v| v.parse().ok()).unwrap_or(0)
}

fn main() {
    let mut args = std::env::args().skip(1);
    let (mut dir, mut changes, mut palisade) = (None, 200usize, "target/release/palisade".to_string());
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--changes" => changes = args.next().and_then(|n| n.parse().ok()).expect("--changes N"),
            "--palisade" => palisade = args.next().expect("--palisade PATH"),
            _ => dir = Some(std::path::PathBuf::from(arg)),
        }
    }
    let dir = dir.expect("usage: watch_latency DIR [--changes N] [--palisade PATH]");
    let objects = objects_from_files(&[dir]).unwrap_or_else(|e| panic!("{e}"));
    let count = objects.len();
    let mut targets: Vec<Value> = objects.iter().filter(|o| o["kind"] == "Deployment" && o["metadata"]["namespace"].is_string()).take(50).cloned().collect();
    assert!(!targets.is_empty(), "no Deployment to change");
    let server = TestServer::start(objects, Options::default()).unwrap_or_else(|e| panic!("{e}"));
    let kubeconfig = std::env::temp_dir().join(format!("palisade-watch-bench-{}.kubeconfig", std::process::id()));
    std::fs::write(&kubeconfig, server.kubeconfig(false)).expect("kubeconfig");

    let started = Instant::now();
    let mut child = Command::new(&palisade)
        .args(["watch", "--kubeconfig"])
        .arg(&kubeconfig)
        .args(["--format", "json", "--changes-only", "--no-config"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{palisade}: {e}"));
    let pid = child.id();
    let (synced_tx, synced) = channel();
    let stderr = child.stderr.take().expect("stderr");
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if line.contains("watching for changes") {
                let _ = synced_tx.send(line.clone());
            } else if line.starts_with("error") || line.starts_with("warning") {
                eprintln!("palisade: {line}");
            }
        }
    });
    let (events_tx, events) = channel::<(Instant, Value)>();
    let stdout = child.stdout.take().expect("stdout");
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let at = Instant::now();
            if let Ok(v) = serde_json::from_str(&line) {
                let _ = events_tx.send((at, v));
            }
        }
    });
    let said = synced.recv_timeout(Duration::from_secs(600)).expect("the watch did not sync in 10 minutes");
    let sync = started.elapsed();
    let after_sync_kb = memory_kb(pid, "VmRSS:");

    let mut latencies = Vec::with_capacity(changes);
    for k in 0..changes {
        let n = targets.len();
        let target = &mut targets[k % n];
        let flag = &mut target["spec"]["template"]["spec"]["containers"][0]["securityContext"]["privileged"];
        let now = !flag.as_bool().unwrap_or(false);
        *flag = Value::Bool(now);
        let name = target["metadata"]["name"].as_str().unwrap_or("").to_string();
        let namespace = target["metadata"]["namespace"].as_str().unwrap_or("").to_string();
        let t0 = Instant::now();
        server.apply(target.clone()).expect("apply");
        let wanted = if now { "opened" } else { "resolved" };
        loop {
            let (at, e) = events.recv_timeout(Duration::from_secs(30)).expect("no event within 30 s");
            let f = &e["finding"];
            if e["event"] == wanted && f["rule"] == "POD001" && f["object"]["name"] == name.as_str() && f["object"]["namespace"] == namespace.as_str() {
                latencies.push(at.duration_since(t0));
                break;
            }
        }
        // Let the other events of this change drain before the next one.
        while events.recv_timeout(Duration::from_millis(2)).is_ok() {}
    }
    let peak_kb = memory_kb(pid, "VmHWM:");
    let final_kb = memory_kb(pid, "VmRSS:");
    let _ = child.kill();
    let _ = child.wait();
    latencies.sort();
    let pct = |p: f64| latencies[((latencies.len() as f64 * p).ceil() as usize).saturating_sub(1).min(latencies.len() - 1)].as_secs_f64() * 1000.0;
    println!("objects served              {count}");
    println!("initial list and judgement  {:.2} s  ({said})", sync.as_secs_f64());
    println!("changes timed               {}", latencies.len());
    println!("change -> event line        p50 {:.2} ms  p90 {:.2} ms  p99 {:.2} ms  max {:.2} ms  (goal: under 10 ms)", pct(0.5), pct(0.9), pct(0.99), pct(1.0));
    println!("watch process memory        {} MB after the first list, {} MB after the changes, {} MB peak", after_sync_kb / 1024, final_kb / 1024, peak_kb / 1024);
}
