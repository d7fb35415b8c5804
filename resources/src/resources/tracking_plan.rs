//! `segment_tracking_plan`: a tracking plan and its rules.
//!
//! Rules never go through PUT: upstream refuses it once a plan holds more
//! than 200 rules, and plans hold up to 2,000. Create sends the rules by
//! PATCH, and an update sends only the difference from the prior state:
//! DELETE for rules whose type and key are gone, then PATCH (added or
//! changed, matched by type and key), at most 200 rules per request.
//!
//! `rules` is a list of objects where the official provider has a set.
//! Configurations read the same (`rules = [{...}]`, `for` expressions), but
//! Terraform 1.11 checks a set attribute's planned and applied values by
//! comparing every element with every other (objchange's
//! assertSetValuesCompatible): 4 million comparisons for 2,000 rules,
//! about 75 s each time, twice per apply, and plans three times slower. A
//! list is checked element by element. Reads keep the prior state's order,
//! so order never shows as drift; the workspace itself ignores it.

use async_trait::async_trait;
use segment_api::models::{
    CreateTrackingPlan, RuleInput, TrackingPlan, UpdateTrackingPlan, TRACKING_PLAN_TYPES,
};
use segment_api::Client;

use crate::engine::{one_page, AuditId, ExportSpec, Exported, Listed, Pages, Parent};
use crate::engine::{Collection, Failure, Field, Obj, Outcome, ResourceSpec, ResourceType};
use crate::value::Type;

mod rules;
use rules::{diff, parse_rule, rule_type, rules_of, rules_state, write_rules, RuleSpec};

pub struct TrackingPlanResource;

fn plan_state(tp: &TrackingPlan) -> Obj {
    Obj::new()
        .with("id", tp.id.as_str())
        .with("name", tp.name.clone())
        .with("slug", tp.slug.clone())
        .with("description", tp.description.clone())
        .with("type", tp.kind.as_str())
        .with("created_at", tp.created_at.clone())
        .with("updated_at", tp.updated_at.clone())
}

#[async_trait]
impl ResourceType for TrackingPlanResource {
    fn spec(&self) -> ResourceSpec {
        ResourceSpec {
            type_name: "segment_tracking_plan",
            description: "Configures a Tracking Plan. For more information, visit the \
                [Segment docs](https://segment.com/docs/protocols/tracking-plan/create/).",
            fields: vec![
                Field::id("The Tracking Plan's identifier."),
                Field::computed(
                    "slug",
                    Type::String,
                    "URL-friendly slug of this Tracking Plan.",
                ),
                Field::required("name", Type::String, "The Tracking Plan's name.").non_empty(),
                // Optional and computed, as upstream: leaving it out keeps
                // whatever the workspace holds.
                Field::optional_computed(
                    "description",
                    Type::String,
                    "The Tracking Plan's description.",
                ),
                Field::required("type", Type::String, "The Tracking Plan's type.")
                    .one_of(TRACKING_PLAN_TYPES)
                    .replaces(),
                Field::required(
                    "rules",
                    Type::list(rule_type()),
                    "The Tracking Plan's rules, at most 2,000, in any order (the order \
                     written is kept; the workspace ignores it). Each rule is \
                     `{ type, key, version, json_schema }`: `type` is one of `COMMON`, `GROUP`, \
                     `IDENTIFY`, `PAGE`, `SCREEN` or `TRACK`; `key` (optional; required for \
                     `TRACK`) is the event the rule describes, such as 'Button clicked'; \
                     `version` is the rule's version (a whole number from 1); `json_schema` is \
                     the rule's JSON Schema as a JSON string, compared as parsed JSON. A plan \
                     holds one rule per type and key.",
                )
                .nested_docs(super::common::rule_docs()),
                Field::computed(
                    "created_at",
                    Type::String,
                    "The timestamp of this Tracking Plan's creation.",
                ),
                Field::computed(
                    "updated_at",
                    Type::String,
                    "The timestamp of the last change to the Tracking Plan.",
                )
                .volatile(),
            ],
            import: Some(&["id"]),
        }
    }

