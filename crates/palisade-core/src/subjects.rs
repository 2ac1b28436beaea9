//! Who is who among the subjects that talk to an API server: the cluster's own machinery,
//! whose routine requests the audit rules leave alone.

/// Whether `subject` (a username) is part of the cluster's own machinery, which reads
/// Secrets for the pods it runs and controls: a node's kubelet, the control-plane components,
/// and the controllers' ServiceAccounts in `kube-system`.
pub fn is_control_plane(subject: &str) -> bool {
    mints_pod_tokens(subject) || matches!(subject, "system:apiserver" | "system:kube-scheduler" | "system:kube-proxy")
}

/// Whether `subject` requests ServiceAccount tokens as a matter of course: a kubelet for the
/// pods it runs (`system:node:NAME`), Kubernetes' controllers.
pub fn mints_pod_tokens(subject: &str) -> bool {
    subject.starts_with("system:node:") || subject.starts_with("system:serviceaccount:kube-system:") || subject == "system:kube-controller-manager"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_machinery_is_told_from_people_and_workloads() {
        assert!(is_control_plane("system:node:ip-10-0-1-7") && is_control_plane("system:kube-scheduler"));
        assert!(is_control_plane("system:serviceaccount:kube-system:generic-garbage-collector"));
        assert!(!is_control_plane("system:serviceaccount:shop:web") && !is_control_plane("alice") && !is_control_plane("system:nodes"));
        assert!(mints_pod_tokens("system:node:n1") && !mints_pod_tokens("system:apiserver"));
    }
}
