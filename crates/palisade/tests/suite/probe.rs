//! End-to-end tests of `palisade probe` against a real etcd (Debian's `etcd-server`, which
//! `scripts/test` installs) started on random loopback ports — open, and with TLS client-
//! certificate authentication — and against stand-in kubelet, API server and dashboard
//! servers (`palisade_testserver::canned`) answering as the real ones answer strangers.

use crate::common;

use common::{palisade, tempdir};
use palisade_testserver::canned::Canned;
use serde_json::Value;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const SECRET: &str = "TOP-SECRET-VALUE-do-not-print";

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// A real etcd on loopback, killed when dropped.
struct Etcd {
    child: Child,
    client: u16,
    peer: u16,
    _dir: common::TempDir,
}

impl Drop for Etcd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn etcd_binary() -> String {
    for candidate in ["etcd", "/usr/bin/etcd", "/usr/local/bin/etcd"] {
        if Command::new(candidate).arg("--version").stdout(Stdio::null()).stderr(Stdio::null()).status().is_ok_and(|s| s.success()) {
            return candidate.to_string();
        }
    }
    panic!("etcd is not installed: `scripts/test` installs Debian's etcd-server");
}

/// Starts etcd: plain HTTP, or HTTPS requiring client certificates signed by the test CA.
fn start_etcd(name: &str, certs: Option<&palisade_testserver::tls::Certs>) -> Etcd {
    let dir = tempdir(name);
    let (client, peer) = (free_port(), free_port());
    let scheme = if certs.is_some() { "https" } else { "http" };
    let client_url = format!("{scheme}://127.0.0.1:{client}");
    let peer_url = format!("http://127.0.0.1:{peer}");
    let mut cmd = Command::new(etcd_binary());
    cmd.args(["--name", name, "--data-dir", dir.join("data").to_str().unwrap()])
        .args(["--listen-client-urls", &client_url, "--advertise-client-urls", &client_url])
        .args(["--listen-peer-urls", &peer_url, "--initial-advertise-peer-urls", &peer_url])
        .args(["--initial-cluster", &format!("{name}={peer_url}"), "--enable-v2=true", "--log-level", "error"]);
    if let Some(c) = certs {
        for (file, pem) in [("server.crt", &c.server_cert_pem), ("server.key", &c.server_key_pem), ("ca.crt", &c.ca_pem)] {
            std::fs::write(dir.join(file), pem).unwrap();
        }
        cmd.args(["--cert-file", dir.join("server.crt").to_str().unwrap(), "--key-file", dir.join("server.key").to_str().unwrap()])
            .args(["--client-cert-auth", "--trusted-ca-file", dir.join("ca.crt").to_str().unwrap()]);
    }
    let child = cmd.stdout(Stdio::null()).stderr(Stdio::piped()).spawn().unwrap();
    let etcd = Etcd { child, client, peer, _dir: dir };
    let start = Instant::now();
    while TcpStream::connect(("127.0.0.1", client)).is_err() {
        assert!(start.elapsed() < Duration::from_secs(30), "etcd did not start on {client}");
        std::thread::sleep(Duration::from_millis(50));
    }
    // Ready when it serves (or, with TLS, when the port has been open a moment).
    if certs.is_none() {
        while !post(client, "/v3/kv/range", r#"{"key":"AA==","count_only":true}"#).contains("header") {
            assert!(start.elapsed() < Duration::from_secs(30), "etcd did not answer");
            std::thread::sleep(Duration::from_millis(50));
        }
    } else {
        std::thread::sleep(Duration::from_millis(500));
    }
    etcd
}

/// A plain-HTTP POST (to put fixture keys into the open etcd).
fn post(port: u16, path: &str, body: &str) -> String {
    let Ok(mut s) = TcpStream::connect(("127.0.0.1", port)) else { return String::new() };
    let _ = write!(s, "POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}", body.len());
    let mut out = String::new();
    let _ = s.read_to_string(&mut out);
    out
}

fn b64(text: &str) -> String {
    palisade_testserver::base64(text.as_bytes())
}

fn probe(args: &[&str]) -> (i32, Value, String) {
    let mut all = vec!["probe", "--format", "json"];
    all.extend_from_slice(args);
    let out = palisade(&all, None);
    let v = serde_json::from_str(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}\n{}", out.stdout, out.stderr));
    (out.code, v, out.stdout)
}

