//! What to probe: hosts, `host:port` and CIDR ranges, each with the default ports or its
//! own. A range larger than /16 is refused unless forced; nothing is dropped silently.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, ToSocketAddrs};

/// A port a Kubernetes control plane or node commonly listens on, and what is expected there.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KnownPort {
    pub port: u16,
    pub expected: &'static str,
}

/// The default ports: etcd, the API server (secure and insecure), the kubelet (and its
/// read-only port), kube-proxy, the controller manager, the scheduler, kubectl proxy and
/// the dashboard's insecure port.
pub const DEFAULT_PORTS: &[KnownPort] = &[
    KnownPort { port: 2379, expected: "etcd" },
    KnownPort { port: 2380, expected: "etcd-peer" },
    KnownPort { port: 6443, expected: "kube-apiserver" },
    KnownPort { port: 443, expected: "kube-apiserver" },
    KnownPort { port: 8443, expected: "kube-apiserver" },
    KnownPort { port: 8080, expected: "kube-apiserver-insecure" },
    KnownPort { port: 10250, expected: "kubelet" },
    KnownPort { port: 10255, expected: "kubelet-read-only" },
    KnownPort { port: 10256, expected: "kube-proxy" },
    KnownPort { port: 10257, expected: "kube-controller-manager" },
    KnownPort { port: 10259, expected: "kube-scheduler" },
    KnownPort { port: 8001, expected: "kubectl-proxy" },
    KnownPort { port: 9090, expected: "dashboard" },
];

/// What is expected on a port (`None` for a port the user chose that is not a known one).
pub fn expected(port: u16) -> Option<&'static str> {
    DEFAULT_PORTS.iter().find(|k| k.port == port).map(|k| k.expected)
}

/// One address and port to probe, with the name the user gave.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Endpoint {
    /// The host as given (a name or an address).
    pub host: String,
    pub addr: SocketAddr,
}

/// The largest range probed without `--force` (a /16: 65,536 addresses).
pub const MAX_UNFORCED: u128 = 1 << 16;

fn cidr(text: &str) -> Option<Result<Vec<IpAddr>, String>> {
    let (base, bits) = text.split_once('/')?;
    let base: IpAddr = base.parse().ok()?;
    let max = if base.is_ipv4() { 32 } else { 128 };
    let bits: u32 = match bits.parse() {
        Ok(b) if b <= max => b,
        _ => return Some(Err(format!("{text}: the prefix length must be 0–{max}"))),
    };
    let size: u128 = 1u128.checked_shl(max - bits).unwrap_or(u128::MAX);
    Some(Ok(match base {
        IpAddr::V4(v4) => {
            let start = u32::from(v4) & (u32::MAX.checked_shl(32 - bits).unwrap_or(0));
            // A /31 or /32 has no network and broadcast addresses to leave out.
            let (first, last) = if bits >= 31 { (0, size as u32 - 1) } else { (1, size as u32 - 2) };
            (first..=last).map(|i| IpAddr::V4(Ipv4Addr::from(start.wrapping_add(i)))).collect()
        }
        IpAddr::V6(v6) => {
            let start = u128::from(v6) & (u128::MAX.checked_shl(128 - bits).unwrap_or(0));
            (0..size.min(MAX_UNFORCED * 256)).map(|i| IpAddr::V6(Ipv6Addr::from(start + i))).collect()
        }
    }))
}

/// How many addresses a CIDR range holds (for the /16 limit), without expanding it.
pub fn range_size(text: &str) -> Option<u128> {
    let (base, bits) = text.split_once('/')?;
    let max = if base.parse::<IpAddr>().ok()?.is_ipv4() { 32 } else { 128 };
    let bits: u32 = bits.parse().ok().filter(|b| *b <= max)?;
    Some(1u128.checked_shl(max - bits).unwrap_or(u128::MAX))
}

