//! Node rules (`NODE…`): the files of a `Host` the node audit (`palisade node`) describes,
//! against CIS Kubernetes Benchmark 1.12 §1.1 and §4.1 (`palisade_analysis::controlplane::
//! files`). A file that does not exist is not judged (the benchmark's "if it exists").

pub mod file_ownership;
pub mod file_permissions;
pub mod kubelet_config;

use palisade_analysis::controlplane::files::{judge, FileCheck, FileFacts, Want, FILE_CHECKS};
use palisade_core::{FieldPath, Node, Severity, Target, Violation};

/// Judges the host's files by the checks of one kind (modes or owners).
pub(crate) fn judge_files(t: &Target, modes: bool, out: &mut Vec<Violation>) {
    if t.object.kind != "Host" || t.object.api_version != "palisade.io/v1" {
        return;
    }
    let spec = t.object.node.get("spec");
    let files: Vec<(usize, FileFacts)> = spec
        .and_then(|s| s.get("files"))
        .map(Node::items)
        .unwrap_or(&[])
        .iter()
        .enumerate()
        .filter_map(|(i, f)| {
            let mode = u32::from_str_radix(f.get("mode")?.as_str()?, 8).ok()?;
            Some((i, FileFacts { path: f.get("path")?.as_str()?.to_string(), mode, owner: f.get("owner").map(Node::display_scalar).unwrap_or_default() }))
        })
        .collect();
    let processes: Vec<Vec<String>> = spec
        .and_then(|s| s.get("processes"))
        .map(Node::items)
        .unwrap_or(&[])
        .iter()
        .map(|p| p.get("argv").map(Node::items).unwrap_or(&[]).iter().map(Node::display_scalar).collect())
        .collect();
    let known: Vec<FileFacts> = files.iter().map(|(_, f)| f.clone()).collect();
    for check in FILE_CHECKS.iter().filter(|c| matches!(c.want, Want::Mode(_)) == modes) {
        for file in check.paths(&known, &processes) {
            let Some(reason) = judge(check.want, file) else { continue };
            let index = files.iter().find(|(_, f)| f.path == file.path).map(|(i, _)| *i).unwrap_or(0);
            out.push(violation(check, index, modes, format!("{} on {}: {reason} (CIS {}: {})", file.path, t.what(), check.id, check.title)));
        }
    }
}

fn violation(check: &FileCheck, index: usize, modes: bool, message: String) -> Violation {
    let mut v = Violation::new(FieldPath::root().keys(&["spec", "files"]).index(index).key(if modes { "mode" } else { "owner" }), message);
    v.severity = Some(check.severity.parse().unwrap_or(Severity::Medium));
    v.only_controls = Some(vec![check.control]);
    v
}
