//! `segment_source_tracking_plan_connection`: a source following a tracking
//! plan, and optionally the source's schema settings (what happens to
//! events the plan does not allow).
//!
//! The connection is read from the plan's list of sources. Schema settings
//! live at `/sources/{id}/settings`; only the ones configured are sent and
//! compared, as the official provider does.

use async_trait::async_trait;
use segment_api::models::{TRACK_VIOLATION_ACTIONS, TRAIT_VIOLATION_ACTIONS};
use segment_api::Client;
use serde_json::{Map, Value as Json};

use crate::engine::{
    json_to_value, value_to_json, Collection, Failure, Field, Obj, Outcome, ResourceSpec,
    ResourceType,
};
use crate::engine::{one_page, AuditId, ExportSpec, Exported, Listed, Pages, Parent};
use crate::value::{Type, Value};

pub struct SourceTrackingPlanConnectionResource;

fn traits_settings() -> Type {
    let names = [
        "allow_unplanned_traits",
        "allow_traits_on_violations",
        "common_event_on_violations",
    ];
    Type::object([
        ("allow_unplanned_traits", Type::Bool),
        ("allow_traits_on_violations", Type::Bool),
        ("common_event_on_violations", Type::String),
    ])
    .with_optional(names)
}

fn schema_settings() -> Type {
    let track = [
        "allow_unplanned_events",
        "allow_unplanned_event_properties",
        "allow_event_on_violations",
        "allow_properties_on_violations",
        "common_event_on_violations",
    ];
    let track_type = Type::object([
        (track[0], Type::Bool),
        (track[1], Type::Bool),
        (track[2], Type::Bool),
        (track[3], Type::Bool),
        (track[4], Type::String),
    ])
    .with_optional(track);
    Type::object([
        ("track", track_type),
        ("identify", traits_settings()),
        ("group", traits_settings()),
        ("forwarding_violations_to", Type::String),
        ("forwarding_blocked_events_to", Type::String),
    ])
    .with_optional([
        "track",
        "identify",
        "group",
        "forwarding_violations_to",
        "forwarding_blocked_events_to",
    ])
}

