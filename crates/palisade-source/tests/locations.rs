//! Positions: every field a rule can name must map to the right line and column, in
//! multi-document files, after comments, in flow style, through anchors and aliases, in JSON.

use palisade_core::{FieldPath, Node, Value};
use palisade_source::{Document, Limits};

fn docs(text: &str) -> Vec<Document> {
    Document::load_all(text.as_bytes(), &Limits::default()).into_iter().map(|d| d.unwrap()).collect()
}

fn at(doc: &Document, path: &str) -> (u32, u32) {
    let (pos, exists) = FieldPath::parse(path).locate(&doc.root);
    assert!(exists, "{path} should exist");
    (pos.line, pos.col)
}

#[test]
fn multi_document_with_comments_and_separators() {
    let text = "# leading comment\n---\n# a comment\napiVersion: v1 # trailing\nkind: Pod\n---\n\n\n# gap\napiVersion: v1\nkind: Pod\nspec:\n  # note\n  containers:\n    - name: a\n      securityContext:\n        privileged: true\n...\n---\nkind: Last\n";
    let d = docs(text);
    assert_eq!(d.len(), 3);
    assert_eq!((d[0].index, d[1].index, d[2].index), (1, 2, 3));
    assert_eq!(at(&d[0], "kind"), (5, 1));
    assert_eq!(at(&d[1], "spec.containers[0]"), (15, 7));
    assert_eq!(at(&d[1], "spec.containers[0].securityContext.privileged"), (17, 9));
    assert_eq!(at(&d[2], "kind"), (20, 1));
}

#[test]
fn flow_style() {
    let d = docs("spec: {containers: [{name: a, securityContext: {privileged: true}}, {name: b}]}\n");
    assert_eq!(at(&d[0], "spec.containers[0].securityContext.privileged"), (1, 49));
    assert_eq!(at(&d[0], "spec.containers[1].name"), (1, 70));
}

#[test]
fn json_documents() {
    let text = "{\n  \"kind\": \"Pod\",\n  \"spec\": {\n    \"containers\": [\n      {\"name\": \"a\",\n       \"securityContext\": {\"privileged\": true}}\n    ]\n  }\n}\n";
    let d = docs(text);
    assert_eq!(at(&d[0], "spec.containers[0].securityContext.privileged"), (6, 28));
    assert_eq!(d[0].root.get_path(&["spec", "containers"]).unwrap().items()[0].get("name").unwrap().as_str(), Some("a"));
    // JSON strings stay strings even when they look like booleans.
    let d = docs("{\"a\": \"true\", \"b\": true, \"c\": 1.5, \"d\": null}");
    let r = &d[0].root;
    assert_eq!(r.get("a").unwrap().value, Value::Str("true".into()));
    assert_eq!(r.get("b").unwrap().value, Value::Bool(true));
    assert_eq!(r.get("c").unwrap().value, Value::Float(1.5));
    assert!(r.get("d").unwrap().is_null());
}

#[test]
fn aliases_point_at_the_alias_and_merge_keys_resolve() {
    let text = "\
base: &sc
  privileged: true
  runAsUser: 0
containers:
  - name: a
    securityContext: *sc
  - name: b
    securityContext:
      <<: *sc
      runAsUser: 1000
";
    let d = docs(text);
    // Through the alias: the value is the anchor's, the position is the alias line.
    assert_eq!(at(&d[0], "containers[0].securityContext.privileged"), (6, 22));
    let b = d[0].root.get_path(&["containers"]).unwrap().items()[1].get("securityContext").unwrap();
    assert_eq!(b.get("privileged").and_then(Node::as_bool), Some(true));
    assert_eq!(b.get("runAsUser").and_then(Node::as_i64), Some(1000), "explicit keys win over merged ones");
    assert!(b.get("<<").is_none());
    assert_eq!(at(&d[0], "containers[1].securityContext.privileged"), (9, 11));
    assert_eq!(at(&d[0], "containers[1].securityContext.runAsUser"), (10, 7));
}

#[test]
fn quoted_and_tagged_scalars_are_strings() {
    let d = docs("a: 'yes'\nb: yes\nc: !!str on\nd: \"0\"\ne: 0\n");
    let r = &d[0].root;
    assert_eq!(r.get("a").unwrap().value, Value::Str("yes".into()));
    assert_eq!(r.get("b").unwrap().value, Value::Bool(true));
    assert_eq!(r.get("c").unwrap().value, Value::Str("on".into()));
    assert_eq!(r.get("d").unwrap().value, Value::Str("0".into()));
    assert_eq!(r.get("e").unwrap().value, Value::Int(0));
}

#[test]
fn helm_source_comments_name_the_template() {
    let text = "---\n# Source: shop/templates/web.yaml\napiVersion: v1\nkind: Pod\n---\n# Source: shop/templates/db.yaml\napiVersion: v1\nkind: Pod\n---\napiVersion: v1\nkind: Pod\n";
    let d = docs(text);
    assert_eq!(d[0].template.as_deref(), Some("shop/templates/web.yaml"));
    assert_eq!(d[1].template.as_deref(), Some("shop/templates/db.yaml"));
    assert_eq!(d[2].template, None);
}

#[test]
fn missing_fields_locate_the_nearest_parent() {
    let d = docs("spec:\n  containers:\n    - name: a\n      image: x\n");
    let (pos, exists) = FieldPath::parse("spec.containers[0].securityContext.runAsNonRoot").locate(&d[0].root);
    assert!(!exists);
    assert_eq!((pos.line, pos.col), (3, 7));
}
