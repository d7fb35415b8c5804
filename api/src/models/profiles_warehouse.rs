//! Profiles Sync warehouses: warehouses a Unify space syncs profiles into.
//! They live under a space (`/spaces/{spaceId}/profiles-warehouses`); the
//! API (alpha) has list, create, update and delete, but no single read.

use serde::{Deserialize, Serialize};

use super::{CatalogEntry, Settings};

/// `M` is how the answer names its catalog entry: a client reads the
/// entry's id, slug and name ([`CatalogEntry`]); a server writes the whole
/// entry it holds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProfilesWarehouse<M = CatalogEntry> {
    pub id: String,
    pub space_id: String,
    pub metadata: M,
    pub workspace_id: String,
    pub enabled: bool,
    #[serde(default)]
    pub settings: Settings,
    /// The custom schema name on the warehouse side (the space slug otherwise).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schema_name: Option<String>,
    /// Not in the upstream model, which keeps the name in `settings.name`:
    /// see [`ProfilesWarehouse::display_name`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

impl<M> ProfilesWarehouse<M> {
    /// The name, wherever the API put it.
    pub fn display_name(&self) -> Option<String> {
        self.name.clone().or_else(|| {
            self.settings
                .get("name")
                .and_then(|v| v.as_str())
                .map(str::to_string)
        })
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateProfilesWarehouse {
    pub metadata_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Defaults to true.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    #[serde(default)]
    pub settings: Settings,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schema_name: Option<String>,
}

/// `name` and `schemaName` take `null` to clear (absent keeps them).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateProfilesWarehouse {
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "super::double_option"
    )]
    pub name: Option<Option<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub settings: Option<Settings>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "super::double_option"
    )]
    pub schema_name: Option<Option<String>>,
}