/// Splits `host:port`, `[v6]:port`, a bare host or a bare IPv6 address.
fn host_port(text: &str) -> Result<(String, Option<u16>), String> {
    let bad_port = |p: &str| format!("{text}: `{p}` is not a port (1–65535)");
    if let Some(rest) = text.strip_prefix('[') {
        let (host, after) = rest.split_once(']').ok_or_else(|| format!("{text}: missing `]`"))?;
        return match after.strip_prefix(':') {
            Some(p) => Ok((host.to_string(), Some(p.parse().ok().filter(|p| *p > 0).ok_or_else(|| bad_port(p))?))),
            None if after.is_empty() => Ok((host.to_string(), None)),
            None => Err(format!("{text}: expected `:PORT` after `]`")),
        };
    }
    if text.parse::<Ipv6Addr>().is_ok() {
        return Ok((text.to_string(), None));
    }
    match text.rsplit_once(':') {
        Some((host, p)) => Ok((host.to_string(), Some(p.parse().ok().filter(|p| *p > 0).ok_or_else(|| bad_port(p))?))),
        None => Ok((text.to_string(), None)),
    }
}

/// The endpoints of the targets: a target with a port is that port only, one without gets
/// `ports`. Errors name the target; a range beyond /16 needs `force`.
pub fn plan(targets: &[String], ports: &[u16], force: bool) -> Result<Vec<Endpoint>, String> {
    let mut out = Vec::new();
    for target in targets {
        let target = target.trim();
        if target.is_empty() {
            return Err("an empty target".into());
        }
        if let Some(size) = range_size(target) {
            if size > MAX_UNFORCED && !force {
                return Err(format!("{target}: {size} addresses is more than a /16 (65,536); narrow the range or pass --force"));
            }
        }
        if let Some(range) = cidr(target) {
            for ip in range? {
                out.extend(ports.iter().map(|p| Endpoint { host: ip.to_string(), addr: SocketAddr::new(ip, *p) }));
            }
            continue;
        }
        let (host, port) = host_port(target)?;
        let ip: IpAddr = match host.parse() {
            Ok(ip) => ip,
            Err(_) => (host.as_str(), 0)
                .to_socket_addrs()
                .map_err(|e| format!("{target}: cannot resolve {host}: {e}"))?
                .next()
                .ok_or_else(|| format!("{target}: {host} has no address"))?
                .ip(),
        };
        match port {
            Some(p) => out.push(Endpoint { host: host.clone(), addr: SocketAddr::new(ip, p) }),
            None => out.extend(ports.iter().map(|p| Endpoint { host: host.clone(), addr: SocketAddr::new(ip, *p) })),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_expand_to_endpoints() {
        let eps = plan(&["127.0.0.1:2379".into(), "[::1]:6443".into(), "localhost".into()], &[10250, 10255], false).unwrap();
        let addrs: Vec<String> = eps.iter().map(|e| e.addr.to_string()).collect();
        assert_eq!(addrs[..2], ["127.0.0.1:2379".to_string(), "[::1]:6443".to_string()]);
        assert_eq!(eps.len(), 4, "localhost gets both ports");
        assert_eq!(eps[2].host, "localhost");
        let range = plan(&["10.0.0.0/30".into()], &[2379], false).unwrap();
        assert_eq!(range.iter().map(|e| e.host.as_str()).collect::<Vec<_>>(), ["10.0.0.1", "10.0.0.2"], "network and broadcast left out");
        assert_eq!(plan(&["10.0.0.7/32".into()], &[1], false).unwrap().len(), 1);
        assert_eq!(plan(&["10.0.0.0/24".into()], &[1, 2], false).unwrap().len(), 254 * 2);
    }

    #[test]
    fn bad_targets_and_large_ranges_are_refused_by_name() {
        let e = plan(&["10.0.0.0/8".into()], &[2379], false).unwrap_err();
        assert!(e.contains("10.0.0.0/8") && e.contains("--force"), "{e}");
        assert!(plan(&["10.0.0.0/15".into()], &[1], false).is_err());
        assert!(plan(&["10.0.0.0/16".into()], &[1], false).is_ok());
        assert!(plan(&["10.0.0.0/33".into()], &[1], false).unwrap_err().contains("prefix"));
        assert!(plan(&["127.0.0.1:99999".into()], &[1], false).unwrap_err().contains("99999"));
        assert!(plan(&["no-such-host.invalid".into()], &[1], false).unwrap_err().contains("no-such-host.invalid"));
    }
}
