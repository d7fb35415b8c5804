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
use segment_api::models::{CreateProfilesWarehouse, ProfilesWarehouse, UpdateProfilesWarehouse};
use serde_json::Value;

use super::answer::{self, List, Metadata, One};
use super::render;
use super::stored::{write_integration, CatalogLink};
use super::warehouses::audit_name;
use super::{list_answer, load, modify, non_empty, remove};
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

type Shown = ProfilesWarehouse<Metadata>;

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
        render::profiles_warehouse,
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
    let warehouse = ProfilesWarehouse {
        id: id.clone(),
        space_id: space_id.clone(),
        metadata: Metadata(None),
        workspace_id: workspace.id,
        enabled: input.enabled.unwrap_or(true),
        settings,
        schema_name: input.schema_name.clone(),
        name: input.name.clone(),
    };
    let mut doc = Doc::new(Kind::ProfilesWarehouse, &id, "", Value::Null).parent(&space_id);
    write_integration(&mut doc, &warehouse, &meta.id)?;
    doc.name = audit_name(&doc)?;
    state
        .store
        .apply(Batch::default().create(doc.clone()), &actor)
        .await?;
    Ok((
        StatusCode::CREATED,
        answer::one("profilesWarehouse", render::profiles_warehouse(&doc)?),
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
        let meta_id = doc.read::<CatalogLink>()?.metadata_id;
        let meta = Catalog::get().require_warehouse(&meta_id)?;
        let mut warehouse: Shown = doc.read()?;
        if let Some(patch) = &input.settings {
            catalog::validate_settings(&meta.name, &meta.options, patch, true)?;
            catalog::merge_settings(&mut warehouse.settings, patch);
        }
        if let Some(name) = &input.name {
            warehouse.name = name.clone();
        }
        if let Some(schema_name) = &input.schema_name {
            warehouse.schema_name = schema_name.clone();
        }
        warehouse.enabled = input.enabled.unwrap_or(warehouse.enabled);
        write_integration(doc, &warehouse, &meta_id)?;
        doc.name = audit_name(doc)?;
        Ok(Batch::default())
    })
    .await?;
    Ok(answer::one(
        "profilesWarehouse",
        render::profiles_warehouse(&doc)?,
    ))
}

async fn delete(
    State(state): State<AppState>,
    Extension(actor): Extension<Actor>,
    Path((space_id, id)): Path<(String, String)>,
) -> AppResult<impl axum::response::IntoResponse> {
    load_in_space(&state, &space_id, &id).await?;
    remove(&state, &actor, Kind::ProfilesWarehouse, &id).await
}
