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

use std::collections::{HashMap, HashSet};

use async_trait::async_trait;
use segment_api::models::{
    CreateTrackingPlan, Rule, RuleInput, RuleKey, TrackingPlan, UpdateTrackingPlan, RULE_TYPES,
    TRACKING_PLAN_TYPES,
};
use segment_api::Client;
use serde_json::Value as Json;

use crate::engine::json_attr::{canonical, equivalent};
use crate::engine::{one_page, AuditId, ExportSpec, Exported, Listed, Pages, Parent};
use crate::engine::{Collection, Failure, Field, Obj, Outcome, ResourceSpec, ResourceType};
use crate::value::{Number, Type, Value};

pub struct TrackingPlanResource;

/// The most rules a plan may hold.
const MAX_RULES: usize = 2000;
/// The most rules one PATCH or DELETE may carry.
const PAGE: usize = 200;

fn rule_type() -> Type {
    Type::object([
        ("type", Type::String),
        ("key", Type::String),
        ("json_schema", Type::String),
        ("version", Type::Number),
    ])
    .with_optional(["key"])
}

/// A rule as configuration or state holds it, checked.
struct RuleSpec {
    kind: String,
    /// `None` and `""` are the same rule upstream: it keeps no empty keys.
    key: Option<String>,
    schema: Json,
    version: u32,
}

impl RuleSpec {
    fn identity(&self) -> (String, String) {
        (self.kind.clone(), self.key.clone().unwrap_or_default())
    }

    fn input(&self) -> RuleInput {
        RuleInput {
            kind: self.kind.clone(),
            key: self.key.clone().filter(|k| !k.is_empty()),
            json_schema: self.schema.clone(),
            version: self.version,
        }
    }
}

/// How a rule is named in messages: `TRACK "Order Completed"`, `IDENTIFY`.
fn describe(kind: &str, key: Option<&str>) -> String {
    match key.filter(|k| !k.is_empty()) {
        Some(k) => format!("{kind} {k:?}"),
        None => kind.to_string(),
    }
}

/// Checks one known rule element; `None` when part of it is still unknown.
fn parse_rule(v: &Value) -> Option<Result<RuleSpec, String>> {
    let field = |name: &str| v.get(name).filter(|f| f.is_known());
    let kind = field("type")?.as_str()?;
    let key = match v.get("key") {
        Some(Value::Unknown) => return None,
        Some(k) => k.as_str(),
        None => None,
    };
    let text = field("json_schema")?.as_str()?;
    let version = field("version")?.as_number()?;
    Some(check_rule(kind, key, text, version))
}

fn check_rule(
    kind: &str,
    key: Option<&str>,
    text: &str,
    version: &Number,
) -> Result<RuleSpec, String> {
    let who = describe(kind, key);
    if !RULE_TYPES.contains(&kind) {
        let types = RULE_TYPES.join(", ");
        return Err(format!(
            "rule {who}: type {kind:?} must be one of: {types}."
        ));
    }
    if kind == "TRACK" && key.is_none_or(|k| k.trim().is_empty()) {
        return Err(
            "a TRACK rule has no key: every TRACK rule needs the event it describes \
                    as its key, such as \"Order Completed\"."
                .into(),
        );
    }
    let version = version
        .as_i64()
        .and_then(|n| u32::try_from(n).ok())
        .filter(|n| *n >= 1)
        .ok_or_else(|| {
            format!("rule {who}: version is {version}; it must be a whole number from 1.")
        })?;
    let schema: Json = serde_json::from_str(text).map_err(|e| {
        format!(
            "rule {who}: json_schema is not valid JSON ({e}); write it with jsonencode({{...}})."
        )
    })?;
    // The workspace takes a schema object (`true`/`false` and `null` are
    // schemas too); anything else it refuses at apply.
    if !(schema.is_object() || schema.is_boolean() || schema.is_null()) {
        let shape = match schema {
            Json::Array(_) => "an array",
            Json::String(_) => "a string",
            _ => "a number",
        };
        return Err(format!(
            "rule {who}: json_schema is {shape}; it must be a JSON Schema object, \
             such as jsonencode({{ properties = {{}} }})."
        ));
    }
    Ok(RuleSpec {
        kind: kind.to_string(),
        key: key.map(str::to_string),
        schema,
        version,
    })
}

