use palisade_core::policy::rule_ref_matches;
use palisade_core::{Anchor, Context, FieldPath, Violation};
use crate::check::{Check, Scope};
use palisade_analysis::model::Model;
use std::sync::Arc;

use super::waiver_anchor;

declare_rule! {
    /// ## What it does
    /// Reports each unexpired waiver of the policy file that suppressed no finding in this
    /// scan: the objects it names are gone, fixed, or were never matched (a typo in `match`).
    /// Waivers for rules that did not run (`--select`, `--framework`) are not judged.
    ///
    /// ## Why is this bad?
    /// A stale waiver is either dead weight or a mistake: if its `match` has a typo, the
    /// finding it was meant for is still failing builds — or worse, a later object that
    /// happens to match is waived without anyone deciding so.
    ///
    /// ## Example
    /// ```yaml
    /// waivers:
    ///   - rule: POD001
    ///     match: {namespace: legacy, name: "old-agnet-*"}
    ///     reason: vendor agent needs privileged until v3
    ///     owner: platform-team@example.com
    ///     expires: 2027-03-31
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// waivers:
    ///   - rule: POD001
    ///     match: {namespace: legacy, name: "old-agent-*"}
    ///     reason: vendor agent needs privileged until v3
    ///     owner: platform-team@example.com
    ///     expires: 2027-03-31
    /// ```
    ///
    /// ## Remediation
    /// Delete waivers for findings that are fixed; correct the `rule` or `match` of a waiver
    /// that was meant to match.
    ///
    /// ## References
    /// - Palisade documentation, "The policy file" (`palisade policy init`)
    pub struct StaleWaiver {
        id: "POL002",
        name: "stale-waiver",
        severity: Low,
        summary: "A waiver of the policy file matched no finding",
        controls: [],
        pss: None,
    }
}

impl Check for StaleWaiver {
    fn check_model(&self, cx: &Context, _model: &Model, scope: Scope, out: &mut Vec<(Arc<Anchor>, Violation)>) {
        if scope != Scope::Policy {
            return;
        }
        for (i, w) in cx.policy.waivers.iter().enumerate() {
            let judged = cx.active.iter().any(|m| rule_ref_matches(&w.rule, m, m.controls));
            if judged && w.expires >= cx.today && w.uses() == 0 {
                out.push((
                    waiver_anchor(cx, w.pos),
                    Violation::new(
                        FieldPath::root().key("waivers").index(i),
                        format!("waiver {} for `{}` (owner {}) matched no finding", i + 1, w.rule, w.owner),
                    ),
                ));
            }
        }
    }
}
