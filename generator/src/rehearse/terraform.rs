//! Terraform in the rehearsal's copy: bounded, with the person's CLI
//! configuration (provider mirrors, dev_overrides, plugin cache) and
//! nothing from their shell that could change where it applies.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use tokio::process::Command;

use super::RehearseError;

pub struct Terraform {
    pub program: PathBuf,
    pub work: PathBuf,
    pub cli_config: Option<PathBuf>,
    pub limit: Duration,
    /// PUBLIC_API_URL, PUBLIC_API_TOKEN and the secrets' placeholders.
    pub env: Vec<(String, String)>,
    /// Scrubbed from anything kept of Terraform's output.
    pub token: String,
}

pub struct Ran {
    pub success: bool,
    pub stdout: String,
    pub stderr: String,
}

impl Terraform {
    pub async fn run(
        &self,
        step: &'static str,
        rev: &str,
        args: &[&str],
    ) -> Result<Ran, RehearseError> {
        let mut cmd = Command::new(&self.program);
        cmd.args(args)
            .current_dir(&self.work)
            .env("CHECKPOINT_DISABLE", "1")
            .env("TF_IN_AUTOMATION", "1")
            .env("TF_INPUT", "0")
            // The copy's own `.terraform`, its default workspace, and no
            // extra arguments or reattached providers from the shell.
            .env_remove("TF_DATA_DIR")
            .env_remove("TF_WORKSPACE")
            .env_remove("TF_REATTACH_PROVIDERS")
            .stdin(Stdio::null())
            .kill_on_drop(true);
        for (key, _) in std::env::vars_os() {
            if key.to_string_lossy().starts_with("TF_CLI_ARGS") {
                cmd.env_remove(key);
            }
        }
        if let Some(config) = &self.cli_config {
            cmd.env("TF_CLI_CONFIG_FILE", config);
        }
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
        let failed = |failure: String, output: String| RehearseError::Terraform {
            step,
            rev: rev.to_string(),
            failure,
            output,
        };
        let out = match tokio::time::timeout(self.limit, cmd.output()).await {
            Err(_) => {
                let secs = self.limit.as_secs();
                return Err(failed(
                    format!("took longer than {secs} s and was stopped"),
                    String::new(),
                ));
            }
            Ok(Err(source)) => {
                return Err(RehearseError::Start {
                    program: super::programs::TERRAFORM,
                    path: self.program.clone(),
                    source,
                })
            }
            Ok(Ok(out)) => out,
        };
        Ok(Ran {
            success: out.status.success(),
            stdout: self.scrub(&String::from_utf8_lossy(&out.stdout)),
            stderr: self.scrub(&String::from_utf8_lossy(&out.stderr)),
        })
    }

    /// `init`, which must succeed.
    pub async fn init(&self, rev: &str) -> Result<(), RehearseError> {
        let ran = self
            .run("init", rev, &["init", "-input=false", "-no-color"])
            .await?;
        if ran.success {
            return Ok(());
        }
        Err(RehearseError::Terraform {
            step: "init",
            rev: rev.to_string(),
            failure: "failed".into(),
            output: format!("{}{}", ran.stdout, ran.stderr),
        })
    }

    pub fn scrub(&self, text: &str) -> String {
        match self.token.is_empty() {
            true => text.to_string(),
            false => text.replace(&self.token, "[replica token]"),
        }
    }
}

/// Removes the `*.tf` files of a previous revision from `work`.
pub fn clear(work: &Path) -> Result<(), RehearseError> {
    for entry in std::fs::read_dir(work).map_err(RehearseError::io(work))? {
        let path = entry.map_err(RehearseError::io(work))?.path();
        if path.extension().is_some_and(|e| e == "tf") {
            std::fs::remove_file(&path).map_err(RehearseError::io(&path))?;
        }
    }
    Ok(())
}
