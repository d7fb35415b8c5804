//! Which class each change of a plan falls in, and why, in workspace terms.
//!
//! Deleting or replacing an object that data flows through is breaking:
//! sources, destinations, warehouses, tracking plans and functions, and,
//! as destructive, destination subscriptions (a destination stops sending
//! what they map), source-warehouse connections (a source stops syncing),
//! profiles warehouses, Reverse ETL models, audiences and computed traits
//! (what they computed is gone). Deleting anything else (a filter, a
//! label, a user, a tracking-plan connection, an insert function instance,
//! a transformation) is caution. Creating is safe, except a destination
//! filter that is enabled: it drops events or properties that reach the
//! destination today, so it is breaking. Updates are judged attribute by
//! attribute ([`super::update`]).

use serde_json::Value as Json;

use super::names::{describe, describe_ref, list, noun};
use super::plan::{Action, Index, ResourceChange};
use super::review::{Reason, Reviewed};
use super::update;

/// Types whose deletion or replacement breaks a flow of data.
pub const DESTRUCTIVE: &[&str] = &[
    "segment_source",
    "segment_destination",
    "segment_warehouse",
    "segment_tracking_plan",
    "segment_function",
    "segment_destination_subscription",
    "segment_source_warehouse_connection",
    "segment_profiles_warehouse",
    "segment_reverse_etl_model",
    "segment_audience",
    "segment_computed_trait",
];

/// The review of one change, `None` when it changes nothing.
pub fn classify(rc: &ResourceChange, index: &Index) -> Option<Reviewed> {
    if rc.mode != "managed" {
        return None;
    }
    let change = &rc.change;
    let reasons = match change.action() {
        Action::Nothing => return None,
        Action::Create => created(rc, index),
        Action::Delete => deleted(rc, index, false),
        Action::Replace => deleted(rc, index, true),
        Action::Update => update::updated(rc, index),
    };
    if reasons.is_empty() {
        return None;
    }
    Some(Reviewed::new(
        &rc.address,
        &rc.type_name,
        &change.actions,
        reasons,
    ))
}

fn created(rc: &ResourceChange, index: &Index) -> Vec<Reason> {
    let after = &rc.change.after;
    let what = describe(&rc.type_name, after);
    if rc.type_name == "segment_destination_filter"
        && after.get("enabled") == Some(&Json::Bool(true))
    {
        return vec![Reason::breaking(format!(
            "new {what} is enabled: {} starts dropping or trimming events from {} that it \
             receives today",
            describe_ref(index, "segment_destination", after, "destination_id"),
            describe_ref(index, "segment_source", after, "source_id"),
        ))];
    }
    vec![Reason::safe(format!("adds {what}"))]
}

fn deleted(rc: &ResourceChange, index: &Index, replaced: bool) -> Vec<Reason> {
    let t = rc.type_name.as_str();
    let before = &rc.change.before;
    let what = describe(t, before);
    let consequence = consequence(t, before, index);
    let text = if replaced {
        let paths: Vec<String> = rc
            .change
            .replace_paths
            .iter()
            .map(|p| {
                let parts: Vec<String> = p
                    .iter()
                    .map(|s| match s {
                        Json::String(s) => s.clone(),
                        other => other.to_string(),
                    })
                    .collect();
                format!("`{}`", parts.join("."))
            })
            .collect();
        let because = if paths.is_empty() {
            String::new()
        } else {
            format!(" because {} changes", paths.join(", "))
        };
        format!(
            "{what} is replaced{because}: deleted, then created anew with a new id; {consequence}"
        )
    } else {
        format!("{what} is deleted: {consequence}")
    };
    if DESTRUCTIVE.contains(&t) {
        vec![Reason::breaking(text)]
    } else {
        vec![Reason::caution(text)]
    }
}

/// What the deletion means for the data flowing through the workspace.
fn consequence(t: &str, before: &Json, index: &Index) -> String {
    let id = before.get("id").and_then(Json::as_str).unwrap_or("");
    let describe_all = |type_name: &'static str, attr: &'static str, target: &'static str| {
        index
            .referring(type_name, attr, id)
            .map(|k| describe_ref(index, "segment_source", &k.values, target))
            .collect::<Vec<String>>()
    };
    match t {
        "segment_destination" => format!(
            "{} stops sending to it",
            describe_ref(index, "segment_source", before, "source_id")
        ),
        "segment_source" => {
            let destinations: Vec<String> = index
                .referring("segment_destination", "source_id", id)
                .map(|k| describe(&k.type_name, &k.values))
                .collect();
            if destinations.is_empty() {
                "it stops accepting events and its write keys stop working".into()
            } else {
                format!(
                    "it stops accepting events and its write keys stop working; {} stop \
                     receiving its events",
                    list(&destinations)
                )
            }
        }
        "segment_warehouse" => {
            let sources = describe_all(
                "segment_source_warehouse_connection",
                "warehouse_id",
                "source_id",
            );
            if sources.is_empty() {
                "nothing syncs to it any more".into()
            } else {
                format!("{} stop syncing to it", list(&sources))
            }
        }
        "segment_tracking_plan" => {
            let rules = before
                .get("rules")
                .and_then(Json::as_array)
                .map_or(0, Vec::len);
            let sources = describe_all(
                "segment_source_tracking_plan_connection",
                "tracking_plan_id",
                "source_id",
            );
            let mut text = format!("its {rules} rules go with it");
            if !sources.is_empty() {
                text.push_str(&format!(
                    "; {} are no longer validated against it",
                    list(&sources)
                ));
            }
            text
        }
        "segment_function" => "whatever runs it (a source, a destination or an insert \
                               function instance) stops processing events"
            .into(),
        "segment_destination_subscription" => format!(
            "{} stops sending the events this subscription maps",
            describe_ref(index, "segment_destination", before, "destination_id")
        ),
        "segment_source_warehouse_connection" => format!(
            "{} stops syncing to {}",
            describe_ref(index, "segment_source", before, "source_id"),
            describe_ref(index, "segment_warehouse", before, "warehouse_id")
        ),
        "segment_source_tracking_plan_connection" => format!(
            "{} is no longer validated against {}",
            describe_ref(index, "segment_source", before, "source_id"),
            describe_ref(index, "segment_tracking_plan", before, "tracking_plan_id")
        ),
        "segment_destination_filter" => format!(
            "events and properties it dropped reach {} again",
            describe_ref(index, "segment_destination", before, "destination_id")
        ),
        "segment_user" => "the user loses access to the workspace".into(),
        "segment_user_group" => "its members lose the permissions it granted".into(),
        "segment_label" => {
            "sources lose the label, and permissions granted by it no longer apply".into()
        }
        other => format!("the {} and what it does are gone", noun(other)),
    }
}
