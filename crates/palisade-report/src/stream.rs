//! Findings as a stream writes them, one line each as they happen: `palisade watch`
//! (`opened`, `resolved`), `palisade audit-log --follow` and the audit webhook (`detected`).

use palisade_core::Finding;

/// One finding event: a JSON object `{"event", "at", "finding"}` (the finding in the JSON
/// report's shape), or a line of text for people — time, event, severity, rule, where (the
/// file and line, else the object) and the message.
pub fn event_line(event: &str, at: &str, f: &Finding, json: bool) -> String {
    if json {
        serde_json::json!({"event": event, "at": at, "finding": crate::json::finding(f)}).to_string()
    } else {
        let place = f.location.as_ref().map(|l| format!("{}:{}", l.file, l.line)).unwrap_or_else(|| f.object.to_string());
        format!("{at}  {event:<8}  {:<8}  {} {}  {place}  {}", f.severity.as_str(), f.rule.id, f.rule.name, f.message)
    }
}
