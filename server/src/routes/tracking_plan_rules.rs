//! Tracking plan rules.
//!
//! Each rule is its own document (kind Rule, under its plan, natural key
//! `{plan}|{type}|{key}`), so a 2,000-rule plan changes 200 rules at a time
//! without rewriting one huge body, and the store itself refuses a second
//! rule of one type and key in a plan. Every change to a plan's rules is one
//! transaction that also bumps the plan's `updatedAt` and records one
//! "Tracking Plan Modified" event; rules record no events of their own.

use std::collections::{BTreeMap, HashMap, HashSet};

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, State};
use axum::http::{StatusCode, Uri};
use axum::routing::get;
use axum::{Extension, Json, Router};
use segment_api::models::{RuleInput, RuleKey, Rules, UpsertRule, RULE_TYPES};
use serde_json::{json, Map, Value};

use super::answer::List;
use super::{list_answer, load, object, ok_status, one_of, text};
use crate::error::{AppError, AppResult};
use crate::input::{decode, Body};
use crate::kind::Kind;
use crate::store::{Actor, Batch, Doc, ListQuery, Op, StoreError};
use crate::{ids, AppState};

/// The most rules one PUT, PATCH or DELETE may carry, as upstream ("rules
/// must contain less than or equal to 200 items"); larger sets go in pages.
pub const MAX_RULES_PER_REQUEST: usize = 200;
/// PUT replaces the whole set only while the plan holds at most this many.
pub const MAX_REPLACEABLE: usize = 200;
/// The most rules a plan may hold.
pub const MAX_RULES_PER_PLAN: usize = 2000;

pub fn routes() -> Router<AppState> {
    Router::new().route(
        "/tracking-plans/{id}/rules",
        get(list).put(replace).patch(upsert).delete(remove),
    )
}

/// A rule's identity in its plan: its type and key ("" when it has none).
type Identity = (String, String);

fn identity_of(doc: &Doc) -> Identity {
    (
        text(&doc.body, "type").to_string(),
        text(&doc.body, "key").to_string(),
    )
}

/// Where each held rule is, by identity.
fn index(held: &[Doc]) -> HashMap<Identity, usize> {
    held.iter()
        .enumerate()
        .map(|(s, d)| (identity_of(d), s))
        .collect()
}

/// A rule as a request gives it, checked, with its key ("" for none).
struct Spec<'a> {
    kind: &'a str,
    key: String,
    schema: &'a Value,
    version: u32,
}

impl Spec<'_> {
    fn identity(&self) -> Identity {
        (self.kind.to_string(), self.key.clone())
    }
}

fn invalid_rule(i: usize, member: &str, why: &str) -> AppError {
    let field = format!("rules[{i}].{member}");
    AppError::invalid(field.clone(), format!("{field}: {why}"))
}

/// Checks the `i`-th rule of a request, naming the member at fault.
fn check<'a>(
    i: usize,
    kind: &'a str,
    key: Option<&str>,
    schema: &'a Value,
    version: u32,
) -> AppResult<Spec<'a>> {
    one_of(&format!("rules[{i}].type"), kind, RULE_TYPES)?;
    let key = key.unwrap_or("").to_string();
    if kind == "TRACK" && key.trim().is_empty() {
        let why = "a TRACK rule needs key, the event it describes (such as \"Order Completed\")";
        return Err(invalid_rule(i, "key", why));
    }
    if version < 1 {
        return Err(invalid_rule(i, "version", "versions start at 1"));
    }
    if !(schema.is_object() || schema.is_boolean() || schema.is_null()) {
        let why = "must be a JSON Schema object (or null)";
        return Err(invalid_rule(i, "jsonSchema", why));
    }
    Ok(Spec {
        kind,
        key,
        schema,
        version,
    })
}

