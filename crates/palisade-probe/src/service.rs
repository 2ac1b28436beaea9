//! One endpoint: open it (TCP, then TLS if it speaks TLS, else plain HTTP), learn what
//! answers from its replies, and ask that component the anonymous, read-only questions a
//! stranger would. Each answer is recorded with its status and evidence (counts and
//! versions — never a value).

use crate::http::{self, Response};
use crate::target::{expected, Endpoint};
use crate::tls;
use crate::Options;
use palisade_core::encoding::base64;
use serde_json::{json, Map, Value};
use std::sync::atomic::Ordering;
use std::sync::Arc;
use tokio::net::TcpStream;
use tokio::time::timeout;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Scheme {
    Plain,
    Tls,
}

/// How to talk to an open endpoint.
struct Conn<'a> {
    ep: &'a Endpoint,
    scheme: Scheme,
    options: &'a Options,
}

/// The rustls error inside an I/O error, if any.
fn tls_error(e: &std::io::Error) -> Option<&rustls::Error> {
    e.get_ref().and_then(|i| i.downcast_ref::<rustls::Error>())
}

/// Whether an error is the server refusing a client without a certificate.
fn certificate_refused(e: &std::io::Error) -> bool {
    use rustls::AlertDescription as A;
    matches!(tls_error(e), Some(rustls::Error::AlertReceived(A::CertificateRequired | A::BadCertificate | A::HandshakeFailure | A::UnknownCA | A::CertificateUnknown | A::AccessDenied)))
}

fn server_name(ep: &Endpoint) -> rustls::pki_types::ServerName<'static> {
    rustls::pki_types::ServerName::try_from(ep.host.clone()).unwrap_or_else(|_| rustls::pki_types::ServerName::IpAddress(ep.addr.ip().into()))
}

impl Conn<'_> {
    /// One request on a fresh connection.
    async fn ask(&self, method: &str, path: &str, body: Option<&str>) -> Result<Response, String> {
        let host = self.ep.host.as_str();
        let work = async {
            let tcp = connect(self.ep, self.options).await?;
            match self.scheme {
                Scheme::Plain => {
                    let mut s = tcp;
                    http::request(&mut s, method, host, path, body).await
                }
                Scheme::Tls => {
                    let config = tls::config(Arc::new(tls::Seen::default()));
                    let mut s = tokio_rustls::TlsConnector::from(config).connect(server_name(self.ep), tcp).await?;
                    http::request(&mut s, method, host, path, body).await
                }
            }
        };
        match timeout(self.options.timeout, work).await {
            Ok(Ok(r)) => Ok(r),
            Ok(Err(e)) => Err(e.to_string()),
            Err(_) => Err(format!("no answer within {:?}", self.options.timeout)),
        }
    }

    async fn get(&self, path: &str) -> Result<Response, String> {
        self.ask("GET", path, None).await
    }
}

/// One question and its answer, for the Endpoint's `checks`.
fn record(checks: &mut Map<String, Value>, name: &str, request: &str, answer: &Result<Response, String>, evidence: Option<String>) {
    let entry = match answer {
        Ok(r) => json!({"request": request, "status": r.status, "anonymous": r.ok(), "evidence": evidence}),
        Err(e) => json!({"request": request, "status": null, "anonymous": false, "error": e}),
    };
    checks.insert(name.to_string(), entry);
}

/// How many `items` a list answer holds.
fn items(r: &Result<Response, String>) -> Option<usize> {
    r.as_ref().ok().filter(|r| r.ok()).and_then(Response::json).and_then(|v| v.get("items").and_then(Value::as_array).map(Vec::len))
}

/// A success whose body is not what the API answers (a catch-all page) counts as not found.
fn not_really(mut r: Response, is_the_api: bool) -> Response {
    if r.ok() && !is_the_api {
        r.status = 404;
    }
    r
}

/// etcd's v3 gateway: how many keys in `[key, range_end)`, counted by the server.
async fn etcd_count(conn: &Conn<'_>, key: &[u8], range_end: &[u8]) -> (Result<Response, String>, Option<u64>) {
    let body = json!({"key": base64(key), "range_end": base64(range_end), "count_only": true}).to_string();
    let r = conn.ask("POST", "/v3/kv/range", Some(&body)).await;
    let count = r.as_ref().ok().filter(|r| r.ok()).and_then(Response::json).filter(|v| v.get("header").is_some()).map(|v| match &v["count"] {
        Value::String(s) => s.parse().unwrap_or(0),
        Value::Number(n) => n.as_u64().unwrap_or(0),
        _ => 0,
    });
    (r, count)
}

