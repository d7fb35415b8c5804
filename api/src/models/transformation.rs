use serde::{Deserialize, Serialize};
use serde_json::Value;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PropertyRename {
    pub old_name: String,
    pub new_name: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PropertyValueTransformation {
    pub property_paths: Vec<String>,
    pub property_value: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FqlDefinedProperty {
    pub fql: String,
    pub property_name: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Transformation {
    pub id: String,
    pub name: String,
    pub source_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub destination_metadata_id: Option<String>,
    pub enabled: bool,
    #[serde(rename = "if")]
    pub condition: String,
    /// Drops matching events (newer API versions).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub drop: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new_event_name: Option<String>,
    /// This and the next two are left out of answers when empty, as the
    /// API leaves out what a transformation does not configure.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub property_renames: Vec<PropertyRename>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub property_value_transformations: Vec<PropertyValueTransformation>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fql_defined_properties: Vec<FqlDefinedProperty>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allow_properties: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hash_properties_configuration: Option<Value>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateTransformation {
    pub name: String,
    pub source_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub destination_metadata_id: Option<String>,
    pub enabled: bool,
    #[serde(rename = "if")]
    pub condition: String,
    /// Drops matching events (newer API versions).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub drop: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new_event_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub property_renames: Option<Vec<PropertyRename>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub property_value_transformations: Option<Vec<PropertyValueTransformation>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fql_defined_properties: Option<Vec<FqlDefinedProperty>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allow_properties: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hash_properties_configuration: Option<Value>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateTransformation {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub destination_metadata_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    #[serde(rename = "if", default, skip_serializing_if = "Option::is_none")]
    pub condition: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub drop: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new_event_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub property_renames: Option<Vec<PropertyRename>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub property_value_transformations: Option<Vec<PropertyValueTransformation>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fql_defined_properties: Option<Vec<FqlDefinedProperty>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allow_properties: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hash_properties_configuration: Option<Value>,
}
