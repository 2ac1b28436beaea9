//! End-to-end tests of `palisade serve --admission` over real TLS on loopback: reviews built
//! from fixtures are allowed and refused as the modes, levels, namespace labels (served by
//! the test API server), exemptions and waivers say; UPDATE blocks only what is new; dry runs
//! are judged and not recorded; malformed bodies get clear errors and the server keeps
//! serving; a decision past its budget is answered by --on-error; certificates are reloaded
//! when their files change; `palisade admission manifests` installs a webhook Palisade's own
//! scan finds nothing wrong with.

use crate::common;

use common::{https, palisade, tempdir, write, Running};
use palisade_testserver::{Options, TestServer};
use serde_json::{json, Value};

const DIGEST: &str = "registry.example.com/shop/app@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

/// A pod that every rule of the catalogue finds nothing wrong with.
fn clean_pod(name: &str, ns: &str) -> Value {
    json!({
        "apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": ns},
        "spec": {
            "serviceAccountName": "app", "automountServiceAccountToken": false,
            "securityContext": {"runAsNonRoot": true, "runAsUser": 10001, "runAsGroup": 10001, "seccompProfile": {"type": "RuntimeDefault"}},
            "containers": [{
                "name": "app", "image": DIGEST,
                "resources": {"requests": {"cpu": "100m", "memory": "64Mi"}, "limits": {"cpu": "500m", "memory": "128Mi"}},
                "securityContext": {"allowPrivilegeEscalation": false, "readOnlyRootFilesystem": true, "capabilities": {"drop": ["ALL"]}}
            }]
        }
    })
}

/// The clean pod, privileged.
fn privileged_pod(name: &str, ns: &str) -> Value {
    let mut pod = clean_pod(name, ns);
    pod["spec"]["containers"][0]["securityContext"]["privileged"] = json!(true);
    pod["spec"]["containers"][0]["securityContext"]["allowPrivilegeEscalation"] = json!(true);
    pod
}

/// Fine at the baseline level, not at restricted: no securityContext at all.
fn baseline_pod(name: &str, ns: &str) -> Value {
    let mut pod = clean_pod(name, ns);
    pod["spec"]["securityContext"] = json!({});
    pod["spec"]["containers"][0]["securityContext"] = json!({"readOnlyRootFilesystem": true});
    pod
}

fn deployment(name: &str, ns: &str, pod: Value) -> Value {
    json!({
        "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name, "namespace": ns},
        "spec": {"replicas": 2, "selector": {"matchLabels": {"app": name}}, "template": {"metadata": {"labels": {"app": name}}, "spec": pod["spec"].clone()}}
    })
}

fn review(uid: &str, operation: &str, object: Value, old: Option<Value>, extra: Value) -> Vec<u8> {
    let kind = object["kind"].as_str().unwrap_or("").to_string();
    let mut request = json!({
        "uid": uid, "kind": {"group": "", "version": "v1", "kind": kind}, "operation": operation,
        "namespace": object["metadata"]["namespace"], "name": object["metadata"]["name"],
        "userInfo": {"username": "alice", "groups": ["system:authenticated"]},
        "object": object, "oldObject": old, "dryRun": false
    });
    for (k, v) in extra.as_object().into_iter().flatten() {
        request[k] = v.clone();
    }
    serde_json::to_vec(&json!({"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": request})).unwrap()
}

/// A running webhook: its address, the CA its certificate chains to, its output.
struct Webhook {
    addr: String,
    ca: String,
    process: Running,
    dir: common::TempDir,
}

impl Webhook {
    fn start(name: &str, extra: &[&str]) -> Webhook {
        let dir = tempdir(&format!("hook-{name}"));
        let certs = palisade_testserver::tls::generate();
        let cert = write(&dir, "tls.crt", &certs.server_cert_pem);
        let key = write(&dir, "tls.key", &certs.server_key_pem);
        let mut args = vec!["serve", "--admission", "127.0.0.1:0", "--tls-cert", &cert, "--tls-key", &key];
        args.extend_from_slice(extra);
        let mut process = Running::start(&args);
        process.wait_for_stderr("admission webhook on https://");
        let stderr = process.stderr();
        let addr = stderr.split("https://").nth(1).and_then(|r| r.split('/').next()).unwrap().to_string();
        Webhook { addr, ca: certs.ca_pem, process, dir }
    }

