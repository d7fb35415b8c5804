//! `terraform plan -generate-config-out`: objects made in the workspace (not
//! by Terraform) are imported with `import` blocks alone, Terraform writes
//! their configuration, and that configuration then plans with no change,
//! masked secrets included.

mod support;

use std::time::Duration;

use segment_api::models::{CreateDestinationFilter, FilterAction, Label, UpdateSource};
use segment_e2e::fixtures;
use segment_e2e::{within, TestWorkspace};
use support::plans::exit_code;
use support::terraform::{provider_config, TerraformDir};

const LIMIT: Duration = Duration::from_secs(30);

/// The mask the workspace puts in place of a secret on read.
const MASK: &str = "••••••••";

/// The summary line of a plan that imports `n` objects and changes nothing.
fn imports_only(n: usize) -> String {
    format!("Plan: {n} to import, 0 to add, 0 to change, 0 to destroy.")
}

#[tokio::test(flavor = "multi_thread")]
async fn generated_config_plans_clean() {
    let ws = within(LIMIT, "start workspace", TestWorkspace::start())
        .await
        .expect("workspace starts");
    let api = ws.owner();

    // Objects made outside Terraform: a Stripe source with a secret, a
    // plain setting, a name and a label; an Amplitude destination with a
    // secret (`apiKey`, a catalog `password` option) and a boolean; a
    // filter on that destination, referring to both by id.
    let label = Label {
        key: "env".into(),
        value: "prod".into(),
        description: None,
    };
    api.create_label(&label).await.expect("label");
    let mut stripe = fixtures::stripe_source("shop", "sk_live_secret");
    if let Some(settings) = stripe.settings.as_mut() {
        settings.insert("includeTestData".into(), true.into());
    }
    let source = api.create_source(&stripe).await.expect("source");
    let rename = UpdateSource {
        name: Some("Shop".into()),
        ..Default::default()
    };
    api.update_source(&source.id, &rename).await.expect("name");
    api.replace_source_labels(&source.id, std::slice::from_ref(&label))
        .await
        .expect("labels");
    let destination = api
        .create_destination(&fixtures::amplitude_destination(&source.id))
        .await
        .expect("destination");
    let filter = api
        .create_filter(
            &destination.id,
            &CreateDestinationFilter {
                source_id: source.id.clone(),
                condition: "event = \"Order Completed\"".into(),
                actions: vec![
                    FilterAction {
                        kind: "DROP_PROPERTIES".into(),
                        fields: Some(fixtures::settings(
                            serde_json::json!({"properties": {"fields": ["email"]}}),
                        )),
                        percent: None,
                        path: None,
                    },
                    FilterAction {
                        kind: "SAMPLE".into(),
                        fields: None,
                        percent: Some(0.1),
                        path: Some("userId".into()),
                    },
                ],
                title: "Trim".into(),
                description: Some("Keeps emails out".into()),
                enabled: true,
            },
        )
        .await
        .expect("filter");
    let read_back = api.get_destination(&destination.id).await.expect("read");
    assert_eq!(
        read_back.settings["apiKey"], MASK,
        "the workspace masks the destination's secret"
    );

    // Import blocks only: no resource blocks.
    let tf = TerraformDir::new().env("PUBLIC_API_TOKEN", ws.owner_token());
    let imports = [
        ("segment_source.shop", source.id.clone()),
        ("segment_destination.amplitude", destination.id.clone()),
        (
            "segment_destination_filter.trim",
            format!("{}:{}", destination.id, filter.id),
        ),
    ];
    let mut main = provider_config(ws.base_url());
    for (to, id) in &imports {
        main.push_str(&format!("\nimport {{\n  to = {to}\n  id = \"{id}\"\n}}\n"));
    }
    tf.write("main.tf", &main);
    tf.terraform_ok(&["init", "-input=false"]);

    // Terraform writes the configuration and plans the imports with it.
    let generate = tf.terraform_ok(&["plan", "-input=false", "-generate-config-out=generated.tf"]);
    let generated = std::fs::read_to_string(tf.work.join("generated.tf"))
        .unwrap_or_else(|e| panic!("generated.tf was not written ({e})\n{}", generate.output()));
    assert!(
        generate.stdout.contains(&imports_only(3)),
        "{}\n--- generated.tf ---\n{generated}",
        generate.output()
    );
    for (to, _) in &imports {
        let (kind, name) = to.split_once('.').expect("an address");
        assert!(
            generated.contains(&format!("resource \"{kind}\" \"{name}\" {{")),
            "{to} missing from generated.tf:\n{generated}"
        );
    }
    // Settings are sensitive: Terraform writes them as null, and neither
    // the secret nor its mask reaches the file.
    assert_eq!(
        generated.matches("settings  = null # sensitive").count()
            + generated.matches("settings = null # sensitive").count(),
        2,
        "{generated}"
    );
    for leak in ["sk_live_secret", "amp-key-1", MASK] {
        assert!(!generated.contains(leak), "{leak} in:\n{generated}");
    }
    assert!(generated.contains(&format!("source_id      = \"{}\"", source.id)));

    // The generated configuration plans the imports and nothing else. With
    // `-detailed-exitcode` Terraform 1.11 counts a pending import as a
    // change (exit 2), so the summary line is what says "no change".
    let plan = tf.terraform(&["plan", "-detailed-exitcode", "-input=false"]);
    assert_eq!(exit_code(&plan), 2, "{}", plan.output());
    assert!(
        plan.stdout.contains(&imports_only(3)),
        "generated configuration does not plan clean:\n{}\n--- generated.tf ---\n{generated}",
        plan.output()
    );
    assert!(
        !plan.stdout.contains("will be updated"),
        "{}",
        plan.output()
    );
    assert!(
        !plan.stdout.contains("must be replaced"),
        "{}",
        plan.output()
    );

    // Imported, the same configuration plans no change at all (exit 0), and
    // the import wrote nothing to the workspace.
    let apply = tf.terraform_ok(&["apply", "-auto-approve", "-input=false"]);
    assert!(
        apply
            .stdout
            .contains("Apply complete! Resources: 3 imported, 0 added, 0 changed, 0 destroyed."),
        "{}",
        apply.output()
    );
    let plan = tf.terraform(&["plan", "-detailed-exitcode", "-input=false"]);
    assert_eq!(exit_code(&plan), 0, "{}", plan.output());
    let after = api.get_source(&source.id).await.expect("source");
    assert_eq!(after.settings["includeTestData"], true);
    assert_eq!(after.settings["apiKey"], MASK);
    assert_eq!(after.labels.len(), 1, "{:?}", after.labels);

    // Filled in with what the workspace shows, masked secrets included, the
    // settings still plan no change: a mask matches the secret it hides.
    let filled = generated
        .replace(
            "settings = null # sensitive\n  slug",
            &format!(
                "settings = jsonencode({{ apiKey = \"{MASK}\", includeTestData = true }})\n  slug"
            ),
        )
        .replace(
            "settings  = null # sensitive",
            &format!("settings  = jsonencode({{ apiKey = \"{MASK}\", trackAllPages = true }})"),
        );
    assert_eq!(filled.matches(MASK).count(), 2, "{filled}");
    tf.write("generated.tf", &filled);
    let plan = tf.terraform(&["plan", "-detailed-exitcode", "-input=false"]);
    assert_eq!(
        exit_code(&plan),
        0,
        "masked settings must plan clean:\n{}",
        plan.output()
    );
}
