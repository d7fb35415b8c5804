//! Test helpers: the provider's own Terraform harness (a filesystem mirror
//! and bounded commands), reused, plus what the generator's tests share.

#![allow(dead_code)]

#[path = "../../../provider/tests/support/process.rs"]
pub mod process;
#[path = "../../../provider/tests/support/terraform.rs"]
pub mod terraform;

pub mod git_http;
pub mod git_log;
pub mod review;
pub mod sshd;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::time::Duration;

use process::Finished;
use segment_api::models::{AuditEvent, AuditQuery, Destination, Source, UpdateSource};
use segment_api::Client;
use segment_e2e::fixtures::{amplitude_destination, javascript_source};
use segment_e2e::TestWorkspace;
use segment_gitops::files::{Manifest, ManifestEntry, MANIFEST};
use segment_gitops::session::{Options, Session};
use terraform::TerraformDir;

/// Any one run of the `segment-gitops` binary.
pub const COMMAND_LIMIT: Duration = Duration::from_secs(120);

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

/// A session with the owner's token on `repo` (HCL in `path` inside it).
pub fn session(ws: &TestWorkspace, repo: &Path, path: &str) -> Session {
    Session::open(
        ws.owner().clone(),
        Options {
            repo: repo.to_path_buf(),
            path: path.to_string(),
            ..Default::default()
        },
    )
    .expect("open the repository")
}

/// Terraform with the workspace's URL and token. Secret variables stay
/// unset: they default to null, which keeps the workspace's values.
pub fn terraform_for(ws: &TestWorkspace, tf: TerraformDir) -> TerraformDir {
    tf.env("PUBLIC_API_URL", ws.base_url())
        .env("PUBLIC_API_TOKEN", ws.owner_token())
}

/// Asserts that a plan adopts `n` objects and does nothing else.
pub fn assert_imports_only(plan: &Finished, n: usize) {
    let want = format!("Plan: {n} to import, 0 to add, 0 to change, 0 to destroy.");
    assert!(
        plan.stdout.contains(&want),
        "want {want:?}\n{}",
        plan.output()
    );
}

/// Runs the real `segment-gitops` binary against the workspace, bounded.
pub fn gitops(ws: &TestWorkspace, args: &[&str]) -> Finished {
    let mut cmd = Command::new(gitops_binary());
    cmd.args(args)
        .env("PUBLIC_API_URL", ws.base_url())
        .env("PUBLIC_API_TOKEN", ws.owner_token())
        .env_remove("SEGMENT_GITOPS_LOG");
    process::run(&mut cmd, COMMAND_LIMIT)
}

/// Like [`gitops`], and asserts exit 0.
pub fn gitops_ok(ws: &TestWorkspace, args: &[&str]) -> Finished {
    let done = gitops(ws, args);
    assert!(
        done.status.success(),
        "segment-gitops {} failed\n{}",
        args.join(" "),
        done.output()
    );
    done
}

/// The manifest the last export or sync wrote in `dir`.
pub fn manifest(dir: &Path) -> Manifest {
    let text = std::fs::read_to_string(dir.join(MANIFEST)).expect("read the manifest");
    Manifest::parse(&text).expect("the manifest parses")
}

/// The manifest entry of the object with id `id`.
pub fn entry(dir: &Path, id: &str) -> ManifestEntry {
    let m = manifest(dir);
    m.resources
        .iter()
        .find(|e| e.id == id)
        .cloned()
        .unwrap_or_else(|| panic!("no manifest entry for {id}: {m:#?}"))
}

/// Every file below `dir` but `.git/` and `.terraform/`, by relative path:
/// to show that a command wrote nothing.
pub fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        for e in std::fs::read_dir(dir).expect("read dir").flatten() {
            let path = e.path();
            let name = e.file_name();
            if name == ".git" || name == ".terraform" {
                continue;
            }
            if path.is_dir() {
                walk(root, &path, out);
            } else {
                let rel = path.strip_prefix(root).expect("below root");
                out.insert(
                    rel.to_string_lossy().into_owned(),
                    std::fs::read(&path).expect("read file"),
                );
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

/// A Javascript source (no settings).
pub async fn source(ws: &TestWorkspace, slug: &str) -> Source {
    ws.owner()
        .create_source(&javascript_source(slug))
        .await
        .expect("create source")
}

/// A Javascript source with an Amplitude destination on it, whose `apiKey`
/// is a secret setting (exported as a sensitive variable).
pub async fn source_with_amplitude(ws: &TestWorkspace, slug: &str) -> (Source, Destination) {
    let s = source(ws, slug).await;
    let d = ws
        .owner()
        .create_destination(&amplitude_destination(&s.id))
        .await
        .expect("create destination");
    (s, d)
}

/// Renames a source, as someone in the Segment app would.
pub async fn rename_source(api: &Client, id: &str, name: &str) {
    let update = UpdateSource {
        name: Some(name.to_string()),
        ..Default::default()
    };
    api.update_source(id, &update).await.expect("rename source");
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

/// Every audit event the workspace has recorded, oldest first.
pub async fn audit_events(api: &Client) -> Vec<AuditEvent> {
    api.list_audit_events(&AuditQuery::default())
        .await
        .expect("audit")
}

/// `segment-gitops export --repo local --remote url`, with `git_token` as
/// `SEGMENT_GITOPS_GIT_TOKEN` (none when `None`), bounded by `limit`. It
/// runs off the test's runtime, which serves the Git remote.
pub async fn export_to_remote(
    ws: &TestWorkspace,
    local: PathBuf,
    url: String,
    git_token: Option<&'static str>,
    limit: Duration,
) -> Finished {
    let (base, owner) = (ws.base_url().to_string(), ws.owner_token().to_string());
    tokio::task::spawn_blocking(move || {
        let mut cmd = Command::new(gitops_binary());
        cmd.arg("export")
            .arg("--repo")
            .arg(&local)
            .args(["--remote", &url])
            .env("PUBLIC_API_URL", base)
            .env("PUBLIC_API_TOKEN", owner)
            .env_remove("SEGMENT_GITOPS_GIT_TOKEN");
        if let Some(t) = git_token {
            cmd.env("SEGMENT_GITOPS_GIT_TOKEN", t);
        }
        process::run(&mut cmd, limit)
    })
    .await
    .expect("run")
}

/// Requests the workspace answered, from `/metrics`: all of them, and
/// those to `route` (any status) when given.
pub async fn answered(ws: &TestWorkspace, route: Option<&str>, status: Option<&str>) -> u64 {
    let get = ws.request_with(None, axum::http::Method::GET, "/metrics");
    let raw = segment_e2e::Raw::send(get).await;
    assert_eq!(raw.status, 200, "{}", raw.text);
    raw.text
        .lines()
        .filter(|l| l.starts_with("segment_workspace_requests_total{"))
        .filter(|l| route.is_none_or(|r| l.contains(&format!("route=\"{r}\""))))
        .filter(|l| status.is_none_or(|s| l.contains(&format!("status=\"{s}\""))))
        .filter_map(|l| l.rsplit_once(' ')?.1.parse::<u64>().ok())
        .sum()
}

/// A fresh workspace holding the sample seed (scale 1).
pub async fn seeded_workspace() -> TestWorkspace {
    let ws = TestWorkspace::start().await.expect("workspace");
    let seed = segment_workspace::seed::seed(ws.owner(), 1, 8);
    segment_e2e::within(Duration::from_secs(120), "seed", seed)
        .await
        .expect("seed");
    ws
}
