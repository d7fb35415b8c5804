//! Profiles Sync warehouses: warehouses a Unify space syncs its profiles
//! into, at `/spaces/{spaceId}/profiles-warehouses`.
//!
//! Upstream (alpha) has list, create, update and delete, and no single read:
//! readers find a warehouse in its space's list, so this server offers no
//! GET of one either. Spaces are not modelled here: any non-empty `spaceId`
//! names a space, which holds whatever warehouses were created under it. A
//! warehouse is reached only through the space it was created in.

use axum::extract::{Path, State};
use axum::http::{StatusCode, Uri};
use axum::routing::{get, patch};
use axum::{Extension, Router};
use segment_api::models::{CreateProfilesWarehouse, UpdateProfilesWarehouse};
use serde_json::{json, Value};

use super::answer::{self, List, One, Shown};
use super::stored::CatalogLink;
use super::warehouses::render;
use super::{list_answer, load, modify, non_empty, object, remove, set, set_or_clear, text};
use crate::catalog::{self, Catalog};
use crate::error::{AppError, AppResult};
use crate::input::Body;
use crate::kind::Kind;
use crate::store::{Actor, Batch, Doc, ListQuery};
use crate::{ids, AppState};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/spaces/{space_id}/profiles-warehouses",
            get(list).post(create),
        )
        .route(
            "/spaces/{space_id}/profiles-warehouses/{id}",
            patch(update).delete(delete),
        )
}

fn audit_name(body: &Value) -> String {
    match body.get("name").and_then(Value::as_str) {
        Some(n) if !n.is_empty() => n.to_string(),
        _ => {
            let meta = Catalog::get().warehouse(text(body, "metadataId"));
            meta.map(|m| m.name.clone()).unwrap_or_default()
        }
    }
}

/// The warehouse, when it belongs to this space; a 404 otherwise, so one
/// space never reaches another's warehouses.
async fn load_in_space(state: &AppState, space_id: &str, id: &str) -> AppResult<Doc> {
    let doc = load(state, Kind::ProfilesWarehouse, id).await?;
    if doc.parent.as_deref() != Some(space_id) {
        return Err(AppError::not_found(Kind::ProfilesWarehouse, id));
    }
    Ok(doc)
}

async fn list(
    State(state): State<AppState>,
    Path(space_id): Path<String>,
    uri: Uri,
) -> AppResult<List<Shown>> {
    non_empty("spaceId", &space_id)?;
    let scope = ListQuery::under(space_id);
    list_answer(
        &state,
        Kind::ProfilesWarehouse,
        &uri,
        scope,
        "profilesWarehouses",
        render,
    )
    .await
}

/// Answers 201, as the API does for this create.
async fn create(
    State(state): State<AppState>,
    Extension(actor): Extension<Actor>,
    Path(space_id): Path<String>,
    Body(input): Body<CreateProfilesWarehouse>,
) -> AppResult<(StatusCode, One<Shown>)> {
    non_empty("spaceId", &space_id)?;
    let meta = Catalog::get().require_warehouse(&input.metadata_id)?;
    let settings = catalog::without_masks(&input.settings);
    catalog::validate_settings(&meta.name, &meta.options, &settings, false)?;
    if let Some(schema) = &input.schema_name {
        non_empty("schemaName", schema)?;
    }
    let workspace = state.store.workspace().await?;
    let id = ids::new_id();
    let mut body = json!({
        "id": id,
        "spaceId": space_id,
        "workspaceId": workspace.id,
        "enabled": input.enabled.unwrap_or(true),
        "settings": settings,
        "metadataId": meta.id,
    });
    if let Value::Object(map) = &mut body {
        set(map, "name", &input.name);
        set(map, "schemaName", &input.schema_name);
    }
    let doc = Doc::new(Kind::ProfilesWarehouse, &id, audit_name(&body), body).parent(&space_id);
    state
        .store
        .apply(Batch::default().create(doc.clone()), &actor)
        .await?;
    Ok((
        StatusCode::CREATED,
        answer::one("profilesWarehouse", render(&doc)),
    ))
}

async fn update(
    State(state): State<AppState>,
    Extension(actor): Extension<Actor>,
    Path((space_id, id)): Path<(String, String)>,
    Body(input): Body<UpdateProfilesWarehouse>,
) -> AppResult<One<Shown>> {
    load_in_space(&state, &space_id, &id).await?;
    if let Some(Some(schema)) = &input.schema_name {
        non_empty("schemaName", schema)?;
    }
    let doc = modify(&state, &actor, Kind::ProfilesWarehouse, &id, |doc| {
        let meta = Catalog::get().require_warehouse(&doc.read::<CatalogLink>()?.metadata_id)?;
        let map = object(doc);
        if let Some(patch) = &input.settings {
            catalog::patch_settings(map, &meta.name, &meta.options, patch)?;
        }
        set_or_clear(map, "name", &input.name);
        set_or_clear(map, "schemaName", &input.schema_name);
        set(map, "enabled", &input.enabled);
        doc.name = audit_name(&doc.body);
        Ok(Batch::default())
    })
    .await?;
    Ok(answer::one("profilesWarehouse", render(&doc)))
}

async fn delete(
    State(state): State<AppState>,
    Extension(actor): Extension<Actor>,
    Path((space_id, id)): Path<(String, String)>,
) -> AppResult<impl axum::response::IntoResponse> {
    load_in_space(&state, &space_id, &id).await?;
    remove(&state, &actor, Kind::ProfilesWarehouse, &id).await
}
