//! Transformations: rename, drop or reshape a source's events, optionally
//! only on their way to one kind of destination.

use axum::extract::{Path, State};
use axum::http::Uri;
use axum::routing::get;
use axum::{Extension, Router};
use segment_api::models::{CreateTransformation, UpdateTransformation};
use serde_json::Value;

use super::answer::{self, List, One};
use super::render;
use super::{list_answer, load, modify, non_empty, remove};
use crate::catalog::Catalog;
use crate::error::{AppError, AppResult};
use crate::input::Body;
use crate::kind::Kind;
use crate::store::{Actor, Batch, Doc, ListQuery};
use crate::{ids, AppState};
use segment_api::models::Transformation;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/transformations", get(list).post(create))
        .route(
            "/transformations/{id}",
            get(read).patch(update).delete(delete),
        )
}

/// A destination-scoped transformation names a catalog destination.
fn check_destination_metadata(id: &Option<String>) -> AppResult<()> {
    match id {
        Some(id) if Catalog::get().destination(id).is_none() => Err(AppError::invalid(
            "destinationMetadataId",
            format!(
                "destinationMetadataId: {id:?} is not a destination in the catalog; \
                 GET /catalog/destinations lists the ids"
            ),
        )),
        _ => Ok(()),
    }
}

async fn list(State(state): State<AppState>, uri: Uri) -> AppResult<List<Transformation>> {
    let scope = ListQuery::default();
    let items = render::transformation;
    list_answer(
        &state,
        Kind::Transformation,
        &uri,
        scope,
        "transformations",
        items,
    )
    .await
}

async fn read(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> AppResult<One<Transformation>> {
    let doc = load(&state, Kind::Transformation, &id).await?;
    Ok(answer::one("transformation", render::transformation(&doc)?))
}

/// Optional fields the request left out stay out of the answers, as the
/// API leaves them out: a reader that configured nothing reads back nothing
/// (not "" or null).
async fn create(
    State(state): State<AppState>,
    Extension(actor): Extension<Actor>,
    Body(input): Body<CreateTransformation>,
) -> AppResult<One<Transformation>> {
    non_empty("name", &input.name)?;
    non_empty("sourceId", &input.source_id)?;
    non_empty("if", &input.condition)?;
    check_destination_metadata(&input.destination_metadata_id)?;
    let id = ids::new_id();
    let transformation = Transformation {
        id: id.clone(),
        name: input.name.clone(),
        source_id: input.source_id.clone(),
        destination_metadata_id: input.destination_metadata_id,
        enabled: input.enabled,
        condition: input.condition,
        drop: input.drop,
        new_event_name: input.new_event_name,
        property_renames: input.property_renames.unwrap_or_default(),
        property_value_transformations: input.property_value_transformations.unwrap_or_default(),
        fql_defined_properties: input.fql_defined_properties.unwrap_or_default(),
        allow_properties: input.allow_properties,
        hash_properties_configuration: input.hash_properties_configuration,
    };
    let mut doc = Doc::new(Kind::Transformation, &id, &input.name, Value::Null);
    doc.write(&transformation)?;
    let doc = doc.parent(&input.source_id).refs([input.source_id.clone()]);
    let batch = Batch::default()
        .require(Kind::Source, &input.source_id, "sourceId")
        .create(doc);
    state.store.apply(batch, &actor).await?;
    Ok(answer::one("transformation", transformation))
}

/// Lays the fields `patch` gives over `t`; a field left out (or `null`)
/// keeps what is there.
fn patched(mut t: Transformation, patch: UpdateTransformation) -> Transformation {
    t.name = patch.name.unwrap_or(t.name);
    t.source_id = patch.source_id.unwrap_or(t.source_id);
    t.enabled = patch.enabled.unwrap_or(t.enabled);
    t.condition = patch.condition.unwrap_or(t.condition);
    t.destination_metadata_id = patch.destination_metadata_id.or(t.destination_metadata_id);
    t.drop = patch.drop.or(t.drop);
    t.new_event_name = patch.new_event_name.or(t.new_event_name);
    t.property_renames = patch.property_renames.unwrap_or(t.property_renames);
    t.property_value_transformations = patch
        .property_value_transformations
        .unwrap_or(t.property_value_transformations);
    t.fql_defined_properties = patch
        .fql_defined_properties
        .unwrap_or(t.fql_defined_properties);
    t.allow_properties = patch.allow_properties.or(t.allow_properties);
    t.hash_properties_configuration = patch
        .hash_properties_configuration
        .or(t.hash_properties_configuration);
    t
}

async fn update(
    State(state): State<AppState>,
    Extension(actor): Extension<Actor>,
    Path(id): Path<String>,
    Body(input): Body<UpdateTransformation>,
) -> AppResult<One<Transformation>> {
    if let Some(name) = &input.name {
        non_empty("name", name)?;
    }
    if let Some(condition) = &input.condition {
        non_empty("if", condition)?;
    }
    if let Some(source_id) = &input.source_id {
        non_empty("sourceId", source_id)?;
    }
    check_destination_metadata(&input.destination_metadata_id)?;
    let doc = modify(&state, &actor, Kind::Transformation, &id, |doc| {
        let mut batch = Batch::default();
        let transformation: Transformation = doc.read()?;
        // Moving to another source moves the dependency with it: deleting
        // the new source deletes the transformation, the old one no longer does.
        if let Some(source_id) = &input.source_id {
            if *source_id != transformation.source_id {
                batch = batch.require(Kind::Source, source_id, "sourceId");
                doc.parent = Some(source_id.clone());
                doc.refs = vec![source_id.clone()];
            }
        }
        let transformation = patched(transformation, input.clone());
        doc.name = transformation.name.clone();
        doc.write(&transformation)?;
        Ok(batch)
    })
    .await?;
    Ok(answer::one("transformation", render::transformation(&doc)?))
}

async fn delete(
    State(state): State<AppState>,
    Extension(actor): Extension<Actor>,
    Path(id): Path<String>,
) -> AppResult<impl axum::response::IntoResponse> {
    remove(&state, &actor, Kind::Transformation, &id).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn destination_metadata_must_be_in_the_catalog() {
        assert!(check_destination_metadata(&None).is_ok());
        let e = check_destination_metadata(&Some("no-such-destination".into())).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("destinationMetadataId"));
        let known = Catalog::get().destinations[0].id.clone();
        assert!(check_destination_metadata(&Some(known)).is_ok());
    }
}
