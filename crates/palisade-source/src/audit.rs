//! Kubernetes audit events (`audit.k8s.io/v1`, and the older `v1beta1` some logs still
//! hold) as the audit source reads them: JSON lines — one `Event` a line, as the log backend
//! writes them — or whole `EventList` documents, as the webhook backend posts them. Each
//! event is given an object identity (`audit.k8s.io/v1` `Event`, named by its `auditID`),
//! and the object a create or update carried (`requestObject`) is handed on too, so the
//! workload, RBAC and secret rules judge it as they judge a manifest. A line that is not an
//! event is an error with its line number; the rest of the log is still read.
//!
//! Logs are large (a busy API server writes millions of events an hour), so they are read
//! as a stream, line by line, and most events are never built into objects: [`quiet`] reads
//! only an event's verb, user, target, response code, authorization decision and whether it
//! carries a request object, and passes by what no audit rule can detect in — a request by an
//! authenticated user that was not refused, carries no object, does not touch RBAC objects
//! (nor Secrets, unless it is the cluster's own machinery: a kubelet fetching what its pods
//! mount), and is not on a subresource the rules read (`exec`, `attach`, `portforward`,
//! `proxy`, and `token` but for kubelets and controllers): reads, lease renewals, status
//! patches, events, the kubelets' Secret and token traffic. Those
//! are counted and passed by; everything else is judged in full. A test checks on the
//! corpus and on a generated busy-cluster log that the findings are the same either way
//! (`--judge-all`).

use palisade_core::subjects;
use crate::json;
use palisade_core::{Node, Pos, Value as NodeValue};
use crate::skim::Skim;
use std::io::BufRead;

/// One event read from a log, with the line it was on (1-based).
#[derive(Clone, Debug)]
pub struct Event {
    pub line: u32,
    /// The event as an object: `apiVersion: audit.k8s.io/v1`, `kind: Event`,
    /// `metadata.name` = its auditID (or `line-N` without one), and every field of the event.
    pub object: Node,
    /// The object the request created or replaced, ready for the rules: its namespace and
    /// name filled in from `objectRef` where the request left them out.
    pub request_object: Option<Node>,
}

fn text<'a>(n: &'a Node, path: &[&str]) -> Option<&'a str> {
    n.get_path(path).and_then(Node::as_str)
}

fn string(s: &str) -> Node {
    Node::new(Pos::UNKNOWN, NodeValue::Str(s.to_string()))
}

/// Why a line is not an event.
fn problem(v: &Node) -> Option<&'static str> {
    if !v.is_map() {
        return Some("not a JSON object");
    }
    if v.get("kind").is_some_and(|k| k.as_str() != Some("Event")) {
        return Some("`kind` is not Event");
    }
    if let Some(api) = text(v, &["apiVersion"]) {
        if !api.starts_with("audit.k8s.io/") {
            return Some("`apiVersion` is not audit.k8s.io");
        }
    }
    if text(v, &["verb"]).is_none() {
        return Some("no `verb`");
    }
    None
}

/// A request's object with the namespace and name the request URI gave it (`objectRef`)
/// where its own metadata leaves them out, as the API server would store it.
fn named(mut object: Node, namespace: Option<&str>, name: Option<&str>, line: u32) -> Node {
    let Some(meta) = json::map_under(&mut object, "metadata") else { return object };
    let missing = |meta: &Node, key: &str| meta.get(key).and_then(Node::as_str).is_none_or(str::is_empty);
    if let (true, Some(ns)) = (missing(meta, "namespace"), namespace) {
        json::set(meta, "namespace", string(ns));
    }
    if missing(meta, "name") {
        match (name, meta.get("generateName").and_then(Node::as_str).map(str::to_string)) {
            (Some(n), _) => json::set(meta, "name", string(n)),
            (None, Some(generated)) => json::set(meta, "name", string(&generated)),
            (None, None) if meta.get("name").is_none() => json::set(meta, "name", string(&format!("unnamed-{line}"))),
            _ => {}
        }
    }
    object
}

