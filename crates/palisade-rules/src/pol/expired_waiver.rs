use palisade_core::{Anchor, Context, FieldPath, Violation};
use crate::check::{Check, Scope};
use palisade_analysis::model::Model;
use std::sync::Arc;

use super::waiver_anchor;

declare_rule! {
    /// ## What it does
    /// Reports each waiver of the policy file whose `expires` date has passed (a waiver is
    /// valid through its expiry day). An expired waiver no longer suppresses anything: the
    /// findings it covered are reported again, and this finding says which waiver lapsed,
    /// whose it is and when.
    ///
    /// ## Why is this bad?
    /// A waiver is a promise to fix something by a date. When the date passes, either the fix
    /// is late or the waiver needs a new decision; silently keeping exceptions forever is how
    /// risk accumulates.
    ///
    /// ## Example
    /// ```yaml
    /// waivers:
    ///   - rule: POD001
    ///     match: {namespace: legacy}
    ///     reason: vendor agent needs privileged until v3
    ///     owner: platform-team@example.com
    ///     expires: 2025-03-31
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// waivers:
    ///   - rule: POD001
    ///     match: {namespace: legacy}
    ///     reason: vendor agent v3 slipped to Q3; ticket OPS-1234
    ///     owner: platform-team@example.com
    ///     expires: 2027-09-30
    /// ```
    ///
    /// ## Remediation
    /// Fix the findings and delete the waiver, or renew it with a new reason and date.
    ///
    /// ## References
    /// - Palisade documentation, "The policy file" (`palisade policy init`)
    pub struct ExpiredWaiver {
        id: "POL001",
        name: "expired-waiver",
        severity: Medium,
        summary: "A waiver of the policy file has expired",
        controls: [],
        pss: None,
    }
}

impl Check for ExpiredWaiver {
    fn check_model(&self, cx: &Context, _model: &Model, scope: Scope, out: &mut Vec<(Arc<Anchor>, Violation)>) {
        if scope != Scope::Policy {
            return;
        }
        for (i, w) in cx.policy.waivers.iter().enumerate() {
            if w.expires < cx.today {
                out.push((
                    waiver_anchor(cx, w.expires_pos),
                    Violation::new(
                        FieldPath::root().key("waivers").index(i).key("expires"),
                        format!(
                            "waiver {} for `{}` (owner {}) expired on {}; its findings are reported again",
                            i + 1,
                            w.rule,
                            w.owner,
                            w.expires
                        ),
                    ),
                ));
            }
        }
    }
}
