//! The engine: which rules run (framework, `--select`, `--ignore`, PSS version and level,
//! with the Pod Security Admission override rules), evaluation of one document's root, the
//! policy's waivers and severity overrides, and the cross-object rules at the end of a scan.

use crate::check::{Rule, Scope};
use crate::registry;
use palisade_analysis::model::{self, Key, Model, ObjectFacts, Plan};
use palisade_core::policy::rule_ref_matches;
use palisade_core::{
    Anchor, Context, Date, FieldPath, Finding, InlineWaiver, Location, Node, Object, Policy, Pos,
    PssLevel, PssVersion, Subject, Suppression, Target, Violation,
};
use std::sync::Arc;

/// What the user asked to run.
#[derive(Clone, Debug, Default)]
pub struct Selection {
    /// `pss-baseline`, `pss-restricted`, or any framework prefix of the rules' controls.
    pub framework: Option<String>,
    /// Rule IDs, ID prefixes (`POD`) or names to run; empty means all.
    pub select: Vec<String>,
    /// Rule IDs, ID prefixes or names not to run.
    pub ignore: Vec<String>,
    pub version: Option<PssVersion>,
    /// The policy file's settings, severity overrides and waivers.
    pub policy: Option<Arc<Policy>>,
    /// The date waivers' expiry is judged against; today (UTC) when unset.
    pub today: Option<Date>,
    /// Where namespaced objects without `metadata.namespace` go (`-n`, as `kubectl apply -n`
    /// would put them); `default` when unset.
    pub namespace: Option<String>,
    /// User policies (Gatekeeper constraints, ValidatingAdmissionPolicy bindings), run
    /// beside the catalogue and selected like it (`gatekeeper:…`, `vap:…`).
    pub user_rules: Vec<&'static dyn Rule>,
}

/// The frameworks `--framework` accepts.
pub const FRAMEWORKS: &[&str] = &["pss-baseline", "pss-restricted", "cis-1.12", "nsa", "cncf", "mitre"];

/// The active rules and the context they run in.
pub struct Engine {
    rules: Vec<&'static dyn Rule>,
    cx: Context,
    /// Per policy waiver: how reports show it, or `None` when it has expired.
    waivers: Vec<Option<Arc<Suppression>>>,
    /// Which facts the active rules need in the model.
    plan: Plan,
    /// Where namespaced objects without a namespace are taken to be.
    namespace: String,
}

/// Where the document being evaluated comes from.
#[derive(Clone, Debug)]
pub struct Origin {
    pub file: Arc<str>,
    /// 1-based index of the document in the file.
    pub document: u32,
    /// For rendered Helm output, the chart template (`# Source:` comment).
    pub template: Option<Arc<str>>,
}

impl Origin {
    pub fn location(&self, pos: Pos) -> Location {
        Location { file: self.file.clone(), line: pos.line, column: pos.col, document: self.document, template: self.template.clone() }
    }
}

/// What one document's root (or the end of a scan) produced.
#[derive(Debug, Default)]
pub struct RootOutcome {
    pub objects: usize,
    pub findings: Vec<Finding>,
    /// Findings a waiver covers, with the waiver.
    pub suppressed: Vec<(Finding, Arc<Suppression>)>,
    /// Documents that are not objects: where, and why.
    pub skipped: Vec<(Pos, String)>,
    /// What each object contributes to the cross-object model.
    pub facts: Vec<(Key, ObjectFacts)>,
}

/// Where an object being judged sits: the path from its document's root to it (a `List`
/// item's `items[i]`, a review's `request.object`), its index among the items, and its
/// document (none for a live object).
#[derive(Clone, Copy)]
struct Place<'a> {
    prefix: Option<&'a FieldPath>,
    item: u32,
    origin: Option<&'a Origin>,
}

impl Place<'_> {
    /// A live object, on its own.
    const LIVE: Place<'static> = Place { prefix: None, item: 0, origin: None };
}