/// The event `v`, found at `line`.
fn event(mut v: Node, line: u32) -> Event {
    let name = text(&v, &["auditID"]).map(str::to_string).unwrap_or_else(|| format!("line-{line}"));
    let verb = text(&v, &["verb"]).unwrap_or("");
    let judged = v
        .get("requestObject")
        .is_some_and(|r| matches!(verb, "create" | "update") && text(r, &["kind"]).is_some() && r.get("apiVersion").is_some() && !matches!(text(r, &["kind"]), Some("DeleteOptions" | "Status")));
    // The object is moved out to be judged on its own; the event keeps what identifies it
    // (apiVersion, kind) and what the audit rules read of it (a binding's roleRef, a token
    // request's spec).
    let request_object = judged.then(|| take_request_object(&mut v)).flatten().map(|r| named(r, text(&v, &["objectRef", "namespace"]), text(&v, &["objectRef", "name"]), line));
    json::set(&mut v, "apiVersion", string("audit.k8s.io/v1"));
    json::set(&mut v, "kind", string("Event"));
    if let Some(meta) = json::map_under(&mut v, "metadata") {
        json::set(meta, "name", string(&name));
    }
    Event { line, object: v, request_object }
}

/// Takes the request object out of the event `v`, leaving its identity and what the audit
/// rules read of it.
fn take_request_object(v: &mut Node) -> Option<Node> {
    let NodeValue::Map(entries) = &mut v.value else { return None };
    let entry = entries.iter_mut().rev().find(|e| e.key == "requestObject")?;
    let object = std::mem::replace(&mut entry.value, Node::new(Pos::UNKNOWN, NodeValue::Map(Vec::new())));
    let token_request = text(&object, &["kind"]) == Some("TokenRequest");
    let kept: Vec<palisade_core::Entry> = object
        .entries()
        .iter()
        .filter(|e| matches!(e.key.as_str(), "apiVersion" | "kind" | "roleRef") || (token_request && e.key == "spec"))
        .cloned()
        .collect();
    entry.value = Node::new(Pos::UNKNOWN, NodeValue::Map(kept));
    Some(object)
}

/// Takes in one JSON value found at `line`: an Event, or an EventList of them.
fn take(v: Node, line: u32, events: &mut Vec<Event>, errors: &mut Vec<(u32, String)>) {
    if text(&v, &["kind"]) == Some("EventList") {
        let mut v = v;
        let NodeValue::Map(mut entries) = std::mem::replace(&mut v.value, NodeValue::Null) else { return };
        let items = entries.iter_mut().rev().find(|e| e.key == "items").map(|e| std::mem::replace(&mut e.value.value, NodeValue::Null));
        if let Some(NodeValue::Seq(items)) = items {
            for (i, item) in items.into_iter().enumerate() {
                match problem(&item) {
                    None => events.push(event(item, line)),
                    Some(why) => errors.push((line, format!("items[{i}]: {why}"))),
                }
            }
        }
        return;
    }
    match problem(&v) {
        None => events.push(event(v, line)),
        Some(why) => errors.push((line, why.to_string())),
    }
}

/// What [`quiet`] reads of an event: only the fields that decide whether it can matter.
#[derive(Default)]
struct Head<'a> {
    kind: Option<&'a [u8]>,
    api_version: Option<&'a [u8]>,
    verb: Option<&'a [u8]>,
    user: Option<UserHead<'a>>,
    impersonated: Option<UserHead<'a>>,
    resource: Option<&'a [u8]>,
    subresource: Option<&'a [u8]>,
    code: Option<i64>,
    decision: Option<&'a [u8]>,
}

#[derive(Default)]
struct UserHead<'a> {
    username: Option<&'a [u8]>,
    /// Whether its groups hold `system:unauthenticated`.
    unauthenticated: bool,
}

/// Reads the members of an object, each through `member`, which returns a bit of its own
/// for each key it reads (0 for those it passes by); refuses a key written with escapes, or
/// a key read twice: the full reading takes the last of duplicates, which this reading would
/// have to know to agree with it.
fn members<'a>(s: &mut Skim<'a>, mut member: impl FnMut(&'a [u8], &mut Skim<'a>) -> Option<u32>) -> Option<()> {
    let mut read = 0;
    s.object(|key, s| {
        let bit = member(key.plain_bytes()?, s)?;
        (read & bit == 0).then(|| read |= bit)
    })
}

