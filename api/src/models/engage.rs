//! Engage (Unify): spaces, and the audiences and computed traits inside a
//! space (`/spaces/{spaceId}/...`). Spaces are made in the Segment app; the
//! API lists and reads them only.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Space {
    pub id: String,
    pub slug: String,
    pub name: String,
}

/// What an audience selects. `type` (users or accounts) is what the API
/// took before `audienceType` and `targetEntity`; both are kept so either
/// generation's answer reads.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AudienceDefinition {
    pub query: String,
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Linked audiences only: the data graph entity targeted (`profile`
    /// when unset).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_entity: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AudienceOptions {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub include_historical_data: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filter_by_external_ids: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backfill_event_data_days: Option<f64>,
}

/// The audience types of `audienceType`.
pub const AUDIENCE_TYPES: &[&str] = &["USERS", "ACCOUNTS", "LINKED"];
/// The entity types a definition's `type` names.
pub const DEFINITION_TYPES: &[&str] = &["users", "accounts"];

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Audience {
    pub id: String,
    pub space_id: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Derived from the name when the audience is made; fixed after.
    pub key: String,
    pub enabled: bool,
    pub definition: Option<AudienceDefinition>,
    /// Backfilling, Computing, Disabled, Live, ...
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[serde(default)]
    pub created_by: String,
    #[serde(default)]
    pub updated_by: String,
    #[serde(default)]
    pub created_at: String,
    #[serde(default)]
    pub updated_at: String,
    /// USERS, ACCOUNTS or LINKED.
    #[serde(default)]
    pub audience_type: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub options: Option<AudienceOptions>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateAudience {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub definition: AudienceDefinition,
    /// Required upstream today; an older API had none (USERS).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audience_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub options: Option<AudienceOptions>,
}

/// Absent fields keep their value; `description` takes `null` to clear.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateAudience {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "super::double_option"
    )]
    pub description: Option<Option<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub definition: Option<AudienceDefinition>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub options: Option<AudienceOptions>,
}

/// What a computed trait aggregates: a query over `type` (users or accounts).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ComputedTraitDefinition {
    pub query: String,
    #[serde(rename = "type")]
    pub kind: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TraitOptions {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub include_historical_data: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub include_anonymous_users: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backfill_duration_days: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ComputedTrait {
    pub id: String,
    pub space_id: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The trait's name on profiles, derived from the name; fixed after.
    pub key: String,
    pub enabled: bool,
    pub definition: Option<ComputedTraitDefinition>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[serde(default)]
    pub created_by: String,
    #[serde(default)]
    pub updated_by: String,
    #[serde(default)]
    pub created_at: String,
    #[serde(default)]
    pub updated_at: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub options: Option<TraitOptions>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateComputedTrait {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub definition: ComputedTraitDefinition,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub options: Option<TraitOptions>,
}

/// The API's update has no `options`: they are set when the trait is made.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateComputedTrait {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "super::double_option"
    )]
    pub description: Option<Option<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub definition: Option<ComputedTraitDefinition>,
}
