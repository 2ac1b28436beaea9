//! Objects that arrive as JSON values (an API server's answers, admission requests) into the
//! value tree, and back. Live objects have no file, so their nodes carry `Pos::UNKNOWN`;
//! their scalars are already typed by the API server, so nothing is re-resolved.

use crate::skim::{Atom, Skim};
use palisade_core::{Entry, Node, Pos, Value};

/// The value tree of a JSON value.
pub fn node_of(value: &serde_json::Value) -> Node {
    use serde_json::Value as J;
    let value = match value {
        J::Null => Value::Null,
        J::Bool(b) => Value::Bool(*b),
        J::Number(n) => match n.as_i64() {
            Some(i) => Value::Int(i),
            None => Value::Float(n.as_f64().unwrap_or(f64::NAN)),
        },
        J::String(s) => Value::Str(s.clone()),
        J::Array(items) => Value::Seq(items.iter().map(node_of).collect()),
        J::Object(map) => Value::Map(map.iter().map(|(k, v)| Entry { key: k.clone(), key_pos: Pos::UNKNOWN, value: node_of(v) }).collect()),
    };
    Node::new(Pos::UNKNOWN, value)
}

/// The JSON value of a tree (a float that JSON cannot hold becomes `null`).
pub fn json_of(node: &Node) -> serde_json::Value {
    use serde_json::Value as J;
    match &node.value {
        Value::Null => J::Null,
        Value::Bool(b) => J::Bool(*b),
        Value::Int(i) => J::from(*i),
        Value::Float(f) => serde_json::Number::from_f64(*f).map(J::Number).unwrap_or(J::Null),
        Value::Str(s) => J::String(s.clone()),
        Value::Seq(items) => J::Array(items.iter().map(json_of).collect()),
        Value::Map(entries) => J::Object(entries.iter().map(|e| (e.key.clone(), json_of(&e.value))).collect()),
    }
}

/// The line of every mapping key of a tree read from a file, by its dotted path
/// (`authentication.anonymous.enabled` → 4): what a JSON copy of the tree loses.
pub fn key_lines(node: &Node) -> serde_json::Map<String, serde_json::Value> {
    fn walk(node: &Node, prefix: &str, out: &mut serde_json::Map<String, serde_json::Value>) {
        if let Value::Map(entries) = &node.value {
            for e in entries {
                let path = if prefix.is_empty() { e.key.clone() } else { format!("{prefix}.{}", e.key) };
                out.insert(path.clone(), e.key_pos.line.into());
                walk(&e.value, &path, out);
            }
        }
    }
    let mut out = serde_json::Map::new();
    walk(node, "", &mut out);
    out
}

/// The objects of a YAML/JSON text as JSON values: `List`s unpacked, documents that are not
/// objects with an apiVersion, kind and name (Helm values, policy files) left out. A
/// document that cannot be read is an error with its line; the rest are still read.
pub fn objects_of(bytes: &[u8]) -> (Vec<serde_json::Value>, Vec<String>) {
    let (mut objects, mut errors) = (Vec::new(), Vec::new());
    for doc in crate::Document::load_all(bytes, &crate::Limits::default()) {
        let doc = match doc {
            Ok(doc) => doc,
            Err(e) => {
                errors.push(e.to_string());
                continue;
            }
        };
        let value = json_of(&doc.root);
        if value["kind"].as_str() == Some("List") {
            objects.extend(value["items"].as_array().cloned().unwrap_or_default());
        } else if value["kind"].is_string() && value["apiVersion"].is_string() && value["metadata"]["name"].is_string() {
            objects.push(value);
        }
    }
    (objects, errors)
}

