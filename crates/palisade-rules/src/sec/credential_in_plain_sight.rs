use palisade_core::{Context, FieldPath, Node, Target, Violation};
use crate::check::Check;

use super::detectors::{in_text, named_value, ASSIGNED_FLAGS};

declare_rule! {
    /// ## What it does
    /// Looks for credentials in plain sight — ConfigMap `data`, containers' `env` values,
    /// `command` and `args`, and annotations (of the object and of its pod template; not
    /// `kubectl.kubernetes.io/last-applied-configuration`, which repeats the object) — with
    /// detectors for AWS access keys and secret keys, Google API and GCP service-account
    /// keys, Azure storage and shared access keys, PEM private keys, GitHub, GitLab and Slack
    /// tokens, Slack webhooks, JSON Web Tokens, URLs with an embedded password,
    /// `password=`-style assignments (and `--password VALUE` argument pairs), and values
    /// under credential-like names (`DB_PASSWORD`, `apiKey`) that pass an entropy test.
    /// Placeholders (`changeme`, `{{ … }}`, `${VAR}`, `$(VAR)`) are not flagged. Secrets are
    /// SEC001's. The finding names the field and the kind of credential, never the value.
    ///
    /// ## Why is this bad?
    /// ConfigMaps, environment values and arguments are not secret: they are readable by
    /// anyone who can read the object, shown by `kubectl describe`, logged and copied into
    /// backups. A credential there has leaked already.
    ///
    /// ## Example
    /// ```yaml
    /// env:
    ///   - name: DATABASE_URL
    ///     value: postgres://shop:Wb7%2Fq9Lx@db:5432/shop
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// env:
    ///   - name: DATABASE_PASSWORD_FILE
    ///     value: /var/run/secrets/db/password
    /// ```
    ///
    /// ## Remediation
    /// Move the credential into a Secret (better: a vault), mount it as a file, and rotate the
    /// exposed value.
    ///
    /// ## References
    /// - MITRE ATT&CK for containers, T1552.007 Unsecured Credentials: Container API
    /// - CIS Kubernetes Benchmark 1.12, 5.4.1
    pub struct CredentialInPlainSight {
        id: "SEC004",
        name: "credential-in-plain-sight",
        severity: High,
        summary: "Credential in a ConfigMap, env value, argument or annotation",
        controls: ["cis-1.12:5.4.1", "nsa:secrets", "mitre:T1552"],
        pss: None,
    }
}

const LAST_APPLIED: &str = "kubectl.kubernetes.io/last-applied-configuration";

fn annotations(meta: Option<&Node>, meta_path: FieldPath, t: &Target, out: &mut Vec<Violation>) {
    for e in meta.and_then(|m| m.get("annotations")).map(Node::entries).unwrap_or(&[]) {
        let Some(value) = e.value.as_str() else { continue };
        if e.key == LAST_APPLIED {
            continue;
        }
        if let Some(what) = named_value(&e.key, value) {
            out.push(Violation::new(
                meta_path.key("annotations").key(e.key.clone()),
                format!("annotation `{}` of {} holds {what}", e.key, t.what()),
            ));
        }
    }
}

impl Check for CredentialInPlainSight {
    fn check(&self, _cx: &Context, t: &Target, out: &mut Vec<Violation>) {
        let o = &t.object;
        if o.kind == "Secret" {
            return;
        }
        annotations(o.node.get("metadata"), FieldPath::root().key("metadata"), t, out);
        if o.kind == "ConfigMap" {
            for e in o.node.get("data").map(Node::entries).unwrap_or(&[]) {
                let Some(value) = e.value.as_str() else { continue };
                if let Some(what) = named_value(&e.key, value) {
                    out.push(Violation::new(
                        FieldPath::root().key("data").key(e.key.clone()),
                        format!("key `{}` of {} holds {what}", e.key, t.what()),
                    ));
                }
            }
        }
        let Some(pod) = &t.pod else { return };
        if o.kind != "Pod" {
            annotations(pod.meta, pod.meta_path.clone(), t, out);
        }
        for c in pod.containers() {
            for (i, env) in c.node.get("env").map(Node::items).unwrap_or(&[]).iter().enumerate() {
                let (Some(name), Some(value)) = (env.get("name").and_then(Node::as_str), env.get("value").and_then(Node::as_str)) else {
                    continue;
                };
                if let Some(what) = named_value(name, value) {
                    out.push(Violation::new(
                        c.path.key("env").index(i).key("value"),
                        format!("environment variable `{name}` of {} of {} holds {what}", c.describe(), t.what()),
                    ));
                }
            }
            for field in ["command", "args"] {
                let items = c.node.get(field).map(Node::items).unwrap_or(&[]);
                for (i, arg) in items.iter().enumerate() {
                    let Some(text) = arg.as_str() else { continue };
                    // `--password VALUE`: the flag names what the next argument is.
                    let flag = i.checked_sub(1).and_then(|p| items[p].as_str()).filter(|p| ASSIGNED_FLAGS.is_match(p));
                    let found = in_text(text).or_else(|| {
                        flag.and_then(|f| named_value(f.trim_start_matches('-'), text))
                    });
                    if let Some(what) = found {
                        out.push(Violation::new(
                            c.path.key(field).index(i),
                            format!("`{field}[{i}]` of {} of {} holds {what}", c.describe(), t.what()),
                        ));
                    }
                }
            }
        }
    }
}
