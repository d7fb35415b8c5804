//! A first run that fails leaves nothing behind: what [`Repo::open`]
//! created (a folder, or `.git` in a person's folder) is recorded, and
//! removed again when the run fails before its first commit.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use anyhow::{Context, Result};

use super::Repo;

/// What [`Repo::open`] made, so a failed first run can remove just that.
#[derive(Debug, Clone)]
pub(super) enum Created {
    /// The top-most folder that did not exist (the repository is in it).
    Folder(PathBuf),
    /// `.git` in a folder that was there; `empty` when it held nothing.
    GitIn {
        empty: bool,
        /// Files older than this are a person's, never removed.
        at: SystemTime,
    },
}

impl Created {
    /// `.git` about to be made in `root`, a folder that was there.
    pub(super) fn git_in(root: &Path) -> Result<Created> {
        let empty = std::fs::read_dir(root)
            .with_context(|| format!("reading {}", root.display()))?
            .next()
            .is_none();
        Ok(Created::GitIn {
            empty,
            // File times come from a coarse clock, a tick behind.
            at: SystemTime::now() - Duration::from_secs(1),
        })
    }
}

impl Repo {
    /// After a failed run: removes the repository this run created, with
    /// every file it wrote, unless a commit landed (the next run builds on
    /// it). A folder or repository a person made is never removed.
    pub fn undo_creation(&self) {
        if self.head_oid().is_some() {
            return;
        }
        let written: Vec<String> = std::fs::read_to_string(self.pending_path())
            .map(|l| {
                l.lines()
                    .filter(|p| !p.is_empty())
                    .map(String::from)
                    .collect()
            })
            .unwrap_or_default();
        undo(&self.root, self.created.as_ref(), &written);
    }
}

/// The top-most of `path` and its parents that does not exist.
pub(super) fn topmost_missing(path: &Path) -> Option<PathBuf> {
    let mut missing = None;
    let mut at = Some(path);
    while let Some(p) = at {
        if p.as_os_str().is_empty() || p.symlink_metadata().is_ok() {
            break;
        }
        missing = Some(p.to_path_buf());
        at = p.parent();
    }
    missing
}

/// Removes what [`Repo::open`] created in `root`, and the files a run
/// wrote there (`written`, repository-relative) when the folder was a
/// person's.
pub(super) fn undo(root: &Path, created: Option<&Created>, written: &[String]) {
    let removed = match created {
        None => return,
        Some(Created::Folder(top)) => std::fs::remove_dir_all(top),
        Some(Created::GitIn { empty: true, .. }) => clear(root),
        Some(Created::GitIn { empty: false, at }) => {
            for p in written {
                let file = root.join(p);
                let ours = std::fs::metadata(&file)
                    .and_then(|m| m.modified())
                    .is_ok_and(|t| t >= *at);
                if ours {
                    let _ = std::fs::remove_file(&file);
                }
                // Folders the run made for them, while they are empty.
                let mut dir = file.parent();
                while let Some(d) = dir.filter(|d| *d != root) {
                    if std::fs::remove_dir(d).is_err() {
                        break;
                    }
                    dir = d.parent();
                }
            }
            std::fs::remove_dir_all(root.join(".git"))
        }
    };
    if let Err(e) = removed {
        eprintln!(
            "segment-gitops: could not remove the repository this run created in {}: {e}",
            root.display()
        );
    }
}

/// Empties a folder that was empty before the run, keeping the folder.
fn clear(root: &Path) -> std::io::Result<()> {
    for e in std::fs::read_dir(root)? {
        let e = e?;
        if e.file_type()?.is_dir() {
            std::fs::remove_dir_all(e.path())?;
        } else {
            std::fs::remove_file(e.path())?;
        }
    }
    Ok(())
}
