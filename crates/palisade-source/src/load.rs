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
}

impl Default for Limits {
    fn default() -> Limits {
        Limits { max_depth: 1000, max_alias_nodes: 1_000_000 }
    }
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
    if let Some(nul) = bytes.iter().take(64 * 1024).position(|&b| b == 0) {
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
    pub fn load_all(bytes: &[u8], limits: &Limits) -> Vec<Result<Document, SourceError>> {
        match text_of(bytes) {
            Ok(text) => {
                let mut out = Vec::new();
                documents(text, limits, |d| out.push(d));
                out
            }
            Err(e) => vec![Err(e)],
        }
    }
}

/// Reads every document of `text` and hands each to `sink` as soon as it is complete, so only
/// one document is in memory at a time. A syntax error is reported and reading resumes at the
/// next `---` line after it, so one broken document does not hide the rest of the file.
pub fn documents(text: &str, limits: &Limits, mut sink: impl FnMut(Result<Document, SourceError>)) {
    let sources = helm_sources(text);
    let mut rest = text;
    let mut line_offset = 0u32;
    let mut doc_index = 0u32;
    loop {
        let mut loader = Loader::new(limits, &sources, line_offset, doc_index);
        let result = loader.run(rest, &mut sink);
        doc_index = loader.doc_index;
        match result {
            Ok(()) => return,
            Err(err) => {
                let line = err.line;
                sink(Err(err));
                match next_separator(text, line) {
                    Some((byte, sep_line)) => {
                        rest = &text[byte..];
                        line_offset = sep_line - 1;
                    }
                    None => return,
                }
            }
        }
    }
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
    Map { pos: Pos, anchor: usize, entries: Vec<Entry>, key: Option<(Box<str>, Pos)>, merge: bool },
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

    fn run(&mut self, text: &str, sink: &mut impl FnMut(Result<Document, SourceError>)) -> Result<(), SourceError> {
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
                }
                Event::DocumentEnd => {
                    let root = self.root.take().unwrap_or(Node::new(pos, Value::Null));
                    let template = self.template_for(&root);
                    sink(Ok(Document {
                        index: self.doc_index,
                        root,
                        template,
                        problems: std::mem::take(&mut self.problems),
                    }));
                }
                Event::Scalar(text, style, anchor, tag) => {
                    let is_str_tag = tag.as_ref().is_some_and(|t| t.suffix == "str");
                    let value = if style == ScalarStyle::Plain && !is_str_tag {
                        resolve_plain(&text)
                    } else {
                        Value::Str(text.as_ref().into())
                    };
                    let is_merge = style == ScalarStyle::Plain && text == "<<";
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
    fn complete(&mut self, node: Node, anchor: usize, is_merge_key: bool) -> Result<(), SourceError> {
        if anchor != 0 {
            let count = node.count();
            self.anchors.insert(anchor, (node.clone(), count));
        }
        match self.stack.last_mut() {
            None => self.root = Some(node),
            Some(Frame::Seq { items, .. }) => items.push(node),
            Some(Frame::Map { entries, key, merge, .. }) => match key.take() {
                None => {
                    *merge |= is_merge_key;
                    let text: Box<str> = match &node.value {
                        Value::Str(s) => s.clone(),
                        Value::Null => "".into(),
                        _ => node.display_scalar().into(),
                    };
                    *key = Some((text, node.pos));
                }
                Some((k, key_pos)) => entries.push(Entry { key: k, key_pos, value: node }),
            },
        }
        Ok(())
    }

    fn check_duplicates(&mut self, entries: &[Entry]) {
        if entries.len() < 2 {
            return;
        }
        let mut seen: HashMap<&str, Pos> = HashMap::with_capacity(entries.len());
        for e in entries {
            if let Some(first) = seen.insert(&e.key, e.key_pos) {
                self.problems.push(SourceError::at(
                    e.key_pos,
                    self.doc_index,
                    format!(
                        "duplicate key `{}` (also at line {}): kubectl rejects this document; Palisade checked the last value",
                        e.key, first.line
                    ),
                ));
            }
        }
    }

    fn template_for(&self, root: &Node) -> Option<String> {
        self.sources
            .iter()
            .rev()
            .find(|(line, _)| *line > self.doc_boundary && (*line < root.pos.line || root.is_null()))
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
