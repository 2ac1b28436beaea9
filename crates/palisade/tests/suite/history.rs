//! The history store end to end: `--record`/`--store` on scan, cluster and watch, then
//! `palisade history`, `trend` (terminal and SVG) and `diff --store`, on a SQLite file and on
//! the real PostgreSQL `scripts/test` starts (`PALISADE_TEST_POSTGRES`).

use crate::common;

use common::{palisade, tempdir, write};
use palisade_testserver::{objects_from_files, Options, TestServer};
use serde_json::Value;
use std::time::{Duration, Instant};

fn json_out(args: &[&str]) -> Value {
    let out = palisade(args, None);
    assert_eq!(out.code, 0, "{args:?}: {}", out.stderr);
    serde_json::from_str(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", out.stdout))
}

fn scan_json(args: &[&str]) -> Value {
    let out = palisade(args, None);
    assert_eq!(out.code, 1, "{args:?}: {}", out.stderr);
    assert!(out.stderr.contains("recorded run "), "{}", out.stderr);
    serde_json::from_str(&out.stdout).unwrap()
}

#[test]
fn scans_recorded_in_sqlite_list_chart_and_compare() {
    let dir = tempdir("history-sqlite");
    let db = dir.join("h/history.db").display().to_string();
    let all = scan_json(&["scan", "examples/demo", "--format", "json", "--store", &db]);
    let fewer = scan_json(&["scan", "examples/demo", "--format", "json", "--store", &db, "--ignore", "POD001"]);

    let history = json_out(&["history", "--store", &db, "--format", "json"]);
    let runs = history["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 2);
    let (newest, oldest) = (&runs[0], &runs[1]);
    assert_eq!((newest["cluster"].as_str(), newest["source"].as_str()), (Some("local"), Some("scan")));
    assert_eq!(oldest["findings"], all["summary"]["findings"], "{oldest}");
    assert_eq!(newest["findings"], fewer["summary"]["findings"]);
    for severity in ["critical", "high", "medium", "low"] {
        assert_eq!(oldest["by_severity"][severity].as_u64().unwrap_or(0), all["summary"]["by_severity"][severity].as_u64().unwrap_or(0), "{severity}");
    }
    assert!(oldest["by_layer"]["workloads"].as_u64().unwrap() > 0);

    // The table fits a terminal and names both runs.
    let table = palisade(&["history", "--store", &db], None);
    assert!(table.stdout.lines().all(|l| l.chars().count() <= 120), "{}", table.stdout);
    assert!(table.stdout.contains(runs[0]["id"].as_str().unwrap()) && table.stdout.contains(runs[1]["id"].as_str().unwrap()));

    // Comparing the two recorded runs: resolved are exactly the POD001 findings.
    let out = palisade(&["diff", "latest~1", "latest", "--store", &db, "--format", "json"], None);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let d: Value = serde_json::from_str(&out.stdout).unwrap();
    let resolved = d["findings"]["resolved"].as_array().unwrap();
    let pod001 = all["findings"].as_array().unwrap().iter().filter(|f| f["rule"] == "POD001").count();
    assert!(pod001 > 0);
    assert_eq!(resolved.len(), pod001);
    assert!(resolved.iter().all(|f| f["rule"] == "POD001"));
    assert!(d["findings"]["opened"].as_array().unwrap().is_empty());
    let missing = palisade(&["diff", "nosuchrun", "latest", "--store", &db], None);
    assert_eq!(missing.code, 2);
    assert!(missing.stderr.contains("no run `nosuchrun`"), "{}", missing.stderr);

    // The trend: a sparkline per severity and layer, and an SVG chart.
    let chart = palisade(&["trend", "--store", &db], None);
    assert_eq!(chart.code, 0, "{}", chart.stderr);
    assert!(chart.stdout.contains("local — 2 runs") && chart.stdout.contains("by severity") && chart.stdout.contains("workloads"), "{}", chart.stdout);
    let svg = dir.join("trend.svg");
    let out = palisade(&["trend", "--store", &db, "-o", svg.to_str().unwrap()], None);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let text = std::fs::read_to_string(&svg).unwrap();
    let mut reader = quick_xml::Reader::from_str(&text);
    let mut polylines = 0;
    loop {
        match reader.read_event().unwrap_or_else(|e| panic!("the SVG is not well-formed XML: {e}")) {
            quick_xml::events::Event::Eof => break,
            quick_xml::events::Event::Start(e) if e.name().as_ref() == b"polyline" => polylines += 1,
            _ => {}
        }
    }
    assert!(polylines >= 4, "a line per severity and per layer: {polylines}");
    let points = json_out(&["trend", "--store", &db, "--format", "json"]);
    assert_eq!(points["clusters"][0]["points"].as_array().unwrap().len(), 2);
}

#[test]
fn a_live_scan_and_a_watch_record_into_postgres() {
    let base = std::env::var("PALISADE_TEST_POSTGRES").expect("PALISADE_TEST_POSTGRES names the test PostgreSQL (scripts/test starts one)");
    let cluster = format!("prod-{}", std::process::id());
    let objects = objects_from_files(&[common::repo().join("examples/demo")]).unwrap();
    let server = TestServer::start(objects, Options::default()).unwrap();
    let dir = tempdir("history-postgres");
    let kubeconfig = write(&dir, "kubeconfig", server.kubeconfig(false));
    let live = scan_json(&["cluster", "--kubeconfig", &kubeconfig, "--format", "json", "--store", &base, "--cluster-name", &cluster]);

    let runs = json_out(&["history", "--store", &base, "--cluster", &cluster, "--format", "json"]);
    let runs = runs["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 1);
    assert_eq!((runs[0]["source"].as_str(), &runs[0]["findings"]), (Some("cluster"), &live["summary"]["findings"]));
    assert!(!runs.is_empty() && json_out(&["history", "--store", &base, "--format", "json"])["store"].as_str().is_some_and(|s| !s.contains("palisade@")), "no user in the location shown");

    // A watch records a snapshot when the first list is judged, then every --snapshot-every.
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_palisade"))
        .args(["watch", "--kubeconfig", &kubeconfig, "--format", "json", "--store", &base, "--cluster-name", &cluster, "--snapshot-every", "1s", "--changes-only"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    let snapshots = loop {
        let runs = json_out(&["history", "--store", &base, "--cluster", &cluster, "--format", "json"]);
        let watch: Vec<Value> = runs["runs"].as_array().unwrap().iter().filter(|r| r["source"] == "watch").cloned().collect();
        if watch.len() >= 2 {
            break watch;
        }
        assert!(Instant::now() < deadline, "no watch snapshots: {runs}");
        std::thread::sleep(Duration::from_millis(300));
    };
    let _ = child.kill();
    let _ = child.wait();
    // The watch's view of the same cluster is the live scan's.
    assert_eq!(snapshots[0]["findings"], live["summary"]["findings"], "{snapshots:#?}");
    let chart = palisade(&["trend", "--store", &base, "--cluster", &cluster], None);
    assert!(chart.stdout.contains(&format!("{cluster} — ")), "{}", chart.stdout);
}
