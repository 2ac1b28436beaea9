//! The document loader: saphyr events → compact trees with positions.

use crate::scalar::resolve_plain;
use palisade_core::{Entry, Node, Pos, Value};
use saphyr_parser::{Event, Parser, ScalarStyle, ScanError, Span};
use std::collections::HashMap;
use std::fmt;

/// Bounds that keep hostile input from exhausting memory or the stack.
#[derive(Clone, Debug)]
pub struct Limits {
    /// Deepest nesting accepted in one document.
    pub max_depth: usize,
    /// Most nodes that aliases may copy into one document.
    pub max_alias_nodes: usize,
    /// Hand each object in a root-level `items` list (a `List` document) over as
    /// [`Loaded::Item`] as soon as it is complete, instead of keeping the whole list in memory.
    pub stream_list_items: bool,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits { max_depth: 1000, max_alias_nodes: 1_000_000, stream_list_items: false }
    }
}

/// What [`documents`] hands over, in file order.
#[derive(Debug)]
pub enum Loaded {
    /// A complete document (with its streamed list items removed from `items`).
    Document(Document),
    /// An object of a root-level `items` list, streamed before its document ends.
    Item {
        /// 1-based index of the document the item belongs to.
        document: u32,
        /// The item's index in `items`.
        index: usize,
        node: Node,
        template: Option<String>,
    },
    /// A problem that stopped a document from being read.
    Error(SourceError),
}

/// One YAML document of a file.
#[derive(Debug)]
pub struct Document {
    /// 1-based index of the document in its file.
    pub index: u32,
    pub root: Node,
    /// The Helm template it was rendered from (`# Source: chart/templates/x.yaml`).
    pub template: Option<String>,
    /// Problems that did not stop the document from being read (duplicate keys).
    pub problems: Vec<SourceError>,
}

/// A problem with the input, at a line and column.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SourceError {
    pub line: u32,
    pub col: u32,
    pub document: Option<u32>,
    pub message: String,
}

impl fmt::Display for SourceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.line, self.col, self.message)
    }
}

impl SourceError {
    fn at(pos: Pos, document: u32, message: String) -> SourceError {
        SourceError { line: pos.line, col: pos.col, document: Some(document), message }
    }
}

/// Checks that bytes are text: not binary (NUL bytes), valid UTF-8 (a BOM is dropped).
pub fn text_of(bytes: &[u8]) -> Result<&str, SourceError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let line_of = |offset: usize| 1 + bytes[..offset].iter().filter(|&&b| b == b'\n').count() as u32;
    let head = &bytes[..bytes.len().min(64 * 1024)];
    if head.contains(&0) {
        let nul = head.iter().position(|&b| b == 0).unwrap_or(0);
        return Err(SourceError {
            line: line_of(nul),
            col: 1,
            document: None,
            message: "binary file (contains NUL bytes), not YAML or JSON".into(),
        });
    }
    std::str::from_utf8(bytes).map_err(|e| SourceError {
        line: line_of(e.valid_up_to()),
        col: 1,
        document: None,
        message: "not UTF-8 text (YAML and JSON manifests must be UTF-8)".into(),
    })
}

impl Document {
    /// Loads every document of `bytes`, or the reason the bytes are not text.
    /// (`limits.stream_list_items` is ignored: list items stay in their documents.)
    pub fn load_all(bytes: &[u8], limits: &Limits) -> Vec<Result<Document, SourceError>> {
        let limits = Limits { stream_list_items: false, ..limits.clone() };
        match text_of(bytes) {
            Ok(text) => {
                let mut out = Vec::new();
                documents(text, &limits, |d| match d {
                    Loaded::Document(d) => out.push(Ok(d)),
                    Loaded::Error(e) => out.push(Err(e)),
                    Loaded::Item { .. } => unreachable!("streaming is off"),
                });
                out
            }
            Err(e) => vec![Err(e)],
        }
    }
}

/// Reads every document of `text` and hands each to `sink` as soon as it is complete, so only
/// one document is in memory at a time. A syntax error is reported and reading resumes at the
/// next `---` line after it, so one broken document does not hide the rest of the file.
pub fn documents(text: &str, limits: &Limits, mut sink: impl FnMut(Loaded)) {
    let mut patched: Option<String> = None;
    let mut forwarded = 0usize;
    for _ in 0..MAX_RELAXED_LINES {
        let current = patched.as_deref().unwrap_or(text);
        // Reading is deterministic: after a relaxation, what was already handed over comes
        // again first, and is dropped.
        let mut produced = 0usize;
        let relax = read_all(current, limits, &mut |loaded| {
            produced += 1;
            if produced > forwarded {
                forwarded += 1;
                sink(loaded);
            }
        });
        match relax {
            None => return,
            Some((line, deeper)) => patched = Some(indent_like_previous(current, line, deeper)),
        }
    }
}

