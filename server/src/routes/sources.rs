//! Sources, their labels, and what is connected to them.

use axum::extract::{Path, State};
use axum::http::Uri;
use axum::routing::get;
use axum::{Extension, Json, Router};
use segment_api::models::{
    is_source_slug, CreateSource, Label, Labels, UpdateSource, SOURCE_SLUG_RULE,
};
use serde_json::{json, Value};

use super::answer::{self, List, One, Shown};
use super::stored::{CatalogLink, PlanConnection, WarehouseConnection};
use super::{list_answer, load, modify, object, page_of, remove, set, text};
use crate::catalog::{self, Catalog};
use crate::error::{AppError, AppResult};
use crate::input::Body;
use crate::kind::Kind;
use crate::store::{Actor, Batch, Doc, ListQuery};
use crate::{ids, AppState};

#[path = "source_settings.rs"]
mod source_settings;

pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(source_settings::routes())
        .route("/sources", get(list).post(create))
        .route("/sources/{id}", get(read).patch(update).delete(delete))
        .route(
            "/sources/{id}/labels",
            get(labels).put(replace_labels).post(add_labels),
        )
        .route(
            "/sources/{id}/connected-destinations",
            get(connected_destinations),
        )
        .route(
            "/sources/{id}/connected-warehouses",
            get(connected_warehouses),
        )
}

/// Slugs name sources in URLs and in the generator's file names.
fn check_slug(slug: &str) -> AppResult<()> {
    if !is_source_slug(slug) {
        return Err(AppError::invalid(
            "slug",
            format!("slug: {slug:?} must be {SOURCE_SLUG_RULE} (such as \"web_app\")"),
        ));
    }
    Ok(())
}

fn audit_name(body: &Value) -> String {
    match body.get("name").and_then(Value::as_str) {
        Some(n) if !n.is_empty() => n.to_string(),
        _ => text(body, "slug").to_string(),
    }
}

/// A source as the API shows it: catalog metadata embedded, secrets masked,
/// schema settings left to their own path.
pub fn render(doc: &Doc) -> Shown {
    Shown::integration(doc, |meta_id, settings| {
        if let Some(meta) = Catalog::get().source(meta_id) {
            *settings = catalog::masked(&meta.options, settings);
        }
    })
    .without(source_settings::KEY)
}

async fn list(State(state): State<AppState>, uri: Uri) -> AppResult<List<Shown>> {
    list_answer(
        &state,
        Kind::Source,
        &uri,
        ListQuery::default(),
        "sources",
        render,
    )
    .await
}

/// A source read by id: its tracking plan comes with it.
#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct Read {
    source: Shown,
    tracking_plan_id: Value,
}

