//! Tracking plans and the sources connected to them. Their rules are in
//! `tracking_plan_rules.rs`.

use axum::extract::{Path, State};
use axum::http::Uri;
use axum::routing::get;
use axum::{Extension, Json, Router};
use segment_api::models::{
    CreateTrackingPlan, Source, SourceRef, Status, TrackingPlan, UpdateTrackingPlan,
    TRACKING_PLAN_TYPES,
};
use serde_json::Value;

use super::answer::{self, Data, List, Metadata, One};
use super::render;
use super::stored::PlanConnection;
use super::{load, modify, non_empty, ok_status, one_of, page_of, remove};
use crate::error::{AppError, AppResult};
use crate::input::Body;
use crate::kind::Kind;
use crate::store::{Actor, Batch, Doc, ListQuery, Verb};
use crate::{ids, AppState};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/tracking-plans", get(list).post(create))
        .route(
            "/tracking-plans/{id}",
            get(read).patch(update).delete(delete),
        )
        .route(
            "/tracking-plans/{id}/sources",
            get(sources).post(connect).delete(disconnect),
        )
}

/// A URL-friendly slug: letters and digits lowercased, every other run of
/// characters one '-', none at either end.
pub fn slug(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars() {
        if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    if out.is_empty() {
        // A name of symbols only still needs a usable slug.
        out.push_str("tracking-plan");
    }
    out
}

/// Reads one query parameter.
fn query_param(uri: &Uri, name: &str) -> Option<String> {
    url::form_urlencoded::parse(uri.query().unwrap_or("").as_bytes())
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

async fn list(State(state): State<AppState>, uri: Uri) -> AppResult<List<TrackingPlan>> {
    let only = query_param(&uri, "type").filter(|t| !t.is_empty());
    if let Some(t) = &only {
        if !TRACKING_PLAN_TYPES.contains(&t.as_str()) {
            return Err(AppError::bad_request(
                "type",
                format!(
                    "type: {t:?} is not one of {}",
                    TRACKING_PLAN_TYPES.join(", ")
                ),
            ));
        }
    }
    let (req, mut page) = page_of(&state, Kind::TrackingPlan, &uri, ListQuery::default()).await?;
    if let Some(t) = &only {
        // Filtered within the page: a page may hold fewer plans than asked
        // for, but its cursor still moves past every plan it looked at.
        let is_type = |d: &Doc| -> AppResult<bool> { Ok(&d.read::<TrackingPlan>()?.kind == t) };
        let mut kept = Vec::with_capacity(page.items.len());
        for d in page.items {
            if is_type(&d)? {
                kept.push(d);
            }
        }
        page.items = kept;
        let all = state.store.list_all(Kind::TrackingPlan, None).await?;
        let mut total = 0;
        for d in &all {
            total += u64::from(is_type(d)?);
        }
        page.total = total;
    }
    let items = page
        .items
        .iter()
        .map(render::tracking_plan)
        .collect::<AppResult<_>>()?;
    Ok(answer::list("trackingPlans", items, req, &page))
}

async fn read(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> AppResult<One<TrackingPlan>> {
    let doc = load(&state, Kind::TrackingPlan, &id).await?;
    Ok(answer::one("trackingPlan", render::tracking_plan(&doc)?))
}

async fn create(
    State(state): State<AppState>,
    Extension(actor): Extension<Actor>,
    Body(input): Body<CreateTrackingPlan>,
) -> AppResult<One<TrackingPlan>> {
    non_empty("name", &input.name)?;
    one_of("type", &input.kind, TRACKING_PLAN_TYPES)?;
    let id = ids::new_id();
    let now = ids::now();
    let plan = TrackingPlan {
        id: id.clone(),
        name: Some(input.name.clone()),
        slug: Some(slug(&input.name)),
        description: input.description,
        kind: input.kind,
        created_at: Some(now.clone()),
        updated_at: Some(now),
    };
    // Plan names are unique in a workspace: the natural key makes a second
    // plan of the same name a 409 naming `name`.
    let mut doc = Doc::new(Kind::TrackingPlan, &id, &input.name, Value::Null);
    doc.write(&plan)?;
    let doc = doc.natural_key(&input.name);
    state
        .store
        .apply(Batch::default().create(doc.clone()), &actor)
        .await?;
    Ok(answer::one("trackingPlan", plan))
}

async fn update(
    State(state): State<AppState>,
    Extension(actor): Extension<Actor>,
    Path(id): Path<String>,
    Body(input): Body<UpdateTrackingPlan>,
) -> AppResult<Json<Data<Status>>> {
    if let Some(n) = &input.name {
        non_empty("name", n)?;
    }
    modify(&state, &actor, Kind::TrackingPlan, &id, |doc| {
        let mut plan: TrackingPlan = doc.read()?;
        if let Some(n) = &input.name {
            plan.name = Some(n.clone());
            plan.slug = Some(slug(n));
        }
        if let Some(d) = &input.description {
            plan.description = Some(d.clone());
        }
        plan.updated_at = Some(ids::now());
        doc.write(&plan)?;
        let name = plan.name.unwrap_or_default();
        doc.natural_key = Some(name.clone());
        doc.name = name;
        Ok(Batch::default())
    })
    .await?;
    // The API answers a plan update with a status only (UpdateTrackingPlanV1Output).
    Ok(ok_status())
}

async fn delete(
    State(state): State<AppState>,
    Extension(actor): Extension<Actor>,
    Path(id): Path<String>,
) -> AppResult<impl axum::response::IntoResponse> {
    // Rules and source connections refer to the plan and go with it.
    remove(&state, &actor, Kind::TrackingPlan, &id).await
}

fn connection_id(plan_id: &str, source_id: &str) -> String {
    format!("{plan_id}:{source_id}")
}

async fn sources(
    State(state): State<AppState>,
    Path(id): Path<String>,
    uri: Uri,
) -> AppResult<List<Source<Metadata>>> {
    load(&state, Kind::TrackingPlan, &id).await?;
    let scope = ListQuery::under(id);
    let (req, page) = page_of(&state, Kind::TrackingPlanConnection, &uri, scope).await?;
    let mut items = Vec::with_capacity(page.items.len());
    for c in &page.items {
        let connection: PlanConnection = c.read()?;
        if let Some(s) = state.store.get(Kind::Source, &connection.source_id).await? {
            items.push(render::source(&s)?);
        }
    }
    Ok(answer::list("sources", items, req, &page))
}

async fn connect(
    State(state): State<AppState>,
    Extension(actor): Extension<Actor>,
    Path(id): Path<String>,
    Body(input): Body<SourceRef>,
) -> AppResult<Json<Data<Status>>> {
    let plan = load(&state, Kind::TrackingPlan, &id).await?;
    let source_id = input.source_id;
    non_empty("sourceId", &source_id)?;
    let source = state
        .store
        .get(Kind::Source, &source_id)
        .await?
        .ok_or_else(|| AppError::not_found(Kind::Source, &source_id).with_field("sourceId"))?;
    // A source follows at most one plan (the natural key is the source id);
    // say which plan holds it, so the fix is one call away.
    if let Some(held) = state
        .store
        .find_by_key(Kind::TrackingPlanConnection, &source_id)
        .await?
    {
        let other = held.read::<PlanConnection>()?.tracking_plan_id;
        let message = if other == id {
            format!("sourceId: source {source_id:?} is already connected to this tracking plan")
        } else {
            format!(
                "sourceId: source {source_id:?} is connected to tracking plan {other:?}; a source \
                 follows one plan, so disconnect it first \
                 (DELETE /tracking-plans/{other}/sources?sourceId={source_id})"
            )
        };
        return Err(AppError::conflict("sourceId", message));
    }
    // A source's natural key is its slug.
    let slug = source.natural_key.as_deref().unwrap_or(&source.id);
    let name = format!("{slug} → {}", plan.name);
    let mut doc = Doc::new(
        Kind::TrackingPlanConnection,
        connection_id(&id, &source_id),
        name,
        Value::Null,
    );
    doc.write(&PlanConnection {
        tracking_plan_id: id.clone(),
        source_id: source_id.clone(),
    })?;
    let doc = doc
        .parent(&id)
        .natural_key(&source_id)
        .refs([id.clone(), source_id.clone()]);
    // The source's trackingPlanId changes, so followers of the source hear
    // "Source Modified" too, as the API documents for this call.
    let batch = Batch::default()
        .require(Kind::TrackingPlan, &id, "trackingPlanId")
        .require(Kind::Source, &source_id, "sourceId")
        .create(doc)
        .event(&source, Verb::Modified);
    state.store.apply(batch, &actor).await?;
    Ok(ok_status())
}

async fn disconnect(
    State(state): State<AppState>,
    Extension(actor): Extension<Actor>,
    Path(id): Path<String>,
    uri: Uri,
) -> AppResult<Json<Data<Status>>> {
    let source_id = query_param(&uri, "sourceId")
        .filter(|s| !s.is_empty())
        .ok_or_else(|| {
            AppError::bad_request(
                "sourceId",
                format!(
                    "sourceId: name the source to disconnect, as in \
                     DELETE /tracking-plans/{id}/sources?sourceId=<source id>"
                ),
            )
        })?;
    load(&state, Kind::TrackingPlan, &id).await?;
    let connection = state
        .store
        .get(
            Kind::TrackingPlanConnection,
            &connection_id(&id, &source_id),
        )
        .await?
        .ok_or_else(|| {
            AppError::not_found(
                format!("a connection of tracking plan {id:?} to source"),
                &source_id,
            )
            .with_field("sourceId")
        })?;
    let mut batch = Batch::default().remove(&connection);
    if let Some(source) = state.store.get(Kind::Source, &source_id).await? {
        batch = batch.event(&source, Verb::Modified);
    }
    state.store.apply(batch, &actor).await?;
    Ok(ok_status())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_lowercase_words_joined_by_dashes() {
        assert_eq!(slug("Web App"), "web-app");
        assert_eq!(slug("  Checkout -- v2!  "), "checkout-v2");
        assert_eq!(slug("Über Plan"), "über-plan");
        assert_eq!(slug("a_b.c"), "a-b-c");
        assert_eq!(slug("!!!"), "tracking-plan");
    }

    #[test]
    fn query_parameters_are_decoded() {
        let uri: Uri = "/tracking-plans/x/sources?sourceId=a%20b&type=LIVE"
            .parse()
            .expect("a URI");
        assert_eq!(query_param(&uri, "sourceId").as_deref(), Some("a b"));
        assert_eq!(query_param(&uri, "type").as_deref(), Some("LIVE"));
        assert_eq!(query_param(&uri, "missing"), None);
    }
}
