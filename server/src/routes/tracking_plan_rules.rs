//! Tracking plan rules over HTTP; what a change writes is worked out in
//! [`crate::rule_plan`]. Every change to a plan's rules is one
//! transaction that also bumps the plan's `updatedAt` and records one
//! "Tracking Plan Modified" event; rules record no events of their own.

use std::collections::{BTreeMap, HashMap};

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, State};
use axum::http::Uri;
use axum::routing::get;
use axum::{Extension, Json, Router};
use segment_api::models::{Rule, RuleInput, RuleKey, Rules, Status, TrackingPlan, UpsertRule};
use serde_json::{json, Map, Value};

use super::answer::{Data, List};
use super::{list_answer, load, ok_status, render};
use crate::error::{AppError, AppResult};
use crate::input::{decode, unreadable, Body};
use crate::kind::Kind;
use crate::routes::retry::Retry;
use crate::rule_plan::{plan_remove, plan_replace, plan_upsert};
use crate::store::{Actor, Batch, Doc, ListQuery, Op};
use crate::{ids, AppState};

pub fn routes() -> Router<AppState> {
    Router::new().route(
        "/tracking-plans/{id}/rules",
        get(list).put(replace).patch(upsert).delete(remove),
    )
}

/// Applies a change computed from the plan's current rules, with the plan's
/// update first in the batch: a concurrent change to the same plan makes it
/// stale, and the change is computed again on the new rules.
async fn change_rules<F>(
    state: &AppState,
    actor: &Actor,
    plan_id: &str,
    mut plan: F,
) -> AppResult<Json<Data<Status>>>
where
    F: FnMut(&str, &[Doc], &str) -> AppResult<Vec<Op>>,
{
    let mut retry = Retry::new("rules", format!("tracking plan {plan_id:?} is"));
    loop {
        let mut doc = load(state, Kind::TrackingPlan, plan_id).await?;
        let held = state.store.list_all(Kind::Rule, Some(plan_id)).await?;
        let now = ids::now();
        let ops = plan(plan_id, &held, &now)?;
        if ops.is_empty() {
            // Nothing changes: no write, no event, no new updatedAt.
            return Ok(ok_status());
        }
        let mut tracking_plan: TrackingPlan = doc.read()?;
        tracking_plan.updated_at = Some(now);
        doc.write(&tracking_plan)?;
        let batch = ops
            .into_iter()
            .fold(Batch::default().modify(doc), Batch::op);
        if retry.commit(state, batch, actor).await? {
            return Ok(ok_status());
        }
    }
}

async fn list(
    State(state): State<AppState>,
    Path(id): Path<String>,
    uri: Uri,
) -> AppResult<List<Rule>> {
    load(&state, Kind::TrackingPlan, &id).await?;
    let scope = ListQuery::under(id);
    list_answer(&state, Kind::Rule, &uri, scope, "rules", render::rule).await
}

async fn replace(
    State(state): State<AppState>,
    Extension(actor): Extension<Actor>,
    Path(id): Path<String>,
    Body(input): Body<Rules<RuleInput>>,
) -> AppResult<Json<Data<Status>>> {
    change_rules(&state, &actor, &id, |plan_id, held, now| {
        plan_replace(plan_id, held, &input.rules, now)
    })
    .await
}

async fn upsert(
    State(state): State<AppState>,
    Extension(actor): Extension<Actor>,
    Path(id): Path<String>,
    Body(input): Body<Rules<UpsertRule>>,
) -> AppResult<Json<Data<Status>>> {
    change_rules(&state, &actor, &id, |plan_id, held, now| {
        plan_upsert(plan_id, held, &input.rules, now)
    })
    .await
}

/// The rules to remove come as a JSON body (our client) or in the query
/// string (the official SDKs send `rules` as a query parameter).
async fn remove(
    State(state): State<AppState>,
    Extension(actor): Extension<Actor>,
    Path(id): Path<String>,
    uri: Uri,
    body: Result<Bytes, BytesRejection>,
) -> AppResult<Json<Data<Status>>> {
    let bytes = body.map_err(unreadable)?;
    let input: Rules<RuleKey> = if bytes.iter().all(u8::is_ascii_whitespace) {
        let named = rules_from_query(uri.query().unwrap_or(""));
        if named.is_empty() {
            return Err(AppError::bad_request(
                "rules",
                "rules: name the rules to remove, as a body {\"rules\": [{\"type\": \"TRACK\", \
                 \"key\": \"Order Completed\", \"version\": 1}]}",
            ));
        }
        decode(json!({ "rules": named }).to_string().as_bytes())?
    } else {
        decode(&bytes)?
    };
    change_rules(&state, &actor, &id, |_, held, _| {
        plan_remove(held, &input.rules)
    })
    .await
}

/// Rules named in a query string, in either form clients use:
/// `rules[0][type]=TRACK&rules[0][key]=A&rules[0][version]=1` (indexed), or
/// `rules[type]=TRACK&rules[key]=A&rules[version]=1` repeated, where the
/// n-th value of each field belongs to the n-th rule.
fn rules_from_query(query: &str) -> Vec<Value> {
    let mut indexed: BTreeMap<usize, Map<String, Value>> = BTreeMap::new();
    let mut sequential: Vec<Map<String, Value>> = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    for (k, v) in url::form_urlencoded::parse(query.as_bytes()) {
        let Some(rest) = k.strip_prefix("rules[") else {
            continue;
        };
        let parts: Vec<&str> = rest.trim_end_matches(']').split("][").collect();
        let value = |field: &str| match (field, v.parse::<u64>()) {
            ("version", Ok(n)) => json!(n),
            _ => json!(v.as_ref()),
        };
        match parts.as_slice() {
            [n, field] => {
                if let Ok(n) = n.parse::<usize>() {
                    let entry = indexed.entry(n).or_default();
                    entry.insert(field.to_string(), value(field));
                }
            }
            [field] => {
                let n = seen.entry(field.to_string()).or_insert(0);
                if sequential.len() <= *n {
                    sequential.push(Map::new());
                }
                sequential[*n].insert(field.to_string(), value(field));
                *n += 1;
            }
            _ => {}
        }
    }
    indexed
        .into_values()
        .chain(sequential)
        .map(Value::Object)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_in_the_query_string_in_both_forms() {
        let q = "rules%5B1%5D%5Btype%5D=PAGE&rules%5B0%5D%5Btype%5D=TRACK\
                 &rules%5B0%5D%5Bkey%5D=A&rules%5B0%5D%5Bversion%5D=1&rules%5B1%5D%5Bversion%5D=2";
        let want = [
            json!({"type": "TRACK", "key": "A", "version": 1}),
            json!({"type": "PAGE", "version": 2}),
        ];
        assert_eq!(rules_from_query(q), want);
        let q = "rules[key]=A&rules[key]=B&rules[type]=TRACK&rules[type]=TRACK\
                 &rules[version]=1&rules[version]=x";
        let want = [
            json!({"key": "A", "type": "TRACK", "version": 1}),
            json!({"key": "B", "type": "TRACK", "version": "x"}),
        ];
        assert_eq!(rules_from_query(q), want);
        assert!(rules_from_query("pagination.count=2").is_empty());
    }
}
