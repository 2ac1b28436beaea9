//! systemd units read as systemd reads them, under the root: a unit file and its drop-ins
//! (`NAME.d/*.conf`, in file-name order, a drop-in in `/etc` masking one of the same name in
//! `/usr/lib`), `Environment=` and `EnvironmentFile=` (the files win over `Environment=`,
//! later over earlier), and the last `ExecStart=` after any reset, with `$VAR` (split into
//! words) and `${VAR}` (one word) expanded. Every argument remembers the file and line it
//! was written on, so a finding can say which drop-in set a flag. Also: which services are
//! enabled (the `*.wants/` links).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Unit directories, highest precedence first.
const UNIT_DIRS: &[&str] = &["/etc/systemd/system", "/run/systemd/system", "/usr/local/lib/systemd/system", "/lib/systemd/system", "/usr/lib/systemd/system"];

/// Where a piece of the unit was written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Origin {
    pub file: String,
    pub line: usize,
    /// The environment variable the argument came through, if any.
    pub via: Option<String>,
}

/// One argument of `ExecStart=`, expanded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Arg {
    pub value: String,
    pub origin: Origin,
}

/// A unit as systemd would start it.
#[derive(Clone, Debug, Default)]
pub struct Unit {
    /// The unit file, its drop-ins and the environment files that exist, in reading order.
    pub files: Vec<String>,
    /// The command line `ExecStart=` runs, when the unit has one.
    pub exec_start: Option<Vec<Arg>>,
}

fn read(root: &Path, path: &str) -> Option<String> {
    std::fs::read_to_string(root.join(path.trim_start_matches('/'))).ok()
}

/// The logical lines of a unit file (continuations joined), with their first line number.
fn lines(text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut pending: Option<(usize, String)> = None;
    for (n, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if pending.is_none() && (line.starts_with('#') || line.starts_with(';')) {
            continue;
        }
        let (start, mut acc) = pending.take().unwrap_or((n + 1, String::new()));
        match line.strip_suffix('\\') {
            Some(head) => {
                acc.push_str(head);
                acc.push(' ');
                pending = Some((start, acc));
            }
            None => {
                acc.push_str(line);
                out.push((start, acc));
            }
        }
    }
    out.extend(pending);
    out
}

/// Words of a command line or an `Environment=` value, with systemd's quoting.
fn words(text: &str) -> Vec<String> {
    let (mut out, mut word, mut quote, mut started) = (Vec::new(), String::new(), None::<char>, false);
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match (quote, c) {
            (None, c) if c.is_whitespace() => {
                if started {
                    out.push(std::mem::take(&mut word));
                    started = false;
                }
            }
            (None, '"' | '\'') => {
                quote = Some(c);
                started = true;
            }
            (Some(q), c) if c == q => quote = None,
            (_, '\\') => {
                if let Some(next) = chars.next() {
                    word.push(next);
                }
                started = true;
            }
            (_, c) => {
                word.push(c);
                started = true;
            }
        }
    }
    if started {
        out.push(word);
    }
    out
}

/// `KEY=VALUE` lines of an environment file.
fn environment_file(text: &str) -> Vec<(usize, String, String)> {
    text.lines()
        .enumerate()
        .filter_map(|(n, line)| {
            let line = line.trim();
            let line = line.strip_prefix("export ").unwrap_or(line);
            if line.starts_with('#') || line.starts_with(';') {
                return None;
            }
            let (key, value) = line.split_once('=')?;
            let value = value.trim();
            let value = value.strip_prefix('"').and_then(|v| v.strip_suffix('"')).or_else(|| value.strip_prefix('\'').and_then(|v| v.strip_suffix('\''))).unwrap_or(value);
            Some((n + 1, key.trim().to_string(), value.to_string()))
        })
        .collect()
}

/// Expands one word of `ExecStart=`: `$VAR` alone becomes the value's words, `${VAR}` and
/// `$VAR` inside a word are replaced in place.
fn expand(word: &str, at: &Origin, env: &BTreeMap<String, (String, Origin)>, out: &mut Vec<Arg>) {
    if let Some(name) = word.strip_prefix('$').filter(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')) {
        if let Some((value, origin)) = env.get(name) {
            let origin = Origin { via: Some(name.to_string()), ..origin.clone() };
            out.extend(value.split_whitespace().map(|w| Arg { value: w.to_string(), origin: origin.clone() }));
        }
        return;
    }
    let (mut value, mut via, mut rest) = (String::new(), None, word);
    while let Some(i) = rest.find('$') {
        value.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        let (name, tail) = match after.strip_prefix('{').and_then(|a| a.split_once('}')) {
            Some((name, tail)) => (name, tail),
            None => {
                let end = after.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(after.len());
                (&after[..end], &after[end..])
            }
        };
        if name.is_empty() {
            value.push('$');
        } else if let Some((v, origin)) = env.get(name) {
            value.push_str(v);
            via = Some(Origin { via: Some(name.to_string()), ..origin.clone() });
        }
        rest = tail;
    }
    value.push_str(rest);
    out.push(Arg { value, origin: via.unwrap_or_else(|| at.clone()) });
}

