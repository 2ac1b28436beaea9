//! End-to-end tests of `palisade cluster` and `palisade dump` against the test API server:
//! the same findings as a scan of the same objects, coverage gaps for forbidden resources,
//! pagination with an expired continue token, snapshots that scan back to the same findings,
//! and clear errors for unreachable clusters and broken kubeconfigs.

use crate::common;

use common::{palisade, repo, tempdir, write};
use palisade_testserver::{objects_from_files, Options, TestServer};
use serde_json::{json, Value};
use std::collections::BTreeSet;

fn demo_objects() -> Vec<Value> {
    objects_from_files(&[repo().join("examples/demo")]).unwrap()
}

/// (rule, object, path within the object, message) of every finding, as `palisade diff`
/// identifies them.
fn ids(report: &Value) -> BTreeSet<String> {
    report["findings"].as_array().unwrap().iter().map(palisade::diff::finding_key).collect()
}

fn json_of(args: &[&str]) -> (i32, Value, String) {
    let out = palisade(args, None);
    let v = serde_json::from_str(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}\n{}", out.stdout, out.stderr));
    (out.code, v, out.stderr)
}

struct Cluster {
    server: TestServer,
    kubeconfig: String,
    _dir: common::TempDir,
}

fn cluster(objects: Vec<Value>, options: Options, name: &str) -> Cluster {
    let server = TestServer::start(objects, options).unwrap();
    let dir = tempdir(name);
    let kubeconfig = write(&dir, "kubeconfig", server.kubeconfig(false));
    Cluster { server, kubeconfig, _dir: dir }
}

#[test]
fn a_live_scan_finds_what_a_scan_of_the_same_objects_finds() {
    let c = cluster(demo_objects(), Options { max_page: Some(3), expire_continue: vec!["services".into()], ..Options::default() }, "cluster-demo");
    let policy = "examples/demo/palisade.yaml";
    let (code, live, err) = json_of(&["cluster", "--kubeconfig", &c.kubeconfig, "--config", policy, "--format", "json", "--chunk-size", "2"]);
    assert_eq!(code, 1, "findings: {err}");
    let (_, files, _) = json_of(&["scan", "examples/demo", "--format", "json"]);
    let (live_ids, file_ids) = (ids(&live), ids(&files));
    // A Secret in a cluster is where it belongs: its values come back redacted, so SEC001 (a
    // Secret's values in a manifest) is the one difference.
    let only_in_files: Vec<&String> = file_ids.difference(&live_ids).collect();
    assert!(only_in_files.iter().all(|f| f.starts_with("\"SEC001\"")), "{only_in_files:#?}");
    assert_eq!(only_in_files.len(), 1);
    // The live scan adds what it learnt of the cluster itself (its ClusterInfo: the test
    // server reports v1.33.2, out of support since 2026-06-28).
    let only_live: Vec<&String> = live_ids.difference(&file_ids).collect();
    assert!(only_live.iter().all(|f| f.contains("\"ClusterInfo\"")), "{only_live:#?}");
    let findings = live["findings"].as_array().unwrap();
    assert!(findings.iter().filter(|f| f["object"]["kind"] != "Policy").all(|f| f["location"].is_null()), "live findings have no file");
    assert!(findings.iter().any(|f| f["rule"] == "POL001" && f["location"]["file"] == policy), "the policy file's own findings are located in it");
    assert_eq!(live["summary"]["objects"].as_u64().unwrap(), files["summary"]["objects"].as_u64().unwrap() + 1, "and its ClusterInfo");
    assert_eq!(live["suppressed"].as_array().unwrap().len(), files["suppressed"].as_array().unwrap().len(), "the policy's waivers apply");

    let coverage = &live["coverage"];
    assert_eq!(coverage["server"], c.server.url);
    assert_eq!(coverage["version"], "v1.33.2");
    assert_eq!((coverage["forbidden"].as_u64(), coverage["failed"].as_u64()), (Some(0), Some(0)));
    let services = coverage["resources"].as_array().unwrap().iter().find(|r| r["resource"] == "services").unwrap();
    assert_eq!((services["status"].as_str(), services["objects"].as_u64(), services["relists"].as_u64()), (Some("read"), Some(3), Some(1)), "the expired continue token was relisted without duplicates");
    let requests = c.server.requests();
    assert!(requests.iter().any(|r| r.contains("/apis/apps/v1/deployments?limit=2")), "pages of --chunk-size: {requests:?}");
    assert!(!requests.iter().any(|r| r.contains("/events")), "events are not read");
}

