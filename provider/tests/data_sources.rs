//! Every data source, read by real Terraform in one run against a workspace
//! seeded through the API client, checked against what the API says.

mod support;

use segment_api::models::{CreateTrackingPlan, Label, RuleInput, UpdateSource};
use segment_e2e::{fixtures, TestWorkspace};
use serde_json::{json, Value as Json};
use support::terraform::{provider_config, TerraformDir};

/// The ids the configuration reads.
struct Seeded {
    source: String,
    destination: String,
    warehouse: String,
    tracking_plan: String,
    role: String,
    user: String,
}

async fn seed(ws: &TestWorkspace) -> Seeded {
    let api = ws.owner();
    let label = Label {
        key: "env".into(),
        value: "prod".into(),
        description: None,
    };
    api.create_label(&label).await.expect("create label");
    let source = api
        .create_source(&fixtures::stripe_source("stripe-prod", "sk_live_1"))
        .await
        .expect("create source");
    let named = UpdateSource {
        name: Some("Stripe (prod)".into()),
        ..Default::default()
    };
    api.update_source(&source.id, &named)
        .await
        .expect("name source");
    api.replace_source_labels(&source.id, &[label])
        .await
        .expect("label source");
    let destination = api
        .create_destination(&fixtures::amplitude_actions_destination(&source.id))
        .await
        .expect("create destination");
    let warehouse = api
        .create_warehouse(&fixtures::postgres_warehouse("Analytics"))
        .await
        .expect("create warehouse");
    let plan = api
        .create_tracking_plan(&CreateTrackingPlan {
            name: "Checkout".into(),
            description: Some("Checkout events".into()),
            kind: "LIVE".into(),
        })
        .await
        .expect("create tracking plan");
    let rule = RuleInput {
        kind: "TRACK".into(),
        key: Some("Order Completed".into()),
        json_schema: json!({"properties": {"properties": {"type": "object"}}}),
        version: 1,
    };
    api.replace_rules(&plan.id, &[rule])
        .await
        .expect("add rules");
    let roles = api.list_roles().await.expect("list roles");
    let role = roles.first().expect("the workspace has roles").id.clone();
    let user = ws
        .add_user("ada@example.com", "Ada Lovelace")
        .await
        .expect("add user");
    Seeded {
        source: source.id,
        destination: destination.id,
        warehouse: warehouse.id,
        tracking_plan: plan.id,
        role,
        user,
    }
}

fn config(url: &str, s: &Seeded) -> String {
    let reads = [
        ("segment_workspace", None),
        ("segment_source", Some(s.source.as_str())),
        ("segment_source_metadata", Some(fixtures::STRIPE_SOURCE)),
        ("segment_destination", Some(s.destination.as_str())),
        (
            "segment_destination_metadata",
            Some(fixtures::AMPLITUDE_ACTIONS_DESTINATION),
        ),
        ("segment_warehouse", Some(s.warehouse.as_str())),
        (
            "segment_warehouse_metadata",
            Some(fixtures::POSTGRES_WAREHOUSE),
        ),
        ("segment_tracking_plan", Some(s.tracking_plan.as_str())),
        ("segment_role", Some(s.role.as_str())),
        ("segment_user", Some(s.user.as_str())),
    ];
    let mut hcl = provider_config(url);
    for (ty, id) in reads {
        let name = ty.trim_start_matches("segment_");
        let args = id
            .map(|id| format!("  id = \"{id}\"\n"))
            .unwrap_or_default();
        hcl.push_str(&format!(
            "data \"{ty}\" \"x\" {{\n{args}}}\n\noutput \"{name}\" {{\n  value = data.{ty}.x\n}}\n\n"
        ));
    }
    hcl
}

/// Parses a JSON-text attribute.
fn parsed(v: &Json) -> Json {
    serde_json::from_str(v.as_str().expect("a JSON string")).expect("valid JSON")
}

