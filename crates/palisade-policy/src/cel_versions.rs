//! Which Kubernetes API servers accept which CEL functions, so that a policy meant for an
//! older cluster is refused here as it would be there.
//!
//! The table is a fact of Kubernetes, from `k8s.io/apiserver/pkg/cel/environment/base.go`:
//! each library enters the CEL environment at some version, and an API server compiles a
//! *new* expression against the environment of the version before its own (its
//! compatibility version, so that a rollback keeps stored expressions valid). A library
//! introduced at 1.N is therefore accepted in new policies by API servers from 1.N+1 — the
//! figure [`LIBRARIES`] holds, as the Kubernetes documentation states it ("quantity library
//! … Kubernetes versions 1.29+").
//!
//! A call no Kubernetes version declares is refused too (the API server's type check says
//! "undeclared reference"), and so is one Kubernetes declares but Palisade cannot evaluate
//! yet, rather than failing on every object at run time.

use cel::common::ast::{Expr, IdedExpr};

/// One library of Kubernetes' CEL environment.
pub struct Library {
    pub name: &'static str,
    /// The first minor (1.N) whose API servers accept it in new expressions.
    pub accepted_from: u32,
    /// Its calls: `name` (global), `.name` (member), `ns.name` (namespaced global).
    pub calls: &'static [&'static str],
    /// Palisade evaluates it.
    pub palisade: bool,
}

/// Kubernetes' CEL libraries, oldest first. Source: k8s.io/apiserver/pkg/cel/environment
/// (base.go, Kubernetes 1.34), k8s.io/apiserver/pkg/cel/library and cel-go's ext package
/// for the calls of each; `accepted_from` is the version introduced plus one (see above).
pub const LIBRARIES: &[Library] = &[
    Library {
        name: "CEL standard library",
        accepted_from: 0,
        calls: &[
            "size", ".size", "int", "uint", "double", "string", "bytes", "bool", "type", "dyn", "duration", "timestamp", "matches", ".matches",
            ".contains", ".startsWith", ".endsWith", ".getFullYear", ".getMonth", ".getDayOfYear", ".getDayOfMonth", ".getDate", ".getDayOfWeek",
            ".getHours", ".getMinutes", ".getSeconds", ".getMilliseconds",
        ],
        palisade: true,
    },
    Library {
        name: "extended strings library",
        accepted_from: 0,
        calls: &[".charAt", ".indexOf", ".lastIndexOf", ".join", ".lowerAscii", ".upperAscii", ".replace", ".split", ".substring", ".trim"],
        palisade: true,
    },
    Library { name: "Kubernetes list library", accepted_from: 0, calls: &[".isSorted", ".sum", ".min", ".max", ".indexOf", ".lastIndexOf"], palisade: true },
    Library { name: "Kubernetes regex library", accepted_from: 0, calls: &[".find", ".findAll"], palisade: true },
    Library {
        name: "Kubernetes URL library",
        accepted_from: 0,
        calls: &["url", "isURL", ".getScheme", ".getHost", ".getHostname", ".getPort", ".getEscapedPath", ".getQuery"],
        palisade: true,
    },
    Library {
        name: "Kubernetes authorizer library",
        accepted_from: 28,
        calls: &[".group", ".resource", ".subresource", ".namespace", ".name", ".path", ".serviceAccount", ".check", ".allowed", ".reason", ".errored", ".error"],
        palisade: true,
    },
    Library {
        name: "CEL optional types",
        accepted_from: 29,
        calls: &["optional.of", "optional.none", "optional.ofNonZeroValue", ".hasValue", ".value", ".orValue", ".or", "_?._", "_[?_]", "?optional"],
        palisade: true,
    },
    Library {
        name: "Kubernetes quantity library",
        accepted_from: 29,
        calls: &["quantity", "isQuantity", ".isLessThan", ".isGreaterThan", ".compareTo", ".add", ".sub", ".asInteger", ".isInteger", ".asApproximateFloat", ".sign"],
        palisade: true,
    },
    Library { name: "extended strings library, version 2", accepted_from: 30, calls: &[".format", "strings.quote"], palisade: true },
    Library { name: "sets library", accepted_from: 30, calls: &["sets.contains", "sets.equivalent", "sets.intersects"], palisade: true },
    Library {
        name: "Kubernetes IP and CIDR libraries",
        accepted_from: 31,
        calls: &[
            "ip", "isIP", "ip.isCanonical", "cidr", "isCIDR", ".family", ".isUnspecified", ".isLoopback", ".isLinkLocalMulticast", ".isLinkLocalUnicast",
            ".isGlobalUnicast", ".containsIP", ".containsCIDR", ".prefixLength", ".masked", ".ip",
        ],
        palisade: true,
    },
    Library { name: "Kubernetes format library", accepted_from: 32, calls: &["format.named", ".validate", "?format"], palisade: false },
    Library { name: "Kubernetes authorizer selectors", accepted_from: 32, calls: &[".fieldSelector", ".labelSelector"], palisade: false },
    Library {
        name: "two-variable comprehensions",
        accepted_from: 33,
        calls: &[".all(k, v, …)", ".exists(k, v, …)", ".existsOne", ".transformList", ".transformMap", ".transformMapEntry"],
        palisade: false,
    },
    Library { name: "Kubernetes semver library", accepted_from: 34, calls: &["semver", "isSemver", ".major", ".minor", ".patch"], palisade: false },
];

