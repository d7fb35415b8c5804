//! The repository side: commits through git2 that write only what changed
//! ([`commit`](Repo::commit); sync's in `onto_head`), and a marker that
//! lets a killed run be undone before the next one (`pending`); [`remote`]
//! publishes them.

mod auth;
mod bulk;
mod commit;
mod created;
mod follow;
pub mod known_hosts;
mod onto_head;
mod pending;
mod place;
pub mod remote;
mod remote_head;
mod texts;

use created::{topmost_missing, undo, Created};
pub use onto_head::Onto;

use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use git2::{Oid, Repository, Signature, Time};

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

/// The largest tree libgit2 keeps parsed in its object cache. Its default
/// (4 KiB) leaves out the folder's tree once it holds ~100 files, so at
/// 10,000 resources every HEAD lookup (dozens per sync event) inflated,
/// hashed and parsed a 700 KB tree again: most of an event's time.
const TREE_CACHE_LIMIT: usize = 64 << 20;

/// Process-wide libgit2 settings; call once at start, before any thread
/// uses libgit2.
pub fn configure_libgit2() {
    // SAFETY: libgit2's options are process-global and unsynchronised; the
    // caller runs this before any other thread touches libgit2.
    if let Err(e) =
        unsafe { git2::opts::set_cache_object_limit(git2::ObjectType::Tree, TREE_CACHE_LIMIT) }
    {
        tracing::warn!("keeping large trees in libgit2's cache: {e}");
    }
}

pub struct Repo {
    pub repo: Repository,
    pub root: PathBuf,
    pub branch: String,
    /// What this run made to hold the repository; undone if it fails
    /// before the first commit.
    created: Option<Created>,
    texts: texts::Texts,
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
            texts: Default::default(),
        };
        r.recover()?;
        Ok(r)
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
        let paths = pending::changed_paths(&self.repo, old.as_ref(), &new)?;
        self.mark_pending(paths.iter().map(String::as_str))?;
        self.repo
            .reference(&format!("refs/heads/{}", self.branch), to, true, why)?;
        self.recover()
    }

    /// The text of `path` at HEAD.
    pub fn read_head(&self, path: &str) -> Option<String> {
        self.read_blob(self.head_blob(path)?)
    }

    /// The blob `path` names at HEAD.
    pub fn head_blob(&self, path: &str) -> Option<git2::Oid> {
        let tree = self.repo.head().ok()?.peel_to_tree().ok()?;
        let entry = tree.get_path(Path::new(path)).ok()?;
        Some(entry.id())
    }

    pub fn read_blob(&self, id: git2::Oid) -> Option<String> {
        let blob = self.repo.find_blob(id).ok()?;
        String::from_utf8(blob.content().to_vec()).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::commit::BULK_FILES;
    use super::*;
    use std::collections::BTreeMap;

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