/// `--select`/`--ignore` patterns name rules as waivers do: ID, ID prefix, name, or control.
fn matches_pattern(rule: &dyn Rule, pattern: &str) -> bool {
    rule_ref_matches(pattern, rule.meta(), rule.meta().controls)
}

/// Today's date in UTC, from the system clock.
pub fn today_utc() -> Date {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    Date::from_unix_days(secs.div_euclid(86_400))
}

impl Engine {
    pub fn new(sel: &Selection) -> Result<Engine, String> {
        let version = sel.version.unwrap_or(PssVersion::LATEST);
        let level = match sel.framework.as_deref() {
            Some("pss-baseline") => PssLevel::Baseline,
            _ => PssLevel::Restricted,
        };
        if let Some(fw) = &sel.framework {
            if !FRAMEWORKS.contains(&fw.as_str()) {
                return Err(format!("unknown framework `{fw}` (expected one of: {})", FRAMEWORKS.join(", ")));
            }
        }
        let user_named = |pattern: &str| sel.user_rules.iter().any(|r| matches_pattern(*r, pattern));
        for pattern in sel.select.iter().chain(&sel.ignore) {
            let user_ref = palisade_core::rule::is_user_policy_ref(pattern);
            if user_ref && !user_named(pattern) {
                return Err(format!("`{pattern}` matches no loaded user policy (load them with --policies)"));
            }
            if !user_ref && !registry::names_a_rule(pattern) {
                return Err(format!("`{pattern}` matches no rule ID, ID prefix, name or control (see `palisade rules`)"));
            }
        }
        let in_framework = |r: &dyn Rule| -> bool {
            let meta = r.meta();
            match sel.framework.as_deref() {
                None => true,
                Some("pss-baseline") => meta.pss.is_some_and(|p| p.level == PssLevel::Baseline),
                Some("pss-restricted") => meta.pss.is_some(),
                Some(fw) => meta.controls.iter().any(|c| c.split(':').next() == Some(fw)),
            }
        };
        // PSS checks that exist at this version and level.
        let applies = |r: &dyn Rule| -> bool {
            match r.meta().pss {
                None => true,
                Some(p) => version.at_least(p.since) && (level == PssLevel::Restricted || p.level == PssLevel::Baseline),
            }
        };
        // User policies belong to no framework: loaded, they run whatever the framework,
        // unless --select/--ignore leave them out.
        let chosen: Vec<&'static dyn Rule> = registry::all()
            .iter()
            .copied()
            .filter(|r| in_framework(*r) && applies(*r))
            .chain(sel.user_rules.iter().copied())
            .filter(|r| sel.select.is_empty() || sel.select.iter().any(|p| matches_pattern(*r, p)))
            .filter(|r| !sel.ignore.iter().any(|p| matches_pattern(*r, p)))
            .collect();
        // A restricted check replaces the baseline checks it overrides, as Pod Security
        // Admission does (restricted checks are chosen only at the restricted level); a rule
        // whose findings other running rules already report does not run, unless named.
        let overridden: Vec<&str> =
            chosen.iter().filter_map(|r| r.meta().pss).flat_map(|p| p.overrides.iter().copied()).collect();
        let ids: Vec<&str> = chosen.iter().map(|r| r.meta().id).collect();
        let named = |r: &dyn Rule| sel.select.iter().any(|p| p.trim().eq_ignore_ascii_case(r.meta().id) || p.trim() == r.meta().name);
        let rules: Vec<&'static dyn Rule> = chosen
            .iter()
            .copied()
            .filter(|r| !r.meta().pss.is_some_and(|p| overridden.contains(&p.check_id)))
            .filter(|r| {
                let covered = r.meta().redundant_with;
                named(*r) || covered.is_empty() || !covered.iter().all(|id| ids.contains(id))
            })
            .collect();
        if rules.is_empty() {
            return Err(format!(
                "no rule left to run at {version} with this --framework/--select/--ignore (see `palisade rules`)"
            ));
        }
        // The policy file is judged whatever the selection: its expired, stale and invalid
        // waivers are reported unless those rules are ignored by name.
        let mut rules = rules;
        for rule in registry::all().iter().copied().filter(|r| r.meta().id.starts_with("POL")) {
            if !rules.iter().any(|r| r.meta().id == rule.meta().id) && !sel.ignore.iter().any(|p| matches_pattern(rule, p)) {
                rules.push(rule);
            }
        }
        let policy = sel.policy.clone().unwrap_or_default();
        let today = sel.today.unwrap_or_else(today_utc);
        let waivers = policy
            .waivers
            .iter()
            .map(|w| (w.expires >= today).then(|| Arc::new(w.suppression(policy.source.as_ref()))))
            .collect();
        // Who reads a Secret in an audit log is judged against the workloads that mount it.
        let audit_readers = rules.iter().any(|r| r.meta().id == "AUD008");
        let plan = Plan {
            network: rules.iter().any(|r| r.meta().id.starts_with("NET")),
            secret_reads: policy.settings.require_vault || audit_readers,
            rbac_queries: audit_readers,
        };
        let active = rules.iter().map(|r| r.meta()).collect();
        let namespace = sel.namespace.clone().unwrap_or_else(|| "default".into());
        Ok(Engine { rules, cx: Context { version, level, policy, today, active }, waivers, plan, namespace })
    }

