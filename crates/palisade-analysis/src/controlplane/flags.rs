//! Command-line flags as Kubernetes components read them (spf13/pflag): `--name=value`,
//! `--name value`, a bare `--name` for a boolean, the last occurrence winning. Each flag
//! keeps the index of the argument it came from, so a finding can point at it.

/// The flags of one command line.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Flags {
    /// (name without dashes, value, index of the argument that named it).
    entries: Vec<(String, Option<String>, usize)>,
}

impl Flags {
    /// Reads the arguments after the binary (`argv[1..]`). A `--name` followed by an
    /// argument that is not itself a flag takes it as its value, as pflag does for
    /// non-boolean flags; booleans are written `--name=false` in practice, and a bare
    /// `--name` before another flag is `true`.
    pub fn parse<S: AsRef<str>>(args: &[S]) -> Flags {
        let mut entries = Vec::new();
        let mut i = 0;
        while i < args.len() {
            let arg = args[i].as_ref();
            let Some(body) = arg.strip_prefix("--").or_else(|| arg.strip_prefix('-')).filter(|b| !b.is_empty()) else {
                i += 1;
                continue;
            };
            match body.split_once('=') {
                Some((name, value)) => entries.push((name.to_string(), Some(value.to_string()), i)),
                None => match args.get(i + 1).map(AsRef::as_ref).filter(|next| !next.starts_with('-')) {
                    Some(value) if !BOOLEAN.contains(&body) => {
                        entries.push((body.to_string(), Some(value.to_string()), i));
                        i += 1;
                    }
                    _ => entries.push((body.to_string(), None, i)),
                },
            }
            i += 1;
        }
        Flags { entries }
    }

    fn last(&self, name: &str) -> Option<&(String, Option<String>, usize)> {
        self.entries.iter().rev().find(|(n, _, _)| n == name)
    }

    /// The flag's value (`Some("")` for `--name=`, `Some("true")` for a bare boolean).
    pub fn get(&self, name: &str) -> Option<&str> {
        self.last(name).map(|(_, v, _)| v.as_deref().unwrap_or("true"))
    }

    /// The index of the argument that set the flag last.
    pub fn index(&self, name: &str) -> Option<usize> {
        self.last(name).map(|(_, _, i)| *i)
    }

    /// A comma-separated flag's items (`None` when the flag is not given).
    pub fn list(&self, name: &str) -> Option<Vec<&str>> {
        self.get(name).map(|v| v.split(',').map(str::trim).filter(|s| !s.is_empty()).collect())
    }
}

/// Boolean flags of the control-plane components that the checks read: a bare `--name`
/// is `true` and never takes the next argument.
const BOOLEAN: &[&str] = &[
    "anonymous-auth", "profiling", "service-account-lookup", "use-service-account-credentials", "client-cert-auth",
    "peer-client-cert-auth", "auto-tls", "peer-auto-tls", "service-account-extend-token-expiration",
    "make-iptables-util-chains", "rotate-certificates", "seccomp-default", "protect-kernel-defaults",
];