/// A string without escapes, or null (`Some(None)`).
fn string_or_null<'a>(s: &mut Skim<'a>) -> Option<Option<&'a [u8]>> {
    if s.peek()? == b'"' {
        return s.string()?.plain_bytes().map(Some);
    }
    s.null().then_some(None)
}

/// An object read by `member` (see [`members`]), or null.
fn object_or_null<'a, T: Default>(s: &mut Skim<'a>, mut member: impl FnMut(&mut T, &'a [u8], &mut Skim<'a>) -> Option<u32>) -> Option<Option<T>> {
    if s.null() {
        return Some(None);
    }
    let mut value = T::default();
    members(s, |key, s| member(&mut value, key, s))?;
    Some(Some(value))
}

fn user_head<'a>(s: &mut Skim<'a>) -> Option<Option<UserHead<'a>>> {
    object_or_null(s, |u: &mut UserHead<'a>, key, s| match key {
        b"username" => string_or_null(s).map(|n| u.username = n).map(|_| 1),
        b"groups" => {
            if !s.null() {
                s.array(|s| s.string()?.plain_bytes().map(|g| u.unauthenticated |= g == b"system:unauthenticated"))?;
            }
            Some(2)
        }
        _ => s.value().map(|_| 0),
    })
}

/// The fields of an event [`quiet`] decides on, if the reader is at a well-formed JSON object
/// that carries no request object and holds them plainly (no escapes, no duplicates).
fn head<'a>(s: &mut Skim<'a>) -> Option<Head<'a>> {
    let mut h = Head::default();
    members(s, |key, s| {
        let bit = match key {
            b"kind" => {
                h.kind = Some(s.string()?.plain_bytes()?);
                1
            }
            b"apiVersion" => {
                h.api_version = Some(s.string()?.plain_bytes()?);
                2
            }
            b"verb" => {
                h.verb = Some(s.string()?.plain_bytes()?);
                4
            }
            b"user" => {
                h.user = user_head(s)?;
                8
            }
            b"impersonatedUser" => {
                h.impersonated = user_head(s)?;
                16
            }
            b"objectRef" => {
                let target = object_or_null(s, |t: &mut (Option<&'a [u8]>, Option<&'a [u8]>), key, s| match key {
                    b"resource" => string_or_null(s).map(|r| t.0 = r).map(|_| 1),
                    b"subresource" => string_or_null(s).map(|r| t.1 = r).map(|_| 2),
                    _ => s.value().map(|_| 0),
                })?;
                (h.resource, h.subresource) = target.unwrap_or_default();
                32
            }
            b"responseStatus" => {
                let status = object_or_null(s, |code: &mut Option<i64>, key, s| match key {
                    b"code" => (if s.null() { Some(None) } else { s.integer().map(Some) }).map(|c| *code = c).map(|_| 1),
                    _ => s.value().map(|_| 0),
                })?;
                h.code = status.flatten();
                64
            }
            b"annotations" => {
                let annotations = object_or_null(s, |decision: &mut Option<&'a [u8]>, key, s| match key {
                    b"authorization.k8s.io/decision" => string_or_null(s).map(|d| *decision = d).map(|_| 1),
                    _ => s.value().map(|_| 0),
                })?;
                h.decision = annotations.flatten();
                128
            }
            // An event that carries an object is judged.
            b"requestObject" => return None,
            _ => return s.value().map(|_| 0),
        };
        Some(bit)
    })?;
    Some(h)
}

/// Whether the event on `line` cannot raise a detection and need not be judged (see the
/// module's documentation); `false` for anything else, a line that is not an event included
/// (the full reading then says what is wrong with it).
pub fn quiet(line: &[u8]) -> bool {
    let mut s = Skim::new(line);
    head(&mut s).filter(|_| s.at_end()).is_some_and(|h| passable(&h))
}

/// [`quiet`] for the first line of `buf`, which need not hold all of it: where the next line
/// starts and whether this one is quiet; `None` when the line does not end in `buf`.
pub fn triage(buf: &[u8]) -> Option<(usize, bool)> {
    let mut s = Skim::line(buf);
    if let Some(h) = head(&mut s) {
        if let Some(next) = s.line_end() {
            return Some((next, passable(&h)));
        }
    }
    memchr::memchr(b'\n', buf).map(|end| (end + 1, false))
}

