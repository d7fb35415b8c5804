//! Functions: custom code run as a source, a destination, or inserted before
//! a destination. Insert function instances live in `insert_functions.rs`.

use axum::extract::{Path, State};
use axum::http::Uri;
use axum::routing::get;
use axum::{Extension, Json, Router};
use segment_api::models::{
    CreateFunction, FunctionSetting, UpdateFunction, FUNCTION_RESOURCE_TYPES,
    FUNCTION_SETTING_TYPES,
};
use serde_json::{json, Map, Value};

use super::answer::List;
use super::{list_answer, load, modify, non_empty, object, ok_one, one_of, remove, set};
use crate::error::{AppError, AppResult};
use crate::input::Body;
use crate::kind::Kind;
use crate::store::{Actor, Batch, Doc, ListQuery};
use crate::{ids, AppState};

#[path = "insert_functions.rs"]
mod insert_functions;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/functions", get(list).post(create))
        .route("/functions/{id}", get(read).patch(update).delete(delete))
        .merge(insert_functions::routes())
}

/// The build image the API reports for every function.
const BUILDPACK: &str = "boreal";

/// The fields `GET /functions` shows: the API's list items carry neither
/// code nor settings.
const LIST_FIELDS: &[&str] = &[
    "id",
    "resourceType",
    "createdAt",
    "createdBy",
    "displayName",
    "description",
    "logoUrl",
    "catalogId",
];

/// The declared settings of a stored function.
pub fn declared_settings(function: &Doc) -> Vec<FunctionSetting> {
    function
        .body
        .get("settings")
        .cloned()
        .and_then(|v| serde_json::from_value(v).ok())
        .unwrap_or_default()
}

/// Setting names are unique and their types are the API's four.
fn check_settings(settings: &[FunctionSetting]) -> AppResult<()> {
    for (i, s) in settings.iter().enumerate() {
        non_empty(&format!("settings[{i}].name"), &s.name)?;
        one_of(
            &format!("settings[{i}].type"),
            &s.kind,
            FUNCTION_SETTING_TYPES,
        )?;
        if settings[..i].iter().any(|o| o.name == s.name) {
            return Err(AppError::invalid(
                format!("settings[{i}].name"),
                format!(
                    "settings[{i}].name: {:?} is declared twice; setting names must be unique",
                    s.name
                ),
            ));
        }
    }
    Ok(())
}

/// The API records who created a function by user id. A token whose owner
/// has no user document (none should exist) is recorded by email instead.
async fn creator(state: &AppState, actor: &Actor) -> AppResult<String> {
    let user = state.store.find_by_key(Kind::User, &actor.email).await?;
    Ok(user.map(|u| u.id).unwrap_or_else(|| actor.email.clone()))
}

/// Source functions receive events on a webhook. This workspace runs no
/// code, so the URL is on the reserved `.invalid` domain: well formed,
/// unique per function, and never reachable by mistake.
fn preview_webhook_url(id: &str) -> String {
    format!("https://fn.segment-workspace.invalid/source-functions/{id}")
}

fn list_item(doc: &Doc) -> Value {
    let mut item = Map::new();
    for f in LIST_FIELDS {
        if let Some(v) = doc.body.get(*f) {
            item.insert((*f).to_string(), v.clone());
        }
    }
    Value::Object(item)
}

/// The `resourceType` a list asks for: required, as upstream.
fn resource_type_param(uri: &Uri) -> AppResult<String> {
    let given = url::form_urlencoded::parse(uri.query().unwrap_or("").as_bytes())
        .find(|(k, _)| k == "resourceType")
        .map(|(_, v)| v.into_owned());
    match given {
        Some(t) if FUNCTION_RESOURCE_TYPES.contains(&t.as_str()) => Ok(t),
        Some(t) => Err(AppError::bad_request(
            "resourceType",
            format!(
                "resourceType: {t:?} is not one of {}",
                FUNCTION_RESOURCE_TYPES.join(", ")
            ),
        )),
        None => Err(AppError::bad_request(
            "resourceType",
            format!(
                "resourceType is required: add ?resourceType= with one of {}",
                FUNCTION_RESOURCE_TYPES.join(", ")
            ),
        )),
    }
}

