//! The test server is only worth what real clients accept: these run the machine's real
//! `kubectl` against it (generated kubeconfig, TLS with its CA) and check that what it
//! serves reads back in table and JSON form — discovery both ways, pagination, selectors,
//! custom resources, client certificates, and the 401 and 403 answers.

use palisade_testserver::{Options, TestServer};
use serde_json::{json, Value};
use std::process::Command;

fn fixture() -> Vec<Value> {
    let mut objects = vec![
        json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop", "labels": {"team": "web"}}}),
        json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "ops"}}),
        json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": "shop", "labels": {"app": "web"}},
               "spec": {"template": {"spec": {"containers": [{"name": "web", "image": "nginx:1.25"}]}}}}),
        json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "db", "namespace": "shop"}, "data": {"password": "aHVudGVyMg=="}}),
        json!({"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition", "metadata": {"name": "widgets.acme.io"},
               "spec": {"group": "acme.io", "scope": "Namespaced", "names": {"kind": "Widget", "plural": "widgets", "singular": "widget"},
                        "versions": [{"name": "v1", "served": true, "storage": true}]}}),
        json!({"apiVersion": "acme.io/v1", "kind": "Widget", "metadata": {"name": "w1", "namespace": "ops"}}),
    ];
    for i in 0..7 {
        let ns = if i % 2 == 0 { "shop" } else { "ops" };
        objects.push(json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": format!("pod-{i}"), "namespace": ns, "labels": {"app": if i < 3 { "web" } else { "db" }}},
                            "spec": {"containers": [{"name": "c", "image": "busybox"}]}}));
    }
    objects
}

struct Kubectl {
    _dir: std::path::PathBuf,
    config: String,
}

impl Drop for Kubectl {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self._dir);
    }
}

