//! The API: `/version`, discovery (aggregated `apidiscovery.k8s.io/v2` when the client asks
//! for it and the server is new enough, the legacy documents otherwise), list with
//! `limit`/`continue`, label and field selectors, get, watch with bookmarks and `410 Gone`,
//! tables for kubectl, and Status objects for every failure.

use crate::select::{field, label, Selector};
use crate::store::{Change, Resource};
use crate::Shared;
use axum::body::Body;
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::response::Response;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

const AGGREGATED: &str = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList";
const TABLE: &str = "application/json;as=Table;v=v1;g=meta.k8s.io";

fn respond(code: StatusCode, content_type: &str, body: Value) -> Response {
    Response::builder().status(code).header(header::CONTENT_TYPE, content_type).body(Body::from(body.to_string())).expect("response")
}

fn ok(body: Value) -> Response {
    respond(StatusCode::OK, "application/json", body)
}

/// A Status object, as the API server explains every failure.
pub fn status(code: u16, reason: &str, message: &str, details: Value) -> Response {
    let body = json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure", "message": message, "reason": reason, "details": details, "code": code});
    respond(StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR), "application/json", body)
}

fn query(raw: Option<&str>) -> HashMap<String, String> {
    let mut out = HashMap::new();
    for pair in raw.unwrap_or("").split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        out.insert(decode(k), decode(v));
    }
    out
}

/// Percent-decoding (and `+` as space) of a query component.
fn decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => match text.get(i + 1..i + 3).and_then(|h| u8::from_str_radix(h, 16).ok()) {
                Some(b) => {
                    out.push(b);
                    i += 3;
                    continue;
                }
                None => out.push(b'%'),
            },
            b'+' => out.push(b' '),
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// What a request path names below a group/version.
enum Target {
    List { resource: String, namespace: Option<String> },
    Get { resource: String, namespace: Option<String>, name: String },
}

fn target(rest: &[&str]) -> Option<Target> {
    let s = |x: &str| x.to_string();
    match rest {
        [resource] => Some(Target::List { resource: s(resource), namespace: None }),
        ["namespaces", ns, resource] => Some(Target::List { resource: s(resource), namespace: Some(s(ns)) }),
        ["namespaces", ns, resource, name] => Some(Target::Get { resource: s(resource), namespace: Some(s(ns)), name: s(name) }),
        [resource, name] => Some(Target::Get { resource: s(resource), namespace: None, name: s(name) }),
        _ => None,
    }
}

pub async fn handle(server: Arc<Shared>, method: Method, path: String, raw_query: Option<String>, headers: HeaderMap, client_cert: bool) -> Response {
    let params = query(raw_query.as_deref());
    server.log(format!("{method} {path}{}", raw_query.as_deref().map(|q| format!("?{q}")).unwrap_or_default()));
    if path == "/version" || path == "/healthz" || path == "/readyz" || path == "/livez" {
        return if path == "/version" { ok(version(&server.options.version)) } else { respond(StatusCode::OK, "text/plain", json!("ok")) };
    }
    let bearer = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Bearer "));
    if !(client_cert || bearer == Some(server.options.token.as_str())) {
        return status(401, "Unauthorized", "Unauthorized", json!({}));
    }
    if method != Method::GET {
        return status(405, "MethodNotAllowed", &format!("the test server serves reads only, not {method}"), json!({}));
    }
    let accept = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()).unwrap_or("");
    let segments: Vec<&str> = path.trim_matches('/').split('/').filter(|s| !s.is_empty()).collect();
    let aggregated = server.options.aggregated_discovery && accept.contains("as=APIGroupDiscoveryList") && accept.contains("v=v2");
    match segments.as_slice() {
        ["api"] if aggregated => respond(StatusCode::OK, AGGREGATED, server.discovery(true)),
        ["apis"] if aggregated => respond(StatusCode::OK, AGGREGATED, server.discovery(false)),
        ["api"] => ok(json!({"kind": "APIVersions", "versions": ["v1"], "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": server.address()}]})),
        ["apis"] => ok(server.group_list()),
        ["api", version] => server.resource_list("", version),
        ["apis", group, version] => server.resource_list(group, version),
        ["api", version, rest @ ..] => server.serve("", version, rest, &params, accept).await,
        ["apis", group, version, rest @ ..] => server.serve(group, version, rest, &params, accept).await,
        _ => status(404, "NotFound", &format!("the server could not find the requested resource ({path})"), json!({})),
    }
}

