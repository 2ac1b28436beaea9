//! The traits every rule implements: a check over one object, or over the cross-object
//! model one scope at a time.

use palisade_analysis::model::Model;
use palisade_core::{Anchor, Context, Described, Target, Violation};
use std::sync::Arc;

/// What a cross-object check looks at in one call: a namespace (the objects in it, and the
/// Namespace object), the cluster-scoped objects, or the policy file itself. A full scan
/// visits every scope once; an incremental update only the scopes a change touched.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope<'a> {
    Namespace(&'a str),
    Cluster,
    Policy,
}

impl<'a> Scope<'a> {
    /// The scope of a namespace (`Some`) or of cluster-scoped objects (`None`).
    pub fn of(namespace: Option<&'a str>) -> Scope<'a> {
        namespace.map_or(Scope::Cluster, Scope::Namespace)
    }

    /// The namespace, for namespace scopes.
    pub fn namespace(self) -> Option<&'a str> {
        match self {
            Scope::Namespace(ns) => Some(ns),
            _ => None,
        }
    }
}

/// The logic of a rule. Most rules look at one object at a time (`check`); rules about
/// namespaces as a whole, about relations between objects, or about the policy itself look
/// at the model (`check_model`), one scope at a time.
pub trait Check {
    /// Push a violation for each offending field of `target`.
    fn check(&self, _cx: &Context, _target: &Target, _out: &mut Vec<Violation>) {}

    /// Push a violation, attached to an anchor object, for each problem in `scope`: findings
    /// about objects of that namespace (or cluster-scoped objects, or the policy) only.
    fn check_model(&self, _cx: &Context, _model: &Model, _scope: Scope, _out: &mut Vec<(Arc<Anchor>, Violation)>) {}

    /// Whether `check_model`'s verdicts in a namespace depend on other namespaces' objects
    /// (then it is re-run when those change, too).
    fn crosses_namespaces(&self) -> bool {
        false
    }
}

/// A complete rule.
pub trait Rule: Described + Check + Sync + Send {}
impl<T: Described + Check + Sync + Send> Rule for T {}

impl std::fmt::Debug for dyn Rule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.meta().id)
    }
}
