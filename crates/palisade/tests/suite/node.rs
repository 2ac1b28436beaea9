//! End-to-end tests of `palisade node`: fixture root trees for a hardened and a careless
//! control-plane node (files with modes and owners, a fake /proc with the components'
//! command lines), each check proved both ways, and a smoke run on the machine's real `/`.

use crate::common;

use common::{palisade, tempdir};
use serde_json::Value;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::Path;

/// Writes `text` at `path` under `root` with `mode`.
fn file(root: &Path, path: &str, mode: u32, text: &str) {
    let p = root.join(path.trim_start_matches('/'));
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(&p, text).unwrap();
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(mode)).unwrap();
}

fn dir(root: &Path, path: &str, mode: u32) {
    let p = root.join(path.trim_start_matches('/'));
    std::fs::create_dir_all(&p).unwrap();
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(mode)).unwrap();
}

fn process(root: &Path, pid: u32, argv: &[&str]) {
    file(root, &format!("/proc/{pid}/cmdline"), 0o444, &(argv.join("\0") + "\0"));
}

/// A node tree. The files belong to whoever runs the test; the tree's own passwd and group
/// files name that id `root` (or `deploy`), as the audit reads names from the host's files.
fn node(name: &str, hardened: bool) -> common::TempDir {
    let root = tempdir(name);
    let (tight, loose) = if hardened { (0o600, 0o600) } else { (0o600, 0o644) };
    file(&root, "/etc/hostname", 0o644, &format!("{name}\n"));
    for m in ["kube-apiserver", "kube-controller-manager", "kube-scheduler", "etcd"] {
        file(&root, &format!("/etc/kubernetes/manifests/{m}.yaml"), if m == "kube-apiserver" { loose } else { tight }, "kind: Pod\n");
    }
    file(&root, "/etc/kubernetes/admin.conf", if hardened { 0o600 } else { 0o640 }, "kind: Config\n");
    file(&root, "/etc/kubernetes/kubelet.conf", tight, "kind: Config\n");
    dir(&root, "/etc/kubernetes/pki", 0o755);
    file(&root, "/etc/kubernetes/pki/ca.crt", 0o644, "cert");
    file(&root, "/etc/kubernetes/pki/ca.key", if hardened { 0o600 } else { 0o644 }, "key");
    dir(&root, "/var/lib/etcd-data", if hardened { 0o700 } else { 0o755 });
    let uid = std::fs::metadata(root.join("etc/hostname")).unwrap().uid();
    let gid = std::fs::metadata(root.join("etc/hostname")).unwrap().gid();
    let owner = if hardened { "root" } else { "deploy" };
    file(&root, "/etc/passwd", 0o644, &format!("{owner}:x:{uid}:{gid}::/root:/bin/sh\n"));
    let docker = if hardened { "docker:x:998:\n" } else { "docker:x:998:alice,ci\n" };
    file(&root, "/etc/group", 0o644, &format!("{owner}:x:{gid}:\n{docker}"));
    process(&root, 812, &["etcd", "--data-dir=/var/lib/etcd-data", "--cert-file=/pki/s.crt", "--key-file=/pki/s.key", if hardened { "--client-cert-auth=true" } else { "--client-cert-auth=false" }, "--peer-cert-file=/pki/p.crt", "--peer-key-file=/pki/p.key", "--peer-client-cert-auth=true"]);
    process(&root, 901, &["kube-scheduler", "--bind-address=127.0.0.1", if hardened { "--profiling=false" } else { "--profiling=true" }]);
    process(&root, 1, &["/sbin/init"]);
    // Host hardening: sshd (with an Include), the LSM, sysctls, the runtime socket, groups.
    process(&root, 500, &["sshd:", "/usr/sbin/sshd", "-D"]);
    if hardened {
        process(&root, 400, &["/sbin/auditd"]);
    }
    file(&root, "/etc/ssh/sshd_config", 0o644, "Include /etc/ssh/sshd_config.d/*.conf\nPermitRootLogin yes\nPasswordAuthentication yes\n");
    let drop_in = if hardened { "PermitRootLogin no\nPasswordAuthentication no\nAuthenticationMethods publickey,keyboard-interactive\n" } else { "X11Forwarding yes\n" };
    file(&root, "/etc/ssh/sshd_config.d/10-hardening.conf", 0o644, drop_in);
    file(&root, "/sys/module/apparmor/parameters/enabled", 0o444, if hardened { "Y\n" } else { "N\n" });
    file(&root, "/sys/kernel/security/apparmor/profiles", 0o444, "cri-containerd.apparmor.d (enforce)\n");
    file(&root, "/proc/sys/kernel/kptr_restrict", 0o444, if hardened { "1\n" } else { "0\n" });
    file(&root, "/proc/sys/kernel/randomize_va_space", 0o444, "2\n");
    file(&root, "/run/containerd/containerd.sock", if hardened { 0o660 } else { 0o666 }, "");
    // The kubelet (pid 700) holds socket inode 4242; on the careless node it listens on 10255.
    let port = if hardened { "280A" } else { "280F" };
    file(&root, "/proc/net/tcp", 0o444, &format!("  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n   0: 00000000:{port} 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 4242 1 0000000000000000 100 0 0 10 0\n"));
    std::fs::create_dir_all(root.join("proc/700/fd")).unwrap();
    std::os::unix::fs::symlink("socket:[4242]", root.join("proc/700/fd/3")).unwrap();
    // The kubelet's unit as kubeadm writes it; the careless node adds a flag in /etc/default.
    file(&root, "/lib/systemd/system/kubelet.service", 0o644, "[Unit]\nDescription=kubelet\n[Service]\nExecStart=/usr/bin/kubelet\n");
    file(&root, "/etc/systemd/system/kubelet.service.d/10-kubeadm.conf", if hardened { 0o600 } else { 0o644 }, "[Service]\nEnvironment=\"KUBELET_KUBECONFIG_ARGS=--kubeconfig=/etc/kubernetes/kubelet.conf\"\nEnvironment=\"KUBELET_CONFIG_ARGS=--config=/var/lib/kubelet/config.yaml\"\nEnvironmentFile=-/etc/default/kubelet\nExecStart=\nExecStart=/usr/bin/kubelet $KUBELET_CONFIG_ARGS $KUBELET_KUBECONFIG_ARGS $KUBELET_EXTRA_ARGS\n");
    file(&root, "/etc/default/kubelet", 0o644, if hardened { "KUBELET_EXTRA_ARGS=\n" } else { "# local changes\nKUBELET_EXTRA_ARGS=--read-only-port=10255\n" });
    let mut kubelet = vec!["/usr/bin/kubelet", "--config=/var/lib/kubelet/config.yaml", "--kubeconfig=/etc/kubernetes/kubelet.conf"];
    if !hardened {
        kubelet.push("--read-only-port=10255");
    }
    process(&root, 700, &kubelet);
    // Services enabled at boot.
    for service in ["containerd", "kubelet", "ssh"].into_iter().chain((!hardened).then_some("telnetd")) {
        file(&root, &format!("/etc/systemd/system/multi-user.target.wants/{service}.service"), 0o644, "");
    }
    let anonymous = if hardened { "false" } else { "true" };
    file(&root, "/var/lib/kubelet/config.yaml", 0o600, &format!("apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\nauthentication:\n  anonymous:\n    enabled: {anonymous}\n  x509:\n    clientCAFile: /etc/kubernetes/pki/ca.crt\nauthorization:\n  mode: Webhook\ntlsCertFile: /var/lib/kubelet/pki/kubelet.crt\nrotateCertificates: true\npodPidsLimit: 4096\nseccompDefault: true\ntlsCipherSuites: [TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256]\n"));
    root
}

