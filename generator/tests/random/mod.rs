//! Random small workspaces: what one holds ([`WorkspaceSpec`]), the
//! strategy that makes them ([`workspace`]), with names HCL must escape and
//! nested settings JSON, and their creation through the API ([`create`]).

pub mod create;

use std::collections::{BTreeMap, BTreeSet};

use proptest::prelude::*;
use proptest::sample::Index;
use segment_api::models::{FilterAction, Settings};
use serde_json::{json, Value};

/// Text that starts with a letter or digit (so it is never blank) and goes
/// on with what HCL must escape or people rarely type.
fn odd_text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just(" "),
        Just("\""),
        Just("${"),
        Just("%{"),
        Just("}"),
        Just("$"),
        Just("\\"),
        Just("\n"),
        Just("\t"),
        Just("☃"),
        Just("é"),
        Just("日本"),
        Just("😀"),
        Just("•"),
        Just("'"),
        Just("#"),
        Just("//"),
        Just("<<EOT"),
        Just("-"),
        Just("abc"),
        Just("42"),
    ];
    ("[a-z0-9]", prop::collection::vec(piece, 0..6))
        .prop_map(|(first, rest)| format!("{first}{}", rest.concat()))
}

/// Object keys as settings have them: identifiers, keywords, dashes, odd text.
fn odd_key() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("apiKey".to_string()),
        Just("for".to_string()),
        Just("null".to_string()),
        Just("a-b".to_string()),
        Just("1st".to_string()),
        Just(String::new()),
        odd_text(),
    ]
}

/// Nested JSON, three levels at most.
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i32>().prop_map(|n| json!(n)),
        (-1000i32..1000).prop_map(|n| json!(f64::from(n) / 8.0)),
        odd_text().prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            json_object(inner, 0..4).prop_map(Value::Object),
        ]
    })
}

fn json_object(
    values: impl Strategy<Value = Value>,
    size: std::ops::Range<usize>,
) -> impl Strategy<Value = Settings> {
    prop::collection::btree_map(odd_key(), values, size).prop_map(|m| m.into_iter().collect())
}

#[derive(Clone, Debug)]
struct SourceSpec {
    slug: String,
    name: Option<String>,
    settings: Settings,
    labels: Vec<Index>,
}

#[derive(Clone, Debug)]
struct DestinationSpec {
    source: Index,
    name: Option<String>,
    enabled: bool,
    /// Webhooks (with a secret) when true, Facebook Pixel otherwise.
    webhooks: bool,
    text: String,
    nested: Value,
}

#[derive(Clone, Debug)]
struct FilterSpec {
    destination: Index,
    title: String,
    condition: String,
    description: Option<String>,
    enabled: bool,
    action: FilterAction,
}

#[derive(Clone, Debug)]
struct PlanSpec {
    name: String,
    kind: Index,
    description: Option<String>,
    rules: Vec<(Index, Option<String>, Settings, u32)>,
    sources: Vec<Index>,
}

#[derive(Clone, Debug)]
pub struct WorkspaceSpec {
    labels: BTreeSet<(String, String)>,
    sources: Vec<SourceSpec>,
    destinations: Vec<DestinationSpec>,
    filters: Vec<FilterSpec>,
    plans: Vec<PlanSpec>,
    /// Name → whether it has a permission. The API allows a group without
    /// one; the provider refuses to manage it, so the export leaves it out.
    groups: BTreeMap<String, bool>,
}

fn action() -> impl Strategy<Value = FilterAction> {
    let bare = |kind: &str| FilterAction {
        kind: kind.into(),
        fields: None,
        percent: None,
        path: None,
    };
    prop_oneof![
        Just(bare("DROP")),
        (0u32..=100, odd_text()).prop_map(move |(p, path)| FilterAction {
            percent: Some(f64::from(p) / 100.0),
            path: Some(path),
            ..bare("SAMPLE")
        }),
        json_object(json_value(), 1..3).prop_map(move |fields| FilterAction {
            fields: Some(fields),
            ..bare("ALLOW_PROPERTIES")
        }),
    ]
}

pub fn workspace() -> impl Strategy<Value = WorkspaceSpec> {
    // Labels may not hold ':' or '/', nor control characters (the
    // workspace refuses them as Segment's letters-digits-dashes rule does).
    let label_text =
        || odd_text().prop_map(|s| s.replace([':', '/'], "-").replace(['\n', '\t'], " "));
    let source = (
        "[a-z0-9][a-z0-9_-]{0,8}",
        prop::option::of(odd_text()),
        json_object(json_value(), 0..4),
        prop::collection::vec(any::<Index>(), 0..3),
    )
        .prop_map(|(slug, name, settings, labels)| SourceSpec {
            slug,
            name,
            settings,
            labels,
        });
    let destination = (
        any::<Index>(),
        prop::option::of(odd_text()),
        any::<bool>(),
        any::<bool>(),
        odd_text(),
        json_value(),
    )
        .prop_map(
            |(source, name, enabled, webhooks, text, nested)| DestinationSpec {
                source,
                name,
                enabled,
                webhooks,
                text,
                nested,
            },
        );
    let filter = (
        any::<Index>(),
        odd_text(),
        odd_text(),
        prop::option::of(odd_text()),
        any::<bool>(),
        action(),
    )
        .prop_map(
            |(destination, title, condition, description, enabled, action)| FilterSpec {
                destination,
                title,
                condition,
                description,
                enabled,
                action,
            },
        );
    let rule = (
        any::<Index>(),
        prop::option::of(odd_text()),
        json_object(json_value(), 0..3),
        1u32..4,
    );
    let plan = (
        odd_text(),
        any::<Index>(),
        prop::option::of(odd_text()),
        prop::collection::vec(rule, 0..3),
        prop::collection::vec(any::<Index>(), 0..2),
    )
        .prop_map(|(name, kind, description, rules, sources)| PlanSpec {
            name,
            kind,
            description,
            rules,
            sources,
        });
    (
        prop::collection::btree_set((label_text(), label_text()), 0..3),
        // Slugs must differ; `unique_sources` drops repeats.
        prop::collection::vec(source, 1..4),
        prop::collection::vec(destination, 0..4),
        prop::collection::vec(filter, 0..4),
        prop::collection::vec(plan, 0..3),
        prop::collection::btree_map(odd_text(), any::<bool>(), 0..3),
    )
        .prop_map(
            |(labels, sources, destinations, filters, plans, groups)| WorkspaceSpec {
                labels,
                sources: unique_sources(sources),
                destinations,
                filters,
                plans: unique_plans(plans),
                groups,
            },
        )
}

fn unique_sources(mut sources: Vec<SourceSpec>) -> Vec<SourceSpec> {
    let mut seen = BTreeSet::new();
    sources.retain(|s| seen.insert(s.slug.clone()));
    sources
}

/// Plan names are unique in a workspace, and so is a rule's type and key.
fn unique_plans(mut plans: Vec<PlanSpec>) -> Vec<PlanSpec> {
    let mut seen = BTreeSet::new();
    plans.retain(|p| seen.insert(p.name.clone()));
    plans
}
