//! Sync's commits: built from HEAD's tree, never from the index (libgit2
//! loads it once, so after a person's `git commit` a long-running sync
//! would commit their files back as they were; and a person's staged files
//! must not be committed under an event's actor). The work tree follows
//! only where it holds what HEAD held: a person's uncommitted edit is
//! merged with the change, or kept and its path reported.

use std::path::Path;

use anyhow::Result;
use git2::build::TreeUpdateBuilder;
use git2::{FileMode, Oid};

use super::pending::changed_paths;
use super::{Author, Repo};

/// First line of the pending marker of a commit built on HEAD: the commit
/// it was built on. The work tree is written after the branch moved, so
/// recovery brings along what a killed run had not written.
pub(super) const ONTO: &str = "onto ";

/// A commit built on HEAD.
#[derive(Debug)]
pub struct Onto {
    pub oid: Oid,
    /// Files whose uncommitted edits were kept as they are: the commit's
    /// change to them is in HEAD only.
    pub kept: Vec<String>,
}

impl Repo {
    /// The entries of `files` (repository-relative; `None` deletes) that
    /// would change HEAD's tree: committing only those commits the same
    /// tree, and leaves the work tree and index alone where nothing moves.
    /// Nothing is written.
    pub fn changed_from_head(
        &self,
        files: std::collections::BTreeMap<String, Option<String>>,
    ) -> Result<std::collections::BTreeMap<String, Option<String>>> {
        let Some(tree) = self.repo.head().ok().and_then(|h| h.peel_to_tree().ok()) else {
            return Ok(files);
        };
        let mut changed = std::collections::BTreeMap::new();
        for (path, content) in files {
            let held = super::follow::held(&tree, &path);
            let same = match (held, &content) {
                (Some(h), Some(text)) => self.texts.id(&path, text)? == h,
                (None, None) => true,
                _ => false,
            };
            if !same {
                changed.insert(path, content);
            }
        }
        Ok(changed)
    }

    /// The blob of `text` at `path`, written unless the object store has it.
    fn blob(&self, path: &str, text: &str) -> Result<Oid> {
        if let Some(id) = self.texts.known(path, text) {
            if self.repo.odb()?.exists(id) {
                return Ok(id);
            }
        }
        let id = self.repo.blob(text.as_bytes())?;
        self.texts.remember(path, id, text);
        Ok(id)
    }

    /// Commits HEAD's tree with `files` (repository-relative; `None`
    /// deletes) on top. `None` when that changes nothing.
    pub fn commit_onto_head(
        &self,
        files: &std::collections::BTreeMap<String, Option<String>>,
        author: &Author,
        message: &str,
    ) -> Result<Option<Onto>> {
        let repo = &self.repo;
        let Some(parent) = repo.head().ok().and_then(|h| h.peel_to_commit().ok()) else {
            // No HEAD yet: nothing of a person's to build on.
            let oid = self.commit(files, author, message)?;
            return Ok(oid.map(|oid| Onto {
                oid,
                kept: Vec::new(),
            }));
        };
        let old = parent.tree()?;
        let mut update = TreeUpdateBuilder::new();
        for (path, content) in files {
            match content {
                Some(text) => {
                    let id = self.blob(path, text)?;
                    let mode = match old.get_path(Path::new(path)) {
                        Ok(e) if e.filemode() == i32::from(FileMode::BlobExecutable) => {
                            FileMode::BlobExecutable
                        }
                        _ => FileMode::Blob,
                    };
                    update.upsert(path.as_str(), id, mode);
                }
                None => {
                    if old.get_path(Path::new(path)).is_ok() {
                        update.remove(path.as_str());
                    }
                }
            }
        }
        let tree_id = update.create_updated(repo, &old)?;
        if tree_id == old.id() {
            return Ok(None);
        }
        let paths: Vec<&str> = files.keys().map(String::as_str).collect();
        let list: String = std::iter::once(format!("{ONTO}{}\n", parent.id()))
            .chain(paths.iter().map(|p| format!("{p}\n")))
            .collect();
        self.write_marker(&list)?;
        let tree = repo.find_tree(tree_id)?;
        let sig = author.signature()?;
        let oid = repo.commit(None, &sig, &sig, message, &tree, &[&parent])?;
        let branch = format!("refs/heads/{}", self.branch);
        let reflog = format!("commit: {}", message.lines().next().unwrap_or_default());
        if let Err(e) = repo.reference_matching(&branch, oid, true, parent.id(), &reflog) {
            // A person committed meanwhile: nothing was written; the caller
            // builds again on their commit.
            let _ = std::fs::remove_file(self.pending_path());
            return Err(e.into());
        }
        let kept = self.follow(&old, &tree, &paths)?;
        std::fs::remove_file(self.pending_path())?;
        Ok(Some(Onto { oid, kept }))
    }

