use palisade_core::{Context, FieldPath, Node, Target, Violation};
use crate::check::Check;

declare_rule! {
    /// ## What it does
    /// Flags a node (from `palisade node`) whose `docker` group has members.
    ///
    /// ## Why is this bad?
    /// The docker group opens the Docker socket: its members can start a privileged container
    /// with the host mounted, so they are root on the node without sudo, audit or password.
    ///
    /// ## Example
    /// ```yaml
    /// # /etc/group: docker:x:998:alice,ci
    /// kind: Host
    /// spec: {docker_group: [alice, ci]}
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// # /etc/group: docker:x:998:
    /// kind: Host
    /// spec: {docker_group: []}
    /// ```
    ///
    /// ## Remediation
    /// Remove the members (`gpasswd -d USER docker`); give the few who need it `sudo` with
    /// auditing, or rootless containers.
    ///
    /// ## References
    /// - Docker documentation, "Docker daemon attack surface"
    pub struct DockerGroup {
        id: "HOST005",
        name: "docker-group-members",
        severity: Medium,
        summary: "Users of the node are in the docker group (root in all but name)",
        controls: ["cncf:8", "nsa:pod-security"],
        pss: None,
    }
}

impl Check for DockerGroup {
    fn check(&self, _cx: &Context, t: &Target, out: &mut Vec<Violation>) {
        let Some(members) = super::host(t).and_then(|s| s.get("docker_group")).map(Node::items).filter(|m| !m.is_empty()) else { return };
        let names: Vec<String> = members.iter().map(Node::display_scalar).collect();
        out.push(Violation::new(FieldPath::root().keys(&["spec", "docker_group"]), format!("{}: {} in the docker group, so root on the node", t.what(), names.join(", "))));
    }
}
