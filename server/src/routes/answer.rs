//! Answers serialized straight from what they hold. Sources, destinations
//! and warehouses embed their integration's catalog metadata, which is JSON
//! text made once at start and written into each answer as it is: cloning
//! its tree into every answer and serializing it again took a third of the
//! server's time when a 10,000-resource workspace was exported (a
//! destination's metadata is up to 90 KB). List answers are written item by
//! item, with no tree of the whole page first.

use std::collections::BTreeMap;

use axum::Json;
use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::value::RawValue;
use serde_json::{Map, Value};

use crate::catalog::Catalog;
use crate::pagination::{self, PageRequest};
use crate::store::{Doc, Page};

/// An object as the API shows it: its body, then `metadata`.
pub struct Shown {
    body: Value,
    metadata: Option<&'static RawValue>,
}

impl Shown {
    /// `body` (an object) followed by `metadata` (`null` when unknown).
    pub fn new(body: Value, metadata: Option<&'static RawValue>) -> Shown {
        Shown { body, metadata }
    }

    /// A catalog integration's document as the API shows it: its
    /// `metadataId` replaced by the metadata itself, and its settings (when
    /// an object) passed to `show_settings` with that id, which hides
    /// secrets as the integration's kind does.
    pub fn integration(
        doc: &Doc,
        show_settings: impl FnOnce(&str, &mut Map<String, Value>),
    ) -> Shown {
        let mut body = doc.body.clone();
        let mut metadata = None;
        if let Value::Object(map) = &mut body {
            let meta_id = match map.remove("metadataId") {
                Some(Value::String(id)) => id,
                _ => String::new(),
            };
            if let Some(Value::Object(settings)) = map.get_mut("settings") {
                show_settings(&meta_id, settings);
            }
            metadata = Catalog::get().rendered(&meta_id);
        }
        Shown::new(body, metadata)
    }

    /// Leaves `key` out: what a document keeps beside the object but the
    /// API serves on a path of its own (a source's schema settings).
    pub fn without(mut self, key: &str) -> Shown {
        if let Value::Object(map) = &mut self.body {
            map.shift_remove(key);
        }
        self
    }
}

impl Serialize for Shown {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        // Only objects get metadata, as before: anything else shows as stored.
        let Value::Object(body) = &self.body else {
            return self.body.serialize(s);
        };
        let mut out = s.serialize_map(Some(body.len() + 1))?;
        for (k, v) in body.iter().filter(|(k, _)| *k != "metadata") {
            out.serialize_entry(k, v)?;
        }
        match self.metadata {
            Some(m) => out.serialize_entry("metadata", m)?,
            None => out.serialize_entry("metadata", &Value::Null)?,
        }
        out.end()
    }
}

/// `{"data": ...}`.
#[derive(serde::Serialize)]
pub struct Data<T> {
    data: T,
}

/// `{"data": {key: item}}`.
pub type One<T> = Json<Data<BTreeMap<&'static str, T>>>;
/// `{"data": {key: [items], "pagination": {...}}}`.
pub type List<T> = Json<Data<Listed<T>>>;

pub fn data<T>(data: T) -> Json<Data<T>> {
    Json(Data { data })
}

pub fn one<T>(key: &'static str, item: T) -> One<T> {
    data(BTreeMap::from([(key, item)]))
}

pub fn list<T, D>(
    key: &'static str,
    items: Vec<T>,
    request: PageRequest,
    page: &Page<D>,
) -> List<T> {
    data(Listed {
        key,
        items,
        pagination: pagination::output(request, page),
    })
}

/// A list answer's `data`: the items under their key, then the cursors.
pub struct Listed<T> {
    key: &'static str,
    items: Vec<T>,
    pagination: segment_api::models::Pagination,
}

impl<T: Serialize> Serialize for Listed<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut out = s.serialize_map(Some(2))?;
        out.serialize_entry(self.key, &self.items)?;
        out.serialize_entry("pagination", &self.pagination)?;
        out.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shown_objects_end_with_their_metadata_as_the_tree_did() {
        let meta: &'static RawValue = Box::leak(
            serde_json::value::to_raw_value(&serde_json::json!({"id": "m", "options": [1]}))
                .expect("raw"),
        );
        let body = serde_json::json!({"id": "d", "settings": {"a": 1}});
        let mut tree = body.clone();
        if let Value::Object(map) = &mut tree {
            map.insert(
                "metadata".into(),
                serde_json::from_str(meta.get()).expect("json"),
            );
        }
        let shown = serde_json::to_string(&Shown::new(body, Some(meta))).expect("serializes");
        assert_eq!(shown, serde_json::to_string(&tree).expect("serializes"));
        let unknown = serde_json::to_string(&Shown::new(serde_json::json!({"id": "x"}), None));
        assert_eq!(
            unknown.expect("serializes"),
            r#"{"id":"x","metadata":null}"#
        );
    }
}
