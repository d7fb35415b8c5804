//! Insert function instances: an INSERT_DESTINATION function attached to a
//! destination, or an INSERT_SOURCE function attached to a source, with
//! values for the settings the function declares.
//!
//! Sensitive settings: the API shows every key in `settings` so a reader can
//! compare the keys it configured (the official provider drops keys that are
//! missing from the answer and keeps its own value for masked ones), with
//! sensitive values masked; `encryptedSettings` names the sensitive keys, also
//! masked. Sending a mask back keeps the stored value.

use axum::extract::{Path, State};
use axum::http::Uri;
use axum::routing::get;
use axum::{Extension, Router};
use segment_api::models::{
    CreateInsertFunctionInstance, Function, FunctionSetting, InsertFunctionInstance, Settings,
    UpdateInsertFunctionInstance,
};
use serde_json::Value;

use super::answer::{self, List, One};
use super::declared_settings;
use super::render::insert_function_instance as render;
use crate::catalog;
use crate::error::{AppError, AppResult};
use crate::input::Body;
use crate::kind::Kind;
use crate::routes::{load, modify, non_empty, page_of, remove};
use crate::store::{Actor, Batch, Doc, ListQuery};
use crate::{ids, AppState};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/insert-function-instances", get(list).post(create))
        .route(
            "/insert-function-instances/{id}",
            get(read).patch(update).delete(delete),
        )
}

/// Insert functions' ids carry an `ifnd_` prefix in the Segment app, and the
/// official provider strips it; take the id either way.
async fn find_function(state: &AppState, id: &str) -> AppResult<Option<Doc>> {
    if let Some(doc) = state.store.get(Kind::Function, id).await? {
        return Ok(Some(doc));
    }
    match id.strip_prefix("ifnd_") {
        Some(bare) => Ok(state.store.get(Kind::Function, bare).await?),
        None => Ok(None),
    }
}

/// What an insert function of each type is attached to.
fn attached_kind(function_type: &str) -> Option<Kind> {
    match function_type {
        "INSERT_DESTINATION" => Some(Kind::Destination),
        "INSERT_SOURCE" => Some(Kind::Source),
        _ => None,
    }
}

/// The function an instance is made from: it must be an insert function.
/// Returns it with the kind of object its instances attach to.
async fn insert_function(state: &AppState, id: &str) -> AppResult<(Doc, Kind)> {
    let doc = find_function(state, id).await?.ok_or_else(|| {
        AppError::invalid(
            "functionId",
            format!(
                "functionId: no function with id {id:?} exists; \
                 GET /functions?resourceType=INSERT_DESTINATION (or INSERT_SOURCE) lists them"
            ),
        )
    })?;
    let kind = doc.read::<Function>()?.resource_type;
    let Some(attached) = attached_kind(&kind) else {
        return Err(AppError::invalid(
            "functionId",
            format!("functionId: function {id:?} is a {kind} function; instances need an INSERT_DESTINATION or INSERT_SOURCE function"),
        ));
    };
    Ok((doc, attached))
}

fn type_fits(kind: &str, v: &Value) -> bool {
    match kind {
        "STRING" => v.is_string(),
        "BOOLEAN" => v.is_boolean(),
        "ARRAY" => v.is_array(),
        "TEXT_MAP" => v.is_object(),
        _ => true,
    }
}

/// Every key must be a setting the function declares, with a value of its
/// type. `null` (remove) and masks (keep) are only meaningful in a PATCH.
fn check_values(declared: &[FunctionSetting], given: &Settings, patch: bool) -> AppResult<()> {
    for (key, value) in given {
        let field = format!("settings.{key}");
        let Some(setting) = declared.iter().find(|s| &s.name == key) else {
            let names: Vec<&str> = declared.iter().map(|s| s.name.as_str()).collect();
            return Err(AppError::invalid(
                &field,
                format!(
                    "{field}: the function declares no setting {key:?}; it declares: {}",
                    if names.is_empty() {
                        "none".to_string()
                    } else {
                        names.join(", ")
                    }
                ),
            ));
        };
        let kept = patch && (value.is_null() || catalog::is_mask(value));
        if !kept && !type_fits(&setting.kind, value) {
            return Err(AppError::invalid(
                &field,
                format!(
                    "{field}: the setting is of type {}, not {value}",
                    setting.kind
                ),
            ));
        }
    }
    Ok(())
}

