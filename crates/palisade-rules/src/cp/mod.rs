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

/// Judges every container of the object that runs `component`, or, for a `Host` from the
/// node audit, every process that runs it.
pub(crate) fn judge(component: Component, t: &Target, out: &mut Vec<Violation>) {
    if t.object.kind == "Host" && t.object.api_version == "palisade.io/v1" {
        let processes = t.object.node.get_path(&["spec", "processes"]).map(Node::items).unwrap_or(&[]);
        for (i, p) in processes.iter().enumerate() {
            let at = FieldPath::root().keys(&["spec", "processes"]).index(i).key("argv");
            let args: Vec<(FieldPath, &str)> = p.get("argv").map(Node::items).unwrap_or(&[]).iter().enumerate().filter_map(|(j, a)| Some((at.index(j), a.as_str()?))).collect();
            let pid = p.get("pid").map(Node::display_scalar).unwrap_or_default();
            judge_argv(component, &args, &format!("process {pid} on {}", t.what()), &at, out);
        }
        return;
    }
    let Some(pod) = &t.pod else { return };
    for c in pod.containers() {
        if Component::of_container(c.node) != Some(component) {
            continue;
        }
        let args = argv(c.node, &c.path);
        let whole = c.path.key(if c.node.get("command").is_some() { "command" } else { "args" });
        judge_argv(component, &args, &format!("{} of {}", c.describe(), t.what()), &whole, out);
    }
}

/// Judges one command line (`args[0]` the program, `hyperkube COMPONENT` too); a missing flag
/// is reported at `whole`.
fn judge_argv(component: Component, args: &[(FieldPath, &str)], who: &str, whole: &FieldPath, out: &mut Vec<Violation>) {
    let texts: Vec<&str> = args.iter().map(|(_, a)| *a).collect();
    let Some((runs, start)) = Component::of_command(&texts) else { return };
    if runs != component {
        return;
    }
    let flags = Flags::parse(&texts[start..]);
    for check in checks_of(component) {
        let Verdict::Fail { reason, flag } = check.judge(&flags) else { continue };
        let path = match flag.and_then(|f| flags.index(f)) {
            Some(i) => args[start + i].0.clone(),
            None => whole.clone(),
        };
        let mut v = Violation::new(path, format!("{who} runs {}: {reason} (CIS {}: {})", component.binary(), check.id, check.title));
        v.severity = Some(check.severity.parse().unwrap_or(Severity::Medium));
        v.only_controls = Some(vec![check.control, "nsa:control-plane"]);
        out.push(v);
    }
}
