//! Failures as diagnostics that point at the attribute concerned.

use super::convert::camel;
use super::{Failure, ResourceSpec};
use crate::diagnostics::Diagnostic;
use crate::value::AttributePath;

/// The attribute an API error's `field` names: `settings.apiKey` is in
/// `settings`, `metadataId` is `metadata`, `sourceId` is `source_id`.
fn attribute_for(spec: &ResourceSpec, api_field: &str) -> Option<String> {
    let head = api_field
        .split(['.', '['])
        .next()
        .unwrap_or(api_field)
        .trim_end_matches("Id");
    spec.fields
        .iter()
        .map(|f| f.name)
        .find(|name| {
            let c = camel(name);
            c == head || c == format!("{head}Id") || *name == head
        })
        .map(str::to_string)
}

pub fn diagnose(spec: &ResourceSpec, action: &str, failure: Failure) -> Diagnostic {
    match failure {
        Failure::Invalid { attribute, message } => {
            let d = Diagnostic::error(format!("Invalid value for {attribute}"), message);
            if spec.field(&attribute).is_some() {
                d.at(AttributePath::attr(attribute))
            } else {
                d
            }
        }
        Failure::Api(e) => {
            let summary = format!("Cannot {action} {}", spec.type_name);
            let mut detail = e.to_string();
            let attribute = e
                .api()
                .and_then(|a| a.field())
                .and_then(|f| attribute_for(spec, f));
            if let Some(a) = &attribute {
                detail.push_str(&format!("\n\nThe workspace rejected the value of `{a}`."));
            }
            let d = Diagnostic::error(summary, detail);
            match attribute {
                Some(a) => d.at(AttributePath::attr(a)),
                None => d,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::Field;
    use crate::value::Type;

    #[test]
    fn api_fields_map_to_attributes() {
        let spec = ResourceSpec {
            type_name: "segment_destination",
            description: "",
            fields: vec![
                Field::required("source_id", Type::String, ""),
                Field::required("settings", Type::String, ""),
                Field::required("metadata", Type::object([("id", Type::String)]), ""),
            ],
            import: None,
        };
        assert_eq!(
            attribute_for(&spec, "settings.apiKey").as_deref(),
            Some("settings")
        );
        assert_eq!(
            attribute_for(&spec, "sourceId").as_deref(),
            Some("source_id")
        );
        assert_eq!(
            attribute_for(&spec, "metadataId").as_deref(),
            Some("metadata")
        );
        assert_eq!(attribute_for(&spec, "nothing"), None);
    }
}