/// Whether an event with these fields cannot raise a detection.
fn passable(h: &Head) -> bool {
    let event = h.kind.is_none_or(|k| k == b"Event") && h.api_version.is_none_or(|v| v.starts_with(b"audit.k8s.io/")) && h.verb.is_some();
    let anonymous = |u: &Option<UserHead>| u.as_ref().is_some_and(|u| u.username == Some(b"system:anonymous") || u.unauthenticated);
    let named = h.user.as_ref().is_some_and(|u| u.username.is_some_and(|n| !n.is_empty()));
    let refused = h.code.is_some_and(|c| c >= 400) || h.decision == Some(b"forbid");
    // The subject the request acted as, and whether what it touched is watched for it:
    // Secret reads and token requests are, except by the cluster's own machinery (AUD008 and
    // AUD005 leave kubelets and controllers alone).
    let subject = || std::str::from_utf8(h.impersonated.as_ref().or(h.user.as_ref()).and_then(|u| u.username).unwrap_or(b"")).ok();
    let watched = match (h.resource.unwrap_or(b""), h.subresource.unwrap_or(b"")) {
        (b"roles" | b"clusterroles" | b"rolebindings" | b"clusterrolebindings", _) => true,
        (_, b"exec" | b"attach" | b"portforward" | b"proxy") => true,
        (b"serviceaccounts", b"token") => !subject().is_some_and(subjects::mints_pod_tokens),
        (b"secrets", _) => !subject().is_some_and(subjects::is_control_plane),
        (_, b"token") => true,
        _ => false,
    };
    event && named && !anonymous(&h.user) && !anonymous(&h.impersonated) && !refused && !watched
}

/// One item of a log, in order.
#[derive(Debug)]
pub enum Item {
    /// An event to judge.
    Event(Event),
    /// An event passed by: it cannot raise a detection (see [`quiet`]).
    Quiet(u32),
    /// A line (or an `EventList` item) that is not an event, and why.
    Bad(u32, String),
}

/// Reads a log from `input` as a stream, handing each item to `each`; with `triage`, events
/// that cannot matter are passed by unread ([`Item::Quiet`]). A log that is one
/// pretty-printed document (an `EventList` or an `Event`) is read whole.
pub fn stream(mut input: impl BufRead, triage: bool, mut each: impl FnMut(Item)) -> std::io::Result<()> {
    let mut line = Vec::with_capacity(1 << 14);
    let mut n = 0u32;
    let mut first = true;
    let items = |v: Node, at: u32, each: &mut dyn FnMut(Item)| {
        let (mut events, mut errors) = (Vec::new(), Vec::new());
        take(v, at, &mut events, &mut errors);
        events.into_iter().for_each(|e| each(Item::Event(e)));
        errors.into_iter().for_each(|(l, why)| each(Item::Bad(l, why)));
    };
    loop {
        line.clear();
        // Most lines are whole in the reader's buffer and pass by: they are judged there,
        // without a copy.
        let passed = match triage {
            true => self::triage(input.fill_buf()?),
            false => None,
        };
        if let Some((used, true)) = passed {
            input.consume(used);
            n += 1;
            first = false;
            each(Item::Quiet(n));
            continue;
        }
        if input.read_until(b'\n', &mut line)? == 0 {
            return Ok(());
        }
        n += 1;
        let text = line.trim_ascii();
        if text.is_empty() {
            continue;
        }
        // Judged already when it was whole in the buffer.
        if triage && passed.is_none() && quiet(text) {
            first = false;
            each(Item::Quiet(n));
            continue;
        }
        // Invalid UTF-8 in a string is read as replacement characters, not refused.
        let parsed = json::parse(text).or_else(|e| json::parse(String::from_utf8_lossy(text).as_bytes()).map_err(|_| e));
        match parsed {
            Ok(v) => items(v, n, &mut each),
            Err(e) if first => {
                // Not a JSON line: perhaps the whole log is one pretty-printed document.
                let mut rest = line.clone();
                input.read_to_end(&mut rest)?;
                match json::parse(&rest) {
                    Ok(doc) => items(doc, n, &mut each),
                    Err(_) => {
                        each(Item::Bad(n, format!("not JSON: {e}")));
                        // Go on line by line after the first.
                        let text = String::from_utf8_lossy(&rest[line.len()..]).into_owned();
                        for (i, l) in text.lines().enumerate() {
                            let at = n + 1 + i as u32;
                            if l.trim().is_empty() {
                                continue;
                            }
                            match json::parse(l.as_bytes()) {
                                Ok(v) => items(v, at, &mut each),
                                Err(e) => each(Item::Bad(at, format!("not JSON: {e}"))),
                            }
                        }
                    }
                }
                return Ok(());
            }
            Err(e) => each(Item::Bad(n, format!("not JSON: {e}"))),
        }
        first = false;
    }
}

