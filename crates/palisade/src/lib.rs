//! The `palisade` binary's glue: gathering inputs, reading the policy file, and scanning in parallel. The logic
//! lives in the library crates; this only moves bytes between them.

pub mod admission;
pub mod audit;
pub mod diff;
pub mod inputs;
pub mod insights;
pub mod inventory;
pub mod live;
pub mod watch;
pub mod snapshot;
pub mod scan;
pub mod policy_file;
pub mod model;
