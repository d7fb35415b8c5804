//! Destination filters: conditions under which a destination drops, samples
//! or trims the events of its source. Paths use the singular `/destination`,
//! as the API does.

use axum::extract::{Path, State};
use axum::http::Uri;
use axum::routing::get;
use axum::{Extension, Router};
use segment_api::models::{
    CreateDestinationFilter, FilterAction, UpdateDestinationFilter, FILTER_ACTION_TYPES,
};
use serde_json::Value;

use super::answer::{self, List, One};
use super::render;
use super::stored::SourceLink;
use super::{belongs, list_answer, load, load_child, modify, non_empty, one_of, remove_child};
use crate::error::{AppError, AppResult};
use crate::input::Body;
use crate::kind::Kind;
use crate::store::{Actor, Batch, Doc, ListQuery};
use crate::{ids, AppState};
use segment_api::models::DestinationFilter;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/destination/{destination_id}/filters",
            get(list).post(create),
        )
        .route(
            "/destination/{destination_id}/filters/{filter_id}",
            get(read).patch(update).delete(delete),
        )
}

/// Checks each action against what its type needs, naming the offending
/// member such as `actions[1].percent`.
fn check_actions(actions: &[FilterAction]) -> AppResult<()> {
    if actions.is_empty() {
        return Err(AppError::invalid(
            "actions",
            format!(
                "actions: a filter needs at least one action, of type {}",
                FILTER_ACTION_TYPES.join(", ")
            ),
        ));
    }
    for (i, a) in actions.iter().enumerate() {
        one_of(&format!("actions[{i}].type"), &a.kind, FILTER_ACTION_TYPES)?;
        match a.kind.as_str() {
            "SAMPLE" => {
                let field = format!("actions[{i}].percent");
                match a.percent {
                    Some(p) if (0.0..=1.0).contains(&p) => {}
                    Some(p) => {
                        return Err(AppError::invalid(
                            field.clone(),
                            format!(
                                "{field}: {p} is outside 0 to 1; give the share of events \
                                 to keep as a fraction (0.25 keeps a quarter)"
                            ),
                        ))
                    }
                    None => {
                        return Err(AppError::invalid(
                            field.clone(),
                            format!(
                                "{field}: a SAMPLE action needs percent, the share of events \
                                 to keep from 0 to 1"
                            ),
                        ))
                    }
                }
                // Without a path the API samples events at random; the
                // official provider's own example has none.
                let field = format!("actions[{i}].path");
                if a.path.as_deref().is_some_and(|p| p.trim().is_empty()) {
                    return Err(AppError::invalid(
                        field.clone(),
                        format!(
                            "{field}: a SAMPLE action's path, when given, names the event \
                             field the sample is drawn on (such as \"userId\"); leave it out \
                             to sample at random"
                        ),
                    ));
                }
            }
            "ALLOW_PROPERTIES" | "DROP_PROPERTIES" => {
                let field = format!("actions[{i}].fields");
                if a.fields.as_ref().is_none_or(|f| f.is_empty()) {
                    return Err(AppError::invalid(
                        field.clone(),
                        format!(
                            "{field}: a {} action needs fields, the properties it applies to \
                             by object (such as {{\"properties\": {{\"fields\": [\"email\"]}}}})",
                            a.kind
                        ),
                    ));
                }
            }
            _ => {}
        }
    }
    Ok(())
}

async fn list(
    State(state): State<AppState>,
    Path(destination_id): Path<String>,
    uri: Uri,
) -> AppResult<List<DestinationFilter>> {
    load(&state, Kind::Destination, &destination_id).await?;
    let scope = ListQuery::under(destination_id);
    list_answer(&state, Kind::Filter, &uri, scope, "filters", render::filter).await
}

async fn read(
    State(state): State<AppState>,
    Path((destination_id, id)): Path<(String, String)>,
) -> AppResult<One<DestinationFilter>> {
    let doc = load_child(
        &state,
        (Kind::Destination, &destination_id),
        Kind::Filter,
        &id,
    )
    .await?;
    Ok(answer::one("filter", render::filter(&doc)?))
}

async fn create(
    State(state): State<AppState>,
    Extension(actor): Extension<Actor>,
    Path(destination_id): Path<String>,
    Body(input): Body<CreateDestinationFilter>,
) -> AppResult<One<DestinationFilter>> {
    let destination = load(&state, Kind::Destination, &destination_id).await?;
    non_empty("if", &input.condition)?;
    non_empty("title", &input.title)?;
    check_actions(&input.actions)?;
    // A filter acts on one source's events at one destination, so it must
    // name the source the destination receives from.
    let expected = destination.read::<SourceLink>()?.source_id;
    if input.source_id != expected {
        let why = if state
            .store
            .get(Kind::Source, &input.source_id)
            .await?
            .is_none()
        {
            "no such source exists".to_string()
        } else {
            format!("destination {destination_id:?} receives events from source {expected:?}")
        };
        return Err(AppError::invalid(
            "sourceId",
            format!(
                "sourceId: {:?} cannot be filtered here: {why}; use sourceId {expected:?}",
                input.source_id
            ),
        ));
    }
    let id = ids::new_id();
    let now = ids::now();
    let filter = DestinationFilter {
        id: id.clone(),
        source_id: input.source_id.clone(),
        destination_id: destination_id.clone(),
        condition: input.condition,
        actions: input.actions,
        title: input.title.clone(),
        description: input.description,
        enabled: input.enabled,
        created_at: now.clone(),
        updated_at: now,
    };
    let mut doc = Doc::new(Kind::Filter, &id, &input.title, Value::Null);
    doc.write(&filter)?;
    let doc = doc
        .parent(&destination_id)
        .refs([destination_id.clone(), input.source_id.clone()]);
    // Both may be deleted between the reads above and this write.
    let batch = Batch::default()
        .require(Kind::Destination, &destination_id, "destinationId")
        .require(Kind::Source, &input.source_id, "sourceId")
        .create(doc.clone());
    state.store.apply(batch, &actor).await?;
    Ok(answer::one("filter", filter))
}

