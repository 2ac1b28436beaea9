//! `palisade images` and `palisade secrets`.

use super::{load_policy, styled, write_json};
use crate::cli::{InventoryArgs, ListFormat};
use palisade::inputs::{collect_inputs, PassOptions};
use palisade::inventory;
use std::process::ExitCode;

/// `palisade images` (`secrets` false) and `palisade secrets`.
pub fn run(args: InventoryArgs, secrets: bool) -> ExitCode {
    if args.paths.is_empty() && args.kustomize.is_empty() {
        eprintln!("error: nothing to read: give files, directories, `-` for stdin, or --kustomize DIR");
        return ExitCode::from(2);
    }
    let policy = match load_policy(&args.config, args.no_config, &args.paths) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let (inputs, mut errors) = collect_inputs(&args.paths, &args.kustomize);
    let opts = PassOptions::quiet();
    let (inventories, more) = inventory::gather(&inputs, &opts, args.namespace.as_deref().unwrap_or("default"));
    errors.extend(more);
    super::print_errors(&errors);
    let written = if secrets {
        let workloads = inventories.secrets.resolve();
        match args.format {
            ListFormat::Json => write_json(&args.output, &palisade_report::inventory::secrets_json(&workloads)),
            ListFormat::Table => styled(&args.output, |out| {
                palisade_report::inventory::secrets_table(&workloads, policy.settings.require_vault, out)
            }),
        }
    } else {
        match args.format {
            ListFormat::Json => write_json(&args.output, &palisade_report::inventory::images_json(&inventories.images)),
            ListFormat::Table => styled(&args.output, |out| palisade_report::inventory::images_table(&inventories.images, out)),
        }
    };
    if let Err(e) = written {
        eprintln!("error: cannot write the output: {e}");
        return ExitCode::from(2);
    }
    if errors.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(2) }
}


/// `palisade inventory`: from files, or from the live cluster.
pub fn estate(args: crate::cli::EstateArgs) -> ExitCode {
    use crate::cli::EstateFormat;
    let (inventories, errors) = if args.paths.is_empty() {
        let runtime = match palisade::live::runtime() {
            Ok(r) => r,
            Err(e) => return super::usage(e),
        };
        let conn = match super::cluster::connect(&args.connect, &runtime, false) {
            Ok(c) => c,
            Err(code) => return code,
        };
        let mut all = inventory::Inventories::default();
        let read = palisade::live::read(
            &runtime,
            &conn,
            &super::cluster::read_options(&args.connect),
            |_, value| {
                let node = palisade_source::json::node_of(&value);
                if let Ok(object) = palisade_core::Object::from_node(&node) {
                    all.add(&object, &node, &|_| None);
                }
            },
            |_| {},
        );
        match read {
            Ok((_, errors)) => {
                all.estate.sort();
                (all, errors)
            }
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::from(2);
            }
        }
    } else {
        let (inputs, mut errors) = collect_inputs(&args.paths, &[]);
        let (all, more) = inventory::gather(&inputs, &PassOptions::quiet(), args.namespace.as_deref().unwrap_or("default"));
        errors.extend(more);
        (all, errors)
    };
    super::print_errors(&errors);
    let (estate, images) = (&inventories.estate, &inventories.images);
    let written = match args.format {
        EstateFormat::Json => write_json(&args.output, &palisade_report::inventory::estate_json(estate, images)),
        EstateFormat::Table => styled(&args.output, |out| palisade_report::inventory::estate_table(estate, images, out)),
        EstateFormat::Csv => styled(&args.output, |out| palisade_report::inventory::estate_csv(estate, images, out)),
    };
    if let Err(e) = written {
        eprintln!("error: cannot write the output: {e}");
        return ExitCode::from(2);
    }
    if errors.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(2) }
}