/// etcd's client port: the v3 gateway, the v2 API, metrics. Returns false when the port is
/// etcd's peer port instead (no gateway, but `/members`).
async fn etcd(conn: &Conn<'_>, checks: &mut Map<String, Value>) -> bool {
    let (all, keys) = etcd_count(conn, b"\0", b"\0").await;
    if all.as_ref().is_ok_and(|r| r.status == 404) {
        let members = conn.get("/members").await;
        let n = members.as_ref().ok().filter(|r| r.ok()).and_then(Response::json).and_then(|v| v.as_array().map(Vec::len));
        if n.is_some() {
            record(checks, "etcd.members", "GET /members", &members, n.map(|n| format!("{n} members listed")));
            return false;
        }
    }
    record(checks, "etcd.v3", "POST /v3/kv/range (count only, every key)", &all, keys.map(|k| format!("{k} keys")));
    if keys.is_some() {
        let (secrets, n) = etcd_count(conn, b"/registry/secrets/", b"/registry/secrets0").await;
        record(checks, "etcd.v3_secrets", "POST /v3/kv/range (count only, /registry/secrets/)", &secrets, n.map(|n| format!("{n} keys under /registry/secrets/")));
    }
    let v2 = conn.get("/v2/keys/").await;
    let v2_nodes = v2.as_ref().ok().filter(|r| r.ok()).and_then(Response::json).and_then(|v| v["node"]["nodes"].as_array().map(Vec::len).or(v.get("node").map(|_| 0)));
    let v2 = v2.map(|r| not_really(r, v2_nodes.is_some()));
    record(checks, "etcd.v2", "GET /v2/keys/", &v2, v2_nodes.map(|n| format!("{n} top-level keys")));
    let metrics = conn.get("/metrics").await;
    let is_metrics = metrics.as_ref().is_ok_and(|r| r.ok() && r.text().contains("etcd_"));
    record(checks, "etcd.metrics", "GET /metrics", &metrics, is_metrics.then(|| "etcd_* metrics".to_string()));
    true
}

async fn kubelet(conn: &Conn<'_>, checks: &mut Map<String, Value>) {
    let pods = conn.get("/pods").await;
    let n = items(&pods);
    record(checks, "kubelet.pods", "GET /pods", &pods, n.map(|n| format!("{n} pods, with their specs")));
    for (name, path) in [("kubelet.runningpods", "/runningpods/"), ("kubelet.configz", "/configz"), ("kubelet.metrics", "/metrics"), ("kubelet.healthz", "/healthz")] {
        let r = conn.get(path).await;
        record(checks, name, &format!("GET {path}"), &r, None);
    }
}

async fn apiserver(conn: &Conn<'_>, checks: &mut Map<String, Value>, version: &Result<Response, String>) {
    let git = version.as_ref().ok().and_then(Response::json).and_then(|v| v["gitVersion"].as_str().map(str::to_string));
    record(checks, "api.version", "GET /version", version, git);
    for (name, path) in [("api.api", "/api"), ("api.apis", "/apis"), ("api.healthz", "/healthz")] {
        let r = conn.get(path).await;
        record(checks, name, &format!("GET {path}"), &r, None);
    }
    for (name, path, what) in [("api.namespaces", "/api/v1/namespaces?limit=500", "namespaces"), ("api.pods", "/api/v1/pods?limit=500", "pods"), ("api.secrets", "/api/v1/secrets?limit=500", "secrets")] {
        let r = conn.get(path).await;
        let n = items(&r);
        record(checks, name, &format!("GET {}", path.split('?').next().unwrap_or(path)), &r, n.map(|n| format!("{n} {what} listed")));
    }
}

async fn component(conn: &Conn<'_>, checks: &mut Map<String, Value>) {
    for (name, path) in [("component.healthz", "/healthz"), ("component.metrics", "/metrics"), ("component.configz", "/configz")] {
        let r = conn.get(path).await;
        record(checks, name, &format!("GET {path}"), &r, None);
    }
}

async fn dashboard(conn: &Conn<'_>, checks: &mut Map<String, Value>) {
    let status = conn.get("/api/v1/login/status").await;
    record(checks, "dashboard.login_status", "GET /api/v1/login/status", &status, None);
    let namespaces = conn.get("/api/v1/namespace").await;
    let n = namespaces.as_ref().ok().filter(|r| r.ok()).and_then(Response::json).and_then(|v| v["namespaces"].as_array().map(Vec::len));
    let namespaces = namespaces.map(|r| not_really(r, n.is_some()));
    record(checks, "dashboard.namespaces", "GET /api/v1/namespace", &namespaces, n.map(|n| format!("{n} namespaces listed")));
}

