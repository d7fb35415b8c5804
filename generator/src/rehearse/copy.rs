//! The folder's `*.tf` files at a revision, read from Git's objects (or
//! from the work tree), never by a checkout: the person's work tree, index
//! and refs stay as they are.

use std::collections::BTreeMap;
use std::path::Path;

use git2::Repository;

use crate::repo::at_rev::{blob_text, blobs_at};
use crate::repo::scan::ScanError;

use super::{RehearseError, Revision};

/// Folder-relative file name → text.
pub type Files = BTreeMap<String, String>;

pub fn files_at(repo: &Path, path: &str, rev: &Revision) -> Result<Files, RehearseError> {
    match rev {
        Revision::Commit(rev) => from_git(repo, path, rev),
        Revision::WorkTree => from_work_tree(&repo.join(path)),
    }
}

fn from_git(repo_path: &Path, path: &str, rev: &str) -> Result<Files, RehearseError> {
    let git = |message: String| RehearseError::Git {
        repo: repo_path.to_path_buf(),
        rev: rev.to_string(),
        message,
    };
    let repo = Repository::open(repo_path).map_err(|e| git(e.message().to_string()))?;
    // Without this check a mistyped REF would rehearse an empty folder.
    repo.revparse_single(rev)
        .map_err(|e| git(format!("{} (is it a commit, branch or tag?)", e.message())))?;
    let scan = |e: ScanError| match e {
        ScanError::Syntax { file, message } => RehearseError::Syntax {
            rev: rev.to_string(),
            file,
            message,
        },
        other => git(other.to_string()),
    };
    let mut files = Files::new();
    for (name, id) in blobs_at(&repo, rev, path).map_err(scan)? {
        let text = blob_text(&repo, rev, &name, id).map_err(scan)?;
        files.insert(name, text);
    }
    Ok(files)
}

/// As Terraform reads a module: `*.tf` files directly in the folder.
fn from_work_tree(dir: &Path) -> Result<Files, RehearseError> {
    let mut files = Files::new();
    for entry in std::fs::read_dir(dir).map_err(RehearseError::io(dir))? {
        let path = entry.map_err(RehearseError::io(dir))?.path();
        let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        if name.ends_with(".tf") && path.is_file() {
            let text = std::fs::read_to_string(&path).map_err(RehearseError::io(&path))?;
            files.insert(name.to_string(), text);
        }
    }
    Ok(files)
}
