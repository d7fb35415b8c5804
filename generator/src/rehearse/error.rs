//! What can stop a rehearsal before it says anything about the pull
//! request. None of these carries the replica's token or a settings value:
//! Terraform's output is scrubbed of the token before it is kept.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum RehearseError {
    #[error("`{program}` is not on PATH: {install}")]
    ProgramMissing {
        program: &'static str,
        install: &'static str,
    },
    #[error("{program} ({path}) could not be started: {source}")]
    Start {
        program: &'static str,
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the local workspace did not start: {reason}")]
    Replica { reason: String },
    #[error("reading {rev} of {repo} from Git: {message}")]
    Git {
        repo: PathBuf,
        rev: String,
        message: String,
    },
    #[error("{file} at {rev} is not valid HCL: {message}")]
    Syntax {
        rev: String,
        file: String,
        message: String,
    },
    #[error(
        "the rehearsal refused {rev}: {reason}. Nothing was applied, so nothing could reach \
         production"
    )]
    Unsafe { rev: String, reason: String },
    #[error("writing the temporary copy ({path}): {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("terraform {step} of {rev} {failure}\n{output}")]
    Terraform {
        step: &'static str,
        rev: String,
        failure: String,
        output: String,
    },
}

impl RehearseError {
    pub(crate) fn io(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> Self {
        let path = path.into();
        move |source| RehearseError::Io { path, source }
    }
}