async fn read(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> AppResult<Json<answer::Data<Read>>> {
    let doc = load(&state, Kind::Source, &id).await?;
    let plan = state
        .store
        .find_by_key(Kind::TrackingPlanConnection, &id)
        .await?
        .map(|c| c.read::<PlanConnection>())
        .transpose()?
        .map_or(Value::Null, |c| Value::String(c.tracking_plan_id));
    Ok(answer::data(Read {
        source: render(&doc),
        tracking_plan_id: plan,
    }))
}

async fn create(
    State(state): State<AppState>,
    Extension(actor): Extension<Actor>,
    Body(input): Body<CreateSource>,
) -> AppResult<One<Shown>> {
    check_slug(&input.slug)?;
    let meta = Catalog::get().require_source(&input.metadata_id)?;
    let settings = catalog::without_masks(&input.settings.unwrap_or_default());
    catalog::validate_settings(&meta.name, &meta.options, &settings, false)?;
    let workspace = state.store.workspace().await?;
    let id = ids::new_id();
    let body = json!({
        "id": id,
        "slug": input.slug,
        "workspaceId": workspace.id,
        "enabled": input.enabled,
        "writeKeys": [ids::new_write_key()],
        "settings": settings,
        "labels": [],
        "metadataId": meta.id,
    });
    let doc = Doc::new(Kind::Source, &id, audit_name(&body), body).natural_key(&input.slug);
    state
        .store
        .apply(Batch::default().create(doc.clone()), &actor)
        .await?;
    Ok(answer::one("source", render(&doc)))
}

async fn update(
    State(state): State<AppState>,
    Extension(actor): Extension<Actor>,
    Path(id): Path<String>,
    Body(input): Body<UpdateSource>,
) -> AppResult<One<Shown>> {
    if let Some(slug) = &input.slug {
        check_slug(slug)?;
    }
    let doc = modify(&state, &actor, Kind::Source, &id, |doc| {
        let meta_id = doc.read::<CatalogLink>()?.metadata_id;
        let meta = Catalog::get().require_source(&meta_id)?;
        let map = object(doc);
        if let Some(patch) = &input.settings {
            catalog::patch_settings(map, &meta.name, &meta.options, patch)?;
        }
        set(map, "name", &input.name);
        set(map, "enabled", &input.enabled);
        set(map, "slug", &input.slug);
        if let Some(slug) = &input.slug {
            doc.natural_key = Some(slug.clone());
        }
        doc.name = audit_name(&doc.body);
        Ok(Batch::default())
    })
    .await?;
    Ok(answer::one("source", render(&doc)))
}

async fn delete(
    State(state): State<AppState>,
    Extension(actor): Extension<Actor>,
    Path(id): Path<String>,
) -> AppResult<impl axum::response::IntoResponse> {
    remove(&state, &actor, Kind::Source, &id).await
}

async fn labels(State(state): State<AppState>, Path(id): Path<String>) -> AppResult<Json<Value>> {
    let doc = load(&state, Kind::Source, &id).await?;
    Ok(super::ok(
        json!({ "labels": doc.body.get("labels").cloned().unwrap_or(json!([])) }),
    ))
}

/// Sets a source's labels; every label must exist in the workspace.
async fn set_labels(
    state: &AppState,
    actor: &Actor,
    id: &str,
    given: Vec<Label>,
    keep_existing: bool,
) -> AppResult<Json<Value>> {
    let doc = modify(state, actor, Kind::Source, id, |doc| {
        let mut batch = Batch::default();
        let mut labels: Vec<Label> = if keep_existing {
            serde_json::from_value(doc.body.get("labels").cloned().unwrap_or(json!([])))
                .unwrap_or_default()
        } else {
            Vec::new()
        };
        for (i, l) in given.iter().enumerate() {
            batch = batch.require(
                Kind::Label,
                super::labels::label_id(&l.key, &l.value),
                format!("labels[{i}]"),
            );
            if !labels.iter().any(|x| x.key == l.key && x.value == l.value) {
                labels.push(Label {
                    key: l.key.clone(),
                    value: l.value.clone(),
                    description: None,
                });
            }
        }
        object(doc).insert(
            "labels".into(),
            serde_json::to_value(&labels).unwrap_or_default(),
        );
        Ok(batch)
    })
    .await?;
    Ok(super::ok(
        json!({ "labels": doc.body.get("labels").cloned().unwrap_or(json!([])) }),
    ))
}

async fn replace_labels(
    State(state): State<AppState>,
    Extension(actor): Extension<Actor>,
    Path(id): Path<String>,
    Body(input): Body<Labels>,
) -> AppResult<Json<Value>> {
    set_labels(&state, &actor, &id, input.labels, false).await
}

async fn add_labels(
    State(state): State<AppState>,
    Extension(actor): Extension<Actor>,
    Path(id): Path<String>,
    Body(input): Body<Labels>,
) -> AppResult<Json<Value>> {
    set_labels(&state, &actor, &id, input.labels, true).await
}

async fn connected_destinations(
    State(state): State<AppState>,
    Path(id): Path<String>,
    uri: Uri,
) -> AppResult<List<Shown>> {
    load(&state, Kind::Source, &id).await?;
    let scope = ListQuery::under(id);
    list_answer(
        &state,
        Kind::Destination,
        &uri,
        scope,
        "destinations",
        super::destinations::render,
    )
    .await
}

async fn connected_warehouses(
    State(state): State<AppState>,
    Path(id): Path<String>,
    uri: Uri,
) -> AppResult<List<Shown>> {
    load(&state, Kind::Source, &id).await?;
    let scope = ListQuery {
        referencing: Some(id),
        ..Default::default()
    };
    let (req, page) = page_of(&state, Kind::WarehouseConnection, &uri, scope).await?;
    let mut items = Vec::with_capacity(page.items.len());
    for c in &page.items {
        if let Some(w) = state
            .store
            .get(
                Kind::Warehouse,
                &c.read::<WarehouseConnection>()?.warehouse_id,
            )
            .await?
        {
            items.push(super::warehouses::render(&w));
        }
    }
    Ok(answer::list("warehouses", items, req, &page))
}
