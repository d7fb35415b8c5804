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

/// A 403 on a write is almost always a read-only token (plans work, so
/// the user learns only at apply): say which token would do.
fn forbidden_hint(action: &str) -> String {
    format!(
        "\n\nThe token may read but not {action}: it is read-only, or its role does not \
         cover this resource. Use a token with the Workspace Owner role (for the local \
         workspace server: `segment-workspace token create --scope workspace-owner`), in the \
         provider's `token` or PUBLIC_API_TOKEN. This request changed nothing."
    )
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
            let mut summary = format!("Cannot {action} {}", spec.type_name);
            let mut detail = e.to_string();
            let attribute = e
                .api()
                .and_then(|a| a.field())
                .and_then(|f| attribute_for(spec, f));
            if let Some(a) = &attribute {
                detail.push_str(&format!("\n\nThe workspace rejected the value of `{a}`."));
            }
            if e.status() == Some(403) && action != "read" {
                summary.push_str(": the token is read-only");
                detail.push_str(&forbidden_hint(action));
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