/// Namespaces of global functions (`sets.contains(…)` parses as a call on `sets`).
const NAMESPACES: &[&str] = &["optional", "sets", "strings", "format", "ip", "cel", "lists", "math", "base64"];


/// Why an expression cannot be used: the byte offset in its text of the call at fault, and
/// what is wrong.
pub struct Refusal {
    pub offset: usize,
    pub message: String,
}

/// Checks every call of `program` against what API servers of 1.`minor` accept in new
/// expressions (`None`: the newest Palisade knows).
pub fn check(program: &cel::Program, minor: Option<u32>) -> Result<(), Refusal> {
    for (offset, call) in calls(program) {
        let refuse = |message: String| Err(Refusal { offset, message });
        let libraries: Vec<&Library> = LIBRARIES.iter().filter(|l| l.calls.contains(&call.as_str())).collect();
        let shown = call.trim_start_matches('?');
        let Some(earliest) = libraries.iter().min_by_key(|l| l.accepted_from) else {
            return refuse(format!("`{shown}` is not a function of Kubernetes' CEL environment"));
        };
        if let Some(target) = minor.filter(|m| *m < earliest.accepted_from) {
            return refuse(format!(
                "`{shown}` ({}) is accepted by API servers from 1.{}; the policies target 1.{target} (--kubernetes-version)",
                earliest.name, earliest.accepted_from
            ));
        }
        if !libraries.iter().any(|l| l.palisade && minor.is_none_or(|m| m >= l.accepted_from)) {
            return refuse(format!("`{shown}` ({}, Kubernetes 1.{}+) is not supported by Palisade yet", earliest.name, earliest.accepted_from));
        }
    }
    Ok(())
}

/// The calls of an expression as [`LIBRARIES`] names them, with their byte offsets, first
/// in the text first.
pub fn calls(program: &cel::Program) -> Vec<(usize, String)> {
    let mut bound = Vec::new();
    bound_variables(program.expression(), &mut bound);
    let mut calls = Vec::new();
    collect(program.expression(), &|name| NAMESPACES.contains(&name) && !bound.iter().any(|b| b == name), &mut calls);
    let mut calls: Vec<(usize, String)> = calls.into_iter().map(|(id, call)| (program.source_info().offset_for(id).map_or(0, |(start, _)| start as usize), call)).collect();
    calls.sort();
    calls
}

/// The variables comprehensions bind (`ip` in `object.ips.all(ip, …)` is no namespace).
fn bound_variables(e: &IdedExpr, out: &mut Vec<String>) {
    let mut children = Vec::new();
    match &e.expr {
        Expr::Comprehension(c) => {
            out.push(c.iter_var.clone());
            out.extend(c.iter_var2.clone());
            children.extend([&c.iter_range, &c.accu_init, &c.loop_cond, &c.loop_step, &c.result]);
        }
        Expr::Call(c) => children.extend(c.target.as_deref().into_iter().chain(&c.args)),
        Expr::Select(s) => children.push(&s.operand),
        Expr::List(l) => children.extend(&l.elements),
        _ => {}
    }
    for c in children {
        bound_variables(c, out);
    }
}

