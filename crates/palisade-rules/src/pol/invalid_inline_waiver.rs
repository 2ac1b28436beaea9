use palisade_core::policy::{WAIVE_ANNOTATION, WAIVE_REASON_ANNOTATION};
use palisade_core::{Context, FieldPath, InlineWaiver, Target, Violation};
use crate::check::Check;

use crate::registry;

declare_rule! {
    /// ## What it does
    /// Reports `palisade.io/waive` annotations that cannot be honoured: without a non-empty
    /// `palisade.io/waive-reason` annotation (then the waiver suppresses nothing), or naming
    /// something that is no rule ID, ID prefix, rule name or control reference.
    ///
    /// ## Why is this bad?
    /// An exception without a reason cannot be reviewed, and one that names no rule waives
    /// nothing while looking as if it did.
    ///
    /// ## Example
    /// ```yaml
    /// metadata:
    ///   annotations:
    ///     palisade.io/waive: POD021
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// metadata:
    ///   annotations:
    ///     palisade.io/waive: POD021
    ///     palisade.io/waive-reason: vendor image writes to /var/cache; ticket OPS-1234
    /// ```
    ///
    /// ## Remediation
    /// Add `palisade.io/waive-reason`, and name rules by ID (`POD021`), prefix, name or
    /// control (`pss-baseline:privileged`).
    ///
    /// ## References
    /// - Palisade documentation, "The policy file" (`palisade policy init`)
    pub struct InvalidInlineWaiver {
        id: "POL003",
        name: "invalid-inline-waiver",
        severity: Medium,
        summary: "An inline waiver annotation has no reason or names no rule",
        controls: [],
        pss: None,
    }
}

impl Check for InvalidInlineWaiver {
    fn check(&self, _cx: &Context, t: &Target, out: &mut Vec<Violation>) {
        let Some(w) = InlineWaiver::of(t.object.node.get("metadata")) else { return };
        let annotations = FieldPath::root().keys(&["metadata", "annotations"]);
        if w.reason.is_none() {
            out.push(Violation::new(
                annotations.key(WAIVE_REASON_ANNOTATION),
                format!("{} waives `{}` without a `{WAIVE_REASON_ANNOTATION}`; the waiver is ignored", t.what(), w.refs.join(", ")),
            ));
        }
        for r in &w.refs {
            if !registry::names_a_rule(r) {
                out.push(Violation::new(
                    annotations.key(WAIVE_ANNOTATION),
                    format!("{} waives `{r}`, which names no rule, prefix or control", t.what()),
                ));
            }
        }
    }
}
