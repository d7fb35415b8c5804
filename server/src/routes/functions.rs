//! Functions: custom code run as a source, a destination, or inserted before
//! a destination. Insert function instances live in `insert_functions.rs`.

use axum::extract::{Path, State};
use axum::http::Uri;
use axum::routing::get;
use axum::{Extension, Router};
use segment_api::models::{
    CreateFunction, Function, FunctionListItem, FunctionSetting, UpdateFunction,
    FUNCTION_RESOURCE_TYPES, FUNCTION_SETTING_TYPES,
};
use serde_json::Value;

use super::answer::{self, List, One};
use super::render;
use super::{list_answer, load, modify, non_empty, one_of, remove};
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

/// The declared settings of a stored function.
pub fn declared_settings(function: &Doc) -> AppResult<Vec<FunctionSetting>> {
    Ok(function.read::<Function>()?.settings)
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

async fn list(State(state): State<AppState>, uri: Uri) -> AppResult<List<FunctionListItem>> {
    let resource_type = resource_type_param(&uri)?;
    // Functions are stored under their resource type, so the store pages
    // one type at a time.
    let scope = ListQuery::under(resource_type);
    let items = render::function_item;
    list_answer(&state, Kind::Function, &uri, scope, "functions", items).await
}

async fn read(State(state): State<AppState>, Path(id): Path<String>) -> AppResult<One<Function>> {
    let doc = load(&state, Kind::Function, &id).await?;
    Ok(answer::one("function", render::function(&doc)?))
}

async fn create(
    State(state): State<AppState>,
    Extension(actor): Extension<Actor>,
    Body(input): Body<CreateFunction>,
) -> AppResult<One<Function>> {
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
    let function = Function {
        id: id.clone(),
        workspace_id: workspace.id,
        display_name: input.display_name.clone(),
        description: input.description,
        logo_url: input.logo_url,
        code: input.code,
        created_at: ids::now(),
        created_by: creator(&state, &actor).await?,
        deployed_at: None,
        preview_webhook_url: (input.resource_type == "SOURCE").then(|| preview_webhook_url(&id)),
        settings,
        buildpack: BUILDPACK.to_string(),
        batch_max_count: None,
        catalog_id: ids::new_id(),
        resource_type: input.resource_type.clone(),
        is_latest_version: true,
    };
    let mut doc = Doc::new(Kind::Function, &id, &input.display_name, Value::Null);
    doc.write(&function)?;
    let doc = doc.parent(&input.resource_type);
    state
        .store
        .apply(Batch::default().create(doc), &actor)
        .await?;
    Ok(answer::one("function", function))
}

async fn update(
    State(state): State<AppState>,
    Extension(actor): Extension<Actor>,
    Path(id): Path<String>,
    Body(input): Body<UpdateFunction>,
) -> AppResult<One<Function>> {
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
        let mut function: Function = doc.read()?;
        let patch = input.clone();
        function.display_name = patch.display_name.unwrap_or(function.display_name);
        function.code = patch.code.unwrap_or(function.code);
        function.settings = patch.settings.unwrap_or(function.settings);
        function.description = patch.description.or(function.description);
        function.logo_url = patch.logo_url.or(function.logo_url);
        doc.name = function.display_name.clone();
        doc.write(&function)?;
        Ok(Batch::default())
    })
    .await?;
    Ok(answer::one("function", render::function(&doc)?))
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
