//! The workspace as the generator will write it: each live object read
//! through the provider's own import path, then its configurable
//! attributes as [`Hv`] values.

use std::collections::BTreeMap;

use futures::stream::{self, StreamExt};
use segment_api::Client;
use segment_resources::engine::{json_attr, Engine, Field, JsonMode, ResourceSpec, Role};
use segment_resources::value::{Type, Value};

use crate::hcl::Hv;
use crate::inventory::Live;
use crate::kinds;

/// Objects read at once.
const CONCURRENCY: usize = 32;

/// One live object, read as `terraform import` reads it.
#[derive(Clone, Debug)]
pub struct Desired {
    pub live: Live,
    /// The object's `id` attribute (what references resolve to).
    pub id: String,
    pub state: BTreeMap<String, Value>,
}

#[derive(Debug, thiserror::Error)]
#[error("reading {type_name} {import_id:?}: {message}")]
pub struct ReadError {
    pub type_name: String,
    pub import_id: String,
    pub message: String,
}

/// Reads every object; gone ones (deleted meanwhile) are left out.
pub async fn read_all(
    engine: &Engine,
    api: &Client,
    lives: Vec<Live>,
    on_read: &(dyn Fn() + Sync),
) -> Result<Vec<Desired>, ReadError> {
    let started = std::time::Instant::now();
    let mut out: Vec<Desired> = stream::iter(lives.into_iter().map(|live| async move {
        let found = read_one(engine, api, live).await;
        on_read();
        found
    }))
    .buffer_unordered(CONCURRENCY)
    .collect::<Vec<_>>()
    .await
    .into_iter()
    .filter_map(Result::transpose)
    .collect::<Result<_, _>>()?;
    out.sort_by(|a, b| {
        (kinds::rank(a.live.type_name), &a.live.import_id)
            .cmp(&(kinds::rank(b.live.type_name), &b.live.import_id))
    });
    tracing::debug!(objects = out.len(), elapsed = ?started.elapsed(), "read every object");
    Ok(out)
}

/// One object, or `None` when the workspace no longer has it.
pub async fn read_one(
    engine: &Engine,
    api: &Client,
    live: Live,
) -> Result<Option<Desired>, ReadError> {
    let fail = |message: String| ReadError {
        type_name: live.type_name.to_string(),
        import_id: live.import_id.clone(),
        message,
    };
    let state = engine
        .import_state(api, live.type_name, &live.import_id)
        .await
        .map_err(|diags| {
            fail(
                diags
                    .iter()
                    .map(|d| format!("{}: {}", d.summary, d.detail))
                    .collect::<Vec<_>>()
                    .join("; "),
            )
        })?;
    let Some(state) = state else { return Ok(None) };
    let state = state.as_entries().cloned().unwrap_or_default();
    // Labels have no `id` attribute: their import ID names them.
    let id = match state.get("id") {
        Some(Value::String(id)) => id.clone(),
        _ => live.import_id.clone(),
    };
    Ok(Some(Desired { live, id, state }))
}

/// The attributes a configuration sets, in schema order: every argument
/// with a value. References and secrets are plain strings here; see
/// [`crate::naming`] for what turns them into `segment_x.y.id` and `var.z`.
pub fn attributes(spec: &ResourceSpec, state: &BTreeMap<String, Value>) -> Vec<(String, Hv)> {
    spec.fields
        .iter()
        .filter(|f| f.role != Role::Computed)
        .filter_map(|f| {
            let v = state.get(f.name)?;
            if matches!(v, Value::Null | Value::Unknown) {
                return None;
            }
            Some((f.name.to_string(), field_value(f, v)))
        })
        .collect()
}

fn field_value(f: &Field, v: &Value) -> Hv {
    match (f.json, v) {
        (JsonMode::None, _) => hv(v, &f.ty),
        (_, Value::String(text)) => match json_attr::parse(text) {
            Some(json) => Hv::Json(Box::new(Hv::from_json(&json))),
            None => Hv::String(text.clone()),
        },
        _ => hv(v, &f.ty),
    }
}