fn check_count(n: usize) -> AppResult<()> {
    if n > MAX_RULES_PER_REQUEST {
        return Err(AppError::invalid(
            "rules",
            format!(
                "rules must contain less than or equal to {MAX_RULES_PER_REQUEST} items, not {n}; \
                 send larger sets in pages of {MAX_RULES_PER_REQUEST} by PATCH"
            ),
        ));
    }
    Ok(())
}

fn repeated(i: usize, j: usize, spec: &Spec) -> AppError {
    AppError::invalid(
        format!("rules[{i}]"),
        format!(
            "rules[{i}] names the same rule as rules[{j}] ({} {:?}); send each rule once",
            spec.kind, spec.key
        ),
    )
}

/// Writes `spec` (under `key`) into a rule document's body and keys.
fn write_rule(doc: &mut Doc, plan_id: &str, spec: &Spec, key: &str, created: &str, now: &str) {
    let mut map = Map::new();
    map.insert("type".into(), json!(spec.kind));
    if !key.is_empty() {
        map.insert("key".into(), json!(key));
    }
    map.insert("jsonSchema".into(), spec.schema.clone());
    map.insert("version".into(), json!(spec.version));
    map.insert("createdAt".into(), json!(created));
    map.insert("updatedAt".into(), json!(now));
    doc.body = Value::Object(map);
    doc.natural_key = Some(format!("{plan_id}|{}|{key}", spec.kind));
    doc.name = format!("{} {key}", spec.kind).trim_end().to_string();
}

fn new_rule(plan_id: &str, spec: &Spec, key: &str, now: &str) -> Doc {
    let mut doc = Doc::new(Kind::Rule, ids::new_id(), "", Value::Null)
        .parent(plan_id)
        .refs([plan_id]);
    write_rule(&mut doc, plan_id, spec, key, now, now);
    doc
}

/// Gives a held rule `spec` under `key`; false when it already had them.
fn edit_rule(doc: &mut Doc, plan_id: &str, spec: &Spec, key: &str, now: &str) -> bool {
    let body = &doc.body;
    if text(body, "key") == key
        && body.get("jsonSchema").unwrap_or(&Value::Null) == spec.schema
        && body.get("version").and_then(Value::as_u64) == Some(u64::from(spec.version))
    {
        return false;
    }
    let created = text(body, "createdAt").to_string();
    write_rule(doc, plan_id, spec, key, &created, now);
    true
}

/// PUT: the plan's rules become exactly `input`.
fn plan_replace(plan_id: &str, held: &[Doc], input: &[RuleInput], now: &str) -> AppResult<Vec<Op>> {
    if held.len() > MAX_REPLACEABLE {
        // Upstream's words, so clients that match on them keep working.
        return Err(AppError::bad_request(
            "rules",
            format!(
                "Can not replace more than {MAX_REPLACEABLE} existing rules in the tracking plan. \
                 Please use DELETE and PATCH methods."
            ),
        ));
    }
    check_count(input.len())?;
    let at = index(held);
    let mut seen: HashMap<Identity, usize> = HashMap::new();
    let mut kept = HashSet::new();
    let mut writes = Vec::new();
    for (i, r) in input.iter().enumerate() {
        let spec = check(i, &r.kind, r.key.as_deref(), &r.json_schema, r.version)?;
        if let Some(j) = seen.insert(spec.identity(), i) {
            return Err(repeated(i, j, &spec));
        }
        match at.get(&spec.identity()) {
            Some(&s) => {
                kept.insert(s);
                let mut doc = held[s].clone();
                if edit_rule(&mut doc, plan_id, &spec, &spec.key, now) {
                    writes.push(Op::Update(doc));
                }
            }
            None => writes.push(Op::Insert(new_rule(plan_id, &spec, &spec.key, now))),
        }
    }
    // Deletes first, though no write here reuses a deleted rule's key.
    let mut ops: Vec<Op> = (0..held.len())
        .filter(|s| !kept.contains(s))
        .map(|s| Op::Delete {
            kind: Kind::Rule,
            id: held[s].id.clone(),
        })
        .collect();
    ops.extend(writes);
    Ok(ops)
}

