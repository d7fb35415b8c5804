//! `segment_destination_filter`: conditions under which a destination drops,
//! samples or trims the events of one source.

use async_trait::async_trait;
use segment_api::models::{
    CreateDestinationFilter, DestinationFilter, FilterAction, UpdateDestinationFilter,
    FILTER_ACTION_TYPES,
};
use segment_api::Client;

use crate::engine::json_attr;
use crate::engine::{
    json_to_value, Collection, Failure, Field, Obj, Outcome, ResourceSpec, ResourceType,
};
use crate::engine::{one_page, AuditId, ExportSpec, Exported, Listed, Pages, Parent};
use crate::value::{Type, Value};

pub struct DestinationFilterResource;

/// One element of `actions = [{ type = "DROP" }, ...]`.
fn action_type() -> Type {
    Type::object([
        ("type", Type::String),
        ("fields", Type::String),
        ("path", Type::String),
        ("percent", Type::Number),
    ])
    .with_optional(["fields", "path", "percent"])
}

fn invalid(message: String) -> Failure {
    Failure::invalid("actions", message)
}

/// What is wrong with one known action, if anything: only what the API
/// refuses (what each type needs). Members a type does not use are sent as
/// written, as the official provider does.
fn check_action(a: &Value) -> Option<String> {
    let kind = a.get("type").and_then(Value::as_str)?;
    if !FILTER_ACTION_TYPES.contains(&kind) {
        return Some(format!(
            "`actions`: type {kind:?} is not one of {}.",
            FILTER_ACTION_TYPES.join(", ")
        ));
    }
    match kind {
        "SAMPLE" => match a.get("percent") {
            Some(Value::Number(n)) if !(0.0..=1.0).contains(&n.to_f64()) => Some(format!(
                "`actions`: a SAMPLE action's `percent` is {n}; it must be a fraction from 0 to 1 \
                 (0.25 keeps a quarter of the events)."
            )),
            Some(Value::Null) | None => Some(
                "`actions`: a SAMPLE action needs `percent`, the share of events to keep \
                 from 0 to 1."
                    .to_string(),
            ),
            // Without `path` the events are sampled at random.
            _ => match a.get("path") {
                Some(Value::String(p)) if p.trim().is_empty() => Some(
                    "`actions`: a SAMPLE action's `path` must not be empty: name the event \
                     field the sample is drawn on (such as \"userId\"), or leave it out to \
                     sample at random."
                        .to_string(),
                ),
                _ => None,
            },
        },
        "ALLOW_PROPERTIES" | "DROP_PROPERTIES" => match a.get("fields") {
            Some(Value::String(text)) => match json_attr::parse(text) {
                Some(serde_json::Value::Object(m)) if !m.is_empty() => None,
                _ => Some(format!(
                    "`actions`: a {kind} action's `fields` must be a non-empty JSON object, such \
                     as jsonencode({{ properties = {{ fields = [\"email\"] }} }})."
                )),
            },
            Some(Value::Null) | None => Some(format!(
                "`actions`: a {kind} action needs `fields`, the properties it applies to."
            )),
            _ => None,
        },
        _ => None,
    }
}

fn actions_of(obj: &Obj) -> Result<Vec<FilterAction>, Failure> {
    let mut out = Vec::new();
    for a in obj.get("actions").as_elements().unwrap_or_default() {
        let fields = match a.get("fields").and_then(Value::as_str) {
            Some(text) => match json_attr::parse(text) {
                Some(serde_json::Value::Object(m)) => Some(m),
                _ => return Err(invalid("`actions`: `fields` must be a JSON object.".into())),
            },
            None => None,
        };
        out.push(FilterAction {
            kind: a
                .get("type")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string(),
            fields,
            percent: a
                .get("percent")
                .and_then(Value::as_number)
                .map(|n| n.to_f64()),
            path: a.get("path").and_then(Value::as_str).map(str::to_string),
        });
    }
    Ok(out)
}

/// Whether an action read back means what a prior one says: `fields` is
/// compared as JSON and `percent` by value, so the prior spelling can stay.
fn same_action(remote: &Value, prior: &Value) -> bool {
    let text = |v: &Value, k: &str| v.get(k).and_then(Value::as_str).map(str::to_string);
    let number = |v: &Value, k: &str| v.get(k).and_then(Value::as_number).map(|n| n.to_f64());
    let fields_same = match (text(remote, "fields"), text(prior, "fields")) {
        (Some(r), Some(p)) => json_attr::equivalent(&r, &p),
        (r, p) => r == p,
    };
    text(remote, "type") == text(prior, "type")
        && text(remote, "path") == text(prior, "path")
        && number(remote, "percent") == number(prior, "percent")
        && fields_same
}

