//! Kubernetes audit events (`audit.k8s.io/v1`, and the older `v1beta1` some logs still
//! hold) as the audit source reads them: JSON lines — one `Event` a line, as the log backend
//! writes them — or whole `EventList` documents, as the webhook backend posts them. Each
//! event is given an object identity (`audit.k8s.io/v1` `Event`, named by its `auditID`),
//! and the object a create or update carried (`requestObject`) is handed on too, so the
//! workload, RBAC and secret rules judge it as they judge a manifest. A line that is not an
//! event is an error with its line number; the rest of the log is still read.

use serde_json::{json, Value};

/// One event read from a log, with the line it was on (1-based).
#[derive(Clone, Debug)]
pub struct Event {
    pub line: u32,
    /// The event as an object: `apiVersion: audit.k8s.io/v1`, `kind: Event`,
    /// `metadata.name` = its auditID (or `line-N` without one), and every field of the event.
    pub object: Value,
    /// The object the request created or replaced, ready for the rules: its namespace and
    /// name filled in from `objectRef` where the request left them out.
    pub request_object: Option<Value>,
}

/// Why a line is not an event.
fn problem(v: &Value) -> Option<&'static str> {
    if !v.is_object() {
        return Some("not a JSON object");
    }
    if v.get("kind").is_some_and(|k| k != "Event") {
        return Some("`kind` is not Event");
    }
    if let Some(api) = v.get("apiVersion").and_then(Value::as_str) {
        if !api.starts_with("audit.k8s.io/") {
            return Some("`apiVersion` is not audit.k8s.io");
        }
    }
    if !v.get("verb").is_some_and(Value::is_string) {
        return Some("no `verb`");
    }
    None
}

/// A request's object with the namespace and name the request URI gave it (`objectRef`)
/// where its own metadata leaves them out, as the API server would store it.
fn named(mut object: Value, reference: &Value, line: u32) -> Value {
    let Some(o) = object.as_object_mut() else { return object };
    let meta = o.entry("metadata").or_insert_with(|| json!({}));
    let Some(meta) = meta.as_object_mut() else { return object };
    for key in ["namespace", "name"] {
        let missing = meta.get(key).and_then(Value::as_str).is_none_or(str::is_empty);
        if let Some(value) = reference.get(key).filter(|n| missing && n.is_string()) {
            meta.insert(key.to_string(), value.clone());
        }
    }
    if !meta.contains_key("name") {
        let name = meta.get("generateName").cloned().unwrap_or_else(|| json!(format!("unnamed-{line}")));
        meta.insert("name".into(), name);
    }
    object
}

/// The event `v`, found at `line`.
fn event(mut v: Value, line: u32) -> Event {
    let name = v.get("auditID").and_then(Value::as_str).map(str::to_string).unwrap_or_else(|| format!("line-{line}"));
    let reference = v.get("objectRef").cloned().unwrap_or(Value::Null);
    let verb = v["verb"].as_str().unwrap_or("").to_string();
    let request_object = v
        .get("requestObject")
        .filter(|r| matches!(verb.as_str(), "create" | "update") && r.get("kind").is_some_and(Value::is_string) && r.get("apiVersion").is_some())
        .filter(|r| !matches!(r["kind"].as_str(), Some("DeleteOptions" | "Status")))
        .cloned()
        .map(|r| named(r, &reference, line));
    if let Some(o) = v.as_object_mut() {
        o.insert("apiVersion".into(), json!("audit.k8s.io/v1"));
        o.insert("kind".into(), json!("Event"));
        let meta = o.entry("metadata").or_insert_with(|| json!({}));
        if let Some(meta) = meta.as_object_mut() {
            meta.insert("name".into(), json!(name));
        }
    }
    Event { line, object: v, request_object }
}

/// Takes in one JSON value found at `line`: an Event, or an EventList of them.
fn take(v: Value, line: u32, events: &mut Vec<Event>, errors: &mut Vec<(u32, String)>) {
    if v["kind"] == "EventList" {
        for (i, item) in v["items"].as_array().into_iter().flatten().enumerate() {
            match problem(item) {
                None => events.push(event(item.clone(), line)),
                Some(why) => errors.push((line, format!("items[{i}]: {why}"))),
            }
        }
        return;
    }
    match problem(&v) {
        None => events.push(event(v, line)),
        Some(why) => errors.push((line, why.to_string())),
    }
}

/// Every event of a log, and the lines that are not events (line, reason).
pub fn read(bytes: &[u8]) -> (Vec<Event>, Vec<(u32, String)>) {
    let (mut events, mut errors) = (Vec::new(), Vec::new());
    let text = String::from_utf8_lossy(bytes);
    // One pretty-printed document (an EventList, or an Event) rather than JSON lines.
    let first = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    if serde_json::from_str::<Value>(first).is_err() {
        if let Ok(doc) = serde_json::from_str::<Value>(&text) {
            take(doc, 1, &mut events, &mut errors);
            return (events, errors);
        }
    }
    for (n, line) in text.lines().enumerate() {
        let n = n as u32 + 1;
        if line.trim().is_empty() {
            continue;
        }
        match serde_json::from_str::<Value>(line) {
            Ok(v) => take(v, n, &mut events, &mut errors),
            Err(e) => errors.push((n, format!("not JSON: {e}"))),
        }
    }
    (events, errors)
}

#[cfg(test)]
mod tests {
    #[test]
    fn lines_lists_and_bad_lines() {
        let log = concat!(
            r#"{"kind":"Event","apiVersion":"audit.k8s.io/v1","auditID":"a1","verb":"create","objectRef":{"resource":"pods","namespace":"shop","name":"web"},"requestObject":{"apiVersion":"v1","kind":"Pod","metadata":{},"spec":{}}}"#, "\n",
            "{\"kind\": 0}\n",
            "not json\n",
            "\n",
            r#"{"kind":"Event","apiVersion":"audit.k8s.io/v1beta1","metadata":{"creationTimestamp":"2018-10-25T13:58:49Z"},"verb":"get","auditID":"a2"}"#, "\n",
        );
        let (events, errors) = super::read(log.as_bytes());
        assert_eq!(events.len(), 2);
        assert_eq!((events[0].line, events[1].line), (1, 5));
        assert_eq!(events[0].object["metadata"]["name"], "a1");
        assert_eq!(events[1].object["apiVersion"], "audit.k8s.io/v1");
        let pod = events[0].request_object.as_ref().unwrap();
        assert_eq!((pod["metadata"]["namespace"].as_str(), pod["metadata"]["name"].as_str()), (Some("shop"), Some("web")));
        assert!(events[1].request_object.is_none());
        assert_eq!(errors.iter().map(|(l, _)| *l).collect::<Vec<_>>(), [2, 3]);
        let list = r#"{"kind":"EventList","apiVersion":"audit.k8s.io/v1","items":[{"verb":"list","auditID":"b1"},{"kind":"Nope"}]}"#;
        let (events, errors) = super::read(list.as_bytes());
        assert_eq!((events.len(), errors.len()), (1, 1));
    }
}