/// The TLS facts of an endpoint, and whether it refused us for lack of a client certificate.
async fn handshake(ep: &Endpoint, options: &Options) -> Result<(Value, Result<Response, String>), std::io::Error> {
    let seen = Arc::new(tls::Seen::default());
    let tcp = connect(ep, options).await?;
    let connected = timeout(options.timeout, tokio_rustls::TlsConnector::from(tls::config(seen.clone())).connect(server_name(ep), tcp)).await.map_err(|_| std::io::Error::from(std::io::ErrorKind::TimedOut))?;
    let facts = |version: Option<String>, refused: bool| {
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0);
        let cert = seen.certificate.lock().unwrap_or_else(|e| e.into_inner()).clone();
        let asked = seen.client_certificate_asked.load(Ordering::Relaxed);
        json!({
            "version": version,
            "certificate": cert.map(|c| tls::certificate_facts(&c, now)),
            "client_certificate": if refused { "required" } else if asked { "requested" } else { "not requested" },
        })
    };
    match connected {
        Ok(mut stream) => {
            let version = stream.get_ref().1.protocol_version().map(|v| format!("{v:?}").replace('_', "."));
            let answer = timeout(options.timeout, http::request(&mut stream, "GET", &ep.host, "/version", None)).await;
            let answer = match answer {
                Ok(Ok(r)) => Ok(r),
                Ok(Err(e)) if certificate_refused(&e) => return Ok((facts(version, true), Err(e.to_string()))),
                Ok(Err(e)) => Err(e.to_string()),
                Err(_) => Err("no answer in time".to_string()),
            };
            Ok((facts(version, false), answer))
        }
        Err(e) if certificate_refused(&e) && seen.certificate.lock().map(|c| c.is_some()).unwrap_or(false) => Ok((facts(None, true), Err(e.to_string()))),
        Err(e) => Err(e),
    }
}

/// A TCP connection within the connect timeout. Running out of file descriptors is waited
/// out (other probes finish and free theirs), not taken for a closed port.
async fn connect(ep: &Endpoint, options: &Options) -> std::io::Result<TcpStream> {
    let mut tries = 0;
    loop {
        match timeout(options.connect_timeout, TcpStream::connect(ep.addr)).await {
            Err(_) => return Err(std::io::Error::from(std::io::ErrorKind::TimedOut)),
            Ok(Err(e)) if e.raw_os_error() == Some(24) && tries < 200 => {
                tries += 1;
                tokio::time::sleep(std::time::Duration::from_millis(25)).await;
            }
            Ok(result) => return result,
        }
    }
}

/// Whether a connection error means nothing listens there (refused, unreachable, silent).
fn closed(e: &std::io::Error) -> bool {
    use std::io::ErrorKind as K;
    matches!(e.kind(), K::ConnectionRefused | K::TimedOut | K::HostUnreachable | K::NetworkUnreachable | K::ConnectionReset | K::AddrNotAvailable)
        || matches!(e.raw_os_error(), Some(101 | 110 | 111 | 113))
}

