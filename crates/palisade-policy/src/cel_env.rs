//! The CEL environment of Kubernetes admission policies: CEL's standard library with the
//! strings extension and optionals, plus Kubernetes' libraries — lists (`isSorted`, `sum`,
//! `min`, `max`, `indexOf`, `lastIndexOf`), regex (`find`, `findAll`), URLs, quantities,
//! IP addresses and CIDRs, sets, and the authorizer. Which of them a policy may use depends
//! on the Kubernetes version it targets ([`crate::cel_versions`]). Kubernetes' opaque types
//! (quantity, IP, CIDR, URL) are maps with one marker key here, so they pass through
//! variables unchanged.

use cel::common::types::{CelInt, DYN_TYPE, LIST_TYPE};
use cel::common::value::CowVal;
use cel::extractors::{Arguments, This};
use cel::{Context, Env, ExecutionError, Value};
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, OnceLock};

type R = Result<Value, ExecutionError>;

/// The shared environment (compiles expressions).
pub fn env() -> Arc<Env> {
    static ENV: OnceLock<Arc<Env>> = OnceLock::new();
    ENV.get_or_init(|| {
        let mut env = Env::stdlib().with_optional_support(true);
        let _ = env.add_extension(cel::extensions::strings);
        // Kubernetes' list library: `indexOf`/`lastIndexOf` on lists too (the strings
        // extension declares them on strings).
        let _ = env.add_member_overload("indexOf", "list.indexOf(dyn)", LIST_TYPE, vec![DYN_TYPE], |args| list_position(args, false));
        let _ = env.add_member_overload("lastIndexOf", "list.lastIndexOf(dyn)", LIST_TYPE, vec![DYN_TYPE], |args| list_position(args, true));
        Arc::new(env)
    })
    .clone()
}

/// The position of an element in a list (the first or the last), or -1.
fn list_position<'b, 'v>(args: Vec<CowVal<'b, 'v>>, last: bool) -> Result<CowVal<'b, 'v>, ExecutionError> {
    let [list, needle] = args.as_slice() else { return Err(ExecutionError::invalid_argument_count(2, args.len())) };
    let items = list.as_ref().as_iterable().ok_or_else(|| ExecutionError::function_error("indexOf", "expects a list"))?;
    let (mut found, mut i, mut it) = (-1i64, 0i64, items.iter());
    while let Some(item) = it.next() {
        if item.equals(needle.as_ref()) {
            found = i;
            if !last {
                break;
            }
        }
        i += 1;
    }
    Ok(CowVal::owned(CelInt::from(found)))
}

/// Compiles an expression, or says why not.
pub fn compile(expr: &str) -> Result<cel::Program, String> {
    env().compile(expr).map_err(|e| e.to_string().lines().next().unwrap_or("does not compile").to_string())
}