#[test]
fn forbidden_resources_are_coverage_gaps_not_failures() {
    let objects = vec![
        json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop"}}),
        json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web", "namespace": "shop"}, "spec": {"containers": [{"name": "c", "image": "nginx:1.25", "securityContext": {"privileged": true}}]}}),
        json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "db", "namespace": "shop"}, "data": {"p": "aHVudGVyMg=="}}),
        // A self-managed control plane: the API server's static pod, as the kubelet mirrors it.
        json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "kube-apiserver-cp-1", "namespace": "kube-system", "labels": {"component": "kube-apiserver"}},
               "spec": {"containers": [{"name": "kube-apiserver", "image": "registry.k8s.io/kube-apiserver:v1.33.2", "command": ["kube-apiserver", "--anonymous-auth=true", "--authorization-mode=Node,RBAC"]}]}}),
    ];
    let c = cluster(objects, Options { forbidden: vec!["secrets".into()], failing: vec!["configmaps".into()], aggregated_discovery: false, ..Options::default() }, "cluster-gaps");
    let (code, v, err) = json_of(&["cluster", "--kubeconfig", &c.kubeconfig, "--format", "json"]);
    assert_eq!(code, 2, "a failed list is an error, the rest is scanned: {err}");
    assert!(v["findings"].as_array().unwrap().iter().any(|f| f["rule"] == "POD001" && f["object"]["name"] == "web"));
    let anonymous = v["findings"].as_array().unwrap().iter().find(|f| f["rule"] == "CP001" && f["message"].as_str().unwrap().contains("CIS 1.2.1")).expect("the live static pod's flags are judged");
    assert_eq!(anonymous["path"], "spec.containers[0].command[1]");
    assert_eq!(anonymous["controls"], json!(["cis-1.12:1.2.1", "nsa:control-plane"]));
    let secrets = v["coverage"]["resources"].as_array().unwrap().iter().find(|r| r["resource"] == "secrets").unwrap();
    assert_eq!(secrets["status"], "forbidden");
    assert_eq!(secrets["hides"], "SEC and RBAC secret-reader analysis incomplete");
    assert!(secrets["message"].as_str().unwrap().contains("cannot list resource \"secrets\""));
    assert_eq!(v["coverage"]["forbidden"], 1);
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(repo().join("schema/report.schema.json")).unwrap()).unwrap();
    let validator = jsonschema::options().should_validate_formats(false).build(&schema).unwrap();
    let violations: Vec<String> = validator.iter_errors(&v).map(|e| format!("{e} at {}", e.instance_path())).collect();
    assert!(violations.is_empty(), "the live report keeps to the schema: {violations:#?}");
    assert!(v["errors"].as_array().unwrap().iter().any(|e| e["message"].as_str().unwrap().contains("listing configmaps failed")), "{}", v["errors"]);

    let table = palisade(&["cluster", "--kubeconfig", &c.kubeconfig], None);
    assert!(table.stdout.contains("forbidden") && table.stdout.contains("SEC and RBAC secret-reader analysis incomplete"), "{}", table.stdout);
    assert!(table.stdout.contains(&format!("from {}", c.server.url)), "{}", table.stdout);
}

