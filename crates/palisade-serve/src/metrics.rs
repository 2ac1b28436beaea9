//! Watch mode's Prometheus metrics, and the endpoint that serves them (`GET /metrics` in
//! the OpenMetrics text format, `GET /healthz`).
//!
//! - `palisade_open_findings{severity,rule,namespace}`: findings open now;
//! - `palisade_findings_opened_total`, `palisade_findings_resolved_total` (by severity);
//! - `palisade_evaluation_seconds`: judging one watch event (histogram);
//! - `palisade_watch_lag_seconds`: from a change coming off the wire to its findings
//!   written (histogram; queueing included);
//! - `palisade_watch_last_event_timestamp_seconds{resource}`: when each type's watch last
//!   heard from the server (an event or a bookmark): `time() - …` is how stale it may be;
//! - `palisade_watch_reconnects_total{resource,reason}` (`ended`, `silent`, `expired`, `lost`);
//! - `palisade_watched_objects`, `palisade_watch_synced` (1 once every type was listed).

use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use palisade_core::Finding;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;
use std::sync::atomic::AtomicU64;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct FindingLabels {
    severity: &'static str,
    rule: &'static str,
    namespace: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct SeverityLabels {
    severity: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ResourceLabels {
    resource: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ReconnectLabels {
    resource: String,
    reason: &'static str,
}

/// The metrics of one watch session.
pub struct WatchMetrics {
    registry: Registry,
    open: Family<FindingLabels, Gauge>,
    opened: Family<SeverityLabels, Counter>,
    resolved: Family<SeverityLabels, Counter>,
    evaluation: Histogram,
    lag: Histogram,
    last_event: Family<ResourceLabels, Gauge<f64, AtomicU64>>,
    reconnects: Family<ReconnectLabels, Counter>,
    objects: Gauge,
    synced: Gauge,
}

impl Default for WatchMetrics {
    fn default() -> WatchMetrics {
        WatchMetrics::new()
    }
}

impl WatchMetrics {
    pub fn new() -> WatchMetrics {
        let mut registry = Registry::with_prefix("palisade");
        let m = WatchMetrics {
            registry: Registry::default(),
            open: Family::default(),
            opened: Family::default(),
            resolved: Family::default(),
            // 50 µs to ~1.6 s.
            evaluation: Histogram::new(exponential_buckets(0.000_05, 2.0, 16)),
            lag: Histogram::new(exponential_buckets(0.000_05, 2.0, 18)),
            last_event: Family::default(),
            reconnects: Family::default(),
            objects: Gauge::default(),
            synced: Gauge::default(),
        };
        registry.register("open_findings", "Findings open now", m.open.clone());
        registry.register("findings_opened", "Findings opened since the watch started", m.opened.clone());
        registry.register("findings_resolved", "Findings resolved since the watch started", m.resolved.clone());
        registry.register("evaluation_seconds", "Time to judge one watch event", m.evaluation.clone());
        registry.register("watch_lag_seconds", "From a change coming off the wire to its findings written", m.lag.clone());
        registry.register("watch_last_event_timestamp_seconds", "When each resource type's watch last heard from the server", m.last_event.clone());
        registry.register("watch_reconnects", "Watches reopened, by resource type and reason", m.reconnects.clone());
        registry.register("watched_objects", "Objects held", m.objects.clone());
        registry.register("watch_synced", "1 once every resource type was listed and judged", m.synced.clone());
        WatchMetrics { registry, ..m }
    }

    /// A finding opened (`true`) or resolved.
    pub fn changed(&self, opened: bool, f: &Finding) {
        let severity = f.severity.as_str();
        let labels = FindingLabels { severity, rule: f.rule.id, namespace: f.object.namespace.clone().unwrap_or_default() };
        if opened {
            self.open.get_or_create(&labels).inc();
            self.opened.get_or_create(&SeverityLabels { severity }).inc();
        } else {
            self.open.get_or_create(&labels).dec();
            self.resolved.get_or_create(&SeverityLabels { severity }).inc();
        }
    }

    pub fn evaluated(&self, took: Duration) {
        self.evaluation.observe(took.as_secs_f64());
    }

    pub fn lag(&self, took: Duration) {
        self.lag.observe(took.as_secs_f64());
    }

    /// The watch of `resource` heard from the server.
    pub fn heard(&self, resource: &str) {
        let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default().as_secs_f64();
        self.last_event.get_or_create(&ResourceLabels { resource: resource.to_string() }).set(now);
    }

    pub fn reconnect(&self, resource: &str, reason: &'static str) {
        self.reconnects.get_or_create(&ReconnectLabels { resource: resource.to_string(), reason }).inc();
    }

    pub fn objects(&self, n: usize) {
        self.objects.set(n as i64);
    }

    pub fn synced(&self) {
        self.synced.set(1);
    }

    /// The metrics in the OpenMetrics text format.
    pub fn encode(&self) -> String {
        encode(&self.registry)
    }
}

/// A registry in the OpenMetrics text format.
fn encode(registry: &Registry) -> String {
    let mut out = String::new();
    // Writing into a String cannot fail.
    let _ = prometheus_client::encoding::text::encode(&mut out, registry);
    out
}

/// Binds the metrics address (`HOST:PORT`), so a bad address is an error before anything
/// else starts.
pub async fn bind(addr: &str) -> Result<tokio::net::TcpListener, String> {
    tokio::net::TcpListener::bind(addr).await.map_err(|e| format!("--metrics-addr {addr}: {e}"))
}

/// Serves `/metrics` and `/healthz` on `listener` until the runtime stops.
pub async fn serve(listener: tokio::net::TcpListener, metrics: Arc<WatchMetrics>) {
    let app = axum::Router::new()
        .route(
            "/metrics",
            axum::routing::get(move || {
                let metrics = metrics.clone();
                async move { ([(header::CONTENT_TYPE, "application/openmetrics-text; version=1.0.0; charset=utf-8")], metrics.encode()) }
            }),
        )
        .route("/healthz", axum::routing::get(|| async { "ok" }))
        .fallback(|| async { (StatusCode::NOT_FOUND, "not found: try /metrics\n").into_response() });
    let _ = axum::serve(listener, app).await;
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    operation: String,
    verdict: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct VerdictLabels {
    rule: &'static str,
    action: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ErrorLabels {
    reason: &'static str,
}

/// The admission webhook's metrics:
///
/// - `palisade_admission_requests_total{operation,verdict}` (`allowed`, `denied`);
/// - `palisade_admission_findings_total{rule,action}` (`deny`, `warn`, `audit`);
/// - `palisade_admission_duration_seconds`: from the body read to the answer (histogram);
/// - `palisade_admission_errors_total{reason}`: bodies too large or unreadable (`body`), not
///   a review (`review`), an object that is not one (`object`), a decision past its budget
///   (`budget`) or failed (`internal`).
pub struct AdmissionMetrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    findings: Family<VerdictLabels, Counter>,
    duration: Histogram,
    errors: Family<ErrorLabels, Counter>,
}

impl Default for AdmissionMetrics {
    fn default() -> AdmissionMetrics {
        AdmissionMetrics::new()
    }
}

impl AdmissionMetrics {
    pub fn new() -> AdmissionMetrics {
        let mut registry = Registry::with_prefix("palisade_admission");
        // 25 µs to ~0.8 s.
        let m = AdmissionMetrics {
            registry: Registry::default(),
            requests: Family::default(),
            findings: Family::default(),
            duration: Histogram::new(exponential_buckets(0.000_025, 2.0, 16)),
            errors: Family::default(),
        };
        registry.register("requests", "Admission requests answered, by operation and verdict", m.requests.clone());
        registry.register("findings", "Findings in admission requests, by rule and action", m.findings.clone());
        registry.register("duration_seconds", "From a request's body read to its answer", m.duration.clone());
        registry.register("errors", "Requests that could not be judged, by reason", m.errors.clone());
        AdmissionMetrics { registry, ..m }
    }

    pub fn decided(&self, operation: &str, d: &crate::admission::Decision, took: Duration) {
        let verdict = if d.allowed { "allowed" } else { "denied" };
        self.requests.get_or_create(&RequestLabels { operation: operation.to_string(), verdict }).inc();
        for (rule, action) in &d.verdicts {
            self.findings.get_or_create(&VerdictLabels { rule, action }).inc();
        }
        self.duration.observe(took.as_secs_f64());
    }

    pub fn error(&self, reason: &'static str) {
        self.errors.get_or_create(&ErrorLabels { reason }).inc();
    }

    /// The metrics in the OpenMetrics text format.
    pub fn encode(&self) -> String {
        encode(&self.registry)
    }
}