/// Every event of a log, and the lines that are not events (line, reason); nothing is passed
/// by.
pub fn read(bytes: &[u8]) -> (Vec<Event>, Vec<(u32, String)>) {
    let (mut events, mut errors) = (Vec::new(), Vec::new());
    // Reading from memory cannot fail.
    let _ = stream(bytes, false, |item| match item {
        Item::Event(e) => events.push(e),
        Item::Bad(line, why) => errors.push((line, why)),
        Item::Quiet(_) => {}
    });
    (events, errors)
}

#[cfg(test)]
mod tests {
    /// Whether an event may be passed by, decided on serde_json's reading of the whole line:
    /// what [`super::quiet`] must never be more lenient than.
    fn passable(line: &[u8]) -> bool {
        // As the full reading of a log reads it: invalid UTF-8 as replacement characters.
        let Ok(serde_json::Value::Object(e)) = serde_json::from_str::<serde_json::Value>(&String::from_utf8_lossy(line)) else { return false };
        fn text(v: Option<&serde_json::Value>) -> Option<&str> {
            v.and_then(|v| v.as_str())
        }
        let anonymous = |u: Option<&serde_json::Value>| {
            u.is_some_and(|u| text(u.get("username")) == Some("system:anonymous") || u["groups"].as_array().is_some_and(|g| g.iter().any(|g| g == "system:unauthenticated")))
        };
        let (user, impersonated) = (e.get("user"), e.get("impersonatedUser").filter(|u| !u.is_null()));
        let subject = text(impersonated.unwrap_or(&serde_json::Value::Null).get("username")).or(text(user.and_then(|u| u.get("username")))).unwrap_or("");
        let reference = |key: &str| text(e.get("objectRef").and_then(|r| r.get(key))).unwrap_or("");
        let watched = match (reference("resource"), reference("subresource")) {
            ("roles" | "clusterroles" | "rolebindings" | "clusterrolebindings", _) => true,
            (_, "exec" | "attach" | "portforward" | "proxy") => true,
            ("serviceaccounts", "token") => !super::subjects::mints_pod_tokens(subject),
            ("secrets", _) => !super::subjects::is_control_plane(subject),
            (_, "token") => true,
            _ => false,
        };
        let refused = e.get("responseStatus").and_then(|s| s.get("code")).and_then(|c| c.as_i64()).is_some_and(|c| c >= 400)
            || text(e.get("annotations").and_then(|a| a.get("authorization.k8s.io/decision"))) == Some("forbid");
        e.get("kind").is_none_or(|k| k == "Event")
            && text(e.get("apiVersion")).is_none_or(|v| v.starts_with("audit.k8s.io/"))
            && text(e.get("verb")).is_some()
            && text(user.and_then(|u| u.get("username"))).is_some_and(|n| !n.is_empty())
            && !anonymous(user)
            && !anonymous(impersonated)
            && !refused
            && !watched
            && !e.contains_key("requestObject")
    }

