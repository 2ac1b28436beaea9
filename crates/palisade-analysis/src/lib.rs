//! The cross-object model and the analyses that need many objects at once, free of I/O like
//! the rules: the model (built once, updated in place), the RBAC authorizer
//! (exact Kubernetes semantics: who can do what, and through which binding, role and rule).

pub mod model;
pub mod netpol;
pub mod rbac;
pub mod selector;
