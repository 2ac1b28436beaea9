//! Meta-tests: IDs and names unique and well-formed, every doc complete, fixtures present,
//! and `docs/rules/` identical to what the metadata generates.

use palisade_rules::{docs, registry};
use std::collections::HashSet;
use std::path::PathBuf;

const SECTIONS: &[&str] = &["What it does", "Why is this bad?", "Example", "Remediation", "References"];

fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

#[test]
fn ids_and_names_are_unique_and_well_formed() {
    let mut ids = HashSet::new();
    let mut names = HashSet::new();
    for rule in registry::all() {
        let m = rule.meta();
        assert!(ids.insert(m.id), "duplicate ID {}", m.id);
        assert!(names.insert(m.name), "duplicate name {}", m.name);
        let (prefix, digits) = m.id.split_at(m.id.len() - 3);
        assert!(prefix.len() >= 2 && prefix.chars().all(|c| c.is_ascii_uppercase()), "{}", m.id);
        assert!(digits.chars().all(|c| c.is_ascii_digit()), "{}", m.id);
        assert!(m.name.chars().all(|c| c.is_ascii_lowercase() || c == '-'), "{} is not kebab-case", m.name);
        assert!(m.controls.iter().all(|c| c.split_once(':').is_some_and(|(a, b)| !a.is_empty() && !b.is_empty())));
        if let Some(p) = m.pss {
            assert!(m.controls.contains(&p.control().as_str()), "{} must carry {}", m.id, p.control());
        }
    }
}

#[test]
fn every_doc_has_the_sections_in_order_and_an_example_pair() {
    for rule in registry::all() {
        let m = rule.meta();
        let md = m.markdown();
        let mut last = 0;
        for s in SECTIONS {
            let at = md.find(&format!("## {s}\n")).unwrap_or_else(|| panic!("{}: no `## {s}` section", m.id));
            assert!(at >= last, "{}: `## {s}` out of order", m.id);
            last = at;
        }
        let example = m.doc_section("Example").unwrap();
        assert_eq!(example.matches("```yaml").count(), 2, "{}: Example needs bad then good YAML", m.id);
        assert!(example.contains("Use instead:"), "{}", m.id);
        assert!(!m.remediation().is_empty(), "{}: empty remediation", m.id);
    }
}

#[test]
fn every_rule_has_fixtures() {
    for rule in registry::all() {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures").join(rule.meta().id);
        for f in ["bad.yaml", "good.yaml"] {
            assert!(dir.join(f).is_file(), "missing {}", dir.join(f).display());
        }
    }
}

#[test]
fn every_rule_family_has_a_layer() {
    for rule in registry::all() {
        let id = rule.meta().id;
        let layer = palisade_core::rule::layer_of(id).unwrap_or_else(|| panic!("{id}: its family has no layer in palisade_core::rule::layer_of"));
        assert!(palisade_core::rule::LAYERS.contains(&layer), "{id}: {layer}");
    }
}

#[test]
fn generated_docs_are_up_to_date() {
    let dir = repo_root().join("docs/rules");
    let bless = std::env::var_os("PALISADE_BLESS").is_some();
    let mut expected: Vec<(PathBuf, String)> =
        registry::all().iter().map(|r| (dir.join(format!("{}.md", r.meta().id)), docs::rule_page(r.meta()))).collect();
    expected.push((dir.join("README.md"), docs::index_page()));
    let mut stale = Vec::new();
    for (path, text) in &expected {
        if bless {
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(path, text).unwrap();
        } else if std::fs::read_to_string(path).ok().as_deref() != Some(text.as_str()) {
            stale.push(path.display().to_string());
        }
    }
    let known: HashSet<_> = expected.iter().map(|(p, _)| p.file_name().unwrap().to_owned()).collect();
    for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
        if !known.contains(&entry.file_name()) {
            stale.push(format!("{} (no such rule)", entry.path().display()));
        }
    }
    assert!(
        stale.is_empty(),
        "docs/rules is stale; regenerate with `PALISADE_BLESS=1 cargo test -p palisade-rules --test docs`:\n{}",
        stale.join("\n")
    );
}
