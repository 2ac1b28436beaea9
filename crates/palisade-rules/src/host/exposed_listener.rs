use palisade_analysis::controlplane::Flags;
use palisade_core::{Context, FieldPath, Node, Severity, Target, Violation};
use crate::check::Check;

declare_rule! {
    /// ## What it does
    /// Judges the sockets a node listens on (from `palisade node`: `/proc/net/{tcp,tcp6,
    /// udp,udp6}`, each tied to its program through `/proc/*/fd`): the kubelet's read-only
    /// port 10255 (high), an API server insecure port (critical), etcd serving clients over
    /// plain HTTP on a non-loopback address (from its `--listen-client-urls`, critical), and
    /// any other program listening beyond loopback that is not one a Kubernetes node runs
    /// (kubelet, kube-proxy, the control plane, etcd, the container runtime, sshd, cluster DNS
    /// and the common CNI agents, and whatever `node: {services: [...]}` in `palisade.yaml`
    /// names) (low).
    ///
    /// ## Why is this bad?
    /// The read-only port lists every pod's spec, environment variables included, to anyone
    /// who can reach the node; etcd without TLS and client certificates is every Secret of the
    /// cluster in plaintext to the network; any unexpected service is attack surface on the
    /// machine that holds the kubelet's credentials.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Host
    /// spec:
    ///   listeners: [{protocol: tcp, address: 0.0.0.0, port: 10255, program: kubelet}]
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// kind: Host
    /// spec:
    ///   listeners: [{protocol: tcp, address: 0.0.0.0, port: 10250, program: kubelet}]
    /// ```
    ///
    /// ## Remediation
    /// Set the kubelet's `readOnlyPort: 0`, give etcd `https://` client URLs with
    /// `--client-cert-auth=true`, and stop or firewall services the node does not need.
    ///
    /// ## References
    /// - CIS Kubernetes Benchmark 1.12, 4.2.4 and 2.1–2.2
    /// - NSA/CISA Kubernetes Hardening Guide (network separation)
    pub struct ExposedListener {
        id: "HOST007",
        name: "exposed-listener",
        severity: Medium,
        summary: "The node listens where it should not",
        controls: ["cncf:8", "nsa:network-separation"],
        pss: None,
    }
}

/// Programs a Kubernetes node runs that listen by design.
const EXPECTED: &[&str] = &[
    "kubelet", "kube-proxy", "kube-apiserver", "kube-controller-manager", "kube-scheduler", "etcd", "containerd", "dockerd",
    "crio", "sshd", "coredns", "calico-node", "bird", "cilium-agent", "flanneld", "konnectivity-agent", "chronyd",
];

fn loopback(address: &str) -> bool {
    address.starts_with("127.") || address == "::1" || address == "localhost"
}

impl Check for ExposedListener {
    fn check(&self, cx: &Context, t: &Target, out: &mut Vec<Violation>) {
        let Some(spec) = super::host(t) else { return };
        let extra = &cx.settings().node_services;
        let mut push = |path: FieldPath, severity: Severity, message: String| {
            let mut v = Violation::new(path, format!("{}: {message}", t.what()));
            v.severity = Some(severity);
            out.push(v);
        };
        for (i, l) in spec.get("listeners").map(Node::items).unwrap_or(&[]).iter().enumerate() {
            let (address, port) = (l.get("address").map(Node::display_scalar).unwrap_or_default(), l.get("port").and_then(Node::as_i64).unwrap_or(0));
            let program = l.get("program").and_then(Node::as_str);
            let at = FieldPath::root().keys(&["spec", "listeners"]).index(i);
            let shown = program.unwrap_or("an unknown program");
            match (program, port) {
                (Some("kubelet"), 10255) => push(at, Severity::High, format!("the kubelet's read-only port listens on {address}:10255, serving every pod's spec without authentication")),
                (Some("kube-apiserver"), 8080) => push(at, Severity::Critical, format!("kube-apiserver's insecure port listens on {address}:8080, without authentication or authorization")),
                _ if loopback(&address) => {}
                (Some(p), _) if EXPECTED.contains(&p) || extra.iter().any(|e| e == p) => {}
                _ => push(at, Severity::Low, format!("{shown} listens on {address}:{port}/{}", l.get("protocol").map(Node::display_scalar).unwrap_or_default())),
            }
        }
        for (i, p) in spec.get("processes").map(Node::items).unwrap_or(&[]).iter().enumerate() {
            let argv: Vec<String> = p.get("argv").map(Node::items).unwrap_or(&[]).iter().map(Node::display_scalar).collect();
            if !palisade_analysis::controlplane::runs(&argv, "etcd") {
                continue;
            }
            let flags = Flags::parse(&argv[1..]);
            for url in flags.list("listen-client-urls").unwrap_or_default() {
                let host = url.strip_prefix("http://").map(|rest| rest.split(':').next().unwrap_or(""));
                if let Some(host) = host.filter(|h| !loopback(h)) {
                    let path = FieldPath::root().keys(&["spec", "processes"]).index(i).key("argv").index(flags.index("listen-client-urls").map(|j| j + 1).unwrap_or(0));
                    push(path, Severity::Critical, format!("etcd serves clients over plain HTTP on {host} ({url}): every Secret of the cluster, readable from the network"));
                }
            }
        }
    }
}
