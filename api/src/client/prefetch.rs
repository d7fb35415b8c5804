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

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use futures::stream::{Stream, StreamExt, TryStreamExt};
use serde::de::DeserializeOwned;
use serde_json::value::RawValue;

use super::integrations::seg;
use super::Client;
use crate::error::{Error, Result};

#[derive(Default)]
pub(crate) struct Prefetch {
    /// Objects by the path that GETs them.
    kept: Mutex<HashMap<String, Box<RawValue>>>,
    /// Every item of a list, by its path and query.
    lists: Mutex<HashMap<String, Arc<Vec<Box<RawValue>>>>>,
}

impl Prefetch {
    /// A list's items, from the API the first time only.
    pub(crate) async fn list_once<T: DeserializeOwned>(
        &self,
        api: &Client,
        path: &str,
        key: &str,
        query: &[(&str, String)],
    ) -> Result<Vec<T>> {
        let mut memo_key = path.to_string();
        for (k, v) in query {
            memo_key.push_str(&format!("&{k}={v}"));
        }
        let known = self
            .lists
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&memo_key)
            .cloned();
        let raws = match known {
            Some(raws) => raws,
            None => {
                let raws = Arc::new(api.walk_pages::<Box<RawValue>>(path, key, query).await?);
                self.lists
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .insert(memo_key, raws.clone());
                raws
            }
        };
        raws.iter()
            .map(|raw| {
                serde_json::from_str(raw.get()).map_err(|e| Error::Decode {
                    url: path.to_string(),
                    message: format!("list `{key}`: {e}"),
                })
            })
            .collect()
    }

    fn keep(&self, path: String, item: Box<RawValue>) {
        let mut kept = self.kept.lock().unwrap_or_else(PoisonError::into_inner);
        kept.insert(path, item);
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
            prefetch: Some(Default::default()),
            ..self.clone()
        }
    }

    /// [`Client::list_all`] for lists whose items are whole objects, the
    /// same a GET of `<path>/<id>` answers: a prefetching client keeps them.
    pub(crate) async fn list_kept<T: DeserializeOwned>(
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
    pub(crate) fn kept_pages<'a, T: DeserializeOwned + 'a>(
        &'a self,
        path: &'a str,
        key: &'a str,
        query: &'a [(&'a str, String)],
    ) -> impl Stream<Item = Result<Vec<T>>> + 'a {
        match &self.prefetch {
            None => self.pages::<T>(path, key, query).left_stream(),
            Some(prefetch) => self
                .pages::<Box<RawValue>>(path, key, query)
                .and_then(move |raws| async move { prefetch.keep_page(path, key, raws) })
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