/// Every rule of a plan or prior state; all known at apply time.
fn rules_of(obj: &Obj) -> Result<Vec<RuleSpec>, Failure> {
    let elements = obj.get("rules").as_elements().unwrap_or_default();
    elements
        .iter()
        .map(|v| match parse_rule(v) {
            Some(Ok(r)) => Ok(r),
            Some(Err(message)) => Err(Failure::invalid("rules", message)),
            None => Err(Failure::invalid("rules", "`rules` must be known at apply")),
        })
        .collect()
}

/// What an update sends: rules to remove (their type and key are gone) and
/// rules to add or change. A rule whose version or schema changed is
/// changed in place by PATCH, so it is never missing in between.
fn diff(prior: &[RuleSpec], planned: &[RuleSpec]) -> (Vec<RuleKey>, Vec<RuleInput>) {
    let wanted: HashSet<(String, String)> = planned.iter().map(RuleSpec::identity).collect();
    let held: HashMap<(String, String), &RuleSpec> =
        prior.iter().map(|r| (r.identity(), r)).collect();
    let remove = prior
        .iter()
        .filter(|r| !wanted.contains(&r.identity()))
        .map(|r| RuleKey {
            kind: r.kind.clone(),
            key: r.key.clone().filter(|k| !k.is_empty()),
            version: r.version,
        })
        .collect();
    let upsert = planned
        .iter()
        .filter(|r| {
            held.get(&r.identity())
                .is_none_or(|h| h.version != r.version || h.schema != r.schema)
        })
        .map(RuleSpec::input)
        .collect();
    (remove, upsert)
}

/// Sends `upsert` in pages of [`PAGE`], after `remove`: removing first keeps
/// a full plan under its cap while rules are swapped.
async fn write_rules(
    api: &Client,
    plan_id: &str,
    remove: &[RuleKey],
    upsert: &[RuleInput],
) -> Outcome<()> {
    for page in remove.chunks(PAGE) {
        api.remove_rules(plan_id, page).await?;
    }
    for page in upsert.chunks(PAGE) {
        api.upsert_rules(plan_id, page).await?;
    }
    Ok(())
}

