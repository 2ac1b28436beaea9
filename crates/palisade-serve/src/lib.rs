//! Palisade's network side: the admission webhook ([`admission`]), serving over TLS with
//! certificates reloaded as they rotate ([`https`], [`tls`]), the Prometheus metrics
//! endpoint ([`metrics`]), the alert sinks ([`alerts`]) and the read-only dashboard's
//! pages ([`dashboard`]). They take findings and decisions
//! as the rules and the binary made them and know nothing of how those were found.

pub mod admission;
pub mod alerts;
pub mod audit_webhook;
pub mod dashboard;
pub mod https;
pub mod metrics;
pub mod tls;
