//! Kubernetes versions and their support window: which minors upstream still patches, and
//! how far a kubelet may lag the API server. The table ships as data
//! (`data/kubernetes-versions.txt`, its source named there); a file in the same format
//! replaces it.

use crate::policy::Date;
use std::sync::{Arc, OnceLock};

/// One minor version's support window.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Minor {
    pub minor: u32,
    pub released: Date,
    pub end_of_support: Date,
    /// The dates are a schedule, not yet confirmed.
    pub projected: bool,
}

/// The support table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Versions {
    pub minors: Vec<Minor>,
    /// Where it came from (`built-in` or the file).
    pub source: String,
}

/// How many minors a kubelet may be older than the API server (since Kubernetes 1.28).
pub const KUBELET_SKEW: u32 = 3;

/// The minor of a version string (`v1.33.2`, `v1.30.4-eks-a737599`, `1.29`).
pub fn minor_of(version: &str) -> Option<u32> {
    let mut parts = version.trim().trim_start_matches('v').split(['.', '-', '+']);
    (parts.next()? == "1").then_some(())?;
    parts.next()?.trim_end_matches('+').parse().ok()
}

/// The Kubernetes minor a policy or a run targets (`1.30`, `v1.30.2`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct KubernetesVersion(pub u32);

impl std::str::FromStr for KubernetesVersion {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        minor_of(s).map(KubernetesVersion).ok_or_else(|| format!("`{s}` is not a Kubernetes version (1.MINOR, e.g. 1.30)"))
    }
}

impl std::fmt::Display for KubernetesVersion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "1.{}", self.0)
    }
}

impl Versions {
    /// The table shipped with Palisade.
    pub fn builtin() -> Arc<Versions> {
        static TABLE: OnceLock<Arc<Versions>> = OnceLock::new();
        TABLE
            .get_or_init(|| Arc::new(Versions::parse(include_str!("../data/kubernetes-versions.txt"), "built-in").expect("the built-in version table reads")))
            .clone()
    }

    /// Reads the table format: `MINOR RELEASED END-OF-SUPPORT [projected]` per line, `#`
    /// comments. Errors name the line.
    pub fn parse(text: &str, source: &str) -> Result<Versions, String> {
        let mut minors = Vec::new();
        for (n, line) in text.lines().enumerate() {
            let line = line.split('#').next().unwrap_or("").trim();
            if line.is_empty() {
                continue;
            }
            let at = |e: &str| format!("{source}:{}: {e}", n + 1);
            let fields: Vec<&str> = line.split_whitespace().collect();
            if !(3..=4).contains(&fields.len()) || fields.get(3).is_some_and(|f| *f != "projected") {
                return Err(at("expected `MINOR RELEASED END-OF-SUPPORT [projected]`"));
            }
            let minor = minor_of(fields[0]).ok_or_else(|| at(&format!("`{}` is not a Kubernetes 1.x minor", fields[0])))?;
            let date = |f: &str| f.parse::<Date>().map_err(|e| at(&e));
            minors.push(Minor { minor, released: date(fields[1])?, end_of_support: date(fields[2])?, projected: fields.len() == 4 });
        }
        if minors.is_empty() {
            return Err(format!("{source}: no versions"));
        }
        minors.sort_by_key(|m| m.minor);
        Ok(Versions { minors, source: source.to_string() })
    }

    pub fn get(&self, minor: u32) -> Option<&Minor> {
        self.minors.iter().find(|m| m.minor == minor)
    }

    /// The minors still supported on `today`, oldest first.
    pub fn supported(&self, today: Date) -> Vec<u32> {
        self.minors.iter().filter(|m| m.released <= today && today <= m.end_of_support).map(|m| m.minor).collect()
    }
}
