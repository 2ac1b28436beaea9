use palisade_core::{Context, Node, PssCheck, Target, Violation};
use crate::check::Check;

use super::host_path_volume::HostPathVolume;

declare_rule! {
    /// ## What it does
    /// Flags volumes of any type except `configMap`, `csi`, `downwardAPI`, `emptyDir`,
    /// `ephemeral`, `persistentVolumeClaim`, `projected` and `secret`. At the restricted level
    /// this check replaces POD004 (`hostPathVolumes`); a hostPath volume found here also carries
    /// the baseline control and severity. A volume that names no source is not flagged: the
    /// API server defaults it to `emptyDir`, and Pod Security Admission judges it as such.
    ///
    /// ## Why is this bad?
    /// Inline volume types (`nfs`, `iscsi`, `rbd`, `gitRepo`, `hostPath`, cloud disks…) let a
    /// pod author attach storage the cluster administrator never provisioned, bypassing the
    /// PersistentVolume layer and its access control; `gitRepo` has run arbitrary code on the
    /// node (CVE-2018-11235, CVE-2024-10220).
    ///
    /// ## Example
    /// ```yaml
    /// volumes:
    ///   - name: shared
    ///     nfs:
    ///       server: nfs.example.com
    ///       path: /exports
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// volumes:
    ///   - name: shared
    ///     persistentVolumeClaim:
    ///       claimName: shared-data
    /// ```
    ///
    /// ## Remediation
    /// Provision the storage as a PersistentVolume and mount it through a
    /// PersistentVolumeClaim (or use a CSI driver); use `emptyDir`, ConfigMaps, Secrets or
    /// projected volumes for everything else.
    ///
    /// ## References
    /// - Pod Security Standards, Restricted, "Volume Types": <https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted>
    pub struct RestrictedVolumeType {
        id: "POD013",
        name: "restricted-volume-type",
        severity: Medium,
        summary: "Volume type not allowed by the restricted level",
        controls: ["pss-restricted:restrictedVolumes", "nsa:pod-security", "cncf:7"],
        pss: PssCheck::restricted("restrictedVolumes", 0, &["hostPathVolumes"]),
    }
}

const ALLOWED: &[&str] = &[
    "configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim", "projected", "secret",
];

impl Check for RestrictedVolumeType {
    fn check(&self, _cx: &Context, t: &Target, out: &mut Vec<Violation>) {
        let Some(pod) = &t.pod else { return };
        let volumes = pod.spec.get("volumes").map(Node::items).unwrap_or(&[]);
        for (i, volume) in volumes.iter().enumerate() {
            if ALLOWED.iter().any(|ty| volume.field(ty).is_some()) {
                continue;
            }
            let name = volume.get("name").map(Node::display_scalar).unwrap_or_default();
            let ty = volume.entries().iter().find(|e| &*e.key != "name" && !e.value.is_null()).map(|e| &*e.key);
            // No source: the API server makes it an emptyDir before admission sees it.
            let Some(ty) = ty else { continue };
            let path = pod.spec_path.key("volumes").index(i);
            let v = Violation::new(path.key(ty.to_string()), format!("volume `{name}` of {} has type `{ty}`", t.what()));
            out.push(match ty {
                "hostPath" => v.also(HostPathVolume::META.severity, "pss-baseline:hostPathVolumes"),
                _ => v,
            });
        }
    }
}
