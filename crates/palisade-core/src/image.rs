//! Container image references, read the way container runtimes read them:
//! `[registry/]repository[:tag][@digest]`, with Docker Hub as the default registry.

use crate::policy::glob_match;

/// A parsed image reference.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ImageRef {
    /// `docker.io`, `ghcr.io`, `registry.example.com:5000`.
    pub registry: String,
    /// `library/nginx`, `acme/web`.
    pub repository: String,
    pub tag: Option<String>,
    /// `sha256:…`.
    pub digest: Option<String>,
}

impl ImageRef {
    /// Parses a reference; `None` for an empty one.
    pub fn parse(text: &str) -> Option<ImageRef> {
        let text = text.trim();
        if text.is_empty() {
            return None;
        }
        let (name, digest) = match text.split_once('@') {
            Some((n, d)) => (n, Some(d.to_string())),
            None => (text, None),
        };
        // A tag is a `:` after the last `/` (a `:` before it is a registry port).
        let last_slash = name.rfind('/').map(|i| i + 1).unwrap_or(0);
        let (name, tag) = match name[last_slash..].rfind(':') {
            Some(i) => (&name[..last_slash + i], Some(name[last_slash + i + 1..].to_string())),
            None => (name, None),
        };
        let (registry, repository) = match name.split_once('/') {
            Some((first, rest)) if first.contains('.') || first.contains(':') || first == "localhost" => {
                (first.to_string(), rest.to_string())
            }
            _ => ("docker.io".to_string(), name.to_string()),
        };
        let repository = if registry == "docker.io" && !repository.contains('/') {
            format!("library/{repository}")
        } else {
            repository
        };
        Some(ImageRef { registry, repository, tag, digest })
    }

    /// Whether the image is pinned to one build by its digest.
    pub fn pinned(&self) -> bool {
        self.digest.is_some()
    }

    /// No tag, or `latest`, and no digest: whatever was pushed last.
    pub fn floating(&self) -> bool {
        !self.pinned() && self.tag.as_deref().is_none_or(|t| t == "latest")
    }

    /// `registry/repository`.
    pub fn name(&self) -> String {
        format!("{}/{}", self.registry, self.repository)
    }

    /// Whether an allowed-registry entry admits this image: a registry host
    /// (`registry.example.com`), a repository prefix (`ghcr.io/acme`), or a glob over either
    /// (`*.dkr.ecr.eu-west-1.amazonaws.com`). Docker Hub is `docker.io`.
    pub fn allowed_by(&self, entry: &str) -> bool {
        let entry = entry.trim().trim_end_matches('/');
        let name = self.name();
        if entry.contains('*') || entry.contains('?') {
            return glob_match(entry, &self.registry) || glob_match(entry, &name) || glob_match(&format!("{entry}/*"), &name);
        }
        let entry = if entry == "index.docker.io" || entry == "registry-1.docker.io" { "docker.io" } else { entry };
        self.registry == entry || name.starts_with(&format!("{entry}/"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(text: &str) -> (String, String, Option<String>, Option<String>) {
        let r = ImageRef::parse(text).unwrap();
        (r.registry, r.repository, r.tag, r.digest)
    }

    #[test]
    fn references_parse_like_container_runtimes() {
        let s = |x: &str| Some(x.to_string());
        assert_eq!(parts("nginx"), ("docker.io".into(), "library/nginx".into(), None, None));
        assert_eq!(parts("nginx:1.27"), ("docker.io".into(), "library/nginx".into(), s("1.27"), None));
        assert_eq!(parts("acme/web:2"), ("docker.io".into(), "acme/web".into(), s("2"), None));
        assert_eq!(parts("registry.example.com:5000/team/app"), ("registry.example.com:5000".into(), "team/app".into(), None, None));
        assert_eq!(parts("localhost/app:dev"), ("localhost".into(), "app".into(), s("dev"), None));
        assert_eq!(
            parts("ghcr.io/acme/app:1.0@sha256:abc"),
            ("ghcr.io".into(), "acme/app".into(), s("1.0"), s("sha256:abc"))
        );
        assert!(ImageRef::parse("nginx").unwrap().floating());
        assert!(ImageRef::parse("nginx:latest").unwrap().floating());
        assert!(!ImageRef::parse("nginx:latest@sha256:abc").unwrap().floating());
        assert!(ImageRef::parse(" ").is_none());
    }

    #[test]
    fn allowed_registries() {
        let img = ImageRef::parse("ghcr.io/acme/app:1").unwrap();
        assert!(img.allowed_by("ghcr.io"));
        assert!(img.allowed_by("ghcr.io/acme"));
        assert!(img.allowed_by("ghcr.io/acme/"));
        assert!(!img.allowed_by("ghcr.io/ac"));
        assert!(!img.allowed_by("docker.io"));
        assert!(ImageRef::parse("nginx").unwrap().allowed_by("docker.io"));
        assert!(ImageRef::parse("nginx").unwrap().allowed_by("index.docker.io"));
        let ecr = ImageRef::parse("123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:1").unwrap();
        assert!(ecr.allowed_by("*.dkr.ecr.eu-west-1.amazonaws.com"));
        assert!(!ecr.allowed_by("*.dkr.ecr.us-east-1.amazonaws.com"));
        assert!(img.allowed_by("ghcr.io/acme*"));
    }
}
