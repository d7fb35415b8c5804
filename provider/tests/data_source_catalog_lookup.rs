//! The catalog data sources find an entry by `name` or `slug` as well as by
//! `id` (the official provider's issue #126), against a local workspace
//! with real Terraform; bad lookups fail with one error naming the argument.

mod support;

use std::time::Duration;

use segment_e2e::{within, TestWorkspace};
use serde_json::Value as Json;
use support::terraform::{provider_config, TerraformDir};

const LIMIT: Duration = Duration::from_secs(60);

const LOOKUPS: &str = r#"
data "segment_source_metadata" "by_slug" {
  slug = "javascript"
}

data "segment_source_metadata" "by_id" {
  id = "IqDTy1TpoU"
}

data "segment_destination_metadata" "by_name" {
  name = "Amplitude (Actions)"
}

data "segment_warehouse_metadata" "by_slug" {
  slug = "snowflake"
}

output "found" {
  value = {
    source_by_slug      = [data.segment_source_metadata.by_slug.id, data.segment_source_metadata.by_slug.name]
    source_by_id        = [data.segment_source_metadata.by_id.slug, data.segment_source_metadata.by_id.name]
    destination_by_name = [data.segment_destination_metadata.by_name.id, data.segment_destination_metadata.by_name.slug]
    warehouse_by_slug   = [data.segment_warehouse_metadata.by_slug.id, data.segment_warehouse_metadata.by_slug.name]
  }
}
"#;

#[tokio::test(flavor = "multi_thread")]
async fn catalog_entries_are_found_by_id_name_or_slug() {
    let ws = within(LIMIT, "start workspace", TestWorkspace::start())
        .await
        .expect("start workspace");
    let api = ws.owner();
    let javascript = api
        .get_source_metadata("IqDTy1TpoU")
        .await
        .expect("read javascript");
    let amplitude = api
        .list_destination_catalog()
        .await
        .expect("list destinations")
        .into_iter()
        .find(|d| d.name == "Amplitude (Actions)")
        .expect("Amplitude (Actions) in the catalog");
    let snowflake = api
        .list_warehouse_catalog()
        .await
        .expect("list warehouses")
        .into_iter()
        .find(|w| w.slug == "snowflake")
        .expect("snowflake in the catalog");

    let tf = TerraformDir::new().env("PUBLIC_API_TOKEN", ws.owner_token());
    tf.write(
        "main.tf",
        &format!("{}{LOOKUPS}", provider_config(ws.base_url())),
    );
    tf.terraform_ok(&["init", "-input=false"]);
    tf.terraform_ok(&["apply", "-auto-approve", "-input=false"]);
    let out = tf.terraform_ok(&["output", "-json", "found"]);
    let found: Json = serde_json::from_str(&out.stdout).expect("output JSON");
    let pair = |k: &str| -> (String, String) {
        let v = &found[k];
        (
            v[0].as_str().unwrap_or_default().to_string(),
            v[1].as_str().unwrap_or_default().to_string(),
        )
    };
    assert_eq!(
        pair("source_by_slug"),
        (javascript.id.clone(), javascript.name.clone())
    );
    // By id, as before: the entry's other attributes are read.
    assert_eq!(
        pair("source_by_id"),
        (javascript.slug.clone(), javascript.name.clone())
    );
    assert_eq!(
        pair("destination_by_name"),
        (amplitude.id.clone(), amplitude.slug.clone())
    );
    assert_eq!(
        pair("warehouse_by_slug"),
        (snowflake.id.clone(), snowflake.name.clone())
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_lookup_that_is_missing_ambiguous_or_unmatched_fails_naming_the_argument() {
    let ws = within(LIMIT, "start workspace", TestWorkspace::start())
        .await
        .expect("start workspace");
    let tf = TerraformDir::new().env("PUBLIC_API_TOKEN", ws.owner_token());
    tf.write("main.tf", &provider_config(ws.base_url()));
    tf.terraform_ok(&["init", "-input=false"]);
    let cases = [
        (
            "data \"segment_source_metadata\" \"s\" {}\n",
            "Set one of `id`, `name` or `slug`",
        ),
        (
            "data \"segment_source_metadata\" \"s\" {\n  id   = \"IqDTy1TpoU\"\n  slug = \"javascript\"\n}\n",
            "Set only one of `id`, `name` or `slug`",
        ),
        (
            "data \"segment_warehouse_metadata\" \"w\" {\n  name = \"snowflake\"\n}\n",
            "No Warehouse in the catalog has the name \"snowflake\"",
        ),
    ];
    for (hcl, expected) in cases {
        tf.write("lookup.tf", hcl);
        let plan = tf.terraform(&["plan", "-input=false"]);
        let output = plan.output();
        assert!(!plan.status.success(), "{hcl} planned:\n{output}");
        assert!(
            output.contains(expected),
            "{hcl}: expected {expected:?} in:\n{output}"
        );
        assert_eq!(
            output.matches("Error: ").count(),
            1,
            "{hcl}: one error expected:\n{output}"
        );
    }
}