#[test]
fn a_snapshot_scans_back_to_the_live_findings_and_holds_no_secret() {
    let mut objects = demo_objects();
    objects.push(json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "api-key", "namespace": "shop",
        "annotations": {"kubectl.kubernetes.io/last-applied-configuration": "{\"data\":{\"key\":\"c3VwZXJzZWNyZXQ=\"}}"},
        "managedFields": [{"manager": "kubectl"}]}, "data": {"key": "c3VwZXJzZWNyZXQ="}, "stringData": {"plain": "hunter2"}}));
    objects.push(json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "odd", "namespace": "shop", "labels": {"on": "yes"}},
        "data": {"mode": "0755", "flag": "true", "n": "1e3", "multi": "a: b\n- c\n", "quote": "it's \"quoted\" \\ and # not a comment", "empty": ""}}));
    let c = cluster(objects, Options::default(), "cluster-dump");
    let dir = tempdir("cluster-dump-out");
    let snapshot = dir.join("snapshot.yaml").to_string_lossy().into_owned();
    let out = palisade(&["dump", "--kubeconfig", &c.kubeconfig, "-o", &snapshot], None);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let text = std::fs::read_to_string(&snapshot).unwrap();
    assert!(!text.contains("c3VwZXJzZWNyZXQ=") && !text.contains("hunter2") && !text.contains("supersecret"), "no Secret value is written");
    assert!(text.contains("<redacted: 11 bytes>") && text.contains("<redacted: 7 bytes>"), "lengths are");
    assert!(!text.contains("managedFields:") && !text.contains("kubectl.kubernetes.io/last-applied-configuration"));

    let policy = "examples/demo/palisade.yaml";
    let (_, live, _) = json_of(&["cluster", "--kubeconfig", &c.kubeconfig, "--config", policy, "--format", "json"]);
    let (_, scanned, err) = json_of(&["scan", &snapshot, "--config", policy, "--format", "json"]);
    assert_eq!(ids(&scanned), ids(&live), "{err}");
    assert_eq!(scanned["summary"]["objects"], live["summary"]["objects"]);
    assert_eq!(scanned["errors"], json!([]));
    // Values keep their types on the way back.
    let docs = palisade_source::Document::load_all(text.as_bytes(), &palisade_source::Limits::default());
    let list = palisade_source::json::json_of(&docs[0].as_ref().unwrap().root);
    let odd = list["items"].as_array().unwrap().iter().find(|o| o["metadata"]["name"] == "odd").unwrap();
    assert_eq!(odd["data"], json!({"mode": "0755", "flag": "true", "n": "1e3", "multi": "a: b\n- c\n", "quote": "it's \"quoted\" \\ and # not a comment", "empty": ""}));
    assert_eq!(odd["metadata"]["labels"], json!({"on": "yes"}));
}

#[test]
fn unreachable_clusters_and_broken_kubeconfigs_are_clear_errors() {
    let dir = tempdir("cluster-errors");
    let broken = write(&dir, "broken", "apiVersion: v1\nkind: Config\nclusters: [oops\n");
    let out = palisade(&["cluster", "--kubeconfig", &broken], None);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains(&broken) && out.stderr.contains("kubeconfig"), "{}", out.stderr);

    let c = cluster(Vec::new(), Options::default(), "cluster-context");
    let out = palisade(&["cluster", "--kubeconfig", &c.kubeconfig, "--context", "nope"], None);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("no context `nope` (contexts: palisade-test)"), "{}", out.stderr);

    // Nothing listens on this port.
    let closed = c.server.kubeconfig(false).replace(&c.server.url, "https://127.0.0.1:1");
    let closed = write(&dir, "closed", &closed);
    let out = palisade(&["cluster", "--kubeconfig", &closed], None);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("https://127.0.0.1:1"), "names the server: {}", out.stderr);

    // A wrong token: the server's 401 is said as such.
    let wrong = write(&dir, "wrong", c.server.kubeconfig(false).replace(&c.server.token, "wrong-token"));
    let out = palisade(&["cluster", "--kubeconfig", &wrong], None);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("401") || out.stderr.contains("Unauthorized"), "{}", out.stderr);
}