    /// Points the branch at `to` (from HEAD) and brings the work tree and
    /// index along where they held HEAD's files; prints the paths of
    /// uncommitted edits kept as they are.
    pub(super) fn move_branch_onto(&self, to: Oid, why: &str) -> Result<()> {
        let repo = &self.repo;
        let parent = repo.head()?.peel_to_commit()?;
        let old = parent.tree()?;
        let new = repo.find_commit(to)?.tree()?;
        let paths = changed_paths(repo, Some(&old), &new)?;
        let list: String = std::iter::once(format!("{ONTO}{}\n", parent.id()))
            .chain(paths.iter().map(|p| format!("{p}\n")))
            .collect();
        self.write_marker(&list)?;
        repo.reference(&format!("refs/heads/{}", self.branch), to, true, why)?;
        let paths: Vec<&str> = paths.iter().map(String::as_str).collect();
        for path in self.follow(&old, &new, &paths)? {
            eprintln!("segment-gitops: {path} has uncommitted edits the branch's new commits change too: they were kept");
        }
        std::fs::remove_file(self.pending_path())?;
        Ok(())
    }

    /// Whether the pending marker is one of [`Self::commit_onto_head`]'s:
    /// then brings the work tree along as that run would have.
    pub(super) fn recover_onto(&self, marker: &str) -> Result<bool> {
        let mut lines = marker.lines();
        let Some(parent) = lines.next().and_then(|l| l.strip_prefix(ONTO)) else {
            return Ok(false);
        };
        let paths: Vec<&str> = lines.filter(|l| !l.is_empty()).collect();
        let head = self.repo.head().ok().and_then(|h| h.peel_to_commit().ok());
        let parent = Oid::from_str(parent)
            .ok()
            .and_then(|p| self.repo.find_commit(p).ok());
        if let (Some(head), Some(parent)) = (head, parent) {
            // The branch had not moved: nothing was written.
            if head.id() != parent.id() {
                self.follow(&parent.tree()?, &head.tree()?, &paths)?;
            }
        }
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn one(path: &str, text: &str) -> BTreeMap<String, Option<String>> {
        BTreeMap::from([(path.to_string(), Some(text.to_string()))])
    }

    /// What broke: a person's commit landing while sync built its own made
    /// `sync --watch` exit; sync.rs builds again on a `Modified` error.
    #[test]
    fn a_branch_moved_under_a_commit_is_the_modified_error_sync_retries_on() {
        let dir = tempfile::tempdir().expect("temp dir");
        let repo = Repo::open(dir.path(), None).expect("open");
        let first = repo
            .commit(&one("a.tf", "1\n"), &Author::generator(), "first")
            .expect("commit")
            .expect("a commit");
        let second = repo
            .commit_onto_head(&one("b.tf", "2\n"), &Author::generator(), "second")
            .expect("commit")
            .expect("a commit");
        let e = repo
            .repo
            .reference_matching("refs/heads/main", first, true, first, "stale")
            .map(|_| ())
            .expect_err("the branch is at the second commit");
        assert_eq!(e.code(), git2::ErrorCode::Modified, "{e}");
        assert!(!repo.pending_path().exists());
        assert_eq!(repo.head_oid(), Some(second.oid));
        assert!(second.kept.is_empty());
        assert_eq!(
            std::fs::read_to_string(dir.path().join("b.tf")).expect("b.tf"),
            "2\n"
        );
    }
}
