//! Node rules (`NODE…`): the files of a `Host` the node audit (`palisade node`) describes,
//! against CIS Kubernetes Benchmark 1.12 §1.1 and §4.1 (`palisade_analysis::controlplane::
//! files`). A file that does not exist is not judged (the benchmark's "if it exists").

pub mod file_ownership;
pub mod file_permissions;
pub mod kubelet_config;

use palisade_analysis::controlplane::files::{judge, FileCheck, NodeFiles, Want, FILE_CHECKS};
use palisade_core::{FieldPath, Severity, Target, Violation};

/// Judges the host's files by the checks of one kind (modes or owners).
pub(crate) fn judge_files(t: &Target, modes: bool, out: &mut Vec<Violation>) {
    if t.object.kind != "Host" || t.object.api_version != "palisade.io/v1" {
        return;
    }
    let Some(spec) = t.object.node.get("spec") else { return };
    let node = NodeFiles::of_host(spec);
    for check in FILE_CHECKS.iter().filter(|c| matches!(c.want, Want::Mode(_)) == modes) {
        for file in node.paths(check) {
            let Some(reason) = judge(check.want, file) else { continue };
            out.push(violation(check, node.index(file), modes, format!("{} on {}: {reason} (CIS {}: {})", file.path, t.what(), check.id, check.title)));
        }
    }
}

fn violation(check: &FileCheck, index: usize, modes: bool, message: String) -> Violation {
    let mut v = Violation::new(FieldPath::root().keys(&["spec", "files"]).index(index).key(if modes { "mode" } else { "owner" }), message);
    v.severity = Some(check.severity.parse().unwrap_or(Severity::Medium));
    v.only_controls = Some(vec![check.control]);
    v
}
