//! Workload rules (`POD…`): the Pod Security Standards checks, one file each, evaluated on the
//! pod spec of every workload kind.

pub mod apparmor_unconfined;
pub mod capabilities_beyond_default;
pub mod capabilities_not_dropped;
pub mod host_namespaces;
pub mod host_path_volume;
pub mod host_port;
pub mod privilege_escalation_allowed;
pub mod privileged_container;
pub mod probe_or_lifecycle_host;
pub mod restricted_volume_type;
pub mod run_as_non_root_not_required;
pub mod run_as_uid_zero;
pub mod seccomp_profile_missing;
pub mod seccomp_unconfined;
pub mod selinux_custom_options;
pub mod unmasked_proc_mount;
pub mod unmasked_proc_mount_restricted;
pub mod unsafe_sysctl;
pub mod windows_host_process;

use palisade_core::{ContainerView, Node, PodSpecView};

/// Capabilities the baseline level lets a container add (the container runtime's defaults).
pub(crate) const BASELINE_CAPABILITIES: &[&str] = &[
    "AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD",
    "NET_BIND_SERVICE", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT",
];

/// `true` only for a real boolean `true` (what Kubernetes decodes into a `*bool`).
pub(crate) fn is_true(node: Option<&Node>) -> bool {
    node.and_then(Node::as_bool) == Some(true)
}

/// A seccomp profile type that confines: `RuntimeDefault` or `Localhost`.
pub(crate) fn confining_seccomp(profile: &Node) -> bool {
    matches!(profile.get("type").and_then(Node::as_str), Some("RuntimeDefault" | "Localhost"))
}

/// The `type` of a seccomp or AppArmor profile, for messages (`<unset>` when missing).
pub(crate) fn profile_type(profile: &Node) -> String {
    profile.get("type").map(Node::display_scalar).unwrap_or_else(|| "<unset>".into())
}

/// Containers whose `securityContext.procMount` is set to anything but `Default`.
pub(crate) fn unmasked_proc_mounts<'a>(
    pod: &'a PodSpecView<'a>,
) -> impl Iterator<Item = (&'a ContainerView<'a>, String)> + 'a {
    pod.containers().filter_map(|c| {
        let value = c.sc_field("procMount")?;
        (value.as_str() != Some("Default")).then(|| (c, value.display_scalar()))
    })
}
