//! `--dry-run`: the run happens in a throwaway copy of the repository
//! (work tree and `.git`, or nothing when there is no repository yet), with
//! no remote, and what it committed there is printed. Every write path
//! (creating the repository, recovering an interrupted run, the work tree,
//! the index, objects, refs, sync's pending base, fetch and push) then
//! writes to the copy by construction, instead of each having to be
//! stopped one by one; the real repository is only read.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use git2::{Delta, DiffOptions, Oid, Patch, Repository};

use crate::repo::inside;

/// A copy of the repository that a dry run commits into.
pub struct Rehearsal {
    /// Removed (with everything written into it) when dropped.
    _dir: tempfile::TempDir,
    /// The copy's root: give it as the run's `--repo`.
    pub repo: PathBuf,
    /// The copy's HEAD before the run.
    start: Option<Oid>,
}

/// Folders not copied: Terraform's plugins and modules, large and never
/// read by the generator.
const SKIPPED: &[&str] = &[".terraform"];

impl Rehearsal {
    /// Copies `repo` (when it is a Git repository) into a temporary folder;
    /// refuses what the real run would refuse about `--repo` and `--path`.
    pub fn prepare(repo: &Path, path: &str) -> Result<Rehearsal> {
        inside::check_repo(repo)?;
        inside::check_path(repo, path)?;
        let dir = tempfile::Builder::new()
            .prefix("segment-gitops-dry-run-")
            .tempdir()
            .context("creating a temporary folder for the dry run")?;
        let copy = dir.path().join("repo");
        // Only a repository is copied: a plain folder (no `.git`) would be
        // made one by the real run, and its files read as they are.
        let start = match Repository::open(repo) {
            Ok(r) => {
                let root = r.workdir().unwrap_or(repo).to_path_buf();
                copy_tree(&root, &copy)
                    .with_context(|| format!("copying {} for the dry run", root.display()))?;
                r.head().ok().and_then(|h| h.target())
            }
            Err(_) if repo.is_dir() => {
                copy_tree(repo, &copy)
                    .with_context(|| format!("copying {} for the dry run", repo.display()))?;
                None
            }
            Err(_) => None,
        };
        Ok(Rehearsal {
            _dir: dir,
            repo: copy,
            start,
        })
    }

    /// What the run committed in the copy, oldest first: each commit's
    /// author and message, its files (A added, M changed, D removed) with
    /// lines added and removed, and the totals.
    pub fn report(&self) -> Result<String> {
        let mut out = String::new();
        let commits = match Repository::open(&self.repo) {
            Ok(r) => new_commits(&r, self.start)?
                .into_iter()
                .map(|c| describe(&r, c))
                .collect::<Result<Vec<_>>>()?,
            Err(_) => Vec::new(),
        };
        if commits.is_empty() {
            out.push_str("dry run: nothing would be committed; nothing was written\n");
            return Ok(out);
        }
        let n = commits.len();
        let _ = writeln!(
            out,
            "dry run: {n} commit{} would be made; nothing was written",
            if n == 1 { "" } else { "s" }
        );
        for (i, c) in commits.iter().enumerate() {
            let _ = write!(out, "\ncommit {} of {n}\n{c}", i + 1);
        }
        Ok(out)
    }
}

/// The commits from `start` (exclusive) to HEAD, oldest first.
fn new_commits(repo: &Repository, start: Option<Oid>) -> Result<Vec<Oid>> {
    let Some(head) = repo.head().ok().and_then(|h| h.target()) else {
        return Ok(Vec::new());
    };
    let mut walk = repo.revwalk()?;
    walk.push(head)?;
    if let Some(s) = start {
        walk.hide(s)?;
    }
    walk.set_sorting(git2::Sort::TOPOLOGICAL | git2::Sort::REVERSE)?;
    Ok(walk.collect::<Result<Vec<_>, _>>()?)
}

fn describe(repo: &Repository, oid: Oid) -> Result<String> {
    let commit = repo.find_commit(oid)?;
    let mut out = String::new();
    let author = commit.author();
    let _ = writeln!(
        out,
        "Author: {} <{}>",
        author.name().unwrap_or_default(),
        author.email().unwrap_or_default()
    );
    for line in commit.message().unwrap_or_default().trim_end().lines() {
        let _ = writeln!(out, "    {line}");
    }
    let old = match commit.parent(0) {
        Ok(p) => Some(p.tree()?),
        Err(_) => None,
    };
    let new = commit.tree()?;
    let mut opts = DiffOptions::new();
    let diff = repo.diff_tree_to_tree(old.as_ref(), Some(&new), Some(&mut opts))?;
    let (mut added, mut removed) = (0, 0);
    for i in 0..diff.deltas().len() {
        let Some(delta) = diff.get_delta(i) else {
            continue;
        };
        let mark = match delta.status() {
            Delta::Added => 'A',
            Delta::Deleted => 'D',
            _ => 'M',
        };
        let file = delta.new_file().path().or(delta.old_file().path());
        let (plus, minus) = match Patch::from_diff(&diff, i)? {
            Some(p) => {
                let (_, a, d) = p.line_stats()?;
                (a, d)
            }
            None => (0, 0),
        };
        added += plus;
        removed += minus;
        let _ = writeln!(
            out,
            "  {mark} {} (+{plus} -{minus})",
            file.map(|p| p.display().to_string()).unwrap_or_default()
        );
    }
    let files = diff.deltas().len();
    let _ = writeln!(
        out,
        "  {files} file{} changed, {added} insertion{}(+), {removed} deletion{}(-)",
        if files == 1 { "" } else { "s" },
        if added == 1 { "" } else { "s" },
        if removed == 1 { "" } else { "s" },
    );
    Ok(out)
}

/// Copies `from` into `to` (created), files, folders and symbolic links
/// as they are.
fn copy_tree(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let name = entry.file_name();
        if SKIPPED.iter().any(|s| name == *s) {
            continue;
        }
        let (src, dst) = (entry.path(), to.join(&name));
        let kind = entry.file_type()?;
        if kind.is_symlink() {
            #[cfg(unix)]
            std::os::unix::fs::symlink(std::fs::read_link(&src)?, &dst)?;
        } else if kind.is_dir() {
            copy_tree(&src, &dst)?;
        } else {
            std::fs::copy(&src, &dst)?;
        }
    }
    Ok(())
}
