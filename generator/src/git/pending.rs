//! The pending marker: written before the work tree is touched, removed
//! after the commit. If it is there at start, the last run died between
//! the two, and [`Repo::recover`] undoes what it wrote.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use git2::{build::CheckoutBuilder, Repository, Tree};

use super::{onto_head, Repo};

const PENDING: &str = "segment-gitops-pending";

/// The paths that differ between two trees, sorted, each once.
pub(super) fn changed_paths(
    repo: &Repository,
    old: Option<&Tree>,
    new: &Tree,
) -> Result<Vec<String>> {
    let diff = repo.diff_tree_to_tree(old, Some(new), None)?;
    let mut paths = Vec::new();
    for delta in diff.deltas() {
        for file in [delta.old_file(), delta.new_file()] {
            if let Some(p) = file.path().and_then(Path::to_str) {
                paths.push(p.to_string());
            }
        }
    }
    paths.sort();
    paths.dedup();
    Ok(paths)
}

impl Repo {
    pub(super) fn pending_path(&self) -> PathBuf {
        self.repo.path().join(PENDING)
    }

    /// Records the paths about to change, so a kill before the commit (or
    /// the ref update) can be undone.
    pub(super) fn mark_pending<'a>(&self, paths: impl Iterator<Item = &'a str>) -> Result<()> {
        self.write_marker(&paths.map(|p| format!("{p}\n")).collect::<String>())
    }

    /// Writes the marker as `list` says (a path a line, after an optional
    /// first line of its own).
    pub(super) fn write_marker(&self, list: &str) -> Result<()> {
        std::fs::write(self.pending_path(), list)
            .with_context(|| format!("writing {}", self.pending_path().display()))
    }

    /// Undoes the work-tree writes of a run that died before committing.
    pub(super) fn recover(&self) -> Result<()> {
        let marker = self.pending_path();
        let Ok(list) = std::fs::read_to_string(&marker) else {
            return Ok(());
        };
        let paths: Vec<&str> = list.lines().filter(|l| !l.is_empty()).collect();
        let onto = list.starts_with(onto_head::ONTO);
        // The dead run may have held Git's locks; with the marker there, they
        // were ours (one generator per repository), and they would refuse
        // every later commit.
        let git_dir = self.repo.path();
        for lock in [
            git_dir.join("index.lock"),
            git_dir.join(format!("refs/heads/{}.lock", self.branch)),
        ] {
            match std::fs::remove_file(&lock) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                    return Err(e).with_context(|| format!("removing {}", lock.display()))
                }
                _ => {}
            }
        }
        if onto {
            // A commit built on HEAD writes the work tree last, and never
            // over a person's edit: no forced checkout.
            self.recover_onto(&list)?;
            std::fs::remove_file(&marker)?;
            return Ok(());
        }
        if self.repo.head().is_ok() && !paths.is_empty() {
            let mut co = CheckoutBuilder::new();
            co.force();
            for p in &paths {
                co.path(p);
            }
            self.repo.checkout_head(Some(&mut co))?;
        }
        let head_tree = self.repo.head().ok().and_then(|h| h.peel_to_tree().ok());
        for p in &paths {
            let in_head = head_tree
                .as_ref()
                .is_some_and(|t| t.get_path(Path::new(p)).is_ok());
            if !in_head {
                let _ = std::fs::remove_file(self.root.join(p));
            }
        }
        let mut index = self.repo.index()?;
        if let Some(tree) = head_tree {
            index.read_tree(&tree)?;
            index.write()?;
        }
        std::fs::remove_file(&marker)?;
        Ok(())
    }
}
