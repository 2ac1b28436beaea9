//! Any bytes as a manifest file: the loader (YAML/JSON, anchors, List streaming, relaxed
//! brackets) and every rule over whatever objects come out must never panic or hang.
#![no_main]
use libfuzzer_sys::fuzz_target;
use palisade_rules::{Engine, Origin, Selection};
use palisade_source::{documents, text_of, Limits, Loaded};
use std::sync::OnceLock;

fuzz_target!(|data: &[u8]| {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    let engine = ENGINE.get_or_init(|| Engine::new(&Selection::default()).expect("engine"));
    let Ok(text) = text_of(data) else { return };
    let limits = Limits { stream_list_items: true, ..Limits::default() };
    documents(text, &limits, |loaded| {
        let origin = |document| Origin { file: "fuzz.yaml".into(), document, template: None };
        match loaded {
            Loaded::Document(doc) => drop(engine.evaluate_root(&doc.root, &origin(doc.index))),
            Loaded::Item { document, index, node, .. } => drop(engine.evaluate_list_item(&node, index, &origin(document))),
            Loaded::Error(_) => {}
        }
    });
});
