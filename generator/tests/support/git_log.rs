//! Reading a repository's history in tests.

use std::path::Path;

/// One commit, oldest first in [`log`].
#[derive(Debug, Clone)]
pub struct Entry {
    pub author: String,
    pub email: String,
    pub committer_email: String,
    pub message: String,
}

pub fn log(repo: &Path) -> Vec<Entry> {
    let repo = git2::Repository::open(repo).expect("open repository");
    let mut walk = repo.revwalk().expect("revwalk");
    if walk.push_head().is_err() {
        return Vec::new();
    }
    walk.set_sorting(git2::Sort::TOPOLOGICAL | git2::Sort::REVERSE)
        .expect("sorting");
    walk.map(|oid| {
        let c = repo.find_commit(oid.expect("oid")).expect("commit");
        let author = c.author();
        let committer = c.committer();
        Entry {
            author: author.name().unwrap_or_default().to_string(),
            email: author.email().unwrap_or_default().to_string(),
            committer_email: committer.email().unwrap_or_default().to_string(),
            message: c.message().unwrap_or_default().to_string(),
        }
    })
    .collect()
}

/// The `Segment-Event-Id` trailers, in commit order.
pub fn event_ids(repo: &Path) -> Vec<String> {
    log(repo)
        .iter()
        .filter_map(|e| {
            e.message
                .lines()
                .find_map(|l| l.strip_prefix("Segment-Event-Id: "))
                .map(str::to_string)
        })
        .collect()
}