    pub fn rules(&self) -> &[&'static dyn Rule] {
        &self.rules
    }

    /// Keeps every fact in the model, whatever the rules need (the HTML report's views read
    /// the network, the Secrets and who reads them).
    pub fn model_everything(&mut self) {
        self.plan = Plan::ALL;
    }

    /// Reads no network facts (pods' selectors and ports, NetworkPolicies), whatever the
    /// rules are: an audit log's judge, for which what a request created is a fragment, not
    /// a cluster's network (`palisade::audit`).
    pub fn model_no_network(&mut self) {
        self.plan.network = false;
    }

    /// The index of the policy waiver a suppression stands for (`None` for inline waivers).
    pub fn waiver_index(&self, suppression: &Arc<Suppression>) -> Option<usize> {
        self.waivers.iter().position(|w| w.as_ref().is_some_and(|w| Arc::ptr_eq(w, suppression)))
    }

    /// Where namespaced objects without a namespace are taken to be.
    pub fn namespace(&self) -> &str {
        &self.namespace
    }

    /// The policy the engine judges with.
    pub fn policy(&self) -> &Policy {
        &self.cx.policy
    }

    /// Makes a finding with the policy's severity override, and files it under `findings` or,
    /// when a waiver covers it, under `suppressed`.
    fn file(&self, rule: &'static dyn Rule, object: Arc<palisade_core::ObjectRef>, v: Violation, location: Option<Location>,
            subject: &Subject, outcome: &mut RootOutcome) {
        let mut finding = Finding::new(rule.meta(), object, v);
        finding.severity = self.cx.policy.severity_for(finding.rule, &finding.controls, finding.severity);
        if finding.location.is_none() {
            finding.location = location;
        }
        if let Some(w) = subject.inline.filter(|w| w.covers(finding.rule, &finding.controls)) {
            outcome.suppressed.push((finding, Arc::new(w.suppression())));
            return;
        }
        let policy = &self.cx.policy;
        let waiver = policy.waivers.iter().zip(&self.waivers).find_map(|(w, active)| {
            let active = active.as_ref()?;
            w.covers(finding.rule, &finding.controls, subject).then(|| {
                w.record_use();
                active.clone()
            })
        });
        match waiver {
            Some(w) => outcome.suppressed.push((finding, w)),
            None => outcome.findings.push(finding),
        }
    }

