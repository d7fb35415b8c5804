//! Terraform types and their JSON spelling.
//!
//! Schemas carry attribute types as JSON: `"string"`, `["list","string"]`,
//! `["object",{"a":"number"}]`, `["object",{"a":"number"},["a"]]` (the third
//! element lists optional attributes), `["tuple",["string","bool"]]`,
//! `"dynamic"`. Values in `dynamic` slots carry their type in the same
//! spelling, so this is also part of the value codec.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value as Json;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Type {
    String,
    Number,
    Bool,
    /// Any type, decided per value (`cty.DynamicPseudoType`).
    Dynamic,
    List(Box<Type>),
    Set(Box<Type>),
    Map(Box<Type>),
    Object {
        attributes: BTreeMap<String, Type>,
        /// Attributes a user may leave out in configuration; they then
        /// arrive as null. Only meaningful in schema type constraints.
        optional: BTreeSet<String>,
    },
    Tuple(Vec<Type>),
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TypeError {
    #[error("type is not valid JSON: {0}")]
    Json(String),
    #[error("invalid type {0}")]
    Invalid(String),
}

impl Type {
    pub fn list(elem: Type) -> Type {
        Type::List(Box::new(elem))
    }

    pub fn set(elem: Type) -> Type {
        Type::Set(Box::new(elem))
    }

    pub fn map(elem: Type) -> Type {
        Type::Map(Box::new(elem))
    }

    /// An object type with no optional attributes.
    pub fn object<K: Into<String>>(attributes: impl IntoIterator<Item = (K, Type)>) -> Type {
        Type::Object {
            attributes: attributes.into_iter().map(|(k, t)| (k.into(), t)).collect(),
            optional: BTreeSet::new(),
        }
    }

    /// Marks attributes of an object type optional (no-op on other types).
    pub fn with_optional<K: Into<String>>(mut self, names: impl IntoIterator<Item = K>) -> Type {
        if let Type::Object { optional, .. } = &mut self {
            optional.extend(names.into_iter().map(Into::into));
        }
        self
    }

    /// Whether `dynamic` appears anywhere inside. Terraform then cannot use
    /// a list or map for nested blocks (see `schema::Block::value_type`).
    pub fn has_dynamic(&self) -> bool {
        match self {
            Type::Dynamic => true,
            Type::String | Type::Number | Type::Bool => false,
            Type::List(t) | Type::Set(t) | Type::Map(t) => t.has_dynamic(),
            Type::Object { attributes, .. } => attributes.values().any(Type::has_dynamic),
            Type::Tuple(ts) => ts.iter().any(Type::has_dynamic),
        }
    }

    pub fn from_json(bytes: &[u8]) -> Result<Type, TypeError> {
        let json: Json =
            serde_json::from_slice(bytes).map_err(|e| TypeError::Json(e.to_string()))?;
        Type::from_json_value(&json)
    }

    pub fn from_json_value(json: &Json) -> Result<Type, TypeError> {
        let invalid = || TypeError::Invalid(json.to_string());
        match json {
            Json::String(name) => match name.as_str() {
                "string" => Ok(Type::String),
                "number" => Ok(Type::Number),
                "bool" => Ok(Type::Bool),
                "dynamic" => Ok(Type::Dynamic),
                _ => Err(invalid()),
            },
            Json::Array(parts) => {
                let kind = parts.first().and_then(Json::as_str).ok_or_else(invalid)?;
                match (kind, &parts[1..]) {
                    ("list", [e]) => Ok(Type::list(Type::from_json_value(e)?)),
                    ("set", [e]) => Ok(Type::set(Type::from_json_value(e)?)),
                    ("map", [e]) => Ok(Type::map(Type::from_json_value(e)?)),
                    ("tuple", [Json::Array(es)]) => Ok(Type::Tuple(
                        es.iter()
                            .map(Type::from_json_value)
                            .collect::<Result<_, _>>()?,
                    )),
                    ("object", [Json::Object(attrs)]) => Ok(Type::Object {
                        attributes: parse_attributes(attrs)?,
                        optional: BTreeSet::new(),
                    }),
                    ("object", [Json::Object(attrs), Json::Array(opt)]) => {
                        let attributes = parse_attributes(attrs)?;
                        let optional = opt
                            .iter()
                            .map(|o| match o.as_str() {
                                Some(name) if attributes.contains_key(name) => Ok(name.to_owned()),
                                _ => Err(invalid()),
                            })
                            .collect::<Result<_, _>>()?;
                        Ok(Type::Object {
                            attributes,
                            optional,
                        })
                    }
                    _ => Err(invalid()),
                }
            }
            _ => Err(invalid()),
        }
    }