/// The unit file and drop-ins of `name` (`kubelet.service`), in reading order.
fn unit_files(root: &Path, name: &str) -> Vec<String> {
    let mut files: Vec<String> = UNIT_DIRS.iter().map(|d| format!("{d}/{name}")).filter(|p| read(root, p).is_some()).take(1).collect();
    let mut drop_ins: BTreeMap<String, String> = BTreeMap::new();
    for dir in UNIT_DIRS.iter().rev() {
        let d = format!("{dir}/{name}.d");
        for entry in std::fs::read_dir(root.join(d.trim_start_matches('/'))).into_iter().flatten().flatten() {
            if let Some(file) = entry.file_name().to_str().filter(|f| f.ends_with(".conf")) {
                drop_ins.insert(file.to_string(), format!("{d}/{file}"));
            }
        }
    }
    files.extend(drop_ins.into_values());
    files
}

/// The unit `name` as systemd would start it, or `None` when no file of it exists.
pub fn unit(root: &Path, name: &str) -> Option<Unit> {
    let files = unit_files(root, name);
    if files.is_empty() {
        return None;
    }
    let mut env: BTreeMap<String, (String, Origin)> = BTreeMap::new();
    let mut env_files: Vec<(String, Origin)> = Vec::new();
    let mut exec: Option<(String, Origin)> = None;
    for file in &files {
        let text = read(root, file).unwrap_or_default();
        let mut service = false;
        for (line, text) in lines(&text) {
            if text.starts_with('[') {
                service = text == "[Service]";
                continue;
            }
            let Some((key, value)) = text.split_once('=').filter(|_| service) else { continue };
            let at = Origin { file: file.clone(), line, via: None };
            match key.trim() {
                "Environment" => {
                    for assignment in words(value) {
                        if let Some((k, v)) = assignment.split_once('=') {
                            env.insert(k.to_string(), (v.to_string(), at.clone()));
                        }
                    }
                }
                "EnvironmentFile" if value.trim().is_empty() => env_files.clear(),
                "EnvironmentFile" => env_files.push((value.trim().trim_start_matches('-').to_string(), at)),
                "ExecStart" if value.trim().is_empty() => exec = None,
                "ExecStart" => exec = Some((value.trim().to_string(), at)),
                _ => {}
            }
        }
    }
    let mut read_files = files;
    for (path, _) in env_files {
        let Some(text) = read(root, &path) else { continue };
        for (line, key, value) in environment_file(&text) {
            env.insert(key, (value, Origin { file: path.clone(), line, via: None }));
        }
        read_files.push(path);
    }
    let exec_start = exec.map(|(command, at)| {
        let command = command.trim_start_matches(['-', '@', '+', '!', ':']);
        let mut args = Vec::new();
        for word in words(command) {
            expand(&word, &at, &env, &mut args);
        }
        args
    });
    Some(Unit { files: read_files, exec_start })
}