/// A root context with the Kubernetes functions; evaluations add their variables in an
/// inner scope.
pub fn context() -> Context<'static, 'static> {
    let mut cx = Context::with_env(env());
    // A name the standard library already declares is refused; the standard one stays.
    let _ = cx.add_function("find", |This(s): This<Arc<String>>, re: Arc<String>| -> R {
        let re = regex(&re)?;
        Ok(Value::String(Arc::new(re.find(&s).map(|m| m.as_str().to_string()).unwrap_or_default())))
    });
    let _ = cx.add_function("findAll", |This(s): This<Arc<String>>, Arguments(args): Arguments| -> R {
        let re = match args.first() {
            Some(Value::String(re)) => regex(re)?,
            _ => return Err(ExecutionError::function_error("findAll", "expects a pattern")),
        };
        let limit = match args.get(1) {
            Some(Value::Int(n)) if *n >= 0 => *n as usize,
            _ => usize::MAX,
        };
        Ok(Value::List(Arc::new(re.find_iter(&s).take(limit).map(|m| Value::String(Arc::new(m.as_str().to_string()))).collect())))
    });
    let _ = cx.add_function("isSorted", |This(l): This<Arc<Vec<Value>>>| -> R {
        Ok(Value::Bool(l.windows(2).all(|w| w[0].partial_cmp(&w[1]).is_some_and(|o| o != std::cmp::Ordering::Greater))))
    });
    let _ = cx.add_function("sum", |This(l): This<Arc<Vec<Value>>>| -> R {
        let mut int = 0i64;
        let mut float = None::<f64>;
        for v in l.iter() {
            match v {
                Value::Int(i) => int += i,
                Value::UInt(u) => int += *u as i64,
                Value::Float(f) => *float.get_or_insert(0.0) += f,
                _ => return Err(ExecutionError::function_error("sum", "a list of numbers")),
            }
        }
        Ok(float.map(|f| Value::Float(f + int as f64)).unwrap_or(Value::Int(int)))
    });
    for (name, want) in [("min", std::cmp::Ordering::Less), ("max", std::cmp::Ordering::Greater)] {
        let _ = cx.add_function(name, move |This(l): This<Arc<Vec<Value>>>| -> R {
            let mut best: Option<&Value> = None;
            for v in l.iter() {
                match best.map(|b| v.partial_cmp(b)) {
                    None => best = Some(v),
                    Some(Some(o)) if o == want => best = Some(v),
                    Some(Some(_)) => {}
                    Some(None) => return Err(ExecutionError::function_error(name, "elements that do not compare")),
                }
            }
            best.cloned().ok_or_else(|| ExecutionError::function_error(name, "an empty list"))
        });
    }
    // Quantities.
    let _ = cx.add_function("quantity", |s: Arc<String>| -> R { quantity(&s).ok_or_else(|| ExecutionError::function_error("quantity", format!("invalid quantity {s:?}"))) });
    let _ = cx.add_function("isQuantity", |s: Arc<String>| -> R { Ok(Value::Bool(quantity(&s).is_some())) });
    for (name, f) in [("isLessThan", (|o: std::cmp::Ordering| o.is_lt()) as fn(std::cmp::Ordering) -> bool), ("isGreaterThan", |o: std::cmp::Ordering| o.is_gt())] {
        let _ = cx.add_function(name, move |This(a): This<Value>, b: Value| -> R {
            let (a, b) = (amount(&a)?, amount(&b)?);
            Ok(Value::Bool(f(a.partial_cmp(&b).unwrap_or(std::cmp::Ordering::Equal))))
        });
    }
    let _ = cx.add_function("compareTo", |This(a): This<Value>, b: Value| -> R {
        let (a, b) = (amount(&a)?, amount(&b)?);
        Ok(Value::Int(match a.partial_cmp(&b) { Some(std::cmp::Ordering::Less) => -1, Some(std::cmp::Ordering::Greater) => 1, _ => 0 }))
    });
    let _ = cx.add_function("asInteger", |This(a): This<Value>| -> R {
        let a = amount(&a)?;
        if a.fract() != 0.0 || a.abs() > i64::MAX as f64 {
            return Err(ExecutionError::function_error("asInteger", "not an integer quantity"));
        }
        Ok(Value::Int(a as i64))
    });
    let _ = cx.add_function("isInteger", |This(a): This<Value>| -> R { Ok(Value::Bool(amount(&a)?.fract() == 0.0)) });
    let _ = cx.add_function("asApproximateFloat", |This(a): This<Value>| -> R { Ok(Value::Float(amount(&a)?)) });
    let _ = cx.add_function("sign", |This(a): This<Value>| -> R {
        let a = amount(&a)?;
        Ok(Value::Int(if a > 0.0 { 1 } else if a < 0.0 { -1 } else { 0 }))
    });
    let _ = cx.add_function("add", |This(a): This<Value>, b: Value| -> R { Ok(quantity_of(amount(&a)? + amount(&b)?)) });
    let _ = cx.add_function("sub", |This(a): This<Value>, b: Value| -> R { Ok(quantity_of(amount(&a)? - amount(&b)?)) });
    // IP addresses and CIDRs.
    let _ = cx.add_function("isIP", |s: Arc<String>| -> R { Ok(Value::Bool(s.parse::<IpAddr>().is_ok())) });
    let _ = cx.add_function("isCIDR", |s: Arc<String>| -> R { Ok(Value::Bool(cidr(&s).is_some())) });
    // `ip(string)`, and `cidr(...).ip()`: the prefix's address.
    let _ = cx.add_function("ip", |This(v): This<Value>| -> R {
        match &v {
            Value::String(s) => s.parse::<IpAddr>().map(|ip| marked("@ip", ip.to_string())).map_err(|_| ExecutionError::function_error("ip", format!("invalid IP {s:?}"))),
            v => cidr_of(v).map(|(ip, _)| marked("@ip", ip.to_string())),
        }
    });
    let _ = cx.add_function("cidr", |s: Arc<String>| -> R { cidr(&s).map(|_| marked("@cidr", s.to_string())).ok_or_else(|| ExecutionError::function_error("cidr", format!("invalid CIDR {s:?}"))) });
    let _ = cx.add_function("family", |This(v): This<Value>| -> R {
        let ip = ip_of(&v)?;
        Ok(Value::Int(if ip.is_ipv4() { 4 } else { 6 }))
    });
    let _ = cx.add_function("isLoopback", |This(v): This<Value>| -> R { Ok(Value::Bool(ip_of(&v)?.is_loopback())) });
    let _ = cx.add_function("isUnspecified", |This(v): This<Value>| -> R { Ok(Value::Bool(ip_of(&v)?.is_unspecified())) });
    let _ = cx.add_function("containsIP", |This(c): This<Value>, ip: Value| -> R {
        let (net, bits) = marker(&c, "@cidr").and_then(|c| cidr(&c)).ok_or_else(|| ExecutionError::function_error("containsIP", "expects a CIDR"))?;
        let ip = match &ip { Value::String(s) => s.parse::<IpAddr>().map_err(|_| ExecutionError::function_error("containsIP", "invalid IP"))?, v => ip_of(v)? };
        Ok(Value::Bool(in_net(ip, net, bits)))
    });
    let _ = cx.add_function("prefixLength", |This(c): This<Value>| -> R {
        marker(&c, "@cidr").and_then(|c| cidr(&c)).map(|(_, b)| Value::Int(b as i64)).ok_or_else(|| ExecutionError::function_error("prefixLength", "expects a CIDR"))
    });
    let _ = cx.add_function("containsCIDR", |This(c): This<Value>, other: Value| -> R {
        let (net, bits) = cidr_of(&c)?;
        let (inner, inner_bits) = match &other {
            Value::String(s) => cidr(s).ok_or_else(|| ExecutionError::function_error("containsCIDR", format!("invalid CIDR {s:?}")))?,
            v => cidr_of(v)?,
        };
        Ok(Value::Bool(inner_bits >= bits && in_net(inner, net, bits)))
    });
    let _ = cx.add_function("masked", |This(c): This<Value>| -> R {
        let (net, bits) = cidr_of(&c)?;
        Ok(marked("@cidr", format!("{}/{bits}", masked(net, bits))))
    });
    let _ = cx.add_function("ip.isCanonical", |s: Arc<String>| -> R {
        let ip: IpAddr = s.parse().map_err(|_| ExecutionError::function_error("ip.isCanonical", format!("invalid IP {s:?}")))?;
        Ok(Value::Bool(ip.to_string() == *s))
    });
    let _ = cx.add_function("isLinkLocalMulticast", |This(v): This<Value>| -> R {
        Ok(Value::Bool(match ip_of(&v)? {
            IpAddr::V4(a) => a.octets()[..3] == [224, 0, 0],
            IpAddr::V6(a) => a.octets()[0] == 0xff && a.octets()[1] & 0x0f == 0x02,
        }))
    });
    let _ = cx.add_function("isLinkLocalUnicast", |This(v): This<Value>| -> R { Ok(Value::Bool(link_local_unicast(ip_of(&v)?))) });
    let _ = cx.add_function("isGlobalUnicast", |This(v): This<Value>| -> R {
        let ip = ip_of(&v)?;
        let broadcast = matches!(ip, IpAddr::V4(a) if a.is_broadcast());
        Ok(Value::Bool(!(ip.is_unspecified() || ip.is_loopback() || ip.is_multicast() || link_local_unicast(ip) || broadcast)))
    });
    // Sets.
    let _ = cx.add_function("sets.contains", |a: Arc<Vec<Value>>, b: Arc<Vec<Value>>| -> R { Ok(Value::Bool(b.iter().all(|x| a.contains(x)))) });
    let _ = cx.add_function("sets.equivalent", |a: Arc<Vec<Value>>, b: Arc<Vec<Value>>| -> R {
        Ok(Value::Bool(b.iter().all(|x| a.contains(x)) && a.iter().all(|x| b.contains(x))))
    });
    let _ = cx.add_function("sets.intersects", |a: Arc<Vec<Value>>, b: Arc<Vec<Value>>| -> R { Ok(Value::Bool(a.iter().any(|x| b.contains(x)))) });
    // The authorizer: builders carry the check's attributes in the map; `check` asks the
    // RBAC of the inventory (see `authorizer`).
    for field in ["group", "resource", "subresource", "namespace", "name", "path"] {
        let _ = cx.add_function(field, move |This(a): This<Value>, v: Arc<String>| -> R { with_field(&a, field, &v) });
    }
    let _ = cx.add_function("serviceAccount", |This(a): This<Value>, ns: Arc<String>, name: Arc<String>| -> R {
        marker(&a, "@authorizer").ok_or_else(|| ExecutionError::function_error("serviceAccount", "expects the authorizer"))?;
        Ok(authorizer(&format!("system:serviceaccount:{ns}:{name}"), &["system:serviceaccounts".into(), format!("system:serviceaccounts:{ns}"), "system:authenticated".into()]))
    });
    let _ = cx.add_function("check", |This(a): This<Value>, verb: Arc<String>| -> R { check(&a, &verb) });
    let _ = cx.add_function("allowed", |This(d): This<Value>| -> R { decision(&d, "allowed") });
    let _ = cx.add_function("reason", |This(d): This<Value>| -> R { decision(&d, "reason") });
    let _ = cx.add_function("errored", |This(d): This<Value>| -> R { decision(&d, "errored") });
    let _ = cx.add_function("error", |This(d): This<Value>| -> R { decision(&d, "error") });
    // URLs.
    let _ = cx.add_function("isURL", |s: Arc<String>| -> R { Ok(Value::Bool(url(&s).is_some())) });
    let _ = cx.add_function("url", |s: Arc<String>| -> R { url(&s).map(|_| marked("@url", s.to_string())).ok_or_else(|| ExecutionError::function_error("url", format!("invalid URL {s:?}"))) });
    for (name, part) in [("getScheme", 0usize), ("getHost", 1), ("getHostname", 2), ("getPort", 3), ("getEscapedPath", 4)] {
        let _ = cx.add_function(name, move |This(u): This<Value>| -> R {
            let s = marker(&u, "@url").ok_or_else(|| ExecutionError::function_error("url", "expects a URL"))?;
            let parts = url(&s).ok_or_else(|| ExecutionError::function_error("url", "invalid URL"))?;
            Ok(Value::String(Arc::new(parts[part].clone())))
        });
    }
    let _ = cx.add_function("getQuery", |This(u): This<Value>| -> R {
        let s = marker(&u, "@url").ok_or_else(|| ExecutionError::function_error("getQuery", "expects a URL"))?;
        let mut params: HashMap<cel::objects::Key, Vec<Value>> = HashMap::new();
        let query = s.split_once('?').map(|(_, q)| q.split('#').next().unwrap_or("")).unwrap_or("");
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            params.entry(key(&palisade_core::encoding::unescape_query(k))).or_default().push(Value::String(Arc::new(palisade_core::encoding::unescape_query(v))));
        }
        let map: HashMap<cel::objects::Key, Value> = params.into_iter().map(|(k, v)| (k, Value::List(Arc::new(v)))).collect();
        Ok(Value::Map(cel::objects::Map { map: Arc::new(map) }))
    });
    cx
}

