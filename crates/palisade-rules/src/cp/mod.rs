//! Control-plane rules (`CP…`): the flags of kube-apiserver, kube-controller-manager,
//! kube-scheduler and etcd, read from their static pods (manifests in
//! `/etc/kubernetes/manifests`, or the live Pods of `kube-system`), judged by the CIS
//! Kubernetes Benchmark 1.12 checks of `palisade_analysis::controlplane`. Each failing check
//! is one finding with its own control (`cis-1.12:1.2.1`) and severity, at the flag when it
//! is given, else at the container's `command`. CP005 judges the EncryptionConfiguration the
//! API server reads.

pub mod apiserver_flags;
pub mod controller_manager_flags;
pub mod encryption_at_rest;
pub mod etcd_flags;
pub mod scheduler_flags;

use palisade_analysis::controlplane::checks::checks_of;
use palisade_analysis::controlplane::{Component, Flags, Verdict};
use palisade_core::{FieldPath, Node, Severity, Target, Violation};

/// The command line of a container (`command` then `args`), with each argument's path.
fn argv<'a>(container: &'a Node, at: &FieldPath) -> Vec<(FieldPath, &'a str)> {
    let mut out = Vec::new();
    for key in ["command", "args"] {
        for (i, arg) in container.get(key).map(Node::items).unwrap_or(&[]).iter().enumerate() {
            if let Some(text) = arg.as_str() {
                out.push((at.key(key).index(i), text));
            }
        }
    }
    out
}

/// Judges every container of the object that runs `component`.
pub(crate) fn judge(component: Component, t: &Target, out: &mut Vec<Violation>) {
    let Some(pod) = &t.pod else { return };
    for c in pod.containers() {
        if Component::of_container(c.node) != Some(component) {
            continue;
        }
        let mut args = argv(c.node, &c.path);
        // `hyperkube kube-apiserver …` runs the component named by its first argument.
        if args.first().is_some_and(|(_, p)| p.rsplit('/').next() == Some("hyperkube")) {
            args.remove(0);
        }
        let texts: Vec<&str> = args[1..].iter().map(|(_, a)| *a).collect();
        let flags = Flags::parse(&texts);
        for check in checks_of(component) {
            let Verdict::Fail { reason, flag } = check.judge(&flags) else { continue };
            let path = match flag.and_then(|f| flags.index(f)) {
                Some(i) => args[i + 1].0.clone(),
                None => c.path.key(if c.node.get("command").is_some() { "command" } else { "args" }),
            };
            let mut v = Violation::new(path, format!("{} of {} runs {}: {reason} (CIS {}: {})", c.describe(), t.what(), component.binary(), check.id, check.title));
            v.severity = Some(check.severity.parse().unwrap_or(Severity::Medium));
            v.only_controls = Some(vec![check.control, "nsa:control-plane"]);
            out.push(v);
        }
    }
}
