//! Detectors for credentials in plain text: well-known token formats, private keys, URLs with
//! passwords, `password=`-style assignments, and high-entropy values under credential-like
//! names. They say what they found, never the value.

use regex::Regex;
use std::sync::LazyLock;

/// Token formats recognisable on their own, with what each is.
static FORMATS: LazyLock<Vec<(&'static str, Regex)>> = LazyLock::new(|| {
    [
        ("an AWS access key ID", r"\b(?:AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16}\b"),
        ("an AWS secret access key", r"(?i)aws_?secret_?access_?key\W{1,4}[A-Za-z0-9/+]{40}\b"),
        ("a Google API key", r"\bAIza[0-9A-Za-z_\-]{35}"),
        ("a GCP service account key", r#""type"\s*:\s*"service_account"[\s\S]*"private_key""#),
        ("an Azure storage account key", r"(?i)AccountKey=[A-Za-z0-9+/]{86}=="),
        ("an Azure shared access key", r"(?i)SharedAccessKey=[A-Za-z0-9+/]{43}="),
        ("a private key (PEM)", r"-----BEGIN (?:RSA |DSA |EC |OPENSSH |ENCRYPTED |PGP )?PRIVATE KEY(?: BLOCK)?-----"),
        ("a GitHub token", r"\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,})"),
        ("a GitLab token", r"\bglpat-[A-Za-z0-9_\-]{20,}"),
        ("a Slack token", r"\bxox[abposr]-[A-Za-z0-9-]{10,}"),
        ("a Slack webhook URL", r"https://hooks\.slack\.com/services/T[A-Z0-9]+/B[A-Z0-9]+/[A-Za-z0-9]{16,}"),
        ("a JSON Web Token", r"\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}"),
    ]
    .into_iter()
    .map(|(what, re)| (what, Regex::new(re).expect("detector regex")))
    .collect()
});

/// `scheme://user:password@host`.
static URL_PASSWORD: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"[A-Za-z][A-Za-z0-9+.-]*://[^/\s:@]+:([^/\s@]+)@").expect("regex"));

/// `password=…`, `api_key: …`, `--token=…`.
static ASSIGNMENT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)(?:password|passwd|pwd|secret|token|api[_-]?key|access[_-]?key|client[_-]?secret)["']?[ \t]*[:=][ \t]*["']?([^\s"'&;,]{8,})"#)
        .expect("regex")
});

/// A command-line flag whose next argument is a credential: `--password`, `-token`.
pub static ASSIGNED_FLAGS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^--?[a-z0-9-]*(?:password|passwd|secret|token|api-?key|access-?key)$").expect("regex")
});

/// A Kubernetes object name or `namespace/name` reference, which names a secret rather than
/// being one (`cert-manager/webhook-ca`).
static OBJECT_NAME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*(/[a-z0-9]([-a-z0-9.]*[a-z0-9])?)?$").expect("regex")
});

/// Name endings that say "this holds a credential" (compared lower-case, without `_-.`).
const CREDENTIAL_NAMES: &[&str] = &[
    "password", "passwd", "pwd", "secret", "token", "apikey", "accesskey", "secretkey", "privatekey",
    "credential", "credentials", "clientsecret", "authkey", "passphrase",
];

/// Words that mark a value as a placeholder, a template or a reference rather than a secret.
const PLACEHOLDERS: &[&str] = &[
    "changeme", "change-me", "change_me", "placeholder", "example", "xxxx", "****", "redacted", "replace",
    "your_", "your-", "<", ">", "{{", "${", "$(", "%(", "dummy", "sample", "todo", "fake", "secretkeyref",
];

/// Shannon entropy of the text, in bits per character.
pub fn entropy(text: &str) -> f64 {
    let mut counts = std::collections::HashMap::new();
    let mut n = 0usize;
    for c in text.chars() {
        *counts.entry(c).or_insert(0usize) += 1;
        n += 1;
    }
    counts.values().map(|&k| {
        let p = k as f64 / n as f64;
        -p * p.log2()
    }).sum()
}

