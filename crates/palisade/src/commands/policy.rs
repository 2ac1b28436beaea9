//! `palisade policy init` and `palisade policy check`.

use crate::cli::PolicyCommand;
use palisade::policy_file;
use std::process::ExitCode;

pub fn run(cmd: PolicyCommand) -> ExitCode {
    match cmd {
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

