//! A configuration in the shape of each example of the official
//! segmentio/segment provider (`tests/official_examples/`, our own text):
//! it validates, applies against a fresh local workspace and then plans
//! clean, so configurations written for that provider work unchanged.

mod support;

use std::collections::BTreeSet;
use std::time::Duration;

use segment_e2e::{within, TestWorkspace};
use support::plans::exit_code;
use support::terraform::TerraformDir;
use terraform_provider_segment::{data_sources, resources};

const MAIN: &str = include_str!("official_examples/main.tf");
const PENDING: &str = include_str!("official_examples/pending.tf");
const ENGAGE: &str = include_str!("official_examples/engage.tf");
const LIMIT: Duration = Duration::from_secs(30);

/// `kind "segment_x"` block types the configuration declares.
fn declared(kind: &str) -> BTreeSet<String> {
    let prefix = format!("{kind} \"");
    [MAIN, PENDING, ENGAGE]
        .iter()
        .flat_map(|text| text.lines())
        .filter_map(|line| line.strip_prefix(prefix.as_str()))
        .filter_map(|rest| rest.split('"').next())
        .map(str::to_string)
        .collect()
}

#[test]
fn the_examples_cover_every_resource_and_data_source() {
    let resources_declared = declared("resource");
    let data_declared = declared("data");
    let missing: Vec<&str> = resources::all()
        .iter()
        .map(|r| r.spec().type_name)
        .filter(|t| !resources_declared.contains(*t))
        .chain(
            data_sources::all()
                .iter()
                .map(|d| d.spec().type_name)
                .filter(|t| !data_declared.contains(*t)),
        )
        .collect();
    assert!(missing.is_empty(), "no example of {missing:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn official_example_shapes_apply_and_plan_clean() {
    let ws = within(LIMIT, "start workspace", TestWorkspace::start())
        .await
        .expect("workspace starts");
    let user = ws
        .add_user("ada@example.com", "Ada Lovelace")
        .await
        .expect("add user");
    let tf = TerraformDir::new()
        .env("PUBLIC_API_URL", ws.base_url())
        .env("PUBLIC_API_TOKEN", ws.owner_token())
        .env("TF_VAR_user_id", &user);
    tf.write("main.tf", MAIN);
    tf.terraform_ok(&["init", "-input=false"]);
    tf.terraform_ok(&["validate"]);

    let resource_blocks = MAIN
        .lines()
        .filter(|l| l.starts_with("resource \""))
        .count();
    tf.apply_adding(resource_blocks);
    let plan = tf.terraform(&["plan", "-detailed-exitcode", "-input=false"]);
    assert_eq!(
        exit_code(&plan),
        0,
        "not clean after apply\n{}",
        plan.output()
    );

    // The catalog details written in `metadata` are kept in state as
    // written (Terraform once dropped the ones our schema lacked)...
    let show = tf.terraform_ok(&["show", "-json"]);
    let state: serde_json::Value = serde_json::from_str(&show.stdout).expect("state as JSON");
    let metadata = state["values"]["root_module"]["resources"]
        .as_array()
        .expect("resources")
        .iter()
        .find(|r| r["address"] == "segment_destination.my_destination")
        .map(|r| r["values"]["metadata"].clone())
        .expect("the destination in state");
    assert_eq!(metadata["website"], "http://amplitude.com", "{metadata}");
    assert_eq!(metadata["actions"][0]["fields"][0]["field_key"], "user_id");
    assert_eq!(metadata["supported_methods"]["alias"], false);
    // ...and the workspace holds the destination's own fields only.
    let api = ws.owner();
    let destinations = api.list_destinations().await.expect("destinations");
    let amplitude = destinations
        .iter()
        .find(|d| d.name.as_deref() == Some("My Destination"))
        .expect("the destination");
    assert_eq!(amplitude.metadata.id, "54521fd525e721e32a72ee91");
    let filter = api
        .list_filters(&amplitude.id)
        .await
        .expect("filters")
        .pop()
        .expect("the filter");
    assert_eq!(
        (filter.actions[0].percent, filter.actions[0].path.as_deref()),
        (Some(0.05), None)
    );

    // Source insert functions and source schema settings: applied, planned
    // clean, then removed again.
    tf.write("pending.tf", PENDING);
    let apply = tf.terraform_ok(&["apply", "-auto-approve", "-input=false"]);
    assert!(
        apply.stdout.contains("3 added, 0 changed, 0 destroyed."),
        "{}",
        apply.output()
    );
    let plan = tf.terraform(&["plan", "-detailed-exitcode", "-input=false"]);
    assert_eq!(exit_code(&plan), 0, "{}", plan.output());
    std::fs::remove_file(tf.work.join("pending.tf")).expect("remove pending.tf");
    let apply = tf.terraform_ok(&["apply", "-auto-approve", "-input=false"]);
    assert!(
        apply.stdout.contains("0 added, 0 changed, 3 destroyed."),
        "{}",
        apply.output()
    );

    // Engage: the audience pull request's shape in a space made here.
    ws.make_space("Marketing", "marketing")
        .await
        .expect("a space");
    tf.write("engage.tf", ENGAGE);
    let apply = tf.terraform_ok(&["apply", "-auto-approve", "-input=false"]);
    assert!(
        apply.stdout.contains("2 added, 0 changed, 0 destroyed."),
        "{}",
        apply.output()
    );
    let plan = tf.terraform(&["plan", "-detailed-exitcode", "-input=false"]);
    assert_eq!(exit_code(&plan), 0, "{}", plan.output());
    std::fs::remove_file(tf.work.join("engage.tf")).expect("remove engage.tf");
    let apply = tf.terraform_ok(&["apply", "-auto-approve", "-input=false"]);
    assert!(
        apply.stdout.contains("0 added, 0 changed, 2 destroyed."),
        "{}",
        apply.output()
    );

    // A catalog detail edited beside `metadata.id` updates in place (it once
    // replaced the destination), and is kept as written.
    let edited = MAIN.replace("\"Product analytics\"", "\"Analytics for products\"");
    assert_ne!(edited, MAIN);
    tf.write("main.tf", &edited);
    let apply = tf.terraform_ok(&["apply", "-auto-approve", "-input=false"]);
    assert!(
        apply
            .stdout
            .contains("Resources: 0 added, 1 changed, 0 destroyed."),
        "{}",
        apply.output()
    );
    let plan = tf.terraform(&["plan", "-detailed-exitcode", "-input=false"]);
    assert_eq!(
        exit_code(&plan),
        0,
        "not clean after the edit\n{}",
        plan.output()
    );
    let after = api.list_destinations().await.expect("destinations");
    assert!(after.iter().any(|d| d.id == amplitude.id), "not replaced");
}