fn placeholder(value: &str) -> bool {
    let lower = value.to_ascii_lowercase();
    PLACEHOLDERS.iter().any(|p| lower.contains(p))
}

/// Whether a value could be a real secret: long enough, varied enough, and not a
/// placeholder, a path, a URL, a number or prose.
pub fn secret_like(value: &str) -> bool {
    let v = value.trim();
    v.chars().count() >= 8
        && !v.contains(char::is_whitespace)
        && !v.starts_with('/')
        && !v.starts_with("./")
        && !v.contains("://")
        && !v.chars().all(|c| c.is_ascii_digit() || c == '.' || c == '-')
        && !placeholder(v)
        && !v.ends_with(':')
        && !(OBJECT_NAME.is_match(v) && v.contains(['-', '/', '.']))
        && entropy(v) >= 3.0
}

/// Whether a name (env var, ConfigMap key) says it holds a credential.
pub fn credential_name(name: &str) -> bool {
    let flat: String = name.chars().filter(|c| !matches!(c, '_' | '-' | '.')).collect::<String>().to_ascii_lowercase();
    CREDENTIAL_NAMES.iter().any(|n| flat.ends_with(n))
}

/// What credential, if any, the text shows by its format alone, or in a URL or an assignment.
pub fn in_text(text: &str) -> Option<&'static str> {
    if let Some((what, _)) = FORMATS.iter().find(|(_, re)| re.is_match(text)) {
        return Some(what);
    }
    // A password in a URL is a password whatever its entropy.
    if URL_PASSWORD.captures_iter(text).any(|c| c[1].len() >= 4 && !placeholder(&c[1])) {
        return Some("a URL with an embedded password");
    }
    if ASSIGNMENT.captures_iter(text).any(|c| secret_like(&c[1])) {
        return Some("a `password=`-style assignment");
    }
    None
}

/// What credential, if any, a named single value holds: anything [`in_text`] finds, or a
/// secret-like value under a credential-like name.
pub fn named_value(name: &str, value: &str) -> Option<&'static str> {
    in_text(value).or_else(|| {
        (credential_name(name) && !value.contains('\n') && secret_like(value))
            .then_some("a high-entropy value under a credential-like name")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        assert_eq!(in_text("key=AKIAIOSFODNN7EXAMPLF"), Some("an AWS access key ID"));
        assert_eq!(in_text("-----BEGIN OPENSSH PRIVATE KEY-----\nb3Blbn"), Some("a private key (PEM)"));
        assert_eq!(in_text("ghp_0123456789abcdefghijABCDEFGHIJ012345"), Some("a GitHub token"));
        assert_eq!(in_text("postgres://app:S3cr3tPw@db:5432/app"), Some("a URL with an embedded password"));
        assert_eq!(in_text("postgres://app:${DB_PASSWORD}@db:5432/app"), None);
        assert_eq!(in_text("--db-password=Xk9#mQ2$vL"), Some("a `password=`-style assignment"));
        assert_eq!(in_text("password={{ .Values.password }}"), None);
        assert_eq!(in_text("https://example.com/docs"), None);
    }

    #[test]
    fn names_and_entropy() {
        assert!(credential_name("DB_PASSWORD") && credential_name("apiKey") && credential_name("client-secret"));
        assert!(!credential_name("secretName") && !credential_name("TOKEN_TTL"));
        assert_eq!(named_value("DB_PASSWORD", "hT7#pQ2xLm"), Some("a high-entropy value under a credential-like name"));
        assert_eq!(named_value("DB_PASSWORD", "changeme123"), None);
        assert_eq!(named_value("DB_PASSWORD", "aaaaaaaaaa"), None, "no variety");
        assert_eq!(named_value("AUTH_TOKEN", "/var/run/secrets/token"), None);
        assert_eq!(named_value("LOG_LEVEL", "hT7#pQ2xLm"), None);
        assert_eq!(named_value("cert-manager.io/inject-ca-from-secret", "cert-manager/cert-manager-webhook-ca"), None);
        assert_eq!(in_text("login_token:\n  signing_key: CHANGEME00000000"), None, "assignments stay on one line");
    }
}
