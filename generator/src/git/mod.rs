//! The repository side: commits through git2 that write only what changed,
//! and a marker that lets a killed run be undone before the next one;
//! [`remote`] publishes them.

mod auth;
mod bulk;
mod created;
pub mod known_hosts;
mod onto_head;
mod place;
pub mod remote;
mod remote_head;

use created::{topmost_missing, undo, Created};
pub use onto_head::Onto;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use git2::{build::CheckoutBuilder, Oid, Repository, Signature, Time};

/// Written before the work tree is touched, removed after the commit: if it
/// is there at start, the last run died between the two.
const PENDING: &str = "segment-gitops-pending";
/// From this many files a commit's blobs are written as one pack.
const BULK_FILES: usize = 256;

/// Who a commit is by, and when.
pub struct Author {
    pub name: String,
    pub email: String,
    /// Seconds since the epoch; `None` is now.
    pub when: Option<i64>,
}

impl Author {
    pub fn generator() -> Author {
        Author {
            name: "segment-gitops".into(),
            email: "segment-gitops@localhost".into(),
            when: None,
        }
    }

    fn signature(&self) -> Result<Signature<'static>> {
        Ok(match self.when {
            Some(t) => Signature::new(&self.name, &self.email, &Time::new(t, 0))?,
            None => Signature::now(&self.name, &self.email)?,
        })
    }
}

pub struct Repo {
    pub repo: Repository,
    pub root: PathBuf,
    pub branch: String,
    /// What this run made to hold the repository; undone if it fails
    /// before the first commit.
    created: Option<Created>,
}

impl Repo {
    /// Opens `root`, or makes a new repository there on `branch`.
    pub fn open(root: &Path, branch: Option<&str>) -> Result<Repo> {
        let mut created = topmost_missing(root).map(Created::Folder);
        std::fs::create_dir_all(root).with_context(|| format!("creating {}", root.display()))?;
        let repo = match Repository::open(root) {
            Ok(r) => r,
            Err(_) => {
                if created.is_none() {
                    created = Some(Created::git_in(root)?);
                }
                let mut opts = git2::RepositoryInitOptions::new();
                opts.initial_head(branch.unwrap_or("main"));
                match Repository::init_opts(root, &opts) {
                    Ok(r) => r,
                    Err(e) => {
                        undo(root, created.as_ref(), &[]);
                        return Err(e).with_context(|| {
                            format!("creating a Git repository in {}", root.display())
                        });
                    }
                }
            }
        };
        let current = repo
            .find_reference("HEAD")?
            .symbolic_target()
            .and_then(|t| t.strip_prefix("refs/heads/"))
            .unwrap_or("main")
            .to_string();
        if let Some(b) = branch {
            if b != current {
                bail!("{} has branch {current:?} checked out, not {b:?}: check out {b} there first (git switch {b}), or leave out --branch", root.display());
            }
        }
        let root = repo
            .workdir()
            .context("the repository is bare: export needs a work tree")?
            .to_path_buf();
        let r = Repo {
            repo,
            root,
            branch: current,
            created,
        };
        r.recover()?;
        Ok(r)
    }

    fn pending_path(&self) -> PathBuf {
        self.repo.path().join(PENDING)
    }