thread_local! {
    /// The RBAC that `check` asks, set for the evaluation under way.
    pub static RBAC: std::cell::RefCell<Option<Arc<palisade_analysis::rbac::Rbac>>> = const { std::cell::RefCell::new(None) };
}

fn key(k: &str) -> cel::objects::Key {
    cel::objects::Key::String(Arc::new(k.to_string()))
}

fn entries(v: &Value) -> HashMap<cel::objects::Key, Value> {
    match v {
        Value::Map(m) => (*m.map).clone(),
        _ => HashMap::new(),
    }
}

/// The `authorizer` of a request's user (and `authorizer.requestResource`, preset with the
/// request's resource, by the caller).
pub fn authorizer(user: &str, groups: &[String]) -> Value {
    let mut m = HashMap::new();
    m.insert(key("@authorizer"), Value::String(Arc::new(String::new())));
    m.insert(key("user"), Value::String(Arc::new(user.to_string())));
    m.insert(key("groups"), Value::List(Arc::new(groups.iter().map(|g| Value::String(Arc::new(g.clone()))).collect())));
    Value::Map(cel::objects::Map { map: Arc::new(m) })
}

/// An authorizer (or resource check) with one more attribute.
pub fn with_field(a: &Value, field: &str, v: &str) -> R {
    if marker(a, "@authorizer").is_none() {
        return Err(ExecutionError::function_error(field, "expects the authorizer"));
    }
    let mut m = entries(a);
    m.insert(key(field), Value::String(Arc::new(v.to_string())));
    Ok(Value::Map(cel::objects::Map { map: Arc::new(m) }))
}

