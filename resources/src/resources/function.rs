//! `segment_function`: custom code run as a source, a destination, or
//! inserted before one.

use async_trait::async_trait;
use futures::stream::{self, StreamExt};
use segment_api::models::{
    CreateFunction, Function, FunctionSetting, UpdateFunction, FUNCTION_RESOURCE_TYPES,
    FUNCTION_SETTING_TYPES,
};
use segment_api::Client;

use crate::engine::{AuditId, ExportSpec, Exported, Listed, Pages, Parent};
use crate::engine::{Collection, Failure, Field, Obj, Outcome, ResourceSpec, ResourceType};
use crate::value::{Type, Value};

pub struct FunctionResource;

/// Function types whose display name the API suffixes with the workspace.
const SUFFIXED_TYPES: &[&str] = &["DESTINATION", "INSERT_DESTINATION", "INSERT_SOURCE"];

/// One element of `settings`: every inner attribute is required upstream.
fn setting_type() -> Type {
    Type::object([
        ("name", Type::String),
        ("label", Type::String),
        ("description", Type::String),
        ("type", Type::String),
        ("required", Type::Bool),
        ("sensitive", Type::Bool),
    ])
}

fn settings_of(obj: &Obj) -> Option<Vec<FunctionSetting>> {
    let elements = obj.get("settings").as_elements()?;
    let text = |v: &Value, k: &str| {
        v.get(k)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()
    };
    let flag = |v: &Value, k: &str| v.get(k).and_then(Value::as_bool).unwrap_or(false);
    Some(
        elements
            .iter()
            .map(|s| FunctionSetting {
                name: text(s, "name"),
                label: text(s, "label"),
                description: text(s, "description"),
                kind: text(s, "type"),
                required: flag(s, "required"),
                sensitive: flag(s, "sensitive"),
            })
            .collect(),
    )
}

/// The display name for state. Real Segment appends the workspace name to
/// the display name of destination and insert functions (official provider
/// issue #192), so an answer that is the configured name plus a suffix
/// means the configured name: keeping it avoids a diff on every plan.
fn display_name(f: &Function, prior: &Obj) -> String {
    match prior.str("display_name") {
        Some(mine)
            if SUFFIXED_TYPES.contains(&f.resource_type.as_str())
                && f.display_name.len() > mine.len()
                && f.display_name.starts_with(mine) =>
        {
            mine.to_string()
        }
        _ => f.display_name.clone(),
    }
}

/// The update value of an optional text: the API's update has no null, so
/// a value removed from the configuration is cleared with "" (which the
/// engine reads back as the null the configuration holds).
fn clearing(prior: &Obj, plan: &Obj, name: &str) -> Option<String> {
    match plan.opt_string(name) {
        None if prior.get(name).is_known() => Some(String::new()),
        other => other,
    }
}

fn state(f: &Function, prior: &Obj) -> Obj {
    let settings: Vec<Value> = f
        .settings
        .iter()
        .map(|s| {
            Value::object([
                ("name", s.name.as_str().into()),
                ("label", s.label.as_str().into()),
                ("description", s.description.as_str().into()),
                ("type", s.kind.as_str().into()),
                ("required", s.required.into()),
                ("sensitive", s.sensitive.into()),
            ])
        })
        .collect();
    let mut o = Obj::new();
    o.set("id", f.id.as_str())
        .set("code", f.code.as_str())
        .set("display_name", display_name(f, prior))
        .set("logo_url", f.logo_url.clone())
        .set("resource_type", f.resource_type.as_str())
        .set("description", f.description.clone())
        .set("preview_webhook_url", f.preview_webhook_url.clone())
        .set("catalog_id", f.catalog_id.as_str())
        // No settings reads as null when the configuration sets none.
        .set(
            "settings",
            if settings.is_empty() && prior.get("settings").is_null() {
                Value::Null
            } else {
                Value::Set(settings)
            },
        );
    o
}

#[async_trait]
impl ResourceType for FunctionResource {
    fn spec(&self) -> ResourceSpec {
        ResourceSpec {
            type_name: "segment_function",
            description: "Configures a Function. For more information, visit the \
                [Segment docs](https://segment.com/docs/connections/functions/).",
            fields: vec![
                Field::id("The id of the Function."),
                Field::required("code", Type::String, "The Function code.").non_empty(),
                Field::optional(
                    "display_name",
                    Type::String,
                    "A display name for this Function. Destination Functions append the \
                     Workspace to the display name, but this is omitted from the Terraform \
                     output for consistency purposes. The API requires it.",
                )
                .non_empty(),
                Field::optional(
                    "logo_url",
                    Type::String,
                    "The URL of the logo for this Function.",
                ),
                Field::required("resource_type", Type::String, "The Function type.")
                    .one_of(FUNCTION_RESOURCE_TYPES)
                    .replaces(),
                Field::optional(
                    "description",
                    Type::String,
                    "A description for this function.",
                ),
                Field::computed(
                    "preview_webhook_url",
                    Type::String,
                    "The preview webhook URL for this Function.",
                ),
                Field::computed(
                    "catalog_id",
                    Type::String,
                    "The catalog id of this Function.",
                ),
                Field::optional(
                    "settings",
                    Type::set(setting_type()),
                    "The settings associated with this Function. Common settings are \
                     connection-related configuration used to connect to it, for example \
                     host, username, and port. Each has a `name`, `label`, `description`, \
                     `type` (ARRAY, BOOLEAN, STRING or TEXT_MAP), `required` and `sensitive`.",
                )
                .nested(
                    "name",
                    "The setting's key, which the Function's code reads (`settings.apiKey`).",
                )
                .nested("label", "The setting's name in the Segment app.")
                .nested("description", "What the setting is for.")
                .nested_one_of(
                    "type",
                    "The type of the setting's value.",
                    segment_api::models::FUNCTION_SETTING_TYPES,
                )
                .nested(
                    "required",
                    "Whether each instance of the Function must set it.",
                )
                .nested(
                    "sensitive",
                    "Whether the value is a secret, masked when read.",
                ),
            ],
            import: Some(&["id"]),
        }
    }