/// The services enabled to start at boot: the `*.service` links in the `*.wants/`
/// directories of `/etc/systemd/system`, without the `.service` suffix and any `@instance`.
pub fn enabled_services(root: &Path) -> Option<Vec<String>> {
    let dir = root.join("etc/systemd/system");
    let entries = std::fs::read_dir(&dir).ok()?;
    let mut out = BTreeSet::new();
    for wants in entries.flatten().filter(|e| e.file_name().to_str().is_some_and(|n| n.ends_with(".wants") || n.ends_with(".requires"))) {
        for link in std::fs::read_dir(wants.path()).into_iter().flatten().flatten() {
            let name = link.file_name().to_string_lossy().into_owned();
            if let Some(service) = name.strip_suffix(".service") {
                out.insert(service.split('@').next().unwrap_or(service).to_string());
            }
        }
    }
    Some(out.into_iter().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A root tree, removed when the test ends.
    struct Tree(std::path::PathBuf);

    impl std::ops::Deref for Tree {
        type Target = std::path::Path;
        fn deref(&self) -> &std::path::Path {
            &self.0
        }
    }

    impl Drop for Tree {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    /// A fresh root tree holding `files`.
    fn tree(name: &str, files: &[(&str, &str)]) -> Tree {
        let root = std::env::temp_dir().join(format!("palisade-systemd-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        for (path, text) in files {
            let p = root.join(path.trim_start_matches('/'));
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        }
        Tree(root)
    }

    #[test]
    fn kubeadm_drop_in_expands_with_the_file_and_line_of_each_flag() {
        let root = tree("kubeadm", &[
            ("/lib/systemd/system/kubelet.service", "[Unit]\nDescription=kubelet\n[Service]\nExecStart=/usr/bin/kubelet\nRestart=always\n"),
            (
                "/etc/systemd/system/kubelet.service.d/10-kubeadm.conf",
                "# kubeadm\n[Service]\nEnvironment=\"KUBELET_KUBECONFIG_ARGS=--bootstrap-kubeconfig=/etc/kubernetes/bootstrap-kubelet.conf --kubeconfig=/etc/kubernetes/kubelet.conf\"\nEnvironment=\"KUBELET_CONFIG_ARGS=--config=/var/lib/kubelet/config.yaml\"\nEnvironmentFile=-/var/lib/kubelet/kubeadm-flags.env\nEnvironmentFile=-/etc/default/kubelet\nExecStart=\nExecStart=/usr/bin/kubelet $KUBELET_KUBECONFIG_ARGS $KUBELET_CONFIG_ARGS \\\n  $KUBELET_KUBEADM_ARGS $KUBELET_EXTRA_ARGS\n",
            ),
            ("/var/lib/kubelet/kubeadm-flags.env", "KUBELET_KUBEADM_ARGS=\"--container-runtime-endpoint=unix:///run/containerd/containerd.sock\"\n"),
            ("/etc/default/kubelet", "# extra\nKUBELET_EXTRA_ARGS=--read-only-port=10255 --anonymous-auth=true\n"),
        ]);
        let unit = unit(&root, "kubelet.service").unwrap();
        let args = unit.exec_start.unwrap();
        let values: Vec<&str> = args.iter().map(|a| a.value.as_str()).collect();
        assert_eq!(values, [
            "/usr/bin/kubelet", "--bootstrap-kubeconfig=/etc/kubernetes/bootstrap-kubelet.conf", "--kubeconfig=/etc/kubernetes/kubelet.conf",
            "--config=/var/lib/kubelet/config.yaml", "--container-runtime-endpoint=unix:///run/containerd/containerd.sock",
            "--read-only-port=10255", "--anonymous-auth=true",
        ]);
        assert_eq!(args[0].origin, Origin { file: "/etc/systemd/system/kubelet.service.d/10-kubeadm.conf".into(), line: 8, via: None });
        assert_eq!(args[3].origin, Origin { file: "/etc/systemd/system/kubelet.service.d/10-kubeadm.conf".into(), line: 4, via: Some("KUBELET_CONFIG_ARGS".into()) });
        assert_eq!(args[5].origin, Origin { file: "/etc/default/kubelet".into(), line: 2, via: Some("KUBELET_EXTRA_ARGS".into()) });
        assert_eq!(unit.files.len(), 4, "{:?}", unit.files);
    }

    #[test]
    fn an_etc_drop_in_masks_the_one_of_the_same_name_and_environment_files_win() {
        let root = tree("mask", &[
            ("/usr/lib/systemd/system/kubelet.service", "[Service]\nEnvironment=A=from-unit\nExecStart=/usr/bin/kubelet ${A} $B\n"),
            ("/usr/lib/systemd/system/kubelet.service.d/20-x.conf", "[Service]\nEnvironment=B=--vendor\n"),
            ("/etc/systemd/system/kubelet.service.d/20-x.conf", "[Service]\nEnvironment='B=--admin --two'\nEnvironmentFile=/etc/kubelet.env\n"),
            ("/etc/kubelet.env", "A=from-file\n"),
        ]);
        let args = unit(&root, "kubelet.service").unwrap().exec_start.unwrap();
        let values: Vec<&str> = args.iter().map(|a| a.value.as_str()).collect();
        assert_eq!(values, ["/usr/bin/kubelet", "from-file", "--admin", "--two"]);
        assert!(unit(&root, "missing.service").is_none());
    }

    #[test]
    fn enabled_services_are_the_wants_links() {
        let root = tree("wants", &[
            ("/etc/systemd/system/multi-user.target.wants/kubelet.service", ""),
            ("/etc/systemd/system/multi-user.target.wants/telnetd.service", ""),
            ("/etc/systemd/system/getty.target.wants/getty@tty1.service", ""),
            ("/etc/systemd/system/sockets.target.wants/docker.socket", ""),
        ]);
        assert_eq!(enabled_services(&root).unwrap(), ["getty", "kubelet", "telnetd"]);
    }
}
