//! Requests and responses of [`super::ProviderBackend`]: the protocol's
//! messages with values already decoded against the schema.

use std::collections::BTreeMap;

use crate::diagnostics::Diagnostics;
use crate::schema::Schema;
use crate::value::{AttributePath, Value};

/// Everything the provider offers, asked for once at start-up.
#[derive(Clone, Debug, Default)]
pub struct ProviderSchema {
    /// The `provider "segment" { ... }` block.
    pub provider: Schema,
    /// The `provider_meta` block modules may set; rarely used.
    pub provider_meta: Option<Schema>,
    /// Managed resources by type name (`segment_source`, ...).
    pub resources: BTreeMap<String, Schema>,
    /// Data sources by type name.
    pub data_sources: BTreeMap<String, Schema>,
    pub capabilities: ServerCapabilities,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ServerCapabilities {
    /// Call PlanResourceChange for destroys too (otherwise Terraform plans
    /// them itself and only calls ApplyResourceChange with a null plan).
    pub plan_destroy: bool,
    /// Terraform may use a cached schema instead of calling GetSchema.
    pub get_provider_schema_optional: bool,
    pub move_resource_state: bool,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ClientCapabilities {
    pub deferral_allowed: bool,
    pub write_only_attributes_allowed: bool,
}

#[derive(Clone, Debug)]
pub struct ConfigureRequest {
    pub terraform_version: String,
    /// The provider block; may contain unknowns during plan.
    pub config: Value,
    pub client_capabilities: ClientCapabilities,
}

/// ValidateResourceTypeConfig and ValidateDataSourceConfig.
#[derive(Clone, Debug)]
pub struct ValidateConfigRequest {
    pub type_name: String,
    /// May contain unknowns.
    pub config: Value,
    pub client_capabilities: ClientCapabilities,
}

/// Stored state in whatever shape the schema `version` had.
#[derive(Clone, Debug, Default)]
pub struct RawState {
    /// JSON of the stored object (all states written by Terraform >= 0.12).
    pub json: Option<Vec<u8>>,
    /// Legacy flat `a.b.0 = "x"` form, from very old states only.
    pub flatmap: BTreeMap<String, String>,
}

#[derive(Clone, Debug)]
pub struct UpgradeResourceStateRequest {
    pub type_name: String,
    /// The schema version the state was written with.
    pub version: i64,
    pub raw_state: RawState,
}

#[derive(Clone, Debug, Default)]
pub struct UpgradeResourceStateResponse {
    /// In the current schema.
    pub upgraded_state: Value,
    pub diagnostics: Diagnostics,
}

#[derive(Clone, Debug)]
pub struct ReadResourceRequest {
    pub type_name: String,
    pub current_state: Value,
    pub private: Vec<u8>,
    pub provider_meta: Value,
    pub client_capabilities: ClientCapabilities,
}

#[derive(Clone, Debug, Default)]
pub struct ReadResourceResponse {
    /// Null means the object is gone and Terraform plans to create it.
    pub new_state: Value,
    /// Replaces the stored private data: echo the request's to keep it.
    pub private: Vec<u8>,
    pub diagnostics: Diagnostics,
}

#[derive(Clone, Debug)]
pub struct PlanResourceChangeRequest {
    pub type_name: String,
    /// Null on create.
    pub prior_state: Value,
    /// Config merged over prior state by Terraform; null on destroy.
    pub proposed_new_state: Value,
    pub config: Value,
    pub prior_private: Vec<u8>,
    pub provider_meta: Value,
    pub client_capabilities: ClientCapabilities,
}

#[derive(Clone, Debug, Default)]
pub struct PlanResourceChangeResponse {
    pub planned_state: Value,
    /// Attributes whose change forces replacement.
    pub requires_replace: Vec<AttributePath>,
    pub planned_private: Vec<u8>,
    pub diagnostics: Diagnostics,
}

#[derive(Clone, Debug)]
pub struct ApplyResourceChangeRequest {
    pub type_name: String,
    pub prior_state: Value,
    /// Null means delete.
    pub planned_state: Value,
    pub config: Value,
    pub planned_private: Vec<u8>,
    pub provider_meta: Value,
}

#[derive(Clone, Debug, Default)]
pub struct ApplyResourceChangeResponse {
    /// Wholly known; null after a delete.
    pub new_state: Value,
    pub private: Vec<u8>,
    pub diagnostics: Diagnostics,
}

#[derive(Clone, Debug)]
pub struct ImportResourceStateRequest {
    pub type_name: String,
    /// What the user wrote as the import ID.
    pub id: String,
    pub client_capabilities: ClientCapabilities,
}

#[derive(Clone, Debug)]
pub struct ImportedResource {
    pub type_name: String,
    pub state: Value,
    pub private: Vec<u8>,
}

#[derive(Clone, Debug, Default)]
pub struct ImportResourceStateResponse {
    pub imported_resources: Vec<ImportedResource>,
    pub diagnostics: Diagnostics,
}

#[derive(Clone, Debug)]
pub struct ReadDataSourceRequest {
    pub type_name: String,
    pub config: Value,
    pub provider_meta: Value,
    pub client_capabilities: ClientCapabilities,
}

#[derive(Clone, Debug, Default)]
pub struct ReadDataSourceResponse {
    pub state: Value,
    pub diagnostics: Diagnostics,
}