    fn validate(&self, config: &Obj) -> Vec<Failure> {
        let mut out = Vec::new();
        // Optional upstream, yet every create needs one: say so at plan time.
        if config.get("display_name").is_null() {
            out.push(Failure::invalid(
                "display_name",
                "`display_name` must be set: the API names every Function.",
            ));
        }
        let elements = config.get("settings").as_elements().unwrap_or_default();
        let mut names: Vec<&str> = Vec::new();
        for s in elements {
            if let Some(kind) = s.get("type").and_then(Value::as_str) {
                if !FUNCTION_SETTING_TYPES.contains(&kind) {
                    out.push(Failure::invalid(
                        "settings",
                        format!(
                            "`settings`: type {kind:?} is not one of {}.",
                            FUNCTION_SETTING_TYPES.join(", ")
                        ),
                    ));
                }
            }
            match s.get("name").and_then(Value::as_str) {
                Some(n) if n.trim().is_empty() => out.push(Failure::invalid(
                    "settings",
                    "`settings`: a setting's `name` must not be empty.",
                )),
                Some(n) if names.contains(&n) => out.push(Failure::invalid(
                    "settings",
                    format!("`settings`: {n:?} is declared twice; setting names must be unique."),
                )),
                Some(n) => names.push(n),
                None => {}
            }
        }
        out
    }

    async fn create(&self, api: &Client, plan: &Obj) -> Outcome<Obj> {
        let input = CreateFunction {
            code: plan.string("code")?,
            settings: settings_of(plan),
            display_name: plan.string("display_name")?,
            logo_url: plan.opt_string("logo_url"),
            resource_type: plan.string("resource_type")?,
            description: plan.opt_string("description"),
        };
        Ok(state(&api.create_function(&input).await?, plan))
    }

    async fn read(&self, api: &Client, prior: &Obj) -> Outcome<Option<Obj>> {
        let f = api.get_function(&prior.string("id")?).await?;
        Ok(Some(state(&f, prior)))
    }

    async fn update(&self, api: &Client, prior: &Obj, plan: &Obj) -> Outcome<Obj> {
        let input = UpdateFunction {
            code: plan.opt_string("code"),
            // Settings removed from the configuration are removed.
            settings: Some(settings_of(plan).unwrap_or_default()),
            display_name: plan.opt_string("display_name"),
            logo_url: clearing(prior, plan, "logo_url"),
            description: clearing(prior, plan, "description"),
        };
        let f = api.update_function(&prior.string("id")?, &input).await?;
        Ok(state(&f, plan))
    }

    async fn delete(&self, api: &Client, state: &Obj) -> Outcome<()> {
        api.delete_function(&state.string("id")?).await?;
        Ok(())
    }

    fn collections(&self, state: &Obj) -> Outcome<Vec<Collection>> {
        // The list is per resource type; any type shows the API serves it.
        let resource_type = state
            .opt_string("resource_type")
            .unwrap_or_else(|| "DESTINATION".to_string());
        Ok(vec![
            Collection::new("functions", "functions").with_query("resourceType", resource_type)
        ])
    }
}

impl Exported for FunctionResource {
    fn export(&self) -> ExportSpec {
        ExportSpec {
            event_types: &["Function"],
            natural_key: &[],
            name_from: &["display_name"],
            parent: Parent::Workspace,
            audit_id: AuditId::ImportId,
        }
    }
    /// One page per function type; only insert functions have instances.
    fn list<'a>(&'a self, api: &'a Client, _parent: &'a str) -> Pages<'a> {
        stream::iter(FUNCTION_RESOURCE_TYPES)
            .then(move |t| async move {
                let found = api.list_functions(t).await?;
                Ok(found
                    .into_iter()
                    .map(|f| match f.resource_type.starts_with("INSERT_") {
                        true => Listed::new(f.id),
                        false => Listed::childless(f.id),
                    })
                    .collect())
            })
            .boxed()
    }
}
