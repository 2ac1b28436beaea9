//! Kubernetes' default roles (`cluster-admin`, `admin`, `edit`, `view`, `system:*`, and the
//! Roles of `kube-system` and `kube-public`), shipped as data in `data/builtin-roles.txt`
//! (its header names the upstream source). The API server creates them in every cluster, so
//! a binding to one that the input does not hold still grants what the shipped definition
//! says; a definition in the input always wins.

use super::model::{PolicyRule, Role, RoleKey};
use crate::selector::{Requirement, Selector};
use std::sync::OnceLock;

const DATA: &str = include_str!("../../data/builtin-roles.txt");

/// The shipped roles, read once.
pub fn roles() -> &'static [Role] {
    static ROLES: OnceLock<Vec<Role>> = OnceLock::new();
    ROLES.get_or_init(|| parse(DATA).unwrap_or_else(|e| panic!("data/builtin-roles.txt: {e}")))
}

/// The shipped role with this key, if there is one.
pub fn role(key: &RoleKey) -> Option<&'static Role> {
    roles().iter().find(|r| &r.key() == key)
}

/// Whether a ClusterRole (`cluster`) or a Role of `namespace` named `name` is one of the roles
/// every cluster has: a shipped one, or a ClusterRole named `system:*` (the controllers' roles,
/// which are not shipped).
pub fn is_builtin_role(cluster: bool, namespace: Option<&str>, name: &str) -> bool {
    let key: RoleKey = (cluster, if cluster { None } else { namespace.map(str::to_string) }, name.to_string());
    (cluster && name.starts_with("system:")) || role(&key).is_some()
}

fn list(field: &str) -> Vec<String> {
    field.split(',').map(|s| if s == "\"\"" { String::new() } else { s.to_string() }).collect()
}

fn key_value(text: &str) -> Result<(String, String), String> {
    text.split_once('=').map(|(k, v)| (k.to_string(), v.to_string())).ok_or_else(|| format!("`{text}` is not KEY=VALUE"))
}

/// Reads the line format described at the top of the data file.
fn parse(text: &str) -> Result<Vec<Role>, String> {
    let mut roles: Vec<Role> = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let at = |e: String| format!("line {}: {e}", n + 1);
        let fields: Vec<&str> = line.split_whitespace().collect();
        if fields[0] == "role" {
            let (namespace, name) = match fields.get(1).ok_or_else(|| at("role without a name".into()))?.split_once('/') {
                Some((ns, name)) => (Some(ns.to_string()), name.to_string()),
                None => (None, fields[1].to_string()),
            };
            let labels = [("kubernetes.io/bootstrapping".to_string(), "rbac-defaults".to_string())].into();
            roles.push(Role { namespace, name, labels, rules: Vec::new(), aggregation: None, builtin: true });
            continue;
        }
        let role = roles.last_mut().ok_or_else(|| at("a rule before any role".into()))?;
        match (fields[0], fields.len()) {
            ("label", 2) => {
                let (k, v) = key_value(fields[1]).map_err(at)?;
                role.labels.insert(k, v);
            }
            ("aggregate", 2) => {
                let (k, v) = key_value(fields[1]).map_err(at)?;
                role.aggregation.get_or_insert_with(Vec::new).push(Selector { requirements: vec![Requirement::In(k, vec![v])] });
            }
            ("rule", 4 | 5) => role.rules.push(PolicyRule {
                verbs: list(fields[1]),
                api_groups: list(fields[2]),
                resources: list(fields[3]),
                resource_names: fields.get(4).map(|f| list(f)).unwrap_or_default(),
                non_resource_urls: Vec::new(),
            }),
            ("urls", 3) => {
                role.rules.push(PolicyRule { verbs: list(fields[1]), non_resource_urls: list(fields[2]), ..PolicyRule::default() })
            }
            _ => return Err(at(format!("cannot read `{line}`"))),
        }
    }
    Ok(roles)
}
