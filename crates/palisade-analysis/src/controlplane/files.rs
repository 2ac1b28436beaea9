//! CIS Kubernetes Benchmark 1.12 §1.1 (control-plane node files) and §4.1 (worker node
//! files): which file each check is about, the loosest mode it allows and the owner it
//! expects. The node audit stats the files ([`FileCheck::paths`] says where, with kubeadm's
//! layout as the default and the processes' flags where they name another path); the NODE
//! rules judge what it found.

use super::runs;
use palisade_core::Node;

/// Which files a check is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Subject {
    /// One file at a fixed path (kubeadm's layout).
    Path(&'static str),
    /// The first of these that exists.
    AnyOf(&'static [&'static str]),
    /// etcd's `--data-dir` (default `/var/lib/etcd`).
    EtcdDataDir,
    /// The kubelet's `--client-ca-file` (or `authentication.x509.clientCAFile`).
    KubeletClientCa,
    /// Every file and directory under `/etc/kubernetes/pki`.
    PkiAll,
    /// Every `*.crt` under `/etc/kubernetes/pki`.
    PkiCerts,
    /// Every `*.key` under `/etc/kubernetes/pki`.
    PkiKeys,
}

/// What a check requires.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Want {
    /// No permission bit beyond this mode (`0o600`).
    Mode(u32),
    /// This `user:group`.
    Owner(&'static str),
}

/// One file check.
#[derive(Clone, Copy, Debug)]
pub struct FileCheck {
    pub id: &'static str,
    pub control: &'static str,
    pub title: &'static str,
    pub severity: &'static str,
    pub subject: Subject,
    pub want: Want,
    /// What the model counts for a Host where the check's file exists (`file/1.1.1`): the
    /// compliance view calls a check whose file no audited node has not applicable.
    pub counted: &'static str,
}

macro_rules! file_check {
    ($id:literal, $severity:literal, $title:literal, $subject:expr, $want:expr) => {
        FileCheck { id: $id, control: concat!("cis-1.12:", $id), title: $title, severity: $severity, subject: $subject, want: $want, counted: concat!("file/", $id) }
    };
}

use Subject::*;
use Want::*;

const KUBELET_UNIT: &[&str] = &["/etc/systemd/system/kubelet.service.d/10-kubeadm.conf", "/usr/lib/systemd/system/kubelet.service.d/10-kubeadm.conf", "/lib/systemd/system/kubelet.service", "/etc/systemd/system/kubelet.service"];
const PROXY_KUBECONFIG: &[&str] = &["/var/lib/kube-proxy/kubeconfig.conf", "/etc/kubernetes/proxy.conf"];