    fn post(&self, body: &[u8]) -> common::Https {
        https(&self.addr, &self.ca, "POST", "/validate", body)
    }

    /// The review's response.
    fn decide(&self, body: &[u8]) -> Value {
        let answer = self.post(body);
        assert_eq!(answer.status, 200, "{}", answer.body);
        let review: Value = serde_json::from_str(&answer.body).unwrap_or_else(|e| panic!("{e}: {}", answer.body));
        assert_eq!(review["kind"], "AdmissionReview");
        review["response"].clone()
    }
}

fn warnings(r: &Value) -> Vec<String> {
    r["warnings"].as_array().map(|w| w.iter().map(|s| s.as_str().unwrap().to_string()).collect()).unwrap_or_default()
}

#[test]
fn the_clean_pod_is_clean_in_a_scan_too() {
    let dir = tempdir("admission-clean");
    let file = write(&dir, "pod.json", clean_pod("web", "shop").to_string());
    let out = palisade(&["scan", &file, "--no-config"], None);
    assert_eq!(out.code, 0, "{}", out.stdout);
}

#[test]
fn requests_are_refused_allowed_and_warned_as_the_namespace_labels_say() {
    let ns = |name: &str, labels: Value| json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name, "labels": labels}});
    let server = TestServer::start(
        vec![
            ns("shop", json!({})),
            ns("lenient", json!({"palisade.io/enforce": "privileged"})),
            ns("learning", json!({"palisade.io/enforce": "baseline", "palisade.io/warn": "restricted"})),
            ns("watching", json!({"palisade.io/audit": "restricted"})),
        ],
        Options::default(),
    )
    .unwrap();
    let dir = tempdir("admission-labels");
    let kubeconfig = write(&dir, "kubeconfig", server.kubeconfig(false));
    let mut hook = Webhook::start("labels", &["--no-config", "--fail-on", "medium", "--kubeconfig", &kubeconfig, "--exempt-namespace", "kube-system", "--exempt-user", "breakglass", "--exempt-runtime-class", "kata"]);
    hook.process.wait_for_stderr("ready");
    assert_eq!(https(&hook.addr, &hook.ca, "GET", "/readyz", b"").status, 200);

    // The server's own mode (enforce, the whole catalogue, blocking at medium) where the
    // namespace says nothing.
    let r = hook.decide(&review("u-clean", "CREATE", clean_pod("web", "shop"), None, json!({})));
    assert_eq!((r["uid"].as_str(), r["allowed"].as_bool()), (Some("u-clean"), Some(true)), "{r}");
    assert!(warnings(&r).is_empty(), "{r}");
    let r = hook.decide(&review("u-priv", "CREATE", privileged_pod("web", "shop"), None, json!({})));
    assert_eq!((r["uid"].as_str(), r["allowed"].as_bool(), r["status"]["code"].as_u64()), (Some("u-priv"), Some(false), Some(403)), "{r}");
    let message = r["status"]["message"].as_str().unwrap();
    assert!(message.contains("Pod shop/web"), "{message}");
    assert!(message.contains("POD001 privileged-container at spec.containers[0].securityContext.privileged"), "{message}");
    assert!(message.contains("(fix: "), "each blocking finding carries its remediation: {message}");
    // A Deployment is refused when it is applied.
    let r = hook.decide(&review("u-deploy", "CREATE", deployment("web", "shop", privileged_pod("web", "shop")), None, json!({})));
    assert_eq!(r["allowed"], false);
    assert!(r["status"]["message"].as_str().unwrap().contains("spec.template.spec.containers[0].securityContext.privileged"), "{r}");

    // Labels: privileged allows anything; baseline enforced with restricted warned; audit.
    let r = hook.decide(&review("u-lenient", "CREATE", privileged_pod("web", "lenient"), None, json!({})));
    assert_eq!(r["allowed"], true, "{r}");
    assert!(warnings(&r).is_empty(), "{r}");
    let r = hook.decide(&review("u-learning", "CREATE", baseline_pod("web", "learning"), None, json!({})));
    assert_eq!(r["allowed"], true, "{r}");
    let w = warnings(&r);
    assert!(w.iter().any(|w| w.contains("POD015")) && w.iter().all(|w| w.starts_with("palisade: ")), "restricted findings are warnings: {w:?}");
    let r = hook.decide(&review("u-learning-priv", "CREATE", privileged_pod("web", "learning"), None, json!({})));
    assert_eq!(r["allowed"], false, "baseline is enforced: {r}");
    let r = hook.decide(&review("u-watching", "CREATE", privileged_pod("web", "watching"), None, json!({})));
    assert_eq!(r["allowed"], true, "{r}");
    assert!(warnings(&r).is_empty(), "audit mode only records: {r}");
    // A label changed on the live cluster changes the verdict.
    server.apply(ns("shop", json!({"palisade.io/enforce": "privileged"}))).unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let r = hook.decide(&review("u-relabelled", "CREATE", privileged_pod("web", "shop"), None, json!({})));
        if r["allowed"] == true {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "the new label was never seen: {r}");
        std::thread::sleep(std::time::Duration::from_millis(100));
    }

    // Exemptions: namespace, user, runtime class.
    let r = hook.decide(&review("u-ks", "CREATE", privileged_pod("proxy", "kube-system"), None, json!({})));
    assert_eq!(r["allowed"], true);
    let r = hook.decide(&review("u-bg", "CREATE", privileged_pod("web", "learning"), None, json!({"userInfo": {"username": "breakglass"}})));
    assert_eq!(r["allowed"], true);
    let mut kata = privileged_pod("web", "learning");
    kata["spec"]["runtimeClassName"] = json!("kata");
    assert_eq!(hook.decide(&review("u-kata", "CREATE", kata, None, json!({})))["allowed"], true);

    // UPDATE: what the old object had does not block; what the change adds does.
    let mut relabelled = privileged_pod("web", "learning");
    relabelled["metadata"]["labels"] = json!({"team": "shop"});
    let r = hook.decide(&review("u-upd-old", "UPDATE", relabelled, Some(privileged_pod("web", "learning")), json!({})));
    assert_eq!(r["allowed"], true, "a label change on a legacy workload: {r}");
    assert!(warnings(&r).iter().any(|w| w.contains("POD001")), "…is still warned of: {r}");
    let r = hook.decide(&review("u-upd-new", "UPDATE", privileged_pod("web", "learning"), Some(clean_pod("web", "learning")), json!({})));
    assert_eq!(r["allowed"], false, "a change that makes it privileged: {r}");
    // DELETE and CONNECT are allowed.
    let r = hook.decide(&review("u-del", "DELETE", privileged_pod("web", "learning"), None, json!({"object": null, "oldObject": privileged_pod("web", "learning")})));
    assert_eq!(r["allowed"], true);

    // Dry runs are judged and not recorded; audit records.
    let r = hook.decide(&review("u-dry", "CREATE", privileged_pod("dry", "learning"), None, json!({"dryRun": true})));
    assert_eq!(r["allowed"], false);
    let lines = hook.process.json_until(|l| l.iter().any(|e| e["request"]["uid"] == "u-watching"));
    let recorded: Vec<&Value> = lines.iter().collect();
    assert!(recorded.iter().all(|e| e["request"]["uid"] != "u-dry"), "dry runs are not recorded");
    let audit = recorded.iter().find(|e| e["request"]["uid"] == "u-watching").unwrap();
    assert_eq!((audit["event"].as_str(), audit["action"].as_str(), audit["finding"]["rule"].as_str()), (Some("admission"), Some("audit"), Some("POD001")));
    assert!(recorded.iter().any(|e| e["request"]["uid"] == "u-priv" && e["action"] == "deny" && e["finding"]["rule"] == "POD001"));

    // Metrics.
    let metrics = https(&hook.addr, &hook.ca, "GET", "/metrics", b"").body;
    assert!(metrics.contains("palisade_admission_requests_total{operation=\"CREATE\",verdict=\"denied\"}"), "{metrics}");
    assert!(metrics.contains("palisade_admission_findings_total{rule=\"POD001\",action=\"deny\"}"), "{metrics}");
    assert!(metrics.contains("palisade_admission_duration_seconds_bucket"), "{metrics}");
}