fn version(git: &str) -> Value {
    let trimmed = git.trim_start_matches('v');
    let mut parts = trimmed.split(['.', '-', '+']);
    let major = parts.next().unwrap_or("1");
    let minor = parts.next().unwrap_or("0");
    json!({"major": major, "minor": minor, "gitVersion": git, "gitCommit": "0000000", "gitTreeState": "clean",
           "buildDate": "2026-01-01T00:00:00Z", "goVersion": "go1.24", "compiler": "gc", "platform": "linux/amd64"})
}

fn verbs() -> Value {
    json!(["get", "list", "watch"])
}

impl Shared {
    fn address(&self) -> String {
        self.addr.lock().expect("addr").clone()
    }

    /// `apidiscovery.k8s.io/v2`: the core group (`/api`) or every other group (`/apis`).
    fn discovery(&self, core: bool) -> Value {
        let store = self.store.lock().expect("store");
        let items: Vec<Value> = store
            .groups()
            .into_iter()
            .filter(|(g, _)| g.is_empty() == core)
            .map(|(group, versions)| {
                let versions: Vec<Value> = versions
                    .iter()
                    .map(|v| {
                        let resources: Vec<Value> = store
                            .resources
                            .iter()
                            .filter(|r| r.group == group && &r.version == v)
                            .map(|r| {
                                json!({"resource": r.name, "responseKind": {"group": r.group, "version": r.version, "kind": r.kind},
                                       "scope": if r.namespaced { "Namespaced" } else { "Cluster" },
                                       "singularResource": r.kind.to_ascii_lowercase(), "verbs": verbs()})
                            })
                            .collect();
                        json!({"version": v, "resources": resources, "freshness": "Current"})
                    })
                    .collect();
                json!({"metadata": {"name": group, "creationTimestamp": null}, "versions": versions})
            })
            .collect();
        json!({"kind": "APIGroupDiscoveryList", "apiVersion": "apidiscovery.k8s.io/v2", "metadata": {}, "items": items})
    }

    fn group_list(&self) -> Value {
        let store = self.store.lock().expect("store");
        let groups: Vec<Value> = store
            .groups()
            .into_iter()
            .filter(|(g, _)| !g.is_empty())
            .map(|(group, versions)| {
                let list: Vec<Value> = versions.iter().map(|v| json!({"groupVersion": format!("{group}/{v}"), "version": v})).collect();
                json!({"name": group, "versions": list, "preferredVersion": list[0]})
            })
            .collect();
        json!({"kind": "APIGroupList", "apiVersion": "v1", "groups": groups})
    }

    fn resource_list(&self, group: &str, version: &str) -> Response {
        let store = self.store.lock().expect("store");
        let resources: Vec<Value> = store
            .resources
            .iter()
            .filter(|r| r.group == group && r.version == version)
            .map(|r| json!({"name": r.name, "singularName": r.kind.to_ascii_lowercase(), "namespaced": r.namespaced, "kind": r.kind, "verbs": verbs()}))
            .collect();
        if resources.is_empty() {
            return status(404, "NotFound", &format!("the server could not find the requested resource (group version {group}/{version})"), json!({}));
        }
        let gv = if group.is_empty() { version.to_string() } else { format!("{group}/{version}") };
        ok(json!({"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": gv, "resources": resources}))
    }

