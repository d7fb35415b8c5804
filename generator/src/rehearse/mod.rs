//! The rehearsal: a pull request applied to a local replica of the
//! workspace before anyone applies it to production (issue 14, item 2).
//!
//! A `segment-workspace` replica is started ([`replica`]); the folder at
//! the base revision is copied out of Git ([`copy`]) into a temporary
//! folder, made safe ([`safe`]: imports blanked, the provider and the
//! backend overridden) and applied; then the pull request's files replace
//! it and are applied too. What the replica refused, with file and line,
//! is the answer ([`report`]). A base that does not apply is reported on
//! its own: the replica cannot hold production's configuration, which is
//! not the pull request's fault.

pub mod copy;
pub mod error;
pub mod programs;
pub mod replica;
pub mod report;
pub mod safe;
pub mod terraform;

use std::path::PathBuf;
use std::time::Duration;

pub use error::RehearseError;
pub use report::{Changes, Counts, Refusal};

use replica::Replica;
use serde::Serialize;
use terraform::Terraform;

/// Which files the pull request holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Revision {
    /// Any revision Git resolves: a commit, branch or tag.
    Commit(String),
    /// The folder's files as they are on disk, committed or not.
    WorkTree,
}

#[derive(Clone, Debug)]
pub struct RehearseOptions {
    pub repo: PathBuf,
    /// The folder inside the repository (`--path` of export); "" for the root.
    pub path: String,
    /// The revision production runs (`--base REF`).
    pub base: String,
    /// The pull request's revision (`HEAD` by default).
    pub head: Revision,
    /// `terraform` and `segment-workspace`: found on PATH when `None`.
    pub terraform: Option<PathBuf>,
    pub workspace: Option<PathBuf>,
    /// Terraform's CLI configuration; `TF_CLI_CONFIG_FILE` when `None`.
    pub cli_config: Option<PathBuf>,
    /// How long any one Terraform command may run.
    pub limit: Duration,
}

impl RehearseOptions {
    pub fn new(repo: impl Into<PathBuf>, path: &str, base: &str) -> Self {
        RehearseOptions {
            repo: repo.into(),
            path: path.to_string(),
            base: base.to_string(),
            head: Revision::Commit("HEAD".into()),
            terraform: None,
            workspace: None,
            cli_config: std::env::var_os("TF_CLI_CONFIG_FILE").map(PathBuf::from),
            limit: Duration::from_secs(600),
        }
    }
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct Rehearsal {
    /// The base applied to the empty replica. When not, `base_refusals`
    /// says why and the pull request was not applied.
    pub base_applied: bool,
    pub base_refusals: Vec<Refusal>,
    /// The pull request's errors: what the replica (or Terraform) refused.
    pub refusals: Vec<Refusal>,
    pub warnings: Vec<Refusal>,
    pub changes: Changes,
}

pub async fn rehearse(options: &RehearseOptions) -> Result<Rehearsal, RehearseError> {
    let path_var = std::env::var_os("PATH");
    let tf_program = programs::find(
        programs::TERRAFORM,
        options.terraform.as_deref(),
        path_var.as_deref(),
    )?;
    let ws_program = programs::find(
        programs::WORKSPACE,
        options.workspace.as_deref(),
        path_var.as_deref(),
    )?;
    let base_rev = Revision::Commit(options.base.clone());
    let base = copy::files_at(&options.repo, &options.path, &base_rev)?;
    let head = copy::files_at(&options.repo, &options.path, &options.head)?;
    let head_name = match &options.head {
        Revision::Commit(rev) => rev.clone(),
        Revision::WorkTree => "the work tree".to_string(),
    };

    // Declared first, dropped last: the replica stops before its folder goes.
    let dir = tempfile::Builder::new()
        .prefix("segment-rehearsal-")
        .tempdir()
        .map_err(RehearseError::io(std::env::temp_dir()))?;
    let replica = Replica::start(&ws_program, dir.path()).await?;
    let work = dir.path().join("work");
    std::fs::create_dir_all(&work).map_err(RehearseError::io(&work))?;
    let state = dir.path().join("rehearsal.tfstate").display().to_string();
    let mut tf = Terraform {
        program: tf_program,
        work: work.clone(),
        cli_config: options.cli_config.clone(),
        limit: options.limit,
        env: Vec::new(),
        token: replica.token.clone(),
    };

    let mut rehearsal = Rehearsal::default();
    let base_apply = apply(
        &mut tf,
        &replica,
        &base,
        &options.base,
        &state,
        &options.path,
    )
    .await?;
    rehearsal.base_applied = base_apply.errors.is_empty();
    if !rehearsal.base_applied {
        rehearsal.base_refusals = base_apply.errors;
        return Ok(rehearsal);
    }
    terraform::clear(&work)?;
    let head_apply = apply(&mut tf, &replica, &head, &head_name, &state, &options.path).await?;
    rehearsal.refusals = head_apply.errors;
    rehearsal.warnings = head_apply.warnings;
    rehearsal.changes = head_apply.changes;
    Ok(rehearsal)
}

/// Writes `files` made safe into the work folder, then `init` and `apply`.
async fn apply(
    tf: &mut Terraform,
    replica: &Replica,
    files: &copy::Files,
    rev: &str,
    state: &str,
    path: &str,
) -> Result<report::Parsed, RehearseError> {
    let prepared = safe::prepare(files, rev, &replica.url, state)?;
    for (name, text) in &prepared.files {
        let file = tf.work.join(name);
        std::fs::write(&file, text).map_err(RehearseError::io(&file))?;
    }
    tf.env = vec![
        ("PUBLIC_API_URL".into(), replica.url.clone()),
        ("PUBLIC_API_TOKEN".into(), replica.token.clone()),
    ];
    for name in &prepared.secrets {
        tf.env
            .push((format!("TF_VAR_{name}"), safe::PLACEHOLDER.into()));
    }
    tf.init(rev).await?;
    let args = [
        "apply",
        "-auto-approve",
        "-input=false",
        "-json",
        "-no-color",
    ];
    let ran = tf.run("apply", rev, &args).await?;
    let parsed = report::parse(&ran.stdout, path);
    if !ran.success && parsed.errors.is_empty() {
        return Err(RehearseError::Terraform {
            step: "apply",
            rev: rev.to_string(),
            failure: "failed without saying why".into(),
            output: format!("{}{}", ran.stdout, ran.stderr),
        });
    }
    Ok(parsed)
}
