//! Transformations: rename, drop or reshape a source's events, optionally
//! only on their way to one kind of destination.

use axum::extract::{Path, State};
use axum::http::Uri;
use axum::routing::get;
use axum::{Extension, Json, Router};
use segment_api::models::{CreateTransformation, UpdateTransformation};
use serde_json::{json, Map, Value};

use super::{load, modify, non_empty, object, ok_list, ok_one, page_of, remove, set};
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

/// The optional fields create and update both carry.
const OPTIONAL: &[&str] = &[
    "destinationMetadataId",
    "drop",
    "newEventName",
    "propertyRenames",
    "propertyValueTransformations",
    "fqlDefinedProperties",
    "allowProperties",
    "hashPropertiesConfiguration",
];

/// Copies the optional fields the request gave. Absent fields stay out of
/// the stored body: the API leaves them out of its answers, and a reader
/// that configured nothing must read back nothing (not "" or null). The
/// input models skip `None` when serialized, so only given fields appear.
fn set_optional(map: &mut Map<String, Value>, input: &impl serde::Serialize) {
    let given = serde_json::to_value(input).unwrap_or(Value::Null);
    for field in OPTIONAL {
        match given.get(*field) {
            Some(Value::Null) | None => {}
            Some(v) => {
                map.insert((*field).to_string(), v.clone());
            }
        }
    }
}

async fn list(State(state): State<AppState>, uri: Uri) -> AppResult<Json<Value>> {
    let (req, mut page) = page_of(&state, Kind::Transformation, &uri, ListQuery::default()).await?;
    let items = std::mem::take(&mut page.items)
        .into_iter()
        .map(|d| d.body)
        .collect();
    Ok(ok_list("transformations", items, req, &page))
}

async fn read(State(state): State<AppState>, Path(id): Path<String>) -> AppResult<Json<Value>> {
    let doc = load(&state, Kind::Transformation, &id).await?;
    Ok(ok_one("transformation", doc.body))
}

async fn create(
    State(state): State<AppState>,
    Extension(actor): Extension<Actor>,
    Body(input): Body<CreateTransformation>,
) -> AppResult<Json<Value>> {
    non_empty("name", &input.name)?;
    non_empty("sourceId", &input.source_id)?;
    non_empty("if", &input.condition)?;
    check_destination_metadata(&input.destination_metadata_id)?;
    let id = ids::new_id();
    let mut body = json!({
        "id": id,
        "name": input.name,
        "sourceId": input.source_id,
        "enabled": input.enabled,
        "if": input.condition,
    });
    if let Value::Object(map) = &mut body {
        set_optional(map, &input);
    }
    let doc = Doc::new(Kind::Transformation, &id, &input.name, body)
        .parent(&input.source_id)
        .refs([input.source_id.clone()]);
    let batch = Batch::default()
        .require(Kind::Source, &input.source_id, "sourceId")
        .create(doc.clone());
    state.store.apply(batch, &actor).await?;
    Ok(ok_one("transformation", doc.body))
}

async fn update(
    State(state): State<AppState>,
    Extension(actor): Extension<Actor>,
    Path(id): Path<String>,
    Body(input): Body<UpdateTransformation>,
) -> AppResult<Json<Value>> {
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
        // Moving to another source moves the dependency with it: deleting
        // the new source deletes the transformation, the old one no longer does.
        if let Some(source_id) = &input.source_id {
            if *source_id != doc.read::<Transformation>()?.source_id {
                batch = batch.require(Kind::Source, source_id, "sourceId");
                doc.parent = Some(source_id.clone());
                doc.refs = vec![source_id.clone()];
            }
        }
        let map = object(doc);
        set(map, "name", &input.name);
        set(map, "sourceId", &input.source_id);
        set(map, "enabled", &input.enabled);
        set(map, "if", &input.condition);
        set_optional(map, &input);
        if let Some(name) = &input.name {
            doc.name = name.clone();
        }
        Ok(batch)
    })
    .await?;
    Ok(ok_one("transformation", doc.body))
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
