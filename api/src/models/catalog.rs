use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Logos {
    #[serde(default)]
    pub default: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mark: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alt: Option<String>,
}

/// The catalog entry a source, destination or warehouse is an instance of,
/// as that object's own answer names it. The entry in full (options,
/// actions, logos: tens of KB for some destinations) is the catalog's to
/// tell; skipping it here makes reading a workspace's integrations a
/// fraction of the work.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CatalogEntry {
    pub id: String,
    #[serde(default)]
    pub slug: String,
    #[serde(default)]
    pub name: String,
}

/// One setting an integration takes, as the catalog describes it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IntegrationOption {
    pub name: String,
    /// string, password, boolean, number, array or map.
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub required: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_value: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
}

impl IntegrationOption {
    /// Secrets: the API masks them on read.
    pub fn is_secret(&self) -> bool {
        self.kind == "password"
    }

    /// Whether `v` is of this option's type. The workspace refuses a value
    /// that is not, and the provider warns of it at plan: one rule for both.
    pub fn accepts(&self, v: &Value) -> bool {
        match self.kind.as_str() {
            "string" | "password" => v.is_string(),
            "boolean" => v.is_boolean(),
            "number" => v.is_number(),
            "array" => v.is_array(),
            "map" => v.is_object(),
            // An option type this build does not know: take any value.
            _ => true,
        }
    }

    /// The option's type as a message names it (`string`, `object`).
    pub fn type_word(&self) -> &str {
        match self.kind.as_str() {
            "password" => "string",
            "map" => "object",
            other => other,
        }
    }
}

/// A JSON value's kind as a message names it: "a string", "an object".
pub fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SourceMetadata {
    pub id: String,
    pub slug: String,
    pub name: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub logos: Logos,
    #[serde(default)]
    pub options: Vec<IntegrationOption>,
    #[serde(default)]
    pub categories: Vec<String>,
    #[serde(default)]
    pub is_cloud_event_source: bool,
}

/// An action of an Actions destination; subscriptions point at one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DestinationAction {
    pub id: String,
    pub slug: String,
    pub name: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub platform: String,
    #[serde(default)]
    pub hidden: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_trigger: Option<String>,
    #[serde(default)]
    pub fields: Vec<Value>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DestinationMetadata {
    pub id: String,
    pub slug: String,
    pub name: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub logos: Logos,
    #[serde(default)]
    pub options: Vec<IntegrationOption>,
    #[serde(default)]
    pub categories: Vec<String>,
    #[serde(default)]
    pub actions: Vec<DestinationAction>,
    /// Everything else the catalog says (status, website, supported methods...).
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WarehouseMetadata {
    pub id: String,
    pub slug: String,
    pub name: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub logos: Logos,
    #[serde(default)]
    pub options: Vec<IntegrationOption>,
}
