//! Where a run may write: `--repo` must be a folder, and `--path` a folder
//! inside it. Checked before anything is created, because a refusal after
//! the first file is written would leave files outside the repository.

use std::path::{Component, Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum PlaceError {
    #[error("--repo {}: {} is a file, and --repo must be a folder (the Git repository, created when missing): give a folder's path", repo.display(), file.display())]
    RepoIsFile { repo: PathBuf, file: PathBuf },
    #[error("--path {0:?} is absolute: --path is a folder inside the repository, relative to --repo (e.g. --path segment)")]
    Absolute(String),
    #[error("--path {0:?} leads out of the repository with \"..\": give a folder inside --repo (e.g. --path segment), or point --repo at the repository you mean")]
    Parent(String),
    #[error("--path {0:?} is inside Git's own .git folder: give a folder of the work tree (e.g. --path segment)")]
    GitDir(String),
    #[error("--path {path:?} leads out of the repository through a symbolic link ({link} points to {target}): give a folder inside --repo, or replace the link with a folder")]
    Symlink {
        path: String,
        link: PathBuf,
        target: PathBuf,
    },
}

/// Refuses a `--repo` that is (or lies below) a file.
pub fn check_repo(repo: &Path) -> Result<(), PlaceError> {
    // The nearest part that exists must be a folder: create_dir_all would
    // otherwise fail with a bare "File exists" or "Not a directory".
    let mut at = Some(repo);
    while let Some(p) = at {
        if p.as_os_str().is_empty() {
            return Ok(());
        }
        match std::fs::metadata(p) {
            Ok(m) if m.is_dir() => return Ok(()),
            Ok(_) => {
                return Err(PlaceError::RepoIsFile {
                    repo: repo.to_path_buf(),
                    file: p.to_path_buf(),
                })
            }
            // Missing, or below a file: the parent says which.
            Err(_) => at = p.parent(),
        }
    }
    Ok(())
}

/// Refuses a `--path` that is absolute, climbs with `..`, enters `.git`,
/// or (in what exists of it) follows a symbolic link out of `repo`.
pub fn check_path(repo: &Path, path: &str) -> Result<(), PlaceError> {
    let rel = Path::new(path);
    if rel.has_root() || rel.is_absolute() {
        return Err(PlaceError::Absolute(path.to_string()));
    }
    for (i, c) in rel.components().enumerate() {
        match c {
            Component::ParentDir => return Err(PlaceError::Parent(path.to_string())),
            Component::Prefix(_) | Component::RootDir => {
                return Err(PlaceError::Absolute(path.to_string()))
            }
            Component::Normal(n) if i == 0 && n == ".git" => {
                return Err(PlaceError::GitDir(path.to_string()))
            }
            _ => {}
        }
    }
    // A repository not made yet holds no links.
    let Ok(root) = repo.canonicalize() else {
        return Ok(());
    };
    let mut at = repo.to_path_buf();
    for c in rel.components() {
        at.push(c);
        let Ok(meta) = std::fs::symlink_metadata(&at) else {
            // The rest is created by the run, as plain folders.
            return Ok(());
        };
        if meta.file_type().is_symlink() {
            // A dangling link would be followed when the folder is created.
            let target = at
                .canonicalize()
                .unwrap_or_else(|_| std::fs::read_link(&at).unwrap_or_default());
            if !target.starts_with(&root) {
                return Err(PlaceError::Symlink {
                    path: path.to_string(),
                    link: at,
                    target,
                });
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_path_that_leaves_the_repository_lexically_is_refused() {
        let dir = Path::new("/nonexistent-repo");
        assert!(matches!(
            check_path(dir, "../x"),
            Err(PlaceError::Parent(_))
        ));
        assert!(matches!(
            check_path(dir, "a/../../x"),
            Err(PlaceError::Parent(_))
        ));
        assert!(matches!(
            check_path(dir, "/tmp/x"),
            Err(PlaceError::Absolute(_))
        ));
        assert!(matches!(
            check_path(dir, ".git/x"),
            Err(PlaceError::GitDir(_))
        ));
        assert!(check_path(dir, "").is_ok());
        assert!(check_path(dir, "a/b").is_ok());
        assert!(check_path(dir, "./a").is_ok());
    }
}
