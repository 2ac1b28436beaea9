//! Field paths: how a rule names the field it objects to (`spec.containers[0].securityContext`),
//! independent of where (or whether) that field sits in a file.

use crate::value::{Node, Pos};
use std::borrow::Cow;
use std::fmt;

/// One step of a path: a mapping key (usually a literal, so no allocation) or an index.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Seg {
    Key(Cow<'static, str>),
    Index(usize),
}

/// A path from an object's root to one of its fields.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct FieldPath(Vec<Seg>);

impl FieldPath {
    pub fn root() -> FieldPath {
        FieldPath(Vec::new())
    }

    /// Parses the dotted form used in docs and tests: `spec.containers[0].name`.
    /// Keys that contain dots are written as `['a.b/c']`.
    pub fn parse(text: &str) -> FieldPath {
        let mut path = FieldPath::root();
        let mut rest = text;
        while !rest.is_empty() {
            if let Some(after) = rest.strip_prefix("['") {
                let end = after.find("']").unwrap_or(after.len());
                path.0.push(Seg::Key(after[..end].to_string().into()));
                rest = after.get(end + 2..).unwrap_or("");
            } else if let Some(after) = rest.strip_prefix('[') {
                let end = after.find(']').unwrap_or(after.len());
                path.0.push(Seg::Index(after[..end].parse().unwrap_or(0)));
                rest = after.get(end + 1..).unwrap_or("");
            } else {
                let rest_key = rest.strip_prefix('.').unwrap_or(rest);
                let end = rest_key.find(['.', '[']).unwrap_or(rest_key.len());
                path.0.push(Seg::Key(rest_key[..end].to_string().into()));
                rest = &rest_key[end..];
            }
            if let Some(r) = rest.strip_prefix('.') {
                if r.starts_with('[') {
                    rest = r;
                }
            }
        }
        path
    }

    /// This path with one more key: `path.key("spec")`, or `path.key(name.to_string())` for
    /// keys that are not literals (annotation names).
    pub fn key(&self, key: impl Into<Cow<'static, str>>) -> FieldPath {
        let mut p = self.clone();
        p.0.push(Seg::Key(key.into()));
        p
    }

    pub fn index(&self, index: usize) -> FieldPath {
        let mut p = self.clone();
        p.0.push(Seg::Index(index));
        p
    }

    /// Appends several keys at once: `path.keys(&["securityContext", "privileged"])`.
    pub fn keys(&self, keys: &[&'static str]) -> FieldPath {
        let mut p = FieldPath(Vec::with_capacity(self.0.len() + keys.len()));
        p.0.extend(self.0.iter().cloned());
        p.0.extend(keys.iter().map(|k| Seg::Key(Cow::Borrowed(*k))));
        p
    }

    /// This path followed by `other`.
    pub fn join(&self, other: &FieldPath) -> FieldPath {
        let mut p = self.clone();
        p.0.extend(other.0.iter().cloned());
        p
    }

    /// Walks the path through `root` and returns the position of the narrowest node that
    /// exists, and whether the whole path exists. A key's position is the key itself (so a
    /// finding points at `privileged: true`, not at the value), an item's is the item's start.
    pub fn locate(&self, root: &Node) -> (Pos, bool) {
        let mut node = root;
        let mut pos = root.pos;
        for seg in &self.0 {
            match seg {
                Seg::Key(k) => match node.entry(k) {
                    Some(e) => {
                        pos = e.key_pos;
                        node = &e.value;
                    }
                    None => return (pos, false),
                },
                Seg::Index(i) => match node.items().get(*i) {
                    Some(item) => {
                        pos = item.pos;
                        node = item;
                    }
                    None => return (pos, false),
                },
            }
        }
        (pos, true)
    }
}

impl FieldPath {
    /// The dotted form (`spec.containers[0].name`, `metadata.annotations['a.b/c']`).
    pub fn render(&self) -> String {
        let mut out = String::with_capacity(self.0.len() * 12);
        for (i, seg) in self.0.iter().enumerate() {
            match seg {
                Seg::Key(k) if k.contains(['.', '/', '[', ']', '\'']) => {
                    out.push_str("['");
                    out.push_str(k);
                    out.push_str("']");
                }
                Seg::Key(k) => {
                    if i > 0 {
                        out.push('.');
                    }
                    out.push_str(k);
                }
                Seg::Index(n) => {
                    out.push('[');
                    out.push_str(&n.to_string());
                    out.push(']');
                }
            }
        }
        out
    }
}

impl fmt::Display for FieldPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_and_parse_round_trip() {
        for text in [
            "spec.template.spec.containers[0].securityContext.privileged",
            "metadata.annotations['container.apparmor.security.beta.kubernetes.io/app']",
            "spec.volumes[3]",
            "items[2].spec",
        ] {
            assert_eq!(FieldPath::parse(text).to_string(), text);
        }
    }

    #[test]
    fn builder_matches_parse() {
        let p = FieldPath::root().key("spec").key("containers").index(1).keys(&["a", "b"]);
        assert_eq!(p, FieldPath::parse("spec.containers[1].a.b"));
    }
}
