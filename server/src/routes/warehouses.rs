//! Warehouses and the sources connected to them.

use axum::extract::{Path, State};
use axum::http::Uri;
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use segment_api::models::{CreateWarehouse, Source, Status, UpdateWarehouse, Warehouse};
use serde_json::Value;

use super::answer::{self, Data, List, Metadata, One};
use super::render;
use super::stored::{write_integration, CatalogLink, WarehouseConnection};
use super::{list_answer, load, modify, ok_status, page_of, remove};
use crate::catalog::{self, Catalog};
use crate::error::{AppError, AppResult};
use crate::input::Body;
use crate::kind::Kind;
use crate::store::{Actor, Batch, Doc, ListQuery};
use crate::{ids, AppState};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/warehouses", get(list).post(create))
        .route("/warehouses/{id}", get(read).patch(update).delete(delete))
        .route("/warehouses/{id}/connected-sources", get(connected_sources))
        .route(
            "/warehouses/{id}/connected-sources/{source_id}",
            post(connect).delete(disconnect),
        )
}

/// The name the audit trail records for a warehouse (or a Profiles Sync
/// warehouse): its name, or the catalog entry's.
pub fn audit_name(doc: &Doc) -> AppResult<String> {
    let warehouse: Warehouse<Metadata> = doc.read()?;
    Ok(match warehouse.name.filter(|n| !n.is_empty()) {
        Some(n) => n,
        None => {
            let meta = Catalog::get().warehouse(&doc.read::<CatalogLink>()?.metadata_id);
            meta.map(|m| m.name.clone()).unwrap_or_default()
        }
    })
}

type Shown = Warehouse<Metadata>;

async fn list(State(state): State<AppState>, uri: Uri) -> AppResult<List<Shown>> {
    list_answer(
        &state,
        Kind::Warehouse,
        &uri,
        ListQuery::default(),
        "warehouses",
        render::warehouse,
    )
    .await
}

async fn read(State(state): State<AppState>, Path(id): Path<String>) -> AppResult<One<Shown>> {
    let doc = load(&state, Kind::Warehouse, &id).await?;
    Ok(answer::one("warehouse", render::warehouse(&doc)?))
}

async fn create(
    State(state): State<AppState>,
    Extension(actor): Extension<Actor>,
    Body(input): Body<CreateWarehouse>,
) -> AppResult<One<Shown>> {
    let meta = Catalog::get().require_warehouse(&input.metadata_id)?;
    let settings = catalog::without_masks(&input.settings);
    catalog::validate_settings(&meta.name, &meta.options, &settings, false)?;
    let workspace = state.store.workspace().await?;
    let id = ids::new_id();
    let warehouse = Warehouse {
        id: id.clone(),
        metadata: Metadata(None),
        workspace_id: workspace.id,
        enabled: input.enabled.unwrap_or(true),
        settings,
        name: input.name.clone(),
    };
    let mut doc = Doc::new(Kind::Warehouse, &id, "", Value::Null);
    write_integration(&mut doc, &warehouse, &meta.id)?;
    doc.name = audit_name(&doc)?;
    state
        .store
        .apply(Batch::default().create(doc.clone()), &actor)
        .await?;
    Ok(answer::one("warehouse", render::warehouse(&doc)?))
}

async fn update(
    State(state): State<AppState>,
    Extension(actor): Extension<Actor>,
    Path(id): Path<String>,
    Body(input): Body<UpdateWarehouse>,
) -> AppResult<One<Shown>> {
    let doc = modify(&state, &actor, Kind::Warehouse, &id, |doc| {
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
        warehouse.enabled = input.enabled.unwrap_or(warehouse.enabled);
        write_integration(doc, &warehouse, &meta_id)?;
        doc.name = audit_name(doc)?;
        Ok(Batch::default())
    })
    .await?;
    Ok(answer::one("warehouse", render::warehouse(&doc)?))
}

async fn delete(
    State(state): State<AppState>,
    Extension(actor): Extension<Actor>,
    Path(id): Path<String>,
) -> AppResult<impl axum::response::IntoResponse> {
    remove(&state, &actor, Kind::Warehouse, &id).await
}

fn connection_id(warehouse_id: &str, source_id: &str) -> String {
    format!("{warehouse_id}:{source_id}")
}

async fn connected_sources(
    State(state): State<AppState>,
    Path(id): Path<String>,
    uri: Uri,
) -> AppResult<List<Source<Metadata>>> {
    load(&state, Kind::Warehouse, &id).await?;
    let scope = ListQuery::under(id);
    let (req, page) = page_of(&state, Kind::WarehouseConnection, &uri, scope).await?;
    let mut items = Vec::with_capacity(page.items.len());
    for c in &page.items {
        if let Some(s) = state
            .store
            .get(Kind::Source, &c.read::<WarehouseConnection>()?.source_id)
            .await?
        {
            items.push(render::source(&s)?);
        }
    }
    Ok(answer::list("sources", items, req, &page))
}

async fn connect(
    State(state): State<AppState>,
    Extension(actor): Extension<Actor>,
    Path((id, source_id)): Path<(String, String)>,
) -> AppResult<Json<Data<Status>>> {
    let warehouse = load(&state, Kind::Warehouse, &id).await?;
    let source = state
        .store
        .get(Kind::Source, &source_id)
        .await?
        .ok_or_else(|| AppError::not_found(Kind::Source, &source_id).with_field("sourceId"))?;
    let cid = connection_id(&id, &source_id);
    // A source's natural key is its slug.
    let slug = source.natural_key.as_deref().unwrap_or(&source.id);
    let name = format!("{slug} → {}", warehouse.name);
    let mut doc = Doc::new(Kind::WarehouseConnection, &cid, name, Value::Null);
    doc.write(&WarehouseConnection {
        warehouse_id: id.clone(),
        source_id: source_id.clone(),
    })?;
    let doc = doc.parent(&id).refs([id.clone(), source_id.clone()]);
    state
        .store
        .apply(Batch::default().create(doc), &actor)
        .await?;
    Ok(ok_status())
}

async fn disconnect(
    State(state): State<AppState>,
    Extension(actor): Extension<Actor>,
    Path((id, source_id)): Path<(String, String)>,
) -> AppResult<impl axum::response::IntoResponse> {
    remove(
        &state,
        &actor,
        Kind::WarehouseConnection,
        &connection_id(&id, &source_id),
    )
    .await
}
