use palisade_analysis::controlplane::Component;
use palisade_core::{Context, Target, Violation};
use crate::check::Check;

declare_rule! {
    /// ## What it does
    /// Judges the flags of kube-scheduler — in its static pod manifest or the live Pod of
    /// `kube-system` — against CIS Kubernetes Benchmark 1.12 §1.4: profiling off, and a bind
    /// address of 127.0.0.1 (the default is 0.0.0.0).
    ///
    /// ## Why is this bad?
    /// Profiling endpoints reveal the scheduler's internals and cost CPU; listening on every
    /// address exposes them, with its health endpoints, to the network.
    ///
    /// ## Example
    /// ```yaml
    /// command: [kube-scheduler, --kubeconfig=/etc/kubernetes/scheduler.conf]
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// command: [kube-scheduler, --kubeconfig=/etc/kubernetes/scheduler.conf,
    ///           --bind-address=127.0.0.1, --profiling=false]
    /// ```
    ///
    /// ## Remediation
    /// Set the flags in `/etc/kubernetes/manifests/kube-scheduler.yaml`.
    ///
    /// ## References
    /// - CIS Kubernetes Benchmark 1.12, 1.4.1–1.4.2
    pub struct SchedulerFlags {
        id: "CP003",
        name: "scheduler-flags",
        severity: Medium,
        summary: "kube-scheduler runs with a flag the CIS Benchmark advises against",
        controls: ["cis-1.12:1.4.1", "cis-1.12:1.4.2", "nsa:control-plane"],
        pss: None,
    }
}

impl Check for SchedulerFlags {
    fn check(&self, _cx: &Context, t: &Target, out: &mut Vec<Violation>) {
        super::judge(Component::Scheduler, t, out);
    }
}
