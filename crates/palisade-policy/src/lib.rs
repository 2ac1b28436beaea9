//! The policies teams already hold, run beside Palisade's own catalogue on every input:
//! Gatekeeper ConstraintTemplates (Rego through `regorus`, CEL `K8sNativeValidation` through
//! `cel`) with their Constraints, and ValidatingAdmissionPolicies with their bindings and
//! parameter objects. Each constraint ([`gatekeeper::Constraint`]) and each policy with its
//! bindings ([`vap::Policy`]) is a rule of the engine (`gatekeeper:<Kind>/<name>`,
//! `vap:<policy>`), so findings, waivers, selection, reports and exit codes treat them like
//! built-in rules. [`load()`] reads them; `palisade policy verify` runs gator suites
//! ([`verify`]).

pub mod cel_env;
pub mod cel_versions;
pub mod gatekeeper;
pub mod inventory;
pub mod load;
pub mod vap;
pub mod value;
pub mod verify;

pub use inventory::Inventory;
pub use load::{load, PolicySet};

/// A user policy's finding: at the object's name (a policy speaks of the whole object), with
/// its action and severity.
pub(crate) fn violation(message: String, action: &'static str, severity: palisade_core::Severity) -> palisade_core::Violation {
    let mut v = palisade_core::Violation::new(palisade_core::FieldPath::root().key("metadata").key("name"), message);
    v.severity = Some(severity);
    v.action = Some(action);
    v
}
