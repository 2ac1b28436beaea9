//! Hostile and broken input: each gives an error at a line, never a crash or a memory blow-up,
//! and never hides the documents around it.

use palisade_source::{documents, text_of, Document, Limits, SourceError};

fn load(text: &str) -> Vec<Result<Document, SourceError>> {
    Document::load_all(text.as_bytes(), &Limits::default())
}

#[test]
fn malformed_yaml_is_reported_at_its_line_and_later_documents_still_load() {
    let text = "kind: A\n---\nkind: B\nspec:\n  containers: [a, b\n  other: x\n---\nkind: C\n---\nkind: D\n";
    let out = load(text);
    let errors: Vec<&SourceError> = out.iter().filter_map(|r| r.as_ref().err()).collect();
    assert_eq!(errors.len(), 1, "{out:?}");
    assert!((5..=7).contains(&errors[0].line), "error line {}", errors[0].line);
    assert!(errors[0].message.starts_with("invalid YAML"));
    let kinds: Vec<String> = out
        .iter()
        .filter_map(|r| r.as_ref().ok())
        .map(|d| d.root.get("kind").unwrap().display_scalar())
        .collect();
    assert_eq!(kinds, ["A", "C", "D"]);
    let indices: Vec<u32> = out.iter().filter_map(|r| r.as_ref().ok()).map(|d| d.index).collect();
    assert_eq!(indices, [1, 3, 4], "document numbers stay those of the file");
}

#[test]
fn duplicate_keys_are_problems_with_both_lines() {
    let out = load("a: 1\nb:\n  c: true\n  c: false\n");
    let doc = out[0].as_ref().unwrap();
    assert_eq!(doc.problems.len(), 1);
    assert_eq!(doc.problems[0].line, 4);
    assert!(doc.problems[0].message.contains("duplicate key `c` (also at line 3)"), "{}", doc.problems[0].message);
    assert_eq!(doc.root.get_path(&["b", "c"]).unwrap().as_bool(), Some(false), "the last value wins");
}

#[test]
fn billion_laughs_is_stopped_by_the_expansion_budget() {
    let mut text = String::from("a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
    let names = ["b", "c", "d", "e", "f", "g", "h", "i"];
    let mut prev = "a";
    for n in names {
        text.push_str(&format!("{n}: &{n} [*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev}]\n"));
        prev = n;
    }
    text.push_str("---\nkind: After\n");
    let out = load(&text);
    let err = out[0].as_ref().unwrap_err();
    assert!(err.message.contains("alias-expansion bomb"), "{}", err.message);
    assert!(err.line >= 5, "the error points at the alias that crossed the budget (line {})", err.line);
    assert_eq!(out[1].as_ref().unwrap().root.get("kind").unwrap().as_str(), Some("After"));
}

#[test]
fn deep_nesting_is_an_error_not_a_stack_overflow() {
    for (open, close) in [("[", "]"), ("{a: ", "}")] {
        let text = format!("{}1{}\n", open.repeat(100_000), close.repeat(100_000));
        let out = load(&text);
        let err = out[0].as_ref().unwrap_err();
        assert!(err.message.contains("nested deeper") || err.message.contains("recursion limit"), "{}", err.message);
        assert_eq!(err.line, 1);
    }
    let mut block = String::new();
    for i in 0..5000 {
        block.push_str(&" ".repeat(i));
        block.push_str("a:\n");
    }
    // The parser's own nesting limit may trigger before ours; either way it is an error.
    let err = load(&block).into_iter().next().unwrap().unwrap_err();
    assert!(err.message.contains("nested deeper") || err.message.contains("recursion limit"), "{}", err.message);
    assert!(err.line > 1 && err.line <= 5000, "line {}", err.line);
}

#[test]
fn binary_and_non_utf8_are_rejected_with_a_line() {
    let err = text_of(b"kind: Pod\n\x00\x01\x02").unwrap_err();
    assert_eq!(err.line, 2);
    assert!(err.message.contains("binary"));
    let err = text_of(b"a: 1\nb: 2\nc: \xff\xfe\n").unwrap_err();
    assert_eq!(err.line, 3);
    assert!(err.message.contains("UTF-8"));
    assert!(text_of(b"\xEF\xBB\xBFkind: Pod\n").is_ok(), "a UTF-8 BOM is fine");
}

#[test]
fn empty_input_has_no_documents_and_empty_documents_are_null() {
    let mut n = 0;
    documents("", &Limits::default(), |_| n += 1);
    assert_eq!(n, 0);
    documents("# only a comment\n", &Limits::default(), |_| n += 1);
    assert_eq!(n, 0);
    let out = load("---\n---\nkind: A\n");
    assert_eq!(out.len(), 2);
    assert!(out[0].as_ref().unwrap().root.is_null());
}

#[test]
fn a_large_document_loads_in_bounded_memory() {
    // ~20 MB in one document: a ConfigMap with 200,000 keys.
    let mut text = String::from("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: big}\ndata:\n");
    for i in 0..200_000 {
        text.push_str(&format!("  key-{i:07}: \"value number {i} with some padding to make it longer\"\n"));
    }
    let out = load(&text);
    let doc = out[0].as_ref().unwrap();
    assert_eq!(doc.root.get("data").unwrap().entries().len(), 200_000);
    assert_eq!(doc.root.count(), 6 + 200_000, "root, apiVersion, kind, metadata, name, data + values");
}

#[test]
fn closing_brackets_left_of_the_block_indentation_are_accepted_as_kubernetes_does() {
    // As in Istio's spire quickstart: go-yaml reads this; a strict YAML 1.2 scanner does not.
    let text = "kind: A\n---\nspec:\n  containers:\n    - name: c\n      args: [\n          \"-a\", \"b\",\n      ]\n      image: x\n---\nkind: C\n";
    let out = load(text);
    assert!(out.iter().all(|d| d.is_ok()), "{out:?}");
    assert_eq!(out.len(), 3, "the first document is not handed over twice");
    let doc = out[1].as_ref().unwrap();
    let c = &doc.root.get_path(&["spec", "containers"]).unwrap().items()[0];
    assert_eq!(c.get("args").unwrap().items().len(), 2);
    let (pos, _) = palisade_core::FieldPath::parse("spec.containers[0].image").locate(&doc.root);
    assert_eq!((pos.line, pos.col), (9, 7), "positions are unchanged");
}

#[test]
fn quoted_scalars_continued_left_of_their_key_are_accepted_as_kubernetes_does() {
    // As in a Gatekeeper library template: go-yaml folds the continuation whatever its
    // indentation; a strict YAML 1.2 scanner refuses it.
    let text = "kind: A\nspec:\n  props:\n    description: \"When set to `true` the TLS is optional, defaults\n    to false.\"\n    type: boolean\n  other: 1\n";
    let out = load(text);
    assert!(out.iter().all(|d| d.is_ok()), "{out:?}");
    let doc = out[0].as_ref().unwrap();
    assert_eq!(doc.root.get_path(&["spec", "props", "description"]).and_then(|n| n.as_str()), Some("When set to `true` the TLS is optional, defaults to false."));
    let (pos, _) = palisade_core::FieldPath::parse("spec.other").locate(&doc.root);
    assert_eq!((pos.line, pos.col), (7, 3), "positions are unchanged");
}
