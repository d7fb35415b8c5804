//! Checks on configuration before any plan: the engine's share of
//! ValidateResourceTypeConfig. Unknown values are skipped (they are checked
//! again once known, at apply).

use super::json_attr;
use super::{Check, JsonMode, Obj, ResourceSpec, Role};
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::value::{AttributePath, Value};

pub fn validate(spec: &ResourceSpec, config: &Value) -> Diagnostics {
    let config = Obj::from_value(config);
    let mut diags = Diagnostics::new();
    for f in &spec.fields {
        let v = config.get(f.name);
        // Terraform checks only that a required argument is written;
        // `name = null` reaches the provider.
        if f.role == Role::Required && v.is_null() {
            diags.push(
                Diagnostic::error(
                    format!("Missing value for {}", f.name),
                    format!("`{}` is required and cannot be null.", f.name),
                )
                .at(AttributePath::attr(f.name)),
            );
        }
        if f.json != JsonMode::None {
            if let Some(text) = v.as_str() {
                match json_attr::parse(text) {
                    Some(serde_json::Value::Object(_)) => {}
                    _ => diags.push(
                        Diagnostic::error(
                            format!("Invalid JSON in {}", f.name),
                            format!(
                                "`{}` must be a JSON object, such as jsonencode({{ key = \"value\" }}).",
                                f.name
                            ),
                        )
                        .at(AttributePath::attr(f.name)),
                    ),
                }
            }
        }
        for check in &f.checks {
            if let Some(message) = failed(check, f.name, v) {
                diags.push(
                    Diagnostic::error(format!("Invalid value for {}", f.name), message)
                        .at(AttributePath::attr(f.name)),
                );
            }
        }
    }
    diags
}

/// What is wrong with `v`, if the check fails on it.
pub fn failed(check: &Check, name: &str, v: &Value) -> Option<String> {
    match (check, v) {
        (Check::OneOf(words), Value::String(s)) if !words.contains(&s.as_str()) => Some(format!(
            "`{name}` is {s:?}; it must be one of: {}.",
            words.join(", ")
        )),
        (Check::NonEmpty, Value::String(s)) if s.trim().is_empty() => {
            Some(format!("`{name}` must not be empty."))
        }
        (Check::Range(low, high), Value::Number(n)) => {
            let x = n.to_f64();
            (x < *low || x > *high)
                .then(|| format!("`{name}` is {n}; it must be from {low} to {high}."))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::Field;
    use crate::value::Type;

    #[test]
    fn a_required_argument_set_to_null_is_an_error() {
        let spec = ResourceSpec {
            type_name: "segment_thing",
            description: "",
            fields: vec![
                Field::required("slug", Type::String, ""),
                Field::optional("name", Type::String, ""),
            ],
            import: None,
        };
        let config = Value::object([("slug", Value::Null), ("name", Value::Null)]);
        let diags = validate(&spec, &config);
        assert_eq!(diags.len(), 1, "{diags:?}");
        let unknown = Value::object([("slug", Value::Unknown), ("name", Value::Null)]);
        assert!(validate(&spec, &unknown).is_empty());
    }
}
