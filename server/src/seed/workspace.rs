//! Phase one: what sources refer to. Labels, warehouses, functions and
//! tracking plans with their rules.

use anyhow::Context;
use futures::future::BoxFuture;
use futures::FutureExt;
use segment_api::models::{
    CreateFunction, CreateTrackingPlan, CreateWarehouse, FunctionSetting, Label, RuleInput,
};
use serde_json::{json, Value};

use super::{names, run_bounded, salt, settings, Counts, Ctx};

/// Ids the later phases need, by their index in the plan.
pub struct Globals {
    pub warehouses: Vec<String>,
    pub tracking_plans: Vec<String>,
    /// INSERT_DESTINATION functions, in plan order.
    pub insert_functions: Vec<String>,
}

enum Made {
    Nothing,
    Warehouse(usize, String),
    TrackingPlan(usize, String),
    InsertFunction(usize, String),
}

/// The upstream limit on rules per PATCH; larger plans go in pages.
const RULES_PER_PATCH: usize = 200;

pub async fn create(ctx: &Ctx) -> anyhow::Result<Globals> {
    let mut jobs: Vec<BoxFuture<'_, anyhow::Result<Made>>> = Vec::new();
    for &(key, value, description) in names::LABELS {
        jobs.push(label(ctx, key, value, description).boxed());
    }
    for k in 0..ctx.plan.warehouses.len() {
        jobs.push(warehouse(ctx, k).boxed());
    }
    let mut insert_index = 0;
    for k in 0..ctx.plan.functions.len() {
        let slot = if ctx.plan.functions[k].resource_type == "INSERT_DESTINATION" {
            insert_index += 1;
            Some(insert_index - 1)
        } else {
            None
        };
        jobs.push(function(ctx, k, slot).boxed());
    }
    for k in 0..ctx.plan.tracking_plans.len() {
        jobs.push(tracking_plan(ctx, k).boxed());
    }
    let made = run_bounded(ctx.concurrency, jobs).await?;
    let mut g = Globals {
        warehouses: vec![String::new(); ctx.plan.warehouses.len()],
        tracking_plans: vec![String::new(); ctx.plan.tracking_plans.len()],
        insert_functions: vec![String::new(); insert_index],
    };
    for m in made {
        match m {
            Made::Warehouse(k, id) => g.warehouses[k] = id,
            Made::TrackingPlan(k, id) => g.tracking_plans[k] = id,
            Made::InsertFunction(k, id) => g.insert_functions[k] = id,
            Made::Nothing => {}
        }
    }
    Ok(g)
}

async fn label(ctx: &Ctx, key: &str, value: &str, description: &str) -> anyhow::Result<Made> {
    let label = Label {
        key: key.into(),
        value: value.into(),
        description: Some(description.into()),
    };
    match ctx.client.create_label(&label).await {
        Ok(_) => Counts::add(&ctx.counts.labels, 1),
        // Labels are shared vocabulary: one that exists is simply reused.
        Err(e) if e.status() == Some(409) => {}
        Err(e) => return Err(e).with_context(|| format!("creating the label {key}:{value}")),
    }
    Ok(Made::Nothing)
}

async fn warehouse(ctx: &Ctx, k: usize) -> anyhow::Result<Made> {
    let spec = &ctx.plan.warehouses[k];
    let meta = &ctx.catalog.warehouses[spec.metadata];
    let input = CreateWarehouse {
        metadata_id: meta.id.clone(),
        name: Some(spec.name.clone()),
        enabled: Some(true),
        settings: settings::for_options(&meta.options, salt(3, k)),
    };
    let w = ctx
        .client
        .create_warehouse(&input)
        .await
        .with_context(|| format!("creating the warehouse {:?}", spec.name))?;
    Counts::add(&ctx.counts.warehouses, 1);
    Ok(Made::Warehouse(k, w.id))
}

async fn function(ctx: &Ctx, k: usize, insert_slot: Option<usize>) -> anyhow::Result<Made> {
    let spec = &ctx.plan.functions[k];
    let (code, settings) = function_body(spec.resource_type);
    let input = CreateFunction {
        code: code.to_string(),
        settings: Some(settings),
        display_name: spec.name.clone(),
        resource_type: spec.resource_type.to_string(),
        description: Some(format!(
            "{} – maintained by the data platform team",
            spec.name
        )),
        ..Default::default()
    };
    let f = ctx
        .client
        .create_function(&input)
        .await
        .with_context(|| format!("creating the function {:?}", spec.name))?;
    Counts::add(&ctx.counts.functions, 1);
    Ok(match insert_slot {
        Some(slot) => Made::InsertFunction(slot, f.id),
        None => Made::Nothing,
    })
}

fn setting(
    name: &str,
    label: &str,
    kind: &str,
    required: bool,
    sensitive: bool,
) -> FunctionSetting {
    FunctionSetting {
        name: name.into(),
        label: label.into(),
        description: format!("{label}."),
        kind: kind.into(),
        required,
        sensitive,
    }
}

