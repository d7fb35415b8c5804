//! Publishing to a remote: push after each commit, never forced. When
//! people have merged HCL changes meanwhile, our commits are rebased onto
//! theirs (in memory, so a conflict leaves the local branch as it was) and
//! pushed again.

use std::cell::RefCell;
use std::fmt;
use std::path::PathBuf;

use git2::{ErrorCode, FetchOptions, FetchPrune, Oid, PushOptions, RebaseOptions, RemoteCallbacks};

use super::auth::{self, Attempts};
use super::Repo;

/// Push attempts at most when the remote keeps moving under us.
const ATTEMPTS: usize = 5;

/// A remote to push to, and how to reach it. Secrets come from the
/// environment and are never printed.
#[derive(Clone, Default)]
pub struct Remote {
    pub url: String,
    pub ssh_key: Option<PathBuf>,
    pub ssh_passphrase: Option<String>,
    /// An HTTPS token.
    pub token: Option<String>,
    /// Replaces ~/.ssh/known_hosts and /etc/ssh/ssh_known_hosts.
    pub known_hosts: Option<PathBuf>,
}

impl fmt::Debug for Remote {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Remote")
            .field("url", &Remote::redact(&self.url))
            .field("ssh_key", &self.ssh_key)
            .field("ssh_passphrase", &self.ssh_passphrase.as_ref().map(|_| "…"))
            .field("token", &self.token.as_ref().map(|_| "…"))
            .field("known_hosts", &self.known_hosts)
            .finish()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum RemoteError {
    #[error("{remote} refused the push of {branch}: {why}. Nothing was pushed; the local branch keeps its commits")]
    Refused {
        remote: String,
        branch: String,
        why: String,
    },
    #[error("{remote}'s {branch} has commits that conflict with ours in {files}. Nothing was pushed; the local branch keeps its commits: merge them by hand (git pull --rebase in the repository), then run again")]
    Conflict {
        remote: String,
        branch: String,
        files: String,
    },
    #[error("{remote}'s {branch} shares no history with the local repository: clone the remote and export into the clone, or push to a new branch (--branch)")]
    Unrelated { remote: String, branch: String },
    #[error("{remote}'s {branch} moved {ATTEMPTS} times while we pushed; run again")]
    Moving { remote: String, branch: String },
    #[error("{doing} {remote}: {}", cause.message())]
    Git {
        doing: &'static str,
        remote: String,
        cause: git2::Error,
    },
}

/// What one connection's callbacks saw.
#[derive(Default)]
pub(super) struct Trace {
    tried: Attempts,
    host_refusal: Option<String>,
}

enum Pushed {
    Done,
    /// The remote branch has commits we lack.
    Behind,
}

impl Remote {
    /// The URL as it may be shown: any password in it replaced.
    pub fn redact(url: &str) -> String {
        match url::Url::parse(url) {
            Ok(mut u) if u.password().is_some() => {
                let _ = u.set_password(Some("***"));
                u.to_string()
            }
            _ => url.to_string(),
        }
    }

    /// The SSH port the URL names (22 for `user@host:path`).
    pub fn ssh_port(&self) -> u16 {
        url::Url::parse(&self.url)
            .ok()
            .and_then(|u| u.port())
            .unwrap_or(22)
    }

    pub(super) fn shown(&self) -> String {
        Remote::redact(&self.url)
    }

    fn git(&self, doing: &'static str) -> impl FnOnce(git2::Error) -> RemoteError + '_ {
        move |cause| RemoteError::Git {
            doing,
            remote: self.shown(),
            cause,
        }
    }

    /// Credentials and host checks for one connection. libgit2 replaces a
    /// refused host key's reason with its own words and does not say which
    /// credential failed, so both are kept in `trace` for
    /// [`Remote::network`] to tell.
    pub(super) fn callbacks<'a>(&'a self, trace: &'a RefCell<Trace>) -> RemoteCallbacks<'a> {
        let mut callbacks = RemoteCallbacks::new();
        callbacks.credentials(move |_url, user, allowed| {
            auth::credential(self, &mut trace.borrow_mut().tried, user, allowed)
        });
        callbacks.certificate_check(move |cert, host| {
            let checked = auth::check_certificate(self, cert, host);
            if let Err(e) = &checked {
                trace.borrow_mut().host_refusal = Some(e.message().to_string());
            }
            checked
        });
        callbacks
    }

    /// A failed network operation, told with what our callbacks saw.
    fn network(
        &self,
        doing: &'static str,
        trace: RefCell<Trace>,
    ) -> impl FnOnce(git2::Error) -> RemoteError + '_ {
        move |source| {
            let trace = trace.into_inner();
            let auth_failed = source.code() == ErrorCode::Auth
                || (source.class() == git2::ErrorClass::Ssh
                    && source.message().contains("authenticat"));
            let why = match trace.host_refusal {
                Some(why) => Some(why),
                None if auth_failed && trace.tried.any() => Some(format!(
                    "{}; {}",
                    source.message(),
                    auth::refusal(self, &trace.tried, self.is_ssh())
                )),
                None => None,
            };
            let source = match why {
                Some(why) => git2::Error::new(source.code(), source.class(), why),
                None => source,
            };
            self.git(doing)(source)
        }
    }

