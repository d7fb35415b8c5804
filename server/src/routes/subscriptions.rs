//! Destination subscriptions: an action of an Actions destination and the
//! trigger that fires it.

use axum::extract::{Path, State};
use axum::http::Uri;
use axum::routing::get;
use axum::{Extension, Json, Router};
use segment_api::models::{
    CreateDestinationSubscription, DestinationAction, DestinationMetadata,
    UpdateDestinationSubscriptionBody,
};
use serde_json::{json, Value};

use super::answer::List;
use super::stored::CatalogLink;
use super::{
    belongs, list_answer, load, load_child, modify, non_empty, object, ok_one, remove_child, set,
};
use crate::catalog::Catalog;
use crate::error::{AppError, AppResult};
use crate::input::Body;
use crate::kind::Kind;
use crate::store::{Actor, Batch, Doc, ListQuery};
use crate::{ids, AppState};
use segment_api::models::DestinationSubscription;

pub fn routes() -> Router<AppState> {
    // `{id}` is the destination, named as in destinations.rs: the router
    // refuses two names for one path segment.
    Router::new()
        .route("/destinations/{id}/subscriptions", get(list).post(create))
        .route(
            "/destinations/{id}/subscriptions/{subscription_id}",
            get(read).patch(update).delete(delete),
        )
}

/// The catalog action `action_id` names, or a 422 listing the ones there are.
fn find_action<'a>(
    meta: Option<&'a DestinationMetadata>,
    action_id: &str,
) -> AppResult<&'a DestinationAction> {
    let actions = meta.map(|m| m.actions.as_slice()).unwrap_or_default();
    if let Some(a) = actions.iter().find(|a| a.id == action_id) {
        return Ok(a);
    }
    let name = meta.map(|m| m.name.as_str()).unwrap_or("this destination");
    let message = if actions.is_empty() {
        format!(
            "actionId: {action_id:?} is not an action of {name}, which has none: \
             subscriptions belong to Actions destinations"
        )
    } else {
        let known: Vec<String> = actions
            .iter()
            .map(|a| format!("{} ({})", a.id, a.slug))
            .collect();
        format!(
            "actionId: {action_id:?} is not an action of {name}; its actions are: {}",
            known.join(", ")
        )
    };
    Err(AppError::invalid("actionId", message))
}

async fn list(
    State(state): State<AppState>,
    Path(destination_id): Path<String>,
    uri: Uri,
) -> AppResult<List<Value>> {
    load(&state, Kind::Destination, &destination_id).await?;
    let scope = ListQuery::under(destination_id);
    list_answer(
        &state,
        Kind::Subscription,
        &uri,
        scope,
        "subscriptions",
        |d| d.body.clone(),
    )
    .await
}

async fn read(
    State(state): State<AppState>,
    Path((destination_id, id)): Path<(String, String)>,
) -> AppResult<Json<Value>> {
    let doc = load_child(
        &state,
        (Kind::Destination, &destination_id),
        Kind::Subscription,
        &id,
    )
    .await?;
    Ok(ok_one("subscription", doc.body))
}

async fn create(
    State(state): State<AppState>,
    Extension(actor): Extension<Actor>,
    Path(destination_id): Path<String>,
    Body(input): Body<CreateDestinationSubscription>,
) -> AppResult<Json<Value>> {
    let destination = load(&state, Kind::Destination, &destination_id).await?;
    non_empty("name", &input.name)?;
    non_empty("trigger", &input.trigger)?;
    let meta = Catalog::get().destination(&destination.read::<CatalogLink>()?.metadata_id);
    let action = find_action(meta, &input.action_id)?;
    let id = ids::new_id();
    let mut body = json!({
        "id": id,
        "name": input.name,
        "actionId": action.id,
        "actionSlug": action.slug,
        "destinationId": destination_id,
        "enabled": input.enabled,
        "trigger": input.trigger,
        "settings": input.settings.clone().unwrap_or_default(),
    });
    let mut refs = vec![destination_id.clone()];
    let mut batch = Batch::default().require(Kind::Destination, &destination_id, "destinationId");
    if let Some(model_id) = &input.model_id {
        non_empty("modelId", model_id)?;
        // The model feeds this subscription: deleting it deletes the subscription.
        batch = batch.require(Kind::ReverseEtlModel, model_id, "modelId");
        refs.push(model_id.clone());
        if let Some(map) = body.as_object_mut() {
            map.insert("modelId".into(), json!(model_id));
        }
    }
    let doc = Doc::new(Kind::Subscription, &id, &input.name, body)
        .parent(&destination_id)
        .refs(refs);
    state.store.apply(batch.create(doc.clone()), &actor).await?;
    Ok(ok_one("destinationSubscription", doc.body))
}

async fn update(
    State(state): State<AppState>,
    Extension(actor): Extension<Actor>,
    Path((destination_id, id)): Path<(String, String)>,
    Body(UpdateDestinationSubscriptionBody { input }): Body<UpdateDestinationSubscriptionBody>,
) -> AppResult<Json<Value>> {
    load(&state, Kind::Destination, &destination_id).await?;
    if let Some(n) = &input.name {
        non_empty("input.name", n)?;
    }
    if let Some(t) = &input.trigger {
        non_empty("input.trigger", t)?;
    }
    let doc = modify(&state, &actor, Kind::Subscription, &id, |doc| {
        belongs(doc, &destination_id)?;
        let map = object(doc);
        set(map, "name", &input.name);
        set(map, "trigger", &input.trigger);
        set(map, "enabled", &input.enabled);
        // Settings are the action's whole field mapping: a PATCH replaces
        // them rather than merging, so a removed mapping really goes.
        set(map, "settings", &input.settings);
        doc.name = doc.read::<DestinationSubscription>()?.name;
        Ok(Batch::default())
    })
    .await?;
    Ok(ok_one("subscription", doc.body))
}

async fn delete(
    State(state): State<AppState>,
    Extension(actor): Extension<Actor>,
    Path((destination_id, id)): Path<(String, String)>,
) -> AppResult<impl axum::response::IntoResponse> {
    let parent = (Kind::Destination, destination_id.as_str());
    remove_child(&state, &actor, parent, Kind::Subscription, &id).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actions_destination() -> &'static DestinationMetadata {
        Catalog::get()
            .destinations
            .iter()
            .find(|m| !m.actions.is_empty())
            .expect("the catalog has an Actions destination")
    }

    #[test]
    fn an_action_of_the_destination_is_found_with_its_slug() {
        let meta = actions_destination();
        let first = &meta.actions[0];
        let found = find_action(Some(meta), &first.id).expect("its own action");
        assert_eq!(found.slug, first.slug);
    }

    #[test]
    fn another_action_is_refused_with_the_list() {
        let meta = actions_destination();
        let e = find_action(Some(meta), "nope").unwrap_err();
        assert_eq!(e.field.as_deref(), Some("actionId"));
        assert!(e.message.contains(&meta.actions[0].id), "{}", e.message);
        let e = find_action(None, "nope").unwrap_err();
        assert!(e.message.contains("Actions destinations"), "{}", e.message);
    }
}
