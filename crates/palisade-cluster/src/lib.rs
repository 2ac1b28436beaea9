//! Palisade's live-cluster source. It connects as kubectl does ([`connect`]), finds every
//! listable resource ([`discovery`]), and lists them with bounded concurrency, page by page
//! ([`list`]); each page's objects, cleaned ([`clean`]), go to the caller as they arrive,
//! so memory stays bounded at any cluster size. What could not be read comes back as
//! [`Coverage`]: a forbidden resource is a gap with what it hides, never a failure.
//!
//! It knows nothing of rules: the caller feeds the pages to the same model and engine a
//! file scan uses. What it learns of the cluster as a whole (version, managed platform,
//! kubelets) comes last, as one `ClusterInfo` object ([`platform`]).

pub mod clean;
pub mod connect;
pub mod discovery;
pub mod list;
pub mod platform;
pub mod watch;

pub use connect::{connect, Connection, Target};
pub use discovery::ApiResource;

use list::Message;
use palisade_core::coverage::{Coverage, ReadState, ResourceRead};
use serde_json::Value;
use std::fmt;
use std::sync::Arc;

/// How to read.
#[derive(Clone, Debug)]
pub struct ReadOptions {
    /// Objects per list request.
    pub page_size: u32,
    /// Resource types listed at once.
    pub concurrency: usize,
    /// Also read objects a checked controller owns (Pods of ReplicaSets, …).
    pub include_owned: bool,
}

impl Default for ReadOptions {
    fn default() -> ReadOptions {
        ReadOptions { page_size: 500, concurrency: 4, include_owned: false }
    }
}

/// A failed request: the Status code when the server sent one, and the message.
#[derive(Debug)]
pub struct ApiError {
    pub code: Option<u16>,
    pub message: String,
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.code {
            Some(code) => write!(f, "{code}: {}", self.message),
            None => write!(f, "{}", self.message),
        }
    }
}

/// GETs a path and reads the JSON answer.
pub(crate) async fn get_json(client: &kube::Client, path: &str, accept: Option<&str>) -> Result<Value, ApiError> {
    let request = http::Request::get(path)
        .header(http::header::ACCEPT, accept.unwrap_or("application/json"))
        .body(Vec::new())
        .map_err(|e| ApiError { code: None, message: e.to_string() })?;
    let text = client.request_text(request).await.map_err(|e| match e {
        kube::Error::Api(status) => ApiError { code: Some(status.code), message: status.message.clone() },
        other => ApiError { code: None, message: other.to_string() },
    })?;
    serde_json::from_str(&text).map_err(|e| ApiError { code: None, message: format!("{path}: the answer is not JSON: {e}") })
}

/// Progress, for a progress bar.
#[derive(Clone, Debug)]
pub enum Progress {
    /// Discovery is done: this many resource types to list.
    Discovered(usize),
    /// One resource type is done (its qualified name), with the objects read so far in all.
    Listed(String, usize),
}

/// Resource types not read on purpose, and why.
pub(crate) fn skipped(r: &ApiResource) -> Option<&'static str> {
    match (r.group.as_str(), r.resource.as_str()) {
        ("" | "events.k8s.io", "events") => Some("events are a history of what happened, not the security state"),
        _ => None,
    }
}

/// The server's `gitVersion`, when `/version` answers.
pub async fn version(conn: &Connection) -> Option<String> {
    get_json(&conn.client, "/version", None).await.ok().and_then(|v| v["gitVersion"].as_str().map(str::to_string))
}

/// Reads the whole cluster: `sink` gets every page of cleaned objects (on the calling task,
/// one page at a time), `progress` the progress. Returns the coverage, or an error when
/// the server cannot be reached at all (discovery failed).
pub async fn read(conn: &Connection, opts: &ReadOptions, mut sink: impl FnMut(&ApiResource, Vec<Value>), progress: impl Fn(Progress)) -> Result<(Coverage, Vec<String>), String> {
    let version = version(conn).await;
    let found = discovery::discover(&conn.client).await.map_err(|e| format!("{}: {e}", conn.server))?;
    let resources: Vec<ApiResource> = found.resources.into_iter().filter(|r| r.verbs.iter().any(|v| v == "list")).collect();
    let mut coverage = Coverage { server: conn.server.clone(), context: conn.context.clone(), version, platform: None, resources: Vec::new() };
    let entry = |r: &ApiResource, state: ReadState| ResourceRead {
        group: r.group.clone(),
        version: r.version.clone(),
        resource: r.resource.clone(),
        kind: r.kind.clone(),
        namespaced: r.namespaced,
        state,
        owned: 0,
        relists: 0,
    };
    let (to_list, not): (Vec<ApiResource>, Vec<ApiResource>) = resources.into_iter().partition(|r| skipped(r).is_none());
    coverage.resources.extend(not.iter().map(|r| entry(r, ReadState::Skipped(skipped(r).unwrap_or_default().into()))));
    progress(Progress::Discovered(to_list.len()));
    let to_list = Arc::new(to_list);
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Message>(opts.concurrency.max(1) * 2);
    let limit = Arc::new(tokio::sync::Semaphore::new(opts.concurrency.max(1)));
    for i in 0..to_list.len() {
        let (client, tx, limit, all, opts) = (conn.client.clone(), tx.clone(), limit.clone(), to_list.clone(), opts.clone());
        tokio::spawn(async move {
            let Ok(_permit) = limit.acquire().await else { return };
            let pages = tx.clone();
            let page = move |objects| {
                let pages = pages.clone();
                async move { pages.send(Message::Page(i, objects)).await.is_ok() }
            };
            let listed = list::list(&client, &all[i], opts.page_size, opts.include_owned, page).await;
            let _ = tx.send(Message::Done(i, listed)).await;
        });
    }
    drop(tx);
    let mut done: Vec<Option<list::Listed>> = (0..to_list.len()).map(|_| None).collect();
    let mut observer = platform::Observer::default();
    let mut objects = 0;
    while let Some(message) = rx.recv().await {
        match message {
            Message::Page(i, page) => {
                objects += page.len();
                page.iter().for_each(|o| observer.see(o));
                sink(&to_list[i], page);
            }
            Message::Done(i, listed) => {
                let r = &to_list[i];
                progress(Progress::Listed(r.qualified(), objects));
                done[i] = Some(listed);
            }
        }
    }
    for (r, listed) in to_list.iter().zip(done) {
        let listed = listed.unwrap_or(list::Listed { state: ReadState::Failed("the listing task stopped".into()), owned: 0, relists: 0, resource_version: None });
        coverage.resources.push(ResourceRead { owned: listed.owned, relists: listed.relists, ..entry(r, listed.state) });
    }
    coverage.resources.sort_by(|a, b| (&a.group, &a.resource).cmp(&(&b.group, &b.resource)));
    coverage.platform = observer.platform(coverage.version.as_deref());
    let info = observer.cluster_info(&coverage.server, coverage.context.as_deref(), coverage.version.as_deref());
    let resource = ApiResource { group: "palisade.io".into(), version: "v1".into(), resource: "clusterinfo".into(), kind: "ClusterInfo".into(), namespaced: false, verbs: Vec::new() };
    sink(&resource, vec![info]);
    Ok((coverage, found.problems))
}
