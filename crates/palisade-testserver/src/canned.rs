//! Stand-ins for the components `palisade probe` talks to that cannot run here — a kubelet,
//! a kube-apiserver, a dashboard: a loopback HTTP or HTTPS server that answers each path
//! with a fixed status and body, the way the real component answers an anonymous request
//! (kubelet `/pods` → 401 `Unauthorized`, or a PodList when anonymous auth and AlwaysAllow
//! are on). The query string is ignored; an unknown path is a 404. It records the request
//! lines it served, so tests can prove the probe only reads.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

/// A running stand-in; it stops when dropped.
pub struct Canned {
    pub addr: SocketAddr,
    requests: Arc<Mutex<Vec<String>>>,
    _stop: tokio::sync::oneshot::Sender<()>,
}

impl Canned {
    /// Serves `routes` (path → status and body) on a loopback port, over TLS with the test
    /// CA's server certificate when `tls` is set (client certificates asked, not required).
    pub fn start(routes: &[(&str, u16, &str)], tls: bool) -> Canned {
        let routes: Arc<BTreeMap<String, (u16, String)>> = Arc::new(routes.iter().map(|(p, s, b)| (p.to_string(), (*s, b.to_string()))).collect());
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a loopback port");
        listener.set_nonblocking(true).expect("nonblocking");
        let addr = listener.local_addr().expect("address");
        let acceptor = tls.then(|| tokio_rustls::TlsAcceptor::from(crate::tls::generate().server));
        let requests = Arc::new(Mutex::new(Vec::new()));
        let (stop, mut stopped) = tokio::sync::oneshot::channel::<()>();
        let seen = requests.clone();
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
            rt.block_on(async move {
                let listener = tokio::net::TcpListener::from_std(listener).expect("listener");
                loop {
                    let (tcp, _) = tokio::select! {
                        _ = &mut stopped => return,
                        accepted = listener.accept() => match accepted { Ok(a) => a, Err(_) => continue },
                    };
                    let (routes, seen, acceptor) = (routes.clone(), seen.clone(), acceptor.clone());
                    tokio::spawn(async move {
                        match acceptor {
                            Some(a) => {
                                if let Ok(s) = a.accept(tcp).await {
                                    answer(s, &routes, &seen).await;
                                }
                            }
                            None => answer(tcp, &routes, &seen).await,
                        }
                    });
                }
            });
        });
        Canned { addr, requests, _stop: stop }
    }

    /// The request lines served (`GET /pods`), in order.
    pub fn requests(&self) -> Vec<String> {
        self.requests.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

async fn answer<S: AsyncRead + AsyncWrite + Unpin>(mut s: S, routes: &BTreeMap<String, (u16, String)>, seen: &Mutex<Vec<String>>) {
    let mut head = Vec::new();
    let mut buf = [0u8; 4096];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < 64 * 1024 {
        match s.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(n) => head.extend_from_slice(&buf[..n]),
        }
    }
    let text = String::from_utf8_lossy(&head);
    let line = text.lines().next().unwrap_or("").to_string();
    let mut parts = line.split_whitespace();
    let (method, target) = (parts.next().unwrap_or(""), parts.next().unwrap_or("/"));
    let path = target.split('?').next().unwrap_or("/");
    seen.lock().unwrap_or_else(|e| e.into_inner()).push(format!("{method} {path}"));
    let (status, body) = routes.get(path).cloned().unwrap_or((404, "404 page not found\n".into()));
    let kind = if body.starts_with('{') || body.starts_with('[') { "application/json" } else if body.starts_with('<') { "text/html" } else { "text/plain" };
    let reply = format!("HTTP/1.1 {status} X\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}", body.len());
    let _ = s.write_all(reply.as_bytes()).await;
    let _ = s.shutdown().await;
}
