//! The host hardening facts of a node: sshd's effective configuration, the Linux security
//! module, kernel sysctls, container-runtime sockets, the `docker` group, and which programs
//! run — read under the root, never written.

use serde_json::{json, Map, Value};
use std::os::unix::fs::MetadataExt;
use std::path::Path;

/// sshd keywords the HOST rules read (lower case, as sshd compares them).
const SSHD_KEYS: &[&str] = &[
    "permitrootlogin", "passwordauthentication", "kbdinteractiveauthentication", "challengeresponseauthentication",
    "authenticationmethods", "x11forwarding", "usepam", "permitemptypasswords",
];

/// sysctls that harden the kernel, read from `/proc/sys`.
pub const SYSCTLS: &[&str] = &[
    "kernel.kptr_restrict", "kernel.dmesg_restrict", "kernel.unprivileged_bpf_disabled", "kernel.yama.ptrace_scope",
    "kernel.randomize_va_space", "fs.protected_hardlinks", "fs.protected_symlinks", "fs.suid_dumpable",
    "net.ipv4.conf.all.accept_redirects", "net.ipv4.conf.all.send_redirects", "net.ipv4.conf.all.rp_filter",
    "net.ipv4.conf.all.accept_source_route",
];

const RUNTIME_SOCKETS: &[&str] = &["/run/containerd/containerd.sock", "/var/run/docker.sock", "/run/docker.sock", "/run/crio/crio.sock", "/var/run/crio/crio.sock"];

/// Reads one sshd config file into `settings` (first value wins, as sshd reads them),
/// following `Include` (relative to /etc/ssh, with `*` globs); stops at the first `Match`,
/// whose settings are conditional.
fn sshd_file(root: &Path, path: &str, settings: &mut Map<String, Value>, depth: usize) -> bool {
    let Ok(text) = std::fs::read_to_string(root.join(path.trim_start_matches('/'))) else { return false };
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (key, value) = line.split_once(|c: char| c.is_whitespace() || c == '=').map(|(k, v)| (k, v.trim().trim_start_matches('=').trim())).unwrap_or((line, ""));
        let key = key.to_ascii_lowercase();
        if key == "match" {
            return true;
        }
        if key == "include" && depth < 8 {
            for pattern in value.split_whitespace() {
                let pattern = if pattern.starts_with('/') { pattern.to_string() } else { format!("/etc/ssh/{pattern}") };
                for file in glob(root, &pattern) {
                    if sshd_file(root, &file, settings, depth + 1) {
                        return true;
                    }
                }
            }
            continue;
        }
        if SSHD_KEYS.contains(&key.as_str()) && !settings.contains_key(&key) {
            settings.insert(key, json!({"value": value, "file": path, "line": n + 1}));
        }
    }
    false
}

/// Files matching a path whose last part may hold `*` (sshd's Include), sorted.
fn glob(root: &Path, pattern: &str) -> Vec<String> {
    let (dir, name) = pattern.rsplit_once('/').unwrap_or(("", pattern));
    if !name.contains('*') {
        return vec![pattern.to_string()];
    }
    let (prefix, suffix) = name.split_once('*').unwrap_or((name, ""));
    let mut out: Vec<String> = std::fs::read_dir(root.join(dir.trim_start_matches('/')))
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| e.file_name().to_str().map(str::to_string))
        .filter(|n| n.starts_with(prefix) && n.ends_with(suffix))
        .map(|n| format!("{dir}/{n}"))
        .collect();
    out.sort();
    out
}

/// sshd's effective settings, and whether a PAM one-time-password module guards it.
pub fn sshd(root: &Path) -> Value {
    let mut settings = Map::new();
    if !root.join("etc/ssh/sshd_config").exists() {
        return Value::Null;
    }
    sshd_file(root, "/etc/ssh/sshd_config", &mut settings, 0);
    let pam = std::fs::read_to_string(root.join("etc/pam.d/sshd")).unwrap_or_default();
    let otp = ["pam_google_authenticator.so", "pam_oath.so", "pam_duo.so", "pam_u2f.so", "pam_yubico.so"].iter().find(|m| pam.lines().any(|l| !l.trim_start().starts_with('#') && l.contains(*m)));
    json!({"settings": settings, "pam_second_factor": otp})
}

fn read_trim(root: &Path, path: &str) -> Option<String> {
    std::fs::read_to_string(root.join(path)).ok().map(|t| t.trim().to_string())
}