#[test]
fn the_deploy_example_passes_its_own_scan_and_reads_all_it_checks_but_secrets() {
    let out = palisade(&["scan", "examples/deploy", "--format", "json"], None);
    assert_eq!(out.code, 0, "{}", out.stdout);
    let v: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(v["findings"], json!([]), "Palisade finds nothing wrong with its own deployment");
    assert_eq!(v["summary"]["objects"], 9 + 8, "the scanner and the node audit");
    let waived: BTreeSet<&str> = v["suppressed"].as_array().unwrap().iter().map(|s| s["object"]["kind"].as_str().unwrap()).collect();
    assert_eq!(waived, ["DaemonSet", "Namespace"].into_iter().collect(), "only the node audit's own exceptions, each waived inline with its reason");

    // Serve the demo with exactly the ClusterRole's grants: whatever the scanner's
    // ServiceAccount may not list, the server forbids.
    let text = std::fs::read_to_string(repo().join("examples/deploy/palisade-scanner.yaml")).unwrap();
    // (The node audit's manifests grant no RBAC at all.)
    let docs: Vec<palisade_source::Document> = palisade_source::Document::load_all(text.as_bytes(), &palisade_source::Limits::default()).into_iter().map(Result::unwrap).collect();
    let rbac = palisade_analysis::rbac::load(docs.iter().map(|d| &d.root));
    let scanner = palisade_analysis::rbac::authorizer::Identity::of(&palisade_analysis::rbac::model::Subject::parse("sa:palisade/palisade-scanner").unwrap());
    let probe = TestServer::start(demo_objects(), Options::default()).unwrap();
    let forbidden: Vec<String> = probe
        .resources()
        .iter()
        .filter(|r| {
            let resource = if r.group.is_empty() { r.name.clone() } else { format!("{}.{}", r.name, r.group) };
            let request = palisade_analysis::rbac::authorizer::Request::parse("list", &resource, None, None).unwrap();
            rbac.can(&scanner, &request).is_empty()
        })
        .map(|r| r.name.clone())
        .collect();
    let c = cluster(demo_objects(), Options { forbidden, ..Options::default() }, "cluster-deploy");
    let (_, live, err) = json_of(&["cluster", "--kubeconfig", &c.kubeconfig, "--format", "json"]);
    let gaps: BTreeSet<String> = live["coverage"]["resources"].as_array().unwrap().iter().filter(|r| r["status"] == "forbidden").map(|r| format!("{}.{}", r["resource"].as_str().unwrap(), r["group"].as_str().unwrap())).collect();
    let expected: BTreeSet<String> = ["secrets.", "clustersecretstores.external-secrets.io", "externalsecrets.external-secrets.io"].iter().map(|s| s.to_string()).collect();
    assert_eq!(gaps, expected, "only Secrets and the custom resources the role does not name: {err}");
    assert_eq!(live["errors"], json!([]));
}

#[test]
fn diff_shows_objects_and_findings_that_changed_between_snapshots_and_reports() {
    let web = |privileged: bool| json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": "shop"},
        "spec": {"template": {"spec": {"containers": [{"name": "web", "image": "nginx:1.25", "securityContext": {"privileged": privileged}}]}}}});
    let c = cluster(
        vec![web(false), json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "old", "namespace": "shop"}, "spec": {"type": "NodePort"}})],
        Options::default(),
        "cluster-diff",
    );
    let dir = tempdir("cluster-diff-out");
    let snap = |name: &str| -> String {
        let path = dir.join(name).to_string_lossy().into_owned();
        let out = palisade(&["dump", "--kubeconfig", &c.kubeconfig, "-o", &path, "-q"], None);
        assert_eq!(out.code, 0, "{}", out.stderr);
        path
    };
    let monday = snap("monday.yaml");
    c.server.apply(web(true)).unwrap();
    assert!(c.server.delete("v1", "Service", "shop", "old"));
    c.server.apply(json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "new", "namespace": "shop"}, "data": {"a": "b"}})).unwrap();
    let tuesday = snap("tuesday.yaml");

    let (code, d, err) = json_of(&["diff", &monday, &tuesday, "--format", "json"]);
    assert_eq!(code, 1, "a finding was opened: {err}");
    let names = |v: &Value| -> Vec<String> { v.as_array().unwrap().iter().map(|o| format!("{} {}", o["kind"].as_str().unwrap(), o["name"].as_str().unwrap())).collect() };
    assert_eq!(names(&d["objects"]["added"]), ["ConfigMap new"]);
    assert_eq!(names(&d["objects"]["removed"]), ["Service old"]);
    assert_eq!(names(&d["objects"]["changed"]), ["Deployment web"], "resourceVersion alone is not a change; the Deployment's spec is");
    let rules = |v: &Value| -> BTreeSet<String> { v.as_array().unwrap().iter().map(|f| f["rule"].as_str().unwrap().to_string()).collect() };
    assert!(rules(&d["findings"]["opened"]).contains("POD001"), "{d}");
    assert!(rules(&d["findings"]["resolved"]).contains("SVC001"), "the NodePort Service is gone: {d}");
    let (code, same, _) = json_of(&["diff", &monday, &monday, "--format", "json"]);
    assert_eq!(code, 0);
    assert_eq!(same["objects"]["changed"], json!([]));
    assert_eq!(same["findings"]["opened"], json!([]));

    let table = palisade(&["diff", &monday, &tuesday], None);
    assert!(table.stdout.contains("objects: 1 added, 1 removed, 1 changed") && table.stdout.contains("+ ConfigMap shop/new"), "{}", table.stdout);

    // Two reports: findings only.
    let report = |snapshot: &str, name: &str| -> String {
        let path = dir.join(name).to_string_lossy().into_owned();
        palisade(&["scan", snapshot, "--format", "json", "-o", &path], None);
        path
    };
    let (a, b) = (report(&monday, "monday.json"), report(&tuesday, "tuesday.json"));
    let (_, d, _) = json_of(&["diff", &a, &b, "--format", "json"]);
    assert!(d["objects"].is_null());
    assert!(rules(&d["findings"]["opened"]).contains("POD001"));
    let out = palisade(&["diff", &a, "/nonexistent.yaml"], None);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("/nonexistent.yaml"));
}

