//! Commits from the index: the work tree written (in bulk for a large
//! export), then the index, tree and branch, under the pending marker.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Context, Result};
use git2::Oid;

use super::{bulk, Author, Repo};

/// From this many files a commit's blobs are written as one pack.
pub(super) const BULK_FILES: usize = 256;

impl Repo {
    /// Writes `files` (repository-relative; `None` deletes) and commits
    /// them. Returns `None` when the tree did not change. On an error what
    /// was written is undone at once, marker and all: the next run finds
    /// the repository as it was.
    pub fn commit(
        &self,
        files: &BTreeMap<String, Option<String>>,
        author: &Author,
        message: &str,
    ) -> Result<Option<Oid>> {
        let done = self.commit_marked(files, author, message);
        if done.is_err() && self.pending_path().exists() {
            if let Err(e) = self.recover() {
                tracing::warn!("undoing a failed commit: {e:#}");
            }
        }
        done
    }

    fn commit_marked(
        &self,
        files: &BTreeMap<String, Option<String>>,
        author: &Author,
        message: &str,
    ) -> Result<Option<Oid>> {
        let started = std::time::Instant::now();
        let marker = self.pending_path();
        self.mark_pending(files.keys().map(String::as_str))?;
        let repo = &self.repo;
        let mut index = repo.index()?;
        for (path, content) in files {
            if content.is_none() {
                match std::fs::remove_file(self.root.join(path)) {
                    Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e.into()),
                    _ => {}
                }
                let _ = index.remove_path(Path::new(path));
            }
        }
        let texts: Vec<(&str, &str)> = files
            .iter()
            .filter_map(|(p, c)| Some((p.as_str(), c.as_deref()?)))
            .collect();
        if texts.len() >= BULK_FILES && bulk::unfiltered(repo, &texts) {
            // The blobs are in the object store before the index names them.
            for entry in bulk::stage(repo, &self.root, &texts, write_atomic)? {
                index.add(&entry)?;
            }
        } else {
            for (path, text) in &texts {
                write_atomic(&self.root.join(path), text)?;
            }
            // One path at a time: `add_all` with a pathspec per file
            // matches every pathspec against every entry.
            for (path, _) in &texts {
                index.add_path(Path::new(path))?;
            }
        }
        let written = started.elapsed();
        let tree_id = index.write_tree()?;
        let parent = repo.head().ok().and_then(|h| h.peel_to_commit().ok());
        if parent.as_ref().is_some_and(|p| p.tree_id() == tree_id) {
            index.write()?;
            std::fs::remove_file(&marker)?;
            return Ok(None);
        }
        let tree = repo.find_tree(tree_id)?;
        let sig = author.signature()?;
        let parents: Vec<&git2::Commit> = parent.iter().collect();
        let oid = repo.commit(None, &sig, &sig, message, &tree, &parents)?;
        // Only now that its objects are on disk may the index name them.
        index.write()?;
        // The branch moves only from the commit we built on (as `git commit`).
        let branch = format!("refs/heads/{}", self.branch);
        let reflog = format!("commit: {}", message.lines().next().unwrap_or_default());
        match &parent {
            Some(p) => repo.reference_matching(&branch, oid, true, p.id(), &reflog)?,
            None => repo.reference(&branch, oid, false, &reflog)?,
        };
        std::fs::remove_file(&marker)?;
        tracing::debug!(files = files.len(), ?written, elapsed = ?started.elapsed(), "committed");
        Ok(Some(oid))
    }
}

/// Never a half-written file: write beside it, then rename over it. A new
/// file is written in place, a third of the file operations of a first
/// export: if the run dies, the pending marker has the next one remove it.
pub(super) fn write_atomic(path: &Path, text: &str) -> Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    match std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
    {
        Ok(mut file) => {
            use std::io::Write;
            return file
                .write_all(text.as_bytes())
                .with_context(|| format!("writing {}", path.display()));
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
        Err(e) => return Err(e).with_context(|| format!("writing {}", path.display())),
    }
    let tmp = path.with_extension("segment-gitops-tmp");
    std::fs::write(&tmp, text).with_context(|| format!("writing {}", tmp.display()))?;
    if let Err(e) = std::fs::rename(&tmp, path) {
        // No stray file beside the one that could not be replaced.
        let _ = std::fs::remove_file(&tmp);
        return Err(e).with_context(|| format!("writing {}", path.display()));
    }
    Ok(())
}