/// Asks the inventory's RBAC whether the authorizer's user may `verb` what it names.
fn check(a: &Value, verb: &str) -> R {
    marker(a, "@authorizer").ok_or_else(|| ExecutionError::function_error("check", "expects the authorizer"))?;
    let text = |k: &str| marker(a, k).unwrap_or_default();
    let groups = match entries(a).get(&key("groups")) {
        Some(Value::List(l)) => l.iter().filter_map(|g| if let Value::String(s) = g { Some(s.to_string()) } else { None }).collect(),
        _ => Vec::new(),
    };
    let user = text("user");
    let who = palisade_analysis::rbac::authorizer::Identity { user: (!user.is_empty()).then_some(user.clone()), groups };
    use palisade_analysis::rbac::authorizer::Request as Ask;
    let ask = if !text("path").is_empty() {
        Ask::NonResource { verb: verb.to_string(), path: text("path") }
    } else {
        let ns = text("namespace");
        Ask::Resource { verb: verb.to_string(), group: text("group"), resource: text("resource"), subresource: text("subresource"), name: text("name"), namespace: (!ns.is_empty()).then_some(ns) }
    };
    let allowed = RBAC.with(|r| r.borrow().as_ref().map(|rbac| rbac.can(&who, &ask)));
    let mut m = HashMap::new();
    m.insert(key("@decision"), Value::String(Arc::new(String::new())));
    let (allowed, reason, error) = match allowed {
        Some(via) if !via.is_empty() => (true, format!("allowed by {} ({})", via[0].binding, via[0].role), ""),
        Some(_) => (false, format!("no binding lets {user} {verb}"), ""),
        None => (false, String::new(), "no RBAC to ask"),
    };
    m.insert(key("allowed"), Value::Bool(allowed));
    m.insert(key("reason"), Value::String(Arc::new(reason)));
    m.insert(key("errored"), Value::Bool(!error.is_empty()));
    m.insert(key("error"), Value::String(Arc::new(error.to_string())));
    Ok(Value::Map(cel::objects::Map { map: Arc::new(m) }))
}