fn node_object(name: &str, kubelet: &str, provider: &str) -> Value {
    json!({"apiVersion": "v1", "kind": "Node", "metadata": {"name": name},
           "spec": {"providerID": format!("{provider}:///eu-west-1a/i-0abc")},
           "status": {"nodeInfo": {"osImage": "Ubuntu 24.04 LTS", "kernelVersion": "6.8.0-1015-aws", "containerRuntimeVersion": "containerd://1.7.22", "kubeletVersion": kubelet}}})
}

#[test]
fn inventory_lists_the_estate_live_and_from_snapshots_alike() {
    let mut objects = demo_objects();
    objects.push(node_object("ip-10-0-1-5", "v1.33.2", "aws"));
    objects.push(json!({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "web", "namespace": "shop"}, "automountServiceAccountToken": false}));
    let c = cluster(objects.clone(), Options::default(), "cluster-inventory");
    let (code, live, err) = json_of(&["inventory", "--kubeconfig", &c.kubeconfig, "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(live["nodes"], json!([{"name": "ip-10-0-1-5", "os_image": "Ubuntu 24.04 LTS", "kernel": "6.8.0-1015-aws", "container_runtime": "containerd://1.7.22", "kubelet": "v1.33.2", "provider": "aws"}]));
    let shop = live["namespaces"].as_array().unwrap().iter().find(|n| n["name"] == "shop").unwrap();
    assert_eq!(shop["workloads"], 3);
    let hows: BTreeSet<&str> = live["exposures"].as_array().unwrap().iter().map(|e| e["how"].as_str().unwrap()).collect();
    assert_eq!(hows, ["Ingress", "LoadBalancer", "NodePort", "hostNetwork", "hostPort"].into_iter().collect(), "{}", live["exposures"]);
    let lb = live["exposures"].as_array().unwrap().iter().find(|e| e["how"] == "LoadBalancer").unwrap();
    assert!(lb["detail"].as_str().unwrap().ends_with("from anywhere"), "{lb}");
    assert_eq!(live["service_accounts"], json!([{"namespace": "shop", "name": "web", "automount_token": false}]));
    assert!(live["images"].as_array().unwrap().iter().any(|i| i["image"] == "redis:7.2" && i["registry"] == "docker.io"));

    // The same estate from a snapshot of the same cluster.
    let dir = tempdir("cluster-inventory-out");
    let snapshot = dir.join("snap.yaml").to_string_lossy().into_owned();
    assert_eq!(palisade(&["dump", "--kubeconfig", &c.kubeconfig, "-o", &snapshot, "-q"], None).code, 0);
    let (_, files, _) = json_of(&["inventory", &snapshot, "--format", "json"]);
    for section in ["nodes", "namespaces", "workloads", "service_accounts", "exposures"] {
        assert_eq!(files[section], live[section], "{section}");
    }
    let csv = palisade(&["inventory", &snapshot, "--format", "csv"], None);
    let mut lines = csv.stdout.lines();
    assert_eq!(lines.next(), Some("section,kind,namespace,name,detail"));
    assert!(csv.stdout.lines().any(|l| l.starts_with("node,Node,,ip-10-0-1-5,") && l.contains("kubelet=v1.33.2")), "{}", csv.stdout);
    assert!(csv.stdout.lines().any(|l| l.starts_with("exposure,NodePort,shop,cart-debug,")), "{}", csv.stdout);
    let table = palisade(&["inventory", &snapshot], None);
    assert!(table.stdout.contains("nodes (1)") && table.stdout.contains("exposures (5)"), "{}", table.stdout);
}

#[test]
fn versions_and_managed_platforms_come_from_the_live_cluster() {
    let mut eks_node = node_object("ip-10-0-1-5.eu-west-1.compute.internal", "v1.26.15-eks-1552ad0", "aws");
    eks_node["metadata"]["labels"] = json!({"eks.amazonaws.com/nodegroup": "general"});
    let c = cluster(vec![eks_node], Options { version: "v1.30.14-eks-931bdca".into(), ..Options::default() }, "cluster-eks");
    let (_, v, err) = json_of(&["cluster", "--kubeconfig", &c.kubeconfig, "--format", "json"]);
    assert_eq!(v["coverage"]["platform"], json!({"name": "EKS", "evidence": "the server's version is v1.30.14-eks-931bdca"}), "{err}");
    let findings = v["findings"].as_array().unwrap();
    let ver = |id: &str| findings.iter().filter(|f| f["rule"] == id).map(|f| f["message"].as_str().unwrap().to_string()).collect::<Vec<_>>();
    assert_eq!(ver("VER001"), ["Kubernetes v1.30.14-eks-931bdca has had no upstream support since 2025-06-28 (supported: 1.35, 1.36, 1.37)"]);
    assert_eq!(ver("VER002").len(), 1, "kubelet 1.26 is four minors behind 1.30");
    assert!(ver("VER002")[0].contains("4 minor versions behind"));
    let (_, cis, _) = json_of(&["cluster", "--kubeconfig", &c.kubeconfig, "--format", "json", "--framework", "cis-1.12"]);
    let control = |id: &str| cis["compliance"]["controls"].as_array().unwrap().iter().find(|c| c["id"] == id).unwrap().clone();
    assert_eq!(control("1.2.1")["status"], "not_applicable");
    assert!(control("1.2.1")["note"].as_str().unwrap().contains("managed platform"), "{}", control("1.2.1"));
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(repo().join("schema/report.schema.json")).unwrap()).unwrap();
    let validator = jsonschema::options().should_validate_formats(false).build(&schema).unwrap();
    assert!(validator.iter_errors(&v).next().is_none(), "{:?}", validator.iter_errors(&v).map(|e| e.to_string()).collect::<Vec<_>>());

    // A snapshot keeps the ClusterInfo: the same version findings and the same verdict on
    // the control plane offline.
    let dir = tempdir("cluster-eks-versions");
    let snapshot = dir.join("eks.yaml").to_string_lossy().into_owned();
    assert_eq!(palisade(&["dump", "--kubeconfig", &c.kubeconfig, "-o", &snapshot, "-q"], None).code, 0);
    let (_, offline, _) = json_of(&["scan", &snapshot, "--format", "json", "--framework", "cis-1.12"]);
    let offline_control = offline["compliance"]["controls"].as_array().unwrap().iter().find(|c| c["id"] == "1.2.1").unwrap().clone();
    assert_eq!(offline_control, control("1.2.1"));
    let (_, offline, _) = json_of(&["scan", &snapshot, "--format", "json"]);
    assert_eq!(ids(&offline), ids(&v), "the snapshot gives the live findings");
    // A distribution's extended support, given as a file, replaces the table.
    let table = write(&dir, "versions.txt", "# EKS extended support\n1.26 2023-04-11 2027-06-11\n1.30 2024-05-23 2027-07-23\n");
    let (_, v, _) = json_of(&["cluster", "--kubeconfig", &c.kubeconfig, "--format", "json", "--versions", &table]);
    assert!(!v["findings"].as_array().unwrap().iter().any(|f| f["rule"] == "VER001"), "supported under the file's table");
    let bad = write(&dir, "bad.txt", "1.30 soon never\n");
    let out = palisade(&["cluster", "--kubeconfig", &c.kubeconfig, "--versions", &bad], None);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("bad.txt:1:"), "{}", out.stderr);
}

