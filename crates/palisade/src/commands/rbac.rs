//! `palisade rbac`: who-can, can, risks.

use crate::cli::{CheckArgs, RbacCommand, RbacFormat, RecordArgs, RequestScope, ScanArgs, SelectArgs, StoreArgs};
use palisade::inputs::{collect_inputs, PassOptions};
use std::process::ExitCode;

pub fn run(cmd: RbacCommand) -> ExitCode {
    if let RbacCommand::Risks(risks) = cmd {
        return super::scan::run(
            ScanArgs {
                paths: risks.files.paths,
                kustomize: Vec::new(),
                namespace: None,
                check: CheckArgs {
                    format: risks.format,
                    output: risks.output,
                    fail_on: risks.fail_on,
                    select: SelectArgs {
                        config: None,
                        no_config: false,
                        framework: None,
                        pss_version: None,
                        select: vec!["RBAC".into()],
                        ignore: Vec::new(),
                        roster: risks.roster,
                        no_builtin_roles: risks.no_builtin_roles,
                        versions: None,
                        policies: Vec::new(),
                        inventory: Vec::new(),
                        kubernetes_version: None,
                        server_version: None,
                    },
                    record: RecordArgs { record: false, store: StoreArgs { store: None }, cluster_name: None },
                    baseline: None,
                    quiet: false,
                },
            },
            false,
        );
    }
    use palisade_analysis::rbac::authorizer::{Identity, Request};
    use palisade_analysis::rbac::model::Subject;
    use palisade_analysis::rbac::Via;
    use serde_json::json;
    let none = RequestScope { namespace: None, name: None };
    let (io, scope) = match &cmd {
        RbacCommand::WhoCan { io, scope, .. } | RbacCommand::Can { io, scope, .. } => (io, scope),
        RbacCommand::Secrets { io, .. } | RbacCommand::Paths { io, .. } => (io, &none),
        RbacCommand::Risks(_) => unreachable!("handled above"),
    };
    let request = |verb: &str, resource: &str| Request::parse(verb, resource, scope.namespace.as_deref(), scope.name.as_deref());
    let (inputs, mut errors) = collect_inputs(&io.files.paths, &[]);
    let opts = PassOptions::quiet();
    let started = std::time::Instant::now();
    let (mut model, more) = palisade::model::load(&inputs, &opts);
    model.set_builtin_roles(!io.no_builtin_roles);
    let rbac = &model.rbac();
    let loaded = started.elapsed();
    errors.extend(more);
    super::print_errors(&errors);
    for b in rbac.dangling() {
        eprintln!("warning: {b} references {} {}, which does not exist; it grants nothing", if b.role_is_cluster { "ClusterRole" } else { "Role" }, b.role_name);
    }
    let names = |bindings: &mut dyn Iterator<Item = &palisade_analysis::rbac::model::Binding>| -> String {
        bindings.map(|b| b.role_name.clone()).collect::<std::collections::BTreeSet<_>>().into_iter().collect::<Vec<_>>().join(", ")
    };
    let shipped = names(&mut rbac.using_builtin());
    if !shipped.is_empty() {
        eprintln!("note: bindings reference Kubernetes' default roles the input does not define ({shipped}); answers use their built-in definitions (--no-builtin-roles to ignore them)");
    }
    let unmodelled = names(&mut rbac.unmodelled());
    if !unmodelled.is_empty() {
        eprintln!(
            "note: bindings reference built-in roles whose rules are not in the input ({unmodelled}); add them (kubectl get clusterroles,roles -A -o yaml) for complete answers"
        );
    }
    let mut denied = false;
    let via_json = |via: &[Via]| -> serde_json::Value {
        via.iter().map(|v| json!({"binding": v.binding, "role": v.role, "rule": v.rule, "builtin": v.builtin})).collect()
    };
    let usage = super::usage;
    let json_out = io.format == RbacFormat::Json;
    if io.format == RbacFormat::Dot && !matches!(cmd, RbacCommand::Paths { .. }) {
        return usage("--format dot is for `rbac paths`".into());
    }
    match &cmd {
        RbacCommand::WhoCan { verb, resource, .. } => {
            let req = match request(verb, resource) {
                Ok(r) => r,
                Err(e) => return usage(e),
            };
            let asked = std::time::Instant::now();
            let allowed = rbac.who_can(&req);
            if io.timings {
                eprintln!(
                    "timings: loaded {} roles and {} bindings in {:.1} ms; answered in {:.3} ms",
                    rbac.roles.len(),
                    rbac.bindings.len(),
                    loaded.as_secs_f64() * 1e3,
                    asked.elapsed().as_secs_f64() * 1e3
                );
            }
            if json_out {
                let subjects: Vec<_> = allowed.iter().map(|a| json!({"subject": a.subject.to_string(), "via": via_json(&a.via)})).collect();
                println!("{}", serde_json::to_string_pretty(&json!({"subjects": subjects})).unwrap());
            } else {
                println!("who can {req}: {} subject{}", allowed.len(), if allowed.len() == 1 { "" } else { "s" });
                for a in &allowed {
                    println!("  {}", a.subject);
                    for v in &a.via {
                        println!("      via {} → {}{} (rule {})", v.binding, v.role, builtin_note(v), v.rule + 1);
                    }
                }
            }
        }
        RbacCommand::Can { subject, verb, resource, .. } => {
            let subject = match Subject::parse(subject) {
                Ok(s) => s,
                Err(e) => return usage(e),
            };
            let who = Identity::of(&subject);
            match (verb, resource) {
                (Some(verb), Some(resource)) => {
                    let req = match request(verb, resource) {
                        Ok(r) => r,
                        Err(e) => return usage(e),
                    };
                    let asked = std::time::Instant::now();
                    let via = rbac.can(&who, &req);
                    if io.timings {
                        eprintln!("timings: loaded in {:.1} ms; answered in {:.3} ms", loaded.as_secs_f64() * 1e3, asked.elapsed().as_secs_f64() * 1e3);
                    }
                    denied = via.is_empty();
                    if json_out {
                        println!("{}", serde_json::to_string_pretty(&json!({"allowed": !via.is_empty(), "via": via_json(&via)})).unwrap());
                    } else {
                        println!("{} {subject} {req}", if via.is_empty() { "no:" } else { "yes:" });
                        for v in &via {
                            println!("    via {} → {}{} (rule {})", v.binding, v.role, builtin_note(v), v.rule + 1);
                        }
                    }
                }
                (Some(_), None) | (None, Some(_)) => return usage("give both VERB and RESOURCE, or neither".into()),
                _ => {
                    let grants = rbac.grants_of(&who);
                    if json_out {
                        let list: Vec<_> = grants
                            .iter()
                            .map(|(scope, b, role)| {
                                json!({
                                    "namespace": scope, "binding": b.to_string(), "role": role.to_string(), "builtin": role.builtin,
                                    "rules": role.rules.iter().map(|r| json!({
                                        "verbs": r.verbs, "apiGroups": r.api_groups, "resources": r.resources,
                                        "resourceNames": r.resource_names, "nonResourceURLs": r.non_resource_urls,
                                    })).collect::<Vec<_>>(),
                                })
                            })
                            .collect();
                        println!("{}", serde_json::to_string_pretty(&json!({"subject": subject.to_string(), "groups": who.groups, "grants": list})).unwrap());
                    } else {
                        println!("{subject} (groups: {})", who.groups.join(", "));
                        let mut scopes: Vec<Option<&str>> = grants.iter().map(|(s, _, _)| *s).collect();
                        scopes.sort();
                        scopes.dedup();
                        for s in scopes {
                            println!("  {}", s.map(|ns| format!("namespace {ns}")).unwrap_or_else(|| "cluster-wide".into()));
                            for (_, b, role) in grants.iter().filter(|(g, _, _)| *g == s) {
                                println!("    {role}{} via {b}", if role.builtin { " (built-in)" } else { "" });
                                for r in &role.rules {
                                    let what = if r.non_resource_urls.is_empty() { r.resources.join(",") } else { r.non_resource_urls.join(",") };
                                    let names = if r.resource_names.is_empty() { String::new() } else { format!(" [{}]", r.resource_names.join(",")) };
                                    println!("      {} {what}{names}", r.verbs.join(","));
                                }
                            }
                        }
                    }
                }
            }
        }
        RbacCommand::Secrets { max_age, io } => {
            let policy = match super::load_policy(&None, false, &io.files.paths) {
                Ok(p) => p,
                Err(code) => return code,
            };
            let max_age = match max_age.as_deref().map(palisade_core::policy::parse_days).transpose() {
                Ok(days) => days.or(policy.settings.secret_max_age_days),
                Err(e) => return usage(e),
            };
            let today = palisade_rules::engine::today_utc();
            let mut list = Vec::new();
            for s in model.secrets() {
                let age = s.created.as_deref().and_then(palisade_core::Date::of_timestamp).map(|d| today.unix_days() - d.unix_days());
                let too_old = matches!((age, max_age), (Some(a), Some(m)) if a > i64::from(m));
                denied |= too_old;
                list.push((s, rbac.secret_readers(&s.namespace, &s.name), age, too_old));
            }
            if json_out {
                let secrets: Vec<_> = list
                    .iter()
                    .map(|(s, readers, age, too_old)| {
                        json!({
                            "secret": format!("{}/{}", s.namespace, s.name),
                            "readers": readers.iter().map(|(subject, verbs, via)| json!({
                                "subject": subject.to_string(), "verbs": verbs, "via": via_json(via),
                            })).collect::<Vec<_>>(),
                            "created": s.created, "age_days": age, "too_old": too_old,
                            "location": s.location.as_ref().map(|l| json!({"file": &*l.file, "line": l.line})),
                        })
                    })
                    .collect();
                println!("{}", serde_json::to_string_pretty(&json!({"secrets": secrets, "max_age_days": max_age})).unwrap());
            } else {
                for (s, readers, age, too_old) in &list {
                    let age_text = match (age, &s.created) {
                        (Some(a), Some(c)) => format!("created {} ({a} days ago)", &c[..10.min(c.len())]),
                        _ => "no creationTimestamp".into(),
                    };
                    let flag = if *too_old { format!("; older than {} days: rotate it", max_age.unwrap_or(0)) } else { String::new() };
                    println!("{}/{}  {age_text}{flag}", s.namespace, s.name);
                    if readers.is_empty() {
                        println!("    nobody named in the input's bindings can read it");
                    }
                    for (subject, verbs, via) in readers {
                        let first = via.first().map(|v| format!("via {} → {}{}", v.binding, v.role, builtin_note(v))).unwrap_or_default();
                        let more = if via.len() > 1 { format!(" (+{} more)", via.len() - 1) } else { String::new() };
                        println!("    {subject:<40} {:<16} {first}{more}", verbs.join(","));
                    }
                }
                let old = list.iter().filter(|l| l.3).count();
                println!("\n{} secrets; {old} older than the rotation period", list.len());
            }
        }
        RbacCommand::Paths { subject, .. } => {
            let from: Vec<Subject> = match subject {
                Some(text) => match Subject::parse(text) {
                    Ok(s) => vec![s],
                    Err(e) => return usage(e),
                },
                None => rbac.subjects().into_iter().collect(),
            };
            let paths: Vec<_> = from.iter().flat_map(|s| rbac.paths(s)).collect();
            if io.format == RbacFormat::Dot {
                print!("{}", paths_dot(&paths));
            } else if json_out {
                let list: Vec<_> = paths
                    .iter()
                    .map(|p| {
                        json!({
                            "subject": p.subject.to_string(), "reaches": p.reaches.to_string(),
                            "steps": p.steps.iter().map(|s| json!({"actor": s.actor.to_string(), "action": s.action})).collect::<Vec<_>>(),
                        })
                    })
                    .collect();
                println!("{}", serde_json::to_string_pretty(&json!({"paths": list})).unwrap());
            } else {
                for p in &paths {
                    println!("{} → {}", p.subject, p.reaches);
                    for (i, step) in p.steps.iter().enumerate() {
                        println!("  {}. {} {}", i + 1, step.actor, step.action);
                    }
                }
                println!("\n{} paths from {} subjects", paths.len(), from.len());
            }
        }
        RbacCommand::Risks(_) => unreachable!("handled above"),
    }
    match (errors.is_empty(), denied) {
        (false, _) => ExitCode::from(2),
        (true, true) => ExitCode::from(1),
        (true, false) => ExitCode::SUCCESS,
    }
}


