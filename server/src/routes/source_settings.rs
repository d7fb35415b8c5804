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
    SourceSchemaSettings, TraitSchemaSettings, TRACK_VIOLATION_ACTIONS, TRAIT_VIOLATION_ACTIONS,
};
use serde_json::{json, Map, Value};

use crate::error::AppResult;
use crate::input::Body;
use crate::kind::Kind;
use crate::routes::{load, modify, object, ok, one_of};
use crate::store::{Actor, Batch, Doc};
use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new().route("/sources/{id}/settings", get(read).patch(update))
}

/// Where a source document keeps its schema settings.
pub const KEY: &str = "schemaSettings";

/// What a source that was never patched reads as.
fn defaults() -> Value {
    json!({
        "track": {
            "allowUnplannedEvents": true,
            "allowUnplannedEventProperties": true,
            "allowEventOnViolations": true,
            "allowPropertiesOnViolations": true,
            "commonEventOnViolations": "ALLOW",
        },
        "identify": {
            "allowUnplannedTraits": true,
            "allowTraitsOnViolations": true,
            "commonEventOnViolations": "ALLOW",
        },
        "group": {
            "allowUnplannedTraits": true,
            "allowTraitsOnViolations": true,
            "commonEventOnViolations": "ALLOW",
        },
    })
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

fn shown(doc: &Doc) -> Value {
    let mut settings = match defaults() {
        Value::Object(m) => m,
        _ => Map::new(),
    };
    if let Some(Value::Object(stored)) = doc.body.get(KEY) {
        merge(&mut settings, stored);
    }
    json!({ "sourceId": doc.id, "settings": settings })
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

async fn read(State(state): State<AppState>, Path(id): Path<String>) -> AppResult<Json<Value>> {
    let doc = load(&state, Kind::Source, &id).await?;
    Ok(ok(shown(&doc)))
}

async fn update(
    State(state): State<AppState>,
    Extension(actor): Extension<Actor>,
    Path(id): Path<String>,
    Body(input): Body<SourceSchemaSettings>,
) -> AppResult<Json<Value>> {
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
    Ok(ok(shown(&doc)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use segment_api::models::TrackSchemaSettings;

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
