//! What audit events tell about each other: the facts that only mean something together —
//! the requests one subject had refused, and who read which Secret — read from
//! `audit.k8s.io/v1` `Event` objects and kept in the model's [`Trail`], where the audit rules
//! that look across events (bursts of refusals, Secrets read by strangers) find them.
//! Everything else an event says is judged on the event alone.

use palisade_core::{Anchor, Node};
use std::collections::BTreeMap;
use std::sync::Arc;

use super::Key;

/// What one audit event contributes across events.
#[derive(Clone, Debug)]
pub struct Fact {
    /// Who made the request: the impersonated user where there is one.
    pub subject: String,
    /// When the API server received it, in milliseconds since the Unix epoch (0 if the
    /// event carries no readable time).
    pub at_ms: i64,
    pub what: FactKind,
    /// Where the event is (findings about it are placed there).
    pub anchor: Arc<Anchor>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FactKind {
    /// The API server refused the request (403): `verb resource`.
    Refused(String),
    /// The request read Secrets and was allowed: `verb` (`get`, `list`, `watch`), the
    /// namespace, and the Secret's name (`None`: every Secret of the namespace).
    SecretRead { verb: String, namespace: String, name: Option<String> },
}

fn text<'a>(e: &'a Node, path: &[&str]) -> &'a str {
    e.get_path(path).and_then(Node::as_str).unwrap_or("")
}

/// Milliseconds since the Unix epoch of an RFC 3339 time (`2026-11-30T08:00:01.123456Z`,
/// or with a `+01:00` offset), if it is one.
pub fn parse_time_ms(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    let num = |from: usize, len: usize| -> Option<i64> {
        let part = s.get(from..from + len)?;
        part.bytes().all(|c| c.is_ascii_digit()).then(|| part.parse().ok())?
    };
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't' | b' ') || b[13] != b':' || b[16] != b':' {
        return None;
    }
    let (year, month, day) = (num(0, 4)?, num(5, 2)?, num(8, 2)?);
    let (hour, minute, second) = (num(11, 2)?, num(14, 2)?, num(17, 2)?);
    let mut i = 19;
    let mut ms = 0;
    if b.get(i) == Some(&b'.') {
        let digits = b[i + 1..].iter().take_while(|c| c.is_ascii_digit()).count();
        let frac = &s[i + 1..i + 1 + digits];
        ms = frac.bytes().chain(std::iter::repeat(b'0')).take(3).fold(0, |n, c| n * 10 + (c - b'0') as i64);
        i += 1 + digits;
    }
    let offset = match b.get(i) {
        Some(b'Z' | b'z') => 0,
        Some(sign @ (b'+' | b'-')) => {
            let m = num(i + 1, 2)? * 60 + num(i + 4, 2)?;
            if *sign == b'+' { m } else { -m }
        }
        _ => return None,
    };
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) || hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    let days = palisade_core::Date { year: year as i32, month: month as u8, day: day as u8 }.unix_days();
    Some(((days * 24 + hour) * 60 + minute - offset) * 60_000 + second * 1000 + ms)
}

/// The subject of an audit event: the impersonated user if any, else the user.
pub fn subject(e: &Node) -> &str {
    let impersonated = text(e, &["impersonatedUser", "username"]);
    if impersonated.is_empty() { text(e, &["user", "username"]) } else { impersonated }
}

/// The fact the audit event `e` contributes across events, if any; `anchor` places it.
pub fn read(e: &Node, anchor: Arc<Anchor>) -> Option<Fact> {
    let code = e.get_path(&["responseStatus", "code"]).and_then(Node::as_i64);
    let decision = text(e, &["annotations", "authorization.k8s.io/decision"]);
    let verb = text(e, &["verb"]);
    let resource = text(e, &["objectRef", "resource"]);
    let subresource = text(e, &["objectRef", "subresource"]);
    let at_ms = ["requestReceivedTimestamp", "stageTimestamp", "timestamp"].iter().find_map(|k| parse_time_ms(text(e, &[k]))).unwrap_or(0);
    let what = if code == Some(403) || decision == "forbid" {
        let target = if subresource.is_empty() { resource.to_string() } else { format!("{resource}/{subresource}") };
        let target = if target.is_empty() { text(e, &["requestURI"]).split('?').next().unwrap_or("").to_string() } else { target };
        FactKind::Refused(format!("{verb} {target}"))
    } else if resource == "secrets" && subresource.is_empty() && matches!(verb, "get" | "list" | "watch") && code.is_none_or(|c| c < 400) && decision != "forbid" {
        let name = Some(text(e, &["objectRef", "name"])).filter(|n| !n.is_empty()).map(str::to_string);
        FactKind::SecretRead { verb: verb.to_string(), namespace: text(e, &["objectRef", "namespace"]).to_string(), name }
    } else {
        return None;
    };
    Some(Fact { subject: subject(e).to_string(), at_ms, what, anchor })
}

/// The facts of the audit events in the model, by event.
#[derive(Debug, Default)]
pub struct Trail {
    facts: BTreeMap<Key, Fact>,
}

impl Trail {
    pub(super) fn put(&mut self, key: &Key, fact: Option<&Fact>, up: bool) {
        match (fact, up) {
            (Some(f), true) => {
                self.facts.insert(key.clone(), f.clone());
            }
            _ => {
                self.facts.remove(key);
            }
        }
    }

    pub(super) fn get(&self, key: &Key) -> Option<&Fact> {
        self.facts.get(key)
    }

    /// Every fact, in the order the events were read (file and line; auditID for live
    /// events).
    pub fn facts(&self) -> impl Iterator<Item = &Fact> {
        self.facts.values()
    }

    /// Keys of the facts older than `before_ms` (to forget them, in a stream).
    pub fn older_than(&self, before_ms: i64) -> Vec<Key> {
        self.facts.iter().filter(|(_, f)| f.at_ms < before_ms).map(|(k, _)| k.clone()).collect()
    }

    pub fn is_empty(&self) -> bool {
        self.facts.is_empty()
    }
}


#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_parse_as_the_api_server_writes_them() {
        assert_eq!(parse_time_ms("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(parse_time_ms("1970-01-01T00:00:01.5Z"), Some(1500));
        assert_eq!(parse_time_ms("2026-11-30T08:00:01.123456Z"), Some(1_796_025_601_123));
        assert_eq!(parse_time_ms("2026-11-30T09:00:01.123456+01:00"), Some(1_796_025_601_123));
        assert_eq!(parse_time_ms("2026-11-30"), None);
        assert_eq!(parse_time_ms("2026-13-30T08:00:01Z"), None);
        assert_eq!(parse_time_ms("yesterday at noon, roughly"), None);
    }
}
