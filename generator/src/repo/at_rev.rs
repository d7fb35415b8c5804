//! The folder as a commit holds it. Sync builds each commit on HEAD and
//! drift compares HEAD (or `--rev`) with the workspace: the work tree may
//! hold a person's uncommitted edits, and libgit2's index, loaded once by a
//! long-running sync, goes stale after a person's `git commit`.

use std::path::Path;

use git2::{ObjectType, Repository};

use super::scan::{is_module_file, ScanError};
use super::state::{self, LOCAL_STATE};
use super::Folder;

impl Folder {
    /// The `*.tf` files directly in `path` (repository-relative, "" for the
    /// root) at `rev`; Terraform's local state is read from `work_dir`, as
    /// Git ignores it. An empty folder when `rev` does not resolve (no
    /// commit yet).
    pub fn at_rev(
        repo: &Repository,
        rev: &str,
        path: &str,
        work_dir: &Path,
    ) -> Result<Folder, ScanError> {
        let mut folder = Folder::default();
        let git = |e: git2::Error| ScanError::Git {
            rev: rev.to_string(),
            message: e.message().to_string(),
        };
        let tree = match repo.revparse_single(rev) {
            Ok(o) => o.peel_to_tree().map_err(git)?,
            Err(e) if rev == "HEAD" && e.code() == git2::ErrorCode::NotFound => return Ok(folder),
            Err(e) => return Err(git(e)),
        };
        let tree = if path.is_empty() {
            tree
        } else {
            match tree.get_path(Path::new(path)) {
                Ok(entry) => match entry.to_object(repo).map_err(git)?.into_tree() {
                    Ok(t) => t,
                    Err(_) => return Ok(folder),
                },
                Err(_) => return Ok(folder),
            }
        };
        for entry in tree.iter() {
            let Some(name) = entry.name().filter(|n| is_module_file(n)) else {
                continue;
            };
            if entry.kind() != Some(ObjectType::Blob) {
                continue;
            }
            let blob = repo.find_blob(entry.id()).map_err(git)?;
            let text =
                String::from_utf8(blob.content().to_vec()).map_err(|_| ScanError::Syntax {
                    file: name.to_string(),
                    message: "it is not UTF-8 text".into(),
                })?;
            folder.add(name.to_string(), text)?;
        }
        let local = work_dir.join(LOCAL_STATE);
        if local.is_file() {
            folder.state = state::read(&local)?;
        }
        Ok(folder)
    }
}
