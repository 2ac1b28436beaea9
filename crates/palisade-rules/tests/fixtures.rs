//! The fixture harness: for every rule, `fixtures/<ID>/bad.yaml` must produce exactly the
//! findings its `# expect: <ID>` markers announce (line by line), and `good.yaml` none.

use palisade_rules::{registry, Engine, Selection};
use palisade_source::{Document, Limits};
use std::path::PathBuf;

fn fixture(id: &str, name: &str) -> (PathBuf, String) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures").join(id).join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    (path, text)
}

/// (line, rule ID) for every `# expect: ID[, ID…]` marker.
fn expected(text: &str) -> Vec<(u32, String)> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if let Some(pos) = line.find("# expect:") {
            for id in line[pos + "# expect:".len()..].split(',') {
                out.push((i as u32 + 1, id.trim().to_string()));
            }
        }
    }
    out.sort();
    out
}

/// (line, rule ID) of every finding of the single rule `id` on `text`.
fn found(id: &str, text: &str) -> Vec<(u32, String)> {
    let engine = Engine::new(&Selection { select: vec![id.to_string()], ..Selection::default() }).unwrap();
    assert_eq!(engine.rules().len(), 1, "selecting {id} must run exactly that rule");
    let mut out = Vec::new();
    for doc in Document::load_all(text.as_bytes(), &Limits::default()) {
        let doc = doc.expect("fixtures must be valid YAML");
        assert!(doc.problems.is_empty(), "fixture problems: {:?}", doc.problems);
        for (finding, pos) in engine.evaluate_root(&doc.root).findings {
            out.push((pos.line, finding.rule.id.to_string()));
        }
    }
    out.sort();
    out
}

#[test]
fn every_rule_matches_its_fixtures() {
    let mut failures = Vec::new();
    for rule in registry::all() {
        let id = rule.meta().id;
        let (bad_path, bad) = fixture(id, "bad.yaml");
        let want = expected(&bad);
        assert!(!want.is_empty(), "{} has no `# expect:` markers", bad_path.display());
        assert!(want.iter().all(|(_, w)| w == id), "{}: markers must name {id}", bad_path.display());
        let got = found(id, &bad);
        if got != want {
            failures.push(format!("{}:\n  expected {want:?}\n  found    {got:?}", bad_path.display()));
        }
        let (good_path, good) = fixture(id, "good.yaml");
        assert!(expected(&good).is_empty(), "{} must not have markers", good_path.display());
        let got = found(id, &good);
        if !got.is_empty() {
            failures.push(format!("{}: expected no findings, found {got:?}", good_path.display()));
        }
    }
    assert!(failures.is_empty(), "fixture mismatches:\n{}", failures.join("\n"));
}
