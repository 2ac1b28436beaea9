//! Audit events through the engine, for `palisade audit-log` (a file, standard input, or a
//! followed log) and the audit webhook of `palisade serve`: each event's own detections and
//! its request object's findings as it arrives, and the detections across events (bursts of
//! refusals, Secrets read by strangers) from the model's audit trail.
//!
//! Each event stands alone as far as the rest of the model goes: what a request created is
//! not a cluster's state to analyse across objects (its NetworkPolicy and namespace verdicts
//! would be about a fragment), so of a request object the model keeps only the
//! ServiceAccount its pods run as and the Secrets they use, which tell the Secret readers'
//! rule whose reads are expected.

use palisade_analysis::model::{Key, Model, ObjectFacts};
use palisade_core::{Anchor, Finding, Location, Suppression};
use palisade_rules::{Engine, RootOutcome};
use palisade_source::audit::Event;
use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;

/// How much of the trail a stream (a followed log, the audit webhook) keeps: ten minutes of
/// events.
pub const STREAM_WINDOW_MS: i64 = 10 * 60 * 1000;

/// What judging one event, or the trail, found.
#[derive(Debug, Default)]
pub struct Judged {
    pub findings: Vec<Finding>,
    pub suppressed: Vec<(Finding, Arc<Suppression>)>,
}

/// The audit judge: the engine, and the model's audit trail.
pub struct AuditJudge<'e> {
    engine: &'e Engine,
    model: Model,
    /// Kinds of the objects judged (events and request objects), with how many of each.
    pub kinds: BTreeMap<String, usize>,
    /// Detections across events already handed out by [`AuditJudge::new_across`].
    reported: HashSet<(&'static str, Arc<str>)>,
    /// (namespace, ServiceAccount, Secret) of the workloads kept in the model.
    uses: HashSet<(String, String, String)>,
}

/// The auditID a finding is about, for findings on an audit event.
fn event_id(f: &Finding) -> Option<Arc<str>> {
    (f.object.kind == "Event" && f.object.api_version == "audit.k8s.io/v1").then(|| Arc::from(f.object.name.as_str()))
}

impl<'e> AuditJudge<'e> {
    pub fn new(engine: &'e Engine) -> AuditJudge<'e> {
        AuditJudge { engine, model: Model::default(), kinds: BTreeMap::new(), reported: HashSet::new(), uses: HashSet::new() }
    }

    /// Judges `event`, found at `at` (in a file; a webhook's events are nowhere): its detections and its request object's findings, each
    /// placed at the event and carrying its auditID; what it tells across events goes to the
    /// trail.
    pub fn judge(&mut self, event: &Event, at: Option<&Location>) -> Judged {
        let id: Arc<str> = event.object.get_path(&["metadata", "name"]).and_then(palisade_core::Node::as_str).unwrap_or("").into();
        let mut judged = Judged::default();
        let place = |mut f: Finding| {
            f.location = f.location.or_else(|| at.cloned());
            f.event = Some(id.clone());
            f
        };
        for object in std::iter::once(&event.object).chain(event.request_object.as_ref()) {
            let outcome = self.engine.evaluate_live(object);
            judged.findings.extend(outcome.findings.into_iter().map(place));
            judged.suppressed.extend(outcome.suppressed.into_iter().map(|(f, w)| (place(f), w)));
            for (key, facts) in outcome.facts {
                match self.kinds.get_mut(key.object.kind.as_str()) {
                    Some(n) => *n += 1,
                    None => {
                        self.kinds.insert(key.object.kind.clone(), 1);
                    }
                }
                self.keep(key, facts, at);
            }
        }
        judged
    }

    /// Keeps what crosses events of an object's facts: an event's fact, and which Secrets a
    /// created workload's ServiceAccount uses — once per ServiceAccount and Secret, so that
    /// the model grows with the cluster's accounts, not with every pod created.
    fn keep(&mut self, key: Key, facts: ObjectFacts, at: Option<&Location>) {
        if let Some(account) = &facts.runs_as {
            let fresh = facts.secret_reads.iter().filter(|r| self.uses.insert((account.namespace.clone(), account.service_account.clone(), r.secret.clone()))).count();
            if fresh == 0 {
                return;
            }
        }
        let audit = facts.audit.map(|mut fact| {
            let anchor = &fact.anchor;
            fact.anchor = Arc::new(Anchor { object: anchor.object.clone(), location: at.cloned(), labels: anchor.labels.clone(), inline: anchor.inline.clone() });
            fact
        });
        if audit.is_none() && facts.runs_as.is_none() {
            return;
        }
        let kept = ObjectFacts { kind: facts.kind, audit, runs_as: facts.runs_as, secret_reads: facts.secret_reads, ..ObjectFacts::default() };
        self.model.load(key, kept);
    }

    /// Every detection across the events judged so far.
    pub fn across(&self) -> Judged {
        let RootOutcome { findings, suppressed, .. } = self.engine.finish(&self.model);
        let place = |mut f: Finding| {
            f.event = event_id(&f);
            f
        };
        Judged { findings: findings.into_iter().map(place).collect(), suppressed: suppressed.into_iter().map(|(f, w)| (place(f), w)).collect() }
    }

    /// The detections across events not handed out before (a stream's view: each burst and
    /// each stranger's first read once), waived ones left out. Only audit detections: what
    /// the policy file's rules say (stale waivers) belongs to the end of a whole run.
    pub fn new_across(&mut self) -> Vec<Finding> {
        if self.model.audit().is_empty() {
            return Vec::new();
        }
        let across = self.across().findings;
        across.into_iter().filter(|f| f.rule.id.starts_with("AUD") && self.reported.insert((f.rule.id, f.event.clone().unwrap_or_else(|| Arc::from(""))))).collect()
    }

    /// Forgets the trail's facts more than `window_ms` (in a stream, [`STREAM_WINDOW_MS`])
    /// older than its newest (a stream
    /// keeps a window of events, not its whole history).
    pub fn forget_window(&mut self, window_ms: i64) {
        let Some(newest) = self.model.audit().facts().map(|f| f.at_ms).max() else { return };
        for key in self.model.audit().older_than(newest - window_ms) {
            self.model.remove(&key);
        }
    }
}

/// A detection as a stream writes it, stamped now (`palisade_report::stream`).
pub fn detection_line(f: &Finding, json: bool) -> String {
    palisade_report::stream::event_line("detected", &palisade_core::clock::rfc3339(std::time::SystemTime::now()), f, json)
}