/// Required settings must hold a value once the write is done.
fn check_required(declared: &[FunctionSetting], settings: &Settings) -> AppResult<()> {
    for s in declared.iter().filter(|s| s.required) {
        if settings.get(&s.name).is_none_or(Value::is_null) {
            let field = format!("settings.{}", s.name);
            return Err(AppError::invalid(
                &field,
                format!("{field} is required by the function; give it a value"),
            ));
        }
    }
    Ok(())
}

/// The settings the function of `instance` declares (none once it is gone).
async fn declared_for(state: &AppState, instance: &Doc) -> AppResult<Vec<FunctionSetting>> {
    let class_id = instance.read::<InsertFunctionInstance>()?.class_id;
    match state.store.get(Kind::Function, &class_id).await? {
        Some(f) => declared_settings(&f),
        None => Ok(Vec::new()),
    }
}

async fn list(State(state): State<AppState>, uri: Uri) -> AppResult<List<InsertFunctionInstance>> {
    let function_id = url::form_urlencoded::parse(uri.query().unwrap_or("").as_bytes())
        .find(|(k, _)| k == "functionId")
        .map(|(_, v)| v.into_owned())
        .filter(|v| !v.is_empty())
        .ok_or_else(|| {
            AppError::bad_request(
                "functionId",
                "functionId is required: add ?functionId= with the insert function's id",
            )
        })?;
    let function = find_function(&state, &function_id).await?.ok_or_else(|| {
        AppError::not_found(Kind::Function, &function_id).with_field("functionId")
    })?;
    let scope = ListQuery::under(function.id.clone());
    let (req, page) = page_of(&state, Kind::InsertFunctionInstance, &uri, scope).await?;
    let declared = declared_settings(&function)?;
    let items = page
        .items
        .iter()
        .map(|d| render(d, &declared))
        .collect::<AppResult<_>>()?;
    Ok(answer::list("instances", items, req, &page))
}

