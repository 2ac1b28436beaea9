use palisade_analysis::controlplane::Component;
use palisade_core::{Context, Target, Violation};
use crate::check::Check;

declare_rule! {
    /// ## What it does
    /// Judges the flags of kube-controller-manager — in its static pod manifest or the live
    /// Pod of `kube-system` — against CIS Kubernetes Benchmark 1.12 §1.3: the terminated-pod
    /// GC threshold, profiling, per-controller ServiceAccount credentials, the
    /// service-account signing key, the root CA file, kubelet server certificate rotation,
    /// and a bind address of 127.0.0.1 (the default is 0.0.0.0). Each failed check is one
    /// finding with its control and severity.
    ///
    /// ## Why is this bad?
    /// Without `--use-service-account-credentials` every controller acts with the controller
    /// manager's own, broad identity; listening on every address exposes its health and
    /// profiling endpoints to the network.
    ///
    /// ## Example
    /// ```yaml
    /// command: [kube-controller-manager, --bind-address=0.0.0.0]
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// command: [kube-controller-manager, --bind-address=127.0.0.1, --profiling=false,
    ///           --use-service-account-credentials=true]
    /// ```
    ///
    /// ## Remediation
    /// Set the flag in `/etc/kubernetes/manifests/kube-controller-manager.yaml`.
    ///
    /// ## References
    /// - CIS Kubernetes Benchmark 1.12, 1.3.1–1.3.7
    pub struct ControllerManagerFlags {
        id: "CP002",
        name: "controller-manager-flags",
        severity: Medium,
        summary: "kube-controller-manager runs with a flag the CIS Benchmark advises against",
        controls: ["cis-1.12:1.3.1", "cis-1.12:1.3.2", "cis-1.12:1.3.3", "cis-1.12:1.3.4", "cis-1.12:1.3.5", "cis-1.12:1.3.6", "cis-1.12:1.3.7", "nsa:control-plane"],
        pss: None,
    }
}

impl Check for ControllerManagerFlags {
    fn check(&self, _cx: &Context, t: &Target, out: &mut Vec<Violation>) {
        super::judge(Component::ControllerManager, t, out);
    }
}
