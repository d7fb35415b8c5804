use serde::{Deserialize, Serialize};

use super::Settings;

/// What a destination filter does to a matching event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FilterAction {
    /// ALLOW_PROPERTIES, DROP, DROP_PROPERTIES or SAMPLE.
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fields: Option<Settings>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub percent: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
}

pub const FILTER_ACTION_TYPES: &[&str] = &["ALLOW_PROPERTIES", "DROP", "DROP_PROPERTIES", "SAMPLE"];

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DestinationFilter {
    pub id: String,
    pub source_id: String,
    pub destination_id: String,
    #[serde(rename = "if")]
    pub condition: String,
    pub actions: Vec<FilterAction>,
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub enabled: bool,
    #[serde(default)]
    pub created_at: String,
    #[serde(default)]
    pub updated_at: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateDestinationFilter {
    pub source_id: String,
    #[serde(rename = "if")]
    pub condition: String,
    pub actions: Vec<FilterAction>,
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub enabled: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateDestinationFilter {
    #[serde(rename = "if", default, skip_serializing_if = "Option::is_none")]
    pub condition: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actions: Option<Vec<FilterAction>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "super::double_option"
    )]
    pub description: Option<Option<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
}
