//! The audit webhook over HTTP: the API server's webhook backend POSTs `EventList` batches
//! (to whatever path its kubeconfig names); each batch is handed, whole, to the caller's
//! [`Take`], off the async threads, and answered 200 when it was read, 400 when some of it
//! was not audit events (the rest is still taken), 500 when it could not be judged.
//! `GET /healthz` answers `ok`.

use axum::body::Bytes;
use axum::http::StatusCode;
use std::sync::Arc;

/// Batches are at most this large (the API server's default batch is far smaller).
pub const MAX_BATCH: usize = 64 << 20;

/// Takes one batch; `Err` lists what in it was not an audit event.
pub type Take = Arc<dyn Fn(Bytes) -> Result<(), String> + Send + Sync>;

pub fn router(take: Take) -> axum::Router {
    let post = move |body: Bytes| {
        let take = take.clone();
        async move {
            match tokio::task::spawn_blocking(move || take(body)).await {
                Ok(Ok(())) => (StatusCode::OK, String::new()),
                Ok(Err(bad)) => (StatusCode::BAD_REQUEST, format!("{bad}\n")),
                Err(_) => (StatusCode::INTERNAL_SERVER_ERROR, "the batch could not be judged\n".to_string()),
            }
        }
    };
    axum::Router::new()
        .route("/healthz", axum::routing::get(|| async { "ok" }))
        .fallback(axum::routing::post(post))
        .layer(axum::extract::DefaultBodyLimit::max(MAX_BATCH))
}
