//! A source's schema settings: `GET|PATCH /sources/{id}/settings`.
//!
//! The real API serves them and `segment_source_tracking_plan_connection`
//! writes them (its `schema_settings`), so the local workspace must too.
//! They live in the source's document under [`KEY`], which the source's
//! own answers leave out. A source never patched reads as Segment's
//! defaults, which let every event through; a PATCH changes only the
//! fields it carries (`null` or absent keeps the stored value).

use axum::extract::{Path, State};
use axum::routing::get;
use axum::{Extension, Json, Router};
use segment_api::models::{
    SourceSchemaSettings, SourceSchemaSettingsOutput, TrackSchemaSettings, TraitSchemaSettings,
    TRACK_VIOLATION_ACTIONS, TRAIT_VIOLATION_ACTIONS,
};
use serde::Deserialize;
use serde_json::{Map, Value};

use super::answer::{self, Data};
use crate::error::AppResult;
use crate::input::Body;
use crate::kind::Kind;
use crate::routes::{load, modify, object, one_of};
use crate::store::{Actor, Batch, Doc};
use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new().route("/sources/{id}/settings", get(read).patch(update))
}

/// Where a source document keeps its schema settings.
pub const KEY: &str = "schemaSettings";

/// What a source that was never patched reads as.
fn defaults() -> SourceSchemaSettings {
    let traits = TraitSchemaSettings {
        allow_unplanned_traits: Some(true),
        allow_traits_on_violations: Some(true),
        common_event_on_violations: Some("ALLOW".into()),
    };
    SourceSchemaSettings {
        track: Some(TrackSchemaSettings {
            allow_unplanned_events: Some(true),
            allow_unplanned_event_properties: Some(true),
            allow_event_on_violations: Some(true),
            allow_properties_on_violations: Some(true),
            common_event_on_violations: Some("ALLOW".into()),
        }),
        identify: Some(traits.clone()),
        group: Some(traits),
        forwarding_violations_to: None,
        forwarding_blocked_events_to: None,
    }
}

/// Lays `patch` over `into`, object by object; nulls keep what is there.
fn merge(into: &mut Map<String, Value>, patch: &Map<String, Value>) {
    for (k, v) in patch {
        match (into.get_mut(k), v) {
            (_, Value::Null) => {}
            (Some(Value::Object(inner)), Value::Object(p)) => merge(inner, p),
            _ => {
                into.insert(k.clone(), v.clone());
            }
        }
    }
}

/// The answer of both paths: the stored patches laid over the defaults.
fn shown(doc: &Doc) -> AppResult<Json<Data<SourceSchemaSettingsOutput>>> {
    let mut settings = match serde_json::to_value(defaults()) {
        Ok(Value::Object(m)) => m,
        _ => Map::new(),
    };
    if let Some(Value::Object(stored)) = doc.body.get(KEY) {
        merge(&mut settings, stored);
    }
    let settings = SourceSchemaSettings::deserialize(&Value::Object(settings)).map_err(|e| {
        crate::store::StoreError::Corrupt {
            kind: doc.kind,
            id: doc.id.clone(),
            reason: format!("{KEY}: {e}"),
        }
    })?;
    Ok(answer::data(SourceSchemaSettingsOutput {
        source_id: doc.id.clone(),
        settings,
    }))
}

fn check_traits(field: &str, t: &Option<TraitSchemaSettings>) -> AppResult<()> {
    if let Some(action) = t
        .as_ref()
        .and_then(|t| t.common_event_on_violations.as_ref())
    {
        one_of(field, action, TRAIT_VIOLATION_ACTIONS)?;
    }
    Ok(())
}

fn check(input: &SourceSchemaSettings) -> AppResult<()> {
    let track = input.track.as_ref();
    if let Some(action) = track.and_then(|t| t.common_event_on_violations.as_ref()) {
        one_of(
            "track.commonEventOnViolations",
            action,
            TRACK_VIOLATION_ACTIONS,
        )?;
    }
    check_traits("identify.commonEventOnViolations", &input.identify)?;
    check_traits("group.commonEventOnViolations", &input.group)
}

async fn read(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> AppResult<Json<Data<SourceSchemaSettingsOutput>>> {
    shown(&load(&state, Kind::Source, &id).await?)
}

async fn update(
    State(state): State<AppState>,
    Extension(actor): Extension<Actor>,
    Path(id): Path<String>,
    Body(input): Body<SourceSchemaSettings>,
) -> AppResult<Json<Data<SourceSchemaSettingsOutput>>> {
    check(&input)?;
    let patch = match serde_json::to_value(&input) {
        Ok(Value::Object(m)) => m,
        _ => Map::new(),
    };
    let doc = modify(&state, &actor, Kind::Source, &id, |doc| {
        let map = object(doc);
        let mut stored = match map.get(KEY) {
            Some(Value::Object(m)) => m.clone(),
            _ => Map::new(),
        };
        merge(&mut stored, &patch);
        map.insert(KEY.into(), Value::Object(stored));
        Ok(Batch::default())
    })
    .await?;
    shown(&doc)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn patches_keep_what_they_leave_out() {
        let mut stored =
            json!({"track": {"allowUnplannedEvents": false, "commonEventOnViolations": "BLOCK"}})
                .as_object()
                .cloned()
                .unwrap_or_default();
        let patch = json!({"track": {"allowUnplannedEvents": true, "commonEventOnViolations": null}, "forwardingViolationsTo": "s2"});
        merge(&mut stored, patch.as_object().unwrap());
        assert_eq!(
            Value::Object(stored),
            json!({"track": {"allowUnplannedEvents": true, "commonEventOnViolations": "BLOCK"}, "forwardingViolationsTo": "s2"})
        );
    }

    #[test]
    fn violation_actions_are_the_apis() {
        let mut input = SourceSchemaSettings {
            track: Some(TrackSchemaSettings {
                common_event_on_violations: Some("OMIT_TRAITS".into()),
                ..Default::default()
            }),
            ..Default::default()
        };
        let e = check(&input).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("track.commonEventOnViolations"));
        input.track = None;
        input.group = Some(TraitSchemaSettings {
            common_event_on_violations: Some("OMIT_TRAITS".into()),
            ..Default::default()
        });
        assert!(check(&input).is_ok());
    }
}
