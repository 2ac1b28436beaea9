//! The exposure probe: a source that connects to the endpoints the user names — hosts,
//! `host:port`, CIDR ranges, on the ports a Kubernetes control plane and its nodes use — the
//! way a stranger would: anonymously, read-only, with bounded concurrency and per-connection
//! timeouts. Each open endpoint becomes one `palisade.io/v1` `Endpoint` object (TLS facts,
//! what answers, and what each anonymous request got back — counts, never values) that the
//! EXP rules judge like any other object.

pub mod http;
pub mod target;
pub mod tls;
mod service;

use serde_json::Value;
use std::sync::Arc;
use std::time::Duration;
pub use target::{plan, Endpoint, DEFAULT_PORTS};

/// How hard to probe.
#[derive(Clone, Copy, Debug)]
pub struct Options {
    /// How long a TCP connection may take to open.
    pub connect_timeout: Duration,
    /// How long one request (handshake, question and answer) may take.
    pub timeout: Duration,
    /// How many endpoints are probed at once.
    pub concurrency: usize,
}

impl Default for Options {
    fn default() -> Options {
        Options { connect_timeout: Duration::from_secs(1), timeout: Duration::from_secs(3), concurrency: 512 }
    }
}

/// What a probe found.
#[derive(Debug, Default)]
pub struct Outcome {
    /// One `Endpoint` object per open endpoint, in the order of the plan.
    pub endpoints: Vec<Value>,
    /// Endpoints probed.
    pub probed: usize,
    /// Endpoints that refused the connection or did not answer in time.
    pub closed: usize,
    /// Endpoints that could not be probed (`address:port`), and why: not counted as closed.
    pub errors: Vec<(String, String)>,
}

/// Probes every endpoint; `on_done` is called as each finishes (for a progress bar).
pub fn probe(endpoints: Vec<Endpoint>, options: Options, on_done: &(dyn Fn() + Sync)) -> Outcome {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("a tokio runtime");
    runtime.block_on(async {
        let gate = Arc::new(tokio::sync::Semaphore::new(options.concurrency.max(1)));
        let mut tasks = tokio::task::JoinSet::new();
        let probed = endpoints.len();
        for (i, ep) in endpoints.into_iter().enumerate() {
            let gate = gate.clone();
            tasks.spawn(async move {
                let _permit = gate.acquire_owned().await.expect("the semaphore stays open");
                (i, ep.addr.to_string(), service::describe(&ep, &options).await)
            });
        }
        let mut found: Vec<(usize, Value)> = Vec::new();
        let (mut closed, mut errors) = (0, Vec::new());
        while let Some(done) = tasks.join_next().await {
            on_done();
            match done {
                Ok((i, _, Ok(Some(v)))) => found.push((i, v)),
                Ok((_, _, Ok(None))) => closed += 1,
                Ok((_, addr, Err(e))) => errors.push((addr, e)),
                Err(e) => errors.push((String::new(), format!("a probe failed: {e}"))),
            }
        }
        found.sort_by_key(|(i, _)| *i);
        errors.sort();
        Outcome { endpoints: found.into_iter().map(|(_, v)| v).collect(), probed, closed, errors }
    })
}
