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

/// Per pod, the indices of the policies that select it for ingress and for egress.
pub struct Selection {
    ingress: Vec<Vec<usize>>,
    egress: Vec<Vec<usize>>,
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
        Selection {
            ingress: self.pods.iter().map(|p| pick(p, Direction::Ingress)).collect(),
            egress: self.pods.iter().map(|p| pick(p, Direction::Egress)).collect(),
        }
    }

    /// The ports pod `i` allows in `direction` with `peer` on the other side (`All` when no
    /// policy isolates it).
    fn side_ports(&self, sel: &Selection, i: usize, direction: Direction, peer: &Endpoint, destination: &Endpoint) -> Ports {
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
            for rule in rules {
                if rule.peers.is_empty() || rule.peers.iter().any(|p| self.peer_matches(p, policy, peer)) {
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
        let (from, to) = (self.endpoint(src), self.endpoint(dst));
        let egress = match src {
            Cell::Pod(i) => self.side_ports(sel, i, Direction::Egress, &to, &to),
            Cell::Address(_) => Ports::All,
        };
        if egress.is_empty() {
            return egress;
        }
        let ingress = match dst {
            Cell::Pod(i) => self.side_ports(sel, i, Direction::Ingress, &from, &to),
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
    /// given addresses (the outside world, the metadata endpoint). Rows are computed in
    /// parallel.
    pub fn matrix(&self, addresses: &[std::net::IpAddr]) -> Vec<Vec<Ports>> {
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
                        rows.iter().map(|src| cells.iter().map(|dst| self.open_ports(sel, *src, *dst)).collect()).collect::<Vec<_>>()
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