/// How many under-indented lines (closing brackets, quoted scalars' continuations) one file
/// may have relaxed.
const MAX_RELAXED_LINES: usize = 64;

/// Reads every document; on a syntax error reports it and resumes at the next `---`. Returns
/// the line of an under-indented closing bracket or quoted-scalar continuation instead (and
/// how much deeper than the line above it must go), for the caller to relax and retry.
fn read_all(text: &str, limits: &Limits, sink: &mut impl FnMut(Loaded)) -> Option<(u32, usize)> {
    let sources = helm_sources(text);
    let mut rest = text;
    let mut line_offset = 0u32;
    let mut doc_index = 0u32;
    loop {
        let mut loader = Loader::new(limits, &sources, line_offset, doc_index);
        let result = loader.run(rest, sink);
        doc_index = loader.doc_index;
        match result {
            Ok(()) => return None,
            Err(err) => {
                let line = err.line;
                if err.message == "invalid YAML: invalid indentation" && is_closing_bracket_line(text, line) {
                    return Some((line, 0));
                }
                // go-yaml also takes a quoted scalar's continuation line at any indentation
                // (its leading blanks are folded away, so moving it changes no value).
                // The error names the scalar's first line; the culprit is the next line not
                // indented past it.
                if err.message == "invalid YAML: invalid indentation in quoted scalar" {
                    let indent_of = |l: &str| l.len() - l.trim_start().len();
                    let start = nth_line(text, line).map(indent_of).unwrap_or(0);
                    let culprit = text.lines().enumerate().skip(line as usize).find(|(_, l)| !l.trim().is_empty() && indent_of(l) <= start);
                    if let Some((i, _)) = culprit {
                        return Some((i as u32 + 1, 1));
                    }
                }
                sink(Loaded::Error(err));
                match next_separator(text, line) {
                    Some((byte, sep_line)) => {
                        rest = &text[byte..];
                        line_offset = sep_line - 1;
                    }
                    None => return None,
                }
            }
        }
    }
}

fn nth_line(text: &str, line: u32) -> Option<&str> {
    text.lines().nth(line.checked_sub(1)? as usize)
}

/// A line holding only the end of flow collections (`]`, `}`, `],`): Kubernetes' YAML reader
/// (go-yaml) accepts it at any indentation, and real manifests (Istio's, for one) rely on
/// that, while a strict YAML 1.2 parser rejects it when it is left of the block's indentation.
fn is_closing_bracket_line(text: &str, line: u32) -> bool {
    nth_line(text, line).is_some_and(|l| {
        let t = l.trim();
        t.starts_with([']', '}']) && t.chars().all(|c| matches!(c, ']' | '}' | ',' | ' ' | '\t'))
    })
}

/// `text` with `line` indented like the nearest non-blank line above it, `deeper` columns
/// more. Only a closing bracket or a quoted scalar's continuation moves, so every position a
/// finding can point at stays where it was.
fn indent_like_previous(text: &str, line: u32, deeper: usize) -> String {
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let i = line as usize - 1;
    let indent = lines[..i]
        .iter()
        .rev()
        .find(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start().len())
        .unwrap_or(0)
        + deeper;
    let mut out = String::with_capacity(text.len() + indent);
    for (n, l) in lines.iter().enumerate() {
        if n == i {
            out.push_str(&" ".repeat(indent));
            out.push_str(l.trim_start());
        } else {
            out.push_str(l);
        }
    }
    out
}

/// The byte offset and 1-based line of the first `---` line after `line`.
fn next_separator(text: &str, line: u32) -> Option<(usize, u32)> {
    let mut offset = 0;
    for (i, l) in text.split_inclusive('\n').enumerate() {
        let n = i as u32 + 1;
        if n > line && (l.starts_with("---\n") || l.starts_with("---\r") || l == "---" || l.starts_with("--- ")) {
            return Some((offset, n));
        }
        offset += l.len();
    }
    None
}

/// Lines of `# Source: <template>` comments (written by `helm template`).
fn helm_sources(text: &str) -> Vec<(u32, String)> {
    const MARK: &str = "# Source: ";
    let mut out = Vec::new();
    if !text.contains(MARK) {
        return out;
    }
    for (i, line) in text.lines().enumerate() {
        if let Some(src) = line.strip_prefix(MARK) {
            out.push((i as u32 + 1, src.trim().to_string()));
        }
    }
    out
}

enum Frame {
    Seq { pos: Pos, anchor: usize, items: Vec<Node> },
    Map { pos: Pos, anchor: usize, entries: Vec<Entry>, key: Option<(String, Pos)>, merge: bool },
}

