//! Any bytes as a policy file (`palisade.yaml`): read or rejected with errors, never a panic.
#![no_main]
use libfuzzer_sys::fuzz_target;
use palisade_core::Policy;
use palisade_rules::engine::FRAMEWORKS;
use palisade_rules::registry;
use palisade_source::{Document, Limits};

fuzz_target!(|data: &[u8]| {
    for doc in Document::load_all(data, &Limits::default()).into_iter().flatten() {
        let _ = Policy::from_node(&doc.root, &registry::names_a_rule, FRAMEWORKS);
    }
});
