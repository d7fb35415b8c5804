//! Answers serialized straight from what they hold. Sources, destinations
//! and warehouses embed their integration's catalog metadata, which is JSON
//! text made once at start and written into each answer as it is: cloning
//! its tree into every answer and serializing it again took a third of the
//! server's time when a 10,000-resource workspace was exported (a
//! destination's metadata is up to 90 KB). List answers are written item by
//! item, with no tree of the whole page first.

use std::collections::BTreeMap;

use axum::Json;
use serde::de::{Deserialize, Deserializer, IgnoredAny, Visitor};
use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::value::RawValue;

use crate::pagination::{self, PageRequest};
use crate::store::Page;

/// A catalog entry as an answer embeds it: the metadata text made at start,
/// written as it is (`null` when the catalog does not hold the entry).
/// Stored documents name the entry by `metadataId` and hold no `metadata`,
/// so the field reads from them as absent ([`Option`]) and the render of
/// the kind fills it in ([`super::render`]).
#[derive(Debug, Clone, Copy)]
pub struct Metadata(pub Option<&'static RawValue>);

impl Serialize for Metadata {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            Some(m) => m.serialize(s),
            None => s.serialize_none(),
        }
    }
}

/// Reads as `Metadata(None)` whatever is there, and also when the key is
/// absent, as in every stored document (serde reads a missing field through
/// `deserialize_option`): the catalog, not the document, is what answers show.
impl<'de> Deserialize<'de> for Metadata {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Absent;
        impl<'de> Visitor<'de> for Absent {
            type Value = Metadata;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("catalog metadata, or none")
            }
            fn visit_none<E: serde::de::Error>(self) -> Result<Metadata, E> {
                Ok(Metadata(None))
            }
            fn visit_unit<E: serde::de::Error>(self) -> Result<Metadata, E> {
                Ok(Metadata(None))
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Metadata, D::Error> {
                IgnoredAny::deserialize(d).map(|_| Metadata(None))
            }
        }
        d.deserialize_option(Absent)
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
    fn metadata_is_written_as_made_or_null() {
        let meta: &'static RawValue = Box::leak(
            serde_json::value::to_raw_value(&serde_json::json!({"id": "m", "options": [1]}))
                .expect("raw"),
        );
        let shown = serde_json::to_string(&Metadata(Some(meta))).expect("serializes");
        assert_eq!(shown, r#"{"id":"m","options":[1]}"#);
        let unknown = serde_json::to_string(&Metadata(None)).expect("serializes");
        assert_eq!(unknown, "null");
    }

    #[test]
    fn stored_documents_without_metadata_read_as_none() {
        #[derive(serde::Deserialize)]
        struct Stored {
            metadata: Metadata,
        }
        let absent: Stored = serde_json::from_value(serde_json::json!({})).expect("absent reads");
        assert!(absent.metadata.0.is_none());
        let given: Stored =
            serde_json::from_value(serde_json::json!({"metadata": {"id": "x"}})).expect("reads");
        assert!(given.metadata.0.is_none());
    }
}