struct Loader<'l> {
    limits: &'l Limits,
    sources: &'l [(u32, String)],
    line_offset: u32,
    doc_index: u32,
    stack: Vec<Frame>,
    root: Option<Node>,
    anchors: HashMap<usize, (Node, usize)>,
    alias_nodes: usize,
    problems: Vec<SourceError>,
    last_line: u32,
    doc_boundary: u32,
    template: Option<String>,
    /// Streamed list items waiting to be handed over, and how many the document had so far.
    streamed: Vec<(usize, Node)>,
    items_seen: usize,
}

impl<'l> Loader<'l> {
    fn new(limits: &'l Limits, sources: &'l [(u32, String)], line_offset: u32, doc_index: u32) -> Self {
        Loader {
            limits,
            sources,
            line_offset,
            doc_index,
            stack: Vec::new(),
            root: None,
            anchors: HashMap::new(),
            alias_nodes: 0,
            problems: Vec::new(),
            last_line: line_offset,
            doc_boundary: line_offset,
            template: None,
            streamed: Vec::new(),
            items_seen: 0,
        }
    }

    fn pos(&self, span: &Span) -> Pos {
        Pos::new(span.start.line() as u32 + self.line_offset, span.start.col() as u32 + 1)
    }

    fn scan_error(&self, e: ScanError) -> SourceError {
        let m = e.marker();
        SourceError {
            line: m.line() as u32 + self.line_offset,
            col: m.col() as u32 + 1,
            document: Some(self.doc_index.max(1)),
            message: format!("invalid YAML: {}", e.info()),
        }
    }

    fn run(&mut self, text: &str, sink: &mut impl FnMut(Loaded)) -> Result<(), SourceError> {
        let mut parser = Parser::new_from_str(text);
        while let Some(next) = parser.next_event() {
            let (event, span) = next.map_err(|e| self.scan_error(e))?;
            let pos = self.pos(&span);
            match event {
                Event::StreamStart | Event::Nothing => {}
                Event::StreamEnd => return Ok(()),
                Event::DocumentStart(_) => {
                    self.doc_index += 1;
                    self.doc_boundary = self.last_line;
                    self.anchors.clear();
                    self.alias_nodes = 0;
                    self.template = None;
                    self.items_seen = 0;
                }
                Event::DocumentEnd => {
                    let root = self.root.take().unwrap_or(Node::new(pos, Value::Null));
                    if self.template.is_none() {
                        self.template = self.template_before(root.pos.line, root.is_null());
                    }
                    sink(Loaded::Document(Document {
                        index: self.doc_index,
                        root,
                        template: self.template.take(),
                        problems: std::mem::take(&mut self.problems),
                    }));
                }
                Event::Scalar(text, style, anchor, tag) => {
                    let is_str_tag = tag.as_ref().is_some_and(|t| t.suffix == "str");
                    let is_merge = style == ScalarStyle::Plain && text == "<<";
                    let value = if style == ScalarStyle::Plain && !is_str_tag {
                        resolve_plain(text)
                    } else {
                        Value::Str(text.into_owned())
                    };
                    self.complete(Node::new(pos, value), anchor, is_merge)?;
                }
                Event::Alias(id) => {
                    let (node, count) = self.anchors.get(&id).ok_or_else(|| {
                        SourceError::at(pos, self.doc_index, "alias refers to an unknown anchor".into())
                    })?;
                    self.alias_nodes += count;
                    if self.alias_nodes > self.limits.max_alias_nodes {
                        return Err(SourceError::at(
                            pos,
                            self.doc_index,
                            format!(
                                "aliases expand to more than {} nodes (an alias-expansion bomb?); document not scanned",
                                self.limits.max_alias_nodes
                            ),
                        ));
                    }
                    // The copy is placed where the alias is: a finding in it points at the
                    // line that brought the value into this object, not at the anchor.
                    let mut copy = node.clone();
                    relocate(&mut copy, pos);
                    self.complete(copy, 0, false)?;
                }
                Event::SequenceStart(anchor, _) => {
                    self.enter(pos)?;
                    self.stack.push(Frame::Seq { pos, anchor, items: Vec::new() });
                }
                Event::MappingStart(anchor, _) => {
                    self.enter(pos)?;
                    if self.stack.is_empty() {
                        self.template = self.template_before(pos.line, false);
                    }
                    self.stack.push(Frame::Map { pos, anchor, entries: Vec::new(), key: None, merge: false });
                }
                Event::SequenceEnd | Event::MappingEnd => {
                    let node_and_anchor = match self.stack.pop() {
                        Some(Frame::Seq { pos, anchor, items }) => (Node::new(pos, Value::Seq(items)), anchor),
                        Some(Frame::Map { pos, anchor, entries, merge, .. }) => {
                            let entries = if merge { apply_merges(entries) } else { entries };
                            self.check_duplicates(&entries);
                            (Node::new(pos, Value::Map(entries)), anchor)
                        }
                        None => continue,
                    };
                    self.complete(node_and_anchor.0, node_and_anchor.1, false)?;
                }
            }
            self.last_line = span.end.line() as u32 + self.line_offset;
            for (index, node) in self.streamed.drain(..) {
                sink(Loaded::Item { document: self.doc_index, index, node, template: self.template.clone() });
            }
        }
        Ok(())
    }

