//! `segment_destination_subscription`: an action of an Actions destination
//! and the trigger that fires it.

use async_trait::async_trait;
use segment_api::models::{
    CreateDestinationSubscription, DestinationSubscription, UpdateDestinationSubscription,
};
use segment_api::Client;
use serde_json::json;

use crate::engine::json_attr;
use crate::engine::{one_page, AuditId, ExportSpec, Exported, Listed, Pages, Parent};
use crate::engine::{Collection, Failure, Field, Obj, Outcome, ResourceSpec, ResourceType};
use crate::value::{Type, Value};

pub struct DestinationSubscriptionResource;

const STRATEGIES: &[&str] = &["PERIODIC", "SPECIFIC_DAYS", "CRON", "DBT_CLOUD", "MANUAL"];

fn schedule_type() -> Type {
    Type::object([("strategy", Type::String), ("config", Type::String)]).with_optional(["config"])
}

/// `reverse_etl_schedule` is left out: the API models we read do not carry
/// it, so the engine keeps the configured value (see `fetch`).
fn state(s: &DestinationSubscription) -> Obj {
    let model_id = s.model_id.clone().filter(|m| !m.is_empty());
    let mut o = Obj::new();
    o.set("id", s.id.as_str())
        .set("destination_id", s.destination_id.as_str())
        .set("name", s.name.as_str())
        .set("enabled", s.enabled)
        .set("action_id", s.action_id.as_str())
        .set("action_slug", s.action_slug.as_str())
        .set("trigger", s.trigger.as_str())
        .set("model_id", model_id)
        .set_json_string("settings", &s.settings);
    o
}