fn decision(d: &Value, field: &str) -> R {
    marker(d, "@decision").ok_or_else(|| ExecutionError::function_error(field, "expects a decision (authorizer...check(verb))"))?;
    entries(d).get(&key(field)).cloned().ok_or_else(|| ExecutionError::function_error(field, "no such field"))
}

fn regex(pattern: &str) -> Result<regex::Regex, ExecutionError> {
    regex::Regex::new(pattern).map_err(|e| ExecutionError::function_error("regex", e.to_string()))
}

/// A value marked as one of Kubernetes' opaque types.
fn marked(marker: &str, text: String) -> Value {
    let mut m = HashMap::new();
    m.insert(marker.to_string(), Value::String(Arc::new(text)));
    m.into()
}

fn marker(v: &Value, marker: &str) -> Option<String> {
    match v {
        Value::Map(m) => match m.map.get(&cel::objects::Key::String(Arc::new(marker.to_string()))) {
            Some(Value::String(s)) => Some(s.to_string()),
            _ => None,
        },
        _ => None,
    }
}

/// A quantity's amount: of a quantity, or of an integer.
fn amount(v: &Value) -> Result<f64, ExecutionError> {
    match v {
        Value::Int(i) => Ok(*i as f64),
        Value::UInt(u) => Ok(*u as f64),
        Value::Float(f) => Ok(*f),
        v => marker(v, "@quantity").and_then(|s| parse_quantity(&s)).ok_or_else(|| ExecutionError::function_error("quantity", "expects a quantity")),
    }
}

