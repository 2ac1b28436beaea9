//! Rule documentation pages, rendered from the metadata and doc comments. `palisade explain`
//! prints them; `docs/rules/` holds the same text, checked by a test that fails when stale
//! (regenerate with `PALISADE_BLESS=1 cargo test -p palisade-rules --test docs`).

use crate::registry;
use palisade_core::RuleMeta;

/// The page for one rule: title, metadata line, then the doc comment.
pub fn rule_page(meta: &RuleMeta) -> String {
    let controls: Vec<String> = meta.controls.iter().map(|c| format!("`{c}`")).collect();
    let mut page = format!("# {}: {}\n\n{}.\n\n", meta.id, meta.name, meta.summary);
    page.push_str(&format!("- Severity: {}\n", meta.severity));
    page.push_str(&format!("- Controls: {}\n", controls.join(", ")));
    if let Some(p) = meta.pss {
        let overrides = if p.overrides.is_empty() {
            String::new()
        } else {
            format!("; replaces `{}` at the restricted level", p.overrides.join("`, `"))
        };
        page.push_str(&format!(
            "- Pod Security Standards: {} check `{}`, from policy version v1.{}{overrides}\n",
            p.level.as_str(),
            p.check_id,
            p.since
        ));
    }
    page.push('\n');
    page.push_str(&meta.markdown());
    page
}

/// `docs/rules/README.md`: the catalogue as a table.
pub fn index_page() -> String {
    let mut page = String::from(
        "# Rules\n\nGenerated from the rule metadata (`palisade rules --format markdown`); do not edit.\n\n\
         | ID | Name | Severity | Controls | Summary |\n| --- | --- | --- | --- | --- |\n",
    );
    for rule in registry::all() {
        let m = rule.meta();
        page.push_str(&format!(
            "| [{id}]({id}.md) | {} | {} | {} | {} |\n",
            m.name,
            m.severity,
            m.controls.join(", "),
            m.summary,
            id = m.id
        ));
    }
    page
}
