//! The random workspace made real through the API.

use std::collections::BTreeSet;

use segment_api::models::{
    CreateDestination, CreateDestinationFilter, CreateTrackingPlan, Label, PermissionInput,
    PermissionResource, RuleInput, UpdateSource, RULE_TYPES, TRACKING_PLAN_TYPES,
};
use segment_e2e::fixtures::{javascript_source, WEBHOOKS_DESTINATION};
use segment_e2e::TestWorkspace;
use serde_json::{json, Value};

use super::{DestinationSpec, PlanSpec, WorkspaceSpec};

/// Destination "Facebook Pixel": `pixelId` required; `standardEvents` a map.
const PIXEL_DESTINATION: &str = "5661eb58e954a874ca44cc07";

fn rules_of(plan: &PlanSpec) -> Vec<RuleInput> {
    let mut seen = BTreeSet::new();
    plan.rules
        .iter()
        .map(|(kind, key, schema, version)| {
            let kind = *kind.get(RULE_TYPES);
            // A TRACK rule needs a key.
            let key = key
                .clone()
                .or_else(|| (kind == "TRACK").then(|| "x".into()));
            (kind, key, schema, *version)
        })
        .filter(|(kind, key, _, _)| seen.insert((*kind, key.clone())))
        .map(|(kind, key, schema, version)| RuleInput {
            kind: kind.into(),
            key,
            json_schema: Value::Object(schema.clone()),
            version,
        })
        .collect()
}

fn destination_input(d: &DestinationSpec, source_id: &str) -> CreateDestination {
    let (metadata_id, settings) = if d.webhooks {
        let settings = json!({
            "globalHook": d.text,
            "hooks": [d.nested],
            "sharedSecret": "s3cret",
        });
        (WEBHOOKS_DESTINATION, settings)
    } else {
        let settings = json!({
            "pixelId": d.text,
            "standardEvents": { "nested": d.nested },
        });
        (PIXEL_DESTINATION, settings)
    };
    CreateDestination {
        source_id: source_id.into(),
        metadata_id: metadata_id.into(),
        enabled: Some(d.enabled),
        name: d.name.clone(),
        settings: segment_e2e::fixtures::settings(settings),
    }
}

/// What an export of the workspace should hold.
pub struct Expected {
    pub objects: usize,
    /// Objects the provider refuses to manage, left out with a reason.
    pub refused: usize,
    /// Secret settings: Webhooks' `sharedSecret` is the only one made.
    pub secrets: usize,
}

/// Creates the workspace `spec` describes.
pub async fn create(ws: &TestWorkspace, spec: &WorkspaceSpec) -> Expected {
    let api = ws.owner();
    let mut n = 0;
    let mut labels = Vec::new();
    for (key, value) in &spec.labels {
        let label = Label {
            key: key.clone(),
            value: value.clone(),
            description: Some(format!("{key} {value}")),
        };
        labels.push(api.create_label(&label).await.expect("create label"));
        n += 1;
    }
    let mut sources = Vec::new();
    for s in &spec.sources {
        let mut input = javascript_source(&s.slug);
        input.settings = Some(s.settings.clone());
        let created = api.create_source(&input).await.expect("create source");
        if let Some(name) = &s.name {
            let update = UpdateSource {
                name: Some(name.clone()),
                ..Default::default()
            };
            api.update_source(&created.id, &update)
                .await
                .expect("name source");
        }
        if !labels.is_empty() {
            let picked: BTreeSet<usize> = s.labels.iter().map(|i| i.index(labels.len())).collect();
            let on: Vec<Label> = picked.into_iter().map(|i| labels[i].clone()).collect();
            api.add_source_labels(&created.id, &on)
                .await
                .expect("label source");
        }
        sources.push(created);
        n += 1;
    }
    let mut destinations = Vec::new();
    for d in &spec.destinations {
        let source = d.source.get(&sources);
        let input = destination_input(d, &source.id);
        let created = api
            .create_destination(&input)
            .await
            .expect("create destination");
        destinations.push(created);
        n += 1;
    }
    for f in spec.filters.iter().filter(|_| !destinations.is_empty()) {
        let destination = f.destination.get(&destinations);
        let input = CreateDestinationFilter {
            source_id: destination.source_id.clone(),
            condition: f.condition.clone(),
            actions: vec![f.action.clone()],
            title: f.title.clone(),
            description: f.description.clone(),
            enabled: f.enabled,
        };
        api.create_filter(&destination.id, &input)
            .await
            .expect("create filter");
        n += 1;
    }
    // A source follows one plan at most.
    let mut followed = BTreeSet::new();
    for p in &spec.plans {
        let input = CreateTrackingPlan {
            name: p.name.clone(),
            description: p.description.clone(),
            kind: (*p.kind.get(TRACKING_PLAN_TYPES)).into(),
        };
        let plan = api
            .create_tracking_plan(&input)
            .await
            .expect("create tracking plan");
        api.replace_rules(&plan.id, &rules_of(p))
            .await
            .expect("rules");
        let connected: Vec<&str> = p
            .sources
            .iter()
            .map(|i| i.get(&sources).id.as_str())
            .filter(|s| followed.insert(*s))
            .collect();
        for source in connected {
            api.add_tracking_plan_source(&plan.id, source)
                .await
                .expect("connect source");
            n += 1;
        }
        n += 1;
    }
    let mut refused = 0;
    for (name, permitted) in &spec.groups {
        let group = api.create_user_group(name).await.expect("create group");
        if !permitted {
            refused += 1;
            continue;
        }
        let role = api.list_roles().await.expect("roles").remove(0);
        let workspace = api.get_workspace().await.expect("workspace");
        let permission = PermissionInput {
            role_id: role.id,
            resources: vec![PermissionResource {
                id: workspace.id,
                kind: "WORKSPACE".into(),
                labels: None,
            }],
            labels: None,
        };
        api.replace_user_group_permissions(&group.id, &[permission])
            .await
            .expect("permit group");
        n += 1;
    }
    Expected {
        objects: n,
        refused,
        secrets: spec.destinations.iter().filter(|d| d.webhooks).count(),
    }
}
