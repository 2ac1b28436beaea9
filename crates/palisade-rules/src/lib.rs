//! Palisade's rule catalogue and the engine that runs it.
//!
//! One rule per file under `src/<family>/`, each declared with [`declare_rule!`]: the doc
//! comment is the rule's documentation (`palisade explain`, `docs/rules/<ID>.md`), the metadata
//! follows it, then the check. [`registry::all`] lists every rule in catalogue order.

#[macro_use]
mod macros;
pub mod aud;
pub mod check;
pub mod cp;
pub mod docs;
pub mod engine;
pub mod exp;
pub mod frameworks;
pub mod host;
pub mod img;
pub mod incremental;
pub mod net;
pub mod node;
pub mod ns;
pub mod pod;
pub mod pol;
pub mod rbac;
pub mod registry;
pub mod sec;
pub mod svc;
pub mod ver;

pub use check::{Check, Rule, Scope};
pub use engine::{Engine, Origin, RootOutcome, Selection};
pub use incremental::{Delta, Incremental};