    #[test]
    fn only_well_formed_events_with_nothing_to_detect_are_passed_by() {
        let events = [
            // Passed by: a controller's read; a kubelet's Secret read; a lease renewal with
            // escapes in its annotations and an impersonated user.
            r#"{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"0e","stage":"ResponseComplete","verb":"get","user":{"username":"system:serviceaccount:kube-system:hpa","groups":["system:serviceaccounts","system:authenticated"]},"sourceIPs":["10.0.1.10"],"objectRef":{"resource":"nodes","name":"n1","apiVersion":"v1"},"responseStatus":{"metadata":{},"code":200},"annotations":{"authorization.k8s.io/decision":"allow","authorization.k8s.io/reason":"RBAC: allowed by ClusterRoleBinding \"system:controller\""}}"#,
            r#"{"kind":"Event","apiVersion":"audit.k8s.io/v1","verb":"get","user":{"username":"system:node:n1","groups":["system:nodes"]},"objectRef":{"resource":"secrets","namespace":"a","name":"s"},"responseStatus":{"code":200},"x":[1,-2.5,true,false,null,{}],"note":"café"}"#,
            r#"{"verb":"update","user":{"username":"alice","groups":null},"impersonatedUser":{"username":"bob"},"objectRef":{"resource":"leases","subresource":null},"annotations":{"note":"tab\tand \u00e9"}}"#,
            // Judged: a person's Secret read, an anonymous request, a refusal, a create.
            r#"{"kind":"Event","apiVersion":"audit.k8s.io/v1","verb":"get","user":{"username":"alice"},"objectRef":{"resource":"secrets","name":"s"}}"#,
            r#"{"kind":"Event","apiVersion":"audit.k8s.io/v1","verb":"get","user":{"username":"system:anonymous","groups":["system:unauthenticated"]}}"#,
            r#"{"kind":"Event","apiVersion":"audit.k8s.io/v1","verb":"list","user":{"username":"bob"},"responseStatus":{"code":403}}"#,
            r#"{"kind":"Event","apiVersion":"audit.k8s.io/v1","verb":"create","user":{"username":"bob"},"requestObject":{"kind":"Pod"}}"#,
        ];
        for (i, event) in events.iter().enumerate() {
            assert_eq!(super::quiet(event.as_bytes()), i < 3, "{event}");
            assert_eq!(passable(event.as_bytes()), i < 3, "{event}");
        }
        // Every line one edit away from these: what is passed by must be an event with
        // nothing to detect, as a full reading of it says.
        let mut checked = 0;
        for event in events {
            let bytes = event.as_bytes();
            for at in 0..=bytes.len() {
                let mut edits: Vec<Vec<u8>> = Vec::new();
                if at < bytes.len() {
                    edits.push([&bytes[..at], &bytes[at + 1..]].concat());
                }
                for insert in [b'"', b',', b'{', b'}', b'[', b']', b':', b'\\', b' ', 0x01, 0xff, b'0', b'e', b'-', b'.'] {
                    edits.push([&bytes[..at], &[insert], &bytes[at..]].concat());
                }
                for edit in edits {
                    checked += 1;
                    let quiet = super::quiet(&edit);
                    if quiet {
                        assert!(passable(&edit), "passed by: {}", String::from_utf8_lossy(&edit));
                    }
                    // The same verdict on the line read from a buffer with the next line after it.
                    let buffer = [&edit[..], b"\n{\"verb\":\"get\"}\n"].concat();
                    assert_eq!(super::triage(&buffer), Some((edit.len() + 1, quiet)), "{}", String::from_utf8_lossy(&edit));
                }
            }
        }
        assert!(checked > 10_000);
    }

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
        assert_eq!(super::text(&events[0].object, &["metadata", "name"]), Some("a1"));
        assert_eq!(super::text(&events[1].object, &["apiVersion"]), Some("audit.k8s.io/v1"));
        let pod = events[0].request_object.as_ref().unwrap();
        assert_eq!((super::text(pod, &["metadata", "namespace"]), super::text(pod, &["metadata", "name"])), (Some("shop"), Some("web")));
        assert!(events[1].request_object.is_none());
        assert_eq!(errors.iter().map(|(l, _)| *l).collect::<Vec<_>>(), [2, 3]);
        let list = r#"{"kind":"EventList","apiVersion":"audit.k8s.io/v1","items":[{"verb":"list","auditID":"b1"},{"kind":"Nope"}]}"#;
        let (events, errors) = super::read(list.as_bytes());
        assert_eq!((events.len(), errors.len()), (1, 1));
    }
}
