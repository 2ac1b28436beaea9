//! The connectivity matrix: for every pair of workloads (and the outside world, and the cloud
//! metadata address), the ports on which a connection is allowed — computed exactly as the
//! intersection of what the sender's egress and the receiver's ingress allow.

use super::model::{NetPod, PortRef, Rule};
use super::{Direction, Endpoint, Network, Protocol};
use std::fmt;

/// A set of ports: everything, or a union of (protocol, first, last) ranges.
#[derive(Clone, Debug, PartialEq)]
pub enum Ports {
    All,
    Some(Vec<(Protocol, u16, u16)>),
}

impl Ports {
    pub fn none() -> Ports {
        Ports::Some(Vec::new())
    }

    pub fn is_empty(&self) -> bool {
        matches!(self, Ports::Some(r) if r.is_empty())
    }

    fn union(&mut self, other: Ports) {
        match (self, other) {
            (Ports::All, _) => {}
            (this, Ports::All) => *this = Ports::All,
            (Ports::Some(a), Ports::Some(b)) => {
                for r in b {
                    if !a.contains(&r) {
                        a.push(r);
                    }
                }
            }
        }
    }

    fn intersect(&self, other: &Ports) -> Ports {
        match (self, other) {
            (Ports::All, o) | (o, Ports::All) => o.clone(),
            (Ports::Some(a), Ports::Some(b)) => {
                let mut out = Vec::new();
                for (pa, fa, la) in a {
                    for (pb, fb, lb) in b {
                        let (first, last) = ((*fa).max(*fb), (*la).min(*lb));
                        if pa == pb && first <= last && !out.contains(&(*pa, first, last)) {
                            out.push((*pa, first, last));
                        }
                    }
                }
                out.sort_by_key(|(p, f, _)| (*p as u8, *f));
                Ports::Some(out)
            }
        }
    }
}

impl fmt::Display for Ports {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Ports::All => f.write_str("all"),
            Ports::Some(r) if r.is_empty() => f.write_str("-"),
            Ports::Some(r) => {
                let parts: Vec<String> = r
                    .iter()
                    .map(|(p, a, b)| if a == b { format!("{a}/{p}") } else { format!("{a}-{b}/{p}") })
                    .collect();
                f.write_str(&parts.join(","))
            }
        }
    }
}

/// The ports a rule allows towards `destination`.
fn rule_ports(rule: &Rule, destination: &Endpoint) -> Ports {
    if rule.ports.is_empty() {
        return Ports::All;
    }
    let mut out = Vec::new();
    for p in &rule.ports {
        match (&p.port, destination) {
            (PortRef::Any, _) => out.push((p.protocol, 0, u16::MAX)),
            (PortRef::Number(n), _) => out.push((p.protocol, *n, p.end_port.unwrap_or(*n).max(*n))),
            (PortRef::Name(name), Endpoint::Pod(pod)) => {
                for cp in pod.ports.iter().filter(|cp| cp.name.as_deref() == Some(name.as_str()) && cp.protocol == p.protocol) {
                    out.push((cp.protocol, cp.port, cp.port));
                }
            }
            (PortRef::Name(_), Endpoint::Address(_)) => {}
        }
    }
    Ports::Some(out)
}

/// Per pod, the indices of the policies that select it for ingress and for egress; and, per
/// policy, direction, rule and peer, the pods the peer matches (a bit per pod), so that the
/// matrix tests bits instead of selectors.
pub struct Selection {
    ingress: Vec<Vec<usize>>,
    egress: Vec<Vec<usize>>,
    /// [policy][0 ingress | 1 egress][rule][peer] → bitset over pods.
    peers: Vec<[Vec<Vec<Vec<u64>>>; 2]>,
}

fn bit(set: &[u64], i: usize) -> bool {
    set[i / 64] >> (i % 64) & 1 == 1
}

