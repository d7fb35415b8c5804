//! Destination subscriptions: an action of an Actions destination and the
//! trigger that fires it.

use axum::extract::{Path, State};
use axum::http::Uri;
use axum::routing::get;
use axum::{Extension, Router};
use segment_api::models::{
    CreateDestinationSubscription, DestinationAction, DestinationMetadata,
    UpdateDestinationSubscriptionBody,
};
use serde_json::Value;

use super::answer::{self, List, One};
use super::render;
use super::stored::CatalogLink;
use super::{belongs, list_answer, load, load_child, modify, non_empty, remove_child};
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
) -> AppResult<List<DestinationSubscription>> {
    load(&state, Kind::Destination, &destination_id).await?;
    let scope = ListQuery::under(destination_id);
    list_answer(
        &state,
        Kind::Subscription,
        &uri,
        scope,
        "subscriptions",
        render::subscription,
    )
    .await
}

async fn read(
    State(state): State<AppState>,
    Path((destination_id, id)): Path<(String, String)>,
) -> AppResult<One<DestinationSubscription>> {
    let doc = load_child(
        &state,
        (Kind::Destination, &destination_id),
        Kind::Subscription,
        &id,
    )
    .await?;
    Ok(answer::one("subscription", render::subscription(&doc)?))
}

async fn create(
    State(state): State<AppState>,
    Extension(actor): Extension<Actor>,
    Path(destination_id): Path<String>,
    Body(input): Body<CreateDestinationSubscription>,
) -> AppResult<One<DestinationSubscription>> {
    let destination = load(&state, Kind::Destination, &destination_id).await?;
    non_empty("name", &input.name)?;
    non_empty("trigger", &input.trigger)?;
    let meta = Catalog::get().destination(&destination.read::<CatalogLink>()?.metadata_id);
    let action = find_action(meta, &input.action_id)?;
    let id = ids::new_id();
    let subscription = DestinationSubscription {
        id: id.clone(),
        name: input.name.clone(),
        action_id: action.id.clone(),
        action_slug: action.slug.clone(),
        destination_id: destination_id.clone(),
        enabled: input.enabled,
        trigger: input.trigger.clone(),
        settings: input.settings.clone().unwrap_or_default(),
        model_id: input.model_id.clone(),
    };
    let mut refs = vec![destination_id.clone()];
    let mut batch = Batch::default().require(Kind::Destination, &destination_id, "destinationId");
    if let Some(model_id) = &input.model_id {
        non_empty("modelId", model_id)?;
        // The model feeds this subscription: deleting it deletes the subscription.
        batch = batch.require(Kind::ReverseEtlModel, model_id, "modelId");
        refs.push(model_id.clone());
    }
    let mut doc = Doc::new(Kind::Subscription, &id, &input.name, Value::Null);
    doc.write(&subscription)?;
    let doc = doc.parent(&destination_id).refs(refs);
    state.store.apply(batch.create(doc), &actor).await?;
    Ok(answer::one("destinationSubscription", subscription))
}

async fn update(
    State(state): State<AppState>,
    Extension(actor): Extension<Actor>,
    Path((destination_id, id)): Path<(String, String)>,
    Body(UpdateDestinationSubscriptionBody { input }): Body<UpdateDestinationSubscriptionBody>,
) -> AppResult<One<DestinationSubscription>> {
    load(&state, Kind::Destination, &destination_id).await?;
    if let Some(n) = &input.name {
        non_empty("input.name", n)?;
    }
    if let Some(t) = &input.trigger {
        non_empty("input.trigger", t)?;
    }
    let doc = modify(&state, &actor, Kind::Subscription, &id, |doc| {
        belongs(doc, &destination_id)?;
        let mut subscription: DestinationSubscription = doc.read()?;
        let patch = input.clone();
        subscription.name = patch.name.unwrap_or(subscription.name);
        subscription.trigger = patch.trigger.unwrap_or(subscription.trigger);
        subscription.enabled = patch.enabled.unwrap_or(subscription.enabled);
        // Settings are the action's whole field mapping: a PATCH replaces
        // them rather than merging, so a removed mapping really goes.
        subscription.settings = patch.settings.unwrap_or(subscription.settings);
        doc.name = subscription.name.clone();
        doc.write(&subscription)?;
        Ok(Batch::default())
    })
    .await?;
    Ok(answer::one("subscription", render::subscription(&doc)?))
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