    fn enter(&self, pos: Pos) -> Result<(), SourceError> {
        if self.stack.len() >= self.limits.max_depth {
            return Err(SourceError::at(
                pos,
                self.doc_index,
                format!("nested deeper than {} levels; document not scanned", self.limits.max_depth),
            ));
        }
        Ok(())
    }

    /// A node is complete: remember it under its anchor and attach it to its parent.
    fn complete(&mut self, mut node: Node, anchor: usize, is_merge_key: bool) -> Result<(), SourceError> {
        if anchor != 0 {
            let count = node.count();
            self.anchors.insert(anchor, (node.clone(), count));
        }
        if self.limits.stream_list_items && self.stack.len() == 2 {
            if let [Frame::Map { key: Some((key, _)), .. }, Frame::Seq { .. }] = &self.stack[..] {
                if key == "items" {
                    let index = self.items_seen;
                    self.items_seen += 1;
                    if node.get("kind").is_some() && node.get("apiVersion").is_some() {
                        self.streamed.push((index, node));
                        return Ok(());
                    }
                }
            }
        }
        match self.stack.last_mut() {
            None => self.root = Some(node),
            Some(Frame::Seq { items, .. }) => items.push(node),
            Some(Frame::Map { entries, key, merge, .. }) => match key.take() {
                None => {
                    *merge |= is_merge_key;
                    let text = match node.value {
                        Value::Str(ref mut s) => std::mem::take(s),
                        Value::Null => String::new(),
                        _ => node.display_scalar(),
                    };
                    *key = Some((text, node.pos));
                }
                Some((k, key_pos)) => entries.push(Entry { key: k, key_pos, value: node }),
            },
        }
        Ok(())
    }

    fn check_duplicates(&mut self, entries: &[Entry]) {
        /// Up to this many keys a linear scan beats hashing (and allocates nothing).
        const LINEAR: usize = 16;
        if entries.len() < 2 {
            return;
        }
        let mut seen: HashMap<&str, Pos> = HashMap::new();
        for (i, e) in entries.iter().enumerate() {
            let first = if entries.len() <= LINEAR {
                entries[..i].iter().find(|f| f.key == e.key).map(|f| f.key_pos)
            } else {
                seen.insert(&e.key, e.key_pos)
            };
            if let Some(first) = first {
                self.problems.push(SourceError::at(
                    e.key_pos,
                    self.doc_index,
                    format!(
                        "duplicate key `{}` (also at line {}): YAML forbids it and strict Kubernetes clients reject the document; Palisade checked the last value",
                        e.key, first.line
                    ),
                ));
            }
        }
    }

    /// The last `# Source:` comment between the previous document and `line`.
    fn template_before(&self, line: u32, anywhere: bool) -> Option<String> {
        self.sources
            .iter()
            .rev()
            .find(|(l, _)| *l > self.doc_boundary && (*l < line || anywhere))
            .map(|(_, src)| src.clone())
    }
}

/// Moves a node and everything under it to `pos`.
fn relocate(node: &mut Node, pos: Pos) {
    let mut stack = vec![node];
    while let Some(n) = stack.pop() {
        n.pos = pos;
        match &mut n.value {
            Value::Seq(items) => stack.extend(items.iter_mut()),
            Value::Map(entries) => {
                for e in entries.iter_mut() {
                    e.key_pos = pos;
                    stack.push(&mut e.value);
                }
            }
            _ => {}
        }
    }
}

/// Resolves `<<` merge keys: explicit keys win, then earlier merged maps over later ones.
fn apply_merges(entries: Vec<Entry>) -> Vec<Entry> {
    let (merges, mut out): (Vec<Entry>, Vec<Entry>) = entries.into_iter().partition(|e| &*e.key == "<<");
    for m in merges {
        let sources: Vec<&Node> = match &m.value.value {
            Value::Map(_) => vec![&m.value],
            Value::Seq(items) => items.iter().collect(),
            _ => vec![],
        };
        for src in sources {
            for e in src.entries() {
                if !out.iter().any(|o| o.key == e.key) {
                    out.push(e.clone());
                }
            }
        }
    }
    out
}