/// The Endpoint object of an open endpoint, `None` when it is closed, or why it could not
/// be probed.
pub async fn describe(ep: &Endpoint, options: &Options) -> Result<Option<Value>, String> {
    let mut tcp = match connect(ep, options).await {
        Ok(tcp) => tcp,
        Err(e) if closed(&e) => return Ok(None),
        Err(e) => return Err(format!("cannot connect: {e}")),
    };
    let mut checks = Map::new();
    // Plain HTTP first, on the connection that found the port open: a TLS server drops a
    // plaintext request at once (Go's answers "Client sent an HTTP request to an HTTPS
    // server"), while a plain server may wait silently on a TLS ClientHello until the timeout.
    let plain = match timeout(options.timeout, http::request(&mut tcp, "GET", &ep.host, "/version", None)).await {
        Ok(answer) => answer.map_err(|e| e.to_string()),
        Err(_) => Err(format!("no answer within {:?}", options.timeout)),
    };
    drop(tcp);
    let speaks_plain = plain.as_ref().is_ok_and(|r| !(r.status == 400 && r.text().contains("HTTPS")));
    let (scheme, tls_facts, version) = if speaks_plain {
        (Scheme::Plain, None, plain)
    } else {
        match handshake(ep, options).await {
            Ok((facts, answer)) => (Scheme::Tls, Some(facts), answer),
            // Open, but neither HTTP nor TLS answers (SSH, a database, a silent service).
            Err(e) => return Ok(Some(object(ep, "tcp", None, "unknown", Map::new(), Some(format!("neither HTTP nor TLS: {e}"))))),
        }
    };
    let refused = tls_facts.as_ref().is_some_and(|t| t["client_certificate"] == "required");
    let conn = Conn { ep, scheme, options };
    let expected = expected(ep.addr.port());
    let version_json = version.as_ref().ok().and_then(Response::json);
    let service = if refused {
        // Nothing more is asked of a server that wants a client certificate.
        expected.unwrap_or("unknown").to_string()
    } else if version_json.as_ref().is_some_and(|v| v.get("etcdserver").is_some()) {
        record(&mut checks, "etcd.version", "GET /version", &version, version_json.as_ref().and_then(|v| v["etcdserver"].as_str()).map(|v| format!("etcd {v}")));
        if etcd(&conn, &mut checks).await { "etcd" } else { "etcd-peer" }.to_string()
    } else {
        let api = conn.get("/api").await;
        // The API server's /api is discovery, or a JSON Status refusing a stranger.
        let api_json = api.as_ref().ok().and_then(Response::json);
        // (Components with delegated authorization refuse with a JSON Status too: on their
        // ports they are taken for what the port says.)
        let component_port = expected.is_some_and(|e| matches!(e, "kube-proxy" | "kube-controller-manager" | "kube-scheduler"));
        let is_api = api_json.as_ref().is_some_and(|v| v["kind"] == "APIVersions")
            || (!component_port && api_json.as_ref().is_some_and(|v| v["kind"] == "Status" && v["apiVersion"] == "v1"))
            || (version_json.as_ref().is_some_and(|v| v.get("gitVersion").is_some()) && expected.is_some_and(|e| e.starts_with("kube-apiserver") || e == "kubectl-proxy"));
        if is_api {
            apiserver(&conn, &mut checks, &version).await;
            match (scheme, expected) {
                (Scheme::Plain, Some("kubectl-proxy")) => "kubectl-proxy",
                (Scheme::Plain, _) => "kube-apiserver-insecure",
                _ => "kube-apiserver",
            }
            .to_string()
        } else {
            let pods = conn.get("/pods").await;
            // A kubelet lists pods, or refuses a stranger in plain text ("Unauthorized", or
            // "Forbidden (user=system:anonymous, verb=get, resource=nodes, subresource=proxy)")
            // where the API server would answer with a JSON Status.
            let kubelet_like = pods.as_ref().is_ok_and(|r| {
                let refusal = r.text();
                r.json().is_some_and(|v| v["kind"] == "PodList")
                    || (matches!(r.status, 401 | 403) && (expected.is_some_and(|e| e.starts_with("kubelet")) || refusal.trim() == "Unauthorized" || refusal.contains("subresource=")))
            });
            let root = if kubelet_like { None } else { conn.get("/").await.ok() };
            if kubelet_like {
                kubelet(&conn, &mut checks).await;
                if scheme == Scheme::Plain { "kubelet-read-only" } else { "kubelet" }.to_string()
            } else if root.as_ref().is_some_and(|r| { let t = r.text(); t.contains("Kubernetes Dashboard") || t.contains("kubernetes-dashboard") || t.contains("<kd-root") }) {
                dashboard(&conn, &mut checks).await;
                "dashboard".to_string()
            } else if let Some(e) = expected.filter(|e| matches!(*e, "kube-proxy" | "kube-controller-manager" | "kube-scheduler")) {
                component(&conn, &mut checks).await;
                e.to_string()
            } else {
                if let Some(r) = &root {
                    record(&mut checks, "root", "GET /", &Ok(r.clone()), None);
                }
                "unknown".to_string()
            }
        }
    };
    Ok(Some(object(ep, if scheme == Scheme::Tls { "https" } else { "http" }, tls_facts, &service, checks, None)))
}

/// The Endpoint object.
fn object(ep: &Endpoint, scheme: &str, tls: Option<Value>, service: &str, checks: Map<String, Value>, note: Option<String>) -> Value {
    json!({
        "apiVersion": "palisade.io/v1",
        "kind": "Endpoint",
        "metadata": {"name": ep.addr.to_string()},
        "spec": {
            "host": ep.host,
            "address": ep.addr.ip().to_string(),
            "port": ep.addr.port(),
            "expected": expected(ep.addr.port()),
            "scheme": scheme,
            "tls": tls,
            "service": service,
            "checks": checks,
            "note": note,
        }
    })
}
