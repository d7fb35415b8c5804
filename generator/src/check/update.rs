//! Updates, judged attribute by attribute: `enabled` turned off, a
//! tracking-plan rule removed or narrowed and a destination filter that
//! drops more are breaking; settings changed, a sensitive value replaced,
//! permissions or members removed are caution; names, descriptions and
//! labels are safe. Any other attribute changed is caution.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value as Json;

use super::names::{describe, describe_ref, list};
use super::plan::{Index, ResourceChange};
use super::review::Reason;
use super::schema::narrowing;

/// Attributes whose change moves no data.
const SAFE: &[&str] = &[
    "name",
    "description",
    "labels",
    "display_name",
    "logo_url",
    "title",
];

/// Attributes the provider computes: they change with the object.
const COMPUTED: &[&str] = &[
    "id",
    "created_at",
    "updated_at",
    "workspace_id",
    "write_keys",
];

pub fn updated(rc: &ResourceChange, index: &Index) -> Vec<Reason> {
    let change = &rc.change;
    let (before, after) = (&change.before, &change.after);
    let what = describe(&rc.type_name, before);
    let mut out = Vec::new();
    let Some(after_map) = after.as_object() else {
        return out;
    };
    for (key, new) in after_map {
        if COMPUTED.contains(&key.as_str()) {
            continue;
        }
        let old = before.get(key).unwrap_or(&Json::Null);
        let unknown = change.after_unknown.get(key).is_some_and(has_true);
        if old == new && !unknown {
            continue;
        }
        if masked(&change.before_sensitive, key) || masked(&change.after_sensitive, key) {
            out.push(Reason::caution(format!(
                "{what}: sensitive `{key}` changes (a secret is to be replaced; its value is not shown)"
            )));
        }
        match (rc.type_name.as_str(), key.as_str()) {
            (t, "enabled") => out.extend(enabled(t, before, after, &what, index)),
            (_, "settings") => out.push(settings(&what, old, new, unknown)),
            ("segment_tracking_plan", "rules") => out.extend(rules(before, &what, old, new, index)),
            (_, "permissions") => out.extend(permissions(&what, old, new, index)),
            ("segment_user_group", "members") => out.extend(members(&what, old, new)),
            ("segment_destination_filter", "if" | "actions") => {
                out.push(filter(key, before, after, &what, index))
            }
            (_, k) if SAFE.contains(&k) => out.push(Reason::safe(format!("{what}: `{k}` changes"))),
            (_, k) => out.push(Reason::caution(format!("{what}: `{k}` changes"))),
        }
    }
    out
}

/// Whether a `*_sensitive` mask marks `key` (or part of it) sensitive.
fn masked(mask: &Json, key: &str) -> bool {
    mask.get(key).is_some_and(has_true)
}

fn has_true(v: &Json) -> bool {
    match v {
        Json::Bool(b) => *b,
        Json::Array(a) => a.iter().any(has_true),
        Json::Object(o) => o.values().any(has_true),
        _ => false,
    }
}

fn enabled(t: &str, before: &Json, after: &Json, what: &str, index: &Index) -> Vec<Reason> {
    let on = |v: &Json| v.get("enabled") == Some(&Json::Bool(true));
    match (on(before), on(after), t) {
        (true, false, "segment_destination_filter") => vec![Reason::caution(format!(
            "{what} is disabled: events and properties it dropped reach {} again",
            describe_ref(index, "segment_destination", before, "destination_id")
        ))],
        (true, false, "segment_source") => {
            let id = before.get("id").and_then(Json::as_str).unwrap_or("");
            let destinations: Vec<String> = index
                .referring("segment_destination", "source_id", id)
                .map(|k| describe(&k.type_name, &k.values))
                .collect();
            let downstream = if destinations.is_empty() {
                String::new()
            } else {
                format!("; {} stop receiving them", list(&destinations))
            };
            vec![Reason::breaking(format!(
                "{what} is disabled: it stops accepting events{downstream}"
            ))]
        }
        (true, false, "segment_destination") => vec![Reason::breaking(format!(
            "{what} is disabled: {} stops sending to it",
            describe_ref(index, "segment_source", before, "source_id")
        ))],
        (true, false, _) => vec![Reason::breaking(format!(
            "{what} is disabled: it stops doing what it does today"
        ))],
        (false, true, "segment_destination_filter") => vec![Reason::breaking(format!(
            "{what} is enabled: {} starts dropping or trimming events it receives today",
            describe_ref(index, "segment_destination", before, "destination_id")
        ))],
        (false, true, _) => vec![Reason::caution(format!(
            "{what} is enabled: data starts flowing through it"
        ))],
        _ => vec![Reason::caution(format!("{what}: `enabled` changes"))],
    }
}