#[test]
fn kubeconfigs_connect_as_kubectl_does_merged_files_exec_plugins_client_certs_and_insecure() {
    let c = cluster(vec![json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop"}})], Options::default(), "cluster-auth");
    let dir = tempdir("cluster-auth-configs");
    let objects = |out: &common::Out| -> u64 {
        let v: Value = serde_json::from_str(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}\n{}", out.stdout, out.stderr));
        v["coverage"]["objects"].as_u64().unwrap()
    };
    let full = c.server.kubeconfig(false);
    let (clusters_part, users_part) = full.split_once("users:\n").unwrap();
    // KUBECONFIG with two files, merged: clusters and contexts in one, the user in the other.
    let a = write(&dir, "a.yaml", format!("{clusters_part}users: []\n"));
    let b = write(&dir, "b.yaml", format!("apiVersion: v1\nkind: Config\nusers:\n{users_part}"));
    let merged = format!("{a}:{b}");
    let out = common::palisade_env(&["cluster", "--format", "json"], None, &[("KUBECONFIG", merged.as_str())]);
    assert_eq!(objects(&out), 1, "{}", out.stderr);

    // An exec credential plugin hands over the token.
    let plugin = write(&dir, "credential.sh", format!("#!/bin/sh\necho '{{\"apiVersion\": \"client.authentication.k8s.io/v1\", \"kind\": \"ExecCredential\", \"status\": {{\"token\": \"{}\"}}}}'\n", c.server.token));
    std::process::Command::new("chmod").args(["+x", &plugin]).status().unwrap();
    let exec = full.replace(&format!("    token: {}\n", c.server.token), &format!("    exec:\n      apiVersion: client.authentication.k8s.io/v1\n      command: {plugin}\n      interactiveMode: Never\n"));
    let exec = write(&dir, "exec.yaml", exec);
    let out = palisade(&["cluster", "--kubeconfig", &exec, "--format", "json"], None);
    assert_eq!(objects(&out), 1, "{}", out.stderr);

    // A client certificate.
    let cert = write(&dir, "cert.yaml", c.server.kubeconfig(true));
    assert_eq!(objects(&palisade(&["cluster", "--kubeconfig", &cert, "--format", "json"], None)), 1);

    // insecure-skip-tls-verify: no CA, a warning, and it works.
    let ca_line = full.lines().find(|l| l.contains("certificate-authority-data")).unwrap().to_string();
    let insecure = write(&dir, "insecure.yaml", full.replace(&ca_line, "    insecure-skip-tls-verify: true"));
    let out = palisade(&["cluster", "--kubeconfig", &insecure, "--format", "json"], None);
    assert_eq!(objects(&out), 1, "{}", out.stderr);
    assert!(out.stderr.contains("warning: insecure-skip-tls-verify is set"), "{}", out.stderr);
    // Without it and without the CA, the server's certificate is refused.
    let untrusted = write(&dir, "untrusted.yaml", full.replace(&ca_line, ""));
    let out = palisade(&["cluster", "--kubeconfig", &untrusted], None);
    assert_eq!(out.code, 2, "{}", out.stderr);

    // Neither a kubeconfig nor a cluster to be in.
    let home = dir.join("home").to_string_lossy().into_owned();
    let out = common::palisade_env(&["cluster"], None, &[("HOME", home.as_str()), ("KUBECONFIG", ""), ("KUBERNETES_SERVICE_HOST", "")]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("no kubeconfig"), "{}", out.stderr);
}

#[test]
fn user_policies_judge_a_live_cluster_as_they_judge_files() {
    let fixtures = repo().join("crates/palisade/tests/policies");
    let at = |f: &str| fixtures.join(f).display().to_string();
    // The input's objects and what the inventory file holds (a labelled Namespace, an Ingress
    // of another namespace) live in the cluster: the policies read them from it.
    let objects = objects_from_files(&[fixtures.join("input.yaml"), fixtures.join("inventory.yaml")]).unwrap();
    let c = cluster(objects, Options::default(), "cluster-policies");
    let mut policies = Vec::new();
    for f in ["template-labels.yaml", "constraint-labels.yaml", "template-unique-host.yaml", "vap.yaml"] {
        policies.extend(["--policies".to_string(), at(f)]);
    }
    let inventory = at("inventory.yaml");
    let mut args = vec!["cluster", "--kubeconfig", &c.kubeconfig, "--format", "json", "--no-config", "--select", "gatekeeper:,vap:"];
    args.extend(policies.iter().map(String::as_str));
    let (code, live, err) = json_of(&args);
    assert_eq!(code, 1, "{err}");
    let mut file_args = vec!["scan".to_string(), at("input.yaml"), "--format".into(), "json".into(), "--no-config".into(), "--select".into(), "gatekeeper:,vap:".into(), "--inventory".into(), inventory.clone()];
    file_args.extend(policies.iter().cloned());
    let (_, files, _) = json_of(&file_args.iter().map(String::as_str).collect::<Vec<_>>());
    let brief = |r: &Value| -> BTreeSet<String> { r["findings"].as_array().unwrap().iter().map(|f| format!("{} {} {} {}", f["rule"], f["action"], f["object"]["name"], f["message"])).collect() };
    // In the cluster web/shop is under review too, and its host is taken by promo/shop-copy,
    // as Gatekeeper's audit would say of both.
    let mut expected = brief(&files);
    expected.insert("\"gatekeeper:UniqueIngressHost/unique-hosts\" \"dryrun\" \"shop\" \"ingress host shop.example.com is taken by promo/shop-copy\"".into());
    assert_eq!(brief(&live), expected);
    assert_eq!(expected.len(), 7);
    assert!(err.contains("objects for the user policies' inventory"), "{err}");
}

#[test]
fn user_policies_are_for_the_api_servers_version_unless_told_otherwise() {
    // The sets library arrived in Kubernetes' CEL in 1.29, so API servers accept it in new
    // policies from 1.30.
    let vap = "apiVersion: admissionregistration.k8s.io/v1\nkind: ValidatingAdmissionPolicy\nmetadata:\n  name: ports\nspec:\n  matchConstraints:\n    resourceRules:\n      - apiGroups: [\"\"]\n        apiVersions: [v1]\n        operations: [CREATE]\n        resources: [services]\n  validations:\n    - expression: 'sets.contains([80, 443], object.spec.ports.map(p, p.port))'\n---\napiVersion: admissionregistration.k8s.io/v1\nkind: ValidatingAdmissionPolicyBinding\nmetadata:\n  name: ports\nspec:\n  policyName: ports\n  validationActions: [Deny]\n";
    let dir = tempdir("cluster-version-policies");
    let policy = write(&dir, "vap.yaml", vap);
    let run = |c: &Cluster, extra: &[&str]| {
        let mut args = vec!["cluster", "--kubeconfig", &c.kubeconfig, "--no-config", "--policies", &policy, "--format", "json", "-q"];
        args.extend(extra);
        palisade(&args, None)
    };
    let old = cluster(demo_objects(), Options { version: "v1.29.3".into(), ..Options::default() }, "cluster-v129");
    let out = run(&old, &[]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stdout.is_empty(), "nothing is scanned");
    assert!(out.stderr.contains("vap.yaml:13: ValidatingAdmissionPolicy ports: validation: `sets.contains` (sets library) is accepted by API servers from 1.30; the policies target 1.29"), "{}", out.stderr);
    assert!(out.stderr.contains("checked for Kubernetes 1.29, the API server's version"), "{}", out.stderr);
    // Said otherwise on the command line, the policies are for that version.
    let out = run(&old, &["--kubernetes-version", "1.30"]);
    assert!(out.code == 0 || out.code == 1, "{}", out.stderr);
    let findings = serde_json::from_str::<Value>(&out.stdout).unwrap()["findings"].as_array().unwrap().clone();
    assert!(findings.iter().any(|f| f["rule"] == "vap:ports"), "{findings:#?}");
    // A 1.33 API server takes them as they are.
    let current = cluster(demo_objects(), Options::default(), "cluster-v133");
    let out = run(&current, &[]);
    assert!(out.code == 0 || out.code == 1, "{}", out.stderr);
}

#[test]
fn a_live_html_report_shows_the_clusters_escalation_paths_network_and_images() {
    let c = cluster(demo_objects(), Options::default(), "cluster-html");
    let dir = tempdir("cluster-html-out");
    let page = dir.join("live.html");
    let out = palisade(&["cluster", "--kubeconfig", &c.kubeconfig, "--no-config", "--format", "html", "-o", page.to_str().unwrap()], None);
    assert_eq!(out.code, 1, "{}", out.stderr);
    let live = std::fs::read_to_string(&page).unwrap();
    let files = dir.join("files.html");
    palisade(&["scan", "examples/demo", "--no-config", "--format", "html", "-o", files.to_str().unwrap()], None);
    let files = std::fs::read_to_string(&files).unwrap();
    // The views of the live objects are those of their files: the same paths, workloads and
    // images (a section from its id to the next section).
    let section = |page: &str, id: &str| -> String {
        let start = page.find(&format!("<section id=\"{id}\"")).unwrap_or_else(|| panic!("no #{id}"));
        let rest = &page[start..];
        rest[..rest[1..].find("<section").map_or(rest.len(), |e| e + 1)].to_string()
    };
    for id in ["rbac", "network"] {
        assert_eq!(section(&live, id), section(&files, id), "#{id}");
    }
    assert!(section(&live, "inventory").contains("registry.example.com/shop/frontend:2.4.1"));
    assert!(!live.contains("<pre class=\"excerpt\""), "live objects have no source lines");
}
