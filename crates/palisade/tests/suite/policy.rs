//! End-to-end tests of the policy file: discovery, settings, waivers (policy and inline),
//! expiry and staleness, how reports carry suppressed findings, and policy errors.

use crate::common;

use common::{json, palisade, tempdir, write};
use serde_json::Value;

const PODS: &str = "\
apiVersion: v1
kind: Pod
metadata:
  name: old-agent-1
  namespace: legacy
  labels: {team: obs}
spec:
  containers:
    - {name: agent, image: agent:1, securityContext: {privileged: true}}
---
apiVersion: v1
kind: Pod
metadata:
  name: web
  namespace: shop
  annotations:
    palisade.io/waive: POD001
    palisade.io/waive-reason: load-tested exception, ticket OPS-7
spec:
  containers:
    - {name: web, image: web:1, securityContext: {privileged: true}}
---
apiVersion: v1
kind: Pod
metadata:
  name: new-agent
  namespace: legacy
spec:
  containers:
    - {name: agent, image: agent:1, securityContext: {privileged: true}}
";

const POLICY: &str = "\
select: [POD001, POL]
waivers:
  - rule: pss-baseline:privileged
    match: {kind: Pod, namespace: legacy, name: \"old-*\", labels: {team: obs}}
    reason: vendor agent needs privileged until v3
    owner: platform-team@example.com
    expires: 2999-12-31
  - rule: POD001
    match: {namespace: gone}
    reason: nothing left to waive
    owner: ops@example.com
    expires: 2999-12-31
  - rule: POD001
    match: {name: new-agent}
    reason: was allowed until last year
    owner: ops@example.com
    expires: 2020-01-31
";

fn findings(report: &Value, key: &str) -> Vec<(String, String)> {
    report[key]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["rule"].as_str().unwrap().to_string(), f["object"]["name"].as_str().unwrap().to_string()))
        .collect()
}

#[test]
fn waivers_suppress_expire_and_go_stale() {
    let dir = tempdir("waivers");
    write(&dir, "pods.yaml", PODS);
    let policy = write(&dir, "palisade.yaml", POLICY);
    let (code, report) = json(&[dir.to_str().unwrap()], None);
    assert_eq!(code, 1);
    assert_eq!(report["summary"]["files"], 1, "the policy file is not scanned as a manifest");
    // Waived findings leave `findings` but are listed, with their waiver, under `suppressed`.
    let mut suppressed = findings(&report, "suppressed");
    suppressed.sort();
    assert_eq!(suppressed, [("POD001".into(), "old-agent-1".into()), ("POD001".into(), "web".into())]);
    assert_eq!(report["summary"]["suppressed"], 2);
    let by_name = |name: &str| report["suppressed"].as_array().unwrap().iter().find(|s| s["object"]["name"] == name).unwrap().clone();
    let policy_waiver = &by_name("old-agent-1")["waiver"];
    assert_eq!(policy_waiver["source"], "policy");
    assert_eq!(policy_waiver["owner"], "platform-team@example.com");
    assert_eq!(policy_waiver["expires"], "2999-12-31");
    assert_eq!(policy_waiver["location"]["file"], policy.as_str());
    assert_eq!(policy_waiver["location"]["line"], 3);
    let inline = &by_name("web")["waiver"];
    assert_eq!((inline["source"].as_str(), inline["reason"].as_str()), (Some("annotation"), Some("load-tested exception, ticket OPS-7")));
    // The expired waiver suppresses nothing and is itself a finding, as is the stale one.
    let mut rest = findings(&report, "findings");
    rest.sort();
    assert_eq!(rest, [("POD001".into(), "new-agent".into()), ("POL001".into(), policy.clone()), ("POL002".into(), policy.clone())]);
    let at = |rule: &str| report["findings"].as_array().unwrap().iter().find(|f| f["rule"] == rule).unwrap().clone();
    assert_eq!(at("POL001")["location"]["line"], 17, "the expiry date's line");
    assert!(at("POL001")["message"].as_str().unwrap().contains("ops@example.com") && at("POL001")["message"].as_str().unwrap().contains("2020-01-31"));
    assert_eq!(at("POL002")["location"]["line"], 8);

    // SARIF keeps waived results, marked as suppressed.
    let out = palisade(&["scan", dir.to_str().unwrap(), "--format", "sarif"], None);
    let sarif: Value = serde_json::from_str(&out.stdout).unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    let kinds: Vec<&str> = results.iter().filter_map(|r| r["suppressions"][0]["kind"].as_str()).collect();
    assert_eq!(kinds.len(), 2);
    assert!(kinds.contains(&"external") && kinds.contains(&"inSource"));
    // The table says how many were waived; --no-config brings the findings back.
    assert!(palisade(&["scan", dir.to_str().unwrap()], None).stdout.contains("2 findings waived"));
    let (_, plain) = json(&[dir.to_str().unwrap(), "--no-config", "--select", "POD001"], None);
    assert_eq!(findings(&plain, "findings").len(), 2, "the inline waiver still applies: {plain}");
}

