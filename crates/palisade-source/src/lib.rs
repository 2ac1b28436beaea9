//! Loading Kubernetes manifests: multi-document YAML and JSON read into Palisade's value tree
//! with the line and column of every node, one document at a time.
//!
//! Scalars are resolved the way Kubernetes reads YAML (YAML 1.1 through `sigs.k8s.io/yaml`):
//! `yes`, `on` and `y` are `true`; quoted values are always strings. Anchors, aliases and merge
//! keys are resolved here, with an expansion budget so a "billion laughs" document is an error,
//! not an out-of-memory kill.

pub mod admission;
pub mod audit;
pub mod json;
mod load;
mod scalar;
pub mod skim;

pub use load::{documents, text_of, Document, Limits, Loaded, SourceError};
pub use scalar::resolve_plain;
