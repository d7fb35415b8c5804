//! `sync`: follows the audit trail from the cursor committed in the
//! repository and turns each event into its own commit, attributed to the
//! event's actor. The cursor moves in the same commit as the change, so a
//! killed sync resumes with no event lost and none committed twice.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use segment_api::models::{AuditEvent, AuditQuery};

use crate::base::{Base, BASE};
use crate::deletion;
use crate::files::{self, Cursor};
use crate::git::Author;
use crate::kinds;
use crate::session::{commit_message, Session};
use crate::unwritten::{self, Entry, Failure, Unwritten, UNWRITTEN};

mod locate;
mod object;
mod pending;
pub use object::{object_change, Change};

const PAGE: u32 = 200;
/// Characters of an object's name in a commit's subject line.
const SUBJECT_NAME: usize = 100;

/// What one pass committed.
#[derive(Debug, Default, Clone, Copy)]
pub struct Progress {
    pub commits: usize,
    pub events: usize,
}

/// One commit sync made, as its line on stdout says it.
#[derive(Debug)]
pub struct Committed {
    pub oid: git2::Oid,
    pub kind: String,
    pub name: String,
    pub actor: String,
}

impl std::fmt::Display for Committed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let oid = self.oid.to_string();
        write!(
            f,
            "{} {}: {} ({})",
            &oid[..12],
            self.kind,
            self.name,
            self.actor
        )
    }
}

/// Where a follower of the trail stands between passes. Events that
/// change no file make no commit, so the cursor and the base run ahead of
/// HEAD's and are committed with the next change; a restart reads them
/// from HEAD and re-reads those events, which changes nothing.
#[derive(Debug, Default)]
pub struct Follow {
    cursor: Cursor,
    base: Option<Base>,
    /// HEAD's cursor file when this state was read or last committed;
    /// `None` before the first pass. When HEAD's differs (a person reset
    /// the branch), the state is read from HEAD again.
    seen: Option<Option<String>>,
    pub progress: Progress,
}

impl Follow {
    fn refresh(&mut self, session: &Session) {
        let head = session.repo.read_head(&session.in_folder(files::CURSOR));
        if self.seen.as_ref() != Some(&head) {
            self.cursor = head.as_deref().and_then(Cursor::parse).unwrap_or_default();
            self.base = pending::read(session, &head).or_else(|| session.base());
            self.seen = Some(head);
        }
    }
}

/// Commits every event after the cursor; returns when the trail is read.
pub async fn catch_up(session: &Session) -> Result<Progress> {
    let mut follow = Follow::default();
    self::follow(session, &mut follow, &|_| {}).await?;
    Ok(follow.progress)
}

/// One pass: commits every event after `state`'s cursor, calling
/// `on_commit` after each commit. `state` moves only past events that are
/// done, so a pass that fails or is dropped is resumed where it stopped.
pub async fn follow(
    session: &Session,
    state: &mut Follow,
    on_commit: &(dyn Fn(&Committed) + Sync),
) -> Result<()> {
    pass(session, state, on_commit, None).await.map(|_| ())
}

/// What one pass of a follower saw.
#[derive(Debug, Clone, Copy)]
pub struct Pass {
    /// Events after the cursor that the pass read (committed or not).
    pub events: usize,
    /// How long the pass's last request took to answer: an empty answer
    /// that came at once means the workspace did not hold the request.
    pub last_answer: Duration,
}

/// [`follow`] asking the workspace to hold the request up to `wait` while
/// no event follows the cursor (ours does; Segment's API answers at once).
/// Returns after the first page that brought events, or after an empty one.
pub async fn follow_waiting(
    session: &Session,
    state: &mut Follow,
    on_commit: &(dyn Fn(&Committed) + Sync),
    wait: Duration,
) -> Result<Pass> {
    pass(session, state, on_commit, Some(wait)).await
}

async fn pass(
    session: &Session,
    state: &mut Follow,
    on_commit: &(dyn Fn(&Committed) + Sync),
    wait: Option<Duration>,
) -> Result<Pass> {
    state.refresh(session);
    // Objects earlier passes could not write, before anything newer.
    let retried = unwritten::retry(session, &mut state.base).await?;
    if retried > 0 {
        // Their commits carried the base.
        pending::clear(session);
    }
    state.progress.commits += retried;
    let mut seen = Pass {
        events: 0,
        last_answer: Duration::ZERO,
    };
    // Bounded: a page is at most PAGE events and each turn moves on.
    for _ in 0..1_000_000 {
        let asked = Instant::now();
        let query = AuditQuery::default();
        let at = state.cursor.page.as_deref();
        let (events, page) = match wait {
            Some(wait) => session.api.audit_events_wait(&query, at, PAGE, wait).await,
            None => session.api.audit_events_page(&query, at, PAGE).await,
        }
        .context("reading the audit trail")?;
        seen.last_answer = asked.elapsed();
        let skip = match &state.cursor.event {
            Some(id) => events
                .iter()
                .position(|e| &e.id == id)
                .map(|i| i + 1)
                .unwrap_or(0),
            None => 0,
        };
        for event in &events[skip..] {
            let cursor = Cursor {
                page: state.cursor.page.clone(),
                event: Some(event.id.clone()),
            };
            let applied = apply_event_on_head(session, event, &cursor, state.base.as_ref()).await?;
            state.progress.events += 1;
            seen.events += 1;
            let moved = applied.base.is_some();
            if let Some(base) = applied.base {
                state.base = Some(base);
            }
            if let Some(committed) = applied.commit {
                state.progress.commits += 1;
                state.seen = Some(Some(cursor.render()));
                pending::clear(session);
                on_commit(&committed);
                session.publish()?;
            } else if let (true, Some(base), Some(head)) = (moved, &state.base, &state.seen) {
                pending::write(session, head, base);
            }
            state.cursor = cursor;
        }
        let full = events.len() as u32 >= PAGE;
        match page.next {
            // A follower's cursor after the page's last event (our
            // workspace answers one at the end of the trail; Segment's
            // answers none there, and the cursor stays on the page).
            Some(next)
                if !next.is_empty()
                    && !events.is_empty()
                    && Some(&next) != state.cursor.page.as_ref() =>
            {
                state.cursor = Cursor {
                    page: Some(next),
                    event: None,
                };
                // Another page, or nothing new yet on this one: read on
                // (a follower's next read is the one that waits).
                if !full && skip < events.len() {
                    return Ok(seen);
                }
            }
            _ => return Ok(seen),
        }
    }
    Ok(seen)
}

