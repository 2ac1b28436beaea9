//! `palisade audit-log` against Falco's k8s-audit regression traces
//! (`../shared/corpus/audit/falco-k8saudit-traces/`, with the detections Falco's own tests
//! expect in `EXPECTED.tsv`): for every Falco rule with a counterpart in Palisade, on every
//! trace judged by Falco's default rules alone, Palisade detects exactly when Falco does.
//! Also the real kube-apiserver log of audit2rbac, malformed lines, and stdin.

use crate::common;

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
    // Falco's activity rules for RBAC objects fire on every such create and delete, so its
    // expectations name them only in the traces written for them: there, AUD007 detects too.
    let mut activity = 0;
    for row in tsv.lines().skip(1) {
        let cols: Vec<&str> = row.split('\t').collect();
        let counts = cols.get(4).copied().unwrap_or("");
        if ["K8s Role/Clusterrole Created", "K8s Role/Clusterrole Deleted", "K8s Role/Clusterrolebinding Created", "K8s Role/Clusterrolebinding Deleted"].iter().any(|r| counts.contains(r)) {
            let report = detect(traces().join(cols[1]).to_str().unwrap());
            let ours: Vec<&str> = report["findings"].as_array().unwrap().iter().filter_map(|f| f["rule"].as_str()).collect();
            activity += 1;
            if !ours.contains(&"AUD007") {
                disagreed.push(format!("{} ({}): Falco detects an RBAC change, Palisade's AUD007 does not", cols[0], cols[1]));
            }
        }
    }
    assert_eq!(activity, 4, "the four RBAC activity traces");
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

/// One audit event as the API server's log backend writes it.
fn line(id: &str, verb: &str, user: &str, uri: &str, object_ref: Value, code: u16, at: &str) -> String {
    serde_json::json!({
        "kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "Metadata", "auditID": id,
        "stage": "ResponseComplete", "requestURI": uri, "verb": verb,
        "user": {"username": user, "groups": ["system:authenticated"]},
        "objectRef": object_ref, "responseStatus": {"metadata": {}, "code": code},
        "requestReceivedTimestamp": at, "stageTimestamp": at,
        "annotations": {"authorization.k8s.io/decision": if code == 403 { "forbid" } else { "allow" }}
    })
    .to_string()
}

/// A busy cluster's log in small: every Falco trace and audit2rbac's log, then the traffic of
/// a running cluster (reads, lease renewals, status patches, events, the kubelet fetching
/// Secrets and tokens) with the things the audit rules look for mixed in.
fn busy_log() -> String {
    let mut lines = Vec::new();
    for entry in std::fs::read_dir(traces()).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "json") {
            for l in std::fs::read_to_string(&path).unwrap().lines().filter(|l| !l.trim().is_empty()) {
                // Each trace is JSON lines already; keep them as the log would.
                lines.push(l.to_string());
            }
        }
    }
    lines.extend(std::fs::read_to_string(repo().join("../shared/corpus/audit/audit2rbac__demo.log")).unwrap().lines().map(str::to_string));
    let r = |resource: &str, ns: &str, name: &str, sub: &str| serde_json::json!({"resource": resource, "namespace": ns, "name": name, "subresource": sub});
    for i in 0..400 {
        let at = format!("2026-11-30T08:{:02}:{:02}.000000Z", i / 60 % 60, i % 60);
        let id = format!("busy-{i}");
        lines.push(match i % 10 {
            0 => line(&id, "get", "system:serviceaccount:kube-system:deployment-controller", "/apis/apps/v1/namespaces/shop/deployments/web", r("deployments", "shop", "web", ""), 200, &at),
            1 => line(&id, "update", "system:node:node-1", "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/node-1", r("leases", "kube-node-lease", "node-1", ""), 200, &at),
            2 => line(&id, "patch", "system:node:node-1", "/api/v1/namespaces/shop/pods/web-1/status", r("pods", "shop", "web-1", "status"), 200, &at),
            3 => line(&id, "get", "system:node:node-1", "/api/v1/namespaces/shop/secrets/db", r("secrets", "shop", "db", ""), 200, &at),
            4 => line(&id, "create", "system:node:node-1", "/api/v1/namespaces/shop/serviceaccounts/web/token", r("serviceaccounts", "shop", "web", "token"), 201, &at),
            5 if i % 50 == 5 => line(&id, "get", "carol@example.com", "/api/v1/namespaces/shop/secrets/db", r("secrets", "shop", "db", ""), 200, &at),
            6 if i < 150 => line(&id, "list", "mallory", "/api/v1/namespaces/kube-system/secrets", r("secrets", "kube-system", "", ""), 403, &format!("2026-11-30T08:30:{:02}.000000Z", i / 10)),
            7 if i % 100 == 7 => line(&id, "get", "bob", "/api/v1/nodes/node-1/proxy/pods", r("nodes", "", "node-1", "proxy"), 200, &at),
            8 if i % 100 == 8 => line(&id, "create", "alice", "/api/v1/namespaces/ci/serviceaccounts/deployer/token", r("serviceaccounts", "ci", "deployer", "token"), 201, &at),
            9 if i % 100 == 9 => line(&id, "delete", "alice", "/apis/rbac.authorization.k8s.io/v1/namespaces/shop/rolebindings/web", r("rolebindings", "shop", "web", ""), 200, &at),
            _ => line(&id, "watch", "system:kube-scheduler", "/api/v1/pods?watch=true", r("pods", "", "", ""), 200, &at),
        });
    }
    lines.join("\n")
}