fn audit(root: &Path) -> (i32, Value) {
    let out = palisade(&["node", "--root", root.to_str().unwrap(), "--format", "json"], None);
    (out.code, serde_json::from_str(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}\n{}", out.stdout, out.stderr)))
}

fn controls(report: &Value) -> Vec<String> {
    let mut out: Vec<String> = report["findings"].as_array().unwrap().iter().map(|f| f["controls"][0].as_str().unwrap().to_string()).collect();
    out.sort();
    out
}

#[test]
fn a_careless_node_fails_each_check_a_hardened_one_passes() {
    let (code, careless) = audit(&node("node-careless", false));
    assert_eq!(code, 1);
    let failed = controls(&careless);
    for c in ["cis-1.12:1.1.1", "cis-1.12:1.1.11", "cis-1.12:1.1.13", "cis-1.12:1.1.21", "cis-1.12:1.1.2", "cis-1.12:1.1.19", "cis-1.12:1.1.12", "cis-1.12:2.2", "cis-1.12:1.4.1"] {
        assert!(failed.contains(&c.to_string()), "{c} fails on the careless node: {failed:?}");
    }
    let rules: std::collections::BTreeSet<&str> = careless["findings"].as_array().unwrap().iter().map(|f| f["rule"].as_str().unwrap()).collect();
    for r in ["HOST001", "HOST002", "HOST003", "HOST004", "HOST005", "HOST006", "HOST007", "HOST008"] {
        assert!(rules.contains(r), "{r} on the careless node: {rules:?}");
    }
    let listener = careless["findings"].as_array().unwrap().iter().find(|f| f["rule"] == "HOST007").unwrap();
    assert!(listener["message"].as_str().unwrap().contains("read-only port listens on 0.0.0.0:10255"), "tied to the kubelet through /proc/700/fd: {}", listener["message"]);
    let root_login = careless["findings"].as_array().unwrap().iter().find(|f| f["rule"] == "HOST001" && f["message"].as_str().unwrap().contains("PermitRootLogin")).unwrap();
    assert!(root_login["message"].as_str().unwrap().contains("(/etc/ssh/sshd_config:2)"), "the first value wins, after the Include: {}", root_login["message"]);
    let kubelet = careless["findings"].as_array().unwrap().iter().find(|f| f["controls"][0] == "cis-1.12:4.2.1").expect("anonymous kubelet");
    assert!(kubelet["message"].as_str().unwrap().contains("anonymous-auth is true, in /var/lib/kubelet/config.yaml (authentication.anonymous.enabled)"), "{}", kubelet["message"]);
    assert_eq!(kubelet["path"], "spec.kubelet.config.authentication.anonymous.enabled");
    assert_eq!(kubelet["location"]["file"], "/var/lib/kubelet/config.yaml");
    assert_eq!(kubelet["location"]["line"], 5, "the line of `enabled:` in the config file");
    let read_only = careless["findings"].as_array().unwrap().iter().find(|f| f["controls"][0] == "cis-1.12:4.2.4").expect("read-only port");
    assert!(read_only["message"].as_str().unwrap().contains("read-only-port is 10255, a flag of process 700, set in /etc/default/kubelet:2 through $KUBELET_EXTRA_ARGS"), "the flag wins over the file, and its drop-in is named: {}", read_only["message"]);
    assert_eq!((read_only["location"]["file"].as_str(), read_only["location"]["line"].as_u64()), (Some("/etc/default/kubelet"), Some(2)));
    assert_eq!(root_login["location"]["file"], "/etc/ssh/sshd_config");
    let unit = careless["findings"].as_array().unwrap().iter().find(|f| f["controls"][0] == "cis-1.12:4.1.1").expect("the kubelet unit's mode");
    assert!(unit["message"].as_str().unwrap().contains("10-kubeadm.conf has mode 644"), "{}", unit["message"]);
    let telnet = careless["findings"].as_array().unwrap().iter().find(|f| f["rule"] == "HOST008").unwrap();
    assert!(telnet["message"].as_str().unwrap().contains("telnetd"), "{}", telnet["message"]);
    assert_eq!(telnet["severity"], "medium");
    let etcd = careless["findings"].as_array().unwrap().iter().find(|f| f["controls"][0] == "cis-1.12:2.2").unwrap();
    assert_eq!(etcd["path"], "spec.processes[1].argv[4]", "at the flag of the process (only Kubernetes processes are kept, by pid: kubelet 700, etcd 812, scheduler 901)");
    assert!(etcd["message"].as_str().unwrap().starts_with("process 812 on Host node-careless runs etcd"), "{}", etcd["message"]);
    let data_dir = careless["findings"].as_array().unwrap().iter().find(|f| f["controls"][0] == "cis-1.12:1.1.11").unwrap();
    assert!(data_dir["message"].as_str().unwrap().contains("/var/lib/etcd-data has mode 755"), "the data dir etcd's flag names: {}", data_dir["message"]);

    let (code, hardened) = audit(&node("node-hardened", true));
    let left = controls(&hardened);
    // etcd's data directory must be etcd:etcd; this tree maps the owner to root.
    assert_eq!(left, ["cis-1.12:1.1.12"], "{}", hardened["findings"]);
    assert_eq!(code, 1);
    let (_, compliance) = {
        let out = palisade(&["node", "--root", node("node-cis", true).to_str().unwrap(), "--format", "json", "--framework", "cis-1.12"], None);
        (out.code, serde_json::from_str::<Value>(&out.stdout).unwrap())
    };
    let status = |id: &str| compliance["compliance"]["controls"].as_array().unwrap().iter().find(|c| c["id"] == id).unwrap()["status"].clone();
    assert_eq!(status("1.1.1"), "pass");
    assert_eq!(status("1.1.12"), "fail");
    assert_eq!(status("1.1.9"), "manual");
    assert_eq!(status("2.2"), "pass", "etcd runs on the node with client-cert auth");
    assert_eq!(status("1.2.1"), "not_applicable", "no API server process on this node");
    assert_eq!(status("4.2.1"), "pass", "the kubelet's config file turns anonymous auth off");
    assert_eq!(status("4.2.4"), "pass", "readOnlyPort defaults to 0 with a config file");
}

#[test]
fn a_kubelet_that_does_not_run_is_judged_by_the_command_line_its_unit_would_start() {
    let root = node("node-stopped", false);
    std::fs::remove_dir_all(root.join("proc/700")).unwrap();
    let (_, report) = audit(&root);
    let finding = report["findings"].as_array().unwrap().iter().find(|f| f["controls"][0] == "cis-1.12:4.2.4").expect("read-only port from the unit");
    assert!(finding["message"].as_str().unwrap().contains("a flag of its systemd unit (not running), set in /etc/default/kubelet:2"), "{}", finding["message"]);
    let anonymous = report["findings"].as_array().unwrap().iter().find(|f| f["controls"][0] == "cis-1.12:4.2.1").expect("config file named by the unit's --config");
    assert_eq!(anonymous["location"]["file"], "/var/lib/kubelet/config.yaml");
    // Without the unit either, the kubelet's files are still judged from kubeadm's default.
    std::fs::remove_dir_all(root.join("etc/systemd")).unwrap();
    std::fs::remove_dir_all(root.join("lib/systemd")).unwrap();
    let (_, report) = audit(&root);
    assert!(report["findings"].as_array().unwrap().iter().any(|f| f["controls"][0] == "cis-1.12:4.2.1"), "{}", report["findings"]);
}

#[test]
fn the_real_root_of_this_machine_is_audited_cleanly() {
    let out = palisade(&["node", "--format", "json"], None);
    assert!(out.code == 0 || out.code == 1, "{}", out.stderr);
    let v: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(v["summary"]["objects"], 1, "one Host");
    assert_eq!(v["errors"], serde_json::json!([]));
    let out = palisade(&["node", "--root", "/nonexistent"], None);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("/nonexistent"));
}