    /// Runs every active rule on the object at `node`; each finding is located at its field
    /// (or nearest existing parent) in `node`, and its path gets `prefix`. An object a request
    /// deletes is judged by user policies only (built-in rules judge what is created).
    fn evaluate(&self, object: Object, node: &Node, place: Place, request: Option<&palisade_core::Request>, outcome: &mut RootOutcome) {
        let Place { prefix, item, origin } = place;
        let metadata = node.get("metadata");
        let labels = metadata.and_then(|m| m.field("labels"));
        let inline = InlineWaiver::of(metadata);
        let subject = Subject { kind: object.kind, namespace: object.namespace, name: object.name, labels, inline: inline.as_ref() };
        let mut target = Target::new(object);
        target.request = request;
        let deleted = request.is_some_and(palisade_core::Request::is_delete);
        if !deleted {
            let key = Key { object: target.reference(), origin: origin.map(|o| (o.file.clone(), o.document, item)) };
            let facts = self.read_facts(&target, node, prefix, origin, &subject);
            outcome.facts.push((key, facts));
        }
        let mut violations: Vec<Violation> = Vec::new();
        for rule in self.rules.iter().filter(|r| !deleted || palisade_core::rule::is_user_policy_ref(r.meta().id)) {
            rule.check(&self.cx, &target, &mut violations);
            for mut v in violations.drain(..) {
                let (pos, _) = v.path.locate(node);
                if let Some(prefix) = prefix {
                    v.path = prefix.join(&v.path);
                }
                self.file(*rule, target.reference(), v, origin.map(|o| o.location(pos)), &subject, outcome);
            }
        }
    }

    /// Evaluates the root of one document: an object, or a `List`/`*List` whose items are
    /// objects. Findings in list items carry paths from the document root (`items[3].spec…`).
    pub fn evaluate_root(&self, root: &Node, origin: &Origin) -> RootOutcome {
        let mut outcome = RootOutcome::default();
        let object = match Object::from_node(root) {
            Ok(o) => o,
            Err(reason) => {
                outcome.skipped.push((root.pos, reason));
                return outcome;
            }
        };
        if object.kind == "AdmissionReview" && object.api_version.starts_with("admission.k8s.io/") {
            self.evaluate_review(root, origin, &mut outcome);
        } else if object.is_list() {
            let items = root.get("items").map(Node::items).unwrap_or(&[]);
            for (i, item) in items.iter().enumerate() {
                let prefix = FieldPath::root().key("items").index(i);
                self.evaluate_one(item, Place { prefix: Some(&prefix), item: i as u32, origin: Some(origin) }, &mut outcome);
            }
        } else {
            self.evaluate_one(root, Place { origin: Some(origin), ..Place::LIVE }, &mut outcome);
        }
        outcome
    }

    /// Evaluates item `index` of a `List` document's `items`, handed over on its own (see
    /// `palisade_source::Loaded::Item`); paths and skips read `items[index]…`.
    pub fn evaluate_list_item(&self, node: &Node, index: usize, origin: &Origin) -> RootOutcome {
        let mut outcome = RootOutcome::default();
        self.evaluate_one(node, Place { prefix: Some(&FieldPath::root().key("items").index(index)), item: index as u32, origin: Some(origin) }, &mut outcome);
        outcome
    }

    /// Evaluates one live object (from an API server, a watch event or an admission request):
    /// findings carry the object and field path, and no file location.
    pub fn evaluate_live(&self, node: &Node) -> RootOutcome {
        let mut outcome = RootOutcome::default();
        self.evaluate_one(node, Place::LIVE, &mut outcome);
        outcome
    }

    /// An `AdmissionReview` document is judged as its request: the object (or, for a DELETE,
    /// the object removed) with the operation, the old object and who asks; findings carry
    /// paths from the document (`request.object.spec…`).
    fn evaluate_review(&self, root: &Node, origin: &Origin, outcome: &mut RootOutcome) {
        let Some(request_node) = root.get("request").filter(|r| r.is_map()) else {
            outcome.skipped.push((root.pos, "an AdmissionReview without a `request`".into()));
            return;
        };
        let request = palisade_core::Request::from_review(request_node);
        let (key, node) = match request_node.get("object").filter(|o| o.is_map()) {
            Some(o) => ("object", o),
            None => match request_node.get("oldObject").filter(|o| o.is_map()) {
                Some(o) => ("oldObject", o),
                None => {
                    outcome.skipped.push((request_node.pos, "an AdmissionReview whose request has no `object` or `oldObject`".into()));
                    return;
                }
            },
        };
        let prefix = FieldPath::root().key("request").key(key);
        self.evaluate_request(node, &request, Some(&prefix), Some(origin), outcome);
    }

