//! End-to-end tests of the `palisade` binary: formats, schemas, exit codes, inputs.

use crate::common;

use common::{json, palisade, repo, tempdir, write};
use serde_json::Value;
use std::process::Command;

const PRIVILEGED: &str = "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: ns}\nspec:\n  containers:\n    - name: app\n      image: app:1\n      securityContext:\n        privileged: true\n";
/// Passes every rule: hardened pod, own ServiceAccount, image pinned by digest.
const CLEAN: &str = "apiVersion: v1\nkind: Pod\nmetadata: {name: ok}\nspec:\n  serviceAccountName: ok\n  automountServiceAccountToken: false\n  securityContext:\n    runAsNonRoot: true\n    seccompProfile: {type: RuntimeDefault}\n  containers:\n    - name: app\n      image: registry.example.com/app@sha256:4c7ed4f5dd5e2e6f5e8ad4a2b5f5a4f1c7d1e7a9c2b5d8e1f3a6b9c2d5e8f1a4\n      resources: {limits: {cpu: 100m, memory: 64Mi}}\n      securityContext:\n        allowPrivilegeEscalation: false\n        readOnlyRootFilesystem: true\n        capabilities: {drop: [ALL]}\n";

fn validator(schema: &Value) -> jsonschema::Validator {
    jsonschema::options().should_validate_formats(false).build(schema).expect("schema compiles")
}

fn assert_valid(validator: &jsonschema::Validator, doc: &Value) {
    let errors: Vec<String> = validator.iter_errors(doc).map(|e| format!("{} at {}", e, e.instance_path())).collect();
    assert!(errors.is_empty(), "schema violations:\n{}", errors.join("\n"));
}

#[test]
fn demo_json_report_matches_the_committed_schema() {
    let (code, report) = json(&["examples/demo"], None);
    assert_eq!(code, 1, "the demo has findings");
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(repo().join("schema/report.schema.json")).unwrap()).unwrap();
    let v = validator(&schema);
    assert_valid(&v, &report);
    let findings = report["findings"].as_array().unwrap();
    assert_eq!(report["summary"]["findings"].as_u64().unwrap() as usize, findings.len());
    let by_sev: u64 = report["summary"]["by_severity"].as_object().unwrap().values().map(|n| n.as_u64().unwrap()).sum();
    assert_eq!(by_sev as usize, findings.len());
    assert_eq!(report["summary"]["files"], 14, "palisade.yaml is the policy, not a manifest");
    assert_eq!(report["summary"]["objects"], 23);
    // Every family the demo is meant to show is there: PSS checks, hardening, supply chain,
    // secrets, namespaces, exposure, and the policy's waivers.
    for id in [
        "POD001", "POD002", "POD005", "POD006", "POD010", "POD012", "POD013", "POD014", "POD015", "POD016", "POD017",
        "POD018", "POD019", "POD021", "POD024", "POD031", "IMG002", "IMG003", "IMG004", "SEC001", "SEC002", "SEC004",
        "SEC005", "NS001", "NS002", "NS004", "SVC001", "SVC002", "SVC004", "POL001", "RBAC001", "RBAC010",
    ] {
        assert!(findings.iter().any(|f| f["rule"] == id), "demo should show {id}");
    }
    assert_eq!(report["summary"]["suppressed"], 2, "the node exporter's host namespaces are waived");
    // A schema violation is caught (the validator is not a rubber stamp).
    let mut broken = report.clone();
    broken["findings"][0]["location"]["line"] = Value::from(0);
    assert!(!v.is_valid(&broken));
}

#[test]
fn finding_fields_follow_the_design_contract() {
    let dir = tempdir("contract");
    let file = write(&dir, "web.yaml", PRIVILEGED);
    let (_, report) = json(&[&file, "--select", "POD001"], None);
    let f = &report["findings"][0];
    assert_eq!(f["rule"], "POD001");
    assert_eq!(f["name"], "privileged-container");
    assert_eq!(f["severity"], "high");
    assert_eq!(f["message"], "container `app` of Pod ns/p runs privileged");
    assert_eq!(f["object"], serde_json::json!({"api_version": "v1", "kind": "Pod", "namespace": "ns", "name": "p"}));
    assert_eq!(f["location"], serde_json::json!({"file": file, "line": 9, "column": 9, "document": 1}));
    assert_eq!(f["path"], "spec.containers[0].securityContext.privileged");
    for control in ["pss-baseline:privileged", "cis-1.12:5.2.2", "nsa:pod-security", "mitre:T1611"] {
        assert!(f["controls"].as_array().unwrap().contains(&Value::from(control)), "{control} in {}", f["controls"]);
    }
    assert!(f["remediation"].as_str().unwrap().starts_with("Remove `privileged: true`"));
    assert_eq!(report["schema"], "palisade.report/v1");
    assert_eq!(report["tool"]["name"], "palisade");
}