async fn list(State(state): State<AppState>, uri: Uri) -> AppResult<List<Value>> {
    let resource_type = resource_type_param(&uri)?;
    // Functions are stored under their resource type, so the store pages
    // one type at a time.
    let scope = ListQuery::under(resource_type);
    list_answer(&state, Kind::Function, &uri, scope, "functions", list_item).await
}

async fn read(State(state): State<AppState>, Path(id): Path<String>) -> AppResult<Json<Value>> {
    let doc = load(&state, Kind::Function, &id).await?;
    Ok(ok_one("function", doc.body))
}

async fn create(
    State(state): State<AppState>,
    Extension(actor): Extension<Actor>,
    Body(input): Body<CreateFunction>,
) -> AppResult<Json<Value>> {
    one_of(
        "resourceType",
        &input.resource_type,
        FUNCTION_RESOURCE_TYPES,
    )?;
    non_empty("displayName", &input.display_name)?;
    non_empty("code", &input.code)?;
    let settings = input.settings.clone().unwrap_or_default();
    check_settings(&settings)?;
    let workspace = state.store.workspace().await?;
    let id = ids::new_id();
    let mut body = json!({
        "id": id,
        "workspaceId": workspace.id,
        "resourceType": input.resource_type,
        "displayName": input.display_name,
        "code": input.code,
        "createdAt": ids::now(),
        "createdBy": creator(&state, &actor).await?,
        "settings": settings,
        "buildpack": BUILDPACK,
        "catalogId": ids::new_id(),
        "isLatestVersion": true,
    });
    if let Value::Object(map) = &mut body {
        set(map, "description", &input.description);
        set(map, "logoUrl", &input.logo_url);
        if input.resource_type == "SOURCE" {
            map.insert("previewWebhookUrl".into(), json!(preview_webhook_url(&id)));
        }
    }
    let doc = Doc::new(Kind::Function, &id, &input.display_name, body).parent(&input.resource_type);
    state
        .store
        .apply(Batch::default().create(doc.clone()), &actor)
        .await?;
    Ok(ok_one("function", doc.body))
}

async fn update(
    State(state): State<AppState>,
    Extension(actor): Extension<Actor>,
    Path(id): Path<String>,
    Body(input): Body<UpdateFunction>,
) -> AppResult<Json<Value>> {
    if let Some(name) = &input.display_name {
        non_empty("displayName", name)?;
    }
    if let Some(code) = &input.code {
        non_empty("code", code)?;
    }
    if let Some(settings) = &input.settings {
        check_settings(settings)?;
    }
    let doc = modify(&state, &actor, Kind::Function, &id, |doc| {
        let map = object(doc);
        set(map, "displayName", &input.display_name);
        set(map, "code", &input.code);
        set(map, "settings", &input.settings);
        set(map, "description", &input.description);
        set(map, "logoUrl", &input.logo_url);
        if let Some(name) = &input.display_name {
            doc.name = name.clone();
        }
        Ok(Batch::default())
    })
    .await?;
    Ok(ok_one("function", doc.body))
}

/// Deleting a function deletes its insert function instances (they refer to it).
async fn delete(
    State(state): State<AppState>,
    Extension(actor): Extension<Actor>,
    Path(id): Path<String>,
) -> AppResult<impl axum::response::IntoResponse> {
    remove(&state, &actor, Kind::Function, &id).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn setting(name: &str, kind: &str) -> FunctionSetting {
        FunctionSetting {
            name: name.into(),
            label: name.into(),
            description: String::new(),
            kind: kind.into(),
            required: false,
            sensitive: false,
        }
    }

    #[test]
    fn settings_need_known_types_and_unique_names() {
        assert!(check_settings(&[setting("a", "STRING"), setting("b", "TEXT_MAP")]).is_ok());
        let e = check_settings(&[setting("a", "NUMBER")]).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("settings[0].type"));
        let e = check_settings(&[setting("a", "STRING"), setting("a", "ARRAY")]).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("settings[1].name"));
    }

    #[test]
    fn resource_type_is_required_and_checked() {
        let uri: Uri = "/functions?resourceType=SOURCE".parse().unwrap();
        assert_eq!(resource_type_param(&uri).unwrap(), "SOURCE");
        for bad in ["/functions", "/functions?resourceType=FOO"] {
            let e = resource_type_param(&bad.parse().unwrap()).unwrap_err();
            assert_eq!(e.field.as_deref(), Some("resourceType"));
            assert_eq!(e.status, axum::http::StatusCode::BAD_REQUEST);
        }
    }
}