/// PATCH: adds rules, updates those of the same type and key, and renames
/// those given a `newKey`. Entries apply in order, so `a→b` then a new `a`
/// works. A rename whose old key is gone but whose new key is held updates
/// the held rule: a retried rename succeeds instead of adding a copy.
fn plan_upsert(plan_id: &str, held: &[Doc], input: &[UpsertRule], now: &str) -> AppResult<Vec<Op>> {
    check_count(input.len())?;
    let mut docs = held.to_vec();
    let mut at = index(held);
    let mut touched: HashMap<usize, usize> = HashMap::new();
    // Slots in the order they changed: the writes follow it, so a key freed
    // by one rename is free when a later entry takes it.
    let mut order = Vec::new();
    for (i, r) in input.iter().enumerate() {
        let spec = check(i, &r.kind, r.key.as_deref(), &r.json_schema, r.version)?;
        let target = r.new_key.clone().unwrap_or_else(|| spec.key.clone());
        if r.kind == "TRACK" && target.trim().is_empty() {
            return Err(invalid_rule(
                i,
                "newKey",
                "a TRACK rule needs a non-empty key",
            ));
        }
        let to = (r.kind.clone(), target.clone());
        let s = match at.get(&spec.identity()).or_else(|| at.get(&to)).copied() {
            Some(s) => {
                if let Some(&j) = touched.get(&s) {
                    return Err(repeated(i, j, &spec));
                }
                let current = identity_of(&docs[s]);
                if current != to {
                    if at.get(&to).is_some_and(|&other| other != s) {
                        let field = format!("rules[{i}].newKey");
                        return Err(AppError::conflict(
                            field.clone(),
                            format!(
                                "{field}: the plan already holds a {} rule {target:?}; \
                                 remove it first or choose another newKey",
                                r.kind
                            ),
                        ));
                    }
                    at.remove(&current);
                    at.insert(to, s);
                }
                if edit_rule(&mut docs[s], plan_id, &spec, &target, now) {
                    order.push(s);
                }
                s
            }
            None => {
                docs.push(new_rule(plan_id, &spec, &target, now));
                at.insert(to, docs.len() - 1);
                order.push(docs.len() - 1);
                docs.len() - 1
            }
        };
        touched.insert(s, i);
    }
    if docs.len() > MAX_RULES_PER_PLAN {
        return Err(AppError::invalid(
            "rules",
            format!(
                "rules: a tracking plan holds at most {MAX_RULES_PER_PLAN} rules; this change \
                 would make {} (remove some with DELETE first)",
                docs.len()
            ),
        ));
    }
    // Slots past the held rules are new.
    let write = |s: usize| {
        if s < held.len() {
            Op::Update(docs[s].clone())
        } else {
            Op::Insert(docs[s].clone())
        }
    };
    Ok(order.into_iter().map(write).collect())
}

/// DELETE: removes the rules matching type, key and version. Rules the plan
/// does not hold are skipped, so a retried DELETE succeeds.
fn plan_remove(held: &[Doc], input: &[RuleKey]) -> AppResult<Vec<Op>> {
    check_count(input.len())?;
    let at = index(held);
    let mut gone = HashSet::new();
    let mut ops = Vec::new();
    for (i, r) in input.iter().enumerate() {
        let spec = check(i, &r.kind, r.key.as_deref(), &Value::Null, r.version)?;
        let Some(&s) = at.get(&spec.identity()) else {
            continue;
        };
        let version = held[s].body.get("version").and_then(Value::as_u64);
        if version == Some(u64::from(r.version)) && gone.insert(s) {
            ops.push(Op::Delete {
                kind: Kind::Rule,
                id: held[s].id.clone(),
            });
        }
    }
    Ok(ops)
}