    async fn serve(self: &Arc<Self>, group: &str, version: &str, rest: &[&str], params: &HashMap<String, String>, accept: &str) -> Response {
        let Some(target) = target(rest) else { return status(404, "NotFound", "the server could not find the requested resource", json!({})) };
        let (name_of_resource, namespace) = match &target {
            Target::List { resource, namespace } | Target::Get { resource, namespace, .. } => (resource.clone(), namespace.clone()),
        };
        let resource = {
            let store = self.store.lock().expect("store");
            store.resources.iter().find(|r| r.group == group && r.version == version && r.name == name_of_resource).cloned()
        };
        let Some(resource) = resource else {
            return status(404, "NotFound", &format!("the server could not find the requested resource ({name_of_resource})"), json!({}));
        };
        let qualified = if group.is_empty() { resource.name.clone() } else { format!("{}.{group}", resource.name) };
        if self.options.forbidden.iter().any(|f| *f == resource.name || *f == qualified) {
            let scope = namespace.as_ref().map(|n| format!("in the namespace \"{n}\"")).unwrap_or_else(|| "at the cluster scope".into());
            let verb = if matches!(target, Target::Get { .. }) { "get" } else { "list" };
            let message = format!("{} is forbidden: User \"palisade\" cannot {verb} resource \"{}\" in API group \"{group}\" {scope}", resource.name, resource.name);
            return status(403, "Forbidden", &message, json!({"group": group, "kind": resource.name}));
        }
        if self.options.failing.iter().any(|f| *f == resource.name || *f == qualified) {
            return status(500, "InternalError", &format!("Internal error occurred: listing {} failed (as configured)", resource.name), json!({}));
        }
        match target {
            Target::Get { name, .. } => {
                let key = (namespace.unwrap_or_default(), name.clone());
                let object = self.store.lock().expect("store").objects.get(&resource).and_then(|m| m.get(&key)).cloned();
                match object {
                    Some(o) if accept.contains("as=Table") => respond(StatusCode::OK, TABLE, table(&[o], json!({}))),
                    Some(o) => ok(o),
                    None => status(404, "NotFound", &format!("{} \"{name}\" not found", resource.name), json!({"name": name, "group": group, "kind": resource.name})),
                }
            }
            Target::List { .. } if matches!(params.get("watch").map(String::as_str), Some("true" | "1")) => self.watch(resource, namespace, params).await,
            Target::List { .. } => self.list(&resource, namespace.as_deref(), params, accept),
        }
    }

    fn selected(params: &HashMap<String, String>) -> Result<(Option<Selector>, Option<Selector>), Box<Response>> {
        let parse = |key: &str, fields: bool| -> Result<Option<Selector>, Box<Response>> {
            match params.get(key).filter(|s| !s.is_empty()) {
                None => Ok(None),
                Some(text) => Selector::parse(text, fields).map(Some).map_err(|e| Box::new(status(400, "BadRequest", &e, json!({})))),
            }
        };
        Ok((parse("labelSelector", false)?, parse("fieldSelector", true)?))
    }

