//! The commands: each reads its inputs with the library, and writes what it found.

pub mod audit_log;
pub mod cluster;
pub mod dashboard;
pub mod diff;
pub mod history;
pub mod inventory;
pub mod merge;
pub mod netpol;
pub mod node;
pub mod probe;
pub mod policy;
pub mod rbac;
pub mod rules;
pub mod scan;
pub mod serve;
pub mod watch;

use anstream::AutoStream;
use palisade::policy_file;
use palisade_core::Policy;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

/// The policy file given, or found at the top of a scanned directory, or the default policy;
/// problems are printed with their file:line and end the run.
pub fn load_policy(config: &Option<PathBuf>, no_config: bool, paths: &[PathBuf]) -> Result<Policy, ExitCode> {
    let path = match (config, no_config) {
        (Some(path), _) => Some(path.clone()),
        (None, false) => policy_file::discover(paths),
        (None, true) => None,
    };
    match path.as_deref().map(policy_file::load).transpose() {
        Ok(p) => Ok(p.unwrap_or_default()),
        Err(problems) => {
            for p in problems {
                eprintln!("error: {p}");
            }
            eprintln!("error: the policy file has problems; fix them (`palisade policy check`) or pass --no-config");
            Err(ExitCode::from(2))
        }
    }
}

/// A usage error: said on standard error, exit code 2.
pub fn usage(message: String) -> ExitCode {
    eprintln!("error: {message}");
    ExitCode::from(2)
}

/// Input problems on standard error (the answer is still printed; the exit code says 2).
pub fn print_errors(errors: &[palisade_report::InputError]) {
    for e in errors {
        eprintln!("error: {e}");
    }
}

/// Runs `write` on a styled stream: the terminal (styles kept when it is one) or the
/// `--output` file (styles dropped).
pub fn styled(output: &Option<PathBuf>, write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>) -> std::io::Result<()> {
    match output {
        Some(path) => {
            let mut buffered: Box<dyn Write> = Box::new(std::io::BufWriter::new(std::fs::File::create(path)?));
            let mut out = AutoStream::never(&mut buffered);
            write(&mut out)?;
            out.flush()
        }
        None => {
            let mut out = AutoStream::auto(std::io::stdout().lock());
            write(&mut out)?;
            out.flush()
        }
    }
}

pub fn write_json(output: &Option<PathBuf>, value: &serde_json::Value) -> std::io::Result<()> {
    let text = serde_json::to_string_pretty(value).map_err(std::io::Error::from)?;
    match output {
        Some(path) => std::fs::write(path, text + "\n"),
        None => {
            println!("{text}");
            Ok(())
        }
    }
}