fn quantity(s: &str) -> Option<Value> {
    parse_quantity(s).map(|_| marked("@quantity", s.to_string()))
}

fn quantity_of(amount: f64) -> Value {
    marked("@quantity", format!("{amount}"))
}

/// A Kubernetes quantity (`500m`, `1.5Gi`, `2e3`) as a number.
pub fn parse_quantity(s: &str) -> Option<f64> {
    let s = s.trim();
    let split = s.find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '+' || c == '-')).unwrap_or(s.len());
    let (num, suffix) = s.split_at(split);
    if num.is_empty() || num == "+" || num == "-" {
        return None;
    }
    let n: f64 = num.parse().ok()?;
    let scale = match suffix {
        "" => 1.0,
        "Ki" => 1024f64,
        "Mi" => 1024f64.powi(2),
        "Gi" => 1024f64.powi(3),
        "Ti" => 1024f64.powi(4),
        "Pi" => 1024f64.powi(5),
        "Ei" => 1024f64.powi(6),
        "n" => 1e-9,
        "u" => 1e-6,
        "m" => 1e-3,
        "k" => 1e3,
        "M" => 1e6,
        "G" => 1e9,
        "T" => 1e12,
        "P" => 1e15,
        "E" => 1e18,
        e if e.starts_with(['e', 'E']) => 10f64.powi(e[1..].parse::<i32>().ok()?),
        _ => return None,
    };
    Some(n * scale)
}

fn ip_of(v: &Value) -> Result<IpAddr, ExecutionError> {
    marker(v, "@ip").and_then(|s| s.parse().ok()).ok_or_else(|| ExecutionError::function_error("ip", "expects an IP"))
}

fn cidr_of(v: &Value) -> Result<(IpAddr, u8), ExecutionError> {
    marker(v, "@cidr").and_then(|c| cidr(&c)).ok_or_else(|| ExecutionError::function_error("cidr", "expects a CIDR"))
}

fn link_local_unicast(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(a) => a.octets()[..2] == [169, 254],
        IpAddr::V6(a) => a.segments()[0] & 0xffc0 == 0xfe80,
    }
}

/// The network address of `ip`/`bits`.
fn masked(ip: IpAddr, bits: u8) -> IpAddr {
    match ip {
        IpAddr::V4(a) => IpAddr::V4((u32::from(a) & if bits == 0 { 0 } else { u32::MAX << (32 - bits) }).into()),
        IpAddr::V6(a) => IpAddr::V6((u128::from(a) & if bits == 0 { 0 } else { u128::MAX << (128 - bits) }).into()),
    }
}

fn cidr(s: &str) -> Option<(IpAddr, u8)> {
    let (ip, bits) = s.split_once('/')?;
    let ip: IpAddr = ip.parse().ok()?;
    let bits: u8 = bits.parse().ok()?;
    let max = if ip.is_ipv4() { 32 } else { 128 };
    (bits <= max).then_some((ip, bits))
}

fn in_net(ip: IpAddr, net: IpAddr, bits: u8) -> bool {
    ip.is_ipv4() == net.is_ipv4() && masked(ip, bits) == masked(net, bits)
}

