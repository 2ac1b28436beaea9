//! The end-to-end tests: the `palisade` binary run as a user runs it, against files, a test API
//! server, real etcd, PostgreSQL, Chromium and kubectl. One test binary (one link of everything
//! Palisade depends on) with a module per capability; nextest still runs each test in its own process.

mod common;

mod admission;
mod audit_log;
mod cli;
mod cluster;
mod dashboard;
mod history;
mod html;
mod inventory;
mod netpol;
mod node;
mod policies;
mod policy;
mod probe;
mod rbac;
mod watch;