#[test]
fn waivers_apply_as_in_scan_and_an_expired_one_blocks_again() {
    let dir = tempdir("admission-waivers");
    let config = write(
        &dir,
        "palisade.yaml",
        "waivers:\n  - rule: POD001\n    match: {namespace: shop, name: agent}\n    reason: vendor agent\n    owner: platform@example.com\n    expires: 2099-01-01\n  - rule: POD001\n    match: {namespace: shop, name: old-agent}\n    reason: was needed once\n    owner: platform@example.com\n    expires: 2020-01-01\n",
    );
    let hook = Webhook::start("waivers", &["--config", &config, "--framework", "pss-baseline", "--no-cluster"]);
    assert_eq!(hook.decide(&review("w1", "CREATE", privileged_pod("agent", "shop"), None, json!({})))["allowed"], true);
    assert_eq!(hook.decide(&review("w2", "CREATE", privileged_pod("old-agent", "shop"), None, json!({})))["allowed"], false);
    assert_eq!(hook.decide(&review("w3", "CREATE", privileged_pod("web", "shop"), None, json!({})))["allowed"], false);
    // An object's own annotations waive too, with a reason.
    let mut annotated = privileged_pod("debug", "shop");
    annotated["metadata"]["annotations"] = json!({"palisade.io/waive": "POD001", "palisade.io/waive-reason": "node debugging, ticket 42"});
    assert_eq!(hook.decide(&review("w4", "CREATE", annotated, None, json!({})))["allowed"], true);
}

