//! Users, invites, user groups, roles and permissions.

use serde::{Deserialize, Serialize};

use super::Label;

pub const PERMISSION_RESOURCE_TYPES: &[&str] =
    &["FUNCTION", "SOURCE", "SPACE", "WAREHOUSE", "WORKSPACE"];

/// What a permission applies to: the workspace, or one resource in it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct PermissionResource {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub labels: Option<Vec<Label>>,
}

/// A permission as the API reports it, with the role's name.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Permission {
    pub role_id: String,
    #[serde(default)]
    pub role_name: String,
    #[serde(default)]
    pub resources: Vec<PermissionResource>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub labels: Option<Vec<Label>>,
}

/// A permission as written. Invites may leave `resources` out, so it
/// defaults to empty; `labels` is the invite-only permission-level form.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PermissionInput {
    pub role_id: String,
    #[serde(default)]
    pub resources: Vec<PermissionResource>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub labels: Option<Vec<Label>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Permissions<T> {
    pub permissions: Vec<T>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct User {
    pub id: String,
    pub name: String,
    pub email: String,
    #[serde(default)]
    pub permissions: Vec<Permission>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MinimalUser {
    pub id: String,
    pub name: String,
    pub email: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Invite {
    pub email: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub permissions: Option<Vec<PermissionInput>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CreateInvites {
    pub invites: Vec<Invite>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Emails {
    pub emails: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserGroup {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub member_count: u64,
    #[serde(default)]
    pub permissions: Vec<Permission>,
}

/// A group as `GET /users/{id}/groups` lists it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MinimalUserGroup {
    pub id: String,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UserGroupName {
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Role {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub description: String,
}