    /// Evaluates an object as it arrives in an admission request (see [`Self::evaluate`]).
    pub fn evaluate_request(&self, node: &Node, request: &palisade_core::Request, prefix: Option<&FieldPath>, origin: Option<&Origin>, outcome: &mut RootOutcome) {
        match Object::from_node(node) {
            Err(reason) => outcome.skipped.push((node.pos, reason)),
            Ok(object) => {
                outcome.objects += 1;
                let namespace = request.namespace.as_deref().unwrap_or(&self.namespace);
                self.evaluate(object.in_namespace(namespace), node, Place { prefix, item: 0, origin }, Some(request), outcome);
            }
        }
    }

    fn evaluate_one(&self, node: &Node, place: Place, outcome: &mut RootOutcome) {
        match Object::from_node(node) {
            Err(reason) => {
                let what = place.prefix.map(|p| format!("{p}: ")).unwrap_or_default();
                outcome.skipped.push((node.pos, format!("{what}{reason}")));
            }
            Ok(object) => {
                outcome.objects += 1;
                self.evaluate(object.in_namespace(&self.namespace), node, place, None, outcome);
            }
        }
    }

    /// What the object contributes to the model; its cross-object findings are anchored in
    /// `origin` (live objects have none).
    pub(crate) fn read_facts(&self, target: &Target, node: &Node, prefix: Option<&FieldPath>, origin: Option<&Origin>, subject: &Subject) -> ObjectFacts {
        let location = |path: &FieldPath| origin.map(|o| o.location(path.locate(node).0));
        let anchor = |path: &FieldPath| {
            Arc::new(Anchor {
                object: target.reference(),
                location: location(path),
                labels: subject.labels.cloned(),
                inline: subject.inline.cloned(),
            })
        };
        model::read(&self.plan, &target.object, node, target.pod.as_ref(), prefix, &anchor, &location)
    }

    /// Runs the cross-object rules on the model of the whole input, scope by scope (call
    /// once, after every document has been evaluated, so waiver use is complete).
    pub fn finish(&self, model: &Model) -> RootOutcome {
        let mut outcome = RootOutcome::default();
        let scopes = model.scopes();
        for scope in scopes.scopes.iter().map(|s| Scope::of(s.as_deref())) {
            self.check_scope(model, scope, None, &mut outcome);
        }
        self.check_scope(model, Scope::Policy, None, &mut outcome);
        outcome
    }