/// AppArmor and SELinux.
pub fn lsm(root: &Path) -> Value {
    let apparmor = read_trim(root, "sys/module/apparmor/parameters/enabled").map(|v| v.eq_ignore_ascii_case("y"));
    let profiles = std::fs::read_to_string(root.join("sys/kernel/security/apparmor/profiles")).ok().map(|t| t.lines().filter(|l| l.contains("(enforce)")).count());
    let selinux = read_trim(root, "sys/fs/selinux/enforce").map(|v| v == "1");
    json!({"apparmor": apparmor, "apparmor_enforcing_profiles": profiles, "selinux_enforcing": selinux})
}

/// The hardening sysctls that the kernel exposes.
pub fn sysctls(root: &Path) -> Value {
    let mut out = Map::new();
    for name in SYSCTLS {
        if let Some(v) = read_trim(root, &format!("proc/sys/{}", name.replace('.', "/"))) {
            out.insert(name.to_string(), json!(v));
        }
    }
    Value::Object(out)
}

/// Container-runtime sockets that exist, with mode and owner.
pub fn runtime_sockets(root: &Path, owner: &dyn Fn(u32, u32) -> String) -> Value {
    RUNTIME_SOCKETS
        .iter()
        .filter_map(|p| {
            let meta = std::fs::symlink_metadata(root.join(p.trim_start_matches('/'))).ok()?;
            Some(json!({"path": p, "mode": format!("{:04o}", meta.mode() & 0o7777), "owner": owner(meta.uid(), meta.gid())}))
        })
        .collect()
}

/// Members of the `docker` group (root in all but name).
pub fn docker_group(root: &Path) -> Value {
    let text = std::fs::read_to_string(root.join("etc/group")).unwrap_or_default();
    text.lines()
        .find(|l| l.starts_with("docker:"))
        .map(|l| json!(l.rsplit(':').next().unwrap_or("").split(',').filter(|m| !m.is_empty()).collect::<Vec<_>>()))
        .unwrap_or(Value::Null)
}

/// An address of `/proc/net/tcp{,6}` (`0100007F:0050`, or 32 hex digits for IPv6) as text.
fn address(hex: &str) -> Option<(String, u16)> {
    let (addr, port) = hex.split_once(':')?;
    let port = u16::from_str_radix(port, 16).ok()?;
    let words: Vec<u32> = (0..addr.len() / 8).map(|i| u32::from_str_radix(&addr[i * 8..i * 8 + 8], 16)).collect::<Result<_, _>>().ok()?;
    let text = match words.as_slice() {
        [w] => std::net::Ipv4Addr::from(w.swap_bytes()).to_string(),
        [a, b, c, d] => {
            let bytes: Vec<u8> = [a, b, c, d].iter().flat_map(|w| w.to_le_bytes()).collect();
            let octets: [u8; 16] = bytes.try_into().ok()?;
            std::net::Ipv6Addr::from(octets).to_string()
        }
        _ => return None,
    };
    Some((text, port))
}

/// The sockets listening on the host (TCP in LISTEN, UDP unconnected), each with the
/// program that holds it (through `/proc/*/fd`).
pub fn listeners(root: &Path) -> Value {
    let mut owners: std::collections::HashMap<String, (u32, String)> = std::collections::HashMap::new();
    for entry in std::fs::read_dir(root.join("proc")).into_iter().flatten().flatten() {
        let Some(pid) = entry.file_name().to_str().and_then(|n| n.parse::<u32>().ok()) else { continue };
        let program = std::fs::read(entry.path().join("cmdline"))
            .ok()
            .and_then(|raw| raw.split(|b| *b == 0).next().map(|a| String::from_utf8_lossy(a).into_owned()))
            .map(|p| p.rsplit('/').next().unwrap_or(&p).trim_end_matches(':').to_string())
            .unwrap_or_default();
        for fd in std::fs::read_dir(entry.path().join("fd")).into_iter().flatten().flatten() {
            if let Some(inode) = std::fs::read_link(fd.path()).ok().and_then(|l| l.to_str().and_then(|t| t.strip_prefix("socket:[")?.strip_suffix(']').map(str::to_string))) {
                owners.entry(inode).or_insert((pid, program.clone()));
            }
        }
    }
    let mut out = Vec::new();
    for (file, proto, listening) in [("tcp", "tcp", "0A"), ("tcp6", "tcp", "0A"), ("udp", "udp", "07"), ("udp6", "udp", "07")] {
        let Ok(text) = std::fs::read_to_string(root.join("proc/net").join(file)) else { continue };
        for line in text.lines().skip(1) {
            let f: Vec<&str> = line.split_whitespace().collect();
            if f.len() < 10 || f[3] != listening {
                continue;
            }
            let Some((addr, port)) = address(f[1]) else { continue };
            let owner = owners.get(f[9]);
            out.push(json!({"protocol": proto, "address": addr, "port": port, "pid": owner.map(|o| o.0), "program": owner.map(|o| o.1.clone())}));
        }
    }
    Value::Array(out)
}
