use serde::{Deserialize, Serialize};

/// Every success answer wraps its payload in `{"data": ...}`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Envelope<T> {
    pub data: T,
}

/// The cursor block of a list answer.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Pagination {
    #[serde(default)]
    pub current: String,
    /// Left out on the last page, as the API does: some clients read an
    /// explicit null as "there is a next page".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total_entries: Option<u64>,
}

/// The answer of a delete and of most relation changes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Status {
    pub status: String,
}

impl Status {
    pub fn success() -> Self {
        Status {
            status: "SUCCESS".into(),
        }
    }
}
