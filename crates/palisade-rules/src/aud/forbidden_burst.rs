use crate::check::{Check, Scope};
use palisade_analysis::model::audit::FactKind;
use palisade_analysis::model::Model;
use palisade_core::{Anchor, Context, FieldPath, Severity, Violation};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

/// Refusals of one subject within [`WINDOW_MS`] that make a burst.
pub const THRESHOLD: usize = 10;
/// The window a burst falls within, in milliseconds.
pub const WINDOW_MS: i64 = 60_000;

declare_rule! {
    /// ## What it does
    /// Detects, across an audit log, a burst of `Forbidden` replies to one subject: ten or
    /// more requests refused by the authorizer (403) within one minute. One finding per
    /// burst, at its first refusal, naming what was asked.
    ///
    /// ## Why is this bad?
    /// Legitimate clients are configured for what they may do and are rarely refused; a
    /// subject refused again and again is probing what its credentials allow — a stolen
    /// token being tried against the API, or a compromised workload mapping its reach
    /// (MITRE ATT&CK T1613, Container and Resource Discovery). A broken deployment whose
    /// role lost a permission looks the same and deserves fixing too.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Event
    /// verb: list
    /// user: {username: "system:serviceaccount:shop:web"}
    /// objectRef: {resource: secrets, namespace: kube-system}
    /// responseStatus: {code: 403}
    /// # … and nine more within the minute
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// # a client whose role grants what it asks for: refused now and then, if ever
    /// kind: Event
    /// verb: list
    /// user: {username: "system:serviceaccount:shop:web"}
    /// objectRef: {resource: configmaps, namespace: shop}
    /// responseStatus: {code: 200}
    /// ```
    ///
    /// ## Remediation
    /// Find the client behind the subject (source IPs and user agent in the events); revoke
    /// its credentials if it is not yours, fix its role if it is.
    ///
    /// ## References
    /// - MITRE ATT&CK T1613 (Container and Resource Discovery)
    pub struct ForbiddenBurst {
        id: "AUD009",
        name: "forbidden-burst",
        severity: Medium,
        summary: "One subject was refused many requests within a minute",
        controls: ["mitre:T1613"],
        pss: None,
    }
}

impl Check for ForbiddenBurst {
    fn check_model(&self, _cx: &Context, model: &Model, scope: Scope, out: &mut Vec<(Arc<Anchor>, Violation)>) {
        if scope != Scope::Cluster {
            return;
        }
        // Each subject's refusals: when, what was asked, where the event is.
        type Refusal<'m> = (i64, &'m str, &'m Arc<Anchor>);
        let mut by_subject: BTreeMap<&str, Vec<Refusal>> = BTreeMap::new();
        for fact in model.audit().facts() {
            if let FactKind::Refused(what) = &fact.what {
                by_subject.entry(&fact.subject).or_default().push((fact.at_ms, what, &fact.anchor));
            }
        }
        for (subject, mut refusals) in by_subject {
            refusals.sort_by_key(|r| r.0);
            let mut start = 0;
            while start + THRESHOLD <= refusals.len() {
                if refusals[start + THRESHOLD - 1].0 - refusals[start].0 > WINDOW_MS {
                    start += 1;
                    continue;
                }
                // A burst: every refusal within the window of its first.
                let end = start + refusals[start..].iter().take_while(|r| r.0 - refusals[start].0 <= WINDOW_MS).count();
                let asked: BTreeSet<&str> = refusals[start..end].iter().map(|r| r.1).collect();
                let shown: Vec<&str> = asked.iter().take(5).copied().collect();
                let more = if asked.len() > 5 { format!(", and {} more", asked.len() - 5) } else { String::new() };
                let mut v = Violation::new(
                    FieldPath::root().keys(&["responseStatus", "code"]),
                    format!("{subject} was refused {} requests within {} s: {}{more}", end - start, WINDOW_MS / 1000, shown.join(", ")),
                );
                v.severity = Some(Severity::Medium);
                out.push((refusals[start].2.clone(), v));
                start = end;
            }
        }
    }
}
