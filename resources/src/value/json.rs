//! DynamicValue's JSON encoding, used for `DynamicValue.json` and for the
//! stored state that UpgradeResourceState hands over (`raw_state.json`).
//!
//! The rules follow go-cty's json package: `null` is null for any type;
//! strings, numbers and bools convert between each other where Terraform's
//! own conversion would (`"12"` is a fine number, `true` a fine string);
//! absent object attributes are null; a value in a `dynamic` slot is
//! `{"value": ..., "type": ...}`. JSON has no unknowns.

use std::collections::BTreeMap;

use super::json_tree::{self, Json};
use super::{AttributePath, DecodeError, EncodeError, Number, PathStep, Type, Value};

#[derive(Clone, Copy, Debug, Default)]
pub struct JsonOptions {
    /// Drop object attributes the type does not know instead of failing.
    /// Stored state keeps attributes a newer schema removed; upgrading it
    /// should forget them, not fail.
    pub ignore_undefined_attributes: bool,
}

pub fn decode_json(bytes: &[u8], ty: &Type) -> Result<Value, DecodeError> {
    decode_json_with(bytes, ty, JsonOptions::default())
}

pub fn decode_json_with(
    bytes: &[u8],
    ty: &Type,
    options: JsonOptions,
) -> Result<Value, DecodeError> {
    let json = json_tree::parse(bytes).map_err(|e| DecodeError {
        path: AttributePath::root(),
        message: format!("invalid JSON: {e}"),
    })?;
    let mut decoder = Decoder {
        path: AttributePath::root(),
        options,
    };
    decoder.value(json, ty)
}

struct Decoder {
    path: AttributePath,
    options: JsonOptions,
}

impl Decoder {
    fn err(&self, message: impl Into<String>) -> DecodeError {
        DecodeError {
            path: self.path.clone(),
            message: message.into(),
        }
    }

    fn at<T>(
        &mut self,
        step: PathStep,
        f: impl FnOnce(&mut Self) -> Result<T, DecodeError>,
    ) -> Result<T, DecodeError> {
        self.path.push(step);
        let out = f(self)?;
        self.path.pop();
        Ok(out)
    }

    fn value(&mut self, json: Json, ty: &Type) -> Result<Value, DecodeError> {
        if let Json::Null = json {
            return Ok(Value::Null);
        }
        match (ty, json) {
            (Type::Dynamic, Json::Object(mut parts)) => {
                let (type_json, value) = (parts.remove("type"), parts.remove("value"));
                let (Some(type_json), Some(value), true) = (type_json, value, parts.is_empty())
                else {
                    return Err(self.err(r#"dynamic value must be {"value": ..., "type": ...}"#));
                };
                let ty = Type::from_json_value(&tree_to_serde(type_json))
                    .map_err(|e| self.err(e.to_string()))?;
                let value = self.value(value, &ty)?;
                Ok(Value::Dynamic {
                    ty,
                    value: Box::new(value),
                })
            }
            (Type::String, Json::String(s)) => Ok(Value::String(s)),
            (Type::String, Json::Number(text)) => Ok(Value::String(text)),
            (Type::String, Json::Bool(b)) => Ok(Value::String(b.to_string())),
            (Type::Number, Json::Number(text) | Json::String(text)) => text
                .parse::<Number>()
                .map(Value::Number)
                .map_err(|e| self.err(e.to_string())),
            (Type::Bool, Json::Bool(b)) => Ok(Value::Bool(b)),
            (Type::Bool, Json::String(s)) if s == "true" || s == "false" => {
                Ok(Value::Bool(s == "true"))
            }
            (Type::List(elem), Json::Array(items)) => {
                let mut out = Vec::with_capacity(items.len());
                for (i, item) in items.into_iter().enumerate() {
                    out.push(self.at(PathStep::Index(i as i64), |d| d.value(item, elem))?);
                }
                Ok(Value::List(out))
            }
            (Type::Set(elem), Json::Array(items)) => Ok(Value::Set(
                items
                    .into_iter()
                    .map(|item| self.value(item, elem))
                    .collect::<Result<_, _>>()?,
            )),
            (Type::Tuple(elems), Json::Array(items)) => {
                if items.len() != elems.len() {
                    return Err(self.err(format!(
                        "tuple needs {} elements, found {}",
                        elems.len(),
                        items.len()
                    )));
                }
                let mut out = Vec::with_capacity(items.len());
                for (i, (item, elem)) in items.into_iter().zip(elems).enumerate() {
                    out.push(self.at(PathStep::Index(i as i64), |d| d.value(item, elem))?);
                }
                Ok(Value::Tuple(out))
            }
            (Type::Map(elem), Json::Object(entries)) => {
                let mut out = BTreeMap::new();
                for (key, item) in entries {
                    let v = self.at(PathStep::Key(key.clone()), |d| d.value(item, elem))?;
                    out.insert(key, v);
                }
                Ok(Value::Map(out))
            }
            (Type::Object { attributes, .. }, Json::Object(entries)) => {
                let mut out = BTreeMap::new();
                for (key, item) in entries {
                    let Some(attr_ty) = attributes.get(&key) else {
                        if self.options.ignore_undefined_attributes {
                            continue;
                        }
                        return Err(self.err(format!("unsupported attribute {key:?}")));
                    };
                    let v =
                        self.at(PathStep::Attribute(key.clone()), |d| d.value(item, attr_ty))?;
                    out.insert(key, v);
                }
                for name in attributes.keys() {
                    out.entry(name.clone()).or_insert(Value::Null);
                }
                Ok(Value::Object(out))
            }
            (ty, json) => Err(self.err(format!(
                "expected {}, found JSON {}",
                ty.friendly_name(),
                describe(&json)
            ))),
        }
    }
}

fn describe(json: &Json) -> &'static str {
    match json {
        Json::Null => "null",
        Json::Bool(_) => "bool",
        Json::Number(_) => "number",
        Json::String(_) => "string",
        Json::Array(_) => "array",
        Json::Object(_) => "object",
    }
}

/// Type specs contain no numbers, so the lossy serde form is fine for them.
fn tree_to_serde(json: Json) -> serde_json::Value {
    match json {
        Json::Null => serde_json::Value::Null,
        Json::Bool(b) => b.into(),
        Json::Number(text) => serde_json::from_str(&text).unwrap_or(serde_json::Value::Null),
        Json::String(s) => s.into(),
        Json::Array(items) => items.into_iter().map(tree_to_serde).collect(),
        Json::Object(m) => m.into_iter().map(|(k, v)| (k, tree_to_serde(v))).collect(),
    }
}

/// Writes `value` as `ty` in JSON. Fails on unknowns (JSON cannot hold
/// them), infinities, and values that do not fit the type.
pub fn encode_json(value: &Value, ty: &Type) -> Result<Vec<u8>, EncodeError> {
    let mut out = String::new();
    let mut path = AttributePath::root();
    write_value(&mut out, &mut path, value, ty)?;
    Ok(out.into_bytes())
}

/// `[...]`, each element written as its type says, at its index in `path`.
fn write_array<'v>(
    out: &mut String,
    path: &mut AttributePath,
    items: impl Iterator<Item = (&'v Value, &'v Type)>,
) -> Result<(), EncodeError> {
    out.push('[');
    for (i, (item, ty)) in items.enumerate() {
        if i > 0 {
            out.push(',');
        }
        path.push(PathStep::Index(i as i64));
        write_value(out, path, item, ty)?;
        path.pop();
    }
    out.push(']');
    Ok(())
}

