use palisade_core::{Context, FieldPath, Node, Severity, Target, Violation};
use crate::check::Check;

declare_rule! {
    /// ## What it does
    /// Flags each service a node (from `palisade node`) enables at boot — the `*.service`
    /// links in the `*.wants/` directories of `/etc/systemd/system` — that is not among the
    /// services a Kubernetes node needs: the kubelet and container runtimes, sshd, time,
    /// logging, audit, cron, networking, cloud agents, storage initiators and systemd's
    /// own. `node: {services: [...]}` in `palisade.yaml` names more that are meant to run.
    /// Services that serve files, mail, printing or discovery to the network (telnet, FTP,
    /// NFS, Samba, rpcbind, CUPS, Avahi, an MTA, a web server) are medium, the rest low.
    ///
    /// ## Why is this bad?
    /// Every service a node runs is code an attacker on the network, or in a container that
    /// escaped, can reach. The CIS distribution benchmarks and the NSA/CISA hardening guide
    /// both say: disable what the node does not need.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Host
    /// spec: {services: [containerd, kubelet, rpcbind, ssh]}
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// kind: Host
    /// spec: {services: [containerd, kubelet, ssh]}
    /// ```
    ///
    /// ## Remediation
    /// `systemctl disable --now NAME` (and `systemctl mask NAME` so nothing starts it), or
    /// remove the package; if the service is meant to run, add it to `node.services`.
    ///
    /// ## References
    /// - CNCF Cloud Native Security Whitepaper (host hardening)
    /// - CIS Distribution Independent Linux Benchmark, section 2.2 (special purpose services)
    pub struct UnneededService {
        id: "HOST008",
        name: "unneeded-service",
        severity: Low,
        summary: "The node enables a service a Kubernetes node does not need",
        controls: ["cncf:8"],
        pss: None,
    }
}

/// Services a Kubernetes node needs or that come with every base system.
const NEEDED: &[&str] = &[
    "kubelet", "kube-proxy", "containerd", "docker", "crio", "cri-docker", "etcd", "ssh", "sshd", "chrony", "chronyd", "ntp",
    "ntpd", "ntpsec", "auditd", "rsyslog", "syslog-ng", "cron", "crond", "anacron", "dbus", "getty", "serial-getty", "console-getty",
    "NetworkManager", "NetworkManager-wait-online", "NetworkManager-dispatcher", "networking", "network", "networkd-dispatcher", "wicked",
    "cloud-init", "cloud-init-local", "cloud-config", "cloud-final", "cloud-init-main", "cloud-init-network", "amazon-ssm-agent",
    "google-guest-agent", "google-osconfig-agent", "walinuxagent", "waagent", "qemu-guest-agent", "open-vm-tools", "vmtoolsd",
    "irqbalance", "apparmor", "firewalld", "ufw", "nftables", "iptables", "ip6tables", "netfilter-persistent", "lvm2-monitor",
    "multipathd", "iscsid", "open-iscsi", "unattended-upgrades", "e2scrub_reap", "kmod", "keyboard-setup", "console-setup",
    "setvtrgb", "haveged", "rngd", "tuned", "keepalived", "haproxy", "kdump", "kdump-tools", "sysstat", "smartd", "mdmonitor",
    "rc-local", "ondemand", "grub-common", "grub-initrd-fallback", "blk-availability", "dm-event", "remote-fs", "ec2-instance-connect",
];

/// Services that serve something to the network a node should not offer.
const RISKY: &[&str] = &[
    "telnet", "telnetd", "inetd", "xinetd", "vsftpd", "proftpd", "pure-ftpd", "tftpd-hpa", "tftp", "nfs-server", "nfs-kernel-server",
    "rpcbind", "smbd", "nmbd", "samba", "cups", "cups-browsed", "avahi-daemon", "postfix", "exim4", "sendmail", "apache2", "httpd",
    "nginx", "lighttpd", "squid", "snmpd", "named", "bind9", "dnsmasq", "slapd", "ypserv", "rsync", "rsh", "rlogin", "talk",
];

impl Check for UnneededService {
    fn check(&self, cx: &Context, t: &Target, out: &mut Vec<Violation>) {
        let Some(spec) = super::host(t) else { return };
        let extra = &cx.settings().node_services;
        for (i, service) in spec.get("services").map(Node::items).unwrap_or(&[]).iter().enumerate() {
            let Some(name) = service.as_str() else { continue };
            if name.starts_with("systemd-") || NEEDED.contains(&name) || extra.iter().any(|e| e == name) {
                continue;
            }
            let risky = RISKY.contains(&name);
            let what = if risky { "it serves the network, and a Kubernetes node has no use for it" } else { "not a service a Kubernetes node needs" };
            let mut v = Violation::new(FieldPath::root().keys(&["spec", "services"]).index(i), format!("{} enables the service {name} at boot: {what} (name it in `node.services` of palisade.yaml if it is meant to run)", t.what()));
            v.severity = Some(if risky { Severity::Medium } else { Severity::Low });
            out.push(v);
        }
    }
}