/// Settings are JSON text; only the names of the keys that change are
/// shown, never a value.
fn settings(what: &str, old: &Json, new: &Json, unknown: bool) -> Reason {
    let parse = |v: &Json| -> Option<serde_json::Map<String, Json>> {
        match v {
            Json::String(s) => serde_json::from_str::<Json>(s).ok()?.as_object().cloned(),
            Json::Object(o) => Some(o.clone()),
            _ => None,
        }
    };
    let keys = match (parse(old), parse(new)) {
        (Some(o), Some(n)) if !unknown => {
            let all: BTreeSet<&String> = o.keys().chain(n.keys()).collect();
            let changed: Vec<String> = all
                .into_iter()
                .filter(|k| o.get(*k) != n.get(*k))
                .map(|k| format!("`{k}`"))
                .collect();
            if changed.is_empty() {
                String::new()
            } else {
                format!(" ({})", changed.join(", "))
            }
        }
        _ => String::new(),
    };
    Reason::caution(format!("{what}: settings change{keys}"))
}

/// A rule's identity: its type and key (`TRACK "Order Completed"`).
fn rule_map(v: &Json) -> BTreeMap<(String, String), Json> {
    v.as_array()
        .into_iter()
        .flatten()
        .filter_map(|r| {
            let kind = r.get("type")?.as_str()?.to_string();
            let key = r
                .get("key")
                .and_then(Json::as_str)
                .unwrap_or("")
                .to_string();
            let schema = match r.get("json_schema") {
                Some(Json::String(s)) => serde_json::from_str(s).unwrap_or(Json::Null),
                Some(other) => other.clone(),
                None => Json::Null,
            };
            Some(((kind, key), schema))
        })
        .collect()
}

fn rule_name((kind, key): &(String, String)) -> String {
    let clean = |s: &str| s.replace('`', "'");
    if key.is_empty() {
        kind.clone()
    } else {
        format!("{kind} `{}`", clean(key))
    }
}

fn rules(before: &Json, what: &str, old: &Json, new: &Json, index: &Index) -> Vec<Reason> {
    let (old, new) = (rule_map(old), rule_map(new));
    let id = before.get("id").and_then(Json::as_str).unwrap_or("");
    let sources: Vec<String> = index
        .referring(
            "segment_source_tracking_plan_connection",
            "tracking_plan_id",
            id,
        )
        .map(|k| describe_ref(index, "segment_source", &k.values, "source_id"))
        .collect();
    let sent_by = if sources.is_empty() {
        String::new()
    } else {
        format!(" by {}", list(&sources))
    };
    let mut out = Vec::new();
    for (rule, schema) in &old {
        match new.get(rule) {
            None => out.push(Reason::breaking(format!(
                "{what}: the rule for {} is removed: those events, sent today{sent_by}, become \
                 unplanned (blocked where a source's schema settings block unplanned events)",
                rule_name(rule)
            ))),
            Some(after) if after != schema => {
                let narrowed = narrowing(schema, after);
                if narrowed.is_empty() {
                    out.push(Reason::safe(format!(
                        "{what}: the rule for {} accepts what it accepted before (widened or reworded)",
                        rule_name(rule)
                    )));
                } else {
                    out.push(Reason::breaking(format!(
                        "{what}: the rule for {} narrows, so events sent today{sent_by} may \
                         fail it: {}",
                        rule_name(rule),
                        narrowed.join("; ")
                    )));
                }
            }
            Some(_) => {}
        }
    }
    for rule in new.keys().filter(|r| !old.contains_key(*r)) {
        out.push(Reason::safe(format!(
            "{what}: adds a rule for {}",
            rule_name(rule)
        )));
    }
    if out.is_empty() {
        out.push(Reason::safe(format!(
            "{what}: rule versions or order change"
        )));
    }
    out
}

