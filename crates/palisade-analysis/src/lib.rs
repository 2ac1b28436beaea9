//! The cross-object model and the analyses that need many objects at once, free of I/O like
//! the rules: the model (every object's cross-object facts, built once and updated in place),
//! the RBAC authorizer (exact Kubernetes semantics: who can do what, through which binding,
//! role and rule; escalation paths; secret readers) and NetworkPolicy semantics (can-reach,
//! the connectivity matrix), over label selectors.

pub mod controlplane;
pub mod model;
pub mod netpol;
pub mod rbac;
pub mod selector;
