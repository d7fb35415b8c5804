//! Helpers shared by the integration tests: bounded child processes, real
//! Terraform in a temporary directory with this provider mirrored, the
//! binary started the way Terraform starts it, and a TLS gRPC client.
//!
//! Every wait here is bounded: a hung provider or Terraform fails the test
//! with its output instead of hanging CI.

// Each test crate includes this module and uses only part of it.
#![allow(dead_code)]

pub mod lifecycle;
pub mod plans;
pub mod plugin;
pub mod process;
pub mod proxy;
pub mod steps;
pub mod terraform;
pub mod tls;
pub mod workspace_dir;

use std::path::PathBuf;

/// The provider binary Cargo built for these tests.
pub fn provider_binary() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_terraform-provider-segment"))
}

/// Where tests put temporary files: inside the target directory, on the
/// same filesystem as the binary, so the mirror can hard-link it.
pub fn temp_dir() -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix("provider-test-")
        .tempdir_in(env!("CARGO_TARGET_TMPDIR"))
        .expect("create a temporary directory")
}