/// Every file check of §1.1 and §4.1 that can be decided from the files (the CNI checks,
/// 1.1.9 and 1.1.10, depend on the network plugin's own layout and stay manual).
pub static FILE_CHECKS: &[FileCheck] = &[
    file_check!("1.1.1", "medium", "Ensure that the API server pod specification file permissions are set to 600 or more restrictive", Path("/etc/kubernetes/manifests/kube-apiserver.yaml"), Mode(0o600)),
    file_check!("1.1.2", "medium", "Ensure that the API server pod specification file ownership is set to root:root", Path("/etc/kubernetes/manifests/kube-apiserver.yaml"), Owner("root:root")),
    file_check!("1.1.3", "medium", "Ensure that the controller manager pod specification file permissions are set to 600 or more restrictive", Path("/etc/kubernetes/manifests/kube-controller-manager.yaml"), Mode(0o600)),
    file_check!("1.1.4", "medium", "Ensure that the controller manager pod specification file ownership is set to root:root", Path("/etc/kubernetes/manifests/kube-controller-manager.yaml"), Owner("root:root")),
    file_check!("1.1.5", "medium", "Ensure that the scheduler pod specification file permissions are set to 600 or more restrictive", Path("/etc/kubernetes/manifests/kube-scheduler.yaml"), Mode(0o600)),
    file_check!("1.1.6", "medium", "Ensure that the scheduler pod specification file ownership is set to root:root", Path("/etc/kubernetes/manifests/kube-scheduler.yaml"), Owner("root:root")),
    file_check!("1.1.7", "medium", "Ensure that the etcd pod specification file permissions are set to 600 or more restrictive", Path("/etc/kubernetes/manifests/etcd.yaml"), Mode(0o600)),
    file_check!("1.1.8", "medium", "Ensure that the etcd pod specification file ownership is set to root:root", Path("/etc/kubernetes/manifests/etcd.yaml"), Owner("root:root")),
    file_check!("1.1.11", "high", "Ensure that the etcd data directory permissions are set to 700 or more restrictive", EtcdDataDir, Mode(0o700)),
    file_check!("1.1.12", "medium", "Ensure that the etcd data directory ownership is set to etcd:etcd", EtcdDataDir, Owner("etcd:etcd")),
    file_check!("1.1.13", "high", "Ensure that the default administrative credential file permissions are set to 600", AnyOf(&["/etc/kubernetes/admin.conf", "/etc/kubernetes/super-admin.conf"]), Mode(0o600)),
    file_check!("1.1.14", "high", "Ensure that the default administrative credential file ownership is set to root:root", AnyOf(&["/etc/kubernetes/admin.conf", "/etc/kubernetes/super-admin.conf"]), Owner("root:root")),
    file_check!("1.1.15", "medium", "Ensure that the scheduler.conf file permissions are set to 600 or more restrictive", Path("/etc/kubernetes/scheduler.conf"), Mode(0o600)),
    file_check!("1.1.16", "medium", "Ensure that the scheduler.conf file ownership is set to root:root", Path("/etc/kubernetes/scheduler.conf"), Owner("root:root")),
    file_check!("1.1.17", "medium", "Ensure that the controller-manager.conf file permissions are set to 600 or more restrictive", Path("/etc/kubernetes/controller-manager.conf"), Mode(0o600)),
    file_check!("1.1.18", "medium", "Ensure that the controller-manager.conf file ownership is set to root:root", Path("/etc/kubernetes/controller-manager.conf"), Owner("root:root")),
    file_check!("1.1.19", "medium", "Ensure that the Kubernetes PKI directory and file ownership is set to root:root", PkiAll, Owner("root:root")),
    file_check!("1.1.20", "low", "Ensure that the Kubernetes PKI certificate file permissions are set to 644 or more restrictive", PkiCerts, Mode(0o644)),
    file_check!("1.1.21", "high", "Ensure that the Kubernetes PKI key file permissions are set to 600", PkiKeys, Mode(0o600)),
    file_check!("4.1.1", "medium", "Ensure that the kubelet service file permissions are set to 600 or more restrictive", AnyOf(KUBELET_UNIT), Mode(0o600)),
    file_check!("4.1.2", "medium", "Ensure that the kubelet service file ownership is set to root:root", AnyOf(KUBELET_UNIT), Owner("root:root")),
    file_check!("4.1.3", "medium", "If proxy kubeconfig file exists ensure permissions are set to 600 or more restrictive", AnyOf(PROXY_KUBECONFIG), Mode(0o600)),
    file_check!("4.1.4", "medium", "If proxy kubeconfig file exists ensure ownership is set to root:root", AnyOf(PROXY_KUBECONFIG), Owner("root:root")),
    file_check!("4.1.5", "high", "Ensure that the --kubeconfig kubelet.conf file permissions are set to 600 or more restrictive", Path("/etc/kubernetes/kubelet.conf"), Mode(0o600)),
    file_check!("4.1.6", "medium", "Ensure that the --kubeconfig kubelet.conf file ownership is set to root:root", Path("/etc/kubernetes/kubelet.conf"), Owner("root:root")),
    file_check!("4.1.7", "low", "Ensure that the certificate authorities file permissions are set to 644 or more restrictive", KubeletClientCa, Mode(0o644)),
    file_check!("4.1.8", "medium", "Ensure that the client certificate authorities file ownership is set to root:root", KubeletClientCa, Owner("root:root")),
    file_check!("4.1.9", "high", "If the kubelet config.yaml configuration file is being used validate permissions set to 600 or more restrictive", Path("/var/lib/kubelet/config.yaml"), Mode(0o600)),
    file_check!("4.1.10", "medium", "If the kubelet config.yaml configuration file is being used validate file ownership is set to root:root", Path("/var/lib/kubelet/config.yaml"), Owner("root:root")),
];

/// What the node audit found of one file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileFacts {
    pub path: String,
    /// Permission bits (`0o644`).
    pub mode: u32,
    /// `user:group`, by name where the host's passwd and group files know the ids.
    pub owner: String,
}

/// A file failing a check: the reason.
pub fn judge(want: Want, file: &FileFacts) -> Option<String> {
    match want {
        Mode(max) if file.mode & !max != 0 => Some(format!("{} has mode {:o}, looser than {:o}", file.path, file.mode, max)),
        Owner(owner) if file.owner != owner => Some(format!("{} is owned by {}, not {owner}", file.path, file.owner)),
        _ => None,
    }
}

const PKI: &str = "/etc/kubernetes/pki";

