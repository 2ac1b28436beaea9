//! Alert sinks: findings as they open and resolve, POSTed as JSON to a generic webhook
//! (`{"source": "palisade", "alerts": [{"event", "at", "finding"}, …]}`) or in Slack's
//! incoming-webhook payload (`{"text": …}`), which Mattermost, Rocket.Chat and Teams'
//! Slack-compatible hooks take too.
//!
//! The watch never waits for them: [`Alerts::send`] puts the alert on each sink's bounded
//! queue and returns (a full queue drops the alert and counts it). Each sink's task sends
//! what has queued up as one batch, at most one request a second, and retries a failed
//! request with exponential backoff (1 s doubling, five attempts) before giving the batch
//! up with a message on standard error. An alert identical to the last one sent for the
//! same finding (the same event twice) is not sent again.

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use palisade_core::{Finding, Severity};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::mpsc;

/// Where alerts go.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Sink {
    /// A generic JSON webhook.
    Webhook(String),
    /// Slack's incoming-webhook payload.
    Slack(String),
}

impl Sink {
    fn url(&self) -> &str {
        match self {
            Sink::Webhook(u) | Sink::Slack(u) => u,
        }
    }
}

/// One alert: a finding opened or resolved.
#[derive(Clone, Debug)]
pub struct Alert {
    /// `opened` or `resolved`, or `summary` for the state at the start.
    pub change: &'static str,
    pub at: String,
    /// The finding in the report's shape (`null` for a summary).
    pub finding: Value,
    /// The alert in one line of text.
    pub line: String,
}

const QUEUE: usize = 10_000;
const BATCH: usize = 50;
const ATTEMPTS: u32 = 5;

/// The sinks' queues.
pub struct Alerts {
    queues: Vec<mpsc::Sender<Alert>>,
    /// The last event sent per finding, for deduplication.
    last: Mutex<HashMap<String, &'static str>>,
    pub dropped: Arc<AtomicU64>,
}

type HttpsClient = Client<hyper_rustls::HttpsConnector<hyper_util::client::legacy::connect::HttpConnector>, Full<Bytes>>;

impl Alerts {
    /// Starts one sending task per sink on `runtime`. A URL that is not http(s) is an error.
    pub fn start(runtime: &tokio::runtime::Handle, sinks: Vec<Sink>, say: bool) -> Result<Alerts, String> {
        let dropped = Arc::new(AtomicU64::new(0));
        if sinks.is_empty() {
            return Ok(Alerts { queues: Vec::new(), last: Mutex::new(HashMap::new()), dropped });
        }
        for sink in &sinks {
            let url = sink.url();
            if !(url.starts_with("http://") || url.starts_with("https://")) || url.parse::<hyper::Uri>().is_err() {
                return Err(format!("{url}: an alert URL must be http:// or https://"));
            }
        }
        let connector = hyper_rustls::HttpsConnectorBuilder::new()
            .with_native_roots()
            .map_err(|e| format!("cannot load the system's root certificates for alerts: {e}"))?
            .https_or_http()
            .enable_http1()
            .build();
        let client: HttpsClient = Client::builder(TokioExecutor::new()).build(connector);
        let mut queues = Vec::new();
        for sink in sinks {
            let (tx, rx) = mpsc::channel(QUEUE);
            queues.push(tx);
            runtime.spawn(deliver(client.clone(), sink, rx, say));
        }
        Ok(Alerts { queues, last: Mutex::new(HashMap::new()), dropped })
    }

    /// Queues an alert for every sink; never waits.
    pub fn send(&self, alert: Alert) {
        if self.queues.is_empty() {
            return;
        }
        let key = alert.finding.to_string();
        {
            let mut last = self.last.lock().unwrap_or_else(|e| e.into_inner());
            if last.get(&key) == Some(&alert.change) {
                return;
            }
            last.insert(key, alert.change);
        }
        for q in &self.queues {
            if q.try_send(alert.clone()).is_err() {
                self.dropped.fetch_add(1, Ordering::Relaxed);
            }
        }
    }

    /// One alert for the findings open at the start, at or above `min`: how many of each
    /// severity, rather than one alert per finding.
    pub fn summary<'a>(&self, at: &str, cluster: &str, open: impl Iterator<Item = &'a Finding>, min: Severity) {
        let mut counts: Vec<(Severity, usize)> = Vec::new();
        for f in open.filter(|f| f.severity >= min) {
            match counts.iter_mut().find(|(s, _)| *s == f.severity) {
                Some((_, n)) => *n += 1,
                None => counts.push((f.severity, 1)),
            }
        }
        if counts.is_empty() {
            return;
        }
        counts.sort_by_key(|c| std::cmp::Reverse(c.0));
        let said: Vec<String> = counts.iter().map(|(s, n)| format!("{n} {}", s.as_str())).collect();
        let line = format!("{at}  palisade is watching {cluster}: {} open at the start", said.join(", "));
        self.send(Alert { change: "summary", at: at.to_string(), finding: Value::Null, line });
    }
}

/// The body a sink gets for a batch.
fn payload(sink: &Sink, batch: &[Alert]) -> Value {
    match sink {
        Sink::Webhook(_) => json!({
            "source": "palisade",
            "alerts": batch.iter().map(|a| json!({"event": a.change, "at": a.at, "finding": a.finding})).collect::<Vec<_>>(),
        }),
        Sink::Slack(_) => {
            let lines: Vec<String> = batch.iter().map(|a| format!("• {}", a.line)).collect();
            json!({"text": format!("Palisade: {} finding event{}\n{}", batch.len(), if batch.len() == 1 { "" } else { "s" }, lines.join("\n"))})
        }
    }
}

/// A sink's task: batches, sends, retries.
async fn deliver(client: HttpsClient, sink: Sink, mut rx: mpsc::Receiver<Alert>, say: bool) {
    while let Some(first) = rx.recv().await {
        let mut batch = vec![first];
        while batch.len() < BATCH {
            match rx.try_recv() {
                Ok(a) => batch.push(a),
                Err(_) => break,
            }
        }
        let body = payload(&sink, &batch).to_string();
        let mut attempt = 0;
        loop {
            match post(&client, sink.url(), &body).await {
                Ok(()) => break,
                Err(_) if attempt + 1 < ATTEMPTS => {
                    tokio::time::sleep(Duration::from_secs(1 << attempt)).await;
                    attempt += 1;
                }
                Err(e) => {
                    if say {
                        eprintln!("warning: alert sink {}: {e}; {} alert(s) given up after {ATTEMPTS} attempts", sink.url(), batch.len());
                    }
                    break;
                }
            }
        }
        // At most one request a second (Slack's limit for a webhook).
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

async fn post(client: &HttpsClient, url: &str, body: &str) -> Result<(), String> {
    let request = hyper::Request::post(url)
        .header(hyper::header::CONTENT_TYPE, "application/json")
        .header(hyper::header::USER_AGENT, concat!("palisade/", env!("CARGO_PKG_VERSION")))
        .body(Full::new(Bytes::from(body.to_string())))
        .map_err(|e| e.to_string())?;
    let response = tokio::time::timeout(Duration::from_secs(10), client.request(request)).await.map_err(|_| "no answer in 10 s".to_string())?.map_err(|e| e.to_string())?;
    let status = response.status();
    // Read the answer so the connection can be reused.
    let _ = response.into_body().collect().await;
    if status.is_success() {
        Ok(())
    } else {
        Err(format!("answered {status}"))
    }
}