    fn validate(&self, config: &Obj) -> Vec<Failure> {
        rules::validate(config)
    }

    async fn existing_import_id(&self, api: &Client, plan: &Obj) -> Option<String> {
        let name = plan.str("name")?;
        let plans = api.list_tracking_plans().await.ok()?;
        plans
            .into_iter()
            .find(|p| p.name.as_deref() == Some(name))
            .map(|p| p.id)
    }

    async fn create(&self, api: &Client, plan: &Obj) -> Outcome<Obj> {
        let rules = rules_of(plan)?;
        let created = api
            .create_tracking_plan(&CreateTrackingPlan {
                name: plan.string("name")?,
                description: plan.opt_string("description"),
                kind: plan.string("type")?,
            })
            .await?;
        let upsert: Vec<RuleInput> = rules.iter().map(RuleSpec::input).collect();
        if let Err(e) = write_rules(api, &created.id, &[], &upsert).await {
            // State cannot record a half-made plan: take it back, so the
            // next apply starts over instead of leaving an orphan.
            let _ = api.delete_tracking_plan(&created.id).await;
            return Err(e);
        }
        // Rules moved `updated_at`: read it once more.
        let tp = if upsert.is_empty() {
            created
        } else {
            api.get_tracking_plan(&created.id).await?
        };
        Ok(plan_state(&tp).with("rules", plan.get("rules").clone()))
    }

    async fn read(&self, api: &Client, prior: &Obj) -> Outcome<Option<Obj>> {
        let id = prior.string("id")?;
        let tp = api.get_tracking_plan(&id).await?;
        // 2,000 rules are ten pages of 200.
        let rules = api.list_rules(&id).await?;
        Ok(Some(
            plan_state(&tp).with("rules", rules_state(&rules, prior.get("rules"))),
        ))
    }

    async fn update(&self, api: &Client, prior: &Obj, plan: &Obj) -> Outcome<Obj> {
        let id = prior.string("id")?;
        let renamed = plan.get("name") != prior.get("name");
        let redescribed = plan.get("description") != prior.get("description");
        if renamed || redescribed {
            let update = UpdateTrackingPlan {
                name: plan.opt_string("name"),
                description: plan.opt_string("description"),
            };
            api.update_tracking_plan(&id, &update).await?;
        }
        // Prior state was refreshed for this plan; rules it cannot parse
        // (none, in practice) are simply sent again.
        let before: Vec<RuleSpec> = prior
            .get("rules")
            .as_elements()
            .unwrap_or_default()
            .iter()
            .filter_map(|v| parse_rule(v)?.ok())
            .collect();
        let (remove, upsert) = diff(&before, &rules_of(plan)?);
        write_rules(api, &id, &remove, &upsert).await?;
        let tp = api.get_tracking_plan(&id).await?;
        Ok(plan_state(&tp).with("rules", plan.get("rules").clone()))
    }

    async fn delete(&self, api: &Client, state: &Obj) -> Outcome<()> {
        // Rules and source connections go with the plan.
        api.delete_tracking_plan(&state.string("id")?).await?;
        Ok(())
    }

    fn collections(&self, _state: &Obj) -> Outcome<Vec<Collection>> {
        Ok(vec![Collection::new("tracking-plans", "trackingPlans")])
    }
}

impl Exported for TrackingPlanResource {
    fn export(&self) -> ExportSpec {
        ExportSpec {
            event_types: &["Tracking Plan", "Tracking Plan Rule"],
            natural_key: &["name"],
            name_from: &["name"],
            parent: Parent::Workspace,
            audit_id: AuditId::ImportId,
        }
    }
    fn list<'a>(&'a self, api: &'a Client, _parent: &'a str) -> Pages<'a> {
        one_page(async move {
            let found = api.list_tracking_plans().await?;
            Ok(found.iter().map(|o| Listed::new(o.id.as_str())).collect())
        })
    }
}
