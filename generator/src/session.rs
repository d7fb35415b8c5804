//! One run against one repository: export, drift, and what sync builds on.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;

use anyhow::{Context, Result};
use segment_api::models::AuditQuery;
use segment_api::Client;
use segment_resources::engine::Engine;
use segment_resources::{data_sources, resources};

use crate::base::{Base, BASE};
use crate::deletion::{self, OnDelete};
use crate::desired::{self, Desired};
use crate::files::{self, Cursor, Manifest};
use crate::git::remote::Remote;
use crate::git::{Author, Repo};
use crate::head_cache::HeadCache;
use crate::inventory;
use crate::reconcile::{self, Outcome, Request};
use crate::repo::inside;
use crate::repo::state::Managed;
use crate::repo::Folder;
use crate::unwritten::{self, Entry, Unwritten};

/// Audit events per page (the API's maximum).
const AUDIT_PAGE: u32 = 200;
/// Pages walked at most to find the trail's end (10 million events).
const MAX_AUDIT_PAGES: usize = 50_000;

#[derive(Default)]
pub struct Options {
    pub repo: PathBuf,
    /// Folder inside the repository ("" for its root).
    pub path: String,
    pub branch: Option<String>,
    pub spaces: Vec<String>,
    /// Terraform state (JSON, as `terraform state pull` prints it).
    pub state: Option<PathBuf>,
    /// Where each commit is pushed.
    pub remote: Option<Remote>,
    /// What becomes of the block of an object the workspace deleted.
    pub on_delete: OnDelete,
    /// Resource types to write `prevent_destroy` for (recorded in the
    /// manifest with those an earlier export was given).
    pub protect: Vec<String>,
}

pub struct Session {
    pub api: Client,
    pub engine: Engine,
    pub repo: Repo,
    pub path: String,
    spaces: Vec<String>,
    state: Managed,
    remote: Option<Remote>,
    head: HeadCache,
    pub on_delete: OnDelete,
    protect: Vec<String>,
}

/// What an export did.
#[derive(Debug)]
pub struct Report {
    pub commit: Option<git2::Oid>,
    pub summary: Vec<String>,
    pub resources: usize,
    /// Objects left out because they could not be written (recorded in
    /// the repository; sync writes them once it can).
    pub unwritten: Vec<Entry>,
}

impl Session {
    pub fn open(api: Client, options: Options) -> Result<Session> {
        // Before anything is created: a refusal later would leave files
        // outside the repository.
        inside::check_repo(&options.repo)?;
        inside::check_path(&options.repo, &options.path)?;
        // A local backend's state beside the files is read with the folder.
        let state = match &options.state {
            Some(p) => crate::repo::state::read(p).context("reading --state")?,
            None => HashMap::new(),
        };
        let repo = Repo::open(&options.repo, options.branch.as_deref())?;
        if let Some(remote) = &options.remote {
            // Start from what people merged, and push what an earlier run
            // could not.
            let synced = remote.pull(&repo).and_then(|()| remote.publish(&repo));
            if let Err(e) = synced {
                repo.undo_creation();
                return Err(e.into());
            }
        }
        Ok(Session {
            api,
            engine: Engine::new(resources::all(), data_sources::all()),
            repo,
            path: options.path.trim_matches('/').to_string(),
            spaces: options.spaces,
            state,
            remote: options.remote,
            head: HeadCache::default(),
            on_delete: options.on_delete,
            protect: options.protect,
        })
    }

    pub fn folder_dir(&self) -> PathBuf {
        self.repo.root.join(&self.path)
    }

    /// A path inside the exported folder, relative to the repository.
    pub fn in_folder(&self, file: &str) -> String {
        if self.path.is_empty() {
            file.to_string()
        } else {
            format!("{}/{file}", self.path)
        }
    }

    /// The manifest as committed (the work tree's before a first commit).
    pub fn manifest(&self) -> Manifest {
        match self.repo.head_blob(&self.in_folder(files::MANIFEST)) {
            Some(id) => self.head.manifest(id, || self.repo.read_blob(id)),
            None => std::fs::read_to_string(self.folder_dir().join(files::MANIFEST))
                .ok()
                .and_then(|t| Manifest::parse(&t)),
        }
        .unwrap_or_default()
    }