    /// Whether the URL goes over SSH (`ssh://…` or `user@host:path`).
    pub(super) fn is_ssh(&self) -> bool {
        match url::Url::parse(&self.url) {
            Ok(u) => u.scheme().contains("ssh"),
            Err(_) => self.url.contains('@') && self.url.contains(':'),
        }
    }

    /// Brings the remote's commits in: fast-forward when we have nothing
    /// of our own, our commits rebased onto theirs when both moved.
    pub fn pull(&self, repo: &Repo) -> Result<(), RemoteError> {
        let Some(upstream) = self.fetch(repo)? else {
            return Ok(());
        };
        self.integrate(repo, upstream)
    }

    /// Pushes the branch; when the remote moved, pulls and tries again.
    pub fn publish(&self, repo: &Repo) -> Result<(), RemoteError> {
        for _ in 0..ATTEMPTS {
            if repo.head_oid().is_none() {
                return Ok(());
            }
            match self.push(repo)? {
                Pushed::Done => return Ok(()),
                Pushed::Behind => self.pull(repo)?,
            }
        }
        Err(RemoteError::Moving {
            remote: self.shown(),
            branch: repo.branch.clone(),
        })
    }

    fn push(&self, repo: &Repo) -> Result<Pushed, RemoteError> {
        let mut remote = repo
            .repo
            .remote_anonymous(&self.url)
            .map_err(self.git("reaching"))?;
        let refused = RefCell::new(None);
        let created = RefCell::new(false);
        let trace = RefCell::new(Trace::default());
        let mut callbacks = self.callbacks(&trace);
        callbacks.push_negotiation(|updates| {
            // The remote's old value is zero: this push creates the branch.
            if updates.iter().any(|u| u.src().is_zero()) {
                *created.borrow_mut() = true;
            }
            Ok(())
        });
        callbacks.push_update_reference(|_, status| {
            if let Some(why) = status {
                *refused.borrow_mut() = Some(why.to_string());
            }
            Ok(())
        });
        let mut options = PushOptions::new();
        options.remote_callbacks(callbacks);
        let spec = format!("refs/heads/{0}:refs/heads/{0}", repo.branch);
        let pushed = remote.push(&[spec.as_str()], Some(&mut options));
        drop(options);
        match pushed {
            Err(e) if e.code() == ErrorCode::NotFastForward => return Ok(Pushed::Behind),
            Err(e) => return Err(self.network("pushing to", trace)(e)),
            Ok(()) => {}
        }
        match refused.into_inner() {
            Some(why) => Err(RemoteError::Refused {
                remote: self.shown(),
                branch: repo.branch.clone(),
                why,
            }),
            None => {
                if created.into_inner() {
                    super::remote_head::point_head(self, repo);
                }
                Ok(Pushed::Done)
            }
        }
    }

    /// The remote branch's tip, fetched; `None` when it has no such branch.
    fn fetch(&self, repo: &Repo) -> Result<Option<Oid>, RemoteError> {
        let mut remote = repo
            .repo
            .remote_anonymous(&self.url)
            .map_err(self.git("reaching"))?;
        let tracking = format!("refs/remotes/segment-gitops/{}", repo.branch);
        let spec = format!("+refs/heads/{}:{tracking}", repo.branch);
        let trace = RefCell::new(Trace::default());
        let mut options = FetchOptions::new();
        options.remote_callbacks(self.callbacks(&trace));
        options.prune(FetchPrune::On);
        let fetched = remote.fetch(&[spec.as_str()], Some(&mut options), None);
        drop(options);
        fetched.map_err(self.network("fetching from", trace))?;
        Ok(repo
            .repo
            .find_reference(&tracking)
            .ok()
            .and_then(|r| r.target()))
    }