fn state(f: &DestinationFilter, prior: &Obj) -> Obj {
    let mut unused: Vec<&Value> = prior
        .get("actions")
        .as_elements()
        .unwrap_or_default()
        .iter()
        .collect();
    let actions = f
        .actions
        .iter()
        .map(|a| {
            let json = serde_json::to_value(a).unwrap_or(serde_json::Value::Null);
            let remote = json_to_value(&json, &action_type());
            match unused.iter().position(|p| same_action(&remote, p)) {
                Some(i) => unused.remove(i).clone(),
                None => remote,
            }
        })
        .collect();
    let mut s = Obj::new();
    s.set("id", f.id.as_str())
        .set("destination_id", f.destination_id.as_str())
        .set("source_id", f.source_id.as_str())
        .set("if", f.condition.as_str())
        .set("title", f.title.as_str())
        .set("description", f.description.clone())
        .set("enabled", f.enabled)
        .set("actions", Value::Set(actions));
    s
}

#[async_trait]
impl ResourceType for DestinationFilterResource {
    fn spec(&self) -> ResourceSpec {
        ResourceSpec {
            type_name: "segment_destination_filter",
            description: "Configures a filter for a destination. For more information, visit \
                the [Segment docs](https://segment.com/docs/connections/destinations/destination-filters/).",
            fields: vec![
                Field::id("The unique id of this filter."),
                Field::required("if", Type::String, "The filter's condition, in FQL.").non_empty(),
                Field::required(
                    "destination_id",
                    Type::String,
                    "The id of the Destination associated with this filter.",
                )
                .replaces()
                .non_empty(),
                Field::required(
                    "source_id",
                    Type::String,
                    "The id of the Source associated with this filter: the source the \
                     Destination receives events from.",
                )
                .replaces()
                .non_empty(),
                Field::required("title", Type::String, "The title of the filter.").non_empty(),
                Field::optional("description", Type::String, "The description of the filter."),
                Field::required(
                    "enabled",
                    Type::Bool,
                    "When set to true, the Destination filter is active.",
                ),
                Field::required(
                    "actions",
                    Type::set(action_type()),
                    "Actions for the Destination filter: objects of `type` (ALLOW_PROPERTIES, \
                     DROP, DROP_PROPERTIES or SAMPLE); `fields` (a JSON object of the paths \
                     to object keys the action applies to, for ALLOW_PROPERTIES and \
                     DROP_PROPERTIES; the literal string '' is the top level of the object); \
                     `path` (the JSON path of the property a SAMPLE is drawn on; left out, events \
                     are sampled at random) and `percent` (the share of events a SAMPLE keeps, \
                     from 0 to 1).",
                )
                .nested_one_of("type", "What the action does.", FILTER_ACTION_TYPES)
                .nested(
                    "fields",
                    "For ALLOW_PROPERTIES and DROP_PROPERTIES: the keys the action keeps or \
                     drops, as a JSON object of paths to lists of keys, such as \
                     `jsonencode({ properties = [\"email\"] })`; the path `\"\"` is the top \
                     level of the event.",
                )
                .nested(
                    "path",
                    "For SAMPLE: the JSON path of the property a deterministic sample is drawn \
                     on, such as `userId`; left out, events are sampled at random.",
                )
                .nested(
                    "percent",
                    "For SAMPLE: the share of events kept, from 0 to 1 (0.25 keeps a quarter).",
                ),
            ],
            import: Some(&["destination_id", "id"]),
        }
    }

    fn validate(&self, config: &Obj) -> Vec<Failure> {
        let actions = config.get("actions");
        let Some(elements) = actions.as_elements() else {
            return Vec::new();
        };
        if elements.is_empty() {
            return vec![invalid(format!(
                "`actions`: a filter needs at least one action, of type {}.",
                FILTER_ACTION_TYPES.join(", ")
            ))];
        }
        elements
            .iter()
            .filter(|a| a.is_wholly_known())
            .filter_map(check_action)
            .map(invalid)
            .collect()
    }

