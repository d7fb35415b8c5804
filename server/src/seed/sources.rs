//! Phase two: one chain of requests per source, the chains run side by side.
//! A source's chain makes the source and everything that hangs off it, in
//! the order the API needs: destinations before their filters,
//! subscriptions and insert functions.

use std::time::Instant;

use anyhow::Context;
use futures::stream::{self, StreamExt};
use segment_api::models::*;
use serde_json::{json, Map, Value};

use super::names::{self, Role};
use super::plan::{DestinationPlan, SourcePlan};
use super::workspace::{insert_instance_settings, Globals};
use super::{progress, salt, settings, Counts, Ctx};

/// Creates every planned source and its dependents; answers the source ids
/// in plan order.
pub async fn create_all(ctx: &Ctx, g: &Globals) -> anyhow::Result<Vec<String>> {
    let mut ids = vec![String::new(); ctx.plan.sources.len()];
    let mut chains = stream::iter(&ctx.plan.sources)
        .map(|s| async move {
            let id = source(ctx, g, s)
                .await
                .with_context(|| format!("seeding the source {:?} ({})", s.name, s.slug))?;
            anyhow::Ok((s.index, id))
        })
        .buffer_unordered(ctx.concurrency);
    let mut last = Instant::now();
    // Bounded: the stream ends after one item per planned source.
    while let Some(done) = chains.next().await {
        let (index, id) = done?;
        ids[index] = id;
        progress(ctx, &mut last);
    }
    Ok(ids)
}

async fn source(ctx: &Ctx, g: &Globals, s: &SourcePlan) -> anyhow::Result<String> {
    let c = &ctx.client;
    let meta = &ctx.catalog.sources[s.metadata];
    let input = CreateSource {
        slug: s.slug.clone(),
        // A few sources are switched off, as in any workspace of some age.
        enabled: s.index % 13 != 12,
        metadata_id: meta.id.clone(),
        settings: Some(settings::for_options(&meta.options, salt(1, s.index))),
    };
    let id = c.create_source(&input).await.context("creating it")?.id;
    Counts::add(&ctx.counts.sources, 1);
    // Create takes no name; the official provider sets it the same way.
    let name = UpdateSource {
        name: Some(s.name.clone()),
        ..Default::default()
    };
    c.update_source(&id, &name).await.context("naming it")?;
    let labels: Vec<Label> = s
        .labels
        .iter()
        .filter_map(|&l| names::LABELS.get(l))
        .map(|&(key, value, _)| Label {
            key: key.into(),
            value: value.into(),
            description: None,
        })
        .collect();
    c.replace_source_labels(&id, &labels)
        .await
        .context("labelling it")?;
    for d in &s.destinations {
        destination(ctx, g, &id, d)
            .await
            .with_context(|| format!("destination {:?}", d.name))?;
    }
    if let Some(w) = s.warehouse.and_then(|w| g.warehouses.get(w)) {
        c.connect_warehouse_source(w, &id)
            .await
            .context("connecting it to a warehouse")?;
        Counts::add(&ctx.counts.warehouse_connections, 1);
    }
    if let Some(p) = s.tracking_plan.and_then(|p| g.tracking_plans.get(p)) {
        c.add_tracking_plan_source(p, &id)
            .await
            .context("connecting it to a tracking plan")?;
        Counts::add(&ctx.counts.tracking_plan_connections, 1);
    }
    if s.transformation {
        let destination_metadata_id = s
            .destinations
            .first()
            .filter(|_| s.index % 2 == 1)
            .map(|d| ctx.catalog.destinations[d.metadata].id.clone());
        let input = CreateTransformation {
            name: format!("Rename “Signed Up” → “Account Created” ({})", s.name),
            source_id: id.clone(),
            destination_metadata_id,
            enabled: true,
            condition: "event = \"Signed Up\"".into(),
            new_event_name: Some("Account Created".into()),
            property_renames: Some(vec![PropertyRename {
                old_name: "e-mail".into(),
                new_name: "email".into(),
            }]),
            ..Default::default()
        };
        c.create_transformation(&input)
            .await
            .context("creating its transformation")?;
        Counts::add(&ctx.counts.transformations, 1);
    }
    for m in 0..s.reverse_etl_models {
        reverse_etl_model(ctx, &id, s, m).await?;
    }
    Ok(id)
}

async fn reverse_etl_model(
    ctx: &Ctx,
    source_id: &str,
    s: &SourcePlan,
    m: usize,
) -> anyhow::Result<()> {
    debug_assert_eq!(s.role, Role::Warehouse);
    const MODELS: [(&str, &str, &str); 2] = [
        (
            "Churn-risk accounts – daily",
            "SELECT account_id, email, plan, mrr\nFROM analytics.accounts\nWHERE churn_score > 0.7",
            "account_id",
        ),
        (
            "Utilisateurs actifs – 30 jours",
            "SELECT user_id, email, last_seen_at\nFROM analytics.users\n\
             WHERE last_seen_at > CURRENT_DATE - 30",
            "user_id",
        ),
    ];
    let (name, query, column) = MODELS[m % MODELS.len()];
    let input = CreateReverseEtlModel {
        source_id: source_id.to_string(),
        name: format!("{name} ({})", s.name),
        description: format!("Feeds lifecycle campaigns from {}", s.name),
        enabled: m % 3 != 2,
        query: query.into(),
        query_identifier_column: column.into(),
        ..Default::default()
    };
    ctx.client
        .create_reverse_etl_model(&input)
        .await
        .with_context(|| format!("creating the Reverse ETL model {:?}", input.name))?;
    Counts::add(&ctx.counts.reverse_etl_models, 1);
    Ok(())
}

