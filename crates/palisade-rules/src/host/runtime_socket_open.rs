use palisade_core::{Context, FieldPath, Node, Target, Violation};
use crate::check::Check;

declare_rule! {
    /// ## What it does
    /// Flags container-runtime sockets of a node (containerd, Docker, CRI-O; from
    /// `palisade node`) that users other than root and the socket's group can open (any
    /// permission bit for others), or that are not owned by root.
    ///
    /// ## Why is this bad?
    /// Whoever can talk to the runtime socket can start a privileged container with the
    /// host's filesystem mounted: it is root on the node, and every pod's secrets with it.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Host
    /// spec: {runtime_sockets: [{path: /run/containerd/containerd.sock, mode: "0666", owner: "root:root"}]}
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// kind: Host
    /// spec: {runtime_sockets: [{path: /run/containerd/containerd.sock, mode: "0660", owner: "root:root"}]}
    /// ```
    ///
    /// ## Remediation
    /// Fix the socket's mode in the runtime's configuration (containerd `[grpc] uid/gid`, the
    /// Docker service's socket unit) and never mount it into pods.
    ///
    /// ## References
    /// - NSA/CISA Kubernetes Hardening Guide (pod security: runtime sockets)
    pub struct RuntimeSocketOpen {
        id: "HOST004",
        name: "runtime-socket-open",
        severity: Critical,
        summary: "A container-runtime socket of the node is open to other users",
        controls: ["cncf:8", "nsa:pod-security"],
        pss: None,
    }
}

impl Check for RuntimeSocketOpen {
    fn check(&self, _cx: &Context, t: &Target, out: &mut Vec<Violation>) {
        let Some(sockets) = super::host(t).and_then(|s| s.get("runtime_sockets")) else { return };
        for (i, s) in sockets.items().iter().enumerate() {
            let path = s.get("path").map(Node::display_scalar).unwrap_or_default();
            let mode = s.get("mode").and_then(Node::as_str).and_then(|m| u32::from_str_radix(m, 8).ok()).unwrap_or(0);
            let owner = s.get("owner").map(Node::display_scalar).unwrap_or_default();
            let at = FieldPath::root().keys(&["spec", "runtime_sockets"]).index(i);
            if mode & 0o007 != 0 {
                out.push(Violation::new(at.key("mode"), format!("{} has {path} with mode {mode:04o}: every user of the node can run containers as root", t.what())));
            } else if !owner.starts_with("root:") {
                out.push(Violation::new(at.key("owner"), format!("{} has {path} owned by {owner}: that user can run containers as root", t.what())));
            }
        }
    }
}