/// The flag `name` of the first process running `program` (`etcd`, `kubelet`).
fn process_flag(processes: &[Vec<String>], program: &str, name: &str) -> Option<String> {
    processes
        .iter()
        .find(|argv| runs(argv, program))
        .and_then(|argv| super::Flags::parse(&argv[1..]).get(name).map(str::to_string))
}

/// The kubelet's client CA file: its `--client-ca-file` (among the command lines), else
/// its config file's `authentication.x509.clientCAFile`.
pub fn kubelet_client_ca(processes: &[Vec<String>], config: Option<&Node>) -> Option<String> {
    process_flag(processes, "kubelet", "client-ca-file")
        .or_else(|| config?.get_path(&["authentication", "x509", "clientCAFile"]).and_then(Node::as_str).map(str::to_string))
}

/// What a node's file checks read from its `Host`: the files found (with their index in
/// `spec.files`), the Kubernetes processes' command lines (the kubelet's from its unit when
/// it does not run) and the kubelet's client CA file.
pub struct NodeFiles {
    pub files: Vec<(usize, FileFacts)>,
    pub processes: Vec<Vec<String>>,
    pub kubelet_client_ca: Option<String>,
}

impl NodeFiles {
    pub fn of_host(spec: &Node) -> NodeFiles {
        let files = spec
            .get("files")
            .map(Node::items)
            .unwrap_or(&[])
            .iter()
            .enumerate()
            .filter_map(|(i, f)| {
                let mode = u32::from_str_radix(f.get("mode")?.as_str()?, 8).ok()?;
                Some((i, FileFacts { path: f.get("path")?.as_str()?.to_string(), mode, owner: f.get("owner").map(Node::display_scalar).unwrap_or_default() }))
            })
            .collect();
        let argv = |p: &Node| -> Vec<String> { p.get("argv").map(Node::items).unwrap_or(&[]).iter().map(Node::display_scalar).collect() };
        let mut processes: Vec<Vec<String>> = spec.get("processes").map(Node::items).unwrap_or(&[]).iter().map(argv).collect();
        let kubelet = spec.get("kubelet").filter(|k| !k.is_null());
        if !processes.iter().any(|a| runs(a, "kubelet")) {
            processes.extend(kubelet.map(argv).filter(|a| !a.is_empty()));
        }
        let kubelet_client_ca = kubelet_client_ca(&processes, kubelet.and_then(|k| k.get("config")));
        NodeFiles { files, processes, kubelet_client_ca }
    }

    /// The files `check` is about (none when they do not exist: "if it exists").
    pub fn paths(&self, check: &FileCheck) -> Vec<&FileFacts> {
        let find = |p: &str| self.files.iter().map(|(_, f)| f).find(|f| f.path == p);
        let all = self.files.iter().map(|(_, f)| f);
        match check.subject {
            Path(p) => find(p).into_iter().collect(),
            AnyOf(ps) => ps.iter().find_map(|p| find(p)).into_iter().collect(),
            EtcdDataDir => find(&process_flag(&self.processes, "etcd", "data-dir").unwrap_or_else(|| "/var/lib/etcd".into())).into_iter().collect(),
            KubeletClientCa => self.kubelet_client_ca.as_deref().and_then(find).into_iter().collect(),
            PkiAll => all.filter(|f| f.path == PKI || f.path.starts_with(&format!("{PKI}/"))).collect(),
            PkiCerts => all.filter(|f| f.path.starts_with(&format!("{PKI}/")) && f.path.ends_with(".crt")).collect(),
            PkiKeys => all.filter(|f| f.path.starts_with(&format!("{PKI}/")) && f.path.ends_with(".key")).collect(),
        }
    }

    /// The index in `spec.files` of a file.
    pub fn index(&self, file: &FileFacts) -> usize {
        self.files.iter().find(|(_, f)| f.path == file.path).map(|(i, _)| *i).unwrap_or(0)
    }
}

/// Every path the node audit should stat, given the processes' command lines (etcd's data
/// directory comes from its flag) and the kubelet's client CA file; the PKI directory is
/// read recursively by the audit.
pub fn paths_to_stat(processes: &[Vec<String>], kubelet_client_ca: Option<&str>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for check in FILE_CHECKS {
        match check.subject {
            Path(p) => out.push(p.into()),
            AnyOf(ps) => out.extend(ps.iter().map(|p| p.to_string())),
            EtcdDataDir => out.push(process_flag(processes, "etcd", "data-dir").unwrap_or_else(|| "/var/lib/etcd".into())),
            KubeletClientCa => out.extend(kubelet_client_ca.map(str::to_string)),
            PkiAll | PkiCerts | PkiKeys => out.push(PKI.into()),
        }
    }
    out.sort();
    out.dedup();
    out
}
