//! The built-in integration catalog (data files in `server/catalog/`) and
//! settings validation against its option lists.

use std::collections::HashMap;
use std::sync::OnceLock;

use segment_api::models::{
    json_kind, DestinationMetadata, IntegrationOption, Settings, SourceMetadata, WarehouseMetadata,
};
use serde_json::value::RawValue;
use serde_json::Value;

use crate::error::AppError;

/// What the API shows instead of a secret.
pub const MASK: &str = "••••••••";

pub struct Catalog {
    pub sources: Vec<SourceMetadata>,
    pub destinations: Vec<DestinationMetadata>,
    pub warehouses: Vec<WarehouseMetadata>,
    /// Metadata as JSON text, made once: resources embed it in every answer.
    rendered: HashMap<String, Box<RawValue>>,
    source_index: HashMap<String, usize>,
    destination_index: HashMap<String, usize>,
    warehouse_index: HashMap<String, usize>,
}

fn index<T>(items: &[T], id: impl Fn(&T) -> &str) -> HashMap<String, usize> {
    items
        .iter()
        .enumerate()
        .map(|(i, t)| (id(t).to_string(), i))
        .collect()
}

fn parse<T: serde::de::DeserializeOwned>(name: &str, text: &str) -> Vec<T> {
    // The files ship inside the binary and a test decodes them, so a failure
    // here is a build defect, not bad input.
    serde_json::from_str(text).unwrap_or_else(|e| panic!("catalog/{name} is invalid: {e}"))
}

impl Catalog {
    pub fn get() -> &'static Catalog {
        static CATALOG: OnceLock<Catalog> = OnceLock::new();
        CATALOG.get_or_init(|| {
            let sources: Vec<SourceMetadata> =
                parse("sources.json", include_str!("../catalog/sources.json"));
            let destinations: Vec<DestinationMetadata> = parse(
                "destinations.json",
                include_str!("../catalog/destinations.json"),
            );
            let warehouses: Vec<WarehouseMetadata> = parse(
                "warehouses.json",
                include_str!("../catalog/warehouses.json"),
            );
            // Plain structs: serializing them cannot fail, and the entry
            // would only show as null if it did.
            let rendered = sources
                .iter()
                .map(|m| (m.id.clone(), serde_json::value::to_raw_value(m)))
                .chain(
                    destinations
                        .iter()
                        .map(|m| (m.id.clone(), serde_json::value::to_raw_value(m))),
                )
                .chain(
                    warehouses
                        .iter()
                        .map(|m| (m.id.clone(), serde_json::value::to_raw_value(m))),
                )
                .filter_map(|(id, v)| Some((id, v.ok()?)))
                .collect();
            Catalog {
                rendered,
                source_index: index(&sources, |m| &m.id),
                destination_index: index(&destinations, |m| &m.id),
                warehouse_index: index(&warehouses, |m| &m.id),
                sources,
                destinations,
                warehouses,
            }
        })
    }

    pub fn source(&self, id: &str) -> Option<&SourceMetadata> {
        self.source_index.get(id).map(|&i| &self.sources[i])
    }
    pub fn destination(&self, id: &str) -> Option<&DestinationMetadata> {
        self.destination_index
            .get(id)
            .map(|&i| &self.destinations[i])
    }
    pub fn warehouse(&self, id: &str) -> Option<&WarehouseMetadata> {
        self.warehouse_index.get(id).map(|&i| &self.warehouses[i])
    }

    /// The metadata of any integration as the API renders it (JSON text).
    pub fn rendered(&self, id: &str) -> Option<&RawValue> {
        self.rendered.get(id).map(|m| &**m)
    }

    pub fn require_source(&self, id: &str) -> Result<&SourceMetadata, AppError> {
        self.source(id)
            .ok_or_else(|| unknown_metadata("source", id))
    }
    pub fn require_destination(&self, id: &str) -> Result<&DestinationMetadata, AppError> {
        self.destination(id)
            .ok_or_else(|| unknown_metadata("destination", id))
    }
    pub fn require_warehouse(&self, id: &str) -> Result<&WarehouseMetadata, AppError> {
        self.warehouse(id)
            .ok_or_else(|| unknown_metadata("warehouse", id))
    }
}

fn unknown_metadata(what: &str, id: &str) -> AppError {
    AppError::invalid(
        "metadataId",
        format!(
            "metadataId: {id:?} is not a {what} in the catalog; \
             GET /catalog/{what}s lists the ids"
        ),
    )
}

