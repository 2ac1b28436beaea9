//! The compliance catalogues agree with the rules: every control a rule names exists, every
//! automated control has rules, no manual control has any, and CIS §5 is complete.

use palisade_rules::frameworks::{framework, rules_for, Decided, COMPLIANCE_FRAMEWORKS};
use palisade_rules::registry;

#[test]
fn catalogues_and_rule_mappings_agree() {
    for name in COMPLIANCE_FRAMEWORKS {
        let fw = framework(name).unwrap();
        let mut ids: Vec<&str> = fw.controls.iter().map(|c| c.id).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), fw.controls.len(), "{name}: duplicate control");
        for c in &fw.controls {
            let rules = rules_for(name, c.id);
            match c.decided {
                Decided::Automated(_) => assert!(!rules.is_empty(), "{name}:{} is automated but no rule decides it", c.id),
                Decided::Manual(why) => {
                    assert!(rules.is_empty(), "{name}:{} is manual, yet {:?} map to it", c.id, rules.iter().map(|r| r.id).collect::<Vec<_>>());
                    assert!(!why.is_empty());
                }
            }
        }
        // Every reference a rule makes into this framework names a control of it.
        for rule in registry::all() {
            for control in rule.meta().controls {
                if let Some(id) = control.strip_prefix(&format!("{name}:")) {
                    assert!(ids.contains(&id), "{} maps to {control}, which {name} does not have", rule.meta().id);
                }
            }
        }
    }
}

#[test]
fn cis_control_plane_and_section_5_are_complete_and_mostly_automated() {
    let cis = framework("cis-1.12").unwrap();
    // The benchmark's checks: §1.1–1.4 (master.yaml), §2 (etcd.yaml), §3.2 (controlplane.yaml),
    // §4.1–4.2 (node.yaml) and §5 (policies.yaml), in order (see ../shared/corpus/cis/cis-1.12/).
    let ids_of = |file: &str, keep: &dyn Fn(&str) -> bool| -> Vec<String> {
        let path = format!("{}/../../../shared/corpus/cis/cis-1.12/{file}", env!("CARGO_MANIFEST_DIR"));
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("the CIS checks are needed at {path}: {e}"));
        text.lines().filter_map(|l| l.trim().strip_prefix("- id: ")).map(|id| id.trim_matches('"').to_string()).filter(|id| keep(id)).collect()
    };
    let mut benchmark = ids_of("master.yaml", &|id| ["1.1.", "1.2.", "1.3.", "1.4."].iter().any(|p| id.starts_with(p)));
    benchmark.extend(ids_of("etcd.yaml", &|id| id.starts_with("2.")));
    benchmark.extend(ids_of("controlplane.yaml", &|id| id.starts_with("3.") && id.matches('.').count() == 2));
    benchmark.extend(ids_of("node.yaml", &|id| id.starts_with("4.") && id.matches('.').count() == 2));
    benchmark.extend(ids_of("policies.yaml", &|id| id.matches('.').count() == 2));
    let ours: Vec<&str> = cis.controls.iter().map(|c| c.id).collect();
    assert_eq!(ours, benchmark, "the catalogue lists the benchmark's checks in order");
    assert_eq!(cis.controls.len(), 97 + 34, "§1–§4 (97 checks, as kube-bench lists them) and §5");
    let automated = cis.controls.iter().filter(|c| matches!(c.decided, Decided::Automated(_))).count();
    assert_eq!(automated, 19 + 45 + 21 + 32, "all but 1.1.9 and 1.1.10 (CNI files), 3.1.1–3.1.3 (who logs in how), 4.2.7, 4.2.8 and 4.2.11 (kubelet judgements), 4.3.1 (kube-proxy), 1.2.20 (timeouts), 3.2.2 (the audit policy file), 2.7 (a CA comparison), 5.3.1 (the CNI) and 5.5.1 (API server admission config)");
    assert_eq!(framework("pss-restricted").unwrap().controls.len(), 19);
    assert_eq!(framework("pss-baseline").unwrap().controls.len(), 12);
}
