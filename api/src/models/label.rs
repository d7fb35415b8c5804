use serde::{Deserialize, Serialize};

/// A `key:value` label; sources carry them, permissions can be scoped by them.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Label {
    pub key: String,
    pub value: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CreateLabel {
    pub label: Label,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Labels {
    pub labels: Vec<Label>,
}
