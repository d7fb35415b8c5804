//! The folder as a commit holds it. Sync builds each commit on HEAD and
//! drift compares HEAD (or `--rev`) with the workspace: the work tree may
//! hold a person's uncommitted edits, and libgit2's index, loaded once by a
//! long-running sync, goes stale after a person's `git commit`.

use std::collections::BTreeMap;
use std::path::Path;

use git2::{ObjectType, Oid, Repository};

use super::scan::{is_module_file, ScanError};
use super::state::{self, LOCAL_STATE};
use super::Folder;

/// The module's files at a commit: name → blob.
pub type Blobs = BTreeMap<String, Oid>;

fn git_error(rev: &str) -> impl Fn(git2::Error) -> ScanError + '_ {
    move |e| ScanError::Git {
        rev: rev.to_string(),
        message: e.message().to_string(),
    }
}

/// The `*.tf` files directly in `path` (repository-relative, "" for the
/// root) at `rev`, by blob id: listing them reads no file. Empty when
/// `rev` does not resolve (no commit yet) or holds no such folder.
pub fn blobs_at(repo: &Repository, rev: &str, path: &str) -> Result<Blobs, ScanError> {
    let git = git_error(rev);
    let mut blobs = Blobs::new();
    let tree = match repo.revparse_single(rev) {
        Ok(o) => o.peel_to_tree().map_err(&git)?,
        Err(e) if rev == "HEAD" && e.code() == git2::ErrorCode::NotFound => return Ok(blobs),
        Err(e) => return Err(git(e)),
    };
    let tree = if path.is_empty() {
        tree
    } else {
        match tree.get_path(Path::new(path)) {
            Ok(entry) => match entry.to_object(repo).map_err(&git)?.into_tree() {
                Ok(t) => t,
                Err(_) => return Ok(blobs),
            },
            Err(_) => return Ok(blobs),
        }
    };
    for entry in tree.iter() {
        let Some(name) = entry.name().filter(|n| is_module_file(n)) else {
            continue;
        };
        if entry.kind() == Some(ObjectType::Blob) {
            blobs.insert(name.to_string(), entry.id());
        }
    }
    Ok(blobs)
}

/// One file's text from its blob.
pub fn blob_text(repo: &Repository, rev: &str, name: &str, id: Oid) -> Result<String, ScanError> {
    let blob = repo.find_blob(id).map_err(git_error(rev))?;
    String::from_utf8(blob.content().to_vec()).map_err(|_| ScanError::Syntax {
        file: name.to_string(),
        message: "it is not UTF-8 text".into(),
    })
}

impl Folder {
    /// The folder at `rev` (see [`blobs_at`]); Terraform's local state is
    /// read from `work_dir`, as Git ignores it.
    pub fn at_rev(
        repo: &Repository,
        rev: &str,
        path: &str,
        work_dir: &Path,
    ) -> Result<Folder, ScanError> {
        let mut folder = Folder::default();
        for (name, id) in blobs_at(repo, rev, path)? {
            let text = blob_text(repo, rev, &name, id)?;
            folder.add(name, text)?;
        }
        let local = work_dir.join(LOCAL_STATE);
        if local.is_file() {
            folder.state = state::read(&local)?;
        }
        Ok(folder)
    }
}