    /// Runs `f` on the folder as HEAD holds it, parsing only the files
    /// that changed since the last call (see [`HeadCache`]).
    pub fn with_head_folder<T>(&self, f: impl FnOnce(&Folder) -> T) -> Result<T> {
        Ok(self
            .head
            .with_folder(&self.repo.repo, &self.path, &self.folder_dir(), f)?)
    }

    /// Sync's three-way base as committed; `None` in a repository exported
    /// before there was one.
    pub fn base(&self) -> Option<Base> {
        self.repo
            .read_head(&self.in_folder(BASE))
            .and_then(|t| Base::parse(&t))
    }

    /// The folder as `rev` (a commit, branch or tag) holds it.
    pub fn folder_at(&self, rev: &str) -> Result<Folder> {
        Ok(Folder::at_rev(
            &self.repo.repo,
            rev,
            &self.path,
            &self.folder_dir(),
        )?)
    }

    /// The cursor as last committed.
    pub fn cursor(&self) -> Cursor {
        self.repo
            .read_head(&self.in_folder(files::CURSOR))
            .and_then(|t| Cursor::parse(&t))
            .unwrap_or_default()
    }

    /// Spaces to export: those given, and those an earlier export recorded.
    pub fn spaces(&self, manifest: &Manifest) -> Vec<String> {
        let mut spaces = self.spaces.clone();
        spaces.extend(manifest.spaces.iter().cloned());
        spaces.sort();
        spaces.dedup();
        spaces
    }

    /// Reads the whole workspace and what the folder should become.
    pub async fn plan_full(
        &self,
        folder: Folder,
        on_listed: &(dyn Fn(usize) + Sync),
        on_read: &(dyn Fn() + Sync),
    ) -> Result<(Outcome, Folder)> {
        let (desired, manifest) = self.read_full(on_listed, on_read).await?;
        let outcome = self.reconcile_full(&folder, &desired, &manifest);
        Ok((outcome, folder))
    }

    /// Every live object, and the manifest with the spaces to export.
    pub async fn read_full(
        &self,
        on_listed: &(dyn Fn(usize) + Sync),
        on_read: &(dyn Fn() + Sync),
    ) -> Result<(Vec<Desired>, Manifest)> {
        let mut manifest = self.manifest();
        manifest.spaces = self.spaces(&manifest);
        manifest.protect(&self.protect);
        // Reads of what was just listed are answered from the lists.
        let api = self.api.prefetching();
        let lives = inventory::everything(&api, &manifest.spaces)
            .await
            .context("listing the workspace")?;
        on_listed(lives.len());
        let desired: Vec<Desired> = desired::read_all(&self.engine, &api, lives, on_read).await?;
        Ok((desired, manifest))
    }

    /// What the folder should become to hold exactly `desired`.
    pub fn reconcile_full(
        &self,
        folder: &Folder,
        desired: &[Desired],
        manifest: &Manifest,
    ) -> Outcome {
        reconcile::reconcile(
            &self.engine,
            folder,
            &Request {
                desired,
                gone: &[],
                full: true,
                state: &self.state,
                manifest,
                base: None,
                on_delete: self.on_delete,
            },
        )
    }

    /// Full export: everything the workspace holds, one commit.
    pub async fn export(
        &self,
        on_listed: &(dyn Fn(usize) + Sync),
        on_read: &(dyn Fn() + Sync),
    ) -> Result<Report> {
        let start = self.cursor();
        let folder = Folder::read(&self.folder_dir())?;
        let (end, read) = tokio::join!(self.audit_end(start), self.read_full(on_listed, on_read));
        let end = end.context("reading the audit trail")?;
        let (desired, manifest) = read?;
        // An object whose file cannot be placed is left out and recorded:
        // the rest is exported, and sync writes it once it can.
        let (outcome, unwritten) = unwritten::place_export(
            self,
            &folder,
            &desired,
            &manifest,
            end.event.as_deref().unwrap_or_default(),
        );
        let record = Unwritten {
            objects: unwritten.clone(),
        };
        // Gone objects have no event, so no actor: the export says so.
        deletion::refuse(
            self.on_delete,
            &outcome.removed,
            "someone (found by a full export)",
            None,
        )?;
        let resources = outcome.manifest.resources.len();
        let mut summary = outcome.summary.clone();
        let mut files = self.framing(&folder, &outcome.manifest);
        for e in &outcome.errors {
            eprintln!("segment-gitops: {e} (this file was left as it is)");
        }
        files.insert(self.in_folder(BASE), Some(outcome.base.render()));
        for (file, text) in outcome.files {
            files.insert(self.in_folder(&file), text);
        }
        files.insert(self.in_folder(files::CURSOR), Some(end.render()));
        files.insert(self.in_folder(unwritten::UNWRITTEN), record.render());
        for e in &unwritten {
            summary.push(format!("not written: {} ({})", e.object(), e.reason));
        }
        let message = commit_message("Export the workspace", &summary, None);
        let commit = self.repo.commit(&files, &Author::generator(), &message)?;
        self.publish()?;
        Ok(Report {
            commit,
            summary,
            resources,
            unwritten,
        })
    }

