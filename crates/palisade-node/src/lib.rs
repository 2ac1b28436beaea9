//! The node source: a host read under a root directory (`/`, a mounted image, or a fixture
//! tree), read-only, described as one `palisade.io/v1` `Host` object — its name, the
//! command lines of the Kubernetes processes it runs (from `/proc/*/cmdline`), and the mode
//! and owner of every file the CIS Benchmark's node checks are about — that the engine
//! judges like any other object: CP001–CP004 judge the processes' flags with the same code
//! that judges static pods, NODE001–NODE002 the files.

pub mod host;
pub mod systemd;

use palisade_analysis::controlplane::files::paths_to_stat;
use palisade_analysis::controlplane::{runs, Component};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

/// The host under `root`.
pub struct Host {
    root: PathBuf,
}

/// Names of user or group ids, from `etc/passwd` or `etc/group` under the root.
fn names(root: &Path, file: &str) -> HashMap<u32, String> {
    let text = std::fs::read_to_string(root.join("etc").join(file)).unwrap_or_default();
    text.lines()
        .filter_map(|l| {
            let mut f = l.split(':');
            let name = f.next()?;
            let id = f.nth(1)?.parse().ok()?;
            Some((id, name.to_string()))
        })
        .collect()
}

impl Host {
    pub fn new(root: impl Into<PathBuf>) -> Host {
        Host { root: root.into() }
    }

    /// A path of the host (`/etc/kubernetes`) under the root.
    fn under(&self, path: &str) -> PathBuf {
        self.root.join(path.trim_start_matches('/'))
    }

    /// The host's name: `/etc/hostname`, else the kernel's, else `node`.
    pub fn name(&self) -> String {
        ["etc/hostname", "proc/sys/kernel/hostname"]
            .iter()
            .find_map(|p| std::fs::read_to_string(self.root.join(p)).ok())
            .map(|t| t.trim().to_string())
            .filter(|t| !t.is_empty())
            .unwrap_or_else(|| "node".into())
    }

    /// The names of every program running on the host (`sshd`, `auditd`, …), sorted.
    fn programs(all: &[(u32, Vec<String>)]) -> Vec<String> {
        let mut out: Vec<String> = all.iter().filter_map(|(_, argv)| argv.first().map(|p| p.rsplit('/').next().unwrap_or(p).trim_end_matches(':').to_string())).collect();
        out.sort();
        out.dedup();
        out
    }

    /// The command lines of the control-plane components and the kubelet, by pid.
    fn kubernetes_processes(all: &[(u32, Vec<String>)]) -> Vec<(u32, Vec<String>)> {
        all.iter()
            .filter(|(_, argv)| Component::of_command(argv).is_some() || runs(argv, "kubelet"))
            .cloned()
            .collect()
    }

    /// Every process's command line, by pid.
    fn command_lines(&self) -> Vec<(u32, Vec<String>)> {
        let mut out = Vec::new();
        let Ok(entries) = std::fs::read_dir(self.root.join("proc")) else { return out };
        for entry in entries.flatten() {
            let Some(pid) = entry.file_name().to_str().and_then(|n| n.parse::<u32>().ok()) else { continue };
            let Ok(raw) = std::fs::read(entry.path().join("cmdline")) else { continue };
            let argv: Vec<String> = raw.split(|b| *b == 0).filter(|a| !a.is_empty()).map(|a| String::from_utf8_lossy(a).into_owned()).collect();
            if !argv.is_empty() {
                out.push((pid, argv));
            }
        }
        out.sort();
        out
    }

    /// `user:group` of ids, by the host's own passwd and group files.
    fn owner(&self) -> impl Fn(u32, u32) -> String {
        let (users, groups) = (names(&self.root, "passwd"), names(&self.root, "group"));
        move |uid, gid| {
            let user = users.get(&uid).cloned().unwrap_or_else(|| uid.to_string());
            let group = groups.get(&gid).cloned().unwrap_or_else(|| gid.to_string());
            format!("{user}:{group}")
        }
    }

    /// Mode and owner of each path that exists (a directory of the PKI is walked).
    fn files(&self, paths: &[String]) -> Vec<Value> {
        let owner = self.owner();
        let mut out = Vec::new();
        let stat = |path: &str, out: &mut Vec<Value>| {
            let Ok(meta) = std::fs::symlink_metadata(self.under(path)) else { return None };
            out.push(json!({"path": path, "mode": format!("{:04o}", meta.mode() & 0o7777), "owner": owner(meta.uid(), meta.gid()), "directory": meta.is_dir()}));
            Some(meta.is_dir())
        };
        for path in paths {
            if stat(path, &mut out) == Some(true) && path.starts_with("/etc/kubernetes/pki") {
                let mut stack = vec![path.clone()];
                while let Some(dir) = stack.pop() {
                    let Ok(entries) = std::fs::read_dir(self.under(&dir)) else { continue };
                    let mut names: Vec<String> = entries.flatten().filter_map(|e| e.file_name().to_str().map(str::to_string)).collect();
                    names.sort();
                    for name in names {
                        let child = format!("{dir}/{name}");
                        if stat(&child, &mut out) == Some(true) {
                            stack.push(child);
                        }
                    }
                }
            }
        }
        out
    }

