//! NetworkPolicy semantics, exactly as the Kubernetes API defines them, over the workloads of
//! an input:
//!
//! - a pod is isolated for ingress (egress) only when a policy of its namespace selects it
//!   (`podSelector`; empty selects every pod) with that type in `policyTypes` — by default
//!   `Ingress` always, and `Egress` when the policy has an `egress` section;
//! - an isolated pod accepts (sends) only what some selecting policy's rule allows — the union
//!   of all policies; an empty rule list allows nothing, an empty rule allows everything;
//! - a rule's peers (`from`/`to`; absent or empty: every peer) are `podSelector` alone (pods of
//!   the policy's namespace), `namespaceSelector` alone (every pod of matching namespaces),
//!   both in one peer (matching pods in matching namespaces), or `ipBlock` (a CIDR with
//!   `except`); its ports (absent or empty: all) match by number or range (`endPort`), or by
//!   name against the destination pod's container ports, per protocol (TCP by default);
//! - traffic between pods needs the sender's egress and the receiver's ingress to allow it.
//!
//! Pod IP addresses are not in manifests: ipBlocks match only endpoints given as addresses
//! (external traffic, `169.254.169.254`), never pods.

pub mod matrix;
pub mod model;

use crate::selector::Selector;
use model::{Ip, NetPod, Peer, Policy, PortRule, Rule};
use std::fmt;

/// One end of a connection.
#[derive(Clone, Debug, PartialEq)]
pub enum Endpoint<'a> {
    Pod(&'a NetPod),
    /// An address outside the pod network.
    Address(Ip),
}

impl fmt::Display for Endpoint<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Endpoint::Pod(p) => write!(f, "{}", p.name()),
            Endpoint::Address(ip) => write!(f, "{ip}"),
        }
    }
}

/// The protocols NetworkPolicies know.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Protocol {
    Tcp,
    Udp,
    Sctp,
}

impl std::str::FromStr for Protocol {
    type Err = String;
    fn from_str(s: &str) -> Result<Protocol, String> {
        match s.to_ascii_uppercase().as_str() {
            "TCP" => Ok(Protocol::Tcp),
            "UDP" => Ok(Protocol::Udp),
            "SCTP" => Ok(Protocol::Sctp),
            _ => Err(format!("`{s}` is not a protocol (TCP, UDP or SCTP)")),
        }
    }
}

impl fmt::Display for Protocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Protocol::Tcp => "TCP",
            Protocol::Udp => "UDP",
            Protocol::Sctp => "SCTP",
        })
    }
}

/// The verdict on a connection, with the policies that decide it.
#[derive(Clone, Debug, PartialEq)]
pub struct Verdict {
    pub allowed: bool,
    pub reasons: Vec<String>,
}

/// Which direction a policy rule governs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    Ingress,
    Egress,
}

/// The address the queries take for "outside the cluster": a public one (TEST-NET-3),
/// outside every private range.
pub const EXTERNAL: std::net::IpAddr = std::net::IpAddr::V4(std::net::Ipv4Addr::new(203, 0, 113, 10));
/// The metadata endpoint of the big clouds.
pub const METADATA: std::net::IpAddr = std::net::IpAddr::V4(std::net::Ipv4Addr::new(169, 254, 169, 254));

/// The workloads, namespaces and policies of an input.
#[derive(Debug, Default)]
pub struct Network {
    pub pods: Vec<NetPod>,
    pub policies: Vec<Policy>,
    /// Namespace → labels (with `kubernetes.io/metadata.name`).
    pub namespaces: std::collections::BTreeMap<String, std::collections::BTreeMap<String, String>>,
}

