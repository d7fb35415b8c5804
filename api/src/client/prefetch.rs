//! Objects a list call already returned, kept for the reads that follow.
//!
//! An export lists the whole workspace, then reads every object it listed
//! through the provider's own read path, so that what it writes is exactly
//! what `terraform import` would see. Answering those reads from the lists
//! saves a GET per object: 8,000 of 10,000 on a large workspace, and each
//! destination's answer carries tens of KB of catalog metadata.
//!
//! Only lists whose items are what a GET of `<list path>/<id>` answers keep
//! them (see [`Client::list_kept`]); each kept object answers one read. Any
//! other list is read once and its answer reused: reading a connection
//! lists its plan's or warehouse's sources, 1,500 times for 60 parents. A
//! client keeps nothing unless it was made with [`Client::prefetching`].
//!
//! The provider's client ([`Client::with_list_snapshots`]) keeps only the
//! lists: each ReadResource of a list-only type (labels, filters,
//! subscriptions, ...) would otherwise read the whole list, N lists of N
//! items for a refresh of N objects. One read of a list is in flight at a
//! time; concurrent readers await it. Any write through the client drops
//! every list (deletes cascade), so a read after a write sees it.

use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use tokio::sync::OnceCell;

use futures::stream::{self, Stream, StreamExt, TryStreamExt};
use serde::de::DeserializeOwned;
use serde_json::value::RawValue;

use super::integrations::seg;
use super::Client;
use crate::error::{Error, Result};

/// A list's items, read once by whoever asked first, and decoded once per
/// type asked for (a refresh of N labels decodes the list once, not N times).
#[derive(Default)]
struct Listed {
    raws: OnceCell<Arc<Vec<Box<RawValue>>>>,
    typed: Mutex<HashMap<TypeId, Arc<dyn Any + Send + Sync>>>,
}

type Snapshot = Arc<Listed>;

#[derive(Default)]
pub(crate) struct Prefetch {
    /// Keep listed objects for the GETs of them (an export's); the
    /// provider's snapshots keep lists only.
    keep_objects: bool,
    /// Objects by the path that GETs them.
    kept: Mutex<HashMap<String, Box<RawValue>>>,
    /// Every item of a list, by its path and query.
    lists: Mutex<HashMap<String, Snapshot>>,
}

impl Prefetch {
    /// A list's items, from the API the first time only.
    pub(crate) async fn list_once<T: DeserializeOwned + Clone + Send + Sync + 'static>(
        &self,
        api: &Client,
        path: &str,
        key: &str,
        query: &[(&str, String)],
    ) -> Result<Arc<Vec<T>>> {
        let mut memo_key = path.to_string();
        for (k, v) in query {
            memo_key.push_str(&format!("&{k}={v}"));
        }
        let cell = self
            .lists
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .entry(memo_key)
            .or_default()
            .clone();
        // A write that lands while this read is in flight drops the cell
        // from the map: later readers start a read of their own, and this
        // one's answer serves only those that were already waiting.
        let raws = cell
            .raws
            .get_or_try_init(|| async {
                Ok::<_, Error>(Arc::new(
                    api.walk_pages::<Box<RawValue>>(path, key, query).await?,
                ))
            })
            .await?;
        let decoded = cell
            .typed
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&TypeId::of::<T>())
            .cloned()
            .and_then(|any| any.downcast::<Vec<T>>().ok());
        if let Some(items) = decoded {
            return Ok(items);
        }
        let items: Vec<T> = raws
            .iter()
            .map(|raw| {
                serde_json::from_str(raw.get()).map_err(|e| Error::Decode {
                    url: path.to_string(),
                    message: format!("list `{key}`: {e}"),
                })
            })
            .collect::<Result<_>>()?;
        let items = Arc::new(items);
        cell.typed
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(TypeId::of::<T>(), items.clone());
        Ok(items)
    }

    fn keep(&self, path: String, item: Box<RawValue>) {
        let mut kept = self.kept.lock().unwrap_or_else(PoisonError::into_inner);
        kept.insert(path, item);
    }

    /// Drops every list and object kept: something was written.
    pub(crate) fn forget(&self) {
        self.lists
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
        self.kept
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
    }

    /// The object kept for a GET of `path`, once.
    pub(crate) fn take(&self, path: &str) -> Option<Box<RawValue>> {
        let mut kept = self.kept.lock().unwrap_or_else(PoisonError::into_inner);
        kept.remove(path)
    }
}

#[derive(serde::Deserialize)]
struct Id {
    id: String,
}

impl Client {
    /// A client sharing this one's connections whose list calls keep their
    /// objects for the GETs that follow. For one pass over a workspace:
    /// what it keeps is as old as the list it came from.
    pub fn prefetching(&self) -> Client {
        Client {
            prefetch: Some(Arc::new(Prefetch {
                keep_objects: true,
                ..Default::default()
            })),
            ..self.clone()
        }
    }

    /// A client sharing this one's connections that reads each list once
    /// and answers later reads of it from that snapshot, until anything is
    /// written through it (or its clones). For one Terraform command, where
    /// a refresh of N list-only objects would read the list N times.
    pub fn with_list_snapshots(&self) -> Client {
        Client {
            prefetch: Some(Arc::new(Prefetch::default())),
            ..self.clone()
        }
    }

    /// [`Client::list_all`] for lists whose items are whole objects, the
    /// same a GET of `<path>/<id>` answers: a prefetching client keeps them.
    pub(crate) async fn list_kept<T: DeserializeOwned + Clone + Send + Sync + 'static>(
        &self,
        path: &str,
        key: &str,
        query: &[(&str, String)],
    ) -> Result<Vec<T>> {
        self.kept_pages(path, key, query).try_concat().await
    }

    /// [`Client::list_kept`] a page at a time, as the pages arrive. Only a
    /// prefetching client goes through raw JSON; any other decodes each
    /// page straight into `T`, once.
    pub(crate) fn kept_pages<'a, T: DeserializeOwned + Clone + Send + Sync + 'static>(
        &'a self,
        path: &'a str,
        key: &'a str,
        query: &'a [(&'a str, String)],
    ) -> impl Stream<Item = Result<Vec<T>>> + 'a {
        match &self.prefetch {
            None => self.pages::<T>(path, key, query).left_stream(),
            Some(prefetch) if prefetch.keep_objects => self
                .pages::<Box<RawValue>>(path, key, query)
                .and_then(move |raws| async move { prefetch.keep_page(path, key, raws) })
                .left_stream()
                .right_stream(),
            Some(prefetch) => stream::once(async move {
                let items = prefetch.list_once(self, path, key, query).await?;
                Ok(items.as_ref().clone())
            })
            .right_stream()
            .right_stream(),
        }
    }
}

impl Prefetch {
    /// A page's items, each kept for the GET of `<path>/<id>`.
    fn keep_page<T: DeserializeOwned>(
        &self,
        path: &str,
        key: &str,
        raws: Vec<Box<RawValue>>,
    ) -> Result<Vec<T>> {
        let decode_error = |e: serde_json::Error| Error::Decode {
            url: path.to_string(),
            message: format!("list `{key}`: {e}"),
        };
        let mut items = Vec::with_capacity(raws.len());
        for raw in raws {
            items.push(serde_json::from_str::<T>(raw.get()).map_err(decode_error)?);
            let Id { id } = serde_json::from_str(raw.get()).map_err(decode_error)?;
            self.keep(format!("{path}/{}", seg(&id)), raw);
        }
        Ok(items)
    }
}