/// Code and settings of a function of each resource type.
fn function_body(resource_type: &str) -> (&'static str, Vec<FunctionSetting>) {
    match resource_type {
        "SOURCE" => (
            "async function onRequest(request, settings) {\n  const body = request.json();\n  \
             Segment.track({\n    event: 'Form Submitted',\n    userId: body.user_id,\n    \
             properties: body.answers,\n  });\n}\n",
            vec![setting("sharedSecret", "Shared secret", "STRING", true, true)],
        ),
        "INSERT_DESTINATION" => (
            "async function onTrack(event, settings) {\n  for (const f of settings.fieldsToMask \
             || []) {\n    if (event.properties && f in event.properties) {\n      \
             event.properties[f] = '•••';\n    }\n  }\n  return event;\n}\n",
            vec![
                setting("fieldsToMask", "Fields to mask", "ARRAY", true, false),
                setting("hashSalt", "Hash salt", "STRING", false, true),
            ],
        ),
        _ => (
            "async function onTrack(event, settings) {\n  const res = await fetch(settings.endpoint, \
             {\n    method: 'POST',\n    headers: { Authorization: `Bearer ${settings.apiToken}` \
             },\n    body: JSON.stringify(event),\n  });\n  if (!res.ok) throw new \
             RetryError(`HTTP ${res.status}`);\n}\n",
            vec![
                setting("endpoint", "Endpoint", "STRING", true, false),
                setting("apiToken", "API token", "STRING", true, true),
                setting("headers", "Extra headers", "TEXT_MAP", false, false),
            ],
        ),
    }
}

/// Settings for an instance of an INSERT_DESTINATION function.
pub fn insert_instance_settings(index: usize) -> segment_api::models::Settings {
    let mut s = segment_api::models::Settings::new();
    s.insert("fieldsToMask".into(), json!(["email", "phone", "ip"]));
    s.insert("hashSalt".into(), json!(format!("{:016x}", salt(5, index))));
    s
}

async fn tracking_plan(ctx: &Ctx, k: usize) -> anyhow::Result<Made> {
    let spec = &ctx.plan.tracking_plans[k];
    let input = CreateTrackingPlan {
        name: spec.name.clone(),
        description: Some(format!(
            "{} – owned by Data Platform; « do not edit » by hand",
            spec.name
        )),
        kind: "LIVE".into(),
    };
    let plan = ctx
        .client
        .create_tracking_plan(&input)
        .await
        .with_context(|| format!("creating the tracking plan {:?}", spec.name))?;
    Counts::add(&ctx.counts.tracking_plans, 1);
    let rules = rules(k, spec.track_rules);
    for page in rules.chunks(RULES_PER_PATCH) {
        ctx.client
            .upsert_rules(&plan.id, page)
            .await
            .with_context(|| format!("adding rules to the tracking plan {:?}", spec.name))?;
        Counts::add(&ctx.counts.rules, page.len());
    }
    Ok(Made::TrackingPlan(k, plan.id))
}

/// IDENTIFY, GROUP and PAGE rules, then `track` TRACK rules with properties.
fn rules(plan: usize, track: usize) -> Vec<RuleInput> {
    let traits = json!({
        "$schema": "http://json-schema.org/draft-07/schema#",
        "type": "object",
        "properties": {
            "traits": {
                "type": "object",
                "properties": {
                    "email": { "type": "string", "format": "email" },
                    "plan": { "enum": ["free", "pro", "enterprise"] },
                },
                "required": ["email"],
            },
        },
    });
    let mut out = vec![
        rule("IDENTIFY", None, traits.clone()),
        rule("GROUP", None, traits),
        rule("PAGE", None, json!({ "type": "object" })),
    ];
    out.extend((0..track).map(|r| {
        let event = names::event_name((plan * 37 + r) % 300 + (r / 300) * 300);
        let schema = json!({
            "$schema": "http://json-schema.org/draft-07/schema#",
            "type": "object",
            "description": format!("Fired when « {event} » happens"),
            "properties": {
                "properties": {
                    "type": "object",
                    "properties": {
                        "id": { "type": "string" },
                        "value": { "type": "number", "minimum": 0 },
                        "currency": { "type": "string", "pattern": "^[A-Z]{3}$" },
                    },
                    "required": ["id"],
                },
            },
        });
        rule("TRACK", Some(event), schema)
    }));
    out
}

fn rule(kind: &str, key: Option<String>, json_schema: Value) -> RuleInput {
    RuleInput {
        kind: kind.into(),
        key,
        json_schema,
        version: 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_keys_are_unique_within_a_plan() {
        for (plan, track) in [(0, 300), (1, 12), (7, 24)] {
            let rules = rules(plan, track);
            let keys: std::collections::HashSet<_> =
                rules.iter().map(|r| (&r.kind, &r.key)).collect();
            assert_eq!(keys.len(), rules.len(), "plan {plan}");
        }
    }
}
