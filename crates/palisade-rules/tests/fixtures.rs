//! The fixture harness: for every rule, `fixtures/<ID>/bad.yaml` must produce exactly the
//! findings its `# expect: <ID>` markers announce (line by line), and `good.yaml` none.
//! A finding a rule places in a host's file rather than the fixture (the kubelet's config
//! file, an sshd drop-in) is announced as `# expect: <ID> at <FILE>:<LINE>`.
//!
//! A rule that reads the policy file gets one beside its fixtures: `palisade.yaml` for both,
//! or `bad.palisade.yaml` / `good.palisade.yaml` for one side. Markers in a policy file
//! announce findings located in it (waiver problems). Rules the policy `select`s run too (a
//! waiver rule needs findings to waive), but only the fixture's rule's findings count.
//! Cross-object rules run too: each fixture file is a whole input.

use palisade_core::policy::Roster;
use palisade_analysis::model::Model;
use palisade_core::{Date, Policy};
use palisade_rules::engine::FRAMEWORKS;
use palisade_rules::{registry, Engine, Origin, Selection};
use palisade_source::{Document, Limits};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The day fixture waivers' expiry dates are judged against.
const TODAY: Date = Date { year: 2026, month: 6, day: 1 };

fn dir(id: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures").join(id)
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// (file, line, rule ID) for every `# expect: ID[, ID…]` marker.
fn expected(file: &str, text: &str) -> Vec<(String, u32, String)> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if let Some(pos) = line.find("# expect:") {
            for id in line[pos + "# expect:".len()..].split(',') {
                let place = id.split_once(" at ").and_then(|(id, at)| Some((id, at.trim().rsplit_once(':')?)));
                match place {
                    Some((id, (path, n))) => out.push((path.to_string(), n.parse().expect("`at FILE:LINE` marker"), id.trim().to_string())),
                    None => out.push((file.to_string(), i as u32 + 1, id.trim().to_string())),
                }
            }
        }
    }
    out
}

fn load_policy(path: &Path) -> Policy {
    let docs = Document::load_all(read(path).as_bytes(), &Limits::default());
    let root = &docs[0].as_ref().expect("fixture policies must be valid YAML").root;
    let policy = Policy::from_node(root, &registry::names_a_rule, FRAMEWORKS)
        .unwrap_or_else(|e| panic!("{}: {e:?}", path.display()));
    let mut policy = Policy { source: Some("palisade.yaml".into()), ..policy };
    // A roster named by the policy sits beside it (CSV here).
    if let Some(roster) = &policy.roster_path {
        let text = read(&path.parent().unwrap().join(roster));
        policy.settings.roster = Some(Arc::new(Roster::from_csv(&text).expect("fixture roster")));
    }
    policy
}

/// (file, line, rule ID) of every finding of the single rule `id` on `text`, with `policy`.
fn found(id: &str, text: &str, policy: Option<Policy>) -> Vec<(String, u32, String)> {
    let mut select = policy.as_ref().map(|p| p.select.clone()).unwrap_or_default();
    select.push(id.to_string());
    let sel = Selection { select, policy: policy.map(Arc::new), today: Some(TODAY), ..Selection::default() };
    let engine = Engine::new(&sel).unwrap();
    assert!(engine.rules().iter().any(|r| r.meta().id == id), "selecting {id} must run it");
    let mut findings = Vec::new();
    let mut model = Model::default();
    for (i, doc) in Document::load_all(text.as_bytes(), &Limits::default()).into_iter().enumerate() {
        let doc = doc.expect("fixtures must be valid YAML");
        assert!(doc.problems.is_empty(), "fixture problems: {:?}", doc.problems);
        let origin = Origin { file: "manifest".into(), document: i as u32 + 1, template: None };
        let outcome = engine.evaluate_root(&doc.root, &origin);
        findings.extend(outcome.findings);
        for (key, facts) in outcome.facts {
            model.apply(key, facts);
        }
    }
    findings.extend(engine.finish(&model).findings);
    let mut out: Vec<_> = findings
        .into_iter()
        .filter(|f| f.rule.id == id)
        .map(|f| {
            let l = f.location.expect("fixture findings are located");
            (l.file.to_string(), l.line, f.rule.id.to_string())
        })
        .collect();
    out.sort();
    out
}

#[test]
fn every_rule_matches_its_fixtures() {
    let mut failures = Vec::new();
    for rule in registry::all() {
        let id = rule.meta().id;
        for side in ["bad", "good"] {
            let manifest_path = dir(id).join(format!("{side}.yaml"));
            let manifest = read(&manifest_path);
            let policy_path = [format!("{side}.palisade.yaml"), "palisade.yaml".to_string()]
                .into_iter()
                .map(|n| dir(id).join(n))
                .find(|p| p.is_file());
            let mut want = expected("manifest", &manifest);
            if let Some(p) = &policy_path {
                want.extend(expected("palisade.yaml", &read(p)));
            }
            want.sort();
            let got = found(id, &manifest, policy_path.as_deref().map(load_policy));
            if side == "bad" {
                assert!(!want.is_empty(), "{}: no `# expect:` markers", manifest_path.display());
                assert!(want.iter().all(|(_, _, w)| w == id), "{}: markers must name {id}", manifest_path.display());
            } else {
                assert!(want.is_empty(), "{} (or its policy) must not have markers", manifest_path.display());
            }
            if got != want {
                failures.push(format!("{}:\n  expected {want:?}\n  found    {got:?}", manifest_path.display()));
            }
        }
    }
    assert!(failures.is_empty(), "fixture mismatches:\n{}", failures.join("\n"));
}
