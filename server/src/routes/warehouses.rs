//! Warehouses and the sources connected to them.

use axum::extract::{Path, State};
use axum::http::Uri;
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use segment_api::models::{CreateWarehouse, UpdateWarehouse};
use serde_json::{json, Value};

use super::answer::{self, List, One, Shown};
use super::stored::{CatalogLink, WarehouseConnection};
use super::{
    list_answer, load, modify, object, ok_status, page_of, remove, set, set_or_clear, text,
};
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

fn audit_name(body: &Value) -> String {
    match body.get("name").and_then(Value::as_str) {
        Some(n) if !n.is_empty() => n.to_string(),
        _ => {
            let meta = Catalog::get().warehouse(text(body, "metadataId"));
            meta.map(|m| m.name.clone()).unwrap_or_default()
        }
    }
}

/// A warehouse as the API shows it. Secrets are left out entirely, as the
/// API does for warehouse passwords.
pub fn render(doc: &Doc) -> Shown {
    Shown::integration(doc, |meta_id, settings| {
        if let Some(meta) = Catalog::get().warehouse(meta_id) {
            for o in meta.options.iter().filter(|o| o.is_secret()) {
                settings.remove(&o.name);
            }
        }
    })
}

async fn list(State(state): State<AppState>, uri: Uri) -> AppResult<List<Shown>> {
    list_answer(
        &state,
        Kind::Warehouse,
        &uri,
        ListQuery::default(),
        "warehouses",
        render,
    )
    .await
}

async fn read(State(state): State<AppState>, Path(id): Path<String>) -> AppResult<One<Shown>> {
    let doc = load(&state, Kind::Warehouse, &id).await?;
    Ok(answer::one("warehouse", render(&doc)))
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
    let mut body = json!({
        "id": id,
        "workspaceId": workspace.id,
        "enabled": input.enabled.unwrap_or(true),
        "settings": settings,
        "metadataId": meta.id,
    });
    if let (Some(name), Some(map)) = (&input.name, body.as_object_mut()) {
        map.insert("name".into(), json!(name));
    }
    let doc = Doc::new(Kind::Warehouse, &id, audit_name(&body), body);
    state
        .store
        .apply(Batch::default().create(doc.clone()), &actor)
        .await?;
    Ok(answer::one("warehouse", render(&doc)))
}

async fn update(
    State(state): State<AppState>,
    Extension(actor): Extension<Actor>,
    Path(id): Path<String>,
    Body(input): Body<UpdateWarehouse>,
) -> AppResult<One<Shown>> {
    let doc = modify(&state, &actor, Kind::Warehouse, &id, |doc| {
        let meta = Catalog::get().require_warehouse(&doc.read::<CatalogLink>()?.metadata_id)?;
        let map = object(doc);
        if let Some(patch) = &input.settings {
            catalog::patch_settings(map, &meta.name, &meta.options, patch)?;
        }
        set_or_clear(map, "name", &input.name);
        set(map, "enabled", &input.enabled);
        doc.name = audit_name(&doc.body);
        Ok(Batch::default())
    })
    .await?;
    Ok(answer::one("warehouse", render(&doc)))
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
) -> AppResult<List<Shown>> {
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
            items.push(super::sources::render(&s));
        }
    }
    Ok(answer::list("sources", items, req, &page))
}

async fn connect(
    State(state): State<AppState>,
    Extension(actor): Extension<Actor>,
    Path((id, source_id)): Path<(String, String)>,
) -> AppResult<Json<Value>> {
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