    /// Runs the cross-object rules on one scope of the model: all of them, or only those
    /// that look (`Some(true)`) or do not look (`Some(false)`) into other namespaces.
    pub(crate) fn check_scope(&self, model: &Model, scope: Scope, crossing: Option<bool>, outcome: &mut RootOutcome) {
        let mut violations = Vec::new();
        for rule in self.rules.iter().filter(|r| crossing.is_none_or(|c| r.crosses_namespaces() == c)) {
            rule.check_model(&self.cx, model, scope, &mut violations);
            for (anchor, v) in violations.drain(..) {
                let o = &anchor.object;
                let subject = Subject {
                    kind: &o.kind,
                    namespace: o.namespace.as_deref(),
                    name: &o.name,
                    labels: anchor.labels.as_ref(),
                    inline: anchor.inline.as_ref(),
                };
                self.file(*rule, o.clone(), v, anchor.location.clone(), &subject, outcome);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The rules a selection runs, without the policy-file rules that always run.
    fn ids(sel: Selection) -> Vec<&'static str> {
        Engine::new(&sel).unwrap().rules().iter().map(|r| r.meta().id).filter(|id| !id.starts_with("POL")).collect()
    }

    #[test]
    fn policy_file_rules_run_whatever_the_selection_unless_ignored() {
        let pol = |sel: Selection| -> Vec<&'static str> {
            Engine::new(&sel).unwrap().rules().iter().map(|r| r.meta().id).filter(|id| id.starts_with("POL")).collect()
        };
        assert_eq!(pol(Selection { framework: Some("pss-baseline".into()), ..Selection::default() }), ["POL001", "POL002", "POL003"]);
        assert_eq!(pol(Selection { select: vec!["POD001".into()], ..Selection::default() }), ["POL001", "POL002", "POL003"]);
        assert_eq!(pol(Selection { select: vec!["POD001".into()], ignore: vec!["POL002".into()], ..Selection::default() }), ["POL001", "POL003"]);
    }

    #[test]
    fn restricted_level_applies_psa_overrides() {
        let all = ids(Selection::default());
        for replaced in ["POD003", "POD004", "POD008", "POD009"] {
            assert!(!all.contains(&replaced), "{replaced} is overridden at the restricted level");
        }
        let pss = Engine::new(&Selection { framework: Some("pss-restricted".into()), ..Selection::default() }).unwrap();
        assert_eq!(pss.rules().iter().filter(|r| !r.meta().id.starts_with("POL")).count(), 15);
    }

    #[test]
    fn redundant_rules_run_only_when_what_covers_them_does_not() {
        let all = ids(Selection::default());
        assert!(!all.contains(&"POD020") && !all.contains(&"POD028"), "covered by POD015+POD016 and POD018");
        let without = ids(Selection { ignore: vec!["POD016".into()], ..Selection::default() });
        assert!(without.contains(&"POD020"));
        assert!(ids(Selection { framework: Some("cis-1.12".into()), ignore: vec!["POD018".into()], ..Selection::default() }).contains(&"POD028"));
        assert_eq!(ids(Selection { select: vec!["POD020".into()], ..Selection::default() }), ["POD020"]);
    }

    #[test]
    fn baseline_framework_runs_the_twelve_baseline_checks() {
        let ids = ids(Selection { framework: Some("pss-baseline".into()), ..Selection::default() });
        assert_eq!(ids.len(), 12);
        assert!(ids.iter().all(|id| *id <= "POD012"));
    }

    #[test]
    fn selecting_a_baseline_rule_runs_it_even_at_restricted_level() {
        assert_eq!(ids(Selection { select: vec!["POD003".into()], ..Selection::default() }), ["POD003"]);
        // …and ignoring the overriding rule brings the baseline one back.
        let without = ids(Selection { ignore: vec!["POD013".into()], ..Selection::default() });
        assert!(without.contains(&"POD004") && !without.contains(&"POD013"));
    }

    #[test]
    fn versions_gate_checks() {
        let at = |v: u16| ids(Selection { version: Some(PssVersion(v)), ..Selection::default() });
        assert!(!at(33).contains(&"POD012") && at(34).contains(&"POD012"));
        assert!(!at(34).contains(&"POD019") && at(35).contains(&"POD019"));
        assert!(at(34).contains(&"POD008"), "before v1.35 the baseline procMount check runs at restricted");
        assert!(!at(22).contains(&"POD016") && at(23).contains(&"POD016"));
        assert!(at(21).contains(&"POD003") && !at(22).contains(&"POD003"));
        assert!(at(18).contains(&"POD009") && !at(18).contains(&"POD017"));
        assert!(!at(7).contains(&"POD014"));
    }

    #[test]
    fn select_by_prefix_and_name_and_reject_unknown() {
        assert_eq!(ids(Selection { select: vec!["POD01".into()], ..Selection::default() }).len(), 10);
        assert_eq!(ids(Selection { select: vec!["privileged-container".into()], ..Selection::default() }), ["POD001"]);
        assert!(Engine::new(&Selection { select: vec!["XYZ".into()], ..Selection::default() }).is_err());
        assert!(Engine::new(&Selection { framework: Some("pci".into()), ..Selection::default() }).is_err());
        let too_old = Selection { select: vec!["POD012".into()], version: Some(PssVersion(30)), ..Selection::default() };
        assert!(Engine::new(&too_old).err().unwrap().contains("no rule left"), "an empty selection is an error");
    }
}
