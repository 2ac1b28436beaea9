//! Secret hygiene rules (`SEC…`): secrets committed with manifests, passed in environment
//! variables, long-lived tokens, credentials in plain sight, and secrets that bypass a vault.

pub mod credential_in_plain_sight;
pub mod detectors;
pub mod legacy_token_secret;
pub mod plain_secret_without_vault;
pub mod secret_data_in_manifest;
pub mod secret_in_env;
pub mod secret_not_rotated;
