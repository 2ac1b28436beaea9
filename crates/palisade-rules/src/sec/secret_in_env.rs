use palisade_core::secrets::{secret_reads, SecretUse};
use palisade_core::{Context, Target, Violation};
use crate::check::Check;

declare_rule! {
    /// ## What it does
    /// Flags containers that receive a Secret through environment variables:
    /// `env[].valueFrom.secretKeyRef` or `envFrom[].secretRef`.
    ///
    /// ## Why is this bad?
    /// Environment variables leak: into crash reports and logs, into `/proc/<pid>/environ`,
    /// into every child process, and into `kubectl describe` output of the tools that copy
    /// them. A Secret mounted as a file can be read only where it is mounted, and is updated
    /// in place when the Secret rotates.
    ///
    /// ## Example
    /// ```yaml
    /// env:
    ///   - name: DB_PASSWORD
    ///     valueFrom:
    ///       secretKeyRef: {name: db, key: password}
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// volumeMounts:
    ///   - {name: db, mountPath: /var/run/secrets/db, readOnly: true}
    /// ```
    ///
    /// ## Remediation
    /// Mount the Secret as a volume and have the application read the file.
    ///
    /// ## References
    /// - CIS Kubernetes Benchmark 1.12, 5.4.1
    pub struct SecretInEnv {
        id: "SEC002",
        name: "secret-in-environment-variable",
        severity: Low,
        summary: "Secret passed to a container as an environment variable",
        controls: ["cis-1.12:5.4.1", "nsa:secrets"],
        pss: None,
    }
}

impl Check for SecretInEnv {
    fn check(&self, _cx: &Context, t: &Target, out: &mut Vec<Violation>) {
        let Some(pod) = &t.pod else { return };
        for read in secret_reads(pod) {
            if matches!(read.how, SecretUse::EnvVar | SecretUse::EnvFrom) {
                out.push(Violation::new(
                    read.path,
                    format!(
                        "container `{}` of {} reads Secret `{}` into environment variables ({})",
                        read.container.unwrap_or(""),
                        t.what(),
                        read.secret,
                        read.how.as_str()
                    ),
                ));
            }
        }
    }
}