    /// What `--state` says Terraform manages (the folder's local state is
    /// read with the folder).
    pub fn state(&self) -> &Managed {
        &self.state
    }

    /// Pushes the branch where there is a remote (a no-op when it is there).
    pub fn publish(&self) -> Result<()> {
        if let Some(remote) = &self.remote {
            remote.publish(&self.repo)?;
        }
        Ok(())
    }

    /// The files around the resources; the ones a person may edit are
    /// written only when missing.
    pub fn framing(
        &self,
        folder: &Folder,
        manifest: &Manifest,
    ) -> BTreeMap<String, Option<String>> {
        let mut out = BTreeMap::new();
        if !folder.files.contains_key(files::PROVIDERS) {
            out.insert(
                self.in_folder(files::PROVIDERS),
                Some(files::providers_tf()),
            );
        }
        // In HEAD or in the work tree: a person's version is never replaced.
        let present =
            |path: &str| self.repo.read_head(path).is_some() || self.repo.root.join(path).exists();
        if !present(&self.in_folder(files::GITIGNORE)) {
            out.insert(
                self.in_folder(files::GITIGNORE),
                Some(files::GITIGNORE_TEXT.to_string()),
            );
        }
        if !present("atlantis.yaml") {
            out.insert(
                "atlantis.yaml".to_string(),
                Some(files::atlantis_yaml(&self.path)),
            );
        }
        let path = self.in_folder(files::MANIFEST);
        // Most events change no entry: the manifest stays as HEAD has it.
        let kept = self
            .repo
            .head_blob(&path)
            .is_some_and(|id| self.head.holds_manifest(id, manifest));
        if !kept {
            out.insert(path, Some(manifest.render()));
        }
        out
    }

    /// Where the audit trail ends now, walking on from `from`.
    pub async fn audit_end(&self, from: Cursor) -> Result<Cursor> {
        let mut at = from;
        for _ in 0..MAX_AUDIT_PAGES {
            let (events, page) = self
                .api
                .audit_events_page(&AuditQuery::default(), at.page.as_deref(), AUDIT_PAGE)
                .await?;
            if let Some(last) = events.last() {
                at.event = Some(last.id.clone());
            }
            match page.next {
                Some(next) if !events.is_empty() => {
                    at = Cursor {
                        page: Some(next),
                        event: None,
                    }
                }
                _ => return Ok(at),
            }
        }
        anyhow::bail!("the audit trail has more than {MAX_AUDIT_PAGES} pages")
    }

    /// What differs between the folder at `rev` (HEAD by default) and the
    /// workspace, and what Terraform would reject there (nothing written).
    pub async fn drift(&self, rev: Option<&str>) -> Result<Drift> {
        let folder = self.folder_at(rev.unwrap_or("HEAD"))?;
        let (outcome, _) = self.plan_full(folder, &|_| {}, &|| {}).await?;
        Ok(Drift {
            changes: outcome.summary,
            errors: outcome.errors,
        })
    }
}

/// What `drift` found.
#[derive(Debug)]
pub struct Drift {
    /// One line per resource that differs.
    pub changes: Vec<String>,
    /// Files Terraform would reject, by file and line, with the fix.
    pub errors: Vec<String>,
}

pub fn commit_message(title: &str, summary: &[String], trailer: Option<(&str, &str)>) -> String {
    let mut m = format!("{title}\n");
    if !summary.is_empty() {
        m.push('\n');
        for s in summary.iter().take(50) {
            m.push_str(&format!("- {s}\n"));
        }
        if summary.len() > 50 {
            m.push_str(&format!("- and {} more\n", summary.len() - 50));
        }
    }
    if let Some((k, v)) = trailer {
        m.push_str(&format!("\n{k}: {v}\n"));
    }
    m
}
