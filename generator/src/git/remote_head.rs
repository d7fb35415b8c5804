//! A first push to an empty repository leaves that repository's HEAD where
//! `git init --bare` put it, often on a branch that does not exist (master
//! or main), and a clone of it then checks out nothing. On a local path we
//! point HEAD at the pushed branch; over SSH or HTTPS a push cannot, so we
//! say what to run on the server.

use std::cell::RefCell;
use std::path::PathBuf;

use super::remote::{Remote, Trace};
use super::Repo;

/// Called after a push that created the branch on the remote.
pub(super) fn point_head(remote: &Remote, repo: &Repo) {
    let wanted = format!("refs/heads/{}", repo.branch);
    if let Some(path) = local_path(remote) {
        if let Err(e) = point_local(&path, &wanted) {
            eprintln!(
                "segment-gitops: warning: could not point {}'s HEAD at {wanted} ({}): run `git symbolic-ref HEAD {wanted}` in it, or a clone checks out no branch",
                path.display(),
                e.message()
            );
        }
        return;
    }
    match advertised_head(remote, repo) {
        // HEAD resolves (to ours or to a branch people chose): a clone
        // checks out a branch.
        Ok(true) => {}
        Ok(false) => eprintln!(
            "segment-gitops: warning: {}'s HEAD names no branch it has, so a clone checks out nothing: \
             run `git symbolic-ref HEAD {wanted}` in that repository on the server \
             (or choose {} as the default branch in its hosting settings)",
            remote.shown(),
            repo.branch
        ),
        Err(e) => tracing::debug!("reading the remote's HEAD: {}", e.message()),
    }
}

/// The repository a path or `file://` URL names; `None` for SSH and HTTPS.
fn local_path(remote: &Remote) -> Option<PathBuf> {
    if remote.is_ssh() {
        return None;
    }
    match url::Url::parse(&remote.url) {
        Ok(u) if u.scheme() == "file" => u.to_file_path().ok(),
        Ok(_) => None,
        Err(_) => Some(PathBuf::from(&remote.url)),
    }
}

/// Points an unborn HEAD at `wanted`; a HEAD on an existing branch stays.
fn point_local(path: &std::path::Path, wanted: &str) -> Result<(), git2::Error> {
    let target = git2::Repository::open(path)?;
    if target.head().is_ok() {
        return Ok(());
    }
    target.set_head(wanted)
}

/// Whether the remote advertises a HEAD: servers leave out a HEAD that
/// names no existing branch.
fn advertised_head(remote: &Remote, repo: &Repo) -> Result<bool, git2::Error> {
    let mut anonymous = repo.repo.remote_anonymous(&remote.url)?;
    let trace = RefCell::new(Trace::default());
    let connection =
        anonymous.connect_auth(git2::Direction::Fetch, Some(remote.callbacks(&trace)), None)?;
    Ok(connection.list()?.iter().any(|h| h.name() == "HEAD"))
}