async fn update(
    State(state): State<AppState>,
    Extension(actor): Extension<Actor>,
    Path((destination_id, id)): Path<(String, String)>,
    Body(input): Body<UpdateDestinationFilter>,
) -> AppResult<One<DestinationFilter>> {
    load(&state, Kind::Destination, &destination_id).await?;
    if let Some(c) = &input.condition {
        non_empty("if", c)?;
    }
    if let Some(t) = &input.title {
        non_empty("title", t)?;
    }
    if let Some(a) = &input.actions {
        check_actions(a)?;
    }
    let doc = modify(&state, &actor, Kind::Filter, &id, |doc| {
        belongs(doc, &destination_id)?;
        let mut filter: DestinationFilter = doc.read()?;
        let patch = input.clone();
        filter.condition = patch.condition.unwrap_or(filter.condition);
        filter.actions = patch.actions.unwrap_or(filter.actions);
        filter.title = patch.title.unwrap_or(filter.title);
        if let Some(description) = patch.description {
            filter.description = description;
        }
        filter.enabled = patch.enabled.unwrap_or(filter.enabled);
        filter.updated_at = ids::now();
        doc.name = filter.title.clone();
        doc.write(&filter)?;
        Ok(Batch::default())
    })
    .await?;
    Ok(answer::one("filter", render::filter(&doc)?))
}

async fn delete(
    State(state): State<AppState>,
    Extension(actor): Extension<Actor>,
    Path((destination_id, id)): Path<(String, String)>,
) -> AppResult<impl axum::response::IntoResponse> {
    let parent = (Kind::Destination, destination_id.as_str());
    remove_child(&state, &actor, parent, Kind::Filter, &id).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn action(v: Value) -> FilterAction {
        serde_json::from_value(v).expect("a well-formed action")
    }

    fn field_of(actions: &[FilterAction]) -> Option<String> {
        check_actions(actions).err().and_then(|e| e.field)
    }

    #[test]
    fn each_action_type_gets_what_it_needs() {
        let drop = action(json!({"type": "DROP"}));
        let sample = action(json!({"type": "SAMPLE", "percent": 0.5, "path": "userId"}));
        let allow = action(json!({"type": "ALLOW_PROPERTIES", "fields": {"properties": {}}}));
        assert!(check_actions(&[drop.clone(), sample, allow]).is_ok());

        let no_fields = action(json!({"type": "DROP_PROPERTIES"}));
        let empty_fields = action(json!({"type": "ALLOW_PROPERTIES", "fields": {}}));
        assert_eq!(
            field_of(&[drop.clone(), no_fields]).as_deref(),
            Some("actions[1].fields")
        );
        assert_eq!(
            field_of(&[empty_fields]).as_deref(),
            Some("actions[0].fields")
        );
    }

    #[test]
    fn a_sample_needs_a_fraction_and_no_blank_path() {
        let over = action(json!({"type": "SAMPLE", "percent": 1.5, "path": "userId"}));
        let missing = action(json!({"type": "SAMPLE", "path": "userId"}));
        let blank_path = action(json!({"type": "SAMPLE", "percent": 0.1, "path": " "}));
        let drop = action(json!({"type": "DROP"}));
        assert_eq!(
            field_of(&[drop.clone(), over]).as_deref(),
            Some("actions[1].percent")
        );
        assert_eq!(field_of(&[missing]).as_deref(), Some("actions[0].percent"));
        assert_eq!(field_of(&[blank_path]).as_deref(), Some("actions[0].path"));
        let edge = action(json!({"type": "SAMPLE", "percent": 0.0, "path": "anonymousId"}));
        assert!(check_actions(&[edge]).is_ok());
        // The official provider's example: random sampling, no path.
        let random = action(json!({"type": "SAMPLE", "percent": 0.05}));
        assert!(check_actions(&[random]).is_ok());
    }

    #[test]
    fn unknown_types_and_empty_lists_are_refused() {
        let odd = action(json!({"type": "drop"}));
        assert_eq!(field_of(&[odd]).as_deref(), Some("actions[0].type"));
        assert_eq!(field_of(&[]).as_deref(), Some("actions"));
    }
}
