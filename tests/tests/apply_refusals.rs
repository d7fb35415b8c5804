//! What the real API serves and the workspace used to refuse (issue 10,
//! point 6): source schema settings and source insert functions.

use reqwest::Method;
use segment_api::models::{CreateFunction, CreateInsertFunctionInstance, UpdateSource};
use segment_e2e::fixtures::{self, settings};
use segment_e2e::{assert_client_error, assert_error, TestWorkspace};
use serde_json::json;

// `schema_settings` of a tracking plan connection failed at apply: the
// workspace had no /sources/{id}/settings.
#[tokio::test]
async fn source_schema_settings_read_patch_and_refuse() {
    let ws = TestWorkspace::start().await.unwrap();
    let c = ws.owner();
    let missing = ws.get_raw("sources/nope/settings").await;
    assert_error(&missing, 404, None);

    let web = c
        .create_source(&fixtures::javascript_source("web"))
        .await
        .unwrap();
    let path = format!("sources/{}/settings", web.id);
    // Never patched: the defaults, which let everything through.
    let fresh = ws.get_raw(&path).await;
    let data = fresh.data();
    assert_eq!(data["sourceId"], web.id.as_str());
    assert_eq!(data["settings"]["track"]["allowUnplannedEvents"], true);
    assert_eq!(
        data["settings"]["group"]["commonEventOnViolations"],
        "ALLOW"
    );

    // A PATCH changes what it carries; null keeps the stored value.
    let patch = json!({
        "track": { "allowUnplannedEvents": false, "commonEventOnViolations": "BLOCK" },
        "forwardingViolationsTo": web.id,
    });
    let patched = ws.send_raw(Method::PATCH, &path, patch.to_string()).await;
    assert_eq!(
        patched.data()["settings"]["track"]["allowUnplannedEvents"],
        false
    );
    let keep =
        json!({ "track": { "commonEventOnViolations": null, "allowEventOnViolations": false } });
    let kept = ws.send_raw(Method::PATCH, &path, keep.to_string()).await;
    let track = &kept.data()["settings"]["track"];
    assert_eq!(track["commonEventOnViolations"], "BLOCK");
    assert_eq!(track["allowEventOnViolations"], false);
    assert_eq!(track["allowUnplannedEvents"], false);
    assert_eq!(
        kept.data()["settings"]["forwardingViolationsTo"],
        web.id.as_str()
    );

    // An action of another call is refused, naming it, and changes nothing.
    let bad = json!({ "track": { "commonEventOnViolations": "OMIT_TRAITS" } });
    let refused = ws.send_raw(Method::PATCH, &path, bad.to_string()).await;
    assert_error(&refused, 422, Some("track.commonEventOnViolations"));
    let after = ws.get_raw(&path).await;
    assert_eq!(
        after.data()["settings"]["track"]["commonEventOnViolations"],
        "BLOCK"
    );

    // They live on their own path: the source's answers do not carry them,
    // and a source update keeps them.
    let shown = ws.get_raw(&format!("sources/{}", web.id)).await;
    assert!(!shown.text.contains("schemaSettings"), "{}", shown.text);
    let listed = ws.get_raw("sources?pagination.count=10").await;
    assert!(!listed.text.contains("schemaSettings"), "{}", listed.text);
    let rename = UpdateSource {
        name: Some("Web".into()),
        ..Default::default()
    };
    c.update_source(&web.id, &rename).await.unwrap();
    let after = ws.get_raw(&path).await;
    assert_eq!(
        after.data()["settings"]["track"]["allowUnplannedEvents"],
        false
    );

    c.delete_source(&web.id).await.unwrap();
    assert_error(&ws.get_raw(&path).await, 404, None);
}

// Source insert functions were refused on create; their instances attach to
// sources, as destination insert functions' attach to destinations.
#[tokio::test]
async fn insert_source_functions_attach_to_sources() {
    let ws = TestWorkspace::start().await.unwrap();
    let c = ws.owner();
    let web = c
        .create_source(&fixtures::javascript_source("web"))
        .await
        .unwrap();
    let amplitude = c
        .create_destination(&fixtures::amplitude_destination(&web.id))
        .await
        .unwrap();
    let f = c
        .create_function(&CreateFunction {
            code: "async function onTrack(event) { return event }".into(),
            settings: None,
            display_name: "Scrub".into(),
            logo_url: None,
            resource_type: "INSERT_SOURCE".into(),
            description: None,
        })
        .await
        .unwrap();
    assert_eq!(f.resource_type, "INSERT_SOURCE");
    assert_eq!(f.preview_webhook_url, None);
    let listed = c.list_functions("INSERT_SOURCE").await.unwrap();
    assert_eq!(listed.len(), 1);

    let instance = |integration_id: &str| CreateInsertFunctionInstance {
        function_id: f.id.clone(),
        integration_id: integration_id.into(),
        enabled: Some(true),
        name: "Scrub web".into(),
        settings: settings(json!({})),
    };
    assert_client_error(
        c.create_insert_function_instance(&instance(&amplitude.id))
            .await,
        404,
        Some("integrationId"),
    );
    let made = c
        .create_insert_function_instance(&instance(&web.id))
        .await
        .unwrap();
    assert_eq!(made.integration_id, web.id);
    // Deleting the source takes its instances with it.
    c.delete_source(&web.id).await.unwrap();
    assert_client_error(c.get_insert_function_instance(&made.id).await, 404, None);
}
