//! `palisade policy init` and `palisade policy check`.

use crate::cli::PolicyCommand;
use palisade::policy_file;
use std::process::ExitCode;

pub fn run(cmd: PolicyCommand) -> ExitCode {
    match cmd {
        PolicyCommand::Verify { paths, run, verbose } => verify(&paths, run.as_deref(), verbose),
        PolicyCommand::Init { path, force } => {
            if path.exists() && !force {
                eprintln!("error: {} exists; pass --force to overwrite it", path.display());
                return ExitCode::from(2);
            }
            match std::fs::write(&path, policy_file::TEMPLATE) {
                Ok(()) => {
                    eprintln!("wrote {}; check it with `palisade policy check {}`", path.display(), path.display());
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("error: cannot write {}: {e}", path.display());
                    ExitCode::from(2)
                }
            }
        }
        PolicyCommand::Check { path } => match policy_file::load(&path) {
            Ok(p) => {
                println!(
                    "{}: ok ({} waiver{}, {} severity override{}, {} allowed registr{})",
                    path.display(),
                    p.waivers.len(),
                    if p.waivers.len() == 1 { "" } else { "s" },
                    p.severity.len(),
                    if p.severity.len() == 1 { "" } else { "s" },
                    p.settings.allowed_registries.len(),
                    if p.settings.allowed_registries.len() == 1 { "y" } else { "ies" },
                );
                ExitCode::SUCCESS
            }
            Err(problems) => {
                for p in problems {
                    eprintln!("error: {p}");
                }
                ExitCode::from(2)
            }
        },
    }
}


/// `palisade policy verify`: each case's verdict, failures with why, and a summary.
fn verify(paths: &[std::path::PathBuf], run: Option<&str>, verbose: bool) -> ExitCode {
    let filter = match run.map(regex_lite).transpose() {
        Ok(f) => f,
        Err(e) => {
            eprintln!("error: --run: {e}");
            return ExitCode::from(2);
        }
    };
    let (mut passed, mut failed, mut skipped, mut broken) = (0, 0, 0, 0);
    for path in paths {
        for suite in palisade_policy::verify::run(path) {
            let name = suite.path.display();
            if let Some(e) = &suite.error {
                println!("ERROR {name}: {e}");
                broken += 1;
                continue;
            }
            for case in &suite.cases {
                let id = format!("{}/{}", case.test, case.case);
                if filter.as_ref().is_some_and(|f| !f(&id)) {
                    continue;
                }
                match (&case.failure, case.skipped) {
                    (_, true) => {
                        skipped += 1;
                        if verbose {
                            println!("SKIP  {name} {id}");
                        }
                    }
                    (None, false) => {
                        passed += 1;
                        if verbose {
                            println!("PASS  {name} {id}");
                        }
                    }
                    (Some(why), false) => {
                        failed += 1;
                        println!("FAIL  {name} {id}: {why}");
                    }
                }
            }
        }
    }
    println!("{passed} passed, {failed} failed, {skipped} skipped{}", if broken > 0 { format!(", {broken} suites unreadable") } else { String::new() });
    if broken > 0 {
        ExitCode::from(2)
    } else if failed > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// A `--run` pattern as a matcher.
/// A test of a name against a pattern.
type Matcher = Box<dyn Fn(&str) -> bool>;

fn regex_lite(pattern: &str) -> Result<Matcher, String> {
    let re = regex::Regex::new(pattern).map_err(|e| e.to_string())?;
    Ok(Box::new(move |s| re.is_match(s)))
}
