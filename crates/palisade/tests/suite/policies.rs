//! User policies end to end: Gatekeeper templates (Rego and CEL) with constraints, and
//! ValidatingAdmissionPolicies with bindings and parameters, loaded with `--policies`, judged
//! on files and on AdmissionReview documents, with the report's shape, waivers, selection,
//! load errors, and `palisade policy verify` on gator suites.

use crate::common;

use common::{json, palisade, repo, tempdir, write};
use serde_json::Value;

fn fixtures() -> String {
    repo().join("crates/palisade/tests/policies").display().to_string()
}

/// The policies of the fixtures, with the inventory.
fn with_policies(extra: &[&str]) -> Vec<String> {
    let f = fixtures();
    let mut args: Vec<String> = ["template-labels.yaml", "constraint-labels.yaml", "template-unique-host.yaml", "vap.yaml"]
        .iter()
        .flat_map(|p| ["--policies".to_string(), format!("{f}/{p}")])
        .collect();
    args.extend(["--inventory".to_string(), format!("{f}/inventory.yaml"), "--no-config".into()]);
    args.extend(extra.iter().map(|s| s.to_string()));
    args
}

/// (rule, action, severity, object name, line, message) of each finding of user policies.
fn findings(report: &Value) -> Vec<(String, String, String, String, u64, String)> {
    let mut out: Vec<_> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"].as_str().is_some_and(|r| r.contains(':')))
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_string(),
                f["action"].as_str().unwrap_or("").to_string(),
                f["severity"].as_str().unwrap().to_string(),
                f["object"]["name"].as_str().unwrap().to_string(),
                f["location"]["line"].as_u64().unwrap_or(0),
                f["message"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    out.sort();
    out
}

fn owned(rows: &[(&str, &str, &str, &str, u64, &str)]) -> Vec<(String, String, String, String, u64, String)> {
    let mut v: Vec<_> = rows.iter().map(|(a, b, c, d, e, f)| (a.to_string(), b.to_string(), c.to_string(), d.to_string(), *e, f.to_string())).collect();
    v.sort();
    v
}

#[test]
fn gatekeeper_and_vap_findings_on_files() {
    let input = format!("{}/input.yaml", fixtures());
    let mut args = vec![input.as_str()];
    let extra = with_policies(&[]);
    args.extend(extra.iter().map(String::as_str));
    let (code, report) = json(&args, None);
    assert_eq!(code, 1, "deny findings are high or medium");
    assert_eq!(
        findings(&report),
        owned(&[
            // labelSelector NotIn scratch leaves `sandbox` out; excludedNamespaces kube-* leaves `dns` out.
            ("gatekeeper:TeamLabel/deployments-need-owner", "deny", "medium", "api", 4, "missing label owner on api"),
            // namespaceSelector env=prod reads the inventory's Namespace.
            ("gatekeeper:TeamLabel/prod-pods-need-team", "warn", "low", "worker", 53, "missing label team on worker"),
            // Referential: data.inventory holds web/shop; scoped: dryrun at the audit point.
            ("gatekeeper:UniqueIngressHost/unique-hosts", "dryrun", "info", "shop-copy", 63, "ingress host shop.example.com is taken by web/shop"),
            // paramRef to the ReplicaLimit in payments; the paused kube-system Deployment fails the match condition.
            ("vap:replica-limit", "deny", "high", "api", 4, "replicas 5 exceed 3"),
            ("vap:replica-limit", "deny", "high", "api", 4, "every container needs a memory limit under 2Gi"),
            // Warn+Audit: the strongest, warn; `unbound` has no binding and says nothing.
            ("vap:no-latest", "warn", "low", "worker", 53, "images must not use the latest tag"),
        ])
    );
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(repo().join("schema/report.schema.json")).unwrap()).unwrap();
    let v = jsonschema::options().should_validate_formats(false).build(&schema).unwrap();
    let errors: Vec<String> = v.iter_errors(&report).map(|e| format!("{e} at {}", e.instance_path())).collect();
    assert!(errors.is_empty(), "{errors:?}");
}

