use serde::{Deserialize, Serialize};

use super::Settings;

pub const SCHEDULE_STRATEGIES: &[&str] = &["MANUAL", "PERIODIC", "SPECIFIC_DAYS"];

/// A Reverse ETL model: a query against a warehouse source.
///
/// The schedule moved to destination subscriptions: the current API neither
/// takes nor returns `scheduleStrategy`/`scheduleConfig` (the official
/// provider v1.6.0 never sends them), older API versions required them. Both
/// are optional here so either answer decodes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReverseEtlModel {
    pub id: String,
    pub source_id: String,
    pub name: String,
    #[serde(default)]
    pub description: String,
    pub enabled: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schedule_strategy: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schedule_config: Option<Settings>,
    pub query: String,
    pub query_identifier_column: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateReverseEtlModel {
    pub source_id: String,
    pub name: String,
    #[serde(default)]
    pub description: String,
    pub enabled: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schedule_strategy: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schedule_config: Option<Settings>,
    pub query: String,
    pub query_identifier_column: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateReverseEtlModel {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schedule_strategy: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schedule_config: Option<Settings>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub query: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub query_identifier_column: Option<String>,
}
