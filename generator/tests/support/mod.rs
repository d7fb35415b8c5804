//! Test helpers: the provider's own Terraform harness (a filesystem mirror
//! and bounded commands), reused, plus what the generator's tests share.

#![allow(dead_code)]

#[path = "../../../provider/tests/support/process.rs"]
pub mod process;
#[path = "../../../provider/tests/support/terraform.rs"]
pub mod terraform;

pub mod git_http;
pub mod git_log;
pub mod sshd;

use std::path::PathBuf;
use std::process::Command;
use std::sync::OnceLock;
use std::time::Duration;

/// The provider binary built beside these tests. `cargo test --workspace`
/// builds it; run alone, this crate's tests build it once themselves.
pub fn provider_binary() -> PathBuf {
    static BINARY: OnceLock<PathBuf> = OnceLock::new();
    BINARY
        .get_or_init(|| {
            let exe = std::env::current_exe().expect("test binary path");
            let profile_dir = exe
                .parent()
                .and_then(|deps| deps.parent())
                .expect("target/<profile>/deps")
                .to_path_buf();
            let binary = profile_dir.join("terraform-provider-segment");
            if !binary.is_file() {
                let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
                let mut cmd = Command::new(cargo);
                cmd.args(["build", "-p", "terraform-provider-segment"]);
                let done = process::run(&mut cmd, Duration::from_secs(900));
                assert!(
                    done.status.success(),
                    "building the provider failed\n{}",
                    done.output()
                );
            }
            binary
        })
        .clone()
}

/// Temporary folders inside the target directory (same filesystem as the
/// provider binary, so the mirror can hard-link it).
pub fn temp_dir() -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix("gitops-test-")
        .tempdir_in(env!("CARGO_TARGET_TMPDIR"))
        .expect("create a temporary directory")
}

/// The `segment-gitops` binary of this crate.
pub fn gitops_binary() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_segment-gitops"))
}

/// Runs the `git` command line in `dir` as a person would, with a fixed
/// identity; returns its stdout.
pub fn git(dir: &std::path::Path, args: &[&str]) -> String {
    let done = process::run(
        Command::new("git")
            .arg("-C")
            .arg(dir)
            .args(args)
            .env("GIT_AUTHOR_NAME", "Pat Person")
            .env("GIT_AUTHOR_EMAIL", "pat@example.com")
            .env("GIT_COMMITTER_NAME", "Pat Person")
            .env("GIT_COMMITTER_EMAIL", "pat@example.com")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("HOME", dir),
        Duration::from_secs(60),
    );
    assert!(done.status.success(), "git {args:?}\n{}", done.output());
    done.stdout
}