/// The value tree of JSON text, read straight from the bytes (no `serde_json::Value` in
/// between): what a hot path such as an admission request uses. Numbers read as
/// [`node_of`] reads them; duplicate keys are kept, and lookups take the last, as Kubernetes
/// decodes them.
pub fn parse(bytes: &[u8]) -> Result<Node, serde_json::Error> {
    if let Some(node) = std::str::from_utf8(bytes).ok().and_then(read_plainly) {
        return Ok(node);
    }
    // What the plain reading leaves (surrogate escapes, exponents, very long numbers, deep
    // nesting) and what is not JSON, read by serde_json, which says what is wrong.
    parse_by_serde(bytes)
}

fn parse_by_serde(bytes: &[u8]) -> Result<Node, serde_json::Error> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let node = <Tree as serde::Deserialize>::deserialize(&mut de)?.0;
    de.end()?;
    Ok(node)
}

/// The tree of `text` read by [`crate::skim`] (what most JSON is): each mapping's entries
/// gathered on one stack and moved into a vector of their exact size, rather than grown
/// entry by entry.
fn read_plainly(text: &str) -> Option<Node> {
    fn tree<'a>(s: &mut Skim<'a>, entries: &mut Vec<Entry>, items: &mut Vec<Node>) -> Option<Node> {
        let value = match s.peek()? {
            b'"' => Value::Str(s.string()?.value()?),
            b'{' => {
                let base = entries.len();
                s.object(|key, s| {
                    let key = key.value()?;
                    let value = tree(s, entries, items)?;
                    entries.push(Entry { key, key_pos: Pos::UNKNOWN, value });
                    Some(())
                })?;
                Value::Map(entries.drain(base..).collect())
            }
            b'[' => {
                let base = items.len();
                s.array(|s| {
                    let item = tree(s, entries, items)?;
                    items.push(item);
                    Some(())
                })?;
                Value::Seq(items.drain(base..).collect())
            }
            _ => match s.atom()? {
                Atom::Null => Value::Null,
                Atom::Bool(b) => Value::Bool(b),
                // What serde_json makes of a number, with its own reading of fractions;
                // integers beyond i64 are left to it.
                Atom::Number(n) if n.contains('.') || n == "-0" => Value::Float(serde_json::from_str(n).ok()?),
                Atom::Number(n) => Value::Int(n.parse().ok()?),
            },
        };
        Some(leaf(value))
    }
    let mut s = Skim::of_str(text);
    let node = tree(&mut s, &mut Vec::new(), &mut Vec::new())?;
    s.at_end().then_some(node)
}

/// A value tree as a field of a deserialized struct.
#[derive(Debug)]
pub struct Tree(pub Node);

impl<'de> serde::Deserialize<'de> for Tree {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Tree, D::Error> {
        d.deserialize_any(TreeVisitor).map(Tree)
    }
}

struct TreeVisitor;

fn leaf(value: Value) -> Node {
    Node::new(Pos::UNKNOWN, value)
}

impl<'de> serde::de::Visitor<'de> for TreeVisitor {
    type Value = Node;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, b: bool) -> Result<Node, E> {
        Ok(leaf(Value::Bool(b)))
    }

    fn visit_i64<E>(self, i: i64) -> Result<Node, E> {
        Ok(leaf(Value::Int(i)))
    }

    fn visit_u64<E>(self, u: u64) -> Result<Node, E> {
        Ok(leaf(i64::try_from(u).map(Value::Int).unwrap_or(Value::Float(u as f64))))
    }

    fn visit_f64<E>(self, f: f64) -> Result<Node, E> {
        Ok(leaf(Value::Float(f)))
    }

    fn visit_str<E>(self, s: &str) -> Result<Node, E> {
        Ok(leaf(Value::Str(s.to_string())))
    }

    fn visit_string<E>(self, s: String) -> Result<Node, E> {
        Ok(leaf(Value::Str(s)))
    }

    fn visit_unit<E>(self) -> Result<Node, E> {
        Ok(leaf(Value::Null))
    }

    fn visit_none<E>(self) -> Result<Node, E> {
        Ok(leaf(Value::Null))
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Node, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        while let Some(Tree(item)) = seq.next_element()? {
            items.push(item);
        }
        Ok(leaf(Value::Seq(items)))
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Node, A::Error> {
        let mut entries = Vec::new();
        while let Some((key, Tree(value))) = map.next_entry::<String, Tree>()? {
            entries.push(Entry { key, key_pos: Pos::UNKNOWN, value });
        }
        Ok(leaf(Value::Map(entries)))
    }
}