fn finding_keys(report: &Value) -> Vec<String> {
    report["findings"].as_array().unwrap().iter().map(|f| format!("{} {} {} {}", f["rule"], f["location"]["line"], f["audit_id"], f["message"])).collect()
}

#[test]
fn passing_by_what_nothing_can_be_detected_in_changes_no_finding() {
    let log = busy_log();
    let fast = palisade(&["audit-log", "-", "--format", "json"], Some(&log));
    let all = palisade(&["audit-log", "-", "--format", "json", "--judge-all"], Some(&log));
    let (fast_report, all_report): (Value, Value) = (serde_json::from_str(&fast.stdout).unwrap(), serde_json::from_str(&all.stdout).unwrap());
    assert_eq!(finding_keys(&fast_report), finding_keys(&all_report));
    assert_eq!(fast_report["summary"]["objects"], all_report["summary"]["objects"]);
    assert!(fast.stderr.contains("passed by"), "{}", fast.stderr);
    // The traffic's detections are there, each once.
    let busy = |f: &&Value| f["audit_id"].as_str().is_some_and(|id| id.starts_with("busy-"));
    let rules: Vec<&str> = fast_report["findings"].as_array().unwrap().iter().filter(busy).filter_map(|f| f["rule"].as_str()).collect();
    let count = |id: &str| rules.iter().filter(|r| **r == id).count();
    assert_eq!((count("AUD005"), count("AUD006"), count("AUD007")), (4, 4, 4), "token requests, nodes/proxy, RBAC changes: {rules:?}");
    assert_eq!(count("AUD009"), 1, "mallory's 15 refusals within 15 s are one burst: {rules:?}");
    let stranger: Vec<&Value> = fast_report["findings"].as_array().unwrap().iter().filter(|f| f["rule"] == "AUD008" && f["message"].as_str().unwrap().contains("carol")).collect();
    assert_eq!(stranger.len(), 1, "{stranger:?}");
    assert!(stranger[0]["message"].as_str().unwrap().contains("read Secret shop/db (8 times)"), "{}", stranger[0]["message"]);
    assert_eq!(stranger[0]["audit_id"], "busy-5");
}

#[test]
fn a_followed_log_is_read_as_it_grows_and_after_rotation() {
    let dir = common::tempdir("audit-follow");
    let log = dir.join("audit.log");
    let exec = std::fs::read_to_string(traces().join("exec_pod.json")).unwrap();
    let at = "2026-11-30T08:00:00.000000Z";
    std::fs::write(&log, format!("{}\n", line("old", "get", "alice", "/api/v1/namespaces", serde_json::json!({"resource": "namespaces"}), 200, at))).unwrap();
    let mut follower = common::Running::start(&["audit-log", log.to_str().unwrap(), "--follow", "--poll", "50ms", "--format", "json", "--no-config"]);
    follower.wait_for_stderr("following");
    let append = |text: &str| {
        let mut f = std::fs::OpenOptions::new().append(true).open(&log).unwrap();
        std::io::Write::write_all(&mut f, text.as_bytes()).unwrap();
    };
    // A line written in two pieces is judged once it is whole.
    let (first, second) = exec.trim().split_at(40);
    append(first);
    std::thread::sleep(std::time::Duration::from_millis(200));
    append(&format!("{second}\n"));
    let got = follower.json_until(|l| l.iter().any(|e| e["finding"]["rule"] == "AUD001"));
    let exec_event = got.iter().find(|e| e["finding"]["rule"] == "AUD001").unwrap();
    assert_eq!(exec_event["event"], "detected");
    assert_eq!(exec_event["finding"]["location"]["line"], 2);
    assert_eq!(exec_event["finding"]["audit_id"], "ca1ed9f4-7bf4-4c85-81a8-1b11253d1ba6");
    // Ten refusals: one burst, written when the tenth is read.
    let refusals: String = (0..10).map(|i| line(&format!("no-{i}"), "list", "mallory", "/api/v1/secrets", serde_json::json!({"resource": "secrets"}), 403, &format!("2026-11-30T08:00:{i:02}.000000Z")) + "\n").collect();
    append(&refusals);
    let got = follower.json_until(|l| l.iter().any(|e| e["finding"]["rule"] == "AUD009"));
    let burst: Vec<&Value> = got.iter().filter(|e| e["finding"]["rule"] == "AUD009").collect();
    assert_eq!(burst.len(), 1);
    assert_eq!((burst[0]["finding"]["audit_id"].as_str(), burst[0]["finding"]["location"]["line"].as_u64()), (Some("no-0"), Some(3)));
    // Rotation: the log moved aside and a new one started; its first line is line 1.
    std::fs::rename(&log, dir.join("audit.log.1")).unwrap();
    std::fs::write(&log, format!("{}\n", exec.trim())).unwrap();
    let got = follower.json_until(|l| l.iter().any(|e| e["finding"]["rule"] == "AUD001"));
    let after = got.iter().find(|e| e["finding"]["rule"] == "AUD001").unwrap();
    assert_eq!(after["finding"]["location"]["line"], 1, "{got:#?}");
    assert!(follower.stderr().contains("rotated"), "{}", follower.stderr());
    // A bad line is an error on stderr with its line, and following goes on.
    append("not json\n");
    append(&format!("{}\n", exec.trim()));
    let got = follower.json_until(|l| l.iter().any(|e| e["finding"]["rule"] == "AUD001"));
    assert_eq!(got.iter().find(|e| e["finding"]["rule"] == "AUD001").unwrap()["finding"]["location"]["line"], 3);
    assert!(follower.stderr().contains("audit.log:2: not an audit event"), "{}", follower.stderr());
}

