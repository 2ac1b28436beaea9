//! The compact value tree that YAML and JSON documents (and live objects) are read into.
//!
//! Every node carries the position where it starts in its source, so a field path can be
//! turned into a line and column after evaluation. Live objects simply carry `Pos::UNKNOWN`.

/// A 1-based line and column; `0` means unknown (objects that did not come from a file).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Pos {
    pub line: u32,
    pub col: u32,
}

impl Pos {
    pub const UNKNOWN: Pos = Pos { line: 0, col: 0 };

    pub fn new(line: u32, col: u32) -> Pos {
        Pos { line, col }
    }
}

/// A node of the tree: a value and where it starts.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    pub pos: Pos,
    pub value: Value,
}

/// A value, with scalars already resolved the way Kubernetes reads them
/// (`yes`/`on` are booleans, `0x1F` is an integer, `"true"` is a string).
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Seq(Vec<Node>),
    Map(Vec<Entry>),
}

/// One key of a mapping, with the position of the key itself.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    pub key: String,
    pub key_pos: Pos,
    pub value: Node,
}

impl Node {
    pub fn new(pos: Pos, value: Value) -> Node {
        Node { pos, value }
    }

    /// The entry of a mapping with this key (the last one, as Kubernetes decodes duplicates).
    pub fn entry(&self, key: &str) -> Option<&Entry> {
        match &self.value {
            Value::Map(entries) => entries.iter().rev().find(|e| &*e.key == key),
            _ => None,
        }
    }

    /// The value under `key`, if this is a mapping that has it.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|e| &e.value)
    }

    /// Follows a chain of keys; `None` as soon as one is missing.
    pub fn get_path(&self, keys: &[&str]) -> Option<&Node> {
        keys.iter().try_fold(self, |node, key| node.get(key))
    }

    /// The value under `key` unless it is missing or `null` (Kubernetes treats both as unset).
    pub fn field(&self, key: &str) -> Option<&Node> {
        self.get(key).filter(|n| !n.is_null())
    }

    pub fn is_null(&self) -> bool {
        matches!(self.value, Value::Null)
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self.value {
            Value::Bool(b) => Some(b),
            _ => None,
        }
    }

    pub fn as_i64(&self) -> Option<i64> {
        match self.value {
            Value::Int(i) => Some(i),
            Value::Float(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => Some(f as i64),
            _ => None,
        }
    }

    /// The items of a sequence; an empty slice for anything else (including `null`).
    pub fn items(&self) -> &[Node] {
        match &self.value {
            Value::Seq(items) => items,
            _ => &[],
        }
    }

    /// The entries of a mapping; an empty slice for anything else.
    pub fn entries(&self) -> &[Entry] {
        match &self.value {
            Value::Map(entries) => entries,
            _ => &[],
        }
    }

    pub fn is_map(&self) -> bool {
        matches!(self.value, Value::Map(_))
    }

    /// A short rendering of a scalar for messages (`true`, `0`, `Unconfined`).
    pub fn display_scalar(&self) -> String {
        match &self.value {
            Value::Null => "null".into(),
            Value::Bool(b) => b.to_string(),
            Value::Int(i) => i.to_string(),
            Value::Float(f) => f.to_string(),
            Value::Str(s) => s.to_string(),
            Value::Seq(_) => "[...]".into(),
            Value::Map(_) => "{...}".into(),
        }
    }

    /// Counts the nodes of this tree (used by tests and budgets).
    pub fn count(&self) -> usize {
        let mut n = 0;
        let mut stack = vec![self];
        while let Some(node) = stack.pop() {
            n += 1;
            match &node.value {
                Value::Seq(items) => stack.extend(items.iter()),
                Value::Map(entries) => stack.extend(entries.iter().map(|e| &e.value)),
                _ => {}
            }
        }
        n
    }
}

thread_local! {
    /// How many nodes' drops are under way on this thread, one inside another.
    static DROPPING: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
}

impl Drop for Node {
    /// Drops a tree as any other, by recursion, down to 64 levels; deeper than that without
    /// recursion, so a pathological document cannot overflow the stack.
    fn drop(&mut self) {
        if !self.has_children() {
            return;
        }
        let depth = DROPPING.get();
        if depth < 64 {
            DROPPING.set(depth + 1);
            drop(std::mem::replace(&mut self.value, Value::Null));
            DROPPING.set(depth);
            return;
        }
        let mut stack: Vec<Node> = Vec::new();
        take_children(&mut self.value, &mut stack);
        while let Some(mut node) = stack.pop() {
            take_children(&mut node.value, &mut stack);
        }
    }
}

fn take_children(value: &mut Value, stack: &mut Vec<Node>) {
    match value {
        Value::Seq(items) if items.iter().any(|n| n.has_children()) => stack.append(items),
        Value::Map(entries) if entries.iter().any(|e| e.value.has_children()) => {
            stack.extend(entries.drain(..).map(|mut e| {
                std::mem::replace(&mut e.value, Node::new(Pos::UNKNOWN, Value::Null))
            }))
        }
        _ => {}
    }
}

impl Node {
    fn has_children(&self) -> bool {
        match &self.value {
            Value::Seq(items) => !items.is_empty(),
            Value::Map(entries) => !entries.is_empty(),
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(entries: Vec<(&str, Node)>) -> Node {
        Node::new(
            Pos::new(1, 1),
            Value::Map(
                entries
                    .into_iter()
                    .map(|(k, v)| Entry { key: k.into(), key_pos: Pos::new(1, 1), value: v })
                    .collect(),
            ),
        )
    }

    #[test]
    fn last_duplicate_key_wins_like_kubernetes() {
        let n = map(vec![
            ("a", Node::new(Pos::new(1, 4), Value::Bool(false))),
            ("a", Node::new(Pos::new(2, 4), Value::Bool(true))),
        ]);
        assert_eq!(n.get("a").unwrap().as_bool(), Some(true));
    }

    #[test]
    fn field_treats_null_as_unset() {
        let n = map(vec![("a", Node::new(Pos::new(1, 4), Value::Null))]);
        assert!(n.get("a").is_some());
        assert!(n.field("a").is_none());
    }

    #[test]
    fn deep_tree_drops_without_overflow() {
        let mut node = Node::new(Pos::UNKNOWN, Value::Null);
        for _ in 0..200_000 {
            node = Node::new(Pos::UNKNOWN, Value::Seq(vec![node]));
        }
        assert_eq!(node.count(), 200_001);
        drop(node);
        let mut node = Node::new(Pos::UNKNOWN, Value::Null);
        for _ in 0..200_000 {
            node = map(vec![("a", node), ("b", Node::new(Pos::UNKNOWN, Value::Str("x".into())))]);
        }
        drop(node);
    }
}
