//! `examples/terraform` at the repository root, applied as a user would:
//! against a fresh workspace, with the URL, token and secrets from the
//! environment. It must apply, plan clean, and destroy without a trace.

mod support;

use std::collections::BTreeSet;
use std::path::PathBuf;

use segment_e2e::TestWorkspace;
use support::terraform::TerraformDir;
use terraform_provider_segment::resources;

fn example_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../examples/terraform")
}

/// The `.tf` files of the example, by name.
fn example_files() -> Vec<(String, String)> {
    let mut files: Vec<(String, String)> = std::fs::read_dir(example_dir())
        .expect("examples/terraform exists")
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "tf"))
        .map(|p| {
            let name = p
                .file_name()
                .expect("a file name")
                .to_string_lossy()
                .into_owned();
            let text = std::fs::read_to_string(&p).expect("read example file");
            (name, text)
        })
        .collect();
    files.sort();
    files
}

/// Resource types the example declares: `resource "segment_x" "name"`.
fn declared_types(files: &[(String, String)]) -> BTreeSet<String> {
    files
        .iter()
        .flat_map(|(_, text)| text.lines())
        .filter_map(|line| line.trim().strip_prefix("resource \""))
        .filter_map(|rest| rest.split('"').next())
        .map(str::to_string)
        .collect()
}

#[test]
fn the_example_uses_every_resource_type() {
    let declared = declared_types(&example_files());
    let missing: Vec<&str> = resources::all()
        .iter()
        .map(|r| r.spec().type_name)
        .filter(|t| !declared.contains(*t))
        .collect();
    assert!(
        missing.is_empty(),
        "examples/terraform/main.tf has no resource of type {missing:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_example_applies_plans_clean_and_destroys() {
    let ws = TestWorkspace::start().await.expect("start workspace");
    // The space the Engage part names (made in the app upstream).
    let space = ws.make_space("Marketing", "marketing").await;
    space.expect("a space");
    let tf = TerraformDir::new()
        .env("PUBLIC_API_URL", ws.base_url())
        .env("PUBLIC_API_TOKEN", ws.owner_token())
        .env("TF_VAR_stripe_api_key", "sk_test_4eC39HqLyjWDarjtT1zdp7dc")
        .env("TF_VAR_database_password", "correct-horse-battery-staple")
        .env("TF_VAR_enrichment_api_key", "enrich-key-1");
    let files = example_files();
    let resource_blocks = files
        .iter()
        .flat_map(|(_, text)| text.lines())
        .filter(|line| line.starts_with("resource \""))
        .count();
    for (name, text) in &files {
        tf.write(name, text);
    }
    tf.terraform_ok(&["init", "-input=false"]);
    let apply = tf.apply_adding(resource_blocks);
    // Secrets never reach the output.
    for secret in ["sk_test_4eC39", "correct-horse", "enrich-key-1"] {
        assert!(!apply.stdout.contains(secret), "{}", apply.output());
    }

    let api = ws.owner();
    let sources = api.list_sources().await.expect("sources");
    let slugs: BTreeSet<&str> = sources.iter().map(|s| s.slug.as_str()).collect();
    assert_eq!(
        slugs,
        BTreeSet::from(["demo_postgres", "demo_stripe", "demo_website"])
    );
    assert_eq!(
        api.list_destinations().await.expect("destinations").len(),
        1
    );
    assert_eq!(api.list_warehouses().await.expect("warehouses").len(), 1);

    let plan = tf.terraform(&["plan", "-detailed-exitcode", "-input=false"]);
    assert_eq!(
        plan.status.code(),
        Some(0),
        "the example does not plan clean after apply\n{}",
        plan.output()
    );

    tf.terraform_ok(&["destroy", "-auto-approve", "-input=false"]);
    assert!(api.list_sources().await.expect("sources").is_empty());
    assert!(api
        .list_destinations()
        .await
        .expect("destinations")
        .is_empty());
    assert!(api.list_warehouses().await.expect("warehouses").is_empty());
    assert!(api
        .list_tracking_plans()
        .await
        .expect("tracking plans")
        .is_empty());
    assert!(api
        .list_user_groups()
        .await
        .expect("user groups")
        .is_empty());
    let labels = api.list_labels().await.expect("labels");
    assert!(labels.iter().all(|l| l.key != "managed-by"), "{labels:?}");
}