/// One path segment, percent-encoded: ids come from users on import.
fn seg(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Sends the Reverse ETL model and schedule, when configured, the way the
/// official provider does: an update after the write, in the API's
/// `reverseETLModelId` / `reverseETLSchedule` fields, which the typed
/// client's update model does not have.
async fn send_schedule(api: &Client, destination_id: &str, id: &str, plan: &Obj) -> Outcome<()> {
    let schedule = plan.get("reverse_etl_schedule");
    let Some(strategy) = schedule.get("strategy").and_then(Value::as_str) else {
        return Ok(());
    };
    let config = match schedule.get("config").and_then(Value::as_str) {
        Some(text) => json_attr::parse(text).ok_or_else(|| {
            Failure::invalid(
                "reverse_etl_schedule",
                "`reverse_etl_schedule.config` is not valid JSON.",
            )
        })?,
        None => serde_json::Value::Null,
    };
    let body = json!({ "input": {
        "reverseETLModelId": plan.opt_string("model_id"),
        "reverseETLSchedule": { "strategy": strategy, "config": config },
    }});
    let path = format!(
        "destinations/{}/subscriptions/{}",
        seg(destination_id),
        seg(id)
    );
    api.patch::<serde_json::Map<String, serde_json::Value>, _>(&path, &body)
        .await?;
    Ok(())
}

#[async_trait]
impl ResourceType for DestinationSubscriptionResource {
    fn spec(&self) -> ResourceSpec {
        ResourceSpec {
            type_name: "segment_destination_subscription",
            description: "Configures a Destination subscription to an action. For more \
                information, visit the [Segment docs](https://segment.com/docs/connections/destinations/actions/).",
            fields: vec![
                Field::id("The unique identifier for the subscription."),
                Field::required(
                    "destination_id",
                    Type::String,
                    "The associated Destination instance id.",
                )
                .replaces()
                .non_empty(),
                Field::required("name", Type::String, "The name of the subscription.").non_empty(),
                Field::required("enabled", Type::Bool, "Is the subscription enabled."),
                Field::required(
                    "action_id",
                    Type::String,
                    "The unique identifier for the Destination action to trigger.",
                )
                .replaces()
                .non_empty(),
                Field::computed(
                    "action_slug",
                    Type::String,
                    "The URL-friendly key for the associated Destination action.",
                ),
                Field::required(
                    "trigger",
                    Type::String,
                    "FQL string that describes what events should trigger a Destination action.",
                )
                .non_empty(),
                Field::optional(
                    "model_id",
                    Type::String,
                    "The unique identifier for the linked ReverseETLModel, if this part of a \
                     Reverse ETL connection.",
                )
                .replaces(),
                Field::optional_computed(
                    "settings",
                    Type::String,
                    "The customer settings for action fields, as JSON. Only settings included \
                     in the configuration are managed by Terraform.",
                )
                .settings(),
                Field::optional(
                    "reverse_etl_schedule",
                    schedule_type(),
                    "(Reverse ETL only) The schedule for the subscription being attached to \
                     ReverseETL model: `strategy` (PERIODIC, SPECIFIC_DAYS, CRON, DBT_CLOUD or \
                     MANUAL) and `config`, its settings as JSON. Sent to the API as written; \
                     not refreshed from it.",
                )
                .nested_one_of("strategy", "How the schedule runs syncs.", STRATEGIES)
                .nested(
                    "config",
                    "The schedule's settings, as a JSON object, such as \
                     `jsonencode({ interval = \"1d\" })`.",
                ),
            ],
            import: Some(&["destination_id", "id"]),
        }
    }

    fn validate(&self, config: &Obj) -> Vec<Failure> {
        let mut out = Vec::new();
        let schedule = config.get("reverse_etl_schedule");
        if config.get("model_id").is_known() && schedule.is_null() {
            out.push(Failure::invalid(
                "reverse_etl_schedule",
                "`model_id` links a Reverse ETL model, which needs `reverse_etl_schedule` too.",
            ));
        }
        if let Some(strategy) = schedule.get("strategy").and_then(Value::as_str) {
            if !STRATEGIES.contains(&strategy) {
                out.push(Failure::invalid(
                    "reverse_etl_schedule",
                    format!(
                        "`reverse_etl_schedule.strategy` is {strategy:?}; it must be one of: {}.",
                        STRATEGIES.join(", ")
                    ),
                ));
            }
        }
        if let Some(text) = schedule.get("config").and_then(Value::as_str) {
            if !matches!(json_attr::parse(text), Some(serde_json::Value::Object(_))) {
                out.push(Failure::invalid(
                    "reverse_etl_schedule",
                    "`reverse_etl_schedule.config` must be a JSON object, such as \
                     jsonencode({ interval = \"1d\" }).",
                ));
            }
        }
        out
    }

    async fn create(&self, api: &Client, plan: &Obj) -> Outcome<Obj> {
        let destination_id = plan.string("destination_id")?;
        let input = CreateDestinationSubscription {
            name: plan.string("name")?,
            action_id: plan.string("action_id")?,
            trigger: plan.string("trigger")?,
            enabled: plan.bool("enabled").unwrap_or(false),
            settings: plan.json_object("settings")?,
            model_id: plan.opt_string("model_id"),
        };
        let s = api.create_subscription(&destination_id, &input).await?;
        send_schedule(api, &destination_id, &s.id, plan).await?;
        Ok(state(&s))
    }

    async fn read(&self, api: &Client, prior: &Obj) -> Outcome<Option<Obj>> {
        let s = api
            .get_subscription(&prior.string("destination_id")?, &prior.string("id")?)
            .await?;
        Ok(Some(state(&s)))
    }

    async fn update(&self, api: &Client, prior: &Obj, plan: &Obj) -> Outcome<Obj> {
        let (destination_id, id) = (prior.string("destination_id")?, prior.string("id")?);
        let input = UpdateDestinationSubscription {
            name: plan.opt_string("name"),
            trigger: plan.opt_string("trigger"),
            enabled: plan.bool("enabled"),
            settings: plan.json_object("settings")?,
        };
        let s = api
            .update_subscription(&destination_id, &id, &input)
            .await?;
        send_schedule(api, &destination_id, &id, plan).await?;
        Ok(state(&s))
    }

    async fn delete(&self, api: &Client, state: &Obj) -> Outcome<()> {
        api.delete_subscription(&state.string("destination_id")?, &state.string("id")?)
            .await?;
        Ok(())
    }

    fn collections(&self, state: &Obj) -> Outcome<Vec<Collection>> {
        let destination = state.string("destination_id")?;
        Ok(vec![
            Collection::under(
                "destinations",
                &destination,
                "subscriptions",
                "subscriptions",
            ),
            Collection::new("destinations", "destinations"),
        ])
    }
}

impl Exported for DestinationSubscriptionResource {
    fn export(&self) -> ExportSpec {
        ExportSpec {
            event_types: &["Destination Subscription"],
            natural_key: &[],
            name_from: &["destination_id", "name"],
            parent: Parent::Type("segment_destination"),
            audit_id: AuditId::OwnId,
        }
    }
    fn list<'a>(&'a self, api: &'a Client, parent: &'a str) -> Pages<'a> {
        one_page(async move {
            let found = api.list_subscriptions(parent).await?;
            Ok(found
                .iter()
                .map(|o| Listed::new(format!("{parent}:{}", o.id)))
                .collect())
        })
    }
}