    /// The kubelet: its command line — the running process's, or when it does not run the
    /// one its systemd unit would start — with the unit file, drop-in or environment file
    /// each argument is written in, and its config file (`--config`, or kubeadm's
    /// `/var/lib/kubelet/config.yaml`) read as JSON with the line of each key.
    fn kubelet(&self, processes: &[(u32, Vec<String>)]) -> Value {
        let running = processes.iter().find(|(_, a)| runs(a, "kubelet"));
        let unit = systemd::unit(&self.root, "kubelet.service");
        let unit_args = unit.as_ref().and_then(|u| u.exec_start.clone()).unwrap_or_default();
        let (argv, argv_source) = match running {
            Some((pid, argv)) => (Some(argv.clone()), format!("process {pid}")),
            None if !unit_args.is_empty() => (Some(unit_args.iter().map(|a| a.value.clone()).collect()), "its systemd unit (not running)".to_string()),
            None => (None, String::new()),
        };
        let args_from: Vec<Value> = argv
            .iter()
            .flatten()
            .map(|arg| match unit_args.iter().find(|u| u.value == *arg) {
                Some(u) => json!({"file": u.origin.file, "line": u.origin.line, "via": u.origin.via}),
                None => Value::Null,
            })
            .collect();
        let flag = argv.as_ref().and_then(|a| palisade_analysis::controlplane::Flags::parse(&a[1..]).get("config").map(str::to_string));
        let path = flag.or_else(|| argv.is_none().then(|| "/var/lib/kubelet/config.yaml".to_string()));
        let (mut config, mut lines, mut problem) = (Value::Null, Value::Null, None);
        match path.as_deref().map(|p| std::fs::read(self.under(p))) {
            Some(Ok(bytes)) => match palisade_source::Document::load_all(&bytes, &palisade_source::Limits::default()).into_iter().next() {
                Some(Ok(doc)) => {
                    config = palisade_source::json::json_of(&doc.root);
                    lines = Value::Object(palisade_source::json::key_lines(&doc.root));
                }
                Some(Err(e)) => problem = Some(e.to_string()),
                None => {}
            },
            Some(Err(e)) if argv.is_some() => problem = Some(e.to_string()),
            _ => {}
        }
        if argv.is_none() && config.is_null() {
            return Value::Null;
        }
        json!({
            "argv": argv, "argv_source": argv_source, "args_from": args_from,
            "unit_files": unit.map(|u| u.files).unwrap_or_default(),
            "config_path": path, "config": config, "config_lines": lines, "config_problem": problem,
        })
    }

    /// The `Host` object.
    pub fn describe(&self) -> Value {
        let all = self.command_lines();
        let processes = Host::kubernetes_processes(&all);
        let kubelet = self.kubelet(&processes);
        let mut argvs: Vec<Vec<String>> = processes.iter().map(|(_, a)| a.clone()).collect();
        if !processes.iter().any(|(_, a)| runs(a, "kubelet")) {
            // The kubelet's files are still the unit's, when it does not run.
            argvs.extend(serde_json::from_value::<Vec<String>>(kubelet["argv"].clone()).ok());
        }
        let config = palisade_source::json::node_of(&kubelet["config"]);
        let client_ca = palisade_analysis::controlplane::files::kubelet_client_ca(&argvs, Some(&config));
        let files = self.files(&paths_to_stat(&argvs, client_ca.as_deref()));
        json!({
            "apiVersion": "palisade.io/v1",
            "kind": "Host",
            "metadata": {"name": self.name()},
            "spec": {
                "root": self.root.display().to_string(),
                "processes": processes.iter().map(|(pid, argv)| json!({"pid": pid, "argv": argv})).collect::<Vec<_>>(),
                "files": files,
                "kubelet": kubelet,
                "programs": Host::programs(&all),
                "sshd": host::sshd(&self.root),
                "lsm": host::lsm(&self.root),
                "sysctls": host::sysctls(&self.root),
                "runtime_sockets": host::runtime_sockets(&self.root, &self.owner()),
                "docker_group": host::docker_group(&self.root),
                "listeners": host::listeners(&self.root),
                "services": systemd::enabled_services(&self.root),
            }
        })
    }
}
