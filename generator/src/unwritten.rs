//! Objects that could not be written: one of them never stops sync. Each
//! is recorded with its event and the reason in a file committed with the
//! cursor, retried first on every later pass (re-read live, written, and
//! dropped from the record once written), and reported while it fails.

use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use crate::base::{Base, BASE};
use crate::desired::Desired;
use crate::files::Manifest;
use crate::git::Author;
use crate::reconcile::Outcome;
use crate::repo::Folder;
use crate::session::{commit_message, Session};

/// The record, beside the cursor; absent when nothing is unwritten.
pub const UNWRITTEN: &str = ".segment-gitops/unwritten.json";

/// A still-failing object is reported at most this often by one process
/// (`sync --watch` passes every 100 ms), and whenever its reason changes.
const REPORT_EVERY: Duration = Duration::from_secs(60);

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Unwritten {
    pub objects: Vec<Entry>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    /// The audit event it was to be written for (for an export, the last
    /// event the export covered).
    pub event: String,
    #[serde(rename = "type")]
    pub type_name: String,
    /// The audit trail's id of it.
    pub audit_id: String,
    /// `None` when it could not even be found.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub import_id: Option<String>,
    pub reason: String,
}

impl Entry {
    /// `segment_tracking_plan "tp_1"`: what a person looks for.
    pub fn object(&self) -> String {
        format!(
            "{} {:?}",
            self.type_name,
            self.import_id.as_deref().unwrap_or(&self.audit_id)
        )
    }

    fn is(&self, type_name: &str, audit_id: &str) -> bool {
        self.type_name == type_name && self.audit_id == audit_id
    }
}

impl Unwritten {
    pub fn parse(text: &str) -> Option<Unwritten> {
        serde_json::from_str(text).ok()
    }

    /// The file's text; `None` (no file) when nothing is unwritten.
    pub fn render(&self) -> Option<String> {
        if self.objects.is_empty() {
            return None;
        }
        let mut text = serde_json::to_string_pretty(self).ok()?;
        text.push('\n');
        Some(text)
    }

    /// The record as HEAD holds it.
    pub fn read(session: &Session) -> Unwritten {
        session
            .repo
            .read_head(&session.in_folder(UNWRITTEN))
            .and_then(|t| Unwritten::parse(&t))
            .unwrap_or_default()
    }

    /// Records `entry`; an object already recorded keeps the event it was
    /// first missed at and takes the newer reason.
    pub fn record(&mut self, entry: Entry) {
        match self
            .objects
            .iter_mut()
            .find(|e| e.is(&entry.type_name, &entry.audit_id))
        {
            Some(e) => {
                e.reason = entry.reason;
                if e.import_id.is_none() {
                    e.import_id = entry.import_id;
                }
            }
            None => self.objects.push(entry),
        }
    }

    /// Drops the object from the record; whether it was there.
    pub fn clear(&mut self, type_name: &str, audit_id: &str) -> bool {
        let before = self.objects.len();
        self.objects.retain(|e| !e.is(type_name, audit_id));
        self.objects.len() != before
    }
}

/// Why an object's change could not be built.
#[derive(Debug)]
pub enum Failure {
    /// The object's own: recorded, and every other event goes on.
    Object {
        import_id: Option<String>,
        reason: String,
    },
    /// Not the object's (the workspace unreachable, the token refused, the
    /// repository unusable): the pass stops, as before.
    Fatal(anyhow::Error),
}

/// Whether an error met reading one object is that object's own: only when
/// the workspace answers `GET /` with the same token is it not the
/// workspace's or the network's.
pub async fn judge(
    api: &segment_api::Client,
    e: anyhow::Error,
    import_id: Option<&str>,
) -> Failure {
    let workspace = e.chain().any(|c| {
        matches!(
            c.downcast_ref::<segment_api::Error>(),
            Some(segment_api::Error::Transport { .. })
        ) || c
            .downcast_ref::<segment_api::Error>()
            .and_then(segment_api::Error::status)
            .is_some_and(|s| s == 401 || s == 403)
    });
    if workspace || api.get_workspace().await.is_err() {
        return Failure::Fatal(e);
    }
    Failure::Object {
        import_id: import_id.map(str::to_string),
        reason: format!("{e:#}"),
    }
}

/// Prints one line for a still-unwritten object, unless this process said
/// the same within [`REPORT_EVERY`].
pub fn report(entry: &Entry) {
    static SAID: Mutex<Option<HashMap<String, (String, Instant)>>> = Mutex::new(None);
    let key = entry.object();
    let mut said = SAID.lock().unwrap_or_else(|e| e.into_inner());
    let said = said.get_or_insert_with(HashMap::new);
    let fresh = match said.get(&key) {
        Some((reason, at)) => reason != &entry.reason || at.elapsed() >= REPORT_EVERY,
        None => true,
    };
    if fresh {
        eprintln!(
            "segment-gitops: {key} is not written (since event {}): {}; it is retried on every pass",
            entry.event, entry.reason
        );
        said.insert(key, (entry.reason.clone(), Instant::now()));
    }
}