    fn list(&self, resource: &Resource, namespace: Option<&str>, params: &HashMap<String, String>, accept: &str) -> Response {
        let (labels, fields) = match Self::selected(params) {
            Ok(s) => s,
            Err(r) => return *r,
        };
        let limit: usize = params.get("limit").and_then(|l| l.parse().ok()).unwrap_or(0);
        let limit = match (limit, self.options.max_page) {
            (0, Some(m)) => m,
            (l, Some(m)) => l.min(m),
            (l, None) => l,
        };
        let offset = match params.get("continue").filter(|c| !c.is_empty()) {
            None => 0,
            Some(token) => {
                let Some((_, offset, of)) = parse_continue(token) else { return status(400, "BadRequest", "invalid continue token", json!({})) };
                if of != resource.name {
                    return status(400, "BadRequest", "the continue token is for another resource", json!({}));
                }
                if self.options.expire_continue.contains(&resource.name) && self.expired.lock().expect("expired").insert(resource.name.clone()) {
                    return status(410, "Expired", "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.", json!({}));
                }
                offset
            }
        };
        let store = self.store.lock().expect("store");
        let all: Vec<&Value> = store
            .objects
            .get(resource)
            .into_iter()
            .flat_map(|m| m.values())
            .filter(|o| namespace.is_none_or(|ns| o["metadata"]["namespace"].as_str() == Some(ns)))
            .filter(|o| labels.as_ref().is_none_or(|s| s.matches(|k| label(o, k))))
            .filter(|o| fields.as_ref().is_none_or(|s| s.matches(|k| field(o, k))))
            .collect();
        let end = if limit == 0 { all.len() } else { (offset + limit).min(all.len()) };
        let page = &all[offset.min(all.len())..end];
        let mut metadata = json!({"resourceVersion": store.rv.to_string()});
        if end < all.len() {
            metadata["continue"] = json!(continue_token(store.rv, end, &resource.name));
            metadata["remainingItemCount"] = json!(all.len() - end);
        }
        if accept.contains("as=Table") {
            let rows: Vec<Value> = page.iter().map(|o| (*o).clone()).collect();
            return respond(StatusCode::OK, TABLE, table(&rows, metadata));
        }
        // Built-in types' list items carry no apiVersion and kind (custom resources' do).
        let custom = resource.group.contains('.') && !resource.group.ends_with(".k8s.io");
        let items: Vec<Value> = page
            .iter()
            .map(|o| {
                let mut o = (*o).clone();
                if !custom {
                    if let Some(m) = o.as_object_mut() {
                        m.remove("apiVersion");
                        m.remove("kind");
                    }
                }
                o
            })
            .collect();
        ok(json!({"kind": format!("{}List", resource.kind), "apiVersion": resource.group_version(), "metadata": metadata, "items": items}))
    }