    fn integrate(&self, repo: &Repo, upstream: Oid) -> Result<(), RemoteError> {
        let graph = |doing| self.git(doing);
        let Some(local) = repo.head_oid() else {
            return repo
                .move_branch(upstream, "segment-gitops: start from the remote")
                .map_err(|e| self.local(e));
        };
        let g = &repo.repo;
        if local == upstream
            || g.graph_descendant_of(local, upstream)
                .map_err(graph("comparing with"))?
        {
            return Ok(());
        }
        if g.graph_descendant_of(upstream, local)
            .map_err(graph("comparing with"))?
        {
            return repo
                .move_branch(upstream, "segment-gitops: fast-forward to the remote")
                .map_err(|e| self.local(e));
        }
        match g.merge_base(local, upstream) {
            Err(e) if e.code() == ErrorCode::NotFound => {
                return Err(RemoteError::Unrelated {
                    remote: self.shown(),
                    branch: repo.branch.clone(),
                })
            }
            Err(e) => return Err(graph("comparing with")(e)),
            Ok(_) => {}
        }
        let tip = self.rebase(repo, local, upstream)?;
        repo.move_branch(tip, "segment-gitops: rebase onto the remote")
            .map_err(|e| self.local(e))
    }

    /// Our commits since the fork, replayed onto `upstream` in memory with
    /// their authors, committers and messages; returns the new tip.
    fn rebase(&self, repo: &Repo, local: Oid, upstream: Oid) -> Result<Oid, RemoteError> {
        let g = &repo.repo;
        let err = self.git("rebasing onto");
        let run = || -> Result<Result<Oid, Vec<String>>, git2::Error> {
            let branch = g.find_annotated_commit(local)?;
            let onto = g.find_annotated_commit(upstream)?;
            let mut options = RebaseOptions::new();
            options.inmemory(true);
            let mut rebase = g.rebase(Some(&branch), Some(&onto), None, Some(&mut options))?;
            let mut tip = upstream;
            while let Some(op) = rebase.next() {
                let op = op?;
                let index = rebase.inmemory_index()?;
                if index.has_conflicts() {
                    let mut files = Vec::new();
                    for c in index.conflicts()? {
                        let c = c?;
                        if let Some(e) = c.our.or(c.their).or(c.ancestor) {
                            files.push(String::from_utf8_lossy(&e.path).into_owned());
                        }
                    }
                    rebase.abort()?;
                    return Ok(Err(files));
                }
                let original = g.find_commit(op.id())?;
                let (author, committer) = (original.author(), original.committer());
                let committed = rebase.commit(Some(&author), &committer, None);
                match committed {
                    Ok(oid) => tip = oid,
                    // Their history already holds this change.
                    Err(e) if e.code() == ErrorCode::Applied => {}
                    Err(e) => return Err(e),
                }
            }
            rebase.finish(None)?;
            Ok(Ok(tip))
        };
        match run().map_err(err)? {
            Ok(tip) => Ok(tip),
            Err(files) => Err(RemoteError::Conflict {
                remote: self.shown(),
                branch: repo.branch.clone(),
                files: files.join(", "),
            }),
        }
    }

    fn local(&self, e: anyhow::Error) -> RemoteError {
        RemoteError::Git {
            doing: "updating the local branch from",
            remote: self.shown(),
            cause: git2::Error::from_str(&format!("{e:#}")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_shown_without_passwords() {
        assert_eq!(
            Remote::redact("https://bot:ghp_secret@github.com/org/ws.git"),
            "https://bot:***@github.com/org/ws.git"
        );
        assert_eq!(
            Remote::redact("git@github.com:org/ws.git"),
            "git@github.com:org/ws.git"
        );
        let remote = Remote {
            url: "https://bot:ghp_secret@github.com/org/ws.git".into(),
            token: Some("ghp_other".into()),
            ssh_passphrase: Some("horse".into()),
            ..Default::default()
        };
        let shown = format!("{remote:?}");
        for secret in ["ghp_secret", "ghp_other", "horse"] {
            assert!(!shown.contains(secret), "{shown}");
        }
    }

    #[test]
    fn ssh_urls_and_ports_are_recognised() {
        let at = |url: &str| Remote {
            url: url.into(),
            ..Default::default()
        };
        assert!(at("git@github.com:org/ws.git").is_ssh());
        assert_eq!(at("git@github.com:org/ws.git").ssh_port(), 22);
        assert!(at("ssh://git@127.0.0.1:2222/srv/ws.git").is_ssh());
        assert_eq!(at("ssh://git@127.0.0.1:2222/srv/ws.git").ssh_port(), 2222);
        assert!(!at("https://github.com/org/ws.git").is_ssh());
        assert!(!at("/srv/ws.git").is_ssh());
    }
}
