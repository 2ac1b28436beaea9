//! Host rules (`HOST…`): the hardening of the machine under the containers, read from the
//! `Host` object of a node audit (`palisade node`): sshd's effective configuration, a Linux
//! security module, kernel sysctls, container-runtime sockets, the docker group, auditd, listening sockets and the services
//! enabled at boot.

pub mod auditd_not_running;
pub mod docker_group;
pub mod exposed_listener;
pub mod kernel_sysctls;
pub mod no_mandatory_access_control;
pub mod runtime_socket_open;
pub mod sshd_hardening;
pub mod unneeded_service;

use palisade_core::{Node, Target};

/// The `spec` of a node audit's Host, if `t` is one.
pub(crate) fn host<'a>(t: &Target<'a>) -> Option<&'a Node> {
    (t.object.kind == "Host" && t.object.api_version == "palisade.io/v1").then(|| t.object.node.get("spec")).flatten()
}

/// Whether the host runs `program`; `None` when its processes were not read (an image).
pub(crate) fn runs(spec: &Node, program: &str) -> Option<bool> {
    let programs = spec.get("programs").map(Node::items).filter(|p| !p.is_empty())?;
    Some(programs.iter().any(|p| p.as_str() == Some(program)))
}