    /// A watch: the changes after `resourceVersion` (or every object as ADDED without one),
    /// then each new change as it happens, bookmarks when asked, until `timeoutSeconds`.
    async fn watch(self: &Arc<Self>, resource: Resource, namespace: Option<String>, params: &HashMap<String, String>) -> Response {
        let (labels, fields) = match Self::selected(params) {
            Ok(s) => s,
            Err(r) => return *r,
        };
        let from: Option<u64> = params.get("resourceVersion").filter(|v| !v.is_empty() && *v != "0").and_then(|v| v.parse().ok());
        let bookmarks = params.get("allowWatchBookmarks").is_some_and(|v| v == "true" || v == "1");
        let timeout = Duration::from_secs(params.get("timeoutSeconds").and_then(|t| t.parse().ok()).unwrap_or(60).min(600));
        let (tx, rx) = tokio::sync::mpsc::channel::<Result<String, std::io::Error>>(256);
        let mut changes = self.changes.subscribe();
        // A bookmark is an object of the watched kind with only a resourceVersion, as the API
        // server sends it (clients decode it as that kind).
        let (mark_version, mark_kind) = (resource.group_version(), resource.kind.clone());
        let wanted = move |c: &Change| {
            c.resource == resource
                && namespace.as_ref().is_none_or(|ns| c.object["metadata"]["namespace"].as_str() == Some(ns))
                && labels.as_ref().is_none_or(|s| s.matches(|k| label(&c.object, k)))
                && fields.as_ref().is_none_or(|s| s.matches(|k| field(&c.object, k)))
        };
        let line = |kind: &str, object: &Value| format!("{}\n", json!({"type": kind, "object": object}));
        let (initial, last) = {
            let store = self.store.lock().expect("store");
            let initial: Result<Vec<String>, ()> = match from {
                Some(rv) if rv < store.compacted => Err(()),
                Some(rv) => Ok(store.history.iter().filter(|c| c.rv > rv && wanted(c)).map(|c| line(c.kind, &c.object)).collect()),
                None => Ok(store
                    .history
                    .iter()
                    .filter(|c| wanted(c))
                    .filter(|c| c.kind != "DELETED")
                    .filter_map(|c| {
                        let key = (c.object["metadata"]["namespace"].as_str().unwrap_or("").to_string(), c.object["metadata"]["name"].as_str()?.to_string());
                        let now = store.objects.get(&c.resource)?.get(&key)?;
                        (now["metadata"]["resourceVersion"] == c.object["metadata"]["resourceVersion"]).then(|| line("ADDED", now))
                    })
                    .collect()),
            };
            (initial, store.rv)
        };
        let initial = match initial {
            Ok(lines) => lines,
            Err(()) => {
                let gone = json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure", "message": "too old resource version", "reason": "Expired", "code": 410});
                vec![line("ERROR", &gone)]
            }
        };
        let expired = initial.len() == 1 && initial[0].contains("\"code\":410");
        let interval = self.options.bookmark_interval;
        let stall = self.options.stall_watches_after.map(|d| tokio::time::Instant::now() + d);
        tokio::spawn(async move {
            for l in initial {
                if tx.send(Ok(l)).await.is_err() {
                    return;
                }
            }
            if expired {
                return;
            }
            let mut deadline = tokio::time::Instant::now() + timeout;
            let mut last = last;
            let mut tick = tokio::time::interval(interval);
            tick.tick().await;
            let stalls = stall.filter(|s| *s < deadline);
            if let Some(stall) = stalls {
                deadline = stall;
            }
            loop {
                tokio::select! {
                    _ = tokio::time::sleep_until(deadline) => {
                        // A stalled watch keeps its connection and says nothing more.
                        if stalls.is_some() {
                            tokio::time::sleep(timeout).await;
                        }
                        return;
                    }
                    _ = tick.tick(), if bookmarks => {
                        let mark = json!({"type": "BOOKMARK", "object": {"apiVersion": mark_version, "kind": mark_kind, "metadata": {"resourceVersion": last.to_string()}}});
                        if tx.send(Ok(format!("{mark}\n"))).await.is_err() { return; }
                    }
                    change = changes.recv() => match change {
                        Ok(c) => {
                            last = last.max(c.rv);
                            if wanted(&c) && tx.send(Ok(line(c.kind, &c.object))).await.is_err() { return; }
                        }
                        Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => continue,
                        Err(_) => return,
                    },
                }
            }
        });
        let stream = futures_util::stream::unfold(rx, |mut rx| async move { rx.recv().await.map(|item| (item, rx)) });
        Response::builder()
            .status(StatusCode::OK)
            .header(header::CONTENT_TYPE, "application/json")
            .header(header::TRANSFER_ENCODING, "chunked")
            .body(Body::from_stream(stream))
            .expect("watch response")
    }
}

fn continue_token(rv: u64, offset: usize, resource: &str) -> String {
    format!("{rv}-{offset}-{resource}").bytes().map(|b| format!("{b:02x}")).collect()
}

fn parse_continue(token: &str) -> Option<(u64, usize, String)> {
    let bytes: Option<Vec<u8>> = (0..token.len()).step_by(2).map(|i| token.get(i..i + 2).and_then(|h| u8::from_str_radix(h, 16).ok())).collect();
    let text = String::from_utf8(bytes?).ok()?;
    let mut parts = text.splitn(3, '-');
    Some((parts.next()?.parse().ok()?, parts.next()?.parse().ok()?, parts.next()?.to_string()))
}

/// A `meta.k8s.io/v1` Table (what `kubectl get` asks for): name and age, with each row's
/// object as PartialObjectMetadata so that kubectl can add the namespace column.
fn table(objects: &[Value], metadata: Value) -> Value {
    let rows: Vec<Value> = objects
        .iter()
        .map(|o| {
            let name = o["metadata"]["name"].as_str().unwrap_or("");
            json!({"cells": [name, "<unknown>"],
                   "object": {"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": o["metadata"]}})
        })
        .collect();
    json!({"kind": "Table", "apiVersion": "meta.k8s.io/v1", "metadata": metadata,
           "columnDefinitions": [
               {"name": "Name", "type": "string", "format": "name", "description": "Name of the object", "priority": 0},
               {"name": "Age", "type": "string", "format": "", "description": "Time since creation", "priority": 0}],
           "rows": rows})
}
