//! Serving an axum router over TLS: each connection's handshake within ten seconds (a
//! client that stalls or speaks plain HTTP is dropped, never waited on), then HTTP/1.1 with
//! keep-alive, every connection on its own task.

use axum::Router;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;

/// Serves `app` on `listener` with `tls` until the runtime stops.
pub async fn serve(listener: TcpListener, tls: Arc<rustls::ServerConfig>, app: Router) {
    let acceptor = tokio_rustls::TlsAcceptor::from(tls);
    loop {
        let (tcp, _) = match listener.accept().await {
            Ok(a) => a,
            // Out of descriptors and the like: wait a moment rather than spin.
            Err(_) => {
                tokio::time::sleep(Duration::from_millis(20)).await;
                continue;
            }
        };
        let _ = tcp.set_nodelay(true);
        let (acceptor, app) = (acceptor.clone(), app.clone());
        tokio::spawn(async move {
            let Ok(Ok(tls)) = tokio::time::timeout(Duration::from_secs(10), acceptor.accept(tcp)).await else { return };
            let service = hyper_util::service::TowerToHyperService::new(app);
            let mut builder = hyper_util::server::conn::auto::Builder::new(hyper_util::rt::TokioExecutor::new());
            builder.http1().timer(hyper_util::rt::TokioTimer::new()).header_read_timeout(Duration::from_secs(30));
            let _ = builder.serve_connection(hyper_util::rt::TokioIo::new(tls), service).await;
        });
    }
}

/// Binds `addr` (`HOST:PORT`) for `what`, so a bad address is an error before anything starts.
pub async fn bind(addr: &str, what: &str) -> Result<TcpListener, String> {
    TcpListener::bind(addr).await.map_err(|e| format!("{what} {addr}: {e}"))
}