/// Applies a change computed from the plan's current rules, with the plan's
/// update first in the batch: a concurrent change to the same plan makes it
/// stale, and the change is computed again on the new rules.
async fn change_rules<F>(
    state: &AppState,
    actor: &Actor,
    plan_id: &str,
    mut plan: F,
) -> AppResult<Json<Value>>
where
    F: FnMut(&str, &[Doc], &str) -> AppResult<Vec<Op>>,
{
    const ATTEMPTS: usize = 32;
    for _ in 0..ATTEMPTS {
        let mut doc = load(state, Kind::TrackingPlan, plan_id).await?;
        let held = state.store.list_all(Kind::Rule, Some(plan_id)).await?;
        let now = ids::now();
        let ops = plan(plan_id, &held, &now)?;
        if ops.is_empty() {
            // Nothing changes: no write, no event, no new updatedAt.
            return Ok(ok_status());
        }
        object(&mut doc).insert("updatedAt".into(), json!(now));
        let batch = ops
            .into_iter()
            .fold(Batch::default().modify(doc), Batch::op);
        match state.store.apply(batch, actor).await {
            Err(StoreError::Stale { .. }) => continue,
            Err(e) => return Err(e.into()),
            Ok(()) => return Ok(ok_status()),
        }
    }
    Err(AppError::conflict(
        "rules",
        format!("tracking plan {plan_id:?} is being changed by many requests at once; try again"),
    ))
}

async fn list(
    State(state): State<AppState>,
    Path(id): Path<String>,
    uri: Uri,
) -> AppResult<List<Value>> {
    load(&state, Kind::TrackingPlan, &id).await?;
    let scope = ListQuery::under(id);
    list_answer(&state, Kind::Rule, &uri, scope, "rules", |d| d.body.clone()).await
}