/// The rules as state holds them, in the prior state's order (rules it
/// lacks follow in the workspace's order), so a refresh never reorders.
/// Schemas that mean what the prior state says keep its text, so
/// reformatting never shows as drift; others take `jsonencode`'s spelling.
fn rules_state(remote: &[Rule], prior: &Value) -> Value {
    let prior_rules: HashMap<(String, String), (usize, &Value)> = prior
        .as_elements()
        .unwrap_or_default()
        .iter()
        .enumerate()
        .filter_map(|(i, v)| {
            let kind = v.get("type")?.as_str()?.to_string();
            let key = v.get("key").and_then(Value::as_str).unwrap_or("");
            Some(((kind, key.to_string()), (i, v)))
        })
        .collect();
    let mut rules: Vec<(usize, Value)> = remote
        .iter()
        .enumerate()
        .map(|(n, r)| {
            let key = r.key.clone().unwrap_or_default();
            let before = prior_rules.get(&(r.kind.clone(), key));
            let position = before.map_or(prior_rules.len() + n, |(i, _)| *i);
            let before = before.map(|(_, v)| *v);
            let text = canonical(&r.json_schema);
            let prior_text = before.and_then(|p| p.get("json_schema")?.as_str());
            let json_schema = match prior_text {
                Some(p) if equivalent(&text, p) => p.to_string(),
                _ => text,
            };
            // Upstream drops empty keys: a configured `key = ""` stays.
            let key = match (&r.key, before.and_then(|p| p.get("key")?.as_str())) {
                (None, Some("")) => Value::from(""),
                (k, _) => Value::from(k.clone()),
            };
            let rule = Value::object([
                ("type", Value::from(r.kind.as_str())),
                ("key", key),
                ("json_schema", Value::from(json_schema)),
                ("version", Value::Number(Number::from(u64::from(r.version)))),
            ]);
            (position, rule)
        })
        .collect();
    rules.sort_by_key(|(position, _)| *position);
    Value::List(rules.into_iter().map(|(_, r)| r).collect())
}

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
        let Some(elements) = config.get("rules").as_elements() else {
            return Vec::new();
        };
        let mut failures = Vec::new();
        if elements.len() > MAX_RULES {
            failures.push(Failure::invalid(
                "rules",
                format!(
                    "`rules` holds {} rules; a tracking plan holds at most {MAX_RULES}.",
                    elements.len()
                ),
            ));
        }
        let mut seen = HashSet::new();
        for parsed in elements.iter().filter_map(parse_rule) {
            match parsed {
                Err(message) => failures.push(Failure::invalid("rules", message)),
                Ok(r) if !seen.insert(r.identity()) => failures.push(Failure::invalid(
                    "rules",
                    format!(
                        "rule {} appears more than once; a plan holds one rule per type and key \
                         (change its version to update it).",
                        describe(&r.kind, r.key.as_deref())
                    ),
                )),
                Ok(_) => {}
            }
        }
        failures
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn rule(kind: &str, key: Option<&str>, schema: Json, version: u32) -> RuleSpec {
        RuleSpec {
            kind: kind.into(),
            key: key.map(str::to_string),
            schema,
            version,
        }
    }

    #[test]
    fn updates_send_only_the_difference() {
        let prior = [
            rule("TRACK", Some("A"), json!({}), 1),
            rule("TRACK", Some("B"), json!({}), 1),
            rule("IDENTIFY", None, json!({}), 1),
            rule("PAGE", Some(""), json!({}), 1),
        ];
        let planned = [
            rule("TRACK", Some("A"), json!({}), 1),
            rule("TRACK", Some("B"), json!({"x": 1}), 1),
            rule("IDENTIFY", None, json!({}), 2),
            rule("PAGE", None, json!({}), 1),
            rule("TRACK", Some("C"), json!({}), 1),
        ];
        let (remove, upsert) = diff(&prior, &planned);
        assert!(remove.is_empty());
        let keys: Vec<_> = upsert
            .iter()
            .map(|r| (r.kind.as_str(), r.key.clone()))
            .collect();
        assert_eq!(
            keys,
            [
                ("TRACK", Some("B".to_string())),
                ("IDENTIFY", None),
                ("TRACK", Some("C".to_string()))
            ]
        );
        let (remove, upsert) = diff(&planned, &prior[..1]);
        assert!(upsert.is_empty());
        assert_eq!(remove.len(), 4);
        assert_eq!(remove[1].version, 2);
    }

    #[test]
    fn refreshed_schemas_keep_the_configured_spelling() {
        let prior = Value::List(vec![Value::object([
            ("type", Value::from("TRACK")),
            ("key", Value::from("A")),
            ("json_schema", Value::from("{ \"b\": 1, \"a\": [] }")),
            ("version", Value::from(1)),
        ])]);
        let remote = |schema: Json| Rule {
            kind: "TRACK".into(),
            key: Some("A".into()),
            json_schema: schema,
            version: 1,
            created_at: None,
            updated_at: None,
            deprecated_at: None,
        };
        let same = rules_state(&[remote(json!({"a": [], "b": 1}))], &prior);
        assert_eq!(same, prior);
        let drifted = rules_state(&[remote(json!({"a": [], "b": 2}))], &prior);
        let text = drifted
            .as_elements()
            .and_then(|e| e[0].get("json_schema")?.as_str());
        assert_eq!(text, Some(r#"{"a":[],"b":2}"#));
    }

    #[test]
    fn refreshed_rules_keep_the_prior_order() {
        let rule = |key: &str| {
            Value::object([
                ("type", Value::from("TRACK")),
                ("key", Value::from(key)),
                ("json_schema", Value::from("{}")),
                ("version", Value::from(1)),
            ])
        };
        let prior = Value::List(vec![rule("B"), rule("A")]);
        let remote = |key: &str| Rule {
            kind: "TRACK".into(),
            key: Some(key.into()),
            json_schema: json!({}),
            version: 1,
            created_at: None,
            updated_at: None,
            deprecated_at: None,
        };
        let state = rules_state(&[remote("C"), remote("A"), remote("B")], &prior);
        assert_eq!(state, Value::List(vec![rule("B"), rule("A"), rule("C")]));
    }

    #[test]
    fn rules_are_checked_before_any_request() {
        let bad = |kind: &str, key: Value, text: &str, version: i64| {
            let v = Value::object([
                ("type", Value::from(kind)),
                ("key", key),
                ("json_schema", Value::from(text)),
                ("version", Value::from(version)),
            ]);
            parse_rule(&v).and_then(Result::err)
        };
        assert!(bad("TRACKS", Value::from("A"), "{}", 1).is_some());
        assert!(bad("TRACK", Value::Null, "{}", 1).is_some());
        assert!(bad("PAGE", Value::Null, "{", 1).is_some());
        assert!(bad("PAGE", Value::Null, "{}", 0).is_some());
        assert!(bad("PAGE", Value::Null, "{}", 1).is_none());
        assert!(bad("PAGE", Value::Unknown, "{}", 1).is_none());
    }
}
