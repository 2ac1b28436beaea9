//! Analyses that need many objects at once, free of I/O like the rules: the RBAC authorizer
//! (exact Kubernetes semantics: who can do what, and through which binding, role and rule).

pub mod netpol;
pub mod rbac;
pub mod selector;
