//! What documents hold beyond the API's models, typed: a stored body reads
//! as one of these or fails loudly ([`crate::store::Doc::read`]), where a
//! string lookup would have read a misspelt key as "".

use serde::{Deserialize, Serialize};

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