/// Scheme, host (with port), hostname, port and escaped path of an absolute URL.
fn url(s: &str) -> Option<[String; 5]> {
    let (scheme, rest) = s.split_once("://")?;
    if scheme.is_empty() || !scheme.chars().all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c)) {
        return None;
    }
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let host = &rest[..end];
    let path = rest[end..].split(['?', '#']).next().unwrap_or("");
    let (hostname, port) = if let Some(v6) = host.strip_prefix('[') {
        let (h, p) = v6.split_once(']')?;
        (h.to_string(), p.strip_prefix(':').unwrap_or("").to_string())
    } else {
        match host.rsplit_once(':') {
            Some((h, p)) => (h.to_string(), p.to_string()),
            None => (host.to_string(), String::new()),
        }
    };
    Some([scheme.to_string(), host.to_string(), hostname, port, path.to_string()])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eval(expr: &str) -> Value {
        let cx = context();
        compile(expr).unwrap().execute(&cx).unwrap()
    }

    /// One true expression per call of every library Palisade claims (see
    /// `cel_versions::LIBRARIES`); the test fails when a claimed call has no example, or its
    /// example does not hold.
    const EXAMPLES: &[&str] = &[
        "size('abc') == 3 && 'abc'.size() == 3 && int('1') == 1 && uint(1) == 1u && double(1) == 1.0 && string(1) == '1' && bytes('a') == b'a' && bool('true')",
        "type(1) == int && dyn(1) == 1 && duration('1s') < duration('2s') && matches('abc', '^a') && 'abc'.matches('c$')",
        "'abc'.contains('b') && 'abc'.startsWith('a') && 'abc'.endsWith('c')",
        "timestamp('2024-02-03T04:05:06.007Z').getFullYear() == 2024 && timestamp('2024-02-03T04:05:06.007Z').getMonth() == 1 && timestamp('2024-02-03T04:05:06.007Z').getDayOfYear() == 33",
        "timestamp('2024-02-03T04:05:06.007Z').getDayOfMonth() == 2 && timestamp('2024-02-03T04:05:06.007Z').getDate() == 3 && timestamp('2024-02-03T04:05:06.007Z').getDayOfWeek() == 6",
        "timestamp('2024-02-03T04:05:06.007Z').getHours() == 4 && timestamp('2024-02-03T04:05:06.007Z').getMinutes() == 5 && timestamp('2024-02-03T04:05:06.007Z').getSeconds() == 6 && timestamp('2024-02-03T04:05:06.007Z').getMilliseconds() == 7",
        "'abc'.charAt(1) == 'b' && 'abcb'.indexOf('b') == 1 && 'abcb'.lastIndexOf('b') == 3 && ['a', 'b'].join('-') == 'a-b' && 'Ab'.lowerAscii() == 'ab' && 'Ab'.upperAscii() == 'AB'",
        "'aXa'.replace('X', 'Y') == 'aYa' && 'a,b'.split(',') == ['a', 'b'] && 'abc'.substring(1) == 'bc' && ' a '.trim() == 'a'",
        "[1, 2, 2].isSorted() && [1, 2, 3].sum() == 6 && [3, 1, 2].min() == 1 && [3, 1, 2].max() == 3 && [1, 2, 1].indexOf(1) == 0 && [1, 2, 1].lastIndexOf(1) == 2",
        "'abc123def45'.find('[0-9]+') == '123' && 'abc123def45'.findAll('[0-9]+') == ['123', '45']",
        "isURL('https://example.com/a') && url('https://example.com:8443/a%20b?x=1&x=2&y').getScheme() == 'https' && url('https://example.com:8443/a').getHost() == 'example.com:8443'",
        "url('https://example.com:8443/a').getHostname() == 'example.com' && url('https://example.com:8443/a').getPort() == '8443' && url('https://example.com/a%20b').getEscapedPath() == '/a%20b'",
        "url('https://example.com/?x=1&x=2&y=a%2Fb').getQuery() == {'x': ['1', '2'], 'y': ['a/b']}",
        "!authorizer.group('').resource('pods').subresource('exec').namespace('default').name('web').check('create').allowed() && authorizer.path('/healthz').check('get').reason() == ''",
        "authorizer.serviceAccount('default', 'app').resource('pods').check('get').errored() && authorizer.serviceAccount('default', 'app').resource('pods').check('get').error() == 'no RBAC to ask'",
        "optional.of(1).hasValue() && optional.of(1).value() == 1 && optional.none().orValue(2) == 2 && optional.none().or(optional.of(3)).value() == 3 && !optional.ofNonZeroValue(0).hasValue()",
        "{'a': 1}.?a.value() == 1 && {'a': [1]}.a[?0].value() == 1 && [?optional.none(), 1] == [1] && {?'k': optional.none()} == {}",
        "quantity('500m').isLessThan(quantity('1')) && quantity('2').isGreaterThan(quantity('1')) && quantity('1Gi').compareTo(quantity('1024Mi')) == 0 && isQuantity('1Ki')",
        "quantity('2').add(3).asInteger() == 5 && quantity('2').sub(quantity('1')).isInteger() && quantity('1.5').asApproximateFloat() == 1.5 && quantity('-1').sign() == -1",
        "'%s-%d'.format(['a', 1]) == 'a-1' && strings.quote('a\tb') == '\"a\\\\tb\"'",
        "sets.contains([1, 2, 3], [2, 3]) && sets.equivalent([1, 2], [2, 1, 1]) && sets.intersects([1], [1, 4]) && !sets.intersects([1], [])",
        "isIP('10.0.0.1') && ip('10.0.0.1').family() == 4 && ip.isCanonical('10.0.0.1') && !ip.isCanonical('2001:DB8::1') && isCIDR('10.0.0.0/8') && cidr('10.1.0.0/16').ip() == ip('10.1.0.0')",
        "ip('0.0.0.0').isUnspecified() && ip('::1').isLoopback() && ip('224.0.0.5').isLinkLocalMulticast() && ip('fe80::1').isLinkLocalUnicast() && ip('8.8.8.8').isGlobalUnicast() && !ip('127.0.0.1').isGlobalUnicast()",
        "cidr('10.0.0.0/8').containsIP('10.2.3.4') && cidr('10.0.0.0/8').containsCIDR('10.1.0.0/16') && !cidr('10.1.0.0/16').containsCIDR(cidr('10.0.0.0/8')) && cidr('10.1.2.3/16').masked() == cidr('10.1.0.0/16') && cidr('10.0.0.0/8').prefixLength() == 8",
    ];

    #[test]
    fn every_claimed_call_has_a_true_example() {
        let cx = context();
        let inner = {
            let mut inner = cx.new_inner_scope();
            inner.add_variable_from_value("authorizer", authorizer("alice", &[]));
            inner
        };
        let mut seen = std::collections::HashSet::new();
        for example in EXAMPLES {
            let program = compile(example).unwrap_or_else(|e| panic!("{example}: {e}"));
            crate::cel_versions::check(&program, None).unwrap_or_else(|r| panic!("{example}: {}", r.message));
            assert_eq!(program.execute(&inner).unwrap_or_else(|e| panic!("{example}: {e}")), Value::Bool(true), "{example}");
            seen.extend(crate::cel_versions::calls(&program).into_iter().map(|(_, c)| c));
        }
        for library in crate::cel_versions::LIBRARIES.iter().filter(|l| l.palisade) {
            for call in library.calls {
                assert!(seen.contains(*call), "{call} ({}) has no example", library.name);
            }
        }
    }

    #[test]
    fn kubernetes_libraries() {
        assert_eq!(eval("quantity('500m').isLessThan(quantity('1'))"), Value::Bool(true));
        assert_eq!(eval("quantity('1Gi').compareTo(quantity('1024Mi'))"), Value::Int(0));
        assert_eq!(eval("quantity('2').add(3).asInteger()"), Value::Int(5));
        assert_eq!(eval("isQuantity('1.5x')"), Value::Bool(false));
        assert_eq!(eval("'abc123def45'.findAll('[0-9]+')"), Value::List(Arc::new(vec![Value::String(Arc::new("123".into())), Value::String(Arc::new("45".into()))])));
        assert_eq!(eval("'abc'.find('[0-9]+')"), Value::String(Arc::new(String::new())));
        assert_eq!(eval("[1, 2, 2].isSorted() && ![2, 1].isSorted()"), Value::Bool(true));
        assert_eq!(eval("[1, 2, 3].sum()"), Value::Int(6));
        assert_eq!(eval("cidr('10.0.0.0/8').containsIP('10.2.3.4') && !cidr('10.0.0.0/8').containsIP(ip('11.0.0.1'))"), Value::Bool(true));
        assert_eq!(eval("ip('::1').family() == 6 && ip('127.0.0.1').isLoopback() && isCIDR('1.2.3.0/24') && !isIP('1.2.3')"), Value::Bool(true));
        assert_eq!(eval("url('https://example.com:8443/a/b?x=1').getHostname() + ' ' + url('https://example.com:8443/a').getPort()"), Value::String(Arc::new("example.com 8443".into())));
    }
}