#[test]
fn warn_mode_allows_with_every_finding_as_a_warning() {
    let hook = Webhook::start("warn", &["--mode", "warn", "--framework", "pss-restricted", "--no-config", "--no-cluster"]);
    let r = hook.decide(&review("x1", "CREATE", privileged_pod("web", "shop"), None, json!({})));
    assert_eq!(r["allowed"], true);
    assert!(r.get("status").is_none(), "{r}");
    assert!(warnings(&r).iter().any(|w| w.contains("POD001 privileged-container at spec.containers[0].securityContext.privileged")), "{r}");
}

#[test]
fn bad_requests_get_clear_errors_and_the_server_keeps_serving() {
    let hook = Webhook::start("bad", &["--no-config", "--no-cluster"]);
    let big = vec![b' '; (3 << 20) + 10];
    let answer = hook.post(&big);
    assert_eq!(answer.status, 400);
    assert!(answer.body.contains("over 3 MiB"), "{}", answer.body);
    let answer = hook.post(b"{not json");
    assert_eq!((answer.status, answer.body.contains("not JSON")), (400, true), "{}", answer.body);
    let answer = hook.post(br#"{"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview"}"#);
    assert_eq!((answer.status, answer.body.contains("no `request`")), (400, true), "{}", answer.body);
    // A review whose object is not one: answered as a review, with the reason.
    let body = serde_json::to_vec(&json!({"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": {"uid": "b1", "operation": "CREATE", "object": "a pod"}})).unwrap();
    let r = hook.decide(&body);
    assert_eq!((r["uid"].as_str(), r["allowed"].as_bool(), r["status"]["code"].as_u64()), (Some("b1"), Some(true), Some(400)), "{r}");
    assert!(r["status"]["message"].as_str().unwrap().contains("not an object"), "{r}");
    // An object that is not a Kubernetes object at all.
    let r = hook.decide(&review("b2", "CREATE", json!({"metadata": {"name": "x"}, "spec": 7}), None, json!({})));
    assert_eq!((r["uid"].as_str(), r["allowed"].as_bool(), r["status"]["code"].as_u64()), (Some("b2"), Some(true), Some(400)), "{r}");
    assert!(r["status"]["message"].as_str().unwrap().contains("not a Kubernetes object"), "{r}");
    assert!(warnings(&r).iter().any(|w| w.contains("allowed by --on-error allow")), "{r}");
    assert_eq!(https(&hook.addr, &hook.ca, "GET", "/healthz", b"").body.trim(), "ok");
    assert_eq!(hook.decide(&review("b3", "CREATE", clean_pod("web", "shop"), None, json!({})))["allowed"], true);
    let metrics = https(&hook.addr, &hook.ca, "GET", "/metrics", b"").body;
    assert!(metrics.contains("palisade_admission_errors_total{reason=\"body\"} 1"), "{metrics}");
}

#[test]
fn a_decision_past_its_budget_is_answered_by_on_error() {
    let hook = Webhook::start("budget", &["--no-config", "--no-cluster", "--budget", "1ms", "--on-error", "deny"]);
    let mut pod = clean_pod("huge", "shop");
    let container = pod["spec"]["containers"][0].clone();
    pod["spec"]["containers"] = json!((0..3000).map(|i| {
        let mut c = container.clone();
        c["name"] = json!(format!("c{i}"));
        c
    }).collect::<Vec<_>>());
    let r = hook.decide(&review("slow", "CREATE", pod, None, json!({})));
    assert_eq!(r["allowed"], false, "{r}");
    assert!(r["status"]["message"].as_str().unwrap().contains("did not finish judging within 1 ms; denied by --on-error deny"), "{r}");
}

#[test]
fn certificates_are_read_again_when_they_change() {
    let mut hook = Webhook::start("reload", &["--no-config", "--no-cluster"]);
    let renewed = palisade_testserver::tls::generate();
    let both = format!("{}{}", hook.ca, renewed.ca_pem);
    let before = https(&hook.addr, &both, "GET", "/healthz", b"").certificate;
    std::thread::sleep(std::time::Duration::from_millis(1100));
    write(&hook.dir, "tls.crt", &renewed.server_cert_pem);
    write(&hook.dir, "tls.key", &renewed.server_key_pem);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let now = https(&hook.addr, &both, "GET", "/healthz", b"");
        if now.certificate != before {
            assert_eq!(now.body.trim(), "ok");
            break;
        }
        assert!(std::time::Instant::now() < deadline, "the renewed certificate was never served");
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    hook.process.wait_for_stderr("reloaded");
}

#[test]
fn the_install_manifests_pass_palisades_own_scan() {
    let dir = tempdir("admission-manifests");
    let certs = palisade_testserver::tls::generate();
    let ca = write(&dir, "ca.crt", &certs.ca_pem);
    let out = palisade(&["admission", "manifests", "--namespace", "guard", "--ca-bundle", &ca, "--failure-policy", "Ignore", "--timeout-seconds", "3"], None);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let scan = palisade(&["scan", "-", "--no-config", "--format", "json"], Some(&out.stdout));
    let report: Value = serde_json::from_str(&scan.stdout).unwrap();
    assert_eq!((scan.code, report["summary"]["findings"].as_u64()), (0, Some(0)), "{}", report["findings"]);
    assert_eq!(report["summary"]["objects"], 11);
    // What the configuration says, read back through Palisade's own YAML reader.
    let snapshot = write(&dir, "m.yaml", &out.stdout);
    let dump = palisade(&["inventory", &snapshot, "--format", "json"], None);
    assert_eq!(dump.code, 0, "{}", dump.stderr);
    let text = &out.stdout;
    for expected in ["kind: \"ValidatingWebhookConfiguration\"", "failurePolicy: \"Ignore\"", "timeoutSeconds: 3", "sideEffects: \"None\"", "matchPolicy: \"Equivalent\"", "caBundle: ", "- \"kube-system\"", "- \"guard\"", "kind: \"PodDisruptionBudget\"", "replicas: 2", "readOnlyRootFilesystem: true", "runAsNonRoot: true"] {
        assert!(text.contains(expected), "no `{expected}` in:\n{text}");
    }
    assert_eq!(palisade(&["admission", "manifests", "--ca-bundle", "/nonexistent"], None).code, 2);
}

#[test]
fn refusals_and_audited_findings_are_kept_in_the_history_store() {
    let dir = tempdir("admission-store");
    let store = dir.join("history.db");
    let store_arg = store.display().to_string();
    let mut hook = Webhook::start("store", &["--no-config", "--no-cluster", "--store", &store_arg, "--cluster-name", "prod", "--mode", "audit"]);
    assert_eq!(hook.decide(&review("s1", "CREATE", privileged_pod("web", "shop"), None, json!({})))["allowed"], true);
    assert_eq!(hook.decide(&review("s2", "CREATE", privileged_pod("dry", "shop"), None, json!({"dryRun": true})))["allowed"], true);
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let events = runtime.block_on(async {
            let store = palisade_store::Store::open(&store_arg).await.unwrap();
            store.events("prod", 0).await.unwrap()
        });
        if events.iter().any(|(_, kind, f)| kind == "admission-audit" && f["rule"] == "POD001") {
            assert!(events.iter().all(|(_, _, f)| f["object"]["name"] != "dry"), "dry runs are not recorded: {events:?}");
            break;
        }
        assert!(std::time::Instant::now() < deadline, "nothing recorded: {events:?}\n{}", hook.process.stderr());
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    let _ = hook.process.child.kill();
}

#[test]
fn user_policies_decide_with_their_own_actions_and_see_the_request() {
    let fixtures = common::repo().join("crates/palisade/tests/policies");
    let at = |f: &str| fixtures.join(f).display().to_string();
    let dir = tempdir("admission-policy-files");
    // Deletes of Deployments in payments are refused unless made by the release robot.
    let guard = write(
        &dir,
        "guard.yaml",
        "apiVersion: admissionregistration.k8s.io/v1\nkind: ValidatingAdmissionPolicy\nmetadata:\n  name: no-deletes\nspec:\n  matchConstraints:\n    resourceRules:\n      - apiGroups: [apps]\n        apiVersions: [v1]\n        operations: [DELETE]\n        resources: [deployments]\n  validations:\n    - expression: 'request.userInfo.username == \"release-robot\"'\n      messageExpression: 'request.userInfo.username + \" may not delete \" + oldObject.metadata.name'\n---\napiVersion: admissionregistration.k8s.io/v1\nkind: ValidatingAdmissionPolicyBinding\nmetadata:\n  name: no-deletes\nspec:\n  policyName: no-deletes\n  validationActions: [Deny]\n",
    );
    let (labels, constraint, vap, inv) = (at("template-labels.yaml"), at("constraint-labels.yaml"), at("vap.yaml"), at("inventory.yaml"));
    let hook = Webhook::start(
        "policies",
        &["--no-config", "--no-cluster", "--select", "gatekeeper:,vap:", "--policies", &labels, "--policies", &constraint, "--policies", &vap, "--policies", &guard, "--inventory", &inv],
    );
    let mut app = deployment("api", "payments", clean_pod("api", "payments"));
    app["spec"]["replicas"] = json!(5);
    // Gatekeeper deny and the VAP's Deny refuse; both messages are in the answer.
    let r = hook.decide(&review("p1", "CREATE", app.clone(), None, json!({"kind": {"group": "apps", "version": "v1", "kind": "Deployment"}, "resource": {"group": "apps", "version": "v1", "resource": "deployments"}})));
    assert_eq!(r["allowed"], false, "{r}");
    let message = r["status"]["message"].as_str().unwrap();
    assert!(message.contains("gatekeeper:TeamLabel/deployments-need-owner") && message.contains("missing label owner on api"), "{message}");
    assert!(message.contains("vap:replica-limit") && message.contains("replicas 5 exceed 3"), "{message}");
    // Labelled and scaled down: allowed. A pod with a latest image: allowed with the warning.
    app["metadata"]["labels"] = json!({"owner": "pay"});
    app["spec"]["replicas"] = json!(2);
    let r = hook.decide(&review("p2", "CREATE", app.clone(), None, json!({"kind": {"group": "apps", "version": "v1", "kind": "Deployment"}})));
    assert_eq!(r["allowed"], true, "{r}");
    let mut pod = clean_pod("w", "payments");
    pod["metadata"]["labels"] = json!({"team": "pay"});
    pod["spec"]["containers"][0]["image"] = json!("registry.example.com/w:latest");
    let r = hook.decide(&review("p3", "CREATE", pod, None, json!({})));
    assert_eq!(r["allowed"], true, "{r}");
    assert!(warnings(&r).iter().any(|w| w.contains("vap:no-latest") && w.contains("latest tag")), "{r}");
    // A DELETE is judged by the policy that asks for it, with who asks.
    let delete = |uid: &str, user: &str| review(uid, "DELETE", Value::Null, Some(app.clone()), json!({"kind": {"group": "apps", "version": "v1", "kind": "Deployment"}, "name": "api", "namespace": "payments", "userInfo": {"username": user}}));
    let r = hook.decide(&delete("p4", "alice"));
    assert_eq!(r["allowed"], false, "{r}");
    assert!(r["status"]["message"].as_str().unwrap().contains("alice may not delete api"), "{r}");
    assert_eq!(hook.decide(&delete("p5", "release-robot"))["allowed"], true);
}
