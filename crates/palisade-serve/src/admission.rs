//! The validating admission webhook over HTTP: `POST /validate` takes an `AdmissionReview`
//! and answers one with the same `uid`; `GET /healthz`, `GET /readyz` and `GET /metrics`.
//! What is decided, and why, is the [`Admit`] implementation's; this module reads bodies
//! (3 MiB at most), keeps each decision within its budget (past it, `--on-error` decides
//! and the answer says so), never lets a bad request take the server down, and counts.

use crate::metrics::AdmissionMetrics;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use http_body_util::BodyExt;
use palisade_source::admission::{self, Request};
use serde_json::{json, Value};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The largest body read: the API server's own limit on a request is 3 MiB.
pub const MAX_BODY: usize = 3 << 20;

/// Bodies up to this size are judged on the thread that read them.
const INLINE_MAX: usize = 64 << 10;

/// What the webhook answers for one request.
#[derive(Clone, Debug, Default)]
pub struct Decision {
    pub allowed: bool,
    /// Why it was denied (or what went wrong), for `status.message`.
    pub message: Option<String>,
    pub warnings: Vec<String>,
    /// (rule ID, action) of each finding, for the metrics: `deny`, `warn`, `audit`.
    pub verdicts: Vec<(&'static str, &'static str)>,
}

/// Decides admission requests; `Err` says why a request cannot be judged (its object is not
/// a Kubernetes object), and `--on-error` answers it.
pub trait Admit: Send + Sync + 'static {
    fn admit(&self, request: &Request) -> Result<Decision, String>;
}

/// What the server does when it cannot decide in time (or at all).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OnError {
    Allow,
    Deny,
}

/// The webhook's settings.
pub struct Webhook<A: Admit> {
    pub admit: Arc<A>,
    /// How long one decision may take.
    pub budget: Duration,
    pub on_error: OnError,
    pub metrics: Arc<AdmissionMetrics>,
    /// Whether the server is ready (what it needs to decide, such as the namespaces' labels,
    /// is loaded).
    pub ready: Arc<AtomicBool>,
}

/// The routes of the webhook.
pub fn router<A: Admit>(webhook: Webhook<A>) -> axum::Router {
    let webhook = Arc::new(webhook);
    axum::Router::new()
        .route("/validate", axum::routing::post(validate::<A>))
        .route("/healthz", axum::routing::get(|| async { "ok" }))
        .route(
            "/readyz",
            axum::routing::get(|State(w): State<Arc<Webhook<A>>>| async move {
                if w.ready.load(Ordering::Relaxed) {
                    (StatusCode::OK, "ok")
                } else {
                    (StatusCode::SERVICE_UNAVAILABLE, "not ready: the namespaces' labels are not loaded yet")
                }
            }),
        )
        .route(
            "/metrics",
            axum::routing::get(|State(w): State<Arc<Webhook<A>>>| async move {
                ([(header::CONTENT_TYPE, "application/openmetrics-text; version=1.0.0; charset=utf-8")], w.metrics.encode())
            }),
        )
        .fallback(|| async { (StatusCode::NOT_FOUND, "not found: POST an AdmissionReview to /validate\n") })
        .with_state(webhook)
}

fn bad_request(message: String) -> Response {
    (StatusCode::BAD_REQUEST, [(header::CONTENT_TYPE, "text/plain; charset=utf-8")], format!("{message}\n")).into_response()
}

/// The body, if it is at most [`MAX_BODY`].
async fn read_body(body: Body) -> Result<Bytes, String> {
    match http_body_util::Limited::new(body, MAX_BODY).collect().await {
        Ok(b) => Ok(b.to_bytes()),
        Err(e) if e.is::<http_body_util::LengthLimitError>() => Err(format!("the body is over {} MiB", MAX_BODY >> 20)),
        Err(e) => Err(format!("the body could not be read: {e}")),
    }
}

/// The `AdmissionReview` answering `uid`.
pub fn review(api_version: &str, uid: &str, d: &Decision, code: u16) -> Value {
    let mut response = json!({"uid": uid, "allowed": d.allowed});
    if let Some(message) = &d.message {
        let reason = if d.allowed { "" } else if code == 403 { "Forbidden" } else { "BadRequest" };
        response["status"] = json!({"code": code, "reason": reason, "message": message});
    }
    if !d.warnings.is_empty() {
        response["warnings"] = json!(d.warnings);
    }
    json!({"apiVersion": api_version, "kind": "AdmissionReview", "response": response})
}

fn answer(review: Value) -> Response {
    ([(header::CONTENT_TYPE, "application/json")], review.to_string()).into_response()
}

async fn validate<A: Admit>(State(w): State<Arc<Webhook<A>>>, body: Body) -> Response {
    let started = Instant::now();
    let body = match read_body(body).await {
        Ok(b) => b,
        Err(e) => {
            w.metrics.error("body");
            return bad_request(e);
        }
    };
    let request = match admission::read(&body) {
        Ok(r) => r,
        Err(problem) => {
            w.metrics.error("review");
            // A review whose request has a uid is answered as a review: the API server then
            // shows the reason; anything else is a plain 400.
            return match admission::uid_of(&body) {
                Some(uid) => {
                    let d = Decision { allowed: w.on_error == OnError::Allow, message: Some(format!("palisade could not judge the request: {problem}")), ..Decision::default() };
                    answer(review("admission.k8s.io/v1", &uid, &d, 400))
                }
                None => bad_request(format!("not an admission review: {problem}")),
            };
        }
    };
    let (api_version, uid, operation) = (request.api_version.clone(), request.uid.clone(), request.operation.clone());
    let admit = w.admit.clone();
    // Small requests (nearly all) are judged where they are, in tens of microseconds; a
    // handoff to another thread would cost more than the judging. Large ones go to the
    // blocking pool, where the budget can cut them off. Either way, a decision that took
    // longer than the budget is answered by --on-error.
    let decided = if body.len() <= INLINE_MAX {
        let judging = Instant::now();
        let d = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| admit.admit(&request)));
        if judging.elapsed() > w.budget { Err(()) } else { Ok(d.map_err(|_| ())) }
    } else {
        tokio::time::timeout(w.budget, tokio::task::spawn_blocking(move || admit.admit(&request))).await.map(|r| r.map_err(|_| ())).map_err(|_| ())
    };
    let (decision, code) = match decided {
        Ok(Ok(Ok(d))) => (d, 403),
        Ok(Ok(Err(why))) => {
            w.metrics.error("object");
            (fallback(w.on_error, format!("palisade could not judge the request: {why}")), 400)
        }
        Ok(Err(_)) => {
            w.metrics.error("internal");
            (fallback(w.on_error, "palisade failed while judging the request".into()), 500)
        }
        Err(_) => {
            w.metrics.error("budget");
            (fallback(w.on_error, format!("palisade did not finish judging within {} ms", w.budget.as_millis())), 500)
        }
    };
    w.metrics.decided(&operation, &decision, started.elapsed());
    answer(review(&api_version, &uid, &decision, code))
}

/// The answer `--on-error` gives when no decision could be made.
fn fallback(on_error: OnError, why: String) -> Decision {
    match on_error {
        OnError::Allow => {
            let why = format!("{why}; allowed by --on-error allow");
            Decision { allowed: true, message: Some(why.clone()), warnings: vec![why], ..Decision::default() }
        }
        OnError::Deny => Decision { allowed: false, message: Some(format!("{why}; denied by --on-error deny")), ..Decision::default() },
    }
}
