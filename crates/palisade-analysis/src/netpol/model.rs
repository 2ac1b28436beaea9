//! Pods, namespaces and NetworkPolicies, read from value trees.

use super::{Direction, Protocol};
use crate::selector::Selector;
use palisade_core::{Node, Object, PodSpecView};
use std::collections::BTreeMap;
use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;

/// An IP address.
pub type Ip = IpAddr;

/// A CIDR block.
#[derive(Clone, Debug, PartialEq)]
pub struct Cidr {
    pub addr: IpAddr,
    pub prefix: u8,
}

impl FromStr for Cidr {
    type Err = String;
    fn from_str(s: &str) -> Result<Cidr, String> {
        let (addr, prefix) = s.split_once('/').ok_or_else(|| format!("`{s}` is not a CIDR (expected ADDRESS/PREFIX)"))?;
        let addr: IpAddr = addr.parse().map_err(|_| format!("`{s}` is not a CIDR: bad address"))?;
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix: u8 = prefix.parse().ok().filter(|p| *p <= max).ok_or_else(|| format!("`{s}` is not a CIDR: bad prefix"))?;
        Ok(Cidr { addr, prefix })
    }
}

impl Cidr {
    pub fn contains(&self, ip: &IpAddr) -> bool {
        let bits = |a: &IpAddr| -> (u128, u32) {
            match a {
                IpAddr::V4(v) => (u128::from(u32::from(*v)), 32),
                IpAddr::V6(v) => (u128::from(*v), 128),
            }
        };
        let ((net, width), (host, host_width)) = (bits(&self.addr), bits(ip));
        if width != host_width {
            return false;
        }
        let shift = width - u32::from(self.prefix);
        shift >= width || (net >> shift) == (host >> shift)
    }
}

/// A container port a pod exposes.
#[derive(Clone, Debug, PartialEq)]
pub struct ContainerPort {
    pub name: Option<String>,
    pub port: u16,
    pub protocol: Protocol,
}

/// The pods of one workload, as NetworkPolicies see them.
#[derive(Clone, Debug, PartialEq)]
pub struct NetPod {
    pub namespace: String,
    pub kind: String,
    pub workload: String,
    pub labels: BTreeMap<String, String>,
    pub ports: Vec<ContainerPort>,
}

impl NetPod {
    /// `NAMESPACE/NAME`.
    pub fn name(&self) -> String {
        format!("{}/{}", self.namespace, self.workload)
    }
}

/// What a port rule names.
#[derive(Clone, Debug, PartialEq)]
pub enum PortRef {
    Any,
    Number(u16),
    Name(String),
}

/// One entry of a rule's `ports`.
#[derive(Clone, Debug, PartialEq)]
pub struct PortRule {
    pub protocol: Protocol,
    pub port: PortRef,
    pub end_port: Option<u16>,
}

/// One entry of a rule's `from` / `to`.
#[derive(Clone, Debug, PartialEq)]
pub enum Peer {
    /// `podSelector` and/or `namespaceSelector` (absent: `None`).
    Selectors { pods: Option<Selector>, namespaces: Option<Selector> },
    Block { cidr: Cidr, except: Vec<Cidr> },
}

/// One ingress or egress rule. Empty `peers` or `ports` mean all.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Rule {
    pub peers: Vec<Peer>,
    pub ports: Vec<PortRule>,
}

/// A NetworkPolicy.
#[derive(Clone, Debug, PartialEq)]
pub struct Policy {
    pub namespace: String,
    pub name: String,
    pub pod_selector: Selector,
    pub ingress_type: bool,
    pub egress_type: bool,
    pub ingress: Vec<Rule>,
    pub egress: Vec<Rule>,
    /// Problems found while reading (unknown selector operators, bad CIDRs): the policy is
    /// still used, the offending part matches nothing.
    pub problems: Vec<String>,
}

impl Policy {
    pub fn applies(&self, direction: Direction) -> bool {
        match direction {
            Direction::Ingress => self.ingress_type,
            Direction::Egress => self.egress_type,
        }
    }

    /// `NAMESPACE/NAME`.
    pub fn name(&self) -> String {
        format!("NetworkPolicy {}/{}", self.namespace, self.name)
    }
}

impl fmt::Display for Policy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name())
    }
}

fn selector(node: Option<&Node>, problems: &mut Vec<String>) -> Option<Selector> {
    let node = node?;
    match Selector::from_node(node) {
        Ok(s) => Some(s),
        Err(e) => {
            problems.push(e);
            // A selector the API server would reject matches nothing.
            Some(Selector { requirements: vec![crate::selector::Requirement::In("\u{0}".into(), Vec::new())] })
        }
    }
}

