//! What documents hold beyond the API's models, typed: a stored body reads
//! as one of these or fails loudly ([`crate::store::Doc::read`]), where a
//! string lookup would have read a misspelt key as "".

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::store::{Doc, StoreError, StoreResult};

/// A source, destination or warehouse names its catalog entry by id; the
/// API shows the entry itself as `metadata` ([`super::answer::Shown`]).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CatalogLink {
    pub metadata_id: String,
}

/// A destination receives the events of one source.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SourceLink {
    pub source_id: String,
}

/// Users and invites are found by their email.
#[derive(Debug, Deserialize)]
pub struct Contact {
    pub email: String,
}

/// A source's connection to a tracking plan. GET /sources/{id} reads
/// `trackingPlanId` from it.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PlanConnection {
    pub tracking_plan_id: String,
    pub source_id: String,
}

/// A source's connection to a warehouse.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WarehouseConnection {
    pub warehouse_id: String,
    pub source_id: String,
}

/// What an integration's document keeps beside its model: the catalog
/// entry by id (answers embed the entry itself), and a source's schema
/// settings (served on a path of their own).
const BESIDE_THE_MODEL: &[&str] = &["metadataId", super::sources::SCHEMA_SETTINGS];

/// Stores a source, destination or warehouse model as its document: the
/// model's fields (none of them typed by hand, so a field the model
/// renames is renamed in the store too), its catalog entry by id, and what
/// the document already kept beside the model.
pub fn write_integration<T: Serialize>(
    doc: &mut Doc,
    model: &T,
    metadata_id: &str,
) -> StoreResult<()> {
    let before = std::mem::take(&mut doc.body);
    doc.write(model)?;
    let Value::Object(map) = &mut doc.body else {
        return Err(StoreError::Corrupt {
            kind: doc.kind,
            id: doc.id.clone(),
            reason: "an integration's model is not a JSON object".into(),
        });
    };
    map.shift_remove("metadata");
    if let Value::Object(mut before) = before {
        for key in BESIDE_THE_MODEL {
            if let Some(v) = before.shift_remove(*key) {
                map.insert((*key).to_string(), v);
            }
        }
    }
    map.insert("metadataId".into(), Value::String(metadata_id.to_string()));
    Ok(())
}

/// A user group as stored: its members by email (users and pending invites
/// alike; answers count and split them) and its permissions as written
/// (answers fill in role names).
#[derive(Debug, Serialize, Deserialize)]
pub struct StoredGroup {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub members: Vec<String>,
    #[serde(default)]
    pub permissions: Vec<Value>,
}

/// A pending invite as stored, keyed by email, with the permissions it
/// grants as written: no path reads them back (see `iam_users.rs`).
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StoredInvite {
    pub email: String,
    #[serde(default)]
    pub permissions: Vec<Value>,
    pub created_at: String,
}

/// Users and groups hold their permissions as written; answers fill in
/// role names and leave out what was deleted since.
#[derive(Debug, Serialize, Deserialize)]
pub struct Grants {
    #[serde(default)]
    pub permissions: Vec<Value>,
}

/// Writes the fields of `part` into the document, keeping the others: an
/// edit of what documents of several kinds share (a user's or a group's
/// permissions).
pub fn write_part<T: Serialize>(doc: &mut Doc, part: &T) -> StoreResult<()> {
    let corrupt = |reason: String| StoreError::Corrupt {
        kind: doc.kind,
        id: doc.id.clone(),
        reason,
    };
    let fields = match serde_json::to_value(part) {
        Ok(Value::Object(fields)) => fields,
        Ok(_) => return Err(corrupt("a part of a document must be an object".into())),
        Err(e) => return Err(corrupt(e.to_string())),
    };
    let Value::Object(body) = &mut doc.body else {
        return Err(corrupt("a stored body must be an object".into()));
    };
    body.extend(fields);
    Ok(())
}
