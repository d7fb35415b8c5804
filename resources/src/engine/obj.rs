//! [`Obj`]: a resource's attributes as resource files read and write them,
//! and [`Failure`], what goes wrong there.

use std::collections::BTreeMap;

use segment_api::models::Settings;

use super::convert::{json_to_value, value_to_json};
use crate::value::{Type, Value};

/// Why a resource operation failed.
#[derive(Debug)]
pub enum Failure {
    /// The API refused or could not be reached.
    Api(segment_api::Error),
    /// A value the resource cannot use, pointing at the attribute.
    Invalid { attribute: String, message: String },
}

impl From<segment_api::Error> for Failure {
    fn from(e: segment_api::Error) -> Self {
        Failure::Api(e)
    }
}

impl Failure {
    pub fn invalid(attribute: impl Into<String>, message: impl Into<String>) -> Failure {
        Failure::Invalid {
            attribute: attribute.into(),
            message: message.into(),
        }
    }
}

/// The attributes of one object. Missing attributes read as null.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Obj(pub BTreeMap<String, Value>);

static NULL: Value = Value::Null;

impl Obj {
    pub fn new() -> Obj {
        Obj::default()
    }

    /// The attributes of a known object value; empty for null.
    pub fn from_value(v: &Value) -> Obj {
        Obj(v.as_entries().cloned().unwrap_or_default())
    }

    pub fn into_value(self) -> Value {
        Value::Object(self.0)
    }

    pub fn get(&self, name: &str) -> &Value {
        self.0.get(name).unwrap_or(&NULL)
    }

    pub fn set(&mut self, name: &str, v: impl Into<Value>) -> &mut Obj {
        self.0.insert(name.to_string(), v.into());
        self
    }

    pub fn with(mut self, name: &str, v: impl Into<Value>) -> Obj {
        self.set(name, v);
        self
    }

    /// A known string, if set.
    pub fn str(&self, name: &str) -> Option<&str> {
        self.get(name).as_str()
    }

    /// A string the resource cannot do without.
    pub fn string(&self, name: &str) -> Result<String, Failure> {
        self.str(name)
            .map(str::to_string)
            .ok_or_else(|| Failure::invalid(name, format!("`{name}` must be set to a known value")))
    }

    pub fn opt_string(&self, name: &str) -> Option<String> {
        self.str(name).map(str::to_string)
    }

    pub fn bool(&self, name: &str) -> Option<bool> {
        self.get(name).as_bool()
    }

    pub fn i64(&self, name: &str) -> Option<i64> {
        self.get(name).as_number().and_then(|n| n.as_i64())
    }

    pub fn f64(&self, name: &str) -> Option<f64> {
        self.get(name).as_number().map(|n| n.to_f64())
    }

    /// A string attribute of a nested object: `metadata.id`.
    pub fn nested_str(&self, name: &str, inner: &str) -> Option<&str> {
        self.get(name).get(inner).and_then(Value::as_str)
    }

    /// A JSON-string attribute parsed as an object (settings).
    pub fn json_object(&self, name: &str) -> Result<Option<Settings>, Failure> {
        let Some(text) = self.str(name) else {
            return Ok(None);
        };
        match serde_json::from_str::<serde_json::Value>(text) {
            Ok(serde_json::Value::Object(map)) => Ok(Some(map)),
            Ok(_) => Err(Failure::invalid(
                name,
                format!("`{name}` must be a JSON object"),
            )),
            Err(e) => Err(Failure::invalid(
                name,
                format!("`{name}` is not valid JSON: {e}"),
            )),
        }
    }

    /// Any attribute converted to API JSON (snake_case keys become camelCase).
    pub fn json(&self, name: &str) -> serde_json::Value {
        value_to_json(self.get(name))
    }

    /// Decodes an attribute into an API model (snake_case → camelCase).
    pub fn model<T: serde::de::DeserializeOwned>(&self, name: &str) -> Result<T, Failure> {
        serde_json::from_value(self.json(name))
            .map_err(|e| Failure::invalid(name, format!("`{name}`: {e}")))
    }

    /// Sets an attribute from API JSON, shaped by the attribute's type.
    pub fn set_json(&mut self, name: &str, json: &serde_json::Value, ty: &Type) -> &mut Obj {
        self.set(name, json_to_value(json, ty))
    }

    /// Sets an attribute from an API model.
    pub fn set_model<T: serde::Serialize>(&mut self, name: &str, model: &T, ty: &Type) -> &mut Obj {
        let json = serde_json::to_value(model).unwrap_or(serde_json::Value::Null);
        self.set_json(name, &json, ty)
    }

    /// Sets a JSON-string attribute (settings) from an API object.
    pub fn set_json_string(&mut self, name: &str, json: &Settings) -> &mut Obj {
        self.set(
            name,
            super::json_attr::canonical(&serde_json::Value::Object(json.clone())),
        )
    }
}
