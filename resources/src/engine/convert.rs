//! Between Terraform values and API JSON. Object attributes are snake_case
//! in Terraform and camelCase on the wire; this is the one place that knows.

use std::collections::BTreeMap;

use serde_json::Value as Json;

use crate::value::{Number, Type, Value};

/// `role_id` → `roleId`.
pub fn camel(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut upper = false;
    for c in name.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// A Terraform value as API JSON: nulls dropped from objects, unknowns null.
pub fn value_to_json(v: &Value) -> Json {
    match v {
        Value::Null | Value::Unknown => Json::Null,
        Value::String(s) => Json::String(s.clone()),
        Value::Bool(b) => Json::Bool(*b),
        Value::Number(n) => number_to_json(n),
        Value::List(vs) | Value::Set(vs) | Value::Tuple(vs) => {
            Json::Array(vs.iter().map(value_to_json).collect())
        }
        Value::Map(m) => Json::Object(
            m.iter()
                .map(|(k, v)| (k.clone(), value_to_json(v)))
                .collect(),
        ),
        Value::Object(m) => Json::Object(
            m.iter()
                .filter(|(_, v)| v.is_known())
                .map(|(k, v)| (camel(k), value_to_json(v)))
                .collect(),
        ),
        Value::Dynamic { value, .. } => value_to_json(value),
    }
}

fn number_to_json(n: &Number) -> Json {
    if let Some(i) = n.as_i64() {
        return Json::from(i);
    }
    serde_json::Number::from_f64(n.to_f64())
        .map(Json::Number)
        .unwrap_or(Json::Null)
}

/// API JSON as a Terraform value of type `ty`. Object attributes are looked
/// up by their camelCase name (or as written); whatever is missing or of
/// the wrong shape becomes null, so a surprising answer never fails a read.
pub fn json_to_value(j: &Json, ty: &Type) -> Value {
    match (ty, j) {
        (_, Json::Null) => Value::Null,
        (Type::String, Json::String(s)) => Value::String(s.clone()),
        // Numbers and booleans in a string slot keep their JSON spelling.
        (Type::String, Json::Number(n)) => Value::String(n.to_string()),
        (Type::String, Json::Bool(b)) => Value::String(b.to_string()),
        (Type::String, other @ (Json::Object(_) | Json::Array(_))) => {
            Value::String(super::json_attr::canonical(other))
        }
        (Type::Bool, Json::Bool(b)) => Value::Bool(*b),
        (Type::Number, Json::Number(n)) => n
            .to_string()
            .parse::<Number>()
            .map(Value::Number)
            .unwrap_or(Value::Null),
        (Type::List(elem), Json::Array(items)) => {
            Value::List(items.iter().map(|i| json_to_value(i, elem)).collect())
        }
        (Type::Set(elem), Json::Array(items)) => {
            Value::Set(items.iter().map(|i| json_to_value(i, elem)).collect())
        }
        (Type::Map(elem), Json::Object(m)) => Value::Map(
            m.iter()
                .map(|(k, v)| (k.clone(), json_to_value(v, elem)))
                .collect(),
        ),
        (Type::Object { attributes, .. }, Json::Object(m)) => Value::Object(
            attributes
                .iter()
                .map(|(name, t)| {
                    let found = m.get(&camel(name)).or_else(|| m.get(name.as_str()));
                    (
                        name.clone(),
                        found.map_or(Value::Null, |v| json_to_value(v, t)),
                    )
                })
                .collect::<BTreeMap<_, _>>(),
        ),
        _ => Value::Null,
    }
}

/// An object of type `ty` with every attribute present: `overrides` first,
/// then what `prior` holds, then null. Terraform needs every attribute of an
/// object type spelled out, nulls included.
pub fn object_of(ty: &Type, prior: &Value, overrides: &[(&str, Value)]) -> Value {
    let Type::Object { attributes, .. } = ty else {
        return Value::Null;
    };
    Value::Object(
        attributes
            .keys()
            .map(|name| {
                let v = overrides
                    .iter()
                    .find(|(k, _)| k == name)
                    .map(|(_, v)| v.clone())
                    .or_else(|| prior.get(name).cloned())
                    .unwrap_or(Value::Null);
                (name.clone(), v)
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn camel_case_names() {
        assert_eq!(camel("role_id"), "roleId");
        assert_eq!(camel("is_cloud_event_source"), "isCloudEventSource");
        assert_eq!(camel("id"), "id");
    }

    #[test]
    fn objects_round_trip_through_camel_case() {
        let ty = Type::set(Type::object([
            ("role_id", Type::String),
            (
                "resources",
                Type::list(Type::object([("id", Type::String), ("type", Type::String)])),
            ),
        ]));
        let j =
            json!([{"roleId": "r", "resources": [{"id": "w", "type": "WORKSPACE", "extra": 1}]}]);
        let v = json_to_value(&j, &ty);
        assert_eq!(
            value_to_json(&v),
            json!([{"roleId": "r", "resources": [{"id": "w", "type": "WORKSPACE"}]}])
        );
    }

    #[test]
    fn surprising_shapes_become_null() {
        assert_eq!(json_to_value(&json!("x"), &Type::Bool), Value::Null);
        assert_eq!(json_to_value(&json!(3), &Type::String), Value::from("3"));
        let n = json_to_value(&json!(0.5), &Type::Number);
        assert_eq!(value_to_json(&n), json!(0.5));
    }
}
