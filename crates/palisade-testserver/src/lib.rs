//! A small Kubernetes API server for tests and benchmarks — no real kube-apiserver can run
//! on the machines Palisade is built on. It serves fixture objects over HTTPS (a generated
//! CA; bearer token or client certificate) with the semantics clients depend on:
//!
//! - `/version`, discovery in both formats (aggregated `apidiscovery.k8s.io/v2`, which
//!   servers answer since 1.30, and the legacy `/api`, `/apis`, `/apis/G/V` documents);
//! - list with `limit`/`continue` (a token can be made to expire once: `410 Expired`),
//!   `labelSelector`, `fieldSelector`, get, and `meta.k8s.io` Tables for `kubectl get`;
//! - watch from a `resourceVersion` with bookmarks, and `410 Gone` below the compaction point;
//! - `401` without credentials, `403` and `500` Status objects for chosen resources.
//!
//! A test proves it faithful with the real `kubectl`. [`TestServer::start`] runs it on a
//! loopback port in a background thread; `palisade-testserver` (the binary) serves files.
//! [`canned::Canned`] stands in for the other components `palisade probe` talks to.

mod api;
pub mod canned;
mod select;
mod store;
pub mod tls;

pub use store::Resource;

use serde_json::Value;
use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use store::{Change, Store};

/// How the server behaves.
#[derive(Clone, Debug)]
pub struct Options {
    /// The bearer token it accepts (client certificates signed by its CA work too).
    pub token: String,
    /// Resources (`secrets`, or `plural.group`) it answers with 403 Forbidden.
    pub forbidden: Vec<String>,
    /// Resources it answers with 500.
    pub failing: Vec<String>,
    /// Whether it answers aggregated discovery (servers since 1.30 do).
    pub aggregated_discovery: bool,
    /// Resources whose first continue token is refused with 410 Expired.
    pub expire_continue: Vec<String>,
    /// The largest page it returns, whatever `limit` asks.
    pub max_page: Option<usize>,
    /// `gitVersion` of `/version`.
    pub version: String,
    /// How often a watch that allows bookmarks gets one.
    pub bookmark_interval: Duration,
    /// Watches go silent this long after they start — no events, no bookmarks, the
    /// connection left open — as a watch dropped by a proxy on the way looks to a client.
    pub stall_watches_after: Option<Duration>,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            token: "palisade-test-token".into(),
            forbidden: Vec::new(),
            failing: Vec::new(),
            aggregated_discovery: true,
            expire_continue: Vec::new(),
            max_page: None,
            version: "v1.33.2".into(),
            bookmark_interval: Duration::from_secs(1),
            stall_watches_after: None,
        }
    }
}

/// State shared by every connection.
pub(crate) struct Shared {
    pub(crate) store: Mutex<Store>,
    pub(crate) options: Options,
    pub(crate) changes: tokio::sync::broadcast::Sender<Change>,
    pub(crate) expired: Mutex<HashSet<String>>,
    requests: Mutex<Vec<String>>,
    pub(crate) addr: Mutex<String>,
    /// `true` while the server is away: nothing listens, and open connections are cut.
    away: tokio::sync::watch::Sender<bool>,
}

impl Shared {
    pub(crate) fn log(&self, line: String) {
        self.requests.lock().expect("requests").push(line);
    }
}