#[test]
fn node_reports_merge_into_a_roll_up_per_check() {
    let dir = tempdir("node-merge");
    let report = |name: &str, hardened: bool| -> String {
        let root = node(name, hardened);
        let path = dir.join(format!("{name}.json")).to_string_lossy().into_owned();
        palisade(&["node", "--root", root.to_str().unwrap(), "--format", "json", "-o", &path], None);
        path
    };
    let (a, b) = (report("node-a", false), report("node-b", true));
    let out = palisade(&["merge", &a, &b], None);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let merged: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(merged["merge"]["hosts"], serde_json::json!(["node-a", "node-b"]));
    let check = |control: &str| merged["merge"]["checks"].as_array().unwrap().iter().find(|c| c["control"] == control).unwrap_or_else(|| panic!("{control}")).clone();
    assert_eq!(check("cis-1.12:1.1.1")["failing"], serde_json::json!(["node-a"]));
    assert_eq!(check("cis-1.12:1.1.1")["passing"], serde_json::json!(["node-b"]));
    assert_eq!(check("cis-1.12:1.1.12")["failing"], serde_json::json!(["node-a", "node-b"]));
    let a_report: Value = serde_json::from_str(&std::fs::read_to_string(&a).unwrap()).unwrap();
    let b_report: Value = serde_json::from_str(&std::fs::read_to_string(&b).unwrap()).unwrap();
    assert_eq!(a_report["host"], "node-a");
    assert_eq!(merged["summary"]["findings"].as_u64().unwrap(), a_report["summary"]["findings"].as_u64().unwrap() + b_report["summary"]["findings"].as_u64().unwrap());
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(common::repo().join("schema/report.schema.json")).unwrap()).unwrap();
    let validator = jsonschema::options().should_validate_formats(false).build(&schema).unwrap();
    for doc in [&merged, &a_report] {
        let errors: Vec<String> = validator.iter_errors(doc).map(|e| format!("{e} at {}", e.instance_path())).collect();
        assert!(errors.is_empty(), "{errors:#?}");
    }
    let table = palisade(&["merge", &a, &b, "--format", "table"], None);
    assert!(table.stdout.contains("NODE002 cis-1.12:1.1.12") && table.stdout.contains("fails on 2/2"), "{}", table.stdout);
    assert_eq!(palisade(&["merge", "/nonexistent.json"], None).code, 2);
}

