use serde::{Deserialize, Serialize};

/// One entry of the workspace's audit trail. It names the change, not its
/// content: a follower reads the resource afterwards.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuditEvent {
    pub id: String,
    /// RFC 3339 with milliseconds.
    pub timestamp: String,
    /// Such as "Source Created", "Destination Modified", "Source Deleted".
    #[serde(rename = "type")]
    pub kind: String,
    pub actor: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor_email: Option<String>,
    pub resource_id: String,
    pub resource_type: String,
    #[serde(default)]
    pub resource_name: String,
}

/// Filters of `GET /audit-events`.
#[derive(Debug, Clone, Default)]
pub struct AuditQuery {
    pub start_time: Option<String>,
    pub end_time: Option<String>,
    pub resource_id: Option<String>,
    pub resource_type: Option<String>,
}