impl Network {
    /// The labels of a namespace (every namespace has at least its name label).
    pub fn namespace_labels(&self, ns: &str) -> std::borrow::Cow<'_, std::collections::BTreeMap<String, String>> {
        match self.namespaces.get(ns) {
            Some(labels) => std::borrow::Cow::Borrowed(labels),
            None => std::borrow::Cow::Owned([("kubernetes.io/metadata.name".to_string(), ns.to_string())].into()),
        }
    }

    /// The policies of the pod's namespace that select it for `direction`.
    pub fn selecting<'a>(&'a self, pod: &'a NetPod, direction: Direction) -> impl Iterator<Item = &'a Policy> + 'a {
        self.policies
            .iter()
            .filter(move |p| p.namespace == pod.namespace && p.applies(direction) && p.pod_selector.matches(&pod.labels))
    }

    pub(crate) fn peer_matches(&self, peer: &Peer, policy: &Policy, other: &Endpoint) -> bool {
        match (peer, other) {
            (Peer::Block { cidr, except }, Endpoint::Address(ip)) => cidr.contains(ip) && !except.iter().any(|e| e.contains(ip)),
            (Peer::Block { .. }, Endpoint::Pod(_)) => false,
            (Peer::Selectors { .. }, Endpoint::Address(_)) => false,
            (Peer::Selectors { pods, namespaces }, Endpoint::Pod(p)) => {
                let ns_ok = match namespaces {
                    None => p.namespace == policy.namespace,
                    Some(sel) => sel.matches(&self.namespace_labels(&p.namespace)),
                };
                ns_ok && pods.as_ref().is_none_or(|s: &Selector| s.matches(&p.labels))
            }
        }
    }

    fn port_matches(port_rule: &PortRule, port: u16, protocol: Protocol, destination: &Endpoint) -> bool {
        if port_rule.protocol != protocol {
            return false;
        }
        match (&port_rule.port, destination) {
            (model::PortRef::Any, _) => true,
            (model::PortRef::Number(n), _) => port >= *n && port <= port_rule.end_port.unwrap_or(*n),
            (model::PortRef::Name(name), Endpoint::Pod(p)) => {
                p.ports.iter().any(|cp| cp.name.as_deref() == Some(name.as_str()) && cp.port == port && cp.protocol == protocol)
            }
            (model::PortRef::Name(_), Endpoint::Address(_)) => false,
        }
    }

    fn rule_allows(&self, rule: &Rule, policy: &Policy, peer: &Endpoint, port: u16, protocol: Protocol, destination: &Endpoint) -> bool {
        let peer_ok = rule.peers.is_empty() || rule.peers.iter().any(|p| self.peer_matches(p, policy, peer));
        let port_ok = rule.ports.is_empty() || rule.ports.iter().any(|p| Self::port_matches(p, port, protocol, destination));
        peer_ok && port_ok
    }

    /// Whether `pod` may receive (ingress) from or send (egress) to `peer` on the port; the
    /// reasons name the policies that decide.
    fn side(&self, pod: &NetPod, direction: Direction, peer: &Endpoint, port: u16, protocol: Protocol) -> Verdict {
        let me = Endpoint::Pod(pod);
        let destination = match direction {
            Direction::Ingress => &me,
            Direction::Egress => peer,
        };
        let word = match direction {
            Direction::Ingress => "ingress",
            Direction::Egress => "egress",
        };
        let mut selecting = self.selecting(pod, direction).peekable();
        if selecting.peek().is_none() {
            return Verdict { allowed: true, reasons: vec![format!("{}: no policy selects it for {word}", pod.name())] };
        }
        let mut names = Vec::new();
        for policy in selecting {
            names.push(policy.name());
            let rules = match direction {
                Direction::Ingress => &policy.ingress,
                Direction::Egress => &policy.egress,
            };
            if rules.iter().any(|r| self.rule_allows(r, policy, peer, port, protocol, destination)) {
                return Verdict { allowed: true, reasons: vec![format!("{}: {word} allowed by {}", pod.name(), policy.name())] };
            }
        }
        Verdict { allowed: false, reasons: vec![format!("{}: {word} isolated by {}, and no rule allows it", pod.name(), names.join(", "))] }
    }

    /// Whether `src` may open a connection to `dst` on `port`/`protocol`: the sender's egress
    /// and the receiver's ingress must both allow it.
    pub fn can_reach(&self, src: &Endpoint, dst: &Endpoint, port: u16, protocol: Protocol) -> Verdict {
        let mut reasons = Vec::new();
        let mut allowed = true;
        if let Endpoint::Pod(p) = src {
            let v = self.side(p, Direction::Egress, dst, port, protocol);
            allowed &= v.allowed;
            reasons.extend(v.reasons);
        }
        if let Endpoint::Pod(p) = dst {
            let v = self.side(p, Direction::Ingress, src, port, protocol);
            allowed &= v.allowed;
            reasons.extend(v.reasons);
        }
        Verdict { allowed, reasons }
    }
}
