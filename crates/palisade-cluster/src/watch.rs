//! Watching a cluster: every listable, watchable resource type is listed, then watched from
//! the list's resourceVersion, and every change goes to the caller as an [`Event`] on one
//! channel — the same cleaned objects a read hands on.
//!
//! It survives what real API servers do. A watch that ends (the server's `timeoutSeconds`,
//! a restart) is reopened from the last resourceVersion seen; a watch that falls silent —
//! no event and no bookmark for [`WatchOptions::idle`], as when a proxy drops it without a
//! word — is taken as dropped and reopened; `410 Gone` (the history is compacted past where
//! the watch would resume) relists the type and hands on the whole list again, page by page,
//! so the caller can work out the true differences; a server that cannot be reached is retried with
//! exponential backoff, for as long as it takes. Bookmarks move the resourceVersion on.

use crate::clean::{clean, owned_by_controller};
use crate::discovery::ApiResource;
use crate::list::list;
use crate::{discovery, Connection, ReadOptions};
use futures_util::StreamExt;
use kube::core::WatchEvent;
use palisade_core::coverage::ReadState;
use serde_json::Value;
use std::time::{Duration, Instant};
use tokio::sync::mpsc;

/// How to watch.
#[derive(Clone, Debug)]
pub struct WatchOptions {
    pub read: ReadOptions,
    /// A watch silent this long (not even a bookmark) is taken as dropped and reopened.
    pub idle: Duration,
    /// The longest wait between two attempts to reach a server that is away.
    pub max_backoff: Duration,
}

impl Default for WatchOptions {
    fn default() -> WatchOptions {
        WatchOptions { read: ReadOptions::default(), idle: Duration::from_secs(300), max_backoff: Duration::from_secs(30) }
    }
}

/// Why a watch was reopened.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Restart {
    /// The server ended it (its timeout, or a clean close): reopened where it stood.
    Ended,
    /// Silent for longer than [`WatchOptions::idle`].
    Silent,
    /// `410 Gone`: the type was listed again.
    Expired,
    /// The connection failed or the server could not be reached (the error).
    Lost(String),
}

/// What the caller hears, per resource type (an index into [`Watch::resources`]).
#[derive(Debug)]
pub enum Event {
    /// A list of the type begins (the first, or one after `410 Gone`); its objects follow in
    /// pages, then [`Event::Listed`].
    Listing(usize),
    /// Objects of the list under way.
    Page(usize, Vec<Value>),
    /// The list is complete: objects of the type that were in none of its pages are gone.
    Listed(usize),
    /// An object added or changed.
    Applied(usize, Value),
    /// An object deleted (or now owned by a controller, and so left to it).
    Deleted(usize, Value),
    /// The type cannot be read (forbidden, no longer served): it is not watched.
    Unavailable(usize, ReadState),
    /// The watch was reopened.
    Restarted(usize, Restart),
    /// A bookmark: the watch is alive.
    Alive(usize),
}

impl Event {
    /// The resource type it is about.
    pub fn resource(&self) -> usize {
        match self {
            Event::Listing(i) | Event::Page(i, _) | Event::Listed(i) | Event::Applied(i, _) | Event::Deleted(i, _) | Event::Unavailable(i, _) | Event::Restarted(i, _) | Event::Alive(i) => *i,
        }
    }
}

impl Restart {
    /// A label for metrics: `ended`, `silent`, `expired`, `lost`.
    pub fn reason(&self) -> &'static str {
        match self {
            Restart::Ended => "ended",
            Restart::Silent => "silent",
            Restart::Expired => "expired",
            Restart::Lost(_) => "lost",
        }
    }
}

/// What the channel carries: each event with the moment it came off the wire.
pub type Received = (Instant, Event);

/// A running watch: the types it covers, the channel of events, and discovery's problems.
pub struct Watch {
    pub resources: Vec<ApiResource>,
    pub events: mpsc::Receiver<Received>,
    pub problems: Vec<String>,
}

/// Discovers the types to watch and starts a task per type on the current runtime. The
/// watch runs until the receiver is dropped.
pub async fn start(conn: &Connection, opts: &WatchOptions) -> Result<Watch, String> {
    start_matching(conn, opts, |_| true).await
}

/// [`start`], for the discovered types `wanted` keeps only (Namespaces, for the admission
/// webhook's labels).
pub async fn start_matching(conn: &Connection, opts: &WatchOptions, wanted: impl Fn(&ApiResource) -> bool) -> Result<Watch, String> {
    let found = discovery::discover(&conn.client).await.map_err(|e| format!("{}: {e}", conn.server))?;
    let resources: Vec<ApiResource> = found
        .resources
        .into_iter()
        .filter(|r| r.verbs.iter().any(|v| v == "list") && r.verbs.iter().any(|v| v == "watch"))
        .filter(|r| crate::skipped(r).is_none() && wanted(r))
        .collect();
    let (tx, events) = mpsc::channel(1024);
    for (i, r) in resources.iter().enumerate() {
        tokio::spawn(watch_one(conn.client.clone(), r.clone(), i, opts.clone(), Sender(tx.clone())));
    }
    Ok(Watch { resources, events, problems: found.problems })
}