/// Checks `settings` against an integration's options: every key must be an
/// option, every value of the option's type, and (unless `partial`, as for a
/// PATCH) every required option without a default present.
pub fn validate_settings(
    integration: &str,
    options: &[IntegrationOption],
    settings: &Settings,
    partial: bool,
) -> Result<(), AppError> {
    // Integrations whose catalog entry lists no options take any settings.
    if options.is_empty() {
        return Ok(());
    }
    for (key, value) in settings {
        let field = format!("settings.{key}");
        let Some(option) = options.iter().find(|o| &o.name == key) else {
            let mut known: Vec<&str> = options.iter().map(|o| o.name.as_str()).collect();
            known.sort_unstable();
            return Err(AppError::invalid(
                field.clone(),
                format!(
                    "{field}: {integration} has no setting {key:?}; its settings are: {}",
                    known.join(", ")
                ),
            ));
        };
        if !value.is_null() && !option.accepts(value) {
            return Err(AppError::invalid(
                field.clone(),
                format!(
                    "{field}: expected a {}, got {}",
                    option.type_word(),
                    json_kind(value)
                ),
            ));
        }
        if key == "port" && option.kind == "number" {
            crate::values::port(&field, value)?;
        }
    }
    if !partial {
        for o in options {
            let given = settings.get(&o.name).is_some_and(|v| !v.is_null());
            if o.required && o.default_value.is_none() && !given {
                let field = format!("settings.{}", o.name);
                return Err(AppError::invalid(
                    field.clone(),
                    format!("{field}: {integration} requires this setting"),
                ));
            }
        }
    }
    Ok(())
}

/// True for a value the API itself masked: sending it back keeps the secret.
pub fn is_mask(v: &Value) -> bool {
    v.as_str()
        .is_some_and(|s| !s.is_empty() && s.chars().all(|c| c == '•'))
}

/// Merges a PATCH into stored settings: keys given replace, `null` removes,
/// masked secrets sent back unchanged keep the stored value.
pub fn merge_settings(stored: &mut Settings, patch: &Settings) {
    for (k, v) in patch {
        if v.is_null() {
            stored.remove(k);
        } else if !is_mask(v) {
            stored.insert(k.clone(), v.clone());
        }
    }
}

/// Drops masked values from a create body: there is no stored secret to keep.
pub fn without_masks(settings: &Settings) -> Settings {
    settings
        .iter()
        .filter(|(_, v)| !is_mask(v) && !v.is_null())
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

/// Settings as the API shows them: secrets masked.
pub fn masked(options: &[IntegrationOption], settings: &Settings) -> Settings {
    let mut out = settings.clone();
    for o in options.iter().filter(|o| o.is_secret()) {
        if let Some(v) = out.get_mut(&o.name) {
            if v.as_str().is_some_and(|s| !s.is_empty()) {
                *v = Value::String(MASK.to_string());
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn the_catalog_loads_and_ids_are_unique() {
        let c = Catalog::get();
        let total = c.sources.len() + c.destinations.len() + c.warehouses.len();
        assert!(total >= 40, "only {total} integrations");
        let mut ids = HashSet::new();
        for id in c
            .sources
            .iter()
            .map(|m| &m.id)
            .chain(c.destinations.iter().map(|m| &m.id))
            .chain(c.warehouses.iter().map(|m| &m.id))
        {
            assert!(ids.insert(id.clone()), "duplicate catalog id {id}");
        }
        assert!(c.source("IqDTy1TpoU").is_some(), "the Javascript source");
    }

    fn opts() -> Vec<IntegrationOption> {
        serde_json::from_value(serde_json::json!([
            {"name": "apiKey", "type": "password", "required": true},
            {"name": "trackAll", "type": "boolean", "required": false, "defaultValue": false}
        ]))
        .unwrap()
    }

    #[test]
    fn settings_are_checked_by_name_type_and_presence() {
        let s = |v: serde_json::Value| v.as_object().unwrap().clone();
        let o = opts();
        assert!(validate_settings("X", &o, &s(serde_json::json!({"apiKey": "k"})), false).is_ok());
        let e =
            validate_settings("X", &o, &s(serde_json::json!({"apiKy": "k"})), false).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("settings.apiKy"));
        let e =
            validate_settings("X", &o, &s(serde_json::json!({"apiKey": 1})), false).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("settings.apiKey"));
        let e = validate_settings("X", &o, &s(serde_json::json!({})), false).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("settings.apiKey"));
        assert!(validate_settings("X", &o, &s(serde_json::json!({})), true).is_ok());
    }

    #[test]
    fn secrets_are_masked_and_masks_never_overwrite() {
        let o = opts();
        let mut stored = serde_json::json!({"apiKey": "secret", "trackAll": true})
            .as_object()
            .unwrap()
            .clone();
        let shown = masked(&o, &stored);
        assert_eq!(shown["apiKey"], MASK);
        merge_settings(&mut stored, &shown);
        assert_eq!(stored["apiKey"], "secret");
    }
}