fn findings<'a>(report: &'a Value, rule: &str) -> Vec<&'a Value> {
    report["findings"].as_array().unwrap().iter().filter(|f| f["rule"] == rule).collect()
}

/// Every finding about one endpoint (`127.0.0.1:PORT`).
fn on_endpoint<'a>(report: &'a Value, name: &str) -> Vec<&'a Value> {
    report["findings"].as_array().unwrap().iter().filter(|f| f["object"]["name"] == name).collect()
}

fn endpoint(report: &Value, port: u16) -> &Value {
    report["probe"]["endpoints"].as_array().unwrap().iter().find(|e| e["port"] == port).unwrap_or_else(|| panic!("no endpoint on {port}: {}", report["probe"]))
}

#[test]
fn an_open_etcd_is_critical_with_evidence_and_no_value_is_printed() {
    let etcd = start_etcd("etcd-open", None);
    for key in ["/registry/secrets/shop/db", "/registry/secrets/shop/api", "/registry/pods/shop/web"] {
        let put = post(etcd.client, "/v3/kv/put", &format!(r#"{{"key":"{}","value":"{}"}}"#, b64(key), b64(SECRET)));
        assert!(put.contains("header"), "{put}");
    }
    let (client, peer) = (format!("127.0.0.1:{}", etcd.client), format!("127.0.0.1:{}", etcd.peer));
    let (code, report, raw) = probe(&[&client, &peer]);
    assert_eq!(code, 1);
    assert_eq!(endpoint(&report, etcd.client)["service"], "etcd");
    assert_eq!(endpoint(&report, etcd.peer)["service"], "etcd-peer");
    let open = findings(&report, "EXP001");
    let v3 = open.iter().find(|f| f["path"].as_str().unwrap().contains("etcd.v3")).expect("v3 readable");
    assert_eq!(v3["severity"], "critical");
    let message = v3["message"].as_str().unwrap();
    assert!(message.contains("(3 keys)") && message.contains("(2 keys under /registry/secrets/)"), "{message}");
    assert!(open.iter().any(|f| f["message"].as_str().unwrap().contains("v2 keys API")), "the v2 API is on: {open:?}");
    let exposed: Vec<&str> = findings(&report, "EXP002").iter().map(|f| f["message"].as_str().unwrap()).collect();
    assert!(exposed.iter().any(|m| m.contains("metrics")) && exposed.iter().any(|m| m.contains("peer port")), "{exposed:?}");
    assert!(report["findings"].as_array().unwrap().iter().any(|f| f["controls"].as_array().unwrap().iter().any(|c| c == "cis-1.12:2.2")));
    assert!(!raw.contains(SECRET) && !raw.contains(&b64(SECRET)), "a value was printed");
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(common::repo().join("schema/report.schema.json")).unwrap()).unwrap();
    let validator = jsonschema::options().should_validate_formats(false).build(&schema).unwrap();
    let errors: Vec<String> = validator.iter_errors(&report).map(|e| format!("{e} at {}", e.instance_path())).collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let table = palisade(&["probe", &client], None);
    assert!(table.stdout.contains("EXP001") && !table.stdout.contains(SECRET), "{}", table.stdout);
    assert!(table.stderr.contains("1 open, 0 closed") && table.stderr.contains(&format!("{client:<22} etcd")), "{}", table.stderr);
}

#[test]
fn an_etcd_that_requires_client_certificates_shows_its_tls_facts_and_nothing_more() {
    let certs = palisade_testserver::tls::generate();
    let etcd = start_etcd("etcd-mtls", Some(&certs));
    let (code, report, _) = probe(&[&format!("127.0.0.1:{}", etcd.client)]);
    let ep = endpoint(&report, etcd.client);
    assert_eq!(ep["scheme"], "https");
    let tls = &ep["tls"];
    assert_eq!(tls["client_certificate"], "required", "{tls}");
    assert!(tls["certificate"]["subject"].as_str().unwrap().contains("palisade-testserver"), "{tls}");
    assert!(tls["certificate"]["sans"].as_array().unwrap().iter().any(|s| s == "127.0.0.1"), "{tls}");
    assert!(tls["certificate"]["issuer"].as_str().unwrap().contains("palisade-testserver-ca"));
    assert_eq!(tls["certificate"]["self_signed"], false);
    assert_eq!(tls["certificate"]["expired"], false);
    assert!(ep["checks"].as_object().unwrap().is_empty(), "nothing was readable: {}", ep["checks"]);
    assert!(findings(&report, "EXP001").is_empty() && findings(&report, "EXP002").is_empty(), "{}", report["findings"]);
    assert_eq!(code, 0, "{}", report["findings"]);
}

const POD_LIST: &str = r#"{"kind":"PodList","apiVersion":"v1","items":[{"metadata":{"name":"web"}},{"metadata":{"name":"db","annotations":{"token":"TOP-SECRET-VALUE-do-not-print"}}}]}"#;

#[test]
fn stand_in_kubelets_api_servers_and_dashboards_are_judged_both_ways() {
    let careless_kubelet = Canned::start(&[("/pods", 200, POD_LIST), ("/runningpods/", 200, POD_LIST), ("/configz", 200, r#"{"kubeletconfig":{}}"#), ("/metrics", 200, "kubelet_running_pods 2\n"), ("/healthz", 200, "ok")], true);
    let read_only = Canned::start(&[("/pods", 200, POD_LIST), ("/healthz", 200, "ok")], false);
    let hardened_kubelet = Canned::start(&[("/pods", 401, "Unauthorized"), ("/runningpods/", 401, "Unauthorized"), ("/configz", 401, "Unauthorized"), ("/metrics", 401, "Unauthorized"), ("/healthz", 200, "ok")], true);
    let version = r#"{"major":"1","minor":"33","gitVersion":"v1.33.2"}"#;
    let api = r#"{"kind":"APIVersions","versions":["v1"]}"#;
    let forbidden = r#"{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"Forbidden","code":403}"#;
    let secrets = r#"{"kind":"SecretList","items":[{"metadata":{"name":"db"},"data":{"password":"VE9QLVNFQ1JFVA=="}}]}"#;
    let careless_api = Canned::start(&[("/version", 200, version), ("/api", 200, api), ("/apis", 200, r#"{"kind":"APIGroupList","groups":[]}"#), ("/healthz", 200, "ok"), ("/api/v1/namespaces", 200, r#"{"kind":"NamespaceList","items":[{},{}]}"#), ("/api/v1/pods", 403, forbidden), ("/api/v1/secrets", 200, secrets)], true);
    let hardened_api = Canned::start(&[("/version", 200, version), ("/api", 403, forbidden), ("/apis", 403, forbidden), ("/healthz", 200, "ok"), ("/api/v1/namespaces", 403, forbidden), ("/api/v1/pods", 403, forbidden), ("/api/v1/secrets", 403, forbidden)], true);
    // anonymous-auth=false: even /version is refused, with a JSON Status.
    let unauthorized = r#"{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"Unauthorized","code":401}"#;
    let locked_api = Canned::start(&[("/version", 401, unauthorized), ("/api", 401, unauthorized), ("/api/v1/secrets", 401, unauthorized)], true);
    let insecure_api = Canned::start(&[("/version", 200, version), ("/api", 200, api), ("/api/v1/secrets", 200, secrets)], false);
    let dashboard = Canned::start(&[("/", 200, "<!doctype html><html><head><title>Kubernetes Dashboard</title></head><body><kd-root></kd-root></body></html>"), ("/api/v1/login/status", 200, r#"{"tokenPresent":false}"#), ("/api/v1/namespace", 200, r#"{"namespaces":[{"name":"default"},{"name":"shop"}]}"#)], false);
    let at = |c: &Canned| format!("127.0.0.1:{}", c.addr.port());
    let (code, report, raw) = probe(&[&at(&careless_kubelet), &at(&read_only), &at(&hardened_kubelet), &at(&careless_api), &at(&hardened_api), &at(&locked_api), &at(&insecure_api), &at(&dashboard)]);
    assert_eq!(code, 1);
    let service = |c: &Canned| endpoint(&report, c.addr.port())["service"].as_str().unwrap().to_string();
    assert_eq!([service(&careless_kubelet), service(&read_only), service(&hardened_kubelet)], ["kubelet", "kubelet-read-only", "kubelet"]);
    assert_eq!([service(&careless_api), service(&hardened_api), service(&locked_api), service(&insecure_api), service(&dashboard)], ["kube-apiserver", "kube-apiserver", "kube-apiserver", "kube-apiserver-insecure", "dashboard"]);
    assert!(on_endpoint(&report, &at(&locked_api)).is_empty());
    let on = |rule: &str, c: &Canned| findings(&report, rule).into_iter().filter(|f| f["object"]["name"] == at(c)).map(|f| f["message"].as_str().unwrap().to_string()).collect::<Vec<_>>();
    let kubelet = on("EXP003", &careless_kubelet);
    assert_eq!(kubelet.len(), 4, "{kubelet:?}");
    assert!(kubelet.iter().any(|m| m.contains("(2 pods, with their specs)")), "{kubelet:?}");
    assert!(on("EXP003", &hardened_kubelet).is_empty());
    assert_eq!(on("EXP004", &read_only).len(), 1);
    let api_findings = on("EXP005", &careless_api);
    assert!(api_findings.iter().any(|m| m.contains("lists Secrets") && m.contains("(1 secrets listed)")), "{api_findings:?}");
    assert!(api_findings.iter().any(|m| m.contains("lists Namespaces")) && !api_findings.iter().any(|m| m.contains("lists Pods")), "{api_findings:?}");
    assert!(on("EXP005", &hardened_api).is_empty(), "{:?}", on("EXP005", &hardened_api));
    assert_eq!(on("EXP006", &insecure_api).len(), 1);
    assert!(on("EXP007", &dashboard)[0].contains("without a login"));
    let https = endpoint(&report, careless_kubelet.addr.port());
    assert_eq!(https["tls"]["client_certificate"], "requested", "the stand-in asks for a certificate but does not require one");
    let listed = palisade(&["probe", &at(&careless_kubelet)], None).stderr;
    assert!(listed.contains("kubelet") && listed.contains("client certificate requested") && listed.contains("CN=palisade-testserver"), "{listed}");
    assert!(!raw.contains(SECRET) && !raw.contains("VE9QLVNFQ1JFVA=="), "no value is printed");
    for c in [&careless_kubelet, &read_only, &hardened_kubelet, &careless_api, &hardened_api, &locked_api, &insecure_api, &dashboard] {
        assert!(c.requests().iter().all(|r| r.starts_with("GET ")), "read-only requests only: {:?}", c.requests());
    }
}

#[test]
fn an_open_port_that_speaks_neither_http_nor_tls_is_listed_as_tcp() {
    // A banner-first service (as SSH is): it talks, but not HTTP, and drops TLS.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let mut s = stream;
            let _ = s.write_all(b"SSH-2.0-OpenSSH_9.2\r\n");
            let mut buf = [0u8; 512];
            let _ = s.read(&mut buf);
        }
    });
    let (code, report, _) = probe(&[&format!("127.0.0.1:{port}"), "--timeout", "1s"]);
    let ep = endpoint(&report, port);
    assert_eq!((ep["scheme"].as_str(), ep["service"].as_str()), (Some("tcp"), Some("unknown")), "{ep}");
    assert!(ep["note"].as_str().unwrap().contains("neither HTTP nor TLS"));
    assert_eq!(code, 0);
}

#[test]
fn closed_ports_ranges_and_bad_targets() {
    let closed = free_port().to_string();
    let (code, report, _) = probe(&["127.0.0.1", "--ports", &closed]);
    assert_eq!(code, 0);
    assert_eq!((report["probe"]["probed"].as_u64(), report["probe"]["closed"].as_u64()), (Some(1), Some(1)));
    let (_, range, _) = probe(&["127.0.0.0/30", "--ports", &closed]);
    assert_eq!(range["probe"]["probed"], 2, "a /30 holds two hosts");
    let out = palisade(&["probe", "10.0.0.0/8"], None);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("10.0.0.0/8") && out.stderr.contains("--force"), "{}", out.stderr);
    let out = palisade(&["probe", "127.0.0.1:notaport"], None);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("notaport"), "{}", out.stderr);
    let out = palisade(&["probe", "127.0.0.1", "--timeout", "0s"], None);
    assert_eq!(out.code, 2, "{}", out.stderr);
}