/// Sets `key` of the mapping `node` to `value` (replacing every entry of that key); nothing
/// if `node` is not a mapping.
pub fn set(node: &mut Node, key: &str, value: Node) {
    if let Value::Map(entries) = &mut node.value {
        entries.retain(|e| e.key != key);
        entries.push(Entry { key: key.to_string(), key_pos: Pos::UNKNOWN, value });
    }
}

/// The value under `key` of the mapping `node`, made a mapping (an empty one added if it is
/// missing or not a mapping).
pub fn map_under<'a>(node: &'a mut Node, key: &str) -> Option<&'a mut Node> {
    let Value::Map(entries) = &mut node.value else { return None };
    let at = match entries.iter().rposition(|e| e.key == key && e.value.is_map()) {
        Some(i) => i,
        None => {
            entries.retain(|e| e.key != key);
            entries.push(Entry { key: key.to_string(), key_pos: Pos::UNKNOWN, value: leaf(Value::Map(Vec::new())) });
            entries.len() - 1
        }
    };
    Some(&mut entries[at].value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parsing_straight_into_the_tree_reads_as_node_of_does() {
        let text = br#"{"a": 1, "b": [true, null, 2.5, "x", 18446744073709551615], "c": {"d": -3}, "a": 2}"#;
        let direct = parse(text).unwrap();
        assert_eq!(direct.get("a").and_then(Node::as_i64), Some(2), "the last duplicate wins");
        let via_value = node_of(&serde_json::from_slice(text).unwrap());
        assert_eq!(json_of(&direct), json_of(&via_value));
        assert!(parse(b"{\"a\": 1} trailing").is_err());
        assert!(parse(b"{\"a\": ").is_err());
    }

    #[test]
    fn the_plain_reading_makes_the_tree_serde_json_makes() {
        let samples = [
            r#"{"a": 1, "b": [true, false, null, 2.5, -0.125, "x"], "c": {"d": -3, "e": {}}, "f": [], "a": 2}"#,
            r#"{"esc": "q\"b\\s\/ \b\f\n\r\t \u00e9\u0041\u20ac", "k\u0065y": 0, "é": "ü"}"#,
            r#"[0, -0, 9223372036854775807, -9223372036854775808, 0.1, 1.7976931348623157, 3.141592653589793238462643]"#,
            r#"  {"spaced" : [ 1 , { "x" : "y" } ] }  "#,
            "\"top\"",
            "-0",
        ];
        for text in samples {
            let plain = read_plainly(text).unwrap_or_else(|| panic!("read plainly: {text}"));
            let by_serde = parse_by_serde(text.as_bytes()).unwrap();
            assert_eq!(format!("{plain:?}"), format!("{by_serde:?}"), "{text}");
        }
        // Left to serde_json, and read the same through `parse`.
        for text in [r#"{"big": 9223372036854775808}"#, r#"{"neg": -9223372036854775809}"#, r#"{"exp": 1e3}"#, r#"{"pair": "\ud83d\ude00"}"#] {
            assert!(read_plainly(text).is_none(), "{text}");
            assert_eq!(format!("{:?}", parse(text.as_bytes()).unwrap()), format!("{:?}", parse_by_serde(text.as_bytes()).unwrap()));
        }
        for bad in ["{\"a\": 01}", "{\"a\" 1}", "[1,]", "\"\\x\""] {
            assert!(read_plainly(bad).is_none() && parse(bad.as_bytes()).is_err(), "{bad}");
        }
    }

    /// A random JSON text of some depth: every kind of value, strings with escapes and
    /// multi-byte characters, numbers of every shape serde_json reads, odd whitespace.
    fn random_json(seed: &mut u64, depth: u32, out: &mut String) {
        let mut next = |n: u64| {
            *seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (*seed >> 33) % n
        };
        let space = [" ", "", "\n", "\t", "\r\n"][next(5) as usize];
        out.push_str(space);
        match next(if depth == 0 { 6 } else { 8 }) {
            0 => out.push_str(["null", "true", "false"][next(3) as usize]),
            1 | 2 => {
                let numbers = ["0", "-0", "7", "-12", "3.25", "-0.5", "1e3", "2E-2", "9223372036854775807", "9223372036854775808", "-9223372036854775809", "18446744073709551616", "0.1000000000000000055511151231257827"];
                out.push_str(numbers[next(numbers.len() as u64) as usize]);
            }
            3..=5 => {
                let pieces = ["a", "key", "é", "日本", "😀", "\\\"", "\\\\", "\\/", "\\n", "\\t", "\\u00e9", "\\u0041", "\\ud83d\\ude00", " ", "x y"];
                out.push('"');
                for _ in 0..next(4) {
                    out.push_str(pieces[next(pieces.len() as u64) as usize]);
                }
                out.push('"');
            }
            6 => {
                out.push('[');
                for i in 0..next(4) {
                    if i > 0 {
                        out.push(',');
                    }
                    random_json(seed, depth - 1, out);
                }
                out.push(']');
            }
            _ => {
                out.push('{');
                for i in 0..next(4) {
                    if i > 0 {
                        out.push(',');
                    }
                    let keys = ["\"a\"", "\"b\"", "\"a\"", "\"k\\u0065y\"", "\"\""];
                    out.push_str(keys[(i as usize + depth as usize) % keys.len()]);
                    out.push(':');
                    random_json(seed, depth - 1, out);
                }
                out.push('}');
            }
        }
        out.push_str(space);
    }

    #[test]
    fn random_texts_and_their_one_edit_neighbours_read_as_serde_json_reads_them() {
        let (mut seed, mut compared, mut plainly) = (7, 0, 0);
        for _ in 0..400 {
            let mut text = String::from("{");
            for i in 0..6 {
                text.push_str(if i == 0 { "\"m0\":" } else { ",\"m\":" });
                random_json(&mut seed, 4, &mut text);
            }
            text.push('}');
            plainly += std::str::from_utf8(text.as_bytes()).ok().and_then(read_plainly).is_some() as usize;
            let bytes = text.as_bytes();
            let mut variants = vec![bytes.to_vec()];
            for at in (0..bytes.len()).step_by(3) {
                variants.push([&bytes[..at], &bytes[at + 1..]].concat());
                variants.push([&bytes[..at], b",", &bytes[at..]].concat());
                variants.push([&bytes[..at], b"\\", &bytes[at..]].concat());
            }
            for v in variants {
                let (ours, theirs) = (parse(&v), parse_by_serde(&v));
                assert_eq!(ours.is_ok(), theirs.is_ok(), "{}", String::from_utf8_lossy(&v));
                if let (Ok(a), Ok(b)) = (ours, theirs) {
                    assert_eq!(format!("{a:?}"), format!("{b:?}"), "{}", String::from_utf8_lossy(&v));
                    compared += 1;
                }
            }
        }
        // Both ways are exercised: most texts read plainly, the rest (exponents, big
        // numbers, surrogate pairs) by serde_json.
        assert!(compared > 2000 && (50..350).contains(&plainly), "{compared} {plainly}");
    }

    #[test]
    fn set_and_map_under_edit_mappings() {
        let mut n = parse(br#"{"metadata": "oops", "kind": "Pod"}"#).unwrap();
        set(map_under(&mut n, "metadata").unwrap(), "name", leaf(Value::Str("web".into())));
        set(&mut n, "kind", leaf(Value::Str("Pod".into())));
        assert_eq!(json_of(&n), serde_json::json!({"metadata": {"name": "web"}, "kind": "Pod"}));
    }
}
