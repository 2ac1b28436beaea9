//! Snapshots: what a cluster scan reads, written as one YAML `List` that `palisade scan`
//! reads back to the same findings. Objects are written as they arrive; every string is
//! double-quoted (JSON escapes are YAML escapes), so no value changes type on the way back
//! (`"yes"` stays a string, `"0755"` stays text).

use serde_json::Value;
use std::io::{self, Write};

/// Whether a mapping key can be written plain: letters, digits and `-_./`, starting with a
/// letter or `_`, and not a word YAML would read as something else.
fn plain_key(key: &str) -> bool {
    let first = key.chars().next();
    first.is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && key.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '/'))
        && !matches!(key.to_ascii_lowercase().as_str(), "y" | "n" | "yes" | "no" | "on" | "off" | "true" | "false" | "null")
}

fn key(k: &str) -> String {
    if plain_key(k) {
        k.to_string()
    } else {
        Value::String(k.to_string()).to_string()
    }
}

fn scalar(v: &Value) -> Option<String> {
    match v {
        Value::Null => Some("null".into()),
        Value::Bool(_) | Value::Number(_) | Value::String(_) => Some(v.to_string()),
        Value::Array(a) if a.is_empty() => Some("[]".into()),
        Value::Object(m) if m.is_empty() => Some("{}".into()),
        _ => None,
    }
}

/// Writes `value` as the body of a block at `indent` spaces (the caller wrote what comes
/// before it on the current line).
fn block(out: &mut dyn Write, value: &Value, indent: usize) -> io::Result<()> {
    let pad = " ".repeat(indent);
    match value {
        Value::Object(map) => {
            for (i, (k, v)) in map.iter().enumerate() {
                if i > 0 {
                    write!(out, "{pad}")?;
                }
                match scalar(v) {
                    Some(s) => writeln!(out, "{}: {s}", key(k))?,
                    None if v.is_array() => {
                        writeln!(out, "{}:", key(k))?;
                        block(out, v, indent)?;
                    }
                    None => {
                        write!(out, "{}:\n{pad}  ", key(k))?;
                        block(out, v, indent + 2)?;
                    }
                }
            }
        }
        Value::Array(items) => {
            for item in items {
                write!(out, "{pad}- ")?;
                match scalar(item) {
                    Some(s) => writeln!(out, "{s}")?,
                    None if item.is_array() => {
                        writeln!(out)?;
                        block(out, item, indent + 2)?;
                    }
                    None => block(out, item, indent + 2)?,
                }
            }
        }
        other => writeln!(out, "{}", scalar(other).unwrap_or_default())?,
    }
    Ok(())
}

/// Writes the start of the snapshot: comment lines, then the `List` header.
pub fn begin(out: &mut dyn Write, comments: &[String]) -> io::Result<()> {
    for c in comments {
        writeln!(out, "# {c}")?;
    }
    writeln!(out, "apiVersion: v1\nkind: List\nmetadata: {{}}\nitems:")
}

/// Writes one object as an item of the list.
pub fn item(out: &mut dyn Write, object: &Value) -> io::Result<()> {
    write!(out, "- ")?;
    match scalar(object) {
        Some(s) => writeln!(out, "{s}"),
        None => block(out, object, 2),
    }
}

/// Ends the snapshot (`items: []` when nothing was written) with trailing comments.
pub fn end(out: &mut dyn Write, wrote_any: bool, comments: &[String]) -> io::Result<()> {
    if !wrote_any {
        writeln!(out, "  []")?;
    }
    for c in comments {
        writeln!(out, "# {c}")?;
    }
    Ok(())
}

/// Writes one object as a YAML document of its own (`---` first), in the same safe form.
pub fn document(out: &mut dyn Write, object: &Value) -> io::Result<()> {
    writeln!(out, "---")?;
    match scalar(object) {
        Some(s) => writeln!(out, "{s}"),
        None => block(out, object, 0),
    }
}