#[test]
fn admission_reviews_are_judged_as_their_request() {
    let dir = tempdir("policies-review");
    let update = std::fs::read_to_string(format!("{}/review-update.yaml", fixtures())).unwrap();
    // The UPDATE fits every policy.
    let file = write(&dir, "update.yaml", &update);
    let extra = with_policies(&["--select", "gatekeeper:,vap:"]);
    let mut args = vec![file.as_str()];
    args.extend(extra.iter().map(String::as_str));
    let (code, report) = json(&args, None);
    assert_eq!(findings(&report), vec![], "{report}");
    assert_eq!(code, 0);
    // The same object, unlabelled and scaled up: paths and lines point at request.object's name.
    let bad = update.replace("labels: {owner: alice}", "labels: {}").replace("replicas: 2", "replicas: 9");
    let file = write(&dir, "bad.yaml", &bad);
    args[0] = file.as_str();
    let (_, report) = json(&args, None);
    let rows = findings(&report);
    assert_eq!(rows.iter().map(|r| (r.0.as_str(), r.4)).collect::<Vec<_>>(), [("gatekeeper:TeamLabel/deployments-need-owner", 15), ("vap:replica-limit", 15)], "{rows:?}");
    assert!(report["findings"].as_array().unwrap().iter().all(|f| f["path"] == "request.object.metadata.name"), "{report}");
    // A policy that only matches UPDATE skips a CREATE: the replica policy minus CREATE.
    let policy_dir = tempdir("policies-update-only");
    let vap = std::fs::read_to_string(format!("{}/vap.yaml", fixtures())).unwrap().replace("operations: [\"CREATE\", \"UPDATE\"]", "operations: [\"UPDATE\"]");
    let vap_file = write(&policy_dir, "vap.yaml", &vap);
    let create = bad.replace("operation: UPDATE", "operation: CREATE");
    let create_file = write(&dir, "create.yaml", &create);
    let inv = format!("{}/inventory.yaml", fixtures());
    let (_, report) = json(&[&create_file, "--policies", &vap_file, "--inventory", &inv, "--no-config", "--select", "vap:"], None);
    assert_eq!(findings(&report), vec![], "{report}");
    let (_, report) = json(&[&file, "--policies", &vap_file, "--inventory", &inv, "--no-config", "--select", "vap:"], None);
    assert_eq!(findings(&report).len(), 1, "{report}");
}

#[test]
fn waivers_and_selection_treat_user_policies_like_rules() {
    let dir = tempdir("policies-waive");
    let policy = write(
        &dir,
        "palisade.yaml",
        format!(
            "policies:\n  - {f}/template-labels.yaml\n  - {f}/constraint-labels.yaml\nwaivers:\n  - rule: gatekeeper:TeamLabel/deployments-need-owner\n    reason: owners are assigned by the platform team\n    owner: platform\n    expires: 2099-01-01\n",
            f = fixtures()
        ),
    );
    let input = format!("{}/input.yaml", fixtures());
    let inv = format!("{}/inventory.yaml", fixtures());
    let (_, report) = json(&[&input, "--config", &policy, "--inventory", &inv, "--select", "gatekeeper:"], None);
    let rules: Vec<&str> = report["findings"].as_array().unwrap().iter().map(|f| f["rule"].as_str().unwrap()).collect();
    assert_eq!(rules, ["gatekeeper:TeamLabel/prod-pods-need-team"]);
    assert_eq!(report["suppressed"][0]["rule"], "gatekeeper:TeamLabel/deployments-need-owner", "{report}");
    // --ignore by prefix drops them all; a name no loaded policy has is an error.
    let (_, report) = json(&[&input, "--config", &policy, "--inventory", &inv, "--ignore", "gatekeeper:"], None);
    assert!(report["findings"].as_array().unwrap().iter().all(|f| !f["rule"].as_str().unwrap().starts_with("gatekeeper:")));
    let out = palisade(&["scan", &input, "--config", &policy, "--select", "vap:nothing"], None);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("vap:nothing"), "{}", out.stderr);
}