    async fn create(&self, api: &Client, plan: &Obj) -> Outcome<Obj> {
        let destination_id = plan.string("destination_id")?;
        let source_id = plan.string("source_id")?;
        // The API refuses a filter on another source's events; say so with
        // both ids before sending anything.
        let destination = api.get_destination(&destination_id).await?;
        if destination.source_id != source_id {
            return Err(Failure::invalid(
                "source_id",
                format!(
                    "`source_id`: destination {destination_id:?} receives events from source \
                     {:?}, not {source_id:?}; a filter applies to its destination's source, \
                     so set source_id = {:?}.",
                    destination.source_id, destination.source_id
                ),
            ));
        }
        let input = CreateDestinationFilter {
            source_id,
            condition: plan.string("if")?,
            actions: actions_of(plan)?,
            title: plan.string("title")?,
            description: plan.opt_string("description"),
            enabled: plan.bool("enabled").unwrap_or(false),
        };
        let f = api.create_filter(&destination_id, &input).await?;
        Ok(state(&f, plan))
    }

    async fn read(&self, api: &Client, prior: &Obj) -> Outcome<Option<Obj>> {
        let f = api
            .get_filter(&prior.string("destination_id")?, &prior.string("id")?)
            .await?;
        Ok(Some(state(&f, prior)))
    }

    async fn update(&self, api: &Client, prior: &Obj, plan: &Obj) -> Outcome<Obj> {
        let input = UpdateDestinationFilter {
            condition: plan.opt_string("if"),
            actions: Some(actions_of(plan)?),
            title: plan.opt_string("title"),
            // A description removed from the configuration is cleared.
            description: Some(plan.opt_string("description")),
            enabled: plan.bool("enabled"),
        };
        let f = api
            .update_filter(
                &prior.string("destination_id")?,
                &prior.string("id")?,
                &input,
            )
            .await?;
        Ok(state(&f, plan))
    }

    async fn delete(&self, api: &Client, state: &Obj) -> Outcome<()> {
        api.delete_filter(&state.string("destination_id")?, &state.string("id")?)
            .await?;
        Ok(())
    }

    fn collections(&self, state: &Obj) -> Outcome<Vec<Collection>> {
        let destination = state.string("destination_id")?;
        Ok(vec![
            Collection::under("destination", &destination, "filters", "filters"),
            Collection::new("destinations", "destinations"),
        ])
    }
}

impl Exported for DestinationFilterResource {
    fn export(&self) -> ExportSpec {
        ExportSpec {
            event_types: &["Destination Filter"],
            natural_key: &[],
            name_from: &["destination_id", "title"],
            parent: Parent::Type("segment_destination"),
            audit_id: AuditId::OwnId,
        }
    }
    fn list<'a>(&'a self, api: &'a Client, parent: &'a str) -> Pages<'a> {
        one_page(async move {
            let found = api.list_filters(parent).await?;
            Ok(found
                .iter()
                .map(|o| Listed::new(format!("{parent}:{}", o.id)))
                .collect())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn action(pairs: &[(&str, Value)]) -> Value {
        Value::object(pairs.iter().cloned())
    }

    fn fraction(f: f64) -> Value {
        Value::Number(crate::value::Number::from_f64(f).expect("a finite number"))
    }

    // Ours refused members a type does not use ("a DROP action cannot set
    // `fields`"), and a SAMPLE without `path`; the official provider sends
    // both as written and the API samples at random without a path.
    #[test]
    fn only_what_the_api_refuses_is_refused() {
        let fields: Value = r#"{"properties":{"fields":["email"]}}"#.into();
        let drop_with_fields = action(&[("type", "DROP".into()), ("fields", fields)]);
        assert_eq!(check_action(&drop_with_fields), None);
        let random_sample = action(&[("type", "SAMPLE".into()), ("percent", fraction(0.05))]);
        assert_eq!(check_action(&random_sample), None);

        let blank_path = action(&[
            ("type", "SAMPLE".into()),
            ("percent", fraction(0.05)),
            ("path", " ".into()),
        ]);
        assert!(check_action(&blank_path).is_some_and(|m| m.contains("`path`")));
        let no_percent = action(&[("type", "SAMPLE".into())]);
        assert!(check_action(&no_percent).is_some_and(|m| m.contains("`percent`")));
    }
}