#[test]
fn policy_settings_apply_and_the_command_line_wins() {
    let dir = tempdir("settings");
    let manifest = write(&dir, "web.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: web}\nspec:\n  containers:\n    - {name: web, image: docker.io/someone/web:1.0}\n");
    let config = write(
        &dir,
        "policy.yaml",
        "select: [IMG003, POD021]\nregistries: [registry.example.com]\nseverity: {POD021: critical}\nfail-on: critical\n",
    );
    let (code, report) = json(&[&manifest, "--config", &config], None);
    assert_eq!(code, 1, "fail-on critical with a critical finding");
    let mut rules: Vec<(&str, &str)> = report["findings"].as_array().unwrap().iter().map(|f| (f["rule"].as_str().unwrap(), f["severity"].as_str().unwrap())).collect();
    rules.sort();
    assert_eq!(rules, [("IMG003", "high"), ("POD021", "critical")]);
    let (code, report) = json(&[&manifest, "--config", &config, "--select", "IMG003"], None);
    assert_eq!(code, 0, "only a high finding, below the policy's fail-on");
    assert_eq!(report["findings"].as_array().unwrap().len(), 1);
    // A --config that does not exist is an error, not a silent default.
    assert_eq!(palisade(&["scan", &manifest, "--config", "/nonexistent/palisade.yaml"], None).code, 2);
}

#[test]
fn malformed_policies_are_errors_with_lines() {
    let dir = tempdir("bad-policy");
    let manifest = write(&dir, "web.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n");
    let config = write(
        &dir,
        "palisade.yaml",
        "frameworks: cis\nseverity: {POD999: high, POD001: severe}\nwaivers:\n  - rule: POD001\n    reason: r\n    expires: 2027-02-30\n",
    );
    let out = palisade(&["scan", &manifest, "--config", &config], None);
    assert_eq!(out.code, 2);
    for needle in [
        ":1:1: unknown key `frameworks`",
        ":2:12: severity: `POD999` names no rule",
        ":2:34: severity of POD001: unknown severity `severe`",
        ":6:14: waivers[0].expires: `2027-02-30` is not a date",
        ":4:5: waivers[0] needs owner (",
    ] {
        assert!(out.stderr.contains(needle), "missing `{needle}` in:\n{}", out.stderr);
    }
    assert!(out.stdout.is_empty(), "no scan with a broken policy");
    let check = palisade(&["policy", "check", &config], None);
    assert_eq!(check.code, 2);
    assert!(check.stderr.contains("unknown key `frameworks`"));
}

#[test]
fn policy_init_writes_a_file_that_checks() {
    let dir = tempdir("init");
    let path = dir.join("palisade.yaml");
    let path = path.to_str().unwrap();
    assert_eq!(palisade(&["policy", "init", path], None).code, 0);
    assert_eq!(palisade(&["policy", "init", path], None).code, 2, "no overwrite without --force");
    assert_eq!(palisade(&["policy", "init", path, "--force"], None).code, 0);
    let check = palisade(&["policy", "check", path], None);
    assert_eq!(check.code, 0, "{}", check.stderr);
    assert!(check.stdout.contains("ok (0 waivers"));
    // Uncommenting the example waiver gives a valid waiver.
    let text = std::fs::read_to_string(path).unwrap();
    let start = text.find("waivers: []").unwrap();
    let example: String = text[start..]
        .lines()
        .skip(1)
        .take_while(|l| l.starts_with("#   ") || l.starts_with("#     "))
        .map(|l| format!("{}\n", &l[1..]))
        .collect();
    let edited = format!("{}waivers:\n{example}", &text[..start]);
    std::fs::write(path, edited).unwrap();
    let check = palisade(&["policy", "check", path], None);
    assert_eq!(check.code, 0, "{}", check.stderr);
    assert!(check.stdout.contains("ok (1 waiver,"), "{}", check.stdout);
}