/// A running server.
pub struct TestServer {
    /// `https://127.0.0.1:PORT`.
    pub url: String,
    pub ca_pem: String,
    pub client_cert_pem: String,
    pub client_key_pem: String,
    pub token: String,
    shared: Arc<Shared>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl TestServer {
    /// Starts serving `objects` (each with apiVersion, kind and metadata.name) on a free
    /// loopback port.
    pub fn start(objects: Vec<Value>, options: Options) -> Result<TestServer, String> {
        TestServer::start_on("127.0.0.1:0", objects, options)
    }

    /// Starts serving on `addr` (`127.0.0.1:0` picks a free port).
    pub fn start_on(addr: &str, objects: Vec<Value>, options: Options) -> Result<TestServer, String> {
        let store = Store::new(objects)?;
        let certs = tls::generate();
        let (changes, _) = tokio::sync::broadcast::channel(4096);
        let token = options.token.clone();
        let shared = Arc::new(Shared {
            store: Mutex::new(store),
            options,
            changes,
            expired: Mutex::new(HashSet::new()),
            requests: Mutex::new(Vec::new()),
            addr: Mutex::new(String::new()),
            away: tokio::sync::watch::channel(false).0,
        });
        let listener = std::net::TcpListener::bind(addr).map_err(|e| format!("cannot listen on {addr}: {e}"))?;
        listener.set_nonblocking(true).map_err(|e| e.to_string())?;
        let local = listener.local_addr().map_err(|e| e.to_string())?;
        *shared.addr.lock().expect("addr") = local.to_string();
        let (stop, stopped) = tokio::sync::oneshot::channel();
        let acceptor = tokio_rustls::TlsAcceptor::from(certs.server.clone());
        let serving = shared.clone();
        let thread = std::thread::Builder::new()
            .name("palisade-testserver".into())
            .spawn(move || {
                let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
                runtime.block_on(serve(listener, acceptor, serving, stopped));
            })
            .map_err(|e| e.to_string())?;
        Ok(TestServer {
            url: format!("https://{local}"),
            ca_pem: certs.ca_pem,
            client_cert_pem: certs.client_cert_pem,
            client_key_pem: certs.client_key_pem,
            token,
            shared,
            stop: Some(stop),
            thread: Some(thread),
        })
    }

    /// A kubeconfig for this server: context `palisade-test`, the CA, and the bearer token
    /// (`client_cert`: the client certificate and key instead).
    pub fn kubeconfig(&self, client_cert: bool) -> String {
        let b64 = |s: &str| base64(s.as_bytes());
        let user = if client_cert {
            format!("    client-certificate-data: {}\n    client-key-data: {}\n", b64(&self.client_cert_pem), b64(&self.client_key_pem))
        } else {
            format!("    token: {}\n", self.token)
        };
        format!(
            "apiVersion: v1\nkind: Config\nclusters:\n- name: palisade-test\n  cluster:\n    server: {}\n    certificate-authority-data: {}\ncontexts:\n- name: palisade-test\n  context:\n    cluster: palisade-test\n    user: palisade-test\n    namespace: default\ncurrent-context: palisade-test\nusers:\n- name: palisade-test\n  user:\n{user}",
            self.url,
            b64(&self.ca_pem)
        )
    }

    /// Adds or replaces an object (a watch sees ADDED or MODIFIED).
    pub fn apply(&self, object: Value) -> Result<(), String> {
        let mut store = self.shared.store.lock().expect("store");
        store.put(object)?;
        let change = store.history.last().cloned().expect("a change");
        let _ = self.shared.changes.send(change);
        Ok(())
    }

    /// Deletes an object (a watch sees DELETED); `false` when there is none.
    pub fn delete(&self, api_version: &str, kind: &str, namespace: &str, name: &str) -> bool {
        let mut store = self.shared.store.lock().expect("store");
        let deleted = store.delete(api_version, kind, namespace, name);
        if deleted {
            let change = store.history.last().cloned().expect("a change");
            let _ = self.shared.changes.send(change);
        }
        deleted
    }

    /// Forgets the history: watches from a resourceVersion older than the current one get
    /// `410 Gone` (from the current one, they start cleanly).
    pub fn compact(&self) {
        let mut store = self.shared.store.lock().expect("store");
        store.compacted = store.rv;
    }

    /// Goes away as a crashed or restarting server does: every open connection is cut
    /// mid-stream and new ones are refused, until [`TestServer::come_back`].
    pub fn go_away(&self) {
        self.shared.away.send_replace(true);
    }

    /// Listens again on the same address, with the same objects and history.
    pub fn come_back(&self) {
        self.shared.away.send_replace(false);
    }

    /// The resource types it serves.
    pub fn resources(&self) -> Vec<Resource> {
        self.shared.store.lock().expect("store").resources.clone()
    }

    /// The current resourceVersion.
    pub fn resource_version(&self) -> u64 {
        self.shared.store.lock().expect("store").rv
    }

    /// Every request so far: `GET /path?query`.
    pub fn requests(&self) -> Vec<String> {
        self.shared.requests.lock().expect("requests").clone()
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

async fn serve(listener: std::net::TcpListener, acceptor: tokio_rustls::TlsAcceptor, shared: Arc<Shared>, mut stopped: tokio::sync::oneshot::Receiver<()>) {
    let addr = listener.local_addr().expect("address");
    let mut listener = Some(tokio::net::TcpListener::from_std(listener).expect("listener"));
    let mut away = shared.away.subscribe();
    loop {
        if *away.borrow_and_update() {
            // Away: nothing listens (connections are refused) until the server comes back.
            listener = None;
            tokio::select! {
                _ = &mut stopped => return,
                _ = away.changed() => continue,
            }
        }
        let Some(bound) = listener.as_ref() else {
            match tokio::net::TcpListener::bind(addr).await {
                Ok(l) => listener = Some(l),
                Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
            }
            continue;
        };
        let (tcp, _) = tokio::select! {
            _ = &mut stopped => return,
            _ = away.changed() => continue,
            accepted = bound.accept() => match accepted {
                Ok(a) => a,
                Err(_) => continue,
            },
        };
        let acceptor = acceptor.clone();
        let shared = shared.clone();
        let mut cut = shared.away.subscribe();
        tokio::spawn(async move {
            // A client that fails the handshake (wrong CA, plain HTTP) is simply dropped.
            let Ok(tls) = acceptor.accept(tcp).await else { return };
            let client_cert = tls.get_ref().1.peer_certificates().is_some_and(|c| !c.is_empty());
            let service = hyper::service::service_fn(move |req: hyper::Request<hyper::body::Incoming>| {
                let shared = shared.clone();
                async move {
                    let (parts, _) = req.into_parts();
                    let path = parts.uri.path().to_string();
                    let query = parts.uri.query().map(str::to_string);
                    Ok::<_, std::convert::Infallible>(api::handle(shared, parts.method, path, query, parts.headers, client_cert).await)
                }
            });
            let io = hyper_util::rt::TokioIo::new(tls);
            let builder = hyper_util::server::conn::auto::Builder::new(hyper_util::rt::TokioExecutor::new());
            // Going away cuts the connection where it stands: no last chunk, no goodbye.
            tokio::select! {
                _ = builder.serve_connection(io, service) => {}
                _ = cut.wait_for(|away| *away) => {}
            }
        });
    }
}

/// Standard base64 with padding (kubeconfig `*-data` fields).
pub use palisade_core::encoding::base64;

fn files(path: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
    if path.is_dir() {
        let mut entries: Vec<std::path::PathBuf> = std::fs::read_dir(path).into_iter().flatten().flatten().map(|e| e.path()).collect();
        entries.sort();
        for p in entries {
            files(&p, out);
        }
    } else if path.extension().is_some_and(|e| e == "yaml" || e == "yml" || e == "json") {
        out.push(path.to_path_buf());
    }
}

/// The objects of YAML/JSON files and directories (recursively), `List`s unpacked; documents
/// that are not objects with a kind (Helm values, policy files) are left out.
pub fn objects_from_files(paths: &[std::path::PathBuf]) -> Result<Vec<Value>, String> {
    let mut all = Vec::new();
    for p in paths {
        files(p, &mut all);
    }
    let mut objects = Vec::new();
    for file in &all {
        let bytes = std::fs::read(file).map_err(|e| format!("{}: {e}", file.display()))?;
        let (found, errors) = palisade_source::json::objects_of(&bytes);
        if let Some(e) = errors.first() {
            return Err(format!("{}: {e}", file.display()));
        }
        objects.extend(found);
    }
    Ok(objects)
}