/// Sends events stamped with the moment they were received.
#[derive(Clone)]
struct Sender(mpsc::Sender<Received>);

impl Sender {
    async fn send(&self, event: Event) -> Result<(), ()> {
        self.0.send((Instant::now(), event)).await.map_err(|_| ())
    }
}

/// The next wait of an exponential backoff: 0.5 s doubling up to `max`.
fn backoff(attempt: u32, max: Duration) -> Duration {
    Duration::from_millis(500u64.saturating_mul(1 << attempt.min(10))).min(max)
}

/// Lists then watches one type, forever (until the receiver is gone).
async fn watch_one(client: kube::Client, resource: ApiResource, i: usize, opts: WatchOptions, tx: Sender) {
    let mut failures = 0u32;
    'relist: loop {
        if tx.send(Event::Listing(i)).await.is_err() {
            return;
        }
        let listed = list(&client, &resource, opts.read.page_size, opts.read.include_owned, |page| {
            let tx = tx.clone();
            async move { tx.send(Event::Page(i, page)).await.is_ok() }
        })
        .await;
        let mut rv = match listed.state {
            ReadState::Read { .. } => listed.resource_version.unwrap_or_default(),
            ReadState::Failed(message) => {
                if tx.send(Event::Restarted(i, Restart::Lost(message))).await.is_err() {
                    return;
                }
                tokio::time::sleep(backoff(failures, opts.max_backoff)).await;
                failures += 1;
                continue 'relist;
            }
            state => {
                let _ = tx.send(Event::Unavailable(i, state)).await;
                return;
            }
        };
        failures = 0;
        if tx.send(Event::Listed(i)).await.is_err() {
            return;
        }
        loop {
            let outcome = follow(&client, &resource, i, &opts, &mut rv, &tx).await;
            let restart = match outcome {
                Followed::Receiver => return,
                Followed::Restart(restart) => restart,
            };
            let lost = matches!(restart, Restart::Lost(_));
            let expired = restart == Restart::Expired;
            if tx.send(Event::Restarted(i, restart)).await.is_err() {
                return;
            }
            if expired {
                continue 'relist;
            }
            if lost {
                tokio::time::sleep(backoff(failures, opts.max_backoff)).await;
                failures += 1;
            } else {
                failures = 0;
            }
        }
    }
}

enum Followed {
    /// The receiver is gone: stop.
    Receiver,
    Restart(Restart),
}

/// One watch request from `rv`, followed until it ends; `rv` moves with every event.
async fn follow(client: &kube::Client, resource: &ApiResource, i: usize, opts: &WatchOptions, rv: &mut String, tx: &Sender) -> Followed {
    // The server's timeout a little under the idle limit, so a healthy watch ends on its own.
    let timeout = opts.idle.as_secs().saturating_sub(opts.idle.as_secs() / 10).max(1);
    let path = format!("{}?watch=true&allowWatchBookmarks=true&timeoutSeconds={timeout}&resourceVersion={rv}", resource.path());
    let request = match http::Request::get(&path).body(Vec::new()) {
        Ok(r) => r,
        Err(e) => return Followed::Restart(Restart::Lost(e.to_string())),
    };
    let stream = match tokio::time::timeout(opts.idle, client.request_events::<Value>(request)).await {
        Err(_) => return Followed::Restart(Restart::Silent),
        Ok(Err(kube::Error::Api(status))) if status.code == 410 => return Followed::Restart(Restart::Expired),
        Ok(Err(e)) => return Followed::Restart(Restart::Lost(e.to_string())),
        Ok(Ok(stream)) => stream,
    };
    let mut stream = std::pin::pin!(stream);
    let (api_version, kind) = (resource.api_version(), resource.kind.clone());
    loop {
        let next = match tokio::time::timeout(opts.idle, stream.next()).await {
            Err(_) => return Followed::Restart(Restart::Silent),
            Ok(None) => return Followed::Restart(Restart::Ended),
            Ok(Some(Err(kube::Error::Api(status)))) if status.code == 410 => return Followed::Restart(Restart::Expired),
            Ok(Some(Err(e))) => return Followed::Restart(Restart::Lost(e.to_string())),
            Ok(Some(Ok(event))) => event,
        };
        let mut moved = |object: &Value| {
            if let Some(v) = object["metadata"]["resourceVersion"].as_str() {
                *rv = v.to_string();
            }
        };
        let event = match next {
            WatchEvent::Added(object) | WatchEvent::Modified(object) => {
                moved(&object);
                let object = clean(object, &api_version, &kind);
                if !opts.read.include_owned && owned_by_controller(&object) {
                    Event::Deleted(i, object)
                } else {
                    Event::Applied(i, object)
                }
            }
            WatchEvent::Deleted(object) => {
                moved(&object);
                Event::Deleted(i, clean(object, &api_version, &kind))
            }
            WatchEvent::Bookmark(mark) => {
                *rv = mark.metadata.resource_version;
                Event::Alive(i)
            }
            WatchEvent::Error(e) if e.code == 410 => return Followed::Restart(Restart::Expired),
            WatchEvent::Error(e) => return Followed::Restart(Restart::Lost(format!("{}: {}", e.code, e.message))),
        };
        if tx.send(event).await.is_err() {
            return Followed::Receiver;
        }
    }
}
