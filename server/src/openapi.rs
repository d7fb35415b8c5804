//! `GET /openapi.json`: an OpenAPI 3.0 description of every path this
//! server serves. The description is data, in `server/openapi/`: one file
//! per resource family (its paths and the schemas of its bodies and
//! answers, written from the `segment-api` models the answers are rendered
//! through) and `base.json` for what they share. They are merged here once,
//! and every operation gets the API's error body as its 4xx answer, so no
//! file repeats it. `tests/openapi_routes.rs` holds the paths to the
//! router's; schemathesis (`tests/tests/openapi_schemathesis.rs`) holds the
//! answers to the schemas.

use std::sync::OnceLock;

use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value};

use crate::error::AppError;

/// The shared parts: the document's head, security, error and page shapes.
const BASE: &str = include_str!("../openapi/base.json");

/// A file of `openapi/` by its name, the name written once.
macro_rules! part {
    ($file:literal) => {
        ($file, include_str!(concat!("../openapi/", $file)))
    };
}

/// Each resource family's paths and schemas, by file name.
pub const PARTS: &[(&str, &str)] = &[
    part!("meta.json"),
    part!("catalog.json"),
    part!("sources.json"),
    part!("labels.json"),
    part!("destinations.json"),
    part!("filters.json"),
    part!("warehouses.json"),
    part!("tracking_plans.json"),
    part!("functions.json"),
    part!("insert_functions.json"),
    part!("transformations.json"),
    part!("reverse_etl.json"),
    part!("iam_users.json"),
    part!("iam_groups.json"),
    part!("engage.json"),
    part!("computed_traits.json"),
    part!("profiles_warehouses.json"),
];

/// The HTTP methods an OpenAPI path item names operations by.
pub const METHODS: &[&str] = &["get", "put", "post", "patch", "delete", "head", "options"];

#[derive(Debug, thiserror::Error)]
pub enum OpenApiError {
    #[error("openapi/{file}: not JSON: {source}")]
    Json {
        file: &'static str,
        source: serde_json::Error,
    },
    #[error("openapi/{file}: {section} must be an object")]
    Shape { file: &'static str, section: String },
    #[error("openapi/{file}: {section} {key:?} is described in an earlier file too")]
    Twice {
        file: &'static str,
        section: String,
        key: String,
    },
}

/// The whole description: `base.json` with every part merged in.
pub fn document() -> Result<Value, OpenApiError> {
    let mut doc = parse("base.json", BASE)?;
    for (file, text) in PARTS {
        let part = parse(file, text)?;
        merge_section(&mut doc, &part, file, &["paths"])?;
        let Some(components) = part.get("components") else {
            continue;
        };
        let Some(components) = components.as_object() else {
            return Err(shape(file, "components"));
        };
        for section in components.keys() {
            merge_section(&mut doc, &part, file, &["components", section])?;
        }
    }
    with_error_answers(&mut doc);
    Ok(doc)
}

fn parse(file: &'static str, text: &str) -> Result<Value, OpenApiError> {
    serde_json::from_str(text).map_err(|source| OpenApiError::Json { file, source })
}

fn shape(file: &'static str, section: &str) -> OpenApiError {
    OpenApiError::Shape {
        file,
        section: section.to_string(),
    }
}

/// Adds the entries of `part` at `at` to `doc`'s; a key both hold is an
/// error, so two files cannot silently describe one path differently.
fn merge_section(
    doc: &mut Value,
    part: &Value,
    file: &'static str,
    at: &[&str],
) -> Result<(), OpenApiError> {
    let section = at.join(".");
    let Some(from) = at.iter().try_fold(part, |v, k| v.get(k)) else {
        return Ok(());
    };
    let from = from.as_object().ok_or_else(|| shape(file, &section))?;
    let mut into = &mut *doc;
    for key in at {
        let Value::Object(map) = into else {
            return Err(shape("base.json", &section));
        };
        into = map
            .entry(key.to_string())
            .or_insert_with(|| Value::Object(Map::new()));
    }
    let into = into
        .as_object_mut()
        .ok_or_else(|| shape("base.json", &section))?;
    for (key, value) in from {
        if into.contains_key(key) {
            return Err(OpenApiError::Twice {
                file,
                section,
                key: key.clone(),
            });
        }
        into.insert(key.clone(), value.clone());
    }
    Ok(())
}

/// Every 4xx the server answers is the API's error body: 400 and 422 for
/// input, 401/403 for tokens, 404, 409, 413, 429 for limits.
fn with_error_answers(doc: &mut Value) {
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else {
        return;
    };
    for item in paths.values_mut() {
        for method in METHODS {
            let Some(responses) = item
                .get_mut(*method)
                .and_then(|op| op.get_mut("responses"))
                .and_then(Value::as_object_mut)
            else {
                continue;
            };
            responses
                .entry("4XX")
                .or_insert_with(|| serde_json::json!({"$ref": "#/components/responses/Error"}));
        }
    }
}

/// The description as served, made on first request.
fn served() -> &'static Result<Vec<u8>, String> {
    static SERVED: OnceLock<Result<Vec<u8>, String>> = OnceLock::new();
    SERVED.get_or_init(|| {
        document()
            .map_err(|e| e.to_string())
            .and_then(|doc| serde_json::to_vec(&doc).map_err(|e| e.to_string()))
    })
}

/// `GET /openapi.json`: no token, not limited, not counted (as `/metrics`).
pub async fn render() -> Response {
    match served() {
        Ok(bytes) => ([(header::CONTENT_TYPE, "application/json")], bytes.clone()).into_response(),
        Err(e) => AppError::internal(e).into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_parts_merge_into_one_openapi_3_document() {
        let doc = document().expect("the description merges");
        assert_eq!(doc["openapi"], "3.0.3");
        let paths = doc["paths"].as_object().expect("paths");
        assert!(paths.contains_key("/sources/{id}"), "{:?}", paths.keys());
        let op = &doc["paths"]["/sources"]["post"];
        assert_eq!(
            op["responses"]["4XX"]["$ref"],
            "#/components/responses/Error"
        );
    }

    #[test]
    fn a_path_described_twice_is_refused() {
        let mut doc = parse("base.json", BASE).expect("base");
        let part = serde_json::json!({"paths": {"/x": {}}});
        merge_section(&mut doc, &part, "a.json", &["paths"]).expect("first");
        let e = merge_section(&mut doc, &part, "b.json", &["paths"]).unwrap_err();
        assert!(e.to_string().contains("b.json"), "{e}");
    }

    #[test]
    fn every_reference_names_a_component() {
        let doc = document().expect("the description merges");
        let text = doc.to_string();
        for piece in text.split("\"$ref\":\"#/components/").skip(1) {
            let target = piece.split('"').next().unwrap_or_default();
            let (section, name) = target.split_once('/').expect("section/name");
            assert!(
                doc["components"][section].get(name).is_some(),
                "#/components/{target} is not defined"
            );
        }
    }
}
