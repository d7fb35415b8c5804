//! Settings checked against the integration catalog at plan time, so a
//! misspelled key fails `terraform plan` instead of an apply that has
//! already created other objects.
//!
//! The rules are the workspace's own (`validate_settings` on the server),
//! never stricter: unknown keys are errors only where the catalog entry lists
//! options; required keys only on create; a wrong type is a warning, since
//! the real API may coerce it. Only keys whose value changes are checked, so
//! a key the catalog dropped later does not block unrelated changes. Any
//! failure to read the catalog skips the check: the apply still validates.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use segment_api::models::{json_kind, IntegrationOption};
use segment_api::Client;
use serde_json::{Map, Value as Json};
use tokio::sync::OnceCell;

use super::json_attr::is_masked;
use super::Obj;
use crate::diagnostics::Diagnostic;
use crate::value::{AttributePath, Value};

/// The three catalogs whose entries carry settings options.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Catalog {
    Sources,
    Destinations,
    Warehouses,
}

impl Catalog {
    fn word(self) -> &'static str {
        match self {
            Catalog::Sources => "source",
            Catalog::Destinations => "destination",
            Catalog::Warehouses => "warehouse",
        }
    }
}

/// A catalog entry as the checks need it.
#[derive(Debug)]
pub struct Entry {
    pub name: String,
    pub options: Vec<IntegrationOption>,
}

type Slot = Arc<OnceCell<Option<Arc<Entry>>>>;

/// Catalog entries read in this provider process: one request per id, also
/// when Terraform plans several objects of one integration at once.
#[derive(Default)]
pub struct CatalogCache {
    slots: Mutex<HashMap<(String, String), Slot>>,
}

impl CatalogCache {
    /// Forgets every entry (a new provider configuration may name another
    /// workspace).
    pub fn clear(&self) {
        if let Ok(mut slots) = self.slots.lock() {
            slots.clear();
        }
    }

    /// The entry, or None when it cannot be read (logged at debug).
    pub async fn entry(&self, api: &Client, catalog: Catalog, id: &str) -> Option<Arc<Entry>> {
        let key = (format!("{catalog:?}"), id.to_string());
        let slot: Slot = match self.slots.lock() {
            Ok(mut slots) => slots.entry(key).or_default().clone(),
            // A poisoned lock only costs the cache.
            Err(_) => Arc::default(),
        };
        slot.get_or_init(|| fetch(api, catalog, id)).await.clone()
    }
}

async fn fetch(api: &Client, catalog: Catalog, id: &str) -> Option<Arc<Entry>> {
    let read = match catalog {
        Catalog::Sources => api
            .get_source_metadata(id)
            .await
            .map(|m| (m.name, m.options)),
        Catalog::Destinations => api
            .get_destination_metadata(id)
            .await
            .map(|m| (m.name, m.options)),
        Catalog::Warehouses => api
            .get_warehouse_metadata(id)
            .await
            .map(|m| (m.name, m.options)),
    };
    match read {
        Ok((name, options)) => Some(Arc::new(Entry { name, options })),
        Err(e) => {
            tracing::debug!(catalog = ?catalog, id, error = %e, "catalog entry unreadable; settings not checked at plan");
            None
        }
    }
}

/// What a plan-time check sees: the prior state (empty on create), the
/// planned state, and the workspace when the provider can reach it.
pub struct PlanCheck<'a> {
    /// Null on create.
    pub prior: &'a Value,
    pub planned: &'a Value,
    pub catalogs: &'a CatalogCache,
    /// The client, made only when a check asks (unknown provider
    /// configuration or no token: None).
    pub api: &'a (dyn Fn() -> Option<Client> + Send + Sync),
}

/// Checks `settings` (a JSON string) against the catalog entry `metadata.id`
/// names in `catalog`.
pub async fn check_settings(cx: &PlanCheck<'_>, catalog: Catalog) -> Vec<Diagnostic> {
    let creating = cx.prior.is_null();
    let (prior, planned) = (Obj::from_value(cx.prior), Obj::from_value(cx.planned));
    let (Some(id), Some(text)) = (
        planned.nested_str("metadata", "id"),
        planned.str("settings"),
    ) else {
        return Vec::new();
    };
    let Ok(Json::Object(settings)) = serde_json::from_str::<Json>(text) else {
        return Vec::new();
    };
    let prior = match prior.str("settings").map(serde_json::from_str::<Json>) {
        Some(Ok(Json::Object(map))) => map,
        _ => Map::new(),
    };
    let changed = changed_keys(&settings, &prior);
    if changed.is_empty() && !creating {
        return Vec::new();
    }
    let Some(api) = (cx.api)() else {
        tracing::debug!("no workspace client; settings not checked at plan");
        return Vec::new();
    };
    let Some(entry) = cx.catalogs.entry(&api, catalog, id).await else {
        return Vec::new();
    };
    judge(&entry, catalog, id, &settings, &changed, creating)
}

/// The keys a plan sets to a new value. Nulls remove a key and masks keep
/// the stored secret: neither is a value to check.
fn changed_keys<'s>(
    settings: &'s Map<String, Json>,
    prior: &Map<String, Json>,
) -> Vec<(&'s String, &'s Json)> {
    settings
        .iter()
        .filter(|(k, v)| !v.is_null() && !is_masked(v) && prior.get(*k) != Some(*v))
        .collect()
}