#[test]
fn compliance_over_a_node_report_and_a_scan_report_shows_every_section() {
    let dir = tempdir("node-compliance");
    let node_json = dir.join("node.json").to_string_lossy().into_owned();
    let out = palisade(&["node", "--root", node("node-report", false).to_str().unwrap(), "--format", "json", "-o", &node_json], None);
    assert_eq!(out.code, 1, "{}", out.stderr);
    let manifest = dir.join("app.yaml");
    std::fs::write(&manifest, "apiVersion: v1\nkind: Pod\nmetadata: {name: web, namespace: shop}\nspec:\n  containers:\n    - {name: web, image: nginx:1.27, securityContext: {privileged: true}}\n").unwrap();
    let scan_json = dir.join("scan.json").to_string_lossy().into_owned();
    palisade(&["scan", manifest.to_str().unwrap(), "--format", "json", "-o", &scan_json], None);
    let status_in = |args: &[&str]| -> Value {
        let out = palisade(args, None);
        assert_eq!(out.code, 1, "{}", out.stderr);
        serde_json::from_str::<Value>(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", out.stderr))
    };
    let status = |report: &Value, id: &str| report["compliance"]["controls"].as_array().unwrap().iter().find(|c| c["id"] == id).unwrap_or_else(|| panic!("{id}"))["status"].clone();
    // Two saved reports, and a saved report next to a manifest scanned now: the same view.
    for args in [
        vec!["compliance", "--framework", "cis-1.12", &node_json, &scan_json, "--format", "json"],
        vec!["compliance", "--framework", "cis-1.12", &node_json, manifest.to_str().unwrap(), "--format", "json"],
    ] {
        let report = status_in(&args);
        assert_eq!(status(&report, "1.1.1"), "fail", "§1.1 from the node report");
        assert_eq!(status(&report, "4.2.1"), "fail", "§4.2 from the node report");
        assert_eq!(status(&report, "2.2"), "fail", "§2 from the node's etcd process");
        assert_eq!(status(&report, "1.2.1"), "not_applicable", "no API server in either");
        assert_eq!(status(&report, "5.2.2"), "fail", "§5 from the Pod");
        let hosts: Vec<&str> = report["findings"].as_array().unwrap().iter().filter(|f| f["object"]["kind"] == "Host").map(|f| f["object"]["name"].as_str().unwrap()).collect();
        assert!(!hosts.is_empty() && hosts.iter().all(|h| *h == "node-report"));
        let kubelet = report["findings"].as_array().unwrap().iter().find(|f| f["controls"][0] == "cis-1.12:4.2.1").unwrap();
        assert_eq!(kubelet["location"]["file"], "/var/lib/kubelet/config.yaml", "locations survive the round trip");
    }
    // A node without the API server's files: §1.1.1 does not apply ("if it exists").
    let worker = node("node-worker", true);
    std::fs::remove_dir_all(worker.join("etc/kubernetes/manifests")).unwrap();
    let worker_json = dir.join("worker.json").to_string_lossy().into_owned();
    palisade(&["node", "--root", worker.to_str().unwrap(), "--format", "json", "-o", &worker_json], None);
    let out = palisade(&["compliance", "--framework", "cis-1.12", &worker_json, "--format", "json"], None);
    let report: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(status(&report, "1.1.1"), "not_applicable");
    assert_eq!(status(&report, "4.1.5"), "pass", "kubelet.conf exists and is 600");
    // A broken report is an error naming the file.
    let broken = dir.join("broken.json");
    std::fs::write(&broken, r#"{"schema": "palisade.report/v1", "summary": {}, "findings": [{"rule": "NOPE999"}]}"#).unwrap();
    let out = palisade(&["compliance", "--framework", "cis-1.12", broken.to_str().unwrap()], None);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("broken.json") && out.stderr.contains("findings[0]"), "{}", out.stderr);
}
