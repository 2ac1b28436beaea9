//! The `palisade` binary's glue: gathering inputs and scanning them in parallel. The logic
//! lives in the library crates; this only moves bytes between them.

pub mod scan;