/// A Terraform value as HCL. Null attributes of objects are written out
/// unless the type lets a configuration leave them out.
fn hv(v: &Value, ty: &Type) -> Hv {
    match v {
        Value::Null | Value::Unknown => Hv::Null,
        Value::String(s) => Hv::String(s.clone()),
        Value::Bool(b) => Hv::Bool(*b),
        Value::Number(n) => Hv::Number(n.to_string()),
        Value::List(items) | Value::Set(items) | Value::Tuple(items) => {
            let elem = match ty {
                Type::List(e) | Type::Set(e) => (**e).clone(),
                _ => Type::Dynamic,
            };
            Hv::List(items.iter().map(|i| hv(i, &elem)).collect())
        }
        Value::Map(m) => {
            let elem = match ty {
                Type::Map(e) => (**e).clone(),
                _ => Type::Dynamic,
            };
            Hv::Object(m.iter().map(|(k, v)| (k.clone(), hv(v, &elem))).collect())
        }
        Value::Object(m) => {
            let (types, optional) = match ty {
                Type::Object {
                    attributes,
                    optional,
                } => (Some(attributes), Some(optional)),
                _ => (None, None),
            };
            Hv::Object(
                m.iter()
                    .filter(|(k, v)| {
                        !(v.is_null() && optional.is_some_and(|o| o.contains(k.as_str())))
                    })
                    .map(|(k, v)| {
                        let t = types
                            .and_then(|t| t.get(k))
                            .cloned()
                            .unwrap_or(Type::Dynamic);
                        (k.clone(), hv(v, &t))
                    })
                    .collect(),
            )
        }
        Value::Dynamic { ty, value } => hv(value, ty),
    }
}

/// Why the provider would refuse the configuration written for `d`, if it
/// would: the workspace can hold what the provider's own checks refuse (a
/// user group without permissions), and one such block would fail every
/// plan of the repository. The check is the provider's own
/// ValidateResourceTypeConfig over the arguments the generator writes.
pub fn refusal(engine: &Engine, d: &Desired) -> Option<String> {
    let spec = engine.resource_spec(d.live.type_name)?;
    let config = Value::Object(
        spec.fields
            .iter()
            .map(|f| {
                let v = match f.role {
                    Role::Computed => Value::Null,
                    _ => d.state.get(f.name).cloned().unwrap_or(Value::Null),
                };
                (f.name.to_string(), v)
            })
            .collect(),
    );
    let errors: Vec<String> = engine
        .validate_resource(d.live.type_name, &config)
        .iter()
        .filter(|e| e.is_error())
        .map(|e| e.detail.clone())
        .collect();
    (!errors.is_empty()).then(|| errors.join(" "))
}

/// Whether a field's lists compare as sets.
pub fn is_set(spec: &ResourceSpec, attribute: &str) -> bool {
    spec.field(attribute)
        .is_some_and(|f| matches!(f.ty, Type::Set(_)))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use segment_resources::{data_sources, resources};

    /// The user group "Analysts" (id `g1`) without members.
    pub(crate) fn group(permissions: Vec<Value>) -> Desired {
        Desired {
            live: Live {
                type_name: "segment_user_group",
                import_id: "g1".into(),
                audit_id: "g1".into(),
            },
            id: "g1".into(),
            state: BTreeMap::from([
                ("id".to_string(), Value::from("g1")),
                ("name".to_string(), Value::from("Analysts")),
                ("members".to_string(), Value::Set(Vec::new())),
                ("permissions".to_string(), Value::Set(permissions)),
            ]),
        }
    }

    #[test]
    fn the_providers_own_checks_say_what_cannot_be_written() {
        let engine = Engine::new(resources::all(), data_sources::all());
        let refused = refusal(&engine, &group(Vec::new())).expect("refused");
        assert!(refused.contains("permission"), "{refused}");
        let owner = Value::object([
            ("role_id", Value::from("r1")),
            ("resources", Value::Set(Vec::new())),
        ]);
        assert_eq!(refusal(&engine, &group(vec![owner])), None);
    }
}