/// Retries every recorded object: written ones leave the record in the
/// same commit. Returns the commits made.
pub async fn retry(session: &Session, base: &mut Option<Base>) -> anyhow::Result<usize> {
    let mut record = Unwritten::read(session);
    let mut commits = 0;
    for entry in record.objects.clone() {
        let Some(kind) = crate::kinds::by_type(&entry.type_name) else {
            record.clear(&entry.type_name, &entry.audit_id);
            continue;
        };
        let change = crate::sync::object_change(
            session,
            kind.type_name,
            &entry.audit_id,
            entry.import_id.as_deref(),
            base.as_ref(),
        )
        .await;
        match change {
            Ok(mut change) => {
                record.clear(&entry.type_name, &entry.audit_id);
                change
                    .files
                    .insert(session.in_folder(UNWRITTEN), record.render());
                change
                    .files
                    .insert(session.in_folder(BASE), Some(change.base.render()));
                *base = Some(change.base);
                let message = commit_message(
                    &format!(
                        "Write {}, unwritten since event {}",
                        entry.object(),
                        entry.event
                    ),
                    &change.summary,
                    None,
                );
                if session
                    .repo
                    .commit_onto_head(&change.files, &Author::generator(), &message)?
                    .is_some()
                {
                    commits += 1;
                    session.publish()?;
                }
                eprintln!("segment-gitops: {} is written now", entry.object());
            }
            Err(Failure::Object { reason, .. }) => report(&Entry { reason, ..entry }),
            Err(Failure::Fatal(e)) => return Err(e),
        }
    }
    Ok(commits)
}

/// An export's outcome with every object whose file cannot be placed left
/// out (and so never referred to by the others), and those objects.
pub fn place_export(
    session: &Session,
    folder: &Folder,
    desired: &[Desired],
    manifest: &Manifest,
    event: &str,
) -> (Outcome, Vec<Entry>) {
    let mut left_out: BTreeMap<(String, String), Entry> = BTreeMap::new();
    // Each round leaves out at least one more object, or ends.
    for _ in 0..=desired.len() {
        let kept: Vec<Desired> = desired
            .iter()
            .filter(|d| {
                !left_out.contains_key(&(d.live.type_name.to_string(), d.live.import_id.clone()))
            })
            .cloned()
            .collect();
        let outcome = session.reconcile_full(folder, &kept, manifest);
        let mut more = false;
        // A file the folder holds is where it goes already.
        let new: Vec<(String, &String)> = outcome
            .files
            .keys()
            .filter(|f| !folder.files.contains_key(*f))
            .map(|f| (session.in_folder(f), f))
            .collect();
        let blocked = session
            .repo
            .unplaceable(new.iter().map(|(p, _)| p.as_str()));
        for (path, why) in blocked {
            let Some((_, file)) = new.iter().find(|(p, _)| p == path) else {
                continue;
            };
            for e in outcome
                .manifest
                .resources
                .iter()
                .filter(|e| &&e.file == file)
            {
                more = true;
                left_out.insert(
                    (e.type_name.clone(), e.import_id.clone()),
                    Entry {
                        event: event.to_string(),
                        type_name: e.type_name.clone(),
                        audit_id: e.audit_id.clone(),
                        import_id: Some(e.import_id.clone()),
                        reason: why.clone(),
                    },
                );
            }
        }
        if !more {
            return (outcome, left_out.into_values().collect());
        }
    }
    // Unreachable in practice: every round above left out one more.
    let outcome = session.reconcile_full(folder, &[], manifest);
    let all = desired
        .iter()
        .map(|d| Entry {
            event: event.to_string(),
            type_name: d.live.type_name.to_string(),
            audit_id: d.live.audit_id.clone(),
            import_id: Some(d.live.import_id.clone()),
            reason: "could not be placed".into(),
        })
        .collect();
    (outcome, all)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(id: &str, reason: &str) -> Entry {
        Entry {
            event: format!("e-{id}"),
            type_name: "segment_tracking_plan".into(),
            audit_id: id.into(),
            import_id: None,
            reason: reason.into(),
        }
    }

    #[test]
    fn an_object_is_recorded_once_from_its_first_event_and_cleared() {
        let mut u = Unwritten::default();
        assert_eq!(u.render(), None, "no file when nothing is unwritten");
        u.record(entry("a", "first"));
        u.record(Entry {
            event: "later".into(),
            import_id: Some("a".into()),
            ..entry("a", "second")
        });
        assert_eq!(u.objects.len(), 1);
        assert_eq!(u.objects[0].event, "e-a");
        assert_eq!(u.objects[0].reason, "second");
        assert_eq!(u.objects[0].import_id.as_deref(), Some("a"));
        let text = u.render().expect("a file");
        assert_eq!(Unwritten::parse(&text), Some(u.clone()));
        assert!(u.clear("segment_tracking_plan", "a"));
        assert!(!u.clear("segment_tracking_plan", "a"));
        assert_eq!(u.render(), None);
    }
}
