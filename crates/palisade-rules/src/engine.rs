//! The engine: which rules run (framework, `--select`, `--ignore`, PSS version and level,
//! with the Pod Security Admission override rules), and evaluation of one document's root.

use crate::registry;
use palisade_core::{
    Context, FieldPath, Finding, Node, Object, Pos, PssLevel, PssVersion, Rule, Target, Violation,
};

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
}

/// The frameworks `--framework` accepts.
pub const FRAMEWORKS: &[&str] = &["pss-baseline", "pss-restricted", "cis-1.12", "mitre"];

/// The active rules and the context they run in.
pub struct Engine {
    rules: Vec<&'static dyn Rule>,
    cx: Context,
}

/// What one document's root held: objects evaluated, findings, documents skipped and why.
#[derive(Debug, Default)]
pub struct RootOutcome {
    pub objects: usize,
    pub findings: Vec<(Finding, Pos)>,
    pub skipped: Vec<(Pos, String)>,
}

fn matches_pattern(rule: &dyn Rule, pattern: &str) -> bool {
    let meta = rule.meta();
    let p = pattern.trim();
    meta.name == p || (!p.is_empty() && meta.id.len() >= p.len() && meta.id[..p.len()].eq_ignore_ascii_case(p))
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
        for pattern in sel.select.iter().chain(&sel.ignore) {
            if !registry::all().iter().any(|r| matches_pattern(*r, pattern)) {
                return Err(format!("`{pattern}` matches no rule ID, ID prefix or name (see `palisade rules`)"));
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
        let chosen: Vec<&'static dyn Rule> = registry::all()
            .iter()
            .copied()
            .filter(|r| in_framework(*r) && applies(*r))
            .filter(|r| sel.select.is_empty() || sel.select.iter().any(|p| matches_pattern(*r, p)))
            .filter(|r| !sel.ignore.iter().any(|p| matches_pattern(*r, p)))
            .collect();
        // A restricted check replaces the baseline checks it overrides, as Pod Security
        // Admission does (restricted checks are chosen only at the restricted level).
        let overridden: Vec<&str> =
            chosen.iter().filter_map(|r| r.meta().pss).flat_map(|p| p.overrides.iter().copied()).collect();
        let rules: Vec<&'static dyn Rule> = chosen
            .into_iter()
            .filter(|r| !r.meta().pss.is_some_and(|p| overridden.contains(&p.check_id)))
            .collect();
        if rules.is_empty() {
            return Err(format!(
                "no rule left to run at {version} with this --framework/--select/--ignore (see `palisade rules`)"
            ));
        }
        Ok(Engine { rules, cx: Context { version, level } })
    }

    pub fn rules(&self) -> &[&'static dyn Rule] {
        &self.rules
    }

    /// Runs every active rule on the object at `node`; each finding comes with the position
    /// of its field (or nearest existing parent) in `node`, and its path gets `prefix`.
    fn evaluate(&self, object: Object, node: &Node, prefix: Option<&FieldPath>, out: &mut Vec<(Finding, Pos)>) {
        let target = Target::new(object);
        let mut violations: Vec<Violation> = Vec::new();
        for rule in &self.rules {
            rule.check(&self.cx, &target, &mut violations);
            for mut v in violations.drain(..) {
                let (pos, _) = v.path.locate(node);
                if let Some(prefix) = prefix {
                    v.path = prefix.join(&v.path);
                }
                out.push((Finding::new(rule.meta(), target.reference(), v), pos));
            }
        }
    }

    /// Evaluates the root of one document: an object, or a `List`/`*List` whose items are
    /// objects. Each finding comes with the position of its field (or nearest existing parent);
    /// findings in list items carry paths from the document root (`items[3].spec…`).
    pub fn evaluate_root(&self, root: &Node) -> RootOutcome {
        let mut outcome = RootOutcome::default();
        let object = match Object::from_node(root) {
            Ok(o) => o,
            Err(reason) => {
                outcome.skipped.push((root.pos, reason));
                return outcome;
            }
        };
        if object.is_list() {
            let items = root.get("items").map(Node::items).unwrap_or(&[]);
            for (i, item) in items.iter().enumerate() {
                let prefix = FieldPath::root().key("items").index(i);
                self.evaluate_one(item, Some(&prefix), &mut outcome);
            }
        } else {
            self.evaluate_one(root, None, &mut outcome);
        }
        outcome
    }

    /// Evaluates item `index` of a `List` document's `items`, handed over on its own (see
    /// `palisade_source::Loaded::Item`); paths and skips read `items[index]…`.
    pub fn evaluate_list_item(&self, node: &Node, index: usize) -> RootOutcome {
        let mut outcome = RootOutcome::default();
        self.evaluate_one(node, Some(&FieldPath::root().key("items").index(index)), &mut outcome);
        outcome
    }

    fn evaluate_one(&self, node: &Node, prefix: Option<&FieldPath>, outcome: &mut RootOutcome) {
        match Object::from_node(node) {
            Err(reason) => {
                let what = prefix.map(|p| format!("{p}: ")).unwrap_or_default();
                outcome.skipped.push((node.pos, format!("{what}{reason}")));
            }
            Ok(object) => {
                outcome.objects += 1;
                self.evaluate(object, node, prefix, &mut outcome.findings);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(sel: Selection) -> Vec<&'static str> {
        Engine::new(&sel).unwrap().rules().iter().map(|r| r.meta().id).collect()
    }

    #[test]
    fn restricted_level_applies_psa_overrides() {
        let all = ids(Selection::default());
        for replaced in ["POD003", "POD004", "POD008", "POD009"] {
            assert!(!all.contains(&replaced), "{replaced} is overridden at the restricted level");
        }
        assert_eq!(all.len(), 15);
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
