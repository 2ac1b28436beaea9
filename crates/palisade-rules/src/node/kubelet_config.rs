use palisade_analysis::controlplane::kubelet::{effective, Source, KUBELET_CHECKS};
use palisade_analysis::controlplane::Flags;
use palisade_core::{Context, FieldPath, Node, Severity, Target, Violation};
use crate::check::Check;

declare_rule! {
    /// ## What it does
    /// Judges the kubelet's effective configuration on a node (from `palisade node`) against
    /// CIS Kubernetes Benchmark 1.12 §4.2: anonymous auth, authorization mode, client CA,
    /// read-only port, streaming idle timeout, iptables chains, serving certificate,
    /// certificate rotation, cipher suites, pod PID limit and the default seccomp profile.
    /// Each setting is taken where the kubelet takes it: a command-line flag wins over the
    /// config file, and what neither sets has the default — the config file's safe defaults,
    /// or without a config file the flags' unsafe ones (anonymous auth on, AlwaysAllow,
    /// read-only port 10255). The finding says which source decided.
    ///
    /// ## Why is this bad?
    /// The kubelet runs every pod of the node and answers on port 10250: anonymous or
    /// AlwaysAllow access lets anyone who reaches it run commands in any container, and the
    /// read-only port 10255 lists every pod's spec, environment included, to anyone.
    ///
    /// ## Example
    /// ```yaml
    /// kind: KubeletConfiguration
    /// authentication: {anonymous: {enabled: true}}
    /// readOnlyPort: 10255
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// kind: KubeletConfiguration
    /// authentication: {anonymous: {enabled: false}, x509: {clientCAFile: /etc/kubernetes/pki/ca.crt}}
    /// authorization: {mode: Webhook}
    /// readOnlyPort: 0
    /// ```
    ///
    /// ## Remediation
    /// Set the value in the kubelet's config file (`/var/lib/kubelet/config.yaml`) and remove
    /// any flag that overrides it from the unit's drop-ins, then restart the kubelet.
    ///
    /// ## References
    /// - CIS Kubernetes Benchmark 1.12, 4.2.1–4.2.14
    pub struct KubeletConfig {
        id: "NODE003",
        name: "kubelet-config",
        severity: High,
        summary: "The kubelet's effective configuration is weaker than the CIS Benchmark allows",
        controls: ["cis-1.12:4.2.1", "cis-1.12:4.2.2", "cis-1.12:4.2.3", "cis-1.12:4.2.4", "cis-1.12:4.2.5", "cis-1.12:4.2.6", "cis-1.12:4.2.9", "cis-1.12:4.2.10", "cis-1.12:4.2.12", "cis-1.12:4.2.13", "cis-1.12:4.2.14"],
        pss: None,
    }
}

impl Check for KubeletConfig {
    fn check(&self, _cx: &Context, t: &Target, out: &mut Vec<Violation>) {
        if t.object.kind != "Host" || t.object.api_version != "palisade.io/v1" {
            return;
        }
        let Some(kubelet) = t.object.node.get_path(&["spec", "kubelet"]).filter(|k| !k.is_null()) else { return };
        let argv: Vec<String> = kubelet.get("argv").map(Node::items).unwrap_or(&[]).iter().map(Node::display_scalar).collect();
        let flags = Flags::parse(argv.get(1..).unwrap_or(&[]));
        let config = kubelet.get("config").filter(|c| !c.is_null());
        let file = kubelet.get("config_path").and_then(Node::as_str).unwrap_or("the config file");
        let started = kubelet.get("argv_source").and_then(Node::as_str).filter(|s| !s.is_empty()).unwrap_or("its command line");
        let at = FieldPath::root().keys(&["spec", "kubelet"]);
        for check in KUBELET_CHECKS {
            let (value, source) = effective(&check.setting, &flags, config);
            let Some(reason) = check.judge(value.as_deref()) else { continue };
            let key = check.setting.key.join(".");
            let (path, from, place) = match source {
                Source::Flag(i) => {
                    // The unit file, drop-in or environment file the flag is written in.
                    let written = kubelet.get("args_from").and_then(|a| a.items().get(i + 1)).filter(|w| !w.is_null());
                    let place = written.and_then(|w| Some((w.get("file")?.as_str()?.to_string(), w.get("line")?.as_i64()? as u32)));
                    let via = written.and_then(|w| w.get("via")).and_then(Node::as_str).map(|v| format!(" through ${v}")).unwrap_or_default();
                    let from = match &place {
                        Some((f, l)) => format!("a flag of {started}, set in {f}:{l}{via}"),
                        None => format!("a flag of {started}"),
                    };
                    (at.key("argv").index(i + 1), from, place)
                }
                Source::Config => {
                    let line = kubelet.get("config_lines").and_then(|l| l.get(&key)).and_then(Node::as_i64).map(|l| l as u32);
                    (at.key("config").keys(check.setting.key), format!("in {file} ({key})"), line.map(|l| (file.to_string(), l)))
                }
                Source::Default if config.is_some() => (at.key("config"), format!("by default: {file} does not set {key}"), Some((file.to_string(), 1))),
                Source::Default => (at.clone(), "by default: no config file, so the flags' defaults apply".to_string(), None),
            };
            let mut v = Violation::new(path, format!("the kubelet on {}: {reason}, {from} (CIS {}: {})", t.what(), check.id, check.title));
            v.severity = Some(check.severity.parse().unwrap_or(Severity::Medium));
            v.only_controls = Some(vec![check.control]);
            out.push(v.in_file(place));
        }
    }
}
