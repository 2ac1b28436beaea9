//! `palisade audit-log` against Falco's k8s-audit regression traces
//! (`../shared/corpus/audit/falco-k8saudit-traces/`, with the detections Falco's own tests
//! expect in `EXPECTED.tsv`): for every Falco rule with a counterpart in Palisade, on every
//! trace judged by Falco's default rules alone, Palisade detects exactly when Falco does.
//! Also the real kube-apiserver log of audit2rbac, malformed lines, and stdin.

mod common;

use common::{palisade, repo};
use serde_json::Value;
use std::collections::BTreeSet;

/// Falco rule → the Palisade rule that detects the same thing.
const COUNTERPARTS: &[(&str, &str)] = &[
    ("Attach/Exec Pod", "AUD001"),
    ("Anonymous Request Allowed", "AUD002"),
    ("Attach to cluster-admin Role", "AUD003"),
    ("System ClusterRole Modified/Deleted", "AUD004"),
    ("Create Privileged Pod", "POD001"),
    ("Create HostNetwork Pod", "POD002"),
    ("Create Sensitive Mount Pod", "POD031"),
    ("Create NodePort Service", "SVC001"),
];

fn traces() -> std::path::PathBuf {
    repo().join("../shared/corpus/audit/falco-k8saudit-traces")
}

fn detect(file: &str) -> Value {
    let out = palisade(&["audit-log", file, "--format", "json"], None);
    // 2 when some line is not an event: the report is still written.
    assert!(out.code <= 2, "{file}: {}", out.stderr);
    serde_json::from_str(&out.stdout).unwrap_or_else(|e| panic!("{file}: {e}"))
}

#[test]
fn palisade_agrees_with_falco_on_every_rule_it_has_a_counterpart_for() {
    let tsv = std::fs::read_to_string(traces().join("EXPECTED.tsv")).unwrap();
    let (mut agreed, mut disagreed) = (0, Vec::new());
    let mut covered: BTreeSet<&str> = BTreeSet::new();
    for row in tsv.lines().skip(1) {
        let cols: Vec<&str> = row.split('\t').collect();
        let (test, trace, counts, files) = (cols[0], cols[1], cols.get(4).copied().unwrap_or(""), cols.get(5).copied().unwrap_or(""));
        // Only Falco's default rules (disallow_kactivity.yaml only turns the activity-tracking
        // rules off): custom allow lists and trusted images have no counterpart.
        if !files.split(',').all(|f| f.starts_with("k8s_audit_rules(") || f == "rules/engine_v4_k8s_audit_rules.yaml" || f == "rules/disallow_kactivity.yaml") {
            continue;
        }
        let report = detect(traces().join(trace).to_str().unwrap());
        let ours: BTreeSet<&str> = report["findings"].as_array().unwrap().iter().filter_map(|f| f["rule"].as_str()).collect();
        for (falco, rule) in COUNTERPARTS {
            let expected = counts.split(',').any(|c| c.split_once('=').is_some_and(|(name, n)| name == *falco && n != "0"));
            if expected {
                covered.insert(falco);
            }
            if expected == ours.contains(rule) {
                agreed += 1;
            } else {
                disagreed.push(format!("{test} ({trace}): Falco {} {falco}, Palisade {} {rule}", if expected { "detects" } else { "does not detect" }, if ours.contains(rule) { "detects" } else { "does not detect" }));
            }
        }
    }
    assert!(disagreed.is_empty(), "{agreed} agreements; disagreements:\n{}", disagreed.join("\n"));
    assert_eq!(covered.len(), COUNTERPARTS.len(), "every counterpart is exercised by a trace Falco detects: {covered:?}");
    eprintln!("{agreed} (trace, rule) verdicts agree with Falco's expectations");
}

#[test]
fn findings_carry_the_event_line_and_audit_id_and_bad_lines_are_errors() {
    let dir = common::tempdir("audit-log");
    let exec = std::fs::read_to_string(traces().join("exec_pod.json")).unwrap();
    let privileged = std::fs::read_to_string(traces().join("create_nginx_pod_privileged.json")).unwrap();
    let log = dir.join("audit.log");
    std::fs::write(&log, format!("{}\n{{\"kind\": 0}}\nnot json at all\n{}", exec.trim(), privileged.trim())).unwrap();
    let report = detect(log.to_str().unwrap());
    let exec_finding = report["findings"].as_array().unwrap().iter().find(|f| f["rule"] == "AUD001").unwrap();
    assert_eq!(exec_finding["location"]["line"], 1);
    assert_eq!(exec_finding["audit_id"], "ca1ed9f4-7bf4-4c85-81a8-1b11253d1ba6");
    assert!(exec_finding["message"].as_str().unwrap().contains("user minikube-user ran exec on pods default/nginx-deployment-7998647bdf-phvq7: bash"), "{}", exec_finding["message"]);
    let pod = report["findings"].as_array().unwrap().iter().find(|f| f["rule"] == "POD001").unwrap();
    assert_eq!((pod["location"]["line"].as_u64(), pod["object"]["kind"].as_str()), (Some(4), Some("Pod")));
    assert_eq!(palisade(&["audit-log", log.to_str().unwrap()], None).code, 2, "malformed lines are input errors");
    let lines: Vec<u64> = report["errors"].as_array().unwrap().iter().map(|e| e["line"].as_u64().unwrap()).collect();
    assert_eq!(lines, [2, 3], "{}", report["errors"]);
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(repo().join("schema/report.schema.json")).unwrap()).unwrap();
    let validator = jsonschema::options().should_validate_formats(false).build(&schema).unwrap();
    let errors: Vec<String> = validator.iter_errors(&report).map(|e| format!("{e} at {}", e.instance_path())).collect();
    assert!(errors.is_empty(), "{errors:#?}");
    // Standard input, and a real API server's log (audit2rbac's demo: lists, impersonation,
    // 403s): read whole, and nothing in it is an exec or an anonymous success.
    let demo = std::fs::read_to_string(repo().join("../shared/corpus/audit/audit2rbac__demo.log")).unwrap();
    let out = palisade(&["audit-log", "-", "--format", "json"], Some(&demo));
    let v: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(v["summary"]["objects"].as_u64(), Some(demo.lines().filter(|l| !l.trim().is_empty()).count() as u64));
    assert_eq!(v["errors"], serde_json::json!([]));
    assert!(v["findings"].as_array().unwrap().iter().all(|f| !["AUD001", "AUD002"].contains(&f["rule"].as_str().unwrap())), "{}", v["findings"]);
    assert_eq!(palisade(&["audit-log", "/nonexistent.log"], None).code, 2);
}
