//! `palisade rules` and `palisade explain`.

use crate::cli::RulesFormat;
use anstream::AutoStream;
use palisade_rules::{docs, registry};
use std::io::Write;
use std::process::ExitCode;

pub fn run_rules(format: RulesFormat) -> ExitCode {
    let rules = registry::all();
    match format {
        RulesFormat::Markdown => print!("{}", docs::index_page()),
        RulesFormat::Json => {
            let list: Vec<serde_json::Value> = rules
                .iter()
                .map(|r| {
                    let m = r.meta();
                    serde_json::json!({
                        "id": m.id, "name": m.name, "severity": m.severity.as_str(),
                        "summary": m.summary, "controls": m.controls,
                        "pss": m.pss.map(|p| serde_json::json!({
                            "level": p.level.as_str(), "check": p.check_id,
                            "since": format!("v1.{}", p.since), "overrides": p.overrides,
                        })),
                    })
                })
                .collect();
            println!("{}", serde_json::to_string_pretty(&list).unwrap());
        }
        RulesFormat::Table => {
            let mut out = AutoStream::auto(std::io::stdout().lock());
            for r in rules {
                let m = r.meta();
                let controls = m.controls.iter().filter(|c| c.starts_with("pss-")).copied().collect::<Vec<_>>();
                let _ = writeln!(
                    out,
                    "{}  {:<32} {:<8} {:<44} {}",
                    m.id,
                    m.name,
                    m.severity.as_str(),
                    m.summary,
                    controls.join(", ")
                );
            }
        }
    }
    ExitCode::SUCCESS
}


pub fn explain(rule: &str) -> ExitCode {
    match registry::find(rule) {
        Some(r) => {
            print!("{}", docs::rule_page(r.meta()));
            ExitCode::SUCCESS
        }
        None => {
            eprintln!("error: no rule `{rule}` (see `palisade rules`)");
            ExitCode::from(2)
        }
    }
}
