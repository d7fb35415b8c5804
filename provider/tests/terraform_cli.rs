//! Real Terraform against the real binary: install from a filesystem
//! mirror, start it over AutoMTLS, read its schema, plan.

mod support;

use serde_json::Value as Json;
use support::terraform::{provider_address, provider_config, TerraformDir};

#[test]
fn terraform_init_plan_and_schema_use_the_provider() {
    let tf = TerraformDir::new();
    tf.write("main.tf", &provider_config("http://127.0.0.1:1"));

    let init = tf.terraform_ok(&["init", "-input=false"]);
    assert!(
        init.stdout.contains("segment-gitops/segment v0.1.0"),
        "init did not install our provider\n{}",
        init.output()
    );
    tf.terraform_ok(&["plan", "-input=false"]);

    // The schema Terraform shows can only have come from our process.
    let schema = tf.terraform_ok(&["providers", "schema", "-json"]);
    let json: Json = serde_json::from_str(&schema.stdout).expect("schema JSON");
    let attrs = &json["provider_schemas"][provider_address()]["provider"]["block"]["attributes"];
    assert_eq!(attrs["token"]["type"], "string", "{json}");
    assert_eq!(attrs["token"]["sensitive"], true, "{json}");
    assert_eq!(attrs["token"]["optional"], true, "{json}");
    assert_eq!(attrs["url"]["type"], "string", "{json}");
    assert_eq!(attrs["url"]["optional"], true, "{json}");
    assert!(attrs["url"].get("sensitive").is_none(), "{json}");
    for name in ["url", "token"] {
        let description = attrs[name]["description"].as_str().unwrap_or_default();
        assert!(!description.is_empty(), "{name} has no description");
    }
}

/// Regression: without GRPCController.Shutdown, Terraform waits 2 s for
/// every provider process and then kills it ("plugin failed to exit
/// gracefully"), making each command seconds slower.
#[test]
fn terraform_sees_the_provider_exit_gracefully() {
    let tf = TerraformDir::new().env("TF_LOG", "DEBUG");
    tf.write("main.tf", &provider_config("http://127.0.0.1:1"));
    tf.terraform_ok(&["init", "-input=false"]);
    let plan = tf.terraform_ok(&["plan", "-input=false"]);
    assert!(
        plan.stderr.contains("plugin exited"),
        "provider never exited\n{}",
        plan.stderr
    );
    assert!(
        !plan.stderr.contains("failed to exit gracefully"),
        "Terraform had to kill the provider\n{}",
        plan.stderr
    );
    // Our hclog lines arrive with their level and module.
    assert!(
        plan.stderr.contains("shutdown requested by Terraform"),
        "provider logs missing from Terraform's log\n{}",
        plan.stderr
    );
}