/// Escapes one path segment: ids are URL-safe, but state may hold anything.
fn segment(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A 404 from the settings path means the workspace does not serve schema
/// settings (the source itself was just found): say so, rather than let
/// the engine take it for a deleted connection.
fn settings_failure(e: segment_api::Error) -> Failure {
    if e.is_not_found() {
        Failure::invalid(
            "schema_settings",
            format!(
                "The workspace does not serve source schema settings \
                 (/sources/{{id}}/settings): {e}. Remove `schema_settings` to manage the \
                 connection alone."
            ),
        )
    } else {
        Failure::Api(e)
    }
}

/// Sends the configured schema settings (unset ones are left out, so the
/// workspace keeps them).
async fn write_settings(api: &Client, source_id: &str, settings: &Value) -> Outcome<()> {
    let Json::Object(body) = value_to_json(settings) else {
        return Ok(());
    };
    let path = format!("sources/{}/settings", segment(source_id));
    let body = Json::Object(body);
    api.patch::<Json, _>(&path, &body)
        .await
        .map_err(settings_failure)?;
    Ok(())
}

/// `prior` with each configured (non-null) setting replaced by the
/// workspace's value, so drift in what Terraform manages shows.
fn refreshed(prior: &Value, remote: &Value) -> Value {
    match (prior, remote) {
        (Value::Object(p), _) => Value::Object(
            p.iter()
                .map(|(k, pv)| {
                    let rv = remote.get(k).unwrap_or(&Value::Null);
                    let v = match pv {
                        Value::Null => Value::Null,
                        Value::Object(_) => refreshed(pv, rv),
                        _ if rv.is_null() => pv.clone(),
                        _ => rv.clone(),
                    };
                    (k.clone(), v)
                })
                .collect(),
        ),
        _ => prior.clone(),
    }
}

async fn read_settings(api: &Client, source_id: &str, prior: &Value) -> Outcome<Value> {
    let path = format!("sources/{}/settings", segment(source_id));
    let mut data: Map<String, Json> = api.get(&path).await.map_err(settings_failure)?;
    let remote = data.remove("settings").unwrap_or(Json::Null);
    let remote = json_to_value(&remote, &schema_settings());
    Ok(refreshed(prior, &remote))
}

#[async_trait]
impl ResourceType for SourceTrackingPlanConnectionResource {
    fn spec(&self) -> ResourceSpec {
        ResourceSpec {
            type_name: "segment_source_tracking_plan_connection",
            description: "Configures a connection between a Source and a Tracking Plan. For \
                more information, visit the \
                [Segment docs](https://segment.com/docs/protocols/validate/connect-sources/).",
            fields: vec![
                Field::required("source_id", Type::String, "The id of the Source.")
                    .non_empty()
                    .replaces(),
                Field::required(
                    "tracking_plan_id",
                    Type::String,
                    "The id of the Tracking Plan.",
                )
                .non_empty()
                .replaces(),
                Field::optional(
                    "schema_settings",
                    schema_settings(),
                    "The schema settings associated with the Source: `track` \
                     (`allow_unplanned_events`, `allow_unplanned_event_properties`, \
                     `allow_event_on_violations`, `allow_properties_on_violations`, \
                     `common_event_on_violations`), `identify` and `group` \
                     (`allow_unplanned_traits`, `allow_traits_on_violations`, \
                     `common_event_on_violations`), `forwarding_violations_to` and \
                     `forwarding_blocked_events_to` (Source ids). Fields not present in the \
                     config are not managed by Terraform. Upon import, this field is empty.",
                )
                .nested_docs(super::common::schema_settings_docs()),
            ],
            import: Some(&["source_id", "tracking_plan_id"]),
        }
    }

    fn validate(&self, config: &Obj) -> Vec<Failure> {
        let settings = config.get("schema_settings");
        [
            ("track", TRACK_VIOLATION_ACTIONS),
            ("identify", TRAIT_VIOLATION_ACTIONS),
            ("group", TRAIT_VIOLATION_ACTIONS),
        ]
        .into_iter()
        .filter_map(|(call, allowed)| {
            let action = settings
                .get(call)?
                .get("common_event_on_violations")?
                .as_str()?;
            (!allowed.contains(&action)).then(|| {
                Failure::invalid(
                    "schema_settings",
                    format!(
                        "`schema_settings.{call}.common_event_on_violations` is {action:?}; \
                         it must be one of {}.",
                        allowed.join(", ")
                    ),
                )
            })
        })
        .collect()
    }

    /// A source follows one plan: the connection in the way is the one of
    /// whichever plan lists the source.
    async fn existing_import_id(&self, api: &Client, plan: &Obj) -> Option<String> {
        let source_id = plan.str("source_id")?;
        for tracking_plan in api.list_tracking_plans().await.ok()? {
            let sources = api
                .list_tracking_plan_sources(&tracking_plan.id)
                .await
                .ok()?;
            if sources.iter().any(|s| s.id == source_id) {
                return Some(format!("{source_id}:{}", tracking_plan.id));
            }
        }
        None
    }

    async fn create(&self, api: &Client, plan: &Obj) -> Outcome<Obj> {
        let source_id = plan.string("source_id")?;
        let plan_id = plan.string("tracking_plan_id")?;
        api.add_tracking_plan_source(&plan_id, &source_id).await?;
        let settings = plan.get("schema_settings");
        if !settings.is_null() {
            if let Err(e) = write_settings(api, &source_id, settings).await {
                // No half-made connection left behind without state.
                let _ = api.remove_tracking_plan_source(&plan_id, &source_id).await;
                return Err(e);
            }
        }
        Ok(plan.clone())
    }

    async fn read(&self, api: &Client, prior: &Obj) -> Outcome<Option<Obj>> {
        let source_id = prior.string("source_id")?;
        let plan_id = prior.string("tracking_plan_id")?;
        // A 404 (the plan is gone) means the connection is gone too.
        let sources = api.list_tracking_plan_sources(&plan_id).await?;
        if !sources.iter().any(|s| s.id == source_id) {
            return Ok(None);
        }
        let prior_settings = prior.get("schema_settings");
        let settings = if prior_settings.is_null() {
            Value::Null
        } else {
            read_settings(api, &source_id, prior_settings).await?
        };
        Ok(Some(
            Obj::new()
                .with("source_id", source_id)
                .with("tracking_plan_id", plan_id)
                .with("schema_settings", settings),
        ))
    }

    async fn update(&self, api: &Client, _prior: &Obj, plan: &Obj) -> Outcome<Obj> {
        // Only schema settings change in place; the ids force replacement.
        let settings = plan.get("schema_settings");
        if !settings.is_null() {
            write_settings(api, &plan.string("source_id")?, settings).await?;
        }
        Ok(plan.clone())
    }

    async fn delete(&self, api: &Client, state: &Obj) -> Outcome<()> {
        api.remove_tracking_plan_source(
            &state.string("tracking_plan_id")?,
            &state.string("source_id")?,
        )
        .await?;
        Ok(())
    }

    fn collections(&self, state: &Obj) -> Outcome<Vec<Collection>> {
        let plan = state.string("tracking_plan_id")?;
        Ok(vec![
            Collection::under("tracking-plans", &plan, "sources", "sources"),
            Collection::new("tracking-plans", "trackingPlans"),
        ])
    }
}

impl Exported for SourceTrackingPlanConnectionResource {
    fn export(&self) -> ExportSpec {
        ExportSpec {
            event_types: &["Source Tracking Plan Connection"],
            natural_key: &["source_id", "tracking_plan_id"],
            name_from: &["source_id", "tracking_plan_id"],
            parent: Parent::Type("segment_tracking_plan"),
            audit_id: AuditId::Swapped,
        }
    }
    fn list<'a>(&'a self, api: &'a Client, parent: &'a str) -> Pages<'a> {
        one_page(async move {
            let found = api.list_tracking_plan_sources(parent).await?;
            Ok(found
                .iter()
                .map(|o| Listed::new(format!("{}:{parent}", o.id)))
                .collect())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refresh_touches_only_configured_settings() {
        let configured = serde_json::json!({
            "track": {"allowUnplannedEvents": true},
            "forwardingViolationsTo": "s1",
        });
        let prior = json_to_value(&configured, &schema_settings());
        let remote = json_to_value(
            &serde_json::json!({
                "track": {"allowUnplannedEvents": false, "allowEventOnViolations": true},
                "identify": {"allowUnplannedTraits": true},
                "forwardingViolationsTo": "s1",
            }),
            &schema_settings(),
        );
        let out = refreshed(&prior, &remote);
        let want = serde_json::json!({
            "track": {"allowUnplannedEvents": false},
            "forwardingViolationsTo": "s1",
        });
        assert_eq!(value_to_json(&out), want);
    }

    #[test]
    fn path_segments_are_escaped() {
        assert_eq!(segment("abc-1_2.x~"), "abc-1_2.x~");
        assert_eq!(segment("a/b c"), "a%2Fb%20c");
    }
}