/// The calls of an expression, as [`LIBRARIES`] names them, with their node IDs.
fn collect(e: &IdedExpr, is_namespace: &dyn Fn(&str) -> bool, out: &mut Vec<(u64, String)>) {
    match &e.expr {
        Expr::Call(c) => {
            let name = &c.func_name;
            let operator = name.starts_with('_') || name.starts_with('@') || name == "!_" || name == "-_";
            let optional = name == "_?._" || name == "_[?_]";
            let key = match c.target.as_deref().map(|t| &t.expr) {
                _ if optional => Some(name.clone()),
                _ if operator => None,
                Some(Expr::Ident(ns)) if is_namespace(ns) => Some(format!("{ns}.{name}")),
                Some(_) if c.args.len() == 3 && ["all", "exists", "exists_one", "existsOne"].contains(&name.as_str()) => Some(format!(".{name}(k, v, …)").replace("exists_one", "existsOne")),
                Some(_) => Some(format!(".{name}")),
                None => Some(name.clone()),
            };
            if let Some(key) = key {
                out.push((e.id, key));
            }
            if let Some(t) = &c.target {
                if !matches!(&t.expr, Expr::Ident(ns) if is_namespace(ns)) {
                    collect(t, is_namespace, out);
                }
            }
            for a in &c.args {
                collect(a, is_namespace, out);
            }
        }
        Expr::Comprehension(c) => {
            for x in [&c.iter_range, &c.accu_init, &c.loop_cond, &c.loop_step, &c.result] {
                collect(x, is_namespace, out);
            }
        }
        Expr::Select(s) => collect(&s.operand, is_namespace, out),
        Expr::List(l) => {
            if !l.optional_indices.is_empty() {
                out.push((e.id, "?optional".into()));
            }
            for x in &l.elements {
                collect(x, is_namespace, out);
            }
        }
        Expr::Map(m) => {
            for entry in &m.entries {
                if let cel::common::ast::EntryExpr::MapEntry(me) = &entry.expr {
                    if me.optional {
                        out.push((entry.id, "?optional".into()));
                    }
                    collect(&me.key, is_namespace, out);
                    collect(&me.value, is_namespace, out);
                }
            }
        }
        Expr::Struct(s) => {
            for entry in &s.entries {
                if let cel::common::ast::EntryExpr::StructField(f) = &entry.expr {
                    collect(&f.value, is_namespace, out);
                }
            }
        }
        Expr::Ident(_) | Expr::Literal(_) | Expr::Unspecified => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn verdict(expr: &str, minor: Option<u32>) -> Result<(), String> {
        let program = crate::cel_env::env().compile(expr).map_err(|e| e.to_string())?;
        check(&program, minor).map_err(|r| format!("{}: {}", r.offset, r.message))
    }

    #[test]
    fn libraries_arrive_with_their_versions() {
        // The quantity library entered at 1.28: 1.29 API servers accept it, 1.28 ones do not.
        assert!(verdict("quantity(object.spec.x).isLessThan(quantity('1'))", Some(29)).is_ok());
        let refused = verdict("object.a == 1 && quantity(object.spec.x).isLessThan(quantity('1'))", Some(28)).unwrap_err();
        // (Its offset: the call's parenthesis.)
        assert!(refused.starts_with("25: `quantity` (Kubernetes quantity library) is accepted by API servers from 1.29; the policies target 1.28"), "{refused}");
        assert!(verdict("isIP(object.spec.ip)", Some(30)).unwrap_err().contains("from 1.31"));
        assert!(verdict("isIP(object.spec.ip)", Some(31)).is_ok());
        assert!(verdict("sets.contains(object.a, ['x'])", Some(29)).unwrap_err().contains("`sets.contains` (sets library) is accepted by API servers from 1.30"));
        assert!(verdict("object.?spec.orValue(1) == 1", Some(28)).unwrap_err().contains("`_?._` (CEL optional types)"));
        assert!(verdict("[?object.x] == []", Some(28)).unwrap_err().contains("`optional` (CEL optional types)"));
        // What every version has.
        assert!(verdict("object.metadata.name.startsWith('a') && size(object.spec.containers) > 0 && object.spec.containers.all(c, c.name.matches('^[a-z]+$')) && 'a,b'.split(',').isSorted()", Some(25)).is_ok());
        // The newest by default.
        assert!(verdict("cidr('10.0.0.0/8').containsIP(object.ip) && sets.intersects([1], [1])", None).is_ok());
    }

    #[test]
    fn calls_kubernetes_does_not_declare_are_refused() {
        assert!(verdict("object.a.flatten() == []", None).unwrap_err().contains("`.flatten` is not a function of Kubernetes' CEL environment"));
        assert!(verdict("cel.bind(x, 1, x) == 1", None).unwrap_err().contains("`cel.bind`"));
        assert!(verdict("myFunction(object)", None).unwrap_err().contains("`myFunction`"));
        // A comprehension's variable named like a namespace is a variable.
        assert!(verdict("object.ips.all(ip, ip.startsWith('10.'))", Some(25)).is_ok());
    }

    #[test]
    fn libraries_palisade_lacks_are_named() {
        let refused = verdict("object.spec.items.all(i, v, v > i)", None).unwrap_err();
        assert!(refused.contains("`.all(k, v, …)` (two-variable comprehensions, Kubernetes 1.33+) is not supported by Palisade yet"), "{refused}");
        // A target older than the library: the version is what is wrong.
        assert!(verdict("isSemver(object.v)", Some(30)).unwrap_err().contains("accepted by API servers from 1.34"));
    }
}
