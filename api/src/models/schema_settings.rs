//! A source's schema settings (Protocols): what happens to events and
//! traits its tracking plan does not allow. `GET|PATCH
//! /sources/{id}/settings` (the SDK's `listSchemaSettingsInSource` and
//! `updateSchemaSettingsInSource`). Every field is optional: a PATCH sends
//! what changes, and a field left out (or `null`) is kept.

use serde::{Deserialize, Serialize};

/// `track.commonEventOnViolations`.
pub const TRACK_VIOLATION_ACTIONS: &[&str] = &["ALLOW", "BLOCK", "OMIT_PROPERTIES"];
/// `identify.commonEventOnViolations` and `group.commonEventOnViolations`.
pub const TRAIT_VIOLATION_ACTIONS: &[&str] = &["ALLOW", "BLOCK", "OMIT_TRAITS"];

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TrackSchemaSettings {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allow_unplanned_events: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allow_unplanned_event_properties: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allow_event_on_violations: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allow_properties_on_violations: Option<bool>,
    /// One of [`TRACK_VIOLATION_ACTIONS`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub common_event_on_violations: Option<String>,
}

/// The settings of identify and of group calls.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TraitSchemaSettings {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allow_unplanned_traits: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allow_traits_on_violations: Option<bool>,
    /// One of [`TRAIT_VIOLATION_ACTIONS`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub common_event_on_violations: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SourceSchemaSettings {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub track: Option<TrackSchemaSettings>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identify: Option<TraitSchemaSettings>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<TraitSchemaSettings>,
    /// A source id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub forwarding_violations_to: Option<String>,
    /// A source id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub forwarding_blocked_events_to: Option<String>,
}

/// What both paths answer: `{"sourceId": ..., "settings": {...}}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SourceSchemaSettingsOutput {
    pub source_id: String,
    #[serde(default)]
    pub settings: SourceSchemaSettings,
}
