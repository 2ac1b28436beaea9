//! The policy file on disk: finding it (`palisade.yaml` at the top of a scanned directory, or
//! `--config FILE`), reading it into a [`Policy`], and the commented starting file that
//! `palisade policy init` writes.

use palisade_core::policy::Roster;
use palisade_core::Policy;
use palisade_rules::{engine::FRAMEWORKS, registry};
use palisade_source::{Document, Limits};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// File names a policy file is found under, in order of preference.
pub const NAMES: &[&str] = &["palisade.yaml", "palisade.yml"];

/// Whether `path` is named like a policy file (such files are never scanned as manifests).
pub fn is_policy_name(path: &Path) -> bool {
    path.file_name().and_then(|n| n.to_str()).is_some_and(|n| NAMES.contains(&n))
}

/// The policy file at the top of the first scanned directory that has one.
pub fn discover(paths: &[PathBuf]) -> Option<PathBuf> {
    paths
        .iter()
        .filter(|p| p.is_dir())
        .flat_map(|dir| NAMES.iter().map(move |n| dir.join(n)))
        .find(|p| p.is_file())
}

/// Reads and checks a policy file; errors are `file:line:column: message` lines.
pub fn load(path: &Path) -> Result<Policy, Vec<String>> {
    let name = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|e| vec![format!("{name}: cannot read the policy file: {e}")])?;
    let mut docs = Document::load_all(&bytes, &Limits::default()).into_iter();
    let doc = match docs.next() {
        None => return Ok(Policy { source: Some(name.as_str().into()), ..Policy::default() }),
        Some(Err(e)) => return Err(vec![format!("{name}:{}:{}: {}", e.line, e.col, e.message)]),
        Some(Ok(doc)) => doc,
    };
    let mut errors: Vec<String> =
        doc.problems.iter().map(|e| format!("{name}:{}:{}: {}", e.line, e.col, e.message)).collect();
    if docs.next().is_some() {
        errors.push(format!("{name}: a policy file holds one YAML document"));
    }
    let policy = Policy::from_node(&doc.root, &registry::names_a_rule, FRAMEWORKS).map_err(|problems| {
        problems.into_iter().map(|p| format!("{name}:{}:{}: {}", p.pos.line, p.pos.col, p.message)).collect::<Vec<_>>()
    });
    match policy {
        Ok(mut p) if errors.is_empty() => {
            if let Some(roster) = &p.roster_path {
                let at = path.parent().unwrap_or(Path::new(".")).join(roster);
                let roster = load_roster(&at).map_err(|e| vec![format!("{name}: roster: {e}")])?;
                p.settings.roster = Some(Arc::new(roster));
            }
            Ok(Policy { source: Some(Arc::from(name.as_str())), ..p })
        }
        Ok(_) => Err(errors),
        Err(more) => {
            errors.extend(more);
            Err(errors)
        }
    }
}

/// Reads an identity roster: CSV (`user,NAME` / `group,NAME` rows) or YAML
/// (`{users: [...], groups: [...]}`); errors name the file and line.
pub fn load_roster(path: &Path) -> Result<Roster, String> {
    let name = path.display();
    let text = std::fs::read_to_string(path).map_err(|e| format!("{name}: cannot read the roster: {e}"))?;
    let is_csv = path.extension().and_then(|e| e.to_str()).is_some_and(|e| e.eq_ignore_ascii_case("csv"));
    if is_csv {
        return Roster::from_csv(&text).map_err(|e| format!("{name}: {e}"));
    }
    match Document::load_all(text.as_bytes(), &Limits::default()).into_iter().next() {
        None => Ok(Roster::default()),
        Some(Err(e)) => Err(format!("{name}:{}:{}: {}", e.line, e.col, e.message)),
        Some(Ok(doc)) => Roster::from_node(&doc.root).map_err(|e| format!("{name}: {e}")),
    }
}

/// The starting policy `palisade policy init` writes: every setting, commented.
pub const TEMPLATE: &str = r#"# Palisade policy. Palisade reads `palisade.yaml` at the top of a scanned directory, or
# the file given with `palisade scan --config FILE`. Check it with `palisade policy check`.
# Options given on the command line win over the same settings here.

# Run only the rules of one framework: pss-baseline, pss-restricted, cis-1.12, nsa, cncf, mitre.
# framework: pss-restricted

# Pod Security Standards version to evaluate (`latest` or v1.N).
# pss-version: latest

# Rules to run / not to run: rule IDs, ID prefixes (POD, IMG) or names.
# select: [POD, IMG, SEC, NS, SVC]
ignore: []

# Exit with 1 when a finding is at or above this severity.
# fail-on: high

# Severity overrides, by rule ID, prefix, name or control reference.
severity: {}
#   POD022: low
#   cis-1.12:5.2.7: high

# Registries images may come from (IMG003). Empty: any registry.
registries: []
#   - registry.example.com          # a registry host
#   - ghcr.io/example               # a repository prefix on a registry
#   - "*.dkr.ecr.eu-west-1.amazonaws.com"

namespaces:
  # The weakest Pod Security Admission `enforce` label a Namespace may carry (NS001):
  # privileged, baseline or restricted.
  pss-level: baseline

secrets:
  # Workloads must read secrets from a vault (Secrets Store CSI or External Secrets), not
  # from plain Secrets (SEC005).
  require-vault: false
  # Secrets older than this must be rotated (SEC006, `palisade rbac secrets`): 90d, 12w.
  # max-age: 90d

# Active users and groups exported from the identity provider (CSV `user,NAME` /
# `group,NAME`, or YAML {users: [...], groups: [...]}); bindings to anyone else are stale
# grants (RBAC014). Relative to this file.
# roster: roster.csv

# Node audits (`palisade node`): services a node may enable at boot (HOST008) and programs
# it may listen with beyond loopback (HOST007), beyond what every Kubernetes node needs.
# node:
#   services: [ModemManager, nvidia-persistenced]

# User policies to run beside the catalogue (files or directories, relative to this file):
# Gatekeeper ConstraintTemplates with their Constraints, ValidatingAdmissionPolicies with
# their bindings and parameter objects. `kubernetes-version` (quoted) is the API servers
# they are for: their CEL may use only what those accept. Default: the newest.
# policies: [policies/gatekeeper, policies/vap]
# kubernetes-version: "1.30"

# Waivers: findings they cover leave `findings` but are listed, with the waiver, under
# `suppressed` in the JSON report and as suppressions in SARIF. An expired waiver stops
# suppressing and is itself reported (POL001); one that matches nothing is stale (POL002).
# Every waiver needs a rule, a reason, an owner and an expiry date. `match` fields are
# globs; absent fields match everything.
waivers: []
#   - rule: pss-baseline:privileged   # a rule ID, an ID prefix (POD), a name or a control
#     match: {kind: DaemonSet, namespace: monitoring, name: "node-agent-*", labels: {team: obs}}
#     reason: vendor agent needs privileged until v3
#     owner: platform-team@example.com
#     expires: 2027-03-31
#
# A single object can also carry its own waiver, as annotations:
#   metadata:
#     annotations:
#       palisade.io/waive: POD021, IMG002
#       palisade.io/waive-reason: read-only root breaks the vendor image; ticket OPS-1234
"#;
