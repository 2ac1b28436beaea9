//! `labelSelector` and `fieldSelector` query parameters, as the API server reads them.

use serde_json::Value;

enum Term {
    Eq(String, String),
    Ne(String, String),
    In(String, Vec<String>),
    NotIn(String, Vec<String>),
    Exists(String),
    Absent(String),
}

/// A parsed selector: every term must hold.
pub struct Selector(Vec<Term>);

/// Splits on commas outside parentheses.
fn terms(text: &str) -> Vec<&str> {
    let (mut out, mut depth, mut start) = (Vec::new(), 0, 0);
    for (i, c) in text.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            ',' if depth == 0 => {
                out.push(&text[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&text[start..]);
    out.into_iter().map(str::trim).filter(|t| !t.is_empty()).collect()
}

fn set(text: &str) -> Result<Vec<String>, String> {
    let inner = text.trim().strip_prefix('(').and_then(|t| t.strip_suffix(')')).ok_or_else(|| format!("`{text}` is not a (set)"))?;
    Ok(inner.split(',').map(|v| v.trim().to_string()).collect())
}

impl Selector {
    /// Parses `a=b,c!=d,e in (f,g),h notin (i),j,!k` (`==` too). Field selectors use only
    /// `=`, `==` and `!=`.
    pub fn parse(text: &str, fields: bool) -> Result<Selector, String> {
        let mut out = Vec::new();
        for term in terms(text) {
            let parsed = if let Some((k, v)) = term.split_once("!=") {
                Term::Ne(k.trim().into(), v.trim().into())
            } else if let Some((k, v)) = term.split_once("==").or_else(|| term.split_once('=')) {
                Term::Eq(k.trim().into(), v.trim().into())
            } else if fields {
                return Err(format!("invalid field selector term `{term}`"));
            } else if let Some((k, v)) = term.split_once(" notin ") {
                Term::NotIn(k.trim().into(), set(v)?)
            } else if let Some((k, v)) = term.split_once(" in ") {
                Term::In(k.trim().into(), set(v)?)
            } else if let Some(k) = term.strip_prefix('!') {
                Term::Absent(k.trim().into())
            } else {
                Term::Exists(term.into())
            };
            out.push(parsed);
        }
        Ok(Selector(out))
    }

    /// Whether a value lookup (a label, or a field path) satisfies every term.
    pub fn matches(&self, get: impl Fn(&str) -> Option<String>) -> bool {
        self.0.iter().all(|t| match t {
            Term::Eq(k, v) => get(k).as_deref() == Some(v),
            Term::Ne(k, v) => get(k).as_deref() != Some(v),
            Term::In(k, vs) => get(k).is_some_and(|x| vs.contains(&x)),
            Term::NotIn(k, vs) => get(k).is_none_or(|x| !vs.contains(&x)),
            Term::Exists(k) => get(k).is_some(),
            Term::Absent(k) => get(k).is_none(),
        })
    }
}

/// The label of an object.
pub fn label(object: &Value, key: &str) -> Option<String> {
    object["metadata"]["labels"][key].as_str().map(str::to_string)
}

/// A field of an object by dotted path (`metadata.name`, `spec.nodeName`, `status.phase`).
pub fn field(object: &Value, path: &str) -> Option<String> {
    let mut v = object;
    for part in path.split('.') {
        v = v.get(part)?;
    }
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Null => None,
        other => Some(other.to_string()),
    }
}
