//! Tracking-plan rule sets: what a PUT, PATCH or DELETE of a plan's rules
//! changes, worked out from the rules the plan holds, without I/O. The
//! HTTP side (`routes/tracking_plan_rules.rs`) reads the held rules,
//! applies the writes planned here and retries when another writer won.
//!
//! Each rule is its own document (kind Rule, under its plan, natural key
//! `{plan}|{type}|{key}`), so a 2,000-rule plan changes 200 rules at a time
//! without rewriting one huge body, and the store itself refuses a second
//! rule of one type and key in a plan.

use std::collections::{HashMap, HashSet};

use segment_api::models::{Rule, RuleInput, RuleKey, UpsertRule, RULE_TYPES};
use serde_json::Value;

use crate::error::{AppError, AppResult};
use crate::ids;
use crate::kind::Kind;
use crate::routes::one_of;
use crate::store::{Doc, Op};

/// The most rules one PUT, PATCH or DELETE may carry, as upstream ("rules
/// must contain less than or equal to 200 items"); larger sets go in pages.
pub const MAX_RULES_PER_REQUEST: usize = 200;
/// PUT replaces the whole set only while the plan holds at most this many.
pub const MAX_REPLACEABLE: usize = 200;
/// The most rules a plan may hold.
pub const MAX_RULES_PER_PLAN: usize = 2000;

/// A rule's identity in its plan: its type and key ("" when it has none).
type Identity = (String, String);

fn identity_of(doc: &Doc) -> AppResult<Identity> {
    let rule: Rule = doc.read()?;
    Ok((rule.kind, rule.key.unwrap_or_default()))
}

/// Where each held rule is, by identity.
fn index(held: &[Doc]) -> AppResult<HashMap<Identity, usize>> {
    held.iter()
        .enumerate()
        .map(|(s, d)| Ok((identity_of(d)?, s)))
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
fn write_rule(
    doc: &mut Doc,
    plan_id: &str,
    spec: &Spec,
    key: &str,
    created: Option<String>,
    now: &str,
) -> AppResult<()> {
    let rule = Rule {
        kind: spec.kind.to_string(),
        key: Some(key.to_string()).filter(|k| !k.is_empty()),
        json_schema: spec.schema.clone(),
        version: spec.version,
        created_at: created,
        updated_at: Some(now.to_string()),
        deprecated_at: None,
    };
    doc.write(&rule)?;
    doc.natural_key = Some(format!("{plan_id}|{}|{key}", spec.kind));
    doc.name = format!("{} {key}", spec.kind).trim_end().to_string();
    Ok(())
}

fn new_rule(plan_id: &str, spec: &Spec, key: &str, now: &str) -> AppResult<Doc> {
    let mut doc = Doc::new(Kind::Rule, ids::new_id(), "", Value::Null)
        .parent(plan_id)
        .refs([plan_id]);
    write_rule(&mut doc, plan_id, spec, key, Some(now.to_string()), now)?;
    Ok(doc)
}

/// Gives a held rule `spec` under `key`; false when it already had them.
fn edit_rule(doc: &mut Doc, plan_id: &str, spec: &Spec, key: &str, now: &str) -> AppResult<bool> {
    let held: Rule = doc.read()?;
    if held.key.as_deref().unwrap_or("") == key
        && &held.json_schema == spec.schema
        && held.version == spec.version
    {
        return Ok(false);
    }
    write_rule(doc, plan_id, spec, key, held.created_at, now)?;
    Ok(true)
}

/// PUT: the plan's rules become exactly `input`.
pub fn plan_replace(
    plan_id: &str,
    held: &[Doc],
    input: &[RuleInput],
    now: &str,
) -> AppResult<Vec<Op>> {
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
    let at = index(held)?;
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
                if edit_rule(&mut doc, plan_id, &spec, &spec.key, now)? {
                    writes.push(Op::Update(doc));
                }
            }
            None => writes.push(Op::Insert(new_rule(plan_id, &spec, &spec.key, now)?)),
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
pub fn plan_upsert(
    plan_id: &str,
    held: &[Doc],
    input: &[UpsertRule],
    now: &str,
) -> AppResult<Vec<Op>> {
    check_count(input.len())?;
    let mut docs = held.to_vec();
    let mut at = index(held)?;
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
                let current = identity_of(&docs[s])?;
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
                if edit_rule(&mut docs[s], plan_id, &spec, &target, now)? {
                    order.push(s);
                }
                s
            }
            None => {
                docs.push(new_rule(plan_id, &spec, &target, now)?);
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
pub fn plan_remove(held: &[Doc], input: &[RuleKey]) -> AppResult<Vec<Op>> {
    check_count(input.len())?;
    let at = index(held)?;
    let mut gone = HashSet::new();
    let mut ops = Vec::new();
    for (i, r) in input.iter().enumerate() {
        let spec = check(i, &r.kind, r.key.as_deref(), &Value::Null, r.version)?;
        let Some(&s) = at.get(&spec.identity()) else {
            continue;
        };
        let held_rule: Rule = held[s].read()?;
        if held_rule.version == r.version && gone.insert(s) {
            ops.push(Op::Delete {
                kind: Kind::Rule,
                id: held[s].id.clone(),
            });
        }
    }
    Ok(ops)
}

#[cfg(test)]
mod tests;