/// How often an event is built again when a person's commit moved the
/// branch while it was being built.
const ATTEMPTS: usize = 5;

/// What one event did.
struct Applied {
    commit: Option<Committed>,
    /// The base after the event; `None` when the event is of nothing the
    /// folder holds, or its object could not be written.
    base: Option<Base>,
}

/// [`apply_event`], built again on HEAD when the branch moved under it.
async fn apply_event_on_head(
    session: &Session,
    event: &AuditEvent,
    cursor: &Cursor,
    base: Option<&Base>,
) -> Result<Applied> {
    let mut attempt = 0;
    loop {
        attempt += 1;
        match apply_event(session, event, cursor, base).await {
            Err(e) if attempt < ATTEMPTS && moved(&e) => continue,
            other => return other,
        }
    }
}

/// Whether `e` says the branch moved between reading HEAD and committing.
fn moved(e: &anyhow::Error) -> bool {
    e.downcast_ref::<git2::Error>()
        .is_some_and(|g| g.code() == git2::ErrorCode::Modified)
}

/// One event: re-read its object, edit the folder, commit with the cursor
/// when a file changes.
async fn apply_event(
    session: &Session,
    event: &AuditEvent,
    cursor: &Cursor,
    base: Option<&Base>,
) -> Result<Applied> {
    let Some(kind) = kinds::by_event_type(&event.resource_type) else {
        // Not something the folder holds (invites): nothing to commit.
        return Ok(Applied {
            commit: None,
            base: None,
        });
    };
    let mut record = Unwritten::read(session);
    let (mut files, summary, after) =
        match object_change(session, kind.type_name, &event.resource_id, None, base).await {
            Ok(change) => {
                // Before anything is committed: the cursor stays before it.
                deletion::refuse(
                    session.on_delete,
                    &change.removed,
                    &author_of(event).email,
                    Some((&event.id, &event.kind)),
                )?;
                record.clear(kind.type_name, &event.resource_id);
                (change.files, change.summary, Some(change.base))
            }
            Err(Failure::Fatal(e)) => return Err(e),
            Err(Failure::Object { import_id, reason }) => {
                let entry = Entry {
                    event: event.id.clone(),
                    type_name: kind.type_name.to_string(),
                    audit_id: event.resource_id.clone(),
                    import_id,
                    reason,
                };
                unwritten::report(&entry);
                let summary = vec![format!(
                    "not written: {} ({}), recorded in {UNWRITTEN}",
                    entry.object(),
                    entry.reason
                )];
                record.record(entry);
                (BTreeMap::new(), summary, None)
            }
        };
    files.insert(session.in_folder(UNWRITTEN), record.render());
    let name = if event.resource_name.is_empty() {
        event.resource_id.clone()
    } else {
        event.resource_name.clone()
    };
    // The API takes names of any length; a subject line stays readable.
    let name = match name.char_indices().nth(SUBJECT_NAME) {
        Some((at, _)) => format!("{}…", &name[..at]),
        None => name,
    };
    // The cursor and the base alone make no commit: they move with the
    // next change (an apply whose change HEAD already holds changes none).
    // Only what changes HEAD's tree: a file that stays (the manifest, at
    // megabytes, mostly does) costs the commit and the work tree nothing.
    let mut files = session.repo.changed_from_head(files)?;
    if files.is_empty() {
        return Ok(Applied {
            commit: None,
            base: after,
        });
    }
    if let Some(written) = after.as_ref().or(base) {
        files.insert(session.in_folder(BASE), Some(written.render()));
    }
    files.insert(session.in_folder(files::CURSOR), Some(cursor.render()));
    let message = commit_message(
        &format!("{}: {name}", event.kind),
        &summary,
        Some(("Segment-Event-Id", &event.id)),
    );
    let author = author_of(event);
    let commit = session.repo.commit_onto_head(&files, &author, &message)?;
    if let Some(c) = &commit {
        for path in &c.kept {
            eprintln!(
                "segment-gitops: {path} has uncommitted edits where {} changes it: they were kept; the workspace's value is in HEAD ({})",
                event.id, &c.oid.to_string()[..12]
            );
        }
    }
    Ok(Applied {
        commit: commit.map(|c| Committed {
            oid: c.oid,
            kind: event.kind.clone(),
            name,
            actor: author.email,
        }),
        base: after,
    })
}

/// The event's actor as a Git identity, at the event's time.
fn author_of(event: &AuditEvent) -> Author {
    let email = event
        .actor_email
        .clone()
        .filter(|e| !e.is_empty())
        .unwrap_or_else(|| event.actor.clone());
    let name = if event.actor.is_empty() || event.actor.contains('@') {
        email.split('@').next().unwrap_or("segment").to_string()
    } else {
        event.actor.clone()
    };
    let when = time::OffsetDateTime::parse(
        &event.timestamp,
        &time::format_description::well_known::Rfc3339,
    )
    .ok()
    .map(|t| t.unix_timestamp());
    Author { name, email, when }
}
