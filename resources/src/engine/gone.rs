//! When a 404 means "deleted outside Terraform".
//!
//! The API answers 404 both for an object that is gone and for a path it
//! does not serve (a wrong base URL such as `.../v1`, a misrouted proxy),
//! with the same error type, so the answer alone cannot tell them apart.
//! Taking every 404 for a deletion dropped whole states. An object is gone
//! only once a list that holds objects of its kind (its collection, or the
//! one below its parent) answers 200 at the same base URL.

use std::collections::HashSet;
use std::sync::Mutex;

use segment_api::{path_segment, Client};
use serde::de::IgnoredAny;

use super::Failure;
use crate::diagnostics::Diagnostic;

/// A list the API serves whenever it can answer for an object: `sources`
/// for a source, `destination/{id}/filters` for a filter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Collection {
    pub path: String,
    /// The member of `data` that holds the items, such as `sources`.
    pub key: &'static str,
    pub query: Vec<(&'static str, String)>,
}

impl Collection {
    pub fn new(path: impl Into<String>, key: &'static str) -> Self {
        Collection {
            path: path.into(),
            key,
            query: Vec::new(),
        }
    }

    /// `parent/{id}/child` with the id escaped as one path segment.
    pub fn under(parent: &str, id: &str, child: &str, key: &'static str) -> Self {
        Collection::new(format!("{parent}/{}/{child}", path_segment(id)), key)
    }

    pub fn with_query(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.query.push((name, value.into()));
        self
    }
}

/// Collections that answered 200 in this process, by base URL and path:
/// a refresh of many objects with a few deletions asks once per list.
#[derive(Default)]
pub struct Confirmed(Mutex<HashSet<String>>);

/// A 404 the API did not back up: the state must stay as it was.
#[derive(Debug)]
pub enum NotShownGone {
    /// Every collection answered 404 too: the URL is not the API's.
    NoCollection {
        base_url: String,
        asked: Vec<String>,
        first: String,
    },
    /// A collection could not be read for another reason.
    Failed(Failure),
}

impl Confirmed {
    fn knows(&self, key: &str) -> bool {
        self.0.lock().map(|s| s.contains(key)).unwrap_or(false)
    }

    fn remember(&self, key: String) {
        if let Ok(mut s) = self.0.lock() {
            s.insert(key);
        }
    }

    /// `Ok` when one of `collections` (tried in order, most specific
    /// first) answers 200; a 404 moves on to the next.
    pub async fn confirm(
        &self,
        api: &Client,
        collections: Vec<Collection>,
        first: &segment_api::Error,
    ) -> Result<(), NotShownGone> {
        let mut asked = Vec::new();
        for c in collections {
            let key = format!("{}{}?{:?}", api.base_url(), c.path, c.query);
            if self.knows(&key) {
                return Ok(());
            }
            let answer = api
                .list_page::<IgnoredAny>(&c.path, c.key, &c.query, None, 1)
                .await;
            match answer {
                Ok(_) => {
                    self.remember(key);
                    return Ok(());
                }
                Err(e) if e.is_not_found() => asked.push(format!("GET /{}", c.path)),
                Err(e) => return Err(NotShownGone::Failed(Failure::Api(e))),
            }
        }
        Err(NotShownGone::NoCollection {
            base_url: api.base_url().to_string(),
            asked,
            first: first.to_string(),
        })
    }
}

/// The error for a 404 that lists at the same URL did not back up.
pub fn unconfirmed(
    type_name: &str,
    action: &str,
    base_url: &str,
    asked: &[String],
    first: &str,
) -> Diagnostic {
    let asked = if asked.is_empty() {
        String::new()
    } else {
        format!(" ({})", asked.join(", "))
    };
    Diagnostic::error(
        format!("Cannot {action} {type_name}: the API answered 404 for its collection too"),
        format!(
            "{first}\n\nThe API at {base_url} answered 404 for the object and for the list \
             that holds it{asked}, which a Segment Public API always serves: check the \
             provider's `url` (or PUBLIC_API_URL). It must be the API's base URL without a \
             path, such as https://api.segmentapis.com (not .../v1). Terraform's state was \
             left unchanged."
        ),
    )
}