#[test]
fn broken_policies_stop_the_scan_with_file_and_line() {
    let dir = tempdir("policies-broken");
    let input = format!("{}/input.yaml", fixtures());
    let cases = [
        // A Rego syntax error on the template's fourth Rego line (the block starts after line 11).
        ("rego.yaml", "apiVersion: templates.gatekeeper.sh/v1\nkind: ConstraintTemplate\nmetadata:\n  name: broken\nspec:\n  crd:\n    spec:\n      names:\n        kind: Broken\n  targets:\n    - target: admission.k8s.gatekeeper.sh\n      rego: |\n        package broken\n\n        violation[{\"msg\": msg}] {\n          msg := sprintf(\"%v\", [input.review.object.metadata.name]\n        }\n", "rego.yaml:1"),
        ("cel.yaml", "apiVersion: admissionregistration.k8s.io/v1\nkind: ValidatingAdmissionPolicy\nmetadata:\n  name: bad-cel\nspec:\n  validations:\n    - expression: 'object.spec.replicas <= '\n", "cel.yaml:7: ValidatingAdmissionPolicy bad-cel: validation"),
        ("orphan.yaml", "apiVersion: constraints.gatekeeper.sh/v1beta1\nkind: NoSuchTemplate\nmetadata:\n  name: orphan\n", "orphan.yaml:1: constraint orphan is of kind NoSuchTemplate"),
        ("binding.yaml", "apiVersion: admissionregistration.k8s.io/v1\nkind: ValidatingAdmissionPolicyBinding\nmetadata:\n  name: b\nspec:\n  policyName: missing\n  validationActions: [Deny]\n", "binding.yaml:1: binding b binds policy \"missing\""),
    ];
    for (name, text, expected) in cases {
        let file = write(&dir, name, text);
        let out = palisade(&["scan", &input, "--policies", &file, "--no-config"], None);
        assert_eq!(out.code, 2, "{name}: {}", out.stderr);
        assert!(out.stderr.contains(expected), "{name}: want {expected:?} in {}", out.stderr);
        assert!(out.stdout.is_empty(), "the scan does not run");
    }
    // The Rego error names the line of the template where the bad expression is.
    let out = palisade(&["scan", &input, "--policies", &format!("{}/rego.yaml", dir.display()), "--no-config"], None);
    let line: u32 = out.stderr.split("rego.yaml:").nth(1).and_then(|s| s.split(':').next()).and_then(|l| l.parse().ok()).unwrap_or(0);
    assert!((16..=17).contains(&line), "{}", out.stderr);
}