fn rules(node: Option<&Node>, peer_key: &str, problems: &mut Vec<String>) -> Vec<Rule> {
    let mut out = Vec::new();
    for r in node.map(Node::items).unwrap_or(&[]) {
        let mut rule = Rule::default();
        for p in r.get(peer_key).map(Node::items).unwrap_or(&[]) {
            if let Some(block) = p.get("ipBlock") {
                let cidr = block.get("cidr").map(Node::display_scalar).unwrap_or_default();
                match cidr.parse::<Cidr>() {
                    Ok(cidr) => {
                        let except = block
                            .get("except")
                            .map(Node::items)
                            .unwrap_or(&[])
                            .iter()
                            .filter_map(|e| e.display_scalar().parse().map_err(|err: String| problems.push(err)).ok())
                            .collect();
                        rule.peers.push(Peer::Block { cidr, except });
                    }
                    Err(e) => problems.push(e),
                }
            } else {
                rule.peers.push(Peer::Selectors {
                    pods: selector(p.get("podSelector"), problems),
                    namespaces: selector(p.get("namespaceSelector"), problems),
                });
            }
        }
        for p in r.get("ports").map(Node::items).unwrap_or(&[]) {
            let protocol = match p.get("protocol").map(Node::display_scalar) {
                None => Protocol::Tcp,
                Some(text) => match text.parse() {
                    Ok(proto) => proto,
                    Err(e) => {
                        problems.push(e);
                        continue;
                    }
                },
            };
            let port = match p.get("port") {
                None => PortRef::Any,
                Some(n) => match n.as_i64() {
                    Some(num) => PortRef::Number(num.clamp(0, 65535) as u16),
                    None => PortRef::Name(n.display_scalar()),
                },
            };
            let end_port = p.get("endPort").and_then(Node::as_i64).map(|e| e.clamp(0, 65535) as u16);
            rule.ports.push(PortRule { protocol, port, end_port });
        }
        out.push(rule);
    }
    out
}

/// Reads a NetworkPolicy.
pub fn read_policy(object: &Object, node: &Node) -> Option<Policy> {
    if object.kind != "NetworkPolicy" || object.api_version.split('/').next() != Some("networking.k8s.io") {
        return None;
    }
    let spec = node.get("spec");
    let mut problems = Vec::new();
    let pod_selector = selector(spec.and_then(|s| s.get("podSelector")), &mut problems).unwrap_or_default();
    let egress_node = spec.and_then(|s| s.get("egress"));
    let types: Option<Vec<String>> = spec.and_then(|s| s.get("policyTypes")).map(|t| t.items().iter().map(Node::display_scalar).collect());
    let (ingress_type, egress_type) = match &types {
        Some(t) => (t.iter().any(|x| x == "Ingress"), t.iter().any(|x| x == "Egress")),
        None => (true, egress_node.is_some_and(|e| !e.is_null())),
    };
    Some(Policy {
        namespace: object.namespace.unwrap_or("default").to_string(),
        name: object.name.to_string(),
        pod_selector,
        ingress_type,
        egress_type,
        ingress: rules(spec.and_then(|s| s.get("ingress")), "from", &mut problems),
        egress: rules(egress_node, "to", &mut problems),
        problems,
    })
}

/// Reads the pods of a workload (its pod template), if it has one.
pub fn read_pod(object: &Object) -> Option<NetPod> {
    let pod = PodSpecView::of(object)?;
    let labels = pod.meta.map(|m| {
        m.get("labels").map(Node::entries).unwrap_or(&[]).iter().map(|e| (e.key.clone(), e.value.display_scalar())).collect()
    });
    let ports = pod
        .containers()
        .flat_map(|c| c.node.get("ports").map(Node::items).unwrap_or(&[]))
        .filter_map(|p| {
            Some(ContainerPort {
                name: p.get("name").map(Node::display_scalar),
                port: u16::try_from(p.get("containerPort")?.as_i64()?).ok()?,
                protocol: p.get("protocol").map(Node::display_scalar).and_then(|s| s.parse().ok()).unwrap_or(Protocol::Tcp),
            })
        })
        .collect();
    Some(NetPod {
        namespace: object.namespace.unwrap_or("default").to_string(),
        kind: object.kind.to_string(),
        workload: object.name.to_string(),
        labels: labels.unwrap_or_default(),
        ports,
    })
}