#[test]
fn sarif_output_is_valid_sarif_2_1_0() {
    let path = repo().join("../shared/schemas/sarif-schema-2.1.0.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("the SARIF schema is needed at {}: {e}", path.display()));
    // The published schema's `run.language` pattern has a stray `]` that strict regex engines
    // reject; use the pattern it means (Palisade does not emit `language`).
    let text = text.replace(r#"^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$"#, r#"^[a-zA-Z]{2}(-[a-zA-Z]{2})?$"#);
    let mut schema: Value = serde_json::from_str(&text).unwrap();
    // The log object is definitions/Root: validate against a schema that refers to it.
    schema.as_object_mut().unwrap().insert("$ref".into(), Value::from("#/definitions/Root"));
    let v = validator(&schema);
    let out = palisade(&["scan", "examples/demo", "--format", "sarif"], None);
    assert_eq!(out.code, 1);
    let sarif: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_valid(&v, &sarif);
    let run = &sarif["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let default_rules = palisade_rules::Engine::new(&palisade_rules::Selection::default()).unwrap().rules().len();
    assert_eq!(rules.len(), default_rules, "the rules that ran by default");
    for result in run["results"].as_array().unwrap() {
        let index = result["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[index]["id"], result["ruleId"]);
        let region = &result["locations"][0]["physicalLocation"]["region"];
        assert!(region["startLine"].as_u64().unwrap() >= 1 && region["startColumn"].as_u64().unwrap() >= 1);
    }
    let mut broken = sarif.clone();
    broken["runs"][0]["results"][0]["level"] = Value::from("fatal");
    assert!(!v.is_valid(&broken), "an invalid SARIF level must fail validation");
}

#[test]
fn junit_output_is_well_formed_with_one_failure_per_finding() {
    let (_, report) = json(&["examples/demo"], None);
    let out = palisade(&["scan", "examples/demo", "--format", "junit"], None);
    assert_eq!(out.code, 1);
    let mut reader = quick_xml::Reader::from_str(&out.stdout);
    let (mut failures, mut testcases) = (0, 0);
    loop {
        match reader.read_event().expect("well-formed XML") {
            quick_xml::events::Event::Start(e) | quick_xml::events::Event::Empty(e) => match e.name().as_ref() {
                b"failure" => failures += 1,
                b"testcase" => testcases += 1,
                _ => {}
            },
            quick_xml::events::Event::Eof => break,
            _ => {}
        }
    }
    assert_eq!(failures, report["findings"].as_array().unwrap().len());
    assert_eq!(testcases, 24, "one test case per object, passing ones included, and one for the policy file (an expired waiver)");
}

#[test]
fn exit_codes_follow_fail_on() {
    let dir = tempdir("exit");
    let clean = write(&dir, "clean.yaml", CLEAN);
    let bad = write(&dir, "bad.yaml", PRIVILEGED);
    assert_eq!(palisade(&["scan", &clean], None).code, 0);
    assert_eq!(palisade(&["scan", &bad], None).code, 1);
    assert_eq!(palisade(&["scan", &bad, "--select", "POD014", "--fail-on", "high"], None).code, 0, "only medium findings");
    assert_eq!(palisade(&["scan", &bad, "--fail-on", "critical"], None).code, 0);
    assert_eq!(palisade(&["scan", &bad, "--fail-on", "high"], None).code, 1);
    assert_eq!(palisade(&["scan", &bad, "--fail-on", "severe"], None).code, 2, "usage error");
    assert_eq!(palisade(&["scan"], None).code, 2, "nothing to scan");
    assert_eq!(palisade(&["scan", &bad, "--select", "NOPE"], None).code, 2);
    assert_eq!(palisade(&["scan", &bad, "--pss-version", "v1.99"], None).code, 2);
}

#[test]
fn an_unreadable_input_exits_2_and_the_rest_is_still_scanned() {
    let dir = tempdir("missing");
    let bad = write(&dir, "bad.yaml", PRIVILEGED);
    let (code, report) = json(&[&bad, "/nonexistent/palisade.yaml"], None);
    assert_eq!(code, 2);
    assert_eq!(report["errors"][0]["file"], "/nonexistent/palisade.yaml");
    assert!(report["findings"].as_array().unwrap().iter().any(|f| f["rule"] == "POD001"));
}

#[test]
fn every_kind_of_bad_input_is_reported_and_the_good_file_still_scanned() {
    let dir = tempdir("badinput");
    write(&dir, "a-good.yaml", PRIVILEGED);
    write(&dir, "broken.yaml", "apiVersion: v1\nkind: Pod\nspec: [unclosed\n");
    write(&dir, "empty.yaml", "");
    write(&dir, "binary.yaml", b"\x7fELF\x02\x01\x01\x00\x00\x00");
    write(&dir, "values.yaml", "replicaCount: 3\nimage: {tag: latest}\n");
    write(&dir, "dupes.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: d}\nspec:\n  containers:\n    - name: a\n      securityContext:\n        privileged: false\n        privileged: true\n");
    let mut laughs = String::from("a: &a [lol,lol,lol,lol,lol,lol,lol,lol,lol,lol]\n");
    for (n, p) in ["b", "c", "d", "e", "f", "g", "h", "i"].iter().zip(["a", "b", "c", "d", "e", "f", "g", "h"]) {
        laughs.push_str(&format!("{n}: &{n} [*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p}]\n"));
    }
    write(&dir, "laughs.yaml", laughs);
    write(&dir, "deep.yaml", format!("{}{}", "[".repeat(50_000), "]".repeat(50_000)));
    let (code, report) = json(&[dir.to_str().unwrap()], None);
    assert_eq!(code, 2);
    let errors = report["errors"].as_array().unwrap();
    let error_for = |name: &str| {
        errors
            .iter()
            .find(|e| e["file"].as_str().unwrap().ends_with(name))
            .unwrap_or_else(|| panic!("no error for {name}: {errors:#?}"))
    };
    assert_eq!(error_for("broken.yaml")["line"], 4);
    assert!(error_for("binary.yaml")["message"].as_str().unwrap().contains("binary"));
    assert_eq!(error_for("dupes.yaml")["line"], 9);
    assert!(error_for("laughs.yaml")["message"].as_str().unwrap().contains("alias-expansion bomb"));
    assert_eq!(error_for("deep.yaml")["line"], 1);
    let skipped = report["skipped"].as_array().unwrap();
    assert!(skipped.iter().any(|s| s["file"].as_str().unwrap().ends_with("empty.yaml")));
    assert!(skipped.iter().any(|s| s["file"].as_str().unwrap().ends_with("values.yaml") && s["reason"].as_str().unwrap().contains("kind")));
    let findings = report["findings"].as_array().unwrap();
    assert!(findings.iter().any(|f| f["location"]["file"].as_str().unwrap().ends_with("a-good.yaml")));
    // The duplicated key still gets checked: the last value (privileged: true) wins, as in Kubernetes.
    assert!(findings.iter().any(|f| f["location"]["file"].as_str().unwrap().ends_with("dupes.yaml") && f["rule"] == "POD001"));
}

#[test]
fn a_50_mb_document_is_scanned_in_bounded_memory() {
    let dir = tempdir("huge");
    let mut text = String::with_capacity(52 << 20);
    text.push_str("apiVersion: v1\nkind: List\nitems:\n");
    let mut i = 0;
    while text.len() < 50 << 20 {
        text.push_str(&format!("  - apiVersion: v1\n    kind: Pod\n    metadata: {{name: p{i}}}\n    spec:\n      containers:\n        - name: c\n          image: app:1\n          securityContext: {{privileged: true, runAsNonRoot: true, allowPrivilegeEscalation: false}}\n      securityContext: {{seccompProfile: {{type: RuntimeDefault}}}}\n"));
        i += 1;
    }
    let file = write(&dir, "huge.yaml", &text);
    drop(text);
    let out = Command::new("/usr/bin/time")
        .args(["-f", "%M"])
        .arg(env!("CARGO_BIN_EXE_palisade"))
        .args(["scan", &file, "--select", "POD001", "--format", "json", "-o"])
        .arg(dir.join("out.json"))
        .output()
        .expect("/usr/bin/time (Debian package `time`) is needed; scripts/test installs it");
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    let rss_kb: u64 = String::from_utf8_lossy(&out.stderr).trim().lines().last().unwrap().parse().unwrap();
    let report: Value = serde_json::from_str(&std::fs::read_to_string(dir.join("out.json")).unwrap()).unwrap();
    assert_eq!(report["summary"]["objects"].as_u64().unwrap(), i as u64);
    assert_eq!(report["summary"]["findings"].as_u64().unwrap(), i as u64);
    assert!(rss_kb < 1024 * 1024, "peak memory {} MB for a 50 MB document", rss_kb / 1024);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn stdin_with_helm_source_comments_names_the_template() {
    let rendered = format!("---\n# Source: shop/templates/pod.yaml\n{PRIVILEGED}---\n# Source: shop/templates/svc.yaml\napiVersion: v1\nkind: Service\nmetadata: {{name: s}}\n");
    let (code, report) = json(&["-", "--select", "POD001"], Some(&rendered));
    assert_eq!(code, 1);
    let loc = &report["findings"][0]["location"];
    assert_eq!(loc["file"], "<stdin>");
    assert_eq!(loc["template"], "shop/templates/pod.yaml");
    assert_eq!(loc["line"], 11);
    assert_eq!(report["summary"]["objects"], 2);
    let table = palisade(&["scan", "-", "--select", "POD001"], Some(&rendered));
    assert!(table.stdout.contains("(from shop/templates/pod.yaml)"), "{}", table.stdout);
}

#[test]
fn kustomize_renders_with_real_kubectl() {
    let dir = tempdir("kustomize");
    write(&dir, "kustomization.yaml", "resources: [pod.yaml]\nnamespace: rendered\ncommonLabels: {team: shop}\n");
    write(&dir, "pod.yaml", PRIVILEGED);
    let (code, report) = json(&["--kustomize", dir.to_str().unwrap(), "--select", "POD001"], None);
    assert_eq!(code, 1, "{report:#}");
    let f = &report["findings"][0];
    assert_eq!(f["object"]["namespace"], "rendered", "the kustomization was applied");
    assert!(f["location"]["file"].as_str().unwrap().ends_with("(kustomize)"));
    let (code, report) = json(&["--kustomize", "/nonexistent-kustomization"], None);
    assert_eq!(code, 2);
    assert!(report["errors"][0]["message"].as_str().unwrap().contains("kubectl kustomize"));
}

#[test]
fn framework_version_select_and_ignore() {
    let dir = tempdir("select");
    let file = write(&dir, "p.yaml", PRIVILEGED);
    let rules = |args: &[&str]| -> Vec<String> {
        let mut a = vec![file.as_str()];
        a.extend_from_slice(args);
        let (_, r) = json(&a, None);
        let mut ids: Vec<String> = r["findings"].as_array().unwrap().iter().map(|f| f["rule"].as_str().unwrap().to_string()).collect();
        ids.sort();
        ids.dedup();
        ids
    };
    assert_eq!(rules(&["--framework", "pss-baseline"]), ["POD001"]);
    let pss = ["--framework", "pss-restricted"];
    assert_eq!(rules(&pss), ["POD001", "POD014", "POD015", "POD017", "POD018"]);
    assert!(rules(&[]).len() > 5, "the default runs the hardening rules too: {:?}", rules(&[]));
    assert_eq!(rules(&[&pss[..], &["--ignore", "POD014,POD015", "--ignore", "POD017"]].concat()), ["POD001", "POD018"]);
    assert_eq!(rules(&["--select", "privileged-container"]), ["POD001"]);
    assert_eq!(rules(&[&pss[..], &["--pss-version", "v1.21"]].concat()), ["POD001", "POD014", "POD015", "POD017"], "capabilities_restricted starts at v1.22");
    let (_, r) = json(&[&file, "--framework", "pss-restricted"], None);
    for f in r["findings"].as_array().unwrap() {
        assert!(f["controls"].as_array().unwrap().iter().any(|c| c.as_str().unwrap().starts_with("pss-")));
    }
}

#[test]
fn rules_and_explain() {
    let out = palisade(&["rules", "--format", "json"], None);
    let rules: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(rules.as_array().unwrap().len(), palisade_rules::registry::all().len());
    let explain = palisade(&["explain", "POD015"], None);
    assert_eq!(explain.code, 0);
    assert_eq!(explain.stdout, std::fs::read_to_string(repo().join("docs/rules/POD015.md")).unwrap());
    assert_eq!(palisade(&["explain", "run-as-uid-zero"], None).stdout.lines().next(), Some("# POD016: run-as-uid-zero"));
    assert_eq!(palisade(&["explain", "NOPE"], None).code, 2);
    let md = palisade(&["rules", "--format", "markdown"], None);
    assert_eq!(md.stdout, std::fs::read_to_string(repo().join("docs/rules/README.md")).unwrap());
    let table = palisade(&["rules"], None);
    assert_eq!(table.stdout.lines().count(), palisade_rules::registry::all().len());
}

#[test]
fn markdown_summarises_for_a_pull_request_against_a_baseline() {
    let dir = tempdir("markdown");
    let demo = repo().join("examples/demo").display().to_string();
    let (_, full) = json(&[&demo], None);
    let count = |sev: &str| full["findings"].as_array().unwrap().iter().filter(|f| f["severity"] == sev).count();
    let out = palisade(&["scan", &demo, "--format", "markdown"], None);
    assert_eq!(out.code, 1, "{}", out.stderr);
    let total = full["findings"].as_array().unwrap().len();
    let counts: Vec<String> = ["critical", "high", "medium", "low", "info"].iter().filter(|s| count(s) > 0).map(|s| format!("{} {s}", count(s))).collect();
    assert!(out.stdout.starts_with(&format!("### ❌ Palisade: {total} findings ({})", counts.join(", "))), "{}", out.stdout);
    // Each rule's section counts its findings.
    let rule_count = |id: &str| full["findings"].as_array().unwrap().iter().filter(|f| f["rule"] == id).count();
    assert!(out.stdout.contains(&format!("<b>POD001</b> privileged-container · high · {}", rule_count("POD001"))), "{}", out.stdout);

    // Against a baseline of the pod rules only: every other finding is new, none fixed.
    let (_, pods) = json(&[&demo, "--select", "POD"], None);
    let baseline = write(&dir, "baseline.json", pods.to_string());
    let out = palisade(&["scan", &demo, "--format", "markdown", "--baseline", &baseline], None);
    let new = total - pods["findings"].as_array().unwrap().len();
    assert!(out.stdout.contains(&format!("**{new} new** since the baseline, **0 fixed**.")), "{}", out.stdout);
    let section = out.stdout.split("#### New findings").nth(1).unwrap().split("#### Findings by rule").next().unwrap();
    assert_eq!(section.matches("\n| **").count(), new);
    assert!(!section.contains("| POD"), "pod findings were in the baseline");
    // The other way round: what the baseline had and the scan no longer has is fixed.
    let (_, all) = json(&[&demo], None);
    let baseline = write(&dir, "all.json", all.to_string());
    let out = palisade(&["scan", &demo, "--select", "POD", "--format", "markdown", "--baseline", &baseline], None);
    assert!(out.stdout.contains(&format!("**0 new** since the baseline, **{new} fixed**.")), "{}", out.stdout);

    // A baseline that is no report, or one given to another format, is refused.
    let bad = write(&dir, "bad.json", "{\"findings\": []}");
    let out = palisade(&["scan", &demo, "--format", "markdown", "--baseline", &bad], None);
    assert!(out.code == 2 && out.stderr.contains("not a Palisade JSON report"), "{}", out.stderr);
    let out = palisade(&["scan", &demo, "--format", "json", "--baseline", &baseline], None);
    assert!(out.code == 2 && out.stderr.contains("--baseline works with --format markdown"), "{}", out.stderr);
}

#[test]
fn table_output_has_no_colour_when_piped_and_a_summary() {
    let out = palisade(&["scan", "examples/demo"], None);
    assert!(!out.stdout.contains('\u{1b}'), "colour codes in piped output");
    let (_, report) = json(&["examples/demo"], None);
    let count = report["findings"].as_array().unwrap().len();
    assert!(out.stdout.lines().last().unwrap().starts_with(&format!("✗ {count} findings")), "{}", out.stdout);
    assert!(out.stdout.contains("examples/demo/chart-values.yaml:2: no `kind`"));
    let quiet = palisade(&["scan", "examples/demo", "-q"], None);
    assert!(!quiet.stdout.contains("skipped") && !quiet.stdout.contains("✗"));
    let dir = tempdir("output");
    let target = dir.join("report.txt");
    let out = palisade(&["scan", "examples/demo", "-o", target.to_str().unwrap()], None);
    assert_eq!(out.code, 1);
    assert!(out.stdout.is_empty());
    assert!(std::fs::read_to_string(target).unwrap().contains("POD001"));
}

#[test]
fn help_teaches() {
    let out = palisade(&["scan", "--help"], None);
    for needle in ["--pss-version", "--framework", "--fail-on", "--kustomize", "Exit codes", "helm template"] {
        assert!(out.stdout.contains(needle), "scan --help should mention {needle}");
    }
}

#[test]
fn compliance_lists_every_control_with_a_status() {
    let out = palisade(&["compliance", "--framework", "cis-1.12", "examples/demo"], None);
    assert_eq!(out.code, 1, "the demo fails controls");
    let lines: Vec<&str> = out.stdout.lines().filter(|l| l.trim_start().starts_with(['✓', '✗', '–', '?'])).collect();
    assert_eq!(lines.len(), 97 + 34, "every CIS control, control plane, node files and §5:\n{}", out.stdout);
    assert!(out.stdout.lines().any(|l| l.contains("1.2.1") && l.trim_start().starts_with('–')), "no API server in the demo: not applicable\n{}", out.stdout);
    assert!(out.stdout.contains("✗ fail    5.2.2"), "{}", out.stdout);
    assert!(out.stdout.contains("? manual  5.3.1"));
    assert!(out.stdout.lines().last().unwrap().starts_with("score "));
    // JSON: the scan report with a compliance section that the schema describes.
    let (_, report) = json(&["examples/demo", "--framework", "cis-1.12"], None);
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(repo().join("schema/report.schema.json")).unwrap()).unwrap();
    assert_valid(&validator(&schema), &report);
    let c = &report["compliance"];
    assert_eq!(c["framework"], "cis-1.12");
    let controls = c["controls"].as_array().unwrap();
    let privileged = controls.iter().find(|c| c["id"] == "5.2.2").unwrap();
    assert_eq!(privileged["status"], "fail");
    let failing: Vec<&str> = report["findings"].as_array().unwrap().iter()
        .filter(|f| f["controls"].as_array().unwrap().contains(&Value::from("cis-1.12:5.2.2")))
        .map(|f| f["object"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(privileged["findings"].as_u64().unwrap() as usize, failing.len());
    for o in privileged["objects"].as_array().unwrap() {
        assert!(failing.contains(&o["name"].as_str().unwrap()));
    }
    let sum: u64 = ["pass", "fail", "not_applicable", "manual"].iter().map(|k| c["summary"][k].as_u64().unwrap()).sum();
    assert_eq!(sum, 97 + 34);
    let (pass, fail) = (c["summary"]["pass"].as_f64().unwrap(), c["summary"]["fail"].as_f64().unwrap());
    assert!((c["score"].as_f64().unwrap() - (1000.0 * pass / (pass + fail)).round() / 10.0).abs() < 1e-9);
    // A clean workload passes the workload controls; nothing about namespaces applies.
    let dir = tempdir("compliance");
    let clean = write(&dir, "clean.yaml", CLEAN);
    let (code, report) = json(&[&clean, "--framework", "cis-1.12"], None);
    assert_eq!(code, 0);
    let status = |id: &str| report["compliance"]["controls"].as_array().unwrap().iter().find(|c| c["id"] == id).unwrap()["status"].clone();
    assert_eq!(status("5.2.2"), "pass");
    assert_eq!(status("5.3.2"), "not_applicable");
    assert_eq!(status("5.1.1"), "not_applicable", "no RBAC objects in the input");
    assert_eq!(status("5.3.1"), "manual");
    assert_eq!(palisade(&["compliance", "examples/demo"], None).code, 2, "a framework is required");
    assert_eq!(palisade(&["compliance", "--framework", "mitre", "examples/demo"], None).code, 2, "mitre has no control catalogue");
}

#[test]
fn objects_without_a_namespace_go_where_dash_n_puts_them() {
    let dir = tempdir("dash-n");
    let file = write(
        &dir,
        "app.yaml",
        "apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n---\napiVersion: v1\nkind: ResourceQuota\nmetadata: {name: q}\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec: {template: {spec: {containers: [{name: web, image: web:1}]}}}\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: reader}\nrules: []\n",
    );
    let findings = |args: &[&str]| -> Vec<Value> {
        let mut all = vec![file.as_str()];
        all.extend(args);
        json(&all, None).1["findings"].as_array().unwrap().clone()
    };
    let quota_missing = |fs: &[Value]| fs.iter().any(|f| f["rule"] == "NS002" && f["object"]["name"] == "shop");
    let namespaces_of = |fs: &[Value], kind: &str| -> Vec<Value> {
        fs.iter().filter(|f| f["object"]["kind"] == kind).map(|f| f["object"]["namespace"].clone()).collect()
    };
    // Without -n the quota and the workload are in `default`, as kubectl would put them.
    let plain = findings(&[]);
    assert!(quota_missing(&plain), "the quota is in default, so shop has none");
    assert!(namespaces_of(&plain, "Deployment").iter().all(|ns| ns == "default"));
    assert!(!plain.iter().any(|f| f["rule"] == "POD026"), "no explicit `namespace: default`");
    // With -n shop both are in shop: the namespace has its quota.
    let in_shop = findings(&["-n", "shop"]);
    assert!(!quota_missing(&in_shop), "{in_shop:?}");
    let deployment = namespaces_of(&in_shop, "Deployment");
    assert!(!deployment.is_empty() && deployment.iter().all(|ns| ns == "shop"));
    // Cluster-scoped kinds stay outside namespaces.
    assert!(in_shop.iter().filter(|f| f["object"]["kind"] == "Namespace").all(|f| f["object"]["namespace"].is_null()));
}

#[test]
fn control_plane_checks_decide_their_cis_controls_only_where_the_component_runs() {
    let dir = tempdir("compliance-cp");
    let etcd = write(
        &dir,
        "etcd.yaml",
        "apiVersion: v1\nkind: Pod\nmetadata: {name: etcd, namespace: kube-system}\nspec:\n  containers:\n    - name: etcd\n      image: registry.k8s.io/etcd:3.5.21-0\n      command: [etcd, --cert-file=/pki/server.crt, --key-file=/pki/server.key, --client-cert-auth=false]\n",
    );
    let (_, report) = json(&[&etcd, "--framework", "cis-1.12"], None);
    let control = |id: &str| report["compliance"]["controls"].as_array().unwrap().iter().find(|c| c["id"] == id).unwrap().clone();
    assert_eq!(control("2.1")["status"], "pass", "certificates given");
    assert_eq!(control("2.2")["status"], "fail");
    assert_eq!(control("2.2")["findings"], 1, "one finding per failed check, not one per rule");
    assert_eq!(control("2.4")["status"], "fail", "no peer certificates");
    assert_eq!(control("2.7")["status"], "manual");
    assert_eq!(control("1.2.1")["status"], "not_applicable", "no API server in the input");
    let finding = report["findings"].as_array().unwrap().iter().find(|f| f["message"].as_str().unwrap().contains("CIS 2.2")).unwrap();
    assert_eq!(finding["controls"], serde_json::json!(["cis-1.12:2.2", "nsa:control-plane"]));
    assert_eq!(finding["severity"], "critical");
    assert_eq!(finding["path"], "spec.containers[0].command[3]");
    assert_eq!(finding["location"]["line"], 8);
}