/// The escalation paths as a Graphviz graph: subjects and reaches are nodes, steps are edges.
fn paths_dot(paths: &[palisade_analysis::rbac::paths::Path]) -> String {
    let mut edges: Vec<String> = Vec::new();
    let quote = |s: &str| format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""));
    for p in paths {
        for (i, step) in p.steps.iter().enumerate() {
            let to = match p.steps.get(i + 1) {
                Some(next) => next.actor.to_string(),
                None => p.reaches.to_string(),
            };
            let edge = format!("  {} -> {} [label={}];", quote(&step.actor.to_string()), quote(&to), quote(&step.action));
            if !edges.contains(&edge) {
                edges.push(edge);
            }
        }
    }
    let mut out = String::from("digraph escalation {\n  rankdir=LR;\n  node [shape=box];\n");
    for reach in paths.iter().map(|p| p.reaches.to_string()).collect::<std::collections::BTreeSet<_>>() {
        out.push_str(&format!("  {} [shape=doubleoctagon];\n", quote(&reach)));
    }
    for e in edges {
        out.push_str(&e);
        out.push('\n');
    }
    out.push_str("}\n");
    out
}

/// Marks a role that is Kubernetes' shipped definition rather than the input's.
fn builtin_note(via: &palisade_analysis::rbac::Via) -> &'static str {
    if via.builtin {
        " (built-in)"
    } else {
        ""
    }
}