/// The verdict on settings once the catalog entry is known.
fn judge(
    entry: &Entry,
    catalog: Catalog,
    id: &str,
    settings: &Map<String, Json>,
    changed: &[(&String, &Json)],
    creating: bool,
) -> Vec<Diagnostic> {
    // Integrations whose entry lists no options take any settings.
    if entry.options.is_empty() {
        return Vec::new();
    }
    let what = format!("the {} {} (catalog id {id:?})", entry.name, catalog.word());
    let at = || AttributePath::attr("settings");
    let mut out = Vec::new();
    for (key, value) in changed {
        let Some(option) = entry.options.iter().find(|o| &o.name == *key) else {
            out.push(
                Diagnostic::error(
                    format!("Unknown setting {key:?}"),
                    format!(
                        "`settings` sets {key:?}, which {what} does not have. {}\n\nCorrect \
                         or remove the key in `settings`.",
                        known_keys(&entry.options, key)
                    ),
                )
                .at(at()),
            );
            continue;
        };
        if !option.accepts(value) {
            let expected = format!("a {}", option.type_word());
            out.push(
                Diagnostic::warning(
                    format!("Setting {key:?} should be {expected}"),
                    format!(
                        "`settings` sets {key:?} to {}, but {what} takes {expected} there; \
                         the workspace may refuse it at apply.",
                        json_kind(value)
                    ),
                )
                .at(at()),
            );
        }
    }
    if creating {
        for o in &entry.options {
            let given = settings.get(&o.name).is_some_and(|v| !v.is_null());
            if !o.required || o.default_value.is_some() || given {
                continue;
            }
            if o.is_secret() && settings.contains_key(&o.name) {
                // A secret variable left unset (null): nothing is stored yet
                // for a null to keep.
                out.push(
                    Diagnostic::error(
                        format!("Missing required secret settings.{}", o.name),
                        format!(
                            "settings.{} is null, but {what} requires it (a {}) when it is \
                             created. Set the variable that feeds it, with `-var` or a \
                             `TF_VAR_...` environment variable, and plan again.",
                            o.name,
                            o.type_word()
                        ),
                    )
                    .at(at()),
                );
            } else {
                out.push(
                    Diagnostic::error(
                        format!("Missing required setting {:?}", o.name),
                        format!(
                            "{what} requires {:?} in `settings` (a {}); add it to `settings`.",
                            o.name,
                            o.type_word()
                        ),
                    )
                    .at(at()),
                );
            }
        }
    }
    out
}

/// Every known key when there are few, else the ones closest to `key`.
fn known_keys(options: &[IntegrationOption], key: &str) -> String {
    const LIST_ALL_UP_TO: usize = 30;
    const CLOSEST: usize = 5;
    let mut names: Vec<&str> = options.iter().map(|o| o.name.as_str()).collect();
    let lower = key.to_lowercase();
    names.sort_by_key(|n| (strsim::levenshtein(&n.to_lowercase(), &lower), *n));
    let hint = match names.first() {
        Some(best)
            if strsim::levenshtein(&best.to_lowercase(), &lower) <= key.chars().count() / 3 + 1 =>
        {
            format!("Did you mean {best:?}? ")
        }
        _ => String::new(),
    };
    if names.len() <= LIST_ALL_UP_TO {
        names.sort_unstable();
        format!("{hint}Its settings are: {}.", names.join(", "))
    } else {
        format!(
            "{hint}Its closest settings are: {} (of {}; the catalog entry lists them all).",
            names[..CLOSEST].join(", "),
            names.len()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry() -> Entry {
        Entry {
            name: "Amplitude".into(),
            options: serde_json::from_value(serde_json::json!([
                {"name": "apiKey", "type": "password", "required": true},
                {"name": "trackAllPages", "type": "boolean", "required": false, "defaultValue": false}
            ]))
            .expect("options"),
        }
    }

    fn run(settings: Json, prior: Json, creating: bool) -> Vec<Diagnostic> {
        let settings = settings.as_object().cloned().unwrap_or_default();
        let prior = prior.as_object().cloned().unwrap_or_default();
        let changed = changed_keys(&settings, &prior);
        judge(
            &entry(),
            Catalog::Destinations,
            "x",
            &settings,
            &changed,
            creating,
        )
    }

    #[test]
    fn a_misspelled_key_names_the_closest_one() {
        let d = run(
            serde_json::json!({"apiKey": "k", "trackAllPagez": true}),
            Json::Null,
            true,
        );
        assert_eq!(d.len(), 1, "{d:?}");
        assert!(d[0].is_error());
        assert!(
            d[0].detail.contains("Did you mean \"trackAllPages\""),
            "{d:?}"
        );
        assert!(d[0].detail.contains("apiKey, trackAllPages"), "{d:?}");
    }

    // An export's secret variables default to null: creating from them
    // (a replace) must say which variable to set, not send the null.
    #[test]
    fn a_required_secret_left_null_on_create_names_the_key_and_the_fix() {
        let d = run(serde_json::json!({"apiKey": null}), Json::Null, true);
        assert!(d.len() == 1 && d[0].is_error(), "{d:?}");
        assert!(d[0].summary.contains("settings.apiKey"), "{d:?}");
        assert!(d[0].detail.contains("TF_VAR_"), "{d:?}");
        assert!(run(serde_json::json!({"apiKey": null}), Json::Null, false).is_empty());
    }

    #[test]
    fn masks_and_unchanged_keys_pass_and_required_is_for_create() {
        let masked = serde_json::json!({"apiKey": "••••••••", "old": 1});
        assert!(run(masked.clone(), masked, false).is_empty());
        assert!(run(serde_json::json!({}), Json::Null, false).is_empty());
        let d = run(serde_json::json!({}), Json::Null, true);
        assert!(d.len() == 1 && d[0].summary.contains("apiKey"), "{d:?}");
        let d = run(
            serde_json::json!({"apiKey": "k", "trackAllPages": "yes"}),
            Json::Null,
            true,
        );
        assert!(d.len() == 1 && !d[0].is_error(), "{d:?}");
    }
}
