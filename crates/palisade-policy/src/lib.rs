//! The policies teams already hold, run beside Palisade's own catalogue on every input:
//! Gatekeeper ConstraintTemplates (Rego through `regorus`, CEL `K8sNativeValidation` through
//! `cel`) with their Constraints, and ValidatingAdmissionPolicies with their bindings and
//! parameter objects. Each constraint and each binding becomes a rule of the engine
//! (`gatekeeper:<Kind>/<name>`, `vap:<policy>`; see [`rule`]), so findings, waivers,
//! selection, reports and exit codes treat them like built-in rules. `palisade policy verify`
//! runs gator suites ([`verify`]).

pub mod cel_env;
pub mod gatekeeper;
pub mod inventory;
pub mod load;
pub mod vap;
pub mod value;
pub mod verify;

pub use inventory::Inventory;
pub use load::{load, PolicySet};
