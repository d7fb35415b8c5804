//! Sources, their labels, and what is connected to them.

use axum::extract::{Path, State};
use axum::http::Uri;
use axum::routing::get;
use axum::{Extension, Json, Router};
use segment_api::models::{
    is_source_slug, CreateSource, Label, Labels, Source, UpdateSource, SOURCE_SLUG_RULE,
};
use serde_json::Value;

use super::answer::{self, Data, List, Metadata, One};
use super::render;
use super::stored::{write_integration, CatalogLink, PlanConnection, WarehouseConnection};
use super::{list_answer, load, modify, page_of, remove};
use crate::catalog::{self, Catalog};
use crate::error::{AppError, AppResult};
use crate::input::Body;
use crate::kind::Kind;
use crate::store::{Actor, Batch, Doc, ListQuery};
use crate::{ids, AppState};

#[path = "source_settings.rs"]
mod source_settings;

pub use source_settings::KEY as SCHEMA_SETTINGS;

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

/// The name the audit trail records: the name, or the slug when unnamed.
fn audit_name(doc: &Doc) -> AppResult<String> {
    let source: Source<Metadata> = doc.read()?;
    Ok(source.name.filter(|n| !n.is_empty()).unwrap_or(source.slug))
}

type Shown = Source<Metadata>;

async fn list(State(state): State<AppState>, uri: Uri) -> AppResult<List<Shown>> {
    list_answer(
        &state,
        Kind::Source,
        &uri,
        ListQuery::default(),
        "sources",
        render::source,
    )
    .await
}

/// A source read by id: its tracking plan comes with it.
#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct Read {
    source: Shown,
    tracking_plan_id: Option<String>,
}

async fn read(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> AppResult<Json<answer::Data<Read>>> {
    let (doc, plan) = state
        .store
        .get_with_keyed(Kind::Source, &id, Kind::TrackingPlanConnection)
        .await?;
    let doc = doc.ok_or_else(|| AppError::not_found(Kind::Source, &id))?;
    let plan = plan
        .map(|c| c.read::<PlanConnection>())
        .transpose()?
        .map(|c| c.tracking_plan_id);
    Ok(answer::data(Read {
        source: render::source(&doc)?,
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
    let source = Source {
        id: id.clone(),
        slug: input.slug.clone(),
        name: None,
        metadata: Metadata(None),
        workspace_id: workspace.id,
        enabled: input.enabled,
        write_keys: vec![ids::new_write_key()],
        settings,
        labels: Vec::new(),
    };
    let mut doc = Doc::new(Kind::Source, &id, "", Value::Null).natural_key(&input.slug);
    write_integration(&mut doc, &source, &meta.id)?;
    doc.name = audit_name(&doc)?;
    state
        .store
        .apply(Batch::default().create(doc.clone()), &actor)
        .await?;
    Ok(answer::one("source", render::source(&doc)?))
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
        let mut source: Shown = doc.read()?;
        if let Some(patch) = &input.settings {
            catalog::validate_settings(&meta.name, &meta.options, patch, true)?;
            catalog::merge_settings(&mut source.settings, patch);
        }
        let patch = input.clone();
        source.name = patch.name.or(source.name);
        source.enabled = patch.enabled.unwrap_or(source.enabled);
        if let Some(slug) = patch.slug {
            doc.natural_key = Some(slug.clone());
            source.slug = slug;
        }
        write_integration(doc, &source, &meta_id)?;
        doc.name = audit_name(doc)?;
        Ok(Batch::default())
    })
    .await?;
    Ok(answer::one("source", render::source(&doc)?))
}

async fn delete(
    State(state): State<AppState>,
    Extension(actor): Extension<Actor>,
    Path(id): Path<String>,
) -> AppResult<impl axum::response::IntoResponse> {
    remove(&state, &actor, Kind::Source, &id).await
}

/// `{"labels": [...]}`, the answer of every labels path of a source.
fn labels_of(doc: &Doc) -> AppResult<Json<Data<Labels>>> {
    let labels = doc.read::<Source<Metadata>>()?.labels;
    Ok(answer::data(Labels { labels }))
}

async fn labels(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> AppResult<Json<Data<Labels>>> {
    labels_of(&load(&state, Kind::Source, &id).await?)
}

/// Sets a source's labels; every label must exist in the workspace.
async fn set_labels(
    state: &AppState,
    actor: &Actor,
    id: &str,
    given: Vec<Label>,
    keep_existing: bool,
) -> AppResult<Json<Data<Labels>>> {
    let doc = modify(state, actor, Kind::Source, id, |doc| {
        let mut batch = Batch::default();
        let mut source: Shown = doc.read()?;
        let mut labels: Vec<Label> = if keep_existing {
            std::mem::take(&mut source.labels)
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
        source.labels = labels;
        let meta_id = doc.read::<CatalogLink>()?.metadata_id;
        write_integration(doc, &source, &meta_id)?;
        Ok(batch)
    })
    .await?;
    labels_of(&doc)
}

async fn replace_labels(
    State(state): State<AppState>,
    Extension(actor): Extension<Actor>,
    Path(id): Path<String>,
    Body(input): Body<Labels>,
) -> AppResult<Json<Data<Labels>>> {
    set_labels(&state, &actor, &id, input.labels, false).await
}

async fn add_labels(
    State(state): State<AppState>,
    Extension(actor): Extension<Actor>,
    Path(id): Path<String>,
    Body(input): Body<Labels>,
) -> AppResult<Json<Data<Labels>>> {
    set_labels(&state, &actor, &id, input.labels, true).await
}

async fn connected_destinations(
    State(state): State<AppState>,
    Path(id): Path<String>,
    uri: Uri,
) -> AppResult<List<segment_api::models::Destination<Metadata>>> {
    load(&state, Kind::Source, &id).await?;
    let scope = ListQuery::under(id);
    list_answer(
        &state,
        Kind::Destination,
        &uri,
        scope,
        "destinations",
        render::destination,
    )
    .await
}

async fn connected_warehouses(
    State(state): State<AppState>,
    Path(id): Path<String>,
    uri: Uri,
) -> AppResult<List<segment_api::models::Warehouse<Metadata>>> {
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
            items.push(render::warehouse(&w)?);
        }
    }
    Ok(answer::list("warehouses", items, req, &page))
}