async fn replace(
    State(state): State<AppState>,
    Extension(actor): Extension<Actor>,
    Path(id): Path<String>,
    Body(input): Body<Rules<RuleInput>>,
) -> AppResult<Json<Value>> {
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
) -> AppResult<Json<Value>> {
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
) -> AppResult<Json<Value>> {
    let bytes = body.map_err(|e| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            AppError::too_large(format!(
                "the request body is larger than {} bytes",
                crate::MAX_BODY_BYTES
            ))
        } else {
            AppError::bad_request("body", format!("cannot read the request body: {e}"))
        }
    })?;
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

    const PLAN: &str = "plan1";
    const NOW: &str = "2026-01-01T00:00:00.000Z";
    const THEN: &str = "2025-01-01T00:00:00.000Z";

    fn input(kind: &str, key: &str, version: u32) -> RuleInput {
        let key = Some(key.to_string()).filter(|k| !k.is_empty());
        let json_schema = json!({"properties": {}});
        RuleInput {
            kind: kind.into(),
            key,
            json_schema,
            version,
        }
    }

    fn up(kind: &str, key: &str, new_key: Option<&str>, version: u32) -> UpsertRule {
        let new_key = new_key.map(str::to_string);
        UpsertRule {
            new_key,
            ..input(kind, key, version).into()
        }
    }

    /// Stored rules, as read back from the store.
    fn held(rules: &[(&str, &str, u32)]) -> Vec<Doc> {
        let schema = json!({});
        let doc = |&(kind, key, version): &(&str, &str, u32)| {
            let spec = Spec {
                kind,
                key: key.to_string(),
                schema: &schema,
                version,
            };
            Doc {
                version: 1,
                ..new_rule(PLAN, &spec, key, THEN)
            }
        };
        rules.iter().map(doc).collect()
    }

    fn plan_of(n: usize) -> Vec<Doc> {
        let keys: Vec<String> = (0..n).map(|i| format!("E{i}")).collect();
        held(
            &keys
                .iter()
                .map(|k| ("TRACK", k.as_str(), 1))
                .collect::<Vec<_>>(),
        )
    }

    fn field<T>(r: AppResult<T>) -> String {
        r.err().and_then(|e| e.field).unwrap_or_default()
    }

    /// (write, natural key or id) of each op, in order.
    fn summary(ops: &[Op]) -> Vec<(&'static str, String)> {
        let key = |d: &Doc| d.natural_key.clone().unwrap_or_default();
        let one = |op: &Op| match op {
            Op::Insert(d) => ("insert", key(d)),
            Op::Update(d) => ("update", key(d)),
            Op::Delete { id, .. } => ("delete", id.clone()),
        };
        ops.iter().map(one).collect()
    }

    fn pairs(items: &[(&'static str, &str)]) -> Vec<(&'static str, String)> {
        items.iter().map(|(w, k)| (*w, k.to_string())).collect()
    }

    #[test]
    fn rules_are_checked_member_by_member() {
        let obj = json!({});
        assert_eq!(field(check(2, "TRACKS", None, &obj, 1)), "rules[2].type");
        assert_eq!(field(check(0, "TRACK", Some(" "), &obj, 1)), "rules[0].key");
        assert_eq!(field(check(1, "PAGE", None, &obj, 0)), "rules[1].version");
        assert_eq!(
            field(check(3, "PAGE", None, &json!("x"), 1)),
            "rules[3].jsonSchema"
        );
        assert_eq!(
            check(0, "IDENTIFY", None, &Value::Null, 1)
                .map(|s| s.key)
                .ok(),
            Some("".into())
        );
    }

    #[test]
    fn upsert_adds_new_rules_and_updates_held_ones_in_place() {
        let h = held(&[("TRACK", "A", 1)]);
        let ops = plan_upsert(
            PLAN,
            &h,
            &[up("TRACK", "A", None, 2), up("TRACK", "B", None, 1)],
            NOW,
        );
        let ops = ops.unwrap();
        assert_eq!(
            summary(&ops),
            pairs(&[("update", "plan1|TRACK|A"), ("insert", "plan1|TRACK|B")])
        );
        let Op::Update(a) = &ops[0] else {
            panic!("an update")
        };
        assert_eq!(a.id, h[0].id, "the same document, not a copy");
        assert_eq!(
            (
                &a.body["version"],
                &a.body["createdAt"],
                &a.body["updatedAt"]
            ),
            (&json!(2), &json!(THEN), &json!(NOW))
        );
        // Sending what is held changes nothing, so nothing is written.
        let same = plan_upsert(
            PLAN,
            std::slice::from_ref(a),
            &[up("TRACK", "A", None, 2)],
            NOW,
        )
        .unwrap();
        assert!(same.is_empty());
    }

    #[test]
    fn new_key_renames_and_a_retried_rename_updates_the_renamed_rule() {
        let h = held(&[("TRACK", "A", 1)]);
        let ops = plan_upsert(PLAN, &h, &[up("TRACK", "A", Some("B"), 1)], NOW).unwrap();
        let Op::Update(b) = &ops[0] else {
            panic!("an update")
        };
        assert_eq!(
            (b.id.as_str(), &b.body["key"]),
            (h[0].id.as_str(), &json!("B"))
        );
        assert_eq!(b.natural_key.as_deref(), Some("plan1|TRACK|B"));
        // The same request after it succeeded: A is gone and B is as asked.
        let again = plan_upsert(
            PLAN,
            std::slice::from_ref(b),
            &[up("TRACK", "A", Some("B"), 1)],
            NOW,
        );
        assert!(again.unwrap().is_empty());
    }

    #[test]
    fn a_rename_onto_a_held_key_conflicts_but_a_freed_key_can_be_taken() {
        let h = held(&[("TRACK", "A", 1), ("TRACK", "B", 1)]);
        let e = plan_upsert(PLAN, &h, &[up("TRACK", "A", Some("B"), 1)], NOW).unwrap_err();
        assert_eq!(
            (e.status, e.field.as_deref()),
            (StatusCode::CONFLICT, Some("rules[0].newKey"))
        );
        // B moves to C, then A takes B, then a new A: the writes keep that order.
        let steps = [
            up("TRACK", "B", Some("C"), 1),
            up("TRACK", "A", Some("B"), 1),
            up("TRACK", "A", None, 1),
        ];
        let ops = plan_upsert(PLAN, &h, &steps, NOW).unwrap();
        let want = [
            ("update", "plan1|TRACK|C"),
            ("update", "plan1|TRACK|B"),
            ("insert", "plan1|TRACK|A"),
        ];
        assert_eq!(summary(&ops), pairs(&want));
    }

    #[test]
    fn one_rule_twice_in_a_request_is_refused() {
        let twice = [up("TRACK", "A", None, 1), up("TRACK", "A", None, 2)];
        assert_eq!(field(plan_upsert(PLAN, &[], &twice, NOW)), "rules[1]");
        // No key and an empty key are the same rule.
        let mut empty = input("IDENTIFY", "", 1);
        empty.key = Some(String::new());
        let twice = [input("IDENTIFY", "", 1), empty];
        assert_eq!(field(plan_replace(PLAN, &[], &twice, NOW)), "rules[1]");
    }

    #[test]
    fn request_and_plan_sizes_are_capped() {
        let many: Vec<UpsertRule> = (0..=MAX_RULES_PER_REQUEST)
            .map(|i| up("TRACK", &format!("E{i}"), None, 1))
            .collect();
        assert_eq!(field(plan_upsert(PLAN, &[], &many, NOW)), "rules");
        let full = plan_of(MAX_RULES_PER_PLAN);
        let e = plan_upsert(PLAN, &full, &[up("TRACK", "one more", None, 1)], NOW).unwrap_err();
        assert!(e.message.contains("at most 2000"), "{}", e.message);
        assert!(plan_upsert(PLAN, &full, &[up("TRACK", "E7", None, 3)], NOW).is_ok());
    }

    #[test]
    fn replace_deletes_what_it_omits_and_refuses_big_plans() {
        let h = held(&[("TRACK", "A", 1), ("TRACK", "B", 1)]);
        let ops = plan_replace(
            PLAN,
            &h,
            &[input("TRACK", "B", 1), input("TRACK", "C", 1)],
            NOW,
        );
        let want = [
            ("delete", h[0].id.as_str()),
            ("update", "plan1|TRACK|B"),
            ("insert", "plan1|TRACK|C"),
        ];
        assert_eq!(summary(&ops.unwrap()), pairs(&want));
        let e = plan_replace(PLAN, &plan_of(MAX_REPLACEABLE + 1), &[], NOW).unwrap_err();
        assert_eq!(e.status, StatusCode::BAD_REQUEST);
        assert!(e.message.contains("use DELETE and PATCH"), "{}", e.message);
        assert!(plan_replace(PLAN, &plan_of(MAX_REPLACEABLE), &[], NOW).is_ok());
    }

    #[test]
    fn remove_matches_type_key_and_version_and_skips_the_rest() {
        let h = held(&[("TRACK", "A", 1), ("TRACK", "B", 2), ("IDENTIFY", "", 1)]);
        let key = |kind: &str, key: Option<&str>, version| RuleKey {
            kind: kind.into(),
            key: key.map(str::to_string),
            version,
        };
        let named = [
            key("TRACK", Some("A"), 1),
            key("TRACK", Some("A"), 1),
            key("TRACK", Some("B"), 1),
            key("TRACK", Some("Z"), 1),
            key("IDENTIFY", None, 1),
        ];
        let ops = plan_remove(&h, &named).unwrap();
        assert_eq!(
            summary(&ops),
            pairs(&[("delete", &h[0].id), ("delete", &h[2].id)])
        );
    }

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