#[test]
fn the_kubernetes_version_decides_which_cel_a_policy_may_use() {
    let dir = tempdir("policies-version");
    let input = format!("{}/input.yaml", fixtures());
    let run = |extra: &[&str]| {
        let mut args = vec!["scan".to_string(), input.clone(), "--format".into(), "json".into()];
        args.extend(with_policies(extra));
        palisade(&args.iter().map(String::as_str).collect::<Vec<_>>(), None)
    };
    // vap.yaml's second validation (line 25) uses the quantity library: in Kubernetes' CEL
    // environment since 1.28, so accepted in new policies by 1.29 API servers.
    let refused = run(&["--kubernetes-version", "1.28"]);
    assert_eq!(refused.code, 2, "{}", refused.stderr);
    assert!(refused.stdout.is_empty(), "the scan does not run");
    assert!(
        refused.stderr.contains("vap.yaml:25: ValidatingAdmissionPolicy replica-limit: validation: `quantity` (Kubernetes quantity library) is accepted by API servers from 1.29; the policies target 1.28"),
        "{}",
        refused.stderr
    );
    let newest = run(&[]);
    let accepted = run(&["--kubernetes-version", "v1.29.4"]);
    assert_eq!(accepted.code, newest.code, "{}", accepted.stderr);
    let report = |out: &common::Out| findings(&serde_json::from_str(&out.stdout).unwrap());
    assert_eq!(report(&accepted), report(&newest));
    assert!(!report(&newest).is_empty());

    // The policy file says it too; an unquoted 1.30 is the number 1.3 to YAML, and said so.
    let vap = format!("{}/vap.yaml", fixtures());
    let with_config = |config: &str| palisade(&["scan", &input, "--policies", &vap, "--config", config], None);
    let config = write(&dir, "palisade.yaml", "kubernetes-version: \"1.28\"\n");
    let out = with_config(&config);
    assert!(out.code == 2 && out.stderr.contains("the policies target 1.28"), "{}", out.stderr);
    let config = write(&dir, "palisade.yaml", "kubernetes-version: 1.30\n");
    let out = with_config(&config);
    assert!(out.code == 2 && out.stderr.contains("palisade.yaml:1") && out.stderr.contains("quote it"), "{}", out.stderr);
    let out = run(&["--kubernetes-version", "banana"]);
    assert!(out.code == 2 && out.stderr.contains("not a Kubernetes version"), "{}", out.stderr);

    // Calls no Kubernetes declares, and those Palisade cannot evaluate yet, are refused at
    // their line — here the third line of a block scalar, in a Gatekeeper CEL template.
    let template = write(
        &dir,
        "template.yaml",
        "apiVersion: templates.gatekeeper.sh/v1\nkind: ConstraintTemplate\nmetadata:\n  name: flat\nspec:\n  crd:\n    spec:\n      names:\n        kind: Flat\n  targets:\n    - target: admission.k8s.gatekeeper.sh\n      code:\n        - engine: K8sNativeValidation\n          source:\n            validations:\n              - expression: |\n                  has(object.spec) &&\n                  size(object.spec) > 0 &&\n                  object.spec.items.flatten().size() < 3\n",
    );
    let out = palisade(&["scan", &input, "--policies", &template, "--no-config"], None);
    assert!(out.code == 2 && out.stderr.contains("template.yaml:19: ConstraintTemplate flat: CEL: validation: `.flatten` is not a function of Kubernetes' CEL environment"), "{}", out.stderr);
}

#[test]
fn policy_verify_runs_gator_suites() {
    let dir = tempdir("policies-suite");
    let f = fixtures();
    std::fs::copy(format!("{f}/template-labels.yaml"), dir.join("template.yaml")).unwrap();
    write(&dir, "constraint.yaml", "apiVersion: constraints.gatekeeper.sh/v1beta1\nkind: TeamLabel\nmetadata:\n  name: owner\nspec:\n  parameters:\n    label: owner\n");
    write(&dir, "good.yaml", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\n  labels: {owner: me}\n");
    write(&dir, "bad.yaml", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: b\n");
    write(&dir, "update.yaml", "apiVersion: admission.k8s.io/v1\nkind: AdmissionReview\nrequest:\n  operation: UPDATE\n  object: {apiVersion: v1, kind: Pod, metadata: {name: c}}\n  oldObject: {apiVersion: v1, kind: Pod, metadata: {name: c, labels: {owner: x}}}\n");
    let suite = "kind: Suite\napiVersion: test.gatekeeper.sh/v1alpha1\nmetadata:\n  name: labels\ntests:\n- name: owner\n  template: template.yaml\n  constraint: constraint.yaml\n  cases:\n  - name: good\n    object: good.yaml\n    assertions:\n    - violations: no\n  - name: bad\n    object: bad.yaml\n    assertions:\n    - violations: 1\n    - message: missing label owner on b\n  - name: update\n    object: update.yaml\n    assertions:\n    - violations: yes\n      message: ^missing label owner on c$\n";
    write(&dir, "suite.yaml", suite);
    let out = palisade(&["policy", "verify", "-v", &dir.display().to_string()], None);
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
    assert!(out.stdout.contains("3 passed, 0 failed"), "{}", out.stdout);
    // A wrong expectation fails, naming the case, the engine and what was seen.
    write(&dir, "suite.yaml", suite.replace("    - violations: no", "    - violations: yes"));
    let out = palisade(&["policy", "verify", &dir.join("suite.yaml").display().to_string()], None);
    assert_eq!(out.code, 1, "{}", out.stdout);
    assert!(out.stdout.contains("FAIL") && out.stdout.contains("owner/good") && out.stdout.contains("CEL: got 0 violations") && out.stdout.contains("Rego: got 0 violations"), "{}", out.stdout);
}
