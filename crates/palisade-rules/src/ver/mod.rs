//! Version rules (`VER…`): the cluster's Kubernetes version and its kubelets against the
//! support window (`palisade_core::versions`: the table shipped with Palisade, or
//! `--versions FILE`), read from the `palisade.io/v1` `ClusterInfo` object a live scan
//! produces (and a snapshot keeps).

pub mod kubelet_version;
pub mod server_version;

use palisade_core::versions::Versions;
use palisade_core::{Date, Target};

/// Whether `t` is the ClusterInfo of a live scan.
pub(crate) fn cluster_info(t: &Target) -> bool {
    t.object.kind == "ClusterInfo" && t.object.api_version == "palisade.io/v1"
}

/// `1.35, 1.36, 1.37`: the minors supported on `today`.
pub(crate) fn supported_list(versions: &Versions, today: Date) -> String {
    let list: Vec<String> = versions.supported(today).iter().map(|m| format!("1.{m}")).collect();
    if list.is_empty() { "none in the table".into() } else { list.join(", ") }
}
