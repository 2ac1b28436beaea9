//! Palisade's network outputs: the Prometheus metrics endpoint ([`metrics`]) and the alert
//! sinks ([`alerts`]). They take findings as the rules made them and know nothing of how
//! those were found.

pub mod alerts;
pub mod metrics;