    /// Attribute keys come out sorted, like Terraform's own encoder.
    pub fn to_json_value(&self) -> Json {
        match self {
            Type::String => Json::from("string"),
            Type::Number => Json::from("number"),
            Type::Bool => Json::from("bool"),
            Type::Dynamic => Json::from("dynamic"),
            Type::List(e) => Json::Array(vec!["list".into(), e.to_json_value()]),
            Type::Set(e) => Json::Array(vec!["set".into(), e.to_json_value()]),
            Type::Map(e) => Json::Array(vec!["map".into(), e.to_json_value()]),
            Type::Tuple(es) => Json::Array(vec![
                "tuple".into(),
                Json::Array(es.iter().map(Type::to_json_value).collect()),
            ]),
            Type::Object {
                attributes,
                optional,
            } => {
                let attrs = attributes
                    .iter()
                    .map(|(k, t)| (k.clone(), t.to_json_value()))
                    .collect();
                let mut parts = vec!["object".into(), Json::Object(attrs)];
                if !optional.is_empty() {
                    parts.push(Json::Array(
                        optional.iter().map(|o| o.as_str().into()).collect(),
                    ));
                }
                Json::Array(parts)
            }
        }
    }

    pub fn to_json(&self) -> Vec<u8> {
        self.to_json_value().to_string().into_bytes()
    }

    /// Short human name for error messages ("list of string").
    pub fn friendly_name(&self) -> String {
        match self {
            Type::String => "string".into(),
            Type::Number => "number".into(),
            Type::Bool => "bool".into(),
            Type::Dynamic => "any type".into(),
            Type::List(e) => format!("list of {}", e.friendly_name()),
            Type::Set(e) => format!("set of {}", e.friendly_name()),
            Type::Map(e) => format!("map of {}", e.friendly_name()),
            Type::Object { .. } => "object".into(),
            Type::Tuple(_) => "tuple".into(),
        }
    }
}

fn parse_attributes(
    attrs: &serde_json::Map<String, Json>,
) -> Result<BTreeMap<String, Type>, TypeError> {
    attrs
        .iter()
        .map(|(k, v)| Ok((k.clone(), Type::from_json_value(v)?)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(text: &str) -> Type {
        let ty = Type::from_json(text.as_bytes()).expect("valid type");
        assert_eq!(String::from_utf8(ty.to_json()).expect("utf8"), text);
        ty
    }

    #[test]
    fn parses_and_prints_terraform_spellings() {
        assert_eq!(round_trip(r#""string""#), Type::String);
        assert_eq!(round_trip(r#"["list","string"]"#), Type::list(Type::String));
        assert_eq!(
            round_trip(r#"["map",["set","number"]]"#),
            Type::map(Type::set(Type::Number))
        );
        assert_eq!(
            round_trip(r#"["tuple",["bool","dynamic"]]"#),
            Type::Tuple(vec![Type::Bool, Type::Dynamic])
        );
        let obj = round_trip(r#"["object",{"path":"string","type":"string"},["path"]]"#);
        assert_eq!(
            obj,
            Type::object([("type", Type::String), ("path", Type::String)]).with_optional(["path"])
        );
        round_trip(r#"["object",{}]"#);
    }

    #[test]
    fn sorts_object_attributes() {
        let ty = Type::from_json(br#"["object",{"b":"bool","a":"string"}]"#).expect("valid");
        assert_eq!(ty.to_json(), br#"["object",{"a":"string","b":"bool"}]"#);
    }

    #[test]
    fn rejects_invalid_types() {
        for bad in [
            r#""str""#,
            r#"["list"]"#,
            r#"["list","string","x"]"#,
            r#"["object",{"a":"string"},["b"]]"#,
            r#"["tuple","string"]"#,
            "42",
            "not json",
        ] {
            assert!(Type::from_json(bad.as_bytes()).is_err(), "{bad}");
        }
    }

    #[test]
    fn finds_dynamic_inside() {
        assert!(Type::list(Type::object([("a", Type::Dynamic)])).has_dynamic());
        assert!(!Type::map(Type::String).has_dynamic());
    }
}