async fn read(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> AppResult<One<InsertFunctionInstance>> {
    let doc = load(&state, Kind::InsertFunctionInstance, &id).await?;
    let declared = declared_for(&state, &doc).await?;
    Ok(answer::one(
        "insertFunctionInstance",
        render(&doc, &declared)?,
    ))
}

async fn create(
    State(state): State<AppState>,
    Extension(actor): Extension<Actor>,
    Body(input): Body<CreateInsertFunctionInstance>,
) -> AppResult<One<InsertFunctionInstance>> {
    let (function, attached) = insert_function(&state, &input.function_id).await?;
    non_empty("name", &input.name)?;
    non_empty("integrationId", &input.integration_id)?;
    let declared = declared_settings(&function)?;
    let settings = catalog::without_masks(&input.settings);
    check_values(&declared, &settings, false)?;
    check_required(&declared, &settings)?;
    let id = ids::new_id();
    let now = ids::now();
    let instance = InsertFunctionInstance {
        id: id.clone(),
        name: Some(input.name.clone()),
        integration_id: input.integration_id.clone(),
        class_id: function.id.clone(),
        enabled: input.enabled.unwrap_or(false),
        created_at: now.clone(),
        updated_at: now,
        settings,
        // Made on every read from the function's declared settings.
        encrypted_settings: Settings::new(),
    };
    let mut doc = Doc::new(Kind::InsertFunctionInstance, &id, &input.name, Value::Null);
    doc.write(&instance)?;
    let doc = doc
        .parent(&function.id)
        .refs([function.id.clone(), input.integration_id.clone()]);
    // The destination (or source) is checked inside the write, so a
    // concurrent delete cannot leave an instance pointing at nothing.
    let batch = Batch::default()
        .require(attached, &input.integration_id, "integrationId")
        .create(doc.clone());
    state.store.apply(batch, &actor).await?;
    Ok(answer::one(
        "insertFunctionInstance",
        render(&doc, &declared)?,
    ))
}

async fn update(
    State(state): State<AppState>,
    Extension(actor): Extension<Actor>,
    Path(id): Path<String>,
    Body(input): Body<UpdateInsertFunctionInstance>,
) -> AppResult<One<InsertFunctionInstance>> {
    if let Some(name) = &input.name {
        non_empty("name", name)?;
    }
    let current = load(&state, Kind::InsertFunctionInstance, &id).await?;
    let declared = declared_for(&state, &current).await?;
    check_values(&declared, &input.settings, true)?;
    let doc = modify(&state, &actor, Kind::InsertFunctionInstance, &id, |doc| {
        let mut instance: InsertFunctionInstance = doc.read()?;
        catalog::merge_settings(&mut instance.settings, &input.settings);
        check_required(&declared, &instance.settings)?;
        if let Some(name) = &input.name {
            instance.name = Some(name.clone());
            doc.name = name.clone();
        }
        instance.enabled = input.enabled.unwrap_or(instance.enabled);
        instance.updated_at = ids::now();
        doc.write(&instance)?;
        Ok(Batch::default())
    })
    .await?;
    Ok(answer::one(
        "insertFunctionInstance",
        render(&doc, &declared)?,
    ))
}

async fn delete(
    State(state): State<AppState>,
    Extension(actor): Extension<Actor>,
    Path(id): Path<String>,
) -> AppResult<impl axum::response::IntoResponse> {
    remove(&state, &actor, Kind::InsertFunctionInstance, &id).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::MASK;
    use serde_json::json;

    fn declared() -> Vec<FunctionSetting> {
        let s = |name: &str, kind: &str, required, sensitive| FunctionSetting {
            name: name.into(),
            label: name.into(),
            description: String::new(),
            kind: kind.into(),
            required,
            sensitive,
        };
        vec![
            s("apiKey", "STRING", true, true),
            s("verbose", "BOOLEAN", false, false),
        ]
    }

    fn settings(v: Value) -> Settings {
        v.as_object().cloned().unwrap_or_default()
    }

    #[test]
    fn unknown_and_mistyped_keys_name_the_setting() {
        let d = declared();
        let e = check_values(&d, &settings(json!({"nope": 1})), false).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("settings.nope"));
        assert!(e.message.contains("apiKey, verbose"), "{}", e.message);
        let e = check_values(&d, &settings(json!({"verbose": "yes"})), false).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("settings.verbose"));
    }

    #[test]
    fn patches_may_send_masks_and_nulls() {
        let d = declared();
        let patch = settings(json!({"apiKey": MASK, "verbose": null}));
        assert!(check_values(&d, &patch, true).is_ok());
        assert!(check_values(&d, &patch, false).is_err());
    }

    #[test]
    fn required_settings_must_be_set() {
        let d = declared();
        let e = check_required(&d, &settings(json!({"verbose": true}))).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("settings.apiKey"));
        assert!(check_required(&d, &settings(json!({"apiKey": "k"}))).is_ok());
    }

    #[test]
    fn sensitive_values_are_masked_in_both_maps() {
        let doc = Doc::new(
            Kind::InsertFunctionInstance,
            "i",
            "i",
            json!({"id": "i", "integrationId": "d", "classId": "f", "enabled": true,
                   "settings": {"apiKey": "secret", "verbose": true}}),
        );
        let shown =
            serde_json::to_value(render(&doc, &declared()).expect("renders")).expect("serializes");
        assert_eq!(shown["settings"]["apiKey"], MASK);
        assert_eq!(shown["settings"]["verbose"], true);
        assert_eq!(shown["encryptedSettings"], json!({"apiKey": MASK}));
    }
}
