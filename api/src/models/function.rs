use serde::{Deserialize, Serialize};

use super::Settings;

/// Source insert functions (INSERT_SOURCE) are not in the SDK's create
/// enumeration, but the API reports them and the official provider
/// (v1.6.0) manages them.
pub const FUNCTION_RESOURCE_TYPES: &[&str] = &[
    "DESTINATION",
    "INSERT_DESTINATION",
    "INSERT_SOURCE",
    "SOURCE",
];
pub const FUNCTION_SETTING_TYPES: &[&str] = &["ARRAY", "BOOLEAN", "STRING", "TEXT_MAP"];

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FunctionSetting {
    pub name: String,
    pub label: String,
    #[serde(default)]
    pub description: String,
    /// ARRAY, BOOLEAN, STRING or TEXT_MAP.
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub required: bool,
    #[serde(default)]
    pub sensitive: bool,
}

/// A function as `GET /functions/{id}` answers. The API marks every field
/// optional; `workspaceId` and `buildpack` are not in the SDK but the API
/// sends them (the official provider's test fixtures carry both).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Function {
    pub id: String,
    #[serde(default)]
    pub workspace_id: String,
    #[serde(default)]
    pub display_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logo_url: Option<String>,
    #[serde(default)]
    pub code: String,
    #[serde(default)]
    pub created_at: String,
    /// The id of the user who created it.
    #[serde(default)]
    pub created_by: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deployed_at: Option<String>,
    /// Only SOURCE functions have one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preview_webhook_url: Option<String>,
    #[serde(default)]
    pub settings: Vec<FunctionSetting>,
    #[serde(default)]
    pub buildpack: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub batch_max_count: Option<f64>,
    #[serde(default)]
    pub catalog_id: String,
    #[serde(default)]
    pub resource_type: String,
    #[serde(default)]
    pub is_latest_version: bool,
}

/// A function as `GET /functions` lists it: no code and no settings, so a
/// reader that needs them reads each function.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FunctionListItem {
    pub id: String,
    #[serde(default)]
    pub resource_type: String,
    #[serde(default)]
    pub created_at: String,
    #[serde(default)]
    pub created_by: String,
    #[serde(default)]
    pub display_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logo_url: Option<String>,
    #[serde(default)]
    pub catalog_id: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateFunction {
    pub code: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub settings: Option<Vec<FunctionSetting>>,
    pub display_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logo_url: Option<String>,
    pub resource_type: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateFunction {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub settings: Option<Vec<FunctionSetting>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logo_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// An insert function attached to a destination.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InsertFunctionInstance {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The destination the function is inserted before.
    pub integration_id: String,
    /// The function.
    pub class_id: String,
    pub enabled: bool,
    #[serde(default)]
    pub created_at: String,
    #[serde(default)]
    pub updated_at: String,
    #[serde(default)]
    pub settings: Settings,
    #[serde(default)]
    pub encrypted_settings: Settings,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateInsertFunctionInstance {
    pub function_id: String,
    pub integration_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    pub name: String,
    #[serde(default)]
    pub settings: Settings,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateInsertFunctionInstance {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default)]
    pub settings: Settings,
}