#[test]
fn the_audit_webhook_takes_event_list_batches_over_tls() {
    let dir = common::tempdir("audit-webhook");
    let certs = palisade_testserver::tls::generate();
    let cert = common::write(&dir, "tls.crt", &certs.server_cert_pem);
    let key = common::write(&dir, "tls.key", &certs.server_key_pem);
    let mut server = common::Running::start(&["serve", "--audit-webhook", "127.0.0.1:0", "--tls-cert", &cert, "--tls-key", &key, "--no-config"]);
    server.wait_for_stderr("audit webhook on https://");
    let addr = server.stderr().split("https://").nth(1).and_then(|r| r.split('/').next()).unwrap().to_string();
    // A batch as the API server's webhook backend posts it: an EventList.
    let exec: Value = serde_json::from_str(std::fs::read_to_string(traces().join("exec_pod.json")).unwrap().trim()).unwrap();
    let refusals: Vec<Value> = (0..10)
        .map(|i| serde_json::from_str(&line(&format!("no-{i}"), "list", "mallory", "/api/v1/secrets", serde_json::json!({"resource": "secrets"}), 403, &format!("2026-11-30T08:00:{i:02}.000000Z"))).unwrap())
        .collect();
    let batch = serde_json::json!({"kind": "EventList", "apiVersion": "audit.k8s.io/v1", "metadata": {}, "items": [exec, refusals[0]]});
    let answer = common::https(&addr, &certs.ca_pem, "POST", "/audit", batch.to_string().as_bytes());
    assert_eq!(answer.status, 200, "{}", answer.body);
    let got = server.json_until(|l| l.iter().any(|e| e["finding"]["rule"] == "AUD001"));
    let exec_detected = got.iter().find(|e| e["finding"]["rule"] == "AUD001").unwrap();
    assert_eq!((exec_detected["event"].as_str(), exec_detected["finding"]["audit_id"].as_str()), (Some("detected"), Some("ca1ed9f4-7bf4-4c85-81a8-1b11253d1ba6")));
    // The burst spans batches: the rest of the refusals come in a second one.
    let batch = serde_json::json!({"kind": "EventList", "apiVersion": "audit.k8s.io/v1", "items": refusals[1..]});
    assert_eq!(common::https(&addr, &certs.ca_pem, "POST", "/audit", batch.to_string().as_bytes()).status, 200);
    let got = server.json_until(|l| l.iter().any(|e| e["finding"]["rule"] == "AUD009"));
    assert_eq!(got.iter().filter(|e| e["finding"]["rule"] == "AUD009").count(), 1);
    // A batch with an item that is not an event: 400 naming it; the events in it still count,
    // and the server goes on.
    let batch = serde_json::json!({"kind": "EventList", "apiVersion": "audit.k8s.io/v1", "items": [{"kind": "Pod"}, exec]});
    let answer = common::https(&addr, &certs.ca_pem, "POST", "/audit", batch.to_string().as_bytes());
    assert_eq!(answer.status, 400);
    assert!(answer.body.contains("items[0]"), "{}", answer.body);
    server.json_until(|l| l.iter().any(|e| e["finding"]["rule"] == "AUD001"));
    assert_eq!(common::https(&addr, &certs.ca_pem, "POST", "/", b"not json").status, 400);
    assert_eq!(common::https(&addr, &certs.ca_pem, "GET", "/healthz", b"").body.trim(), "ok");
}
