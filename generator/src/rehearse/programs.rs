//! The two programs a rehearsal runs, found where the person's shell would
//! find them, with what to do when one is missing.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};

use super::RehearseError;

pub const TERRAFORM: &str = "terraform";
pub const WORKSPACE: &str = "segment-workspace";

const TERRAFORM_INSTALL: &str = "install Terraform 1.5 or later \
    (https://developer.hashicorp.com/terraform/install) and put the folder holding \
    `terraform` on PATH, or name the program in the rehearsal's options";
const WORKSPACE_INSTALL: &str = "the rehearsal applies to a local replica served by \
    `segment-workspace`, which ships with segment-gitops: install it with \
    `cargo install --path server` from the segment-gitops repository (or put the folder \
    holding a built `segment-workspace` on PATH), or name the program in the rehearsal's \
    options";

/// `explicit` when given, else the first `name` on `path` (a PATH value).
pub fn find(
    name: &'static str,
    explicit: Option<&Path>,
    path: Option<&OsStr>,
) -> Result<PathBuf, RehearseError> {
    if let Some(p) = explicit {
        return Ok(p.to_path_buf());
    }
    let found = path.and_then(|path| {
        std::env::split_paths(path)
            .map(|dir| dir.join(name))
            .find(|candidate| candidate.is_file())
    });
    found.ok_or(RehearseError::ProgramMissing {
        program: name,
        install: match name {
            TERRAFORM => TERRAFORM_INSTALL,
            _ => WORKSPACE_INSTALL,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    // The message a person sees when the replica's server is not installed:
    // it must name the program, PATH, and how to get it.
    #[test]
    fn a_missing_segment_workspace_says_how_to_install_it() {
        let empty = tempfile::tempdir().expect("temp dir");
        let path = std::env::join_paths([empty.path()]).expect("a PATH");
        let err = find(WORKSPACE, None, Some(&path)).expect_err("nothing on PATH");
        let text = err.to_string();
        assert!(
            text.starts_with("`segment-workspace` is not on PATH"),
            "{text}"
        );
        assert!(text.contains("cargo install --path server"), "{text}");
    }

    #[test]
    fn a_program_on_path_is_found_and_an_explicit_one_wins() {
        let dir = tempfile::tempdir().expect("temp dir");
        let program = dir.path().join(TERRAFORM);
        std::fs::write(&program, "").expect("write");
        let path = std::env::join_paths([dir.path()]).expect("a PATH");
        assert_eq!(find(TERRAFORM, None, Some(&path)).expect("found"), program);
        let other = Path::new("/opt/tf/terraform");
        assert_eq!(find(TERRAFORM, Some(other), None).expect("given"), other);
        let err = find(TERRAFORM, None, None).expect_err("no PATH");
        assert!(err.to_string().contains("install Terraform"), "{err}");
    }
}
