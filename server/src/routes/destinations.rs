//! Destinations: a source's events sent on to an integration.

use axum::extract::{Path, State};
use axum::http::Uri;
use axum::routing::get;
use axum::{Extension, Router};
use segment_api::models::{CreateDestination, Destination, UpdateDestination};
use serde_json::Value;

use super::answer::{self, List, Metadata, One};
use super::render;
use super::stored::{write_integration, CatalogLink};
use super::{list_answer, load, modify, remove};
use crate::catalog::{self, Catalog};
use crate::error::AppResult;
use crate::input::Body;
use crate::kind::Kind;
use crate::store::{Actor, Batch, Doc, ListQuery};
use crate::{ids, AppState};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/destinations", get(list).post(create))
        .route("/destinations/{id}", get(read).patch(update).delete(delete))
}

/// The name the audit trail records: the name, or the catalog entry's.
fn audit_name(doc: &Doc) -> AppResult<String> {
    let destination: Destination<Metadata> = doc.read()?;
    Ok(match destination.name.filter(|n| !n.is_empty()) {
        Some(n) => n,
        None => {
            let meta = Catalog::get().destination(&doc.read::<CatalogLink>()?.metadata_id);
            meta.map(|m| m.name.clone()).unwrap_or_default()
        }
    })
}

type Shown = Destination<Metadata>;

async fn list(State(state): State<AppState>, uri: Uri) -> AppResult<List<Shown>> {
    list_answer(
        &state,
        Kind::Destination,
        &uri,
        ListQuery::default(),
        "destinations",
        render::destination,
    )
    .await
}

async fn read(State(state): State<AppState>, Path(id): Path<String>) -> AppResult<One<Shown>> {
    let doc = load(&state, Kind::Destination, &id).await?;
    Ok(answer::one("destination", render::destination(&doc)?))
}

async fn create(
    State(state): State<AppState>,
    Extension(actor): Extension<Actor>,
    Body(input): Body<CreateDestination>,
) -> AppResult<One<Shown>> {
    let meta = Catalog::get().require_destination(&input.metadata_id)?;
    let settings = catalog::without_masks(&input.settings);
    catalog::validate_settings(&meta.name, &meta.options, &settings, false)?;
    let id = ids::new_id();
    let destination = Destination {
        id: id.clone(),
        name: input.name.clone(),
        enabled: input.enabled.unwrap_or(false),
        metadata: Metadata(None),
        source_id: input.source_id.clone(),
        settings,
    };
    let mut doc = Doc::new(Kind::Destination, &id, "", Value::Null)
        .parent(&input.source_id)
        .refs([input.source_id.clone()]);
    write_integration(&mut doc, &destination, &meta.id)?;
    doc.name = audit_name(&doc)?;
    let batch = Batch::default()
        .require(Kind::Source, &input.source_id, "sourceId")
        .create(doc.clone());
    state.store.apply(batch, &actor).await?;
    Ok(answer::one("destination", render::destination(&doc)?))
}

async fn update(
    State(state): State<AppState>,
    Extension(actor): Extension<Actor>,
    Path(id): Path<String>,
    Body(input): Body<UpdateDestination>,
) -> AppResult<One<Shown>> {
    let doc = modify(&state, &actor, Kind::Destination, &id, |doc| {
        let meta_id = doc.read::<CatalogLink>()?.metadata_id;
        let meta = Catalog::get().require_destination(&meta_id)?;
        let mut destination: Shown = doc.read()?;
        if let Some(patch) = &input.settings {
            catalog::validate_settings(&meta.name, &meta.options, patch, true)?;
            catalog::merge_settings(&mut destination.settings, patch);
        }
        if let Some(name) = &input.name {
            destination.name = name.clone();
        }
        destination.enabled = input.enabled.unwrap_or(destination.enabled);
        write_integration(doc, &destination, &meta_id)?;
        doc.name = audit_name(doc)?;
        Ok(Batch::default())
    })
    .await?;
    Ok(answer::one("destination", render::destination(&doc)?))
}

async fn delete(
    State(state): State<AppState>,
    Extension(actor): Extension<Actor>,
    Path(id): Path<String>,
) -> AppResult<impl axum::response::IntoResponse> {
    remove(&state, &actor, Kind::Destination, &id).await
}