async fn destination(
    ctx: &Ctx,
    g: &Globals,
    source_id: &str,
    d: &DestinationPlan,
) -> anyhow::Result<()> {
    let c = &ctx.client;
    let meta = &ctx.catalog.destinations[d.metadata];
    let input = CreateDestination {
        source_id: source_id.to_string(),
        metadata_id: meta.id.clone(),
        enabled: Some(d.enabled),
        name: Some(d.name.clone()),
        settings: settings::for_options(&meta.options, salt(2, d.index)),
    };
    let id = c
        .create_destination(&input)
        .await
        .context("creating it")?
        .id;
    Counts::add(&ctx.counts.destinations, 1);
    if let Some(kind) = d.filter {
        c.create_filter(&id, &filter(source_id, kind))
            .await
            .with_context(|| format!("creating its {kind} filter"))?;
        Counts::add(&ctx.counts.filters, 1);
    }
    let actions: Vec<&DestinationAction> = meta.actions.iter().filter(|a| !a.hidden).collect();
    for k in 0..d.subscriptions.min(actions.len()) {
        let action = actions[(d.index + k) % actions.len()];
        let input = CreateDestinationSubscription {
            name: action.name.clone(),
            action_id: action.id.clone(),
            trigger: action
                .default_trigger
                .clone()
                .unwrap_or_else(|| "type = \"track\"".into()),
            enabled: true,
            settings: Some(mapping(action)),
            model_id: None,
        };
        c.create_subscription(&id, &input)
            .await
            .with_context(|| format!("subscribing it to {:?}", action.name))?;
        Counts::add(&ctx.counts.subscriptions, 1);
    }
    if let Some((f_index, f)) = d
        .insert_function
        .and_then(|i| g.insert_functions.get(i).map(|f| (i, f)))
    {
        let input = CreateInsertFunctionInstance {
            function_id: f.clone(),
            integration_id: id.clone(),
            enabled: Some(true),
            name: format!("{} – {}", insert_function_name(ctx, f_index), d.name),
            settings: insert_instance_settings(d.index),
        };
        c.create_insert_function_instance(&input)
            .await
            .context("inserting a function before it")?;
        Counts::add(&ctx.counts.insert_function_instances, 1);
    }
    Ok(())
}

/// The name of the `k`th INSERT_DESTINATION function of the plan.
fn insert_function_name(ctx: &Ctx, k: usize) -> &str {
    ctx.plan
        .functions
        .iter()
        .filter(|f| f.resource_type == "INSERT_DESTINATION")
        .nth(k)
        .map_or("Insert function", |f| f.name.as_str())
}

/// A subscription's field mapping: each field's documented default.
fn mapping(action: &DestinationAction) -> Settings {
    let mut out = Map::new();
    for f in &action.fields {
        if let (Some(key), Some(default)) = (
            f.get("fieldKey").and_then(Value::as_str),
            f.get("defaultValue"),
        ) {
            out.insert(key.to_string(), default.clone());
        }
    }
    out
}

/// A filter of each action type, as a user would write it.
fn filter(source_id: &str, kind: &str) -> CreateDestinationFilter {
    let (title, condition, action) = match kind {
        "DROP" => (
            "Drop test events",
            "event = \"Test Event\" or properties.test = true",
            FilterAction {
                kind: kind.into(),
                fields: None,
                percent: None,
                path: None,
            },
        ),
        "SAMPLE" => (
            "Sample 10 % of page views",
            "type = \"page\"",
            FilterAction {
                kind: kind.into(),
                fields: None,
                percent: Some(0.1),
                path: Some("userId".into()),
            },
        ),
        "ALLOW_PROPERTIES" => (
            "Only order fields on “Order Completed”",
            "event = \"Order Completed\"",
            FilterAction {
                kind: kind.into(),
                fields: object(json!({
                    "properties": { "fields": ["order_id", "revenue", "currency"] },
                })),
                percent: None,
                path: None,
            },
        ),
        _ => (
            "Strip PII – e-mail & phone",
            "type = \"track\" or type = \"identify\"",
            FilterAction {
                kind: kind.into(),
                fields: object(json!({
                    "context": { "fields": ["ip"] },
                    "properties": { "fields": ["email", "phone"] },
                    "traits": { "fields": ["email", "phone"] },
                })),
                percent: None,
                path: None,
            },
        ),
    };
    CreateDestinationFilter {
        source_id: source_id.to_string(),
        condition: condition.into(),
        actions: vec![action],
        title: title.into(),
        description: Some(format!("{title} – added by the seed")),
        enabled: true,
    }
}

fn object(v: Value) -> Option<Settings> {
    match v {
        Value::Object(m) => Some(m),
        _ => None,
    }
}
