//! Any bytes as an identity roster, CSV and YAML: read or rejected, never a panic.
#![no_main]
use libfuzzer_sys::fuzz_target;
use palisade_core::policy::Roster;
use palisade_source::{Document, Limits};

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = Roster::from_csv(text);
    }
    for doc in Document::load_all(data, &Limits::default()).into_iter().flatten() {
        let _ = Roster::from_node(&doc.root);
    }
});
