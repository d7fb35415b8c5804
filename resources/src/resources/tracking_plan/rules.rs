//! `segment_tracking_plan`'s rules: their schema, the checks a rule must
//! pass before any request, the difference an update sends, and how a read
//! maps them back into state.

use std::collections::{HashMap, HashSet};

use segment_api::models::{Rule, RuleInput, RuleKey, RULE_TYPES};
use segment_api::Client;
use serde_json::Value as Json;

use crate::engine::json_attr::{canonical, equivalent};
use crate::engine::{Failure, Obj, Outcome};
use crate::value::{Number, Type, Value};

/// The most rules a plan may hold.
const MAX_RULES: usize = 2000;
/// The most rules one PATCH or DELETE may carry.
const PAGE: usize = 200;

pub(super) fn rule_type() -> Type {
    Type::object([
        ("type", Type::String),
        ("key", Type::String),
        ("json_schema", Type::String),
        ("version", Type::Number),
    ])
    .with_optional(["key"])
}

/// A rule as configuration or state holds it, checked.
pub(super) struct RuleSpec {
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

    pub(super) fn input(&self) -> RuleInput {
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
pub(super) fn parse_rule(v: &Value) -> Option<Result<RuleSpec, String>> {
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
pub(super) fn rules_of(obj: &Obj) -> Result<Vec<RuleSpec>, Failure> {
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
pub(super) fn diff(prior: &[RuleSpec], planned: &[RuleSpec]) -> (Vec<RuleKey>, Vec<RuleInput>) {
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
pub(super) async fn write_rules(
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
pub(super) fn rules_state(remote: &[Rule], prior: &Value) -> Value {
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

/// Every rule checked, and each type and key at most once.
pub(super) fn validate(config: &Obj) -> Vec<Failure> {
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