    /// Records the paths about to change, so a kill before the commit (or
    /// the ref update) can be undone.
    fn mark_pending<'a>(&self, paths: impl Iterator<Item = &'a str>) -> Result<()> {
        let list: String = paths.map(|p| format!("{p}\n")).collect();
        std::fs::write(self.pending_path(), list)
            .with_context(|| format!("writing {}", self.pending_path().display()))
    }

    /// The branch's commit; `None` before the first.
    pub fn head_oid(&self) -> Option<Oid> {
        self.repo.head().ok().and_then(|h| h.target())
    }

    /// Points the branch at `to` and brings the work tree and index along,
    /// under the pending marker so a kill halfway is undone on reopen.
    pub fn move_branch(&self, to: Oid, why: &str) -> Result<()> {
        if self.head_oid().is_some() {
            // Never a forced checkout: a person's uncommitted edits stay.
            return self.move_branch_onto(to, why);
        }
        let old = self.repo.head().ok().and_then(|h| h.peel_to_tree().ok());
        let new = self.repo.find_commit(to)?.tree()?;
        let diff = self
            .repo
            .diff_tree_to_tree(old.as_ref(), Some(&new), None)?;
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
        self.mark_pending(paths.iter().map(String::as_str))?;
        self.repo
            .reference(&format!("refs/heads/{}", self.branch), to, true, why)?;
        self.recover()
    }

    /// Undoes the work-tree writes of a run that died before committing.
    fn recover(&self) -> Result<()> {
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

    /// The text of `path` at HEAD.
    pub fn read_head(&self, path: &str) -> Option<String> {
        let tree = self.repo.head().ok()?.peel_to_tree().ok()?;
        let entry = tree.get_path(Path::new(path)).ok()?;
        let blob = self.repo.find_blob(entry.id()).ok()?;
        String::from_utf8(blob.content().to_vec()).ok()
    }

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
fn write_atomic(path: &Path, text: &str) -> Result<()> {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn one_file(text: &str) -> BTreeMap<String, Option<String>> {
        BTreeMap::from([("a.tf".to_string(), Some(text.to_string()))])
    }

    #[test]
    fn a_run_killed_while_holding_git_locks_does_not_block_the_next() {
        let dir = tempfile::tempdir().expect("temp dir");
        let repo = Repo::open(dir.path(), None).expect("open");
        repo.commit(&one_file("1\n"), &Author::generator(), "first")
            .expect("commit");
        // What a kill between writing and committing leaves behind.
        std::fs::write(repo.pending_path(), "a.tf\n").expect("marker");
        std::fs::write(dir.path().join("a.tf"), "half").expect("half-written");
        let git_dir = repo.repo.path().to_path_buf();
        std::fs::write(git_dir.join("index.lock"), "").expect("index lock");
        std::fs::write(git_dir.join("refs/heads/main.lock"), "").expect("ref lock");
        drop(repo);

        let repo = Repo::open(dir.path(), None).expect("reopen");
        assert_eq!(
            std::fs::read_to_string(dir.path().join("a.tf")).expect("a.tf"),
            "1\n"
        );
        let next = repo
            .commit(&one_file("2\n"), &Author::generator(), "second")
            .expect("commit after recovery");
        assert!(next.is_some());
    }

    #[test]
    fn a_large_commit_packs_its_blobs_and_git_reads_and_builds_on_it() {
        let dir = tempfile::tempdir().expect("temp dir");
        let repo = Repo::open(dir.path(), None).expect("open");
        let files: BTreeMap<String, Option<String>> = (0..BULK_FILES + 1)
            // Some files alike: one object each in the pack.
            .map(|i| (format!("f{i}.tf"), Some(format!("{}\n", i % 200))))
            .collect();
        let first = repo
            .commit(&files, &Author::generator(), "export")
            .expect("commit")
            .expect("a commit");
        let objects = repo.repo.path().join("objects");
        let packs = std::fs::read_dir(objects.join("pack"))
            .expect("pack dir")
            .count();
        assert_eq!(packs, 2, "one .pack and its .idx");
        // Objects, not their fan-out folders: two ids may share a folder.
        let loose = std::fs::read_dir(&objects)
            .expect("objects")
            .flatten()
            .filter(|e| e.file_name().len() == 2)
            .flat_map(|e| {
                std::fs::read_dir(e.path())
                    .expect("fan-out folder")
                    .flatten()
            })
            .count();
        assert_eq!(loose, 2, "only the tree and the commit are loose");
        // A fresh handle (what the next run opens) reads every file back,
        // and the index matches the work tree.
        let fresh = Repository::open(dir.path()).expect("reopen");
        let tree = fresh.head().expect("head").peel_to_tree().expect("tree");
        assert_eq!(tree.len(), BULK_FILES + 1);
        let blob = tree.get_path(Path::new("f7.tf")).expect("f7.tf");
        assert_eq!(fresh.find_blob(blob.id()).expect("blob").content(), b"7\n");
        assert!(fresh.statuses(None).expect("status").is_empty());
        // Git itself finds the pack sound and, from the index's stat data
        // alone, the work tree clean.
        let git = |args: &[&str]| {
            let out = std::process::Command::new("git")
                .args(args)
                .current_dir(dir.path())
                .output()
                .expect("git on PATH");
            assert!(out.status.success(), "git {args:?}: {out:?}");
            String::from_utf8_lossy(&out.stdout).into_owned()
        };
        git(&["fsck", "--strict", "--no-dangling"]);
        assert_eq!(git(&["status", "--porcelain"]), "");
        assert_eq!(git(&["diff-files", "--name-only"]), "", "stat data matches");
        // A small commit on top goes the usual way, onto the first.
        let next = repo
            .commit(&one_file("x\n"), &Author::generator(), "small")
            .expect("commit")
            .expect("a commit");
        let parent = fresh.find_commit(next).expect("commit").parent_id(0);
        assert_eq!(parent.expect("parent"), first);
    }
}