impl Kubectl {
    fn new(server: &TestServer, client_cert: bool, name: &str) -> Kubectl {
        let dir = std::env::temp_dir().join(format!("palisade-testserver-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let config = dir.join("kubeconfig");
        std::fs::write(&config, server.kubeconfig(client_cert)).unwrap();
        Kubectl { _dir: dir, config: config.to_string_lossy().into_owned() }
    }

    /// (exit code, stdout, stderr)
    fn run(&self, args: &[&str]) -> (i32, String, String) {
        let out = Command::new("kubectl").arg("--kubeconfig").arg(&self.config).args(args).env("KUBECACHEDIR", format!("{}-cache", self.config)).output().expect("kubectl is on the machine");
        (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
    }

    fn json(&self, args: &[&str]) -> Value {
        let mut all = args.to_vec();
        all.extend(["-o", "json"]);
        let (code, out, err) = self.run(&all);
        assert_eq!(code, 0, "kubectl {args:?}: {err}");
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}"))
    }
}

fn names(list: &Value) -> Vec<String> {
    list["items"].as_array().unwrap().iter().map(|i| i["metadata"]["name"].as_str().unwrap().to_string()).collect()
}

#[test]
fn kubectl_reads_what_the_server_serves() {
    let server = TestServer::start(fixture(), Options { forbidden: vec!["secrets".into()], ..Options::default() }).unwrap();
    let k = Kubectl::new(&server, false, "token");

    let (code, table, err) = k.run(&["get", "pods", "-A"]);
    assert_eq!(code, 0, "{err}");
    let lines: Vec<&str> = table.lines().collect();
    assert!(lines[0].starts_with("NAMESPACE") && lines[0].contains("NAME") && lines[0].contains("AGE"), "{table}");
    assert_eq!(lines.len(), 8, "a header and 7 pods: {table}");
    assert!(table.lines().any(|l| l.starts_with("ops") && l.contains("pod-1")), "{table}");

    let list = k.json(&["get", "pods", "-n", "shop"]);
    assert_eq!(names(&list), ["pod-0", "pod-2", "pod-4", "pod-6"]);
    assert_eq!(list["items"][0]["kind"], "Pod", "kubectl fills in the kind the list items leave out");

    // Pagination: pages of 2, merged by kubectl; the server saw the continue tokens.
    let paged = k.json(&["get", "pods", "-A", "--chunk-size=2"]);
    assert_eq!(names(&paged).len(), 7);
    assert!(server.requests().iter().filter(|r| r.contains("/api/v1/pods") && r.contains("continue=")).count() >= 3, "{:?}", server.requests());

    // Selectors, in the order the server lists (namespace, then name).
    assert_eq!(names(&k.json(&["get", "pods", "-A", "-l", "app=web"])), ["pod-1", "pod-0", "pod-2"]);
    assert_eq!(names(&k.json(&["get", "pods", "-A", "-l", "app in (db),app!=web"])), ["pod-3", "pod-5", "pod-4", "pod-6"]);
    assert_eq!(names(&k.json(&["get", "pods", "-A", "--field-selector", "metadata.name=pod-3"])), ["pod-3"]);
    assert_eq!(names(&k.json(&["get", "namespaces", "-l", "team"])), ["shop"]);

    // One object, a custom resource its CRD declares, and a cluster-scoped list.
    let web = k.json(&["get", "deployment", "web", "-n", "shop"]);
    assert_eq!(web["spec"]["template"]["spec"]["containers"][0]["image"], "nginx:1.25");
    assert_eq!(names(&k.json(&["get", "widgets.acme.io", "-A"])), ["w1"]);
    let (code, _, err) = k.run(&["get", "deployment", "nope", "-n", "shop"]);
    assert_eq!(code, 1);
    assert!(err.contains("\"nope\" not found"), "{err}");

    // 403 comes back as kubectl shows the API server's own message.
    let (code, _, err) = k.run(&["get", "secrets", "-A"]);
    assert_eq!(code, 1);
    assert!(err.contains("secrets is forbidden: User \"palisade\" cannot list resource \"secrets\""), "{err}");

    let (code, out, err) = k.run(&["api-resources", "--no-headers"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.lines().any(|l| l.starts_with("deployments") && l.contains("apps/v1") && l.contains("true") && l.contains("Deployment")), "{out}");
    assert!(out.lines().any(|l| l.starts_with("widgets") && l.contains("acme.io/v1")), "{out}");
    let version = k.json(&["version"]);
    assert_eq!(version["serverVersion"]["gitVersion"], "v1.33.2");
}

#[test]
fn legacy_discovery_client_certificates_and_bad_credentials() {
    let server = TestServer::start(fixture(), Options { aggregated_discovery: false, version: "v1.27.9".into(), ..Options::default() }).unwrap();
    let k = Kubectl::new(&server, true, "cert");
    assert_eq!(names(&k.json(&["get", "widgets", "-n", "ops"])), ["w1"], "found through /apis/acme.io/v1");
    assert!(server.requests().iter().any(|r| r.starts_with("GET /apis/acme.io/v1") && !r.contains("widgets")), "legacy discovery was used: {:?}", server.requests());
    assert_eq!(names(&k.json(&["get", "secrets", "-n", "shop"])), ["db"], "a client certificate authenticates");

    let bad = TestServer::start(Vec::new(), Options { token: "another".into(), ..Options::default() }).unwrap();
    let mut config = bad.kubeconfig(false);
    config = config.replace("token: another", "token: wrong");
    let dir = std::env::temp_dir().join(format!("palisade-testserver-bad-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("kubeconfig"), config).unwrap();
    let out = Command::new("kubectl").arg("--kubeconfig").arg(dir.join("kubeconfig")).args(["get", "pods"]).output().unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    assert_ne!(out.status.code(), Some(0));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("Unauthorized") || err.contains("must be logged in"), "{err}");
}

#[test]
fn watches_stream_changes_bookmarks_and_410_after_compaction() {
    let server = TestServer::start(fixture(), Options { bookmark_interval: std::time::Duration::from_millis(200), ..Options::default() }).unwrap();
    let k = Kubectl::new(&server, false, "watch");
    let from = server.resource_version();
    // A watch from now: the changes made while it is open, with bookmarks in between.
    let config = k.config.clone();
    let watcher = std::thread::spawn(move || {
        let path = format!("/api/v1/namespaces/shop/pods?watch=1&resourceVersion={from}&allowWatchBookmarks=true&timeoutSeconds=2");
        let out = Command::new("kubectl").arg("--kubeconfig").arg(&config).args(["get", "--raw", &path]).output().unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    });
    std::thread::sleep(std::time::Duration::from_millis(500));
    server.apply(json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "new", "namespace": "shop"}, "spec": {"containers": []}})).unwrap();
    server.apply(json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "elsewhere", "namespace": "ops"}, "spec": {"containers": []}})).unwrap();
    assert!(server.delete("v1", "Pod", "shop", "pod-0"));
    let events: Vec<Value> = watcher.join().unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let changes: Vec<(String, String)> = events
        .iter()
        .filter(|e| e["type"] != "BOOKMARK")
        .map(|e| (e["type"].as_str().unwrap().to_string(), e["object"]["metadata"]["name"].as_str().unwrap().to_string()))
        .collect();
    assert_eq!(changes, [("ADDED".to_string(), "new".to_string()), ("DELETED".to_string(), "pod-0".to_string())], "only shop's pods: {events:?}");
    let bookmarks: Vec<&Value> = events.iter().filter(|e| e["type"] == "BOOKMARK").collect();
    assert!(!bookmarks.is_empty(), "bookmarks were asked for");
    assert!(bookmarks.last().unwrap()["object"]["metadata"]["resourceVersion"].as_str().unwrap().parse::<u64>().unwrap() > from);

    // From a resourceVersion the server has compacted away: 410 Gone, as an ERROR event.
    server.compact();
    let (_, out, _) = k.run(&["get", "--raw", &format!("/api/v1/pods?watch=1&resourceVersion={from}&timeoutSeconds=1")]);
    let event: Value = serde_json::from_str(out.lines().next().unwrap()).unwrap();
    assert_eq!((event["type"].as_str(), event["object"]["code"].as_u64(), event["object"]["reason"].as_str()), (Some("ERROR"), Some(410), Some("Expired")));
    // kubectl's own watch lists, then follows from the list's resourceVersion.
    let config = k.config.clone();
    let follow = std::thread::spawn(move || {
        let out = Command::new("kubectl").arg("--kubeconfig").arg(&config).args(["get", "pods", "-n", "ops", "--watch", "--request-timeout=2s", "-o", "name"]).output().unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    });
    std::thread::sleep(std::time::Duration::from_millis(700));
    server.apply(json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "late", "namespace": "ops"}, "spec": {"containers": []}})).unwrap();
    let seen = follow.join().unwrap();
    assert!(seen.lines().any(|l| l == "pod/pod-1") && seen.lines().any(|l| l == "pod/late"), "{seen}");
}