#[tokio::test(flavor = "multi_thread")]
async fn every_data_source_reads_what_the_api_holds() {
    let ws = TestWorkspace::start().await.expect("start workspace");
    let seeded = seed(&ws).await;
    let api = ws.owner();

    let tf = TerraformDir::new().env("PUBLIC_API_TOKEN", ws.owner_token());
    tf.write("main.tf", &config(ws.base_url(), &seeded));
    tf.terraform_ok(&["init", "-input=false"]);
    tf.terraform_ok(&["apply", "-auto-approve", "-input=false"]);
    let out = tf.terraform_ok(&["output", "-json"]);
    let outputs: Json = serde_json::from_str(&out.stdout).expect("outputs JSON");
    let read = |name: &str| outputs[name]["value"].clone();

    let workspace = api.get_workspace().await.expect("workspace");
    assert_eq!(
        read("workspace"),
        json!({"id": workspace.id, "name": workspace.name, "slug": workspace.slug})
    );

    let source = api.get_source(&seeded.source).await.expect("source");
    // The catalog entry in full: the source's own answer only names it.
    let source_entry = api
        .get_source_metadata(&source.metadata.id)
        .await
        .expect("source catalog entry");
    let s = read("source");
    assert_eq!(s["id"], json!(source.id));
    assert_eq!(s["slug"], json!("stripe-prod"));
    assert_eq!(s["name"], json!("Stripe (prod)"));
    assert_eq!(s["enabled"], json!(true));
    assert_eq!(s["workspace_id"], json!(workspace.id));
    assert_eq!(s["write_keys"], json!(source.write_keys));
    assert_eq!(s["labels"], json!([{"key": "env", "value": "prod"}]));
    assert_eq!(s["metadata"]["id"], json!(fixtures::STRIPE_SOURCE));
    assert_eq!(s["metadata"]["name"], json!(source.metadata.name));
    assert_eq!(
        s["metadata"]["logos"]["default"],
        json!(source_entry.logos.default)
    );
    assert_eq!(
        s["metadata"]["options"].as_array().map(Vec::len),
        Some(source_entry.options.len())
    );
    // The secret reads back masked, as the API gives it.
    let settings = parsed(&s["settings"]);
    assert!(
        settings["apiKey"].as_str().is_some_and(|k| k.contains('•')),
        "{settings}"
    );
    // The workspace serves schema settings: a source never changed reads
    // as the defaults, which let everything through.
    assert_eq!(
        s["schema_settings"]["track"]["common_event_on_violations"],
        json!("ALLOW")
    );
    assert_eq!(
        s["schema_settings"]["identify"]["allow_unplanned_traits"],
        json!(true)
    );

    let sm = read("source_metadata");
    assert_eq!(sm["id"], json!(fixtures::STRIPE_SOURCE));
    assert_eq!(sm["slug"], json!(source_entry.slug));
    assert_eq!(sm["categories"], json!(source_entry.categories));
    assert_eq!(
        sm["is_cloud_event_source"],
        json!(source_entry.is_cloud_event_source)
    );
    let api_key = source_entry.options.iter().find(|o| o.name == "apiKey");
    let tf_key = sm["options"]
        .as_array()
        .and_then(|o| o.iter().find(|o| o["name"] == "apiKey"))
        .expect("apiKey option");
    assert_eq!(tf_key["type"], json!(api_key.map(|o| o.kind.as_str())));
    assert_eq!(tf_key["required"], json!(true));

    let destination = api
        .get_destination(&seeded.destination)
        .await
        .expect("destination");
    let catalog = api
        .get_destination_metadata(&destination.metadata.id)
        .await
        .expect("destination catalog entry");
    let d = read("destination");
    assert_eq!(d["source_id"], json!(source.id));
    assert_eq!(d["name"], json!("Amplitude Actions"));
    assert_eq!(d["enabled"], json!(true));
    assert!(parsed(&d["settings"])["secretKey"]
        .as_str()
        .is_some_and(|k| k.contains('•')));
    for details in [&d["metadata"], &read("destination_metadata")] {
        assert_eq!(
            details["id"],
            json!(fixtures::AMPLITUDE_ACTIONS_DESTINATION)
        );
        assert_eq!(details["name"], json!(catalog.name));
        assert_eq!(details["status"], catalog.extra["status"]);
        assert_eq!(details["website"], catalog.extra["website"]);
        assert_eq!(details["previous_names"], catalog.extra["previousNames"]);
        assert_eq!(
            details["supported_methods"]["track"],
            catalog.extra["supportedMethods"]["track"]
        );
        assert_eq!(
            details["supported_features"]["cloud_mode_instances"],
            catalog.extra["supportedFeatures"]["cloudModeInstances"]
        );
        let actions = details["actions"].as_array().expect("actions");
        assert_eq!(actions.len(), catalog.actions.len());
        let (tf_action, api_action) = (&actions[0], &catalog.actions[0]);
        assert_eq!(tf_action["id"], json!(api_action.id));
        assert_eq!(
            tf_action["default_trigger"],
            json!(api_action.default_trigger)
        );
        let tf_field = &tf_action["fields"][0];
        let api_field = &api_action.fields[0];
        assert_eq!(tf_field["field_key"], api_field["fieldKey"]);
        assert_eq!(tf_field["allow_null"], api_field["allowNull"]);
        assert_eq!(tf_field["sort_order"], api_field["sortOrder"]);
        assert_eq!(
            parsed(&tf_field["default_value"]),
            api_field["defaultValue"]
        );
        // Presets carry their field mappings as JSON text.
        let preset = &details["presets"][0];
        assert_eq!(preset["action_id"], catalog.extra["presets"][0]["actionId"]);
        assert_eq!(
            parsed(&preset["fields"]),
            catalog.extra["presets"][0]["fields"]
        );
    }

    let warehouse = api
        .get_warehouse(&seeded.warehouse)
        .await
        .expect("warehouse");
    let w = read("warehouse");
    assert_eq!(w["name"], json!("Analytics"));
    assert_eq!(w["enabled"], json!(true));
    assert_eq!(w["workspace_id"], json!(warehouse.workspace_id));
    assert_eq!(w["metadata"]["id"], json!(fixtures::POSTGRES_WAREHOUSE));
    assert_eq!(w["metadata"]["name"], json!(warehouse.metadata.name));
    let settings = parsed(&w["settings"]);
    assert_eq!(settings["hostname"], json!("pg.internal"));
    assert_eq!(settings["port"], json!(5432));
    assert!(settings.get("password").is_none(), "{settings}");
    let wm = read("warehouse_metadata");
    assert_eq!(wm["slug"], json!(warehouse.metadata.slug));
    let warehouse_entry = api
        .get_warehouse_metadata(&warehouse.metadata.id)
        .await
        .expect("warehouse catalog entry");
    assert_eq!(
        wm["options"].as_array().map(Vec::len),
        Some(warehouse_entry.options.len())
    );

    let plan = api
        .get_tracking_plan(&seeded.tracking_plan)
        .await
        .expect("plan");
    let t = read("tracking_plan");
    assert_eq!(t["name"], json!("Checkout"));
    assert_eq!(t["description"], json!("Checkout events"));
    assert_eq!(t["type"], json!("LIVE"));
    assert_eq!(t["slug"], json!(plan.slug));
    assert_eq!(t["created_at"], json!(plan.created_at));
    let rules = t["rules"].as_array().expect("rules");
    assert_eq!(rules.len(), 1);
    assert_eq!(rules[0]["key"], json!("Order Completed"));
    assert_eq!(rules[0]["type"], json!("TRACK"));
    assert_eq!(rules[0]["version"], json!(1));
    assert_eq!(
        parsed(&rules[0]["json_schema"]),
        json!({"properties": {"properties": {"type": "object"}}})
    );

    let roles = api.list_roles().await.expect("roles");
    let role = roles.iter().find(|r| r.id == seeded.role).expect("role");
    assert_eq!(
        read("role"),
        json!({"id": role.id, "name": role.name, "description": role.description})
    );

    let u = read("user");
    assert_eq!(u["email"], json!("ada@example.com"));
    assert_eq!(u["name"], json!("Ada Lovelace"));
    let permission = &u["permissions"][0];
    let user = api.get_user(&seeded.user).await.expect("user");
    assert_eq!(permission["role_id"], json!(user.permissions[0].role_id));
    let resource = &permission["resources"][0];
    assert_eq!(resource["id"], json!(workspace.id));
    assert_eq!(resource["type"], json!("WORKSPACE"));

    // An id the workspace does not hold: a diagnostic naming the data
    // source, not a crash or an empty object.
    tf.write(
        "main.tf",
        &format!(
            "{}data \"segment_source\" \"gone\" {{\n  id = \"no-such-source\"\n}}\n\
             data \"segment_role\" \"gone\" {{\n  id = \"no-such-role\"\n}}\n",
            provider_config(ws.base_url())
        ),
    );
    let failed = tf.terraform(&["plan", "-input=false"]);
    assert!(!failed.status.success(), "{}", failed.output());
    assert!(
        failed.stderr.contains("Cannot read segment_source"),
        "{}",
        failed.output()
    );
    assert!(
        failed.stderr.contains("no role with id \"no-such-role\""),
        "{}",
        failed.output()
    );
}