impl Network {
    /// Which policies select each pod (computed once for many questions).
    pub fn selection(&self) -> Selection {
        let pick = |pod: &NetPod, dir: Direction| -> Vec<usize> {
            self.policies
                .iter()
                .enumerate()
                .filter(|(_, p)| p.namespace == pod.namespace && p.applies(dir) && p.pod_selector.matches(&pod.labels))
                .map(|(i, _)| i)
                .collect()
        };
        let words = self.pods.len().div_ceil(64);
        let peer_set = |policy: &super::model::Policy, peer: &super::model::Peer| -> Vec<u64> {
            let mut set = vec![0u64; words];
            for (i, pod) in self.pods.iter().enumerate() {
                if self.peer_matches(peer, policy, &Endpoint::Pod(pod)) {
                    set[i / 64] |= 1 << (i % 64);
                }
            }
            set
        };
        let peers = self
            .policies
            .iter()
            .map(|policy| {
                let sets = |rules: &[Rule]| -> Vec<Vec<Vec<u64>>> {
                    rules.iter().map(|r| r.peers.iter().map(|p| peer_set(policy, p)).collect()).collect()
                };
                [sets(&policy.ingress), sets(&policy.egress)]
            })
            .collect();
        Selection {
            ingress: self.pods.iter().map(|p| pick(p, Direction::Ingress)).collect(),
            egress: self.pods.iter().map(|p| pick(p, Direction::Egress)).collect(),
            peers,
        }
    }

    /// The ports pod `i` allows in `direction` with `peer` on the other side (`All` when no
    /// policy isolates it).
    fn side_ports(&self, sel: &Selection, i: usize, direction: Direction, peer: Cell, destination: &Endpoint) -> Ports {
        let policies = match direction {
            Direction::Ingress => &sel.ingress[i],
            Direction::Egress => &sel.egress[i],
        };
        if policies.is_empty() {
            return Ports::All;
        }
        let mut allowed = Ports::none();
        for &pi in policies {
            let policy = &self.policies[pi];
            let rules = match direction {
                Direction::Ingress => &policy.ingress,
                Direction::Egress => &policy.egress,
            };
            let sets = &sel.peers[pi][usize::from(direction == Direction::Egress)];
            for (ri, rule) in rules.iter().enumerate() {
                let matches = |(k, p): (usize, &super::model::Peer)| match peer {
                    Cell::Pod(j) => bit(&sets[ri][k], j),
                    Cell::Address(ip) => self.peer_matches(p, policy, &Endpoint::Address(ip)),
                };
                if rule.peers.is_empty() || rule.peers.iter().enumerate().any(matches) {
                    allowed.union(rule_ports(rule, destination));
                    if allowed == Ports::All {
                        return allowed;
                    }
                }
            }
        }
        allowed
    }

    /// The ports on which pod `src` (or an address) may connect to pod `dst` (or an address).
    pub fn open_ports(&self, sel: &Selection, src: Cell, dst: Cell) -> Ports {
        let to = self.endpoint(dst);
        let egress = match src {
            Cell::Pod(i) => self.side_ports(sel, i, Direction::Egress, dst, &to),
            Cell::Address(_) => Ports::All,
        };
        if egress.is_empty() {
            return egress;
        }
        let ingress = match dst {
            Cell::Pod(i) => self.side_ports(sel, i, Direction::Ingress, src, &to),
            Cell::Address(_) => Ports::All,
        };
        egress.intersect(&ingress)
    }

    fn endpoint(&self, cell: Cell) -> Endpoint<'_> {
        match cell {
            Cell::Pod(i) => Endpoint::Pod(&self.pods[i]),
            Cell::Address(ip) => Endpoint::Address(ip),
        }
    }

    /// The whole matrix: rows are senders, columns receivers — every workload, then the
    /// given addresses (the outside world, the metadata endpoint). Each row lists only the
    /// columns with something allowed, with the ports. Rows are computed in parallel.
    pub fn matrix(&self, addresses: &[std::net::IpAddr]) -> Vec<Vec<(usize, Ports)>> {
        let sel = self.selection();
        let cells: Vec<Cell> =
            (0..self.pods.len()).map(Cell::Pod).chain(addresses.iter().map(|a| Cell::Address(*a))).collect();
        let threads = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1).min(cells.len().max(1));
        let chunk = cells.len().div_ceil(threads).max(1);
        std::thread::scope(|s| {
            let handles: Vec<_> = cells
                .chunks(chunk)
                .map(|rows| {
                    let (sel, cells) = (&sel, &cells);
                    s.spawn(move || {
                        rows.iter()
                            .map(|src| {
                                cells
                                    .iter()
                                    .enumerate()
                                    .map(|(c, dst)| (c, self.open_ports(sel, *src, *dst)))
                                    .filter(|(_, p)| !p.is_empty())
                                    .collect()
                            })
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            handles.into_iter().flat_map(|h| h.join().expect("matrix thread")).collect()
        })
    }
}

/// A row or column of the matrix.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Cell {
    Pod(usize),
    Address(std::net::IpAddr),
}
