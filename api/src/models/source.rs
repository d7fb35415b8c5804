use serde::{Deserialize, Serialize};

use super::{CatalogEntry, Label, Settings};

/// What a source slug may be, in words for messages.
pub const SOURCE_SLUG_RULE: &str = "1 to 100 lowercase letters, digits, '-' or '_'";

/// Whether `slug` is a slug the workspace takes ([`SOURCE_SLUG_RULE`]):
/// slugs name sources in URLs and in the generator's file names. The
/// server checks it on write and the provider at plan time.
pub fn is_source_slug(slug: &str) -> bool {
    !slug.is_empty()
        && slug.len() <= 100
        && slug
            .bytes()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'_' || c == b'-')
}

/// `M` is how the answer names its catalog entry: a client reads the
/// entry's id, slug and name ([`CatalogEntry`]); a server writes the whole
/// entry it holds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Source<M = CatalogEntry> {
    pub id: String,
    pub slug: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub metadata: M,
    pub workspace_id: String,
    pub enabled: bool,
    #[serde(default)]
    pub write_keys: Vec<String>,
    #[serde(default)]
    pub settings: Settings,
    #[serde(default)]
    pub labels: Vec<Label>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateSource {
    pub slug: String,
    pub enabled: bool,
    pub metadata_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub settings: Option<Settings>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateSource {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub slug: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub settings: Option<Settings>,
}