/// One grant: a role on a resource (or the workspace), with its labels.
fn grants(v: &Json) -> BTreeSet<(String, String, String)> {
    let mut out = BTreeSet::new();
    for p in v.as_array().into_iter().flatten() {
        let role = p
            .get("role_id")
            .and_then(Json::as_str)
            .unwrap_or("")
            .to_string();
        for r in p
            .get("resources")
            .and_then(Json::as_array)
            .into_iter()
            .flatten()
        {
            let id = r.get("id").and_then(Json::as_str).unwrap_or("").to_string();
            let labels = r.get("labels").map(Json::to_string).unwrap_or_default();
            out.insert((role.clone(), id, labels));
        }
    }
    out
}

fn permissions(what: &str, old: &Json, new: &Json, index: &Index) -> Vec<Reason> {
    let (old, new) = (grants(old), grants(new));
    let on = |id: &str| match index.get(id) {
        Some(k) => describe(&k.type_name, &k.values),
        None => format!("resource {}", id.replace('`', "'")),
    };
    let lost: Vec<String> = old
        .difference(&new)
        .map(|(role, id, _)| format!("role {} on {}", role.replace('`', "'"), on(id)))
        .collect();
    let mut out = Vec::new();
    if !lost.is_empty() {
        out.push(Reason::caution(format!(
            "{what}: permissions reduced, loses {}",
            list(&lost)
        )));
    }
    if new.difference(&old).next().is_some() {
        out.push(Reason::safe(format!("{what}: permissions granted")));
    }
    out
}

fn members(what: &str, old: &Json, new: &Json) -> Vec<Reason> {
    let set = |v: &Json| -> BTreeSet<String> {
        v.as_array()
            .into_iter()
            .flatten()
            .filter_map(Json::as_str)
            .map(|s| s.replace('`', "'"))
            .collect()
    };
    let (old, new) = (set(old), set(new));
    let gone: Vec<String> = old.difference(&new).map(|m| format!("`{m}`")).collect();
    let mut out = Vec::new();
    if !gone.is_empty() {
        out.push(Reason::caution(format!(
            "{what}: {} lose the group's permissions",
            list(&gone)
        )));
    }
    if new.difference(&old).next().is_some() {
        out.push(Reason::safe(format!("{what}: members added")));
    }
    out
}

/// Action types by what they remove: whole events, or properties.
fn action_types(v: &Json) -> BTreeMap<String, Option<f64>> {
    v.get("actions")
        .and_then(Json::as_array)
        .into_iter()
        .flatten()
        .filter_map(|a| {
            let t = a.get("type")?.as_str()?.to_string();
            Some((t, a.get("percent").and_then(Json::as_f64)))
        })
        .collect()
}

/// A filter drops more when it gains an action type or samples less; its
/// condition (FQL) changing on a filter that drops or samples whole events
/// is taken as breaking, since whether the new condition matches more
/// cannot be told from the text. A condition changed on a filter that only
/// trims properties, and other action changes, are caution.
fn filter(key: &str, before: &Json, after: &Json, what: &str, index: &Index) -> Reason {
    let enabled = after.get("enabled") == Some(&Json::Bool(true));
    let destination = describe_ref(index, "segment_destination", before, "destination_id");
    let (old, new) = (action_types(before), action_types(after));
    if key == "if" {
        let drops_events = new.contains_key("DROP") || new.contains_key("SAMPLE");
        return if enabled && drops_events {
            Reason::breaking(format!(
                "{what}: its condition changes, so {destination} may drop events it receives today"
            ))
        } else {
            Reason::caution(format!("{what}: its condition changes"))
        };
    }
    let gained: Vec<String> = new
        .keys()
        .filter(|t| !old.contains_key(*t))
        .map(|t| format!("`{t}`"))
        .collect();
    let samples_less = matches!(
        (old.get("SAMPLE"), new.get("SAMPLE")),
        (Some(Some(o)), Some(Some(n))) if n < o
    );
    if enabled && (!gained.is_empty() || samples_less) {
        let how = if gained.is_empty() {
            "keeps a smaller share of events".to_string()
        } else {
            format!("gains {}", gained.join(", "))
        };
        Reason::breaking(format!(
            "{what} {how}: {destination} drops events or properties it receives today"
        ))
    } else {
        Reason::caution(format!("{what}: its actions change"))
    }
}