fn write_value(
    out: &mut String,
    path: &mut AttributePath,
    value: &Value,
    ty: &Type,
) -> Result<(), EncodeError> {
    let err = |path: &AttributePath, message: String| EncodeError {
        path: path.clone(),
        message,
    };
    match (ty, value) {
        (_, Value::Unknown) => {
            return Err(err(path, "unknown values cannot be written as JSON".into()))
        }
        (_, Value::Null) => out.push_str("null"),
        (Type::Dynamic, Value::Dynamic { ty: inner, value }) => {
            out.push_str("{\"value\":");
            write_value(out, path, value, inner)?;
            out.push_str(",\"type\":");
            out.push_str(&inner.to_json_value().to_string());
            out.push('}');
        }
        (Type::Dynamic, known) => {
            let Some(inner) = known.implied_type() else {
                return Err(err(
                    path,
                    "cannot tell the type of this value for a dynamic attribute".into(),
                ));
            };
            let wrapped = Value::Dynamic {
                ty: inner,
                value: Box::new(known.clone()),
            };
            write_value(out, path, &wrapped, ty)?;
        }
        (Type::String, Value::String(s)) => push_json_string(out, s),
        (Type::Number, Value::Number(n)) => {
            if n.to_f64().is_infinite() {
                return Err(err(path, "infinity cannot be written as JSON".into()));
            }
            out.push_str(&n.to_string());
        }
        (Type::Bool, Value::Bool(b)) => out.push_str(if *b { "true" } else { "false" }),
        (Type::List(elem), Value::List(items)) | (Type::Set(elem), Value::Set(items)) => {
            write_array(out, path, items.iter().map(|item| (item, &**elem)))?;
        }
        (Type::Tuple(elems), Value::Tuple(items)) if elems.len() == items.len() => {
            write_array(out, path, items.iter().zip(elems))?;
        }
        (Type::Map(elem), Value::Map(entries)) => {
            let typed = entries
                .iter()
                .map(|(k, v)| (k, v, elem.as_ref(), PathStep::Key(k.clone())));
            write_object(out, path, typed)?;
        }
        (Type::Object { attributes, .. }, Value::Object(entries)) => {
            if let Some(extra) = entries.keys().find(|k| !attributes.contains_key(*k)) {
                return Err(err(
                    path,
                    format!("attribute {extra:?} is not in the schema"),
                ));
            }
            let typed = attributes.iter().map(|(k, t)| {
                (
                    k,
                    entries.get(k).unwrap_or(&Value::Null),
                    t,
                    PathStep::Attribute(k.clone()),
                )
            });
            write_object(out, path, typed)?;
        }
        (ty, value) => {
            return Err(err(
                path,
                format!(
                    "value {} does not fit type {}",
                    super::msgpack::variant_name(value),
                    ty.friendly_name()
                ),
            ))
        }
    }
    Ok(())
}

fn write_object<'a>(
    out: &mut String,
    path: &mut AttributePath,
    entries: impl Iterator<Item = (&'a String, &'a Value, &'a Type, PathStep)>,
) -> Result<(), EncodeError> {
    out.push('{');
    for (i, (key, item, ty, step)) in entries.enumerate() {
        if i > 0 {
            out.push(',');
        }
        push_json_string(out, key);
        out.push(':');
        path.push(step);
        write_value(out, path, item, ty)?;
        path.pop();
    }
    out.push('}');
    Ok(())
}

fn push_json_string(out: &mut String, s: &str) {
    out.push_str(&serde_json::Value::from(s).to_string());
}
