//! Workload rules (`POD…`): the Pod Security Standards checks (POD001–POD019) and the
//! hardening practitioners ask for beyond them (POD020 on), one file each, evaluated on the
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
pub mod runs_as_root;
pub mod writable_root_filesystem;
pub mod missing_resource_limits;
pub mod missing_resource_requests;
pub mod service_account_token_automounted;
pub mod default_service_account;
pub mod default_namespace;
pub mod shared_process_namespace;
pub mod net_raw_not_dropped;
pub mod sys_admin_capability;
pub mod runtime_socket_mounted;
pub mod sensitive_host_path;

use palisade_core::{ContainerView, FieldPath, Node, PodSpecView};

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

/// A container's securityContext field, or the pod's when the container does not set it (for
/// the fields Kubernetes lets a container inherit: runAsUser, runAsNonRoot, …), with its path.
pub(crate) fn inherited<'a>(
    pod: &PodSpecView<'a>,
    c: &ContainerView<'a>,
    key: &'static str,
) -> Option<(&'a Node, FieldPath)> {
    c.sc_field(key)
        .map(|n| (n, c.sc_path(&[key])))
        .or_else(|| pod.sc_field(key).map(|n| (n, pod.sc_path(&[key]))))
}

/// A capability name as written, normalised: upper case, without a `CAP_` prefix.
pub(crate) fn capability(node: &Node) -> String {
    let name = node.display_scalar().to_ascii_uppercase();
    name.strip_prefix("CAP_").map(str::to_string).unwrap_or(name)
}

/// The entries of a container's `securityContext.capabilities.<key>` (`add` or `drop`).
pub(crate) fn capabilities<'a>(c: &ContainerView<'a>, key: &str) -> &'a [Node] {
    c.sc_field("capabilities").and_then(|caps| caps.get(key)).map(Node::items).unwrap_or(&[])
}

/// The pod's `hostPath` volumes: (index, volume name, normalised host path).
pub(crate) fn host_paths<'a>(pod: &PodSpecView<'a>) -> impl Iterator<Item = (usize, String, String)> + 'a {
    let volumes = pod.spec.get("volumes").map(Node::items).unwrap_or(&[]);
    volumes.iter().enumerate().filter_map(|(i, volume)| {
        let host_path = volume.field("hostPath")?;
        let name = volume.get("name").map(Node::display_scalar).unwrap_or_default();
        let path = host_path.get("path").map(Node::display_scalar).unwrap_or_default();
        Some((i, name, normalize_host_path(&path)))
    })
}

/// `/var//run/./docker.sock/` → `/var/run/docker.sock`; `..` is resolved lexically.
pub(crate) fn normalize_host_path(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    format!("/{}", parts.join("/"))
}
