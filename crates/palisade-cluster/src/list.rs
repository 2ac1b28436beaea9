//! Listing one resource type page by page (`limit`/`continue`), each page handed on as
//! soon as it arrives. A continue token that expired (`410`) restarts the list from the
//! beginning, skipping what was already handed on.

use crate::clean::{clean, owned_by_controller};
use crate::discovery::ApiResource;
use crate::{get_json, ApiError};
use palisade_core::coverage::ReadState;
use serde_json::Value;
use std::collections::HashSet;

/// How a list ended, with the objects left out as controlled, the restarts, and the
/// resourceVersion the list was read at (where a watch takes up).
pub struct Listed {
    pub state: ReadState,
    pub owned: usize,
    pub relists: u32,
    pub resource_version: Option<String>,
}

fn percent(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// What listing tasks send: a page of resource `i`, or its end.
pub(crate) enum Message {
    Page(usize, Vec<Value>),
    Done(usize, Listed),
}

/// Lists `resource`, handing each page's cleaned objects to `page` as it arrives (`false`
/// back from it stops the list).
pub(crate) async fn list<F: std::future::Future<Output = bool>>(client: &kube::Client, resource: &ApiResource, page_size: u32, include_owned: bool, mut page: impl FnMut(Vec<Value>) -> F) -> Listed {
    let (api_version, kind) = (resource.api_version(), resource.kind.clone());
    let mut token: Option<String> = None;
    let mut seen: HashSet<(String, String)> = HashSet::new();
    let (mut objects, mut owned, mut relists) = (0usize, 0usize, 0u32);
    loop {
        let mut path = format!("{}?limit={page_size}", resource.path());
        if let Some(t) = &token {
            path.push_str(&format!("&continue={}", percent(t)));
        }
        let body = match get_json(client, &path, None).await {
            Ok(body) => body,
            Err(ApiError { code: Some(410), .. }) if token.is_some() && relists < 3 => {
                relists += 1;
                token = None;
                continue;
            }
            Err(e) => {
                let state = match e.code {
                    Some(403) => ReadState::Forbidden(e.message),
                    Some(404) => ReadState::Skipped(format!("the server stopped serving it: {}", e.message)),
                    _ => ReadState::Failed(e.to_string()),
                };
                return Listed { state, owned, relists, resource_version: None };
            }
        };
        let mut kept = Vec::new();
        if let Some(items) = body.get("items").and_then(Value::as_array) {
            for item in items {
                let key = (item["metadata"]["namespace"].as_str().unwrap_or("").to_string(), item["metadata"]["name"].as_str().unwrap_or("").to_string());
                if !seen.insert(key) {
                    continue;
                }
                let object = clean(item.clone(), &api_version, &kind);
                if !include_owned && owned_by_controller(&object) {
                    owned += 1;
                    continue;
                }
                kept.push(object);
            }
        }
        objects += kept.len();
        if !kept.is_empty() && !page(kept).await {
            return Listed { state: ReadState::Failed("stopped".into()), owned, relists, resource_version: None };
        }
        token = body["metadata"]["continue"].as_str().filter(|t| !t.is_empty()).map(str::to_string);
        if token.is_none() {
            let resource_version = body["metadata"]["resourceVersion"].as_str().map(str::to_string);
            return Listed { state: ReadState::Read { objects }, owned, relists, resource_version };
        }
    }
}
