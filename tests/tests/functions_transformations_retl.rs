//! Functions, insert function instances, transformations and Reverse ETL
//! models.

use segment_api::models::{
    AuditQuery, CreateDestinationSubscription, CreateFunction, CreateInsertFunctionInstance,
    CreateReverseEtlModel, CreateTransformation, FunctionSetting, PropertyRename, UpdateFunction,
    UpdateInsertFunctionInstance, UpdateReverseEtlModel, UpdateTransformation,
};
use segment_api::Client;
use segment_e2e::fixtures::{self, settings};
use segment_e2e::{assert_client_error, assert_error, TestWorkspace};
use serde_json::json;

const MASK: &str = "••••••••";

fn setting(name: &str, kind: &str, required: bool, sensitive: bool) -> FunctionSetting {
    FunctionSetting {
        name: name.into(),
        label: name.to_uppercase(),
        description: format!("the {name}"),
        kind: kind.into(),
        required,
        sensitive,
    }
}

fn function(resource_type: &str, name: &str) -> CreateFunction {
    CreateFunction {
        code: "async function onTrack(event) { return event }".into(),
        settings: Some(vec![
            setting("apiKey", "STRING", true, true),
            setting("verbose", "BOOLEAN", false, false),
        ]),
        display_name: name.into(),
        logo_url: Some("https://example.com/logo.png".into()),
        resource_type: resource_type.into(),
        description: Some("Enriches events".into()),
    }
}

async fn kinds_of(c: &Client, resource_type: &str) -> Vec<String> {
    let q = AuditQuery {
        resource_type: Some(resource_type.into()),
        ..Default::default()
    };
    c.list_audit_events(&q)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.kind)
        .collect()
}

#[tokio::test]
async fn function_lifecycle() {
    let ws = TestWorkspace::start().await.unwrap();
    let c = ws.owner();
    let workspace = c.get_workspace().await.unwrap();
    let f = c
        .create_function(&function("SOURCE", "Enricher"))
        .await
        .unwrap();
    assert_eq!(f.id.len(), 22);
    assert_eq!(f.workspace_id, workspace.id);
    assert_eq!(f.display_name, "Enricher");
    assert_eq!(f.resource_type, "SOURCE");
    assert_eq!(f.code, "async function onTrack(event) { return event }");
    assert_eq!(f.description.as_deref(), Some("Enriches events"));
    assert_eq!(f.logo_url.as_deref(), Some("https://example.com/logo.png"));
    assert_eq!(f.settings, function("SOURCE", "x").settings.unwrap());
    assert!(f.preview_webhook_url.is_some(), "source functions have one");
    assert!(f.is_latest_version);
    assert!(!f.created_at.is_empty() && !f.created_by.is_empty());
    assert_eq!(c.get_function(&f.id).await.unwrap(), f);
    let d = c
        .create_function(&function("DESTINATION", "Sender"))
        .await
        .unwrap();
    assert_eq!(d.preview_webhook_url, None);

    // Lists are per resource type, without code or settings.
    let listed = c.list_functions("SOURCE").await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(
        (
            listed[0].id.as_str(),
            listed[0].display_name.as_str(),
            listed[0].resource_type.as_str()
        ),
        (f.id.as_str(), "Enricher", "SOURCE")
    );
    let raw = ws.get_raw("functions?resourceType=SOURCE").await;
    assert!(raw.data()["functions"][0].get("code").is_none());
    assert_eq!(c.list_functions("DESTINATION").await.unwrap()[0].id, d.id);
    assert!(c
        .list_functions("INSERT_DESTINATION")
        .await
        .unwrap()
        .is_empty());
    assert_error(&ws.get_raw("functions").await, 400, Some("resourceType"));
    assert_error(
        &ws.get_raw("functions?resourceType=NOPE").await,
        400,
        Some("resourceType"),
    );

    let u = c
        .update_function(
            &f.id,
            &UpdateFunction {
                code: Some("async function onTrack(e) { return null }".into()),
                settings: Some(vec![setting("token", "STRING", false, true)]),
                display_name: Some("Enricher v2".into()),
                description: Some("Drops events".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(u.display_name, "Enricher v2");
    assert_eq!(u.code, "async function onTrack(e) { return null }");
    assert_eq!(u.settings, vec![setting("token", "STRING", false, true)]);
    assert_eq!(u.description.as_deref(), Some("Drops events"));
    assert_eq!(u.logo_url, f.logo_url, "absent fields stay");
    assert_eq!(u.created_at, f.created_at);
    assert_eq!(c.get_function(&f.id).await.unwrap(), u);

    let before = ws.snapshot().await;
    let audit = c.list_audit_events(&Default::default()).await.unwrap();
    let bad = |f: fn(&mut CreateFunction)| {
        let mut input = function("SOURCE", "Bad");
        f(&mut input);
        input
    };
    for (input, field) in [
        (bad(|f| f.resource_type = "source".into()), "resourceType"),
        (bad(|f| f.code = " ".into()), "code"),
        (bad(|f| f.display_name = String::new()), "displayName"),
        (
            bad(|f| f.settings = Some(vec![setting("a", "NUMBER", false, false)])),
            "settings[0].type",
        ),
        (
            bad(|f| {
                f.settings = Some(vec![
                    setting("a", "STRING", false, false),
                    setting("a", "ARRAY", false, false),
                ])
            }),
            "settings[1].name",
        ),
    ] {
        assert_client_error(c.create_function(&input).await, 422, Some(field));
    }
    assert_client_error(
        c.update_function(
            &f.id,
            &UpdateFunction {
                code: Some(String::new()),
                display_name: Some("half".into()),
                ..Default::default()
            },
        )
        .await,
        422,
        Some("code"),
    );
    assert_eq!(ws.snapshot().await, before);
    assert_eq!(
        c.list_audit_events(&Default::default()).await.unwrap(),
        audit
    );

    assert_eq!(c.delete_function(&f.id).await.unwrap().status, "SUCCESS");
    assert_client_error(c.get_function(&f.id).await, 404, None);
    assert_client_error(c.delete_function(&f.id).await, 404, None);
    assert!(c.list_functions("SOURCE").await.unwrap().is_empty());
    assert_eq!(
        kinds_of(c, "Function").await,
        [
            "Function Created",
            "Function Created",
            "Function Modified",
            "Function Deleted"
        ]
    );
}

#[tokio::test]
async fn insert_function_instances() {
    let ws = TestWorkspace::start().await.unwrap();
    let c = ws.owner();
    let src = c
        .create_source(&fixtures::javascript_source("web"))
        .await
        .unwrap();
    let dest = c
        .create_destination(&fixtures::amplitude_destination(&src.id))
        .await
        .unwrap();
    let f = c
        .create_function(&function("INSERT_DESTINATION", "Scrubber"))
        .await
        .unwrap();
    let input = CreateInsertFunctionInstance {
        function_id: f.id.clone(),
        integration_id: dest.id.clone(),
        enabled: Some(true),
        name: "Scrub PII".into(),
        settings: settings(json!({"apiKey": "secret-1", "verbose": true})),
    };
    let i = c.create_insert_function_instance(&input).await.unwrap();
    assert_eq!(i.id.len(), 22);
    assert_eq!(i.name.as_deref(), Some("Scrub PII"));
    assert_eq!(
        (i.class_id.as_str(), i.integration_id.as_str()),
        (f.id.as_str(), dest.id.as_str())
    );
    assert!(i.enabled);
    assert_eq!(
        i.settings,
        settings(json!({"apiKey": MASK, "verbose": true}))
    );
    assert_eq!(i.encrypted_settings, settings(json!({"apiKey": MASK})));
    assert_eq!(c.get_insert_function_instance(&i.id).await.unwrap(), i);
    assert_eq!(
        c.list_insert_function_instances(&f.id).await.unwrap(),
        vec![i.clone()]
    );
    // The API's `ifnd_` form of the function id lists the same.
    assert_eq!(
        c.list_insert_function_instances(&format!("ifnd_{}", f.id))
            .await
            .unwrap(),
        vec![i.clone()]
    );
    assert_error(
        &ws.get_raw("insert-function-instances").await,
        400,
        Some("functionId"),
    );

    // A mask sent back keeps the secret.
    let u = c
        .update_insert_function_instance(
            &i.id,
            &UpdateInsertFunctionInstance {
                enabled: Some(false),
                name: Some("Scrub more".into()),
                settings: settings(json!({"apiKey": MASK, "verbose": false})),
            },
        )
        .await
        .unwrap();
    assert_eq!(u.name.as_deref(), Some("Scrub more"));
    assert!(!u.enabled);
    assert_eq!(
        u.settings,
        settings(json!({"apiKey": MASK, "verbose": false}))
    );
    assert_eq!(c.get_insert_function_instance(&i.id).await.unwrap(), u);

    let source_fn = c
        .create_function(&function("SOURCE", "Not insertable"))
        .await
        .unwrap();
    let before = ws.snapshot().await;
    let with = |f: fn(&mut CreateInsertFunctionInstance)| {
        let mut x = input.clone();
        f(&mut x);
        x
    };
    let mut cases = vec![
        (with(|x| x.function_id = "nope".into()), 422, "functionId"),
        (
            with(|x| x.integration_id = "nope".into()),
            404,
            "integrationId",
        ),
        (with(|x| x.name = String::new()), 422, "name"),
        (
            with(|x| x.settings = settings(json!({"verbose": true}))),
            422,
            "settings.apiKey",
        ),
        (
            with(|x| x.settings = settings(json!({"apiKey": "k", "nope": 1}))),
            422,
            "settings.nope",
        ),
        (
            with(|x| x.settings = settings(json!({"apiKey": "k", "verbose": "yes"}))),
            422,
            "settings.verbose",
        ),
    ];
    let mut wrong_type = input.clone();
    wrong_type.function_id = source_fn.id.clone();
    cases.push((wrong_type, 422, "functionId"));
    for (x, status, field) in cases {
        assert_client_error(
            c.create_insert_function_instance(&x).await,
            status,
            Some(field),
        );
    }
    assert_client_error(
        c.update_insert_function_instance(
            &i.id,
            &UpdateInsertFunctionInstance {
                name: Some("half".into()),
                settings: settings(json!({"apiKey": null})),
                ..Default::default()
            },
        )
        .await,
        422,
        Some("settings.apiKey"),
    );
    assert_eq!(c.get_insert_function_instance(&i.id).await.unwrap(), u);
    assert_eq!(ws.snapshot().await, before);

    assert_eq!(
        c.delete_insert_function_instance(&i.id)
            .await
            .unwrap()
            .status,
        "SUCCESS"
    );
    assert_client_error(c.get_insert_function_instance(&i.id).await, 404, None);
    // Deleting the function, or the destination, deletes its instances.
    let j = c.create_insert_function_instance(&input).await.unwrap();
    c.delete_function(&f.id).await.unwrap();
    assert_client_error(c.get_insert_function_instance(&j.id).await, 404, None);
    let g = c
        .create_function(&function("INSERT_DESTINATION", "Again"))
        .await
        .unwrap();
    let k = c
        .create_insert_function_instance(&CreateInsertFunctionInstance {
            function_id: g.id.clone(),
            ..input.clone()
        })
        .await
        .unwrap();
    c.delete_destination(&dest.id).await.unwrap();
    assert_client_error(c.get_insert_function_instance(&k.id).await, 404, None);
    assert_eq!(
        kinds_of(c, "Insert Function Instance").await,
        [
            "Insert Function Instance Created",
            "Insert Function Instance Modified",
            "Insert Function Instance Deleted",
            "Insert Function Instance Created",
            "Insert Function Instance Deleted",
            "Insert Function Instance Created",
            "Insert Function Instance Deleted",
        ]
    );
}

fn transformation(source_id: &str) -> CreateTransformation {
    CreateTransformation {
        name: "Rename orders".into(),
        source_id: source_id.into(),
        destination_metadata_id: Some(fixtures::AMPLITUDE_DESTINATION.into()),
        enabled: true,
        condition: "event = \"Order Done\"".into(),
        new_event_name: Some("Order Completed".into()),
        property_renames: Some(vec![PropertyRename {
            old_name: "amount".into(),
            new_name: "total".into(),
        }]),
        ..Default::default()
    }
}

#[tokio::test]
async fn transformation_lifecycle() {
    let ws = TestWorkspace::start().await.unwrap();
    let c = ws.owner();
    let web = c
        .create_source(&fixtures::javascript_source("web"))
        .await
        .unwrap();
    let ios = c
        .create_source(&fixtures::javascript_source("ios"))
        .await
        .unwrap();
    let t = c
        .create_transformation(&transformation(&web.id))
        .await
        .unwrap();
    assert_eq!(t.id.len(), 22);
    assert_eq!(t.name, "Rename orders");
    assert_eq!(t.source_id, web.id);
    assert_eq!(
        t.destination_metadata_id.as_deref(),
        Some(fixtures::AMPLITUDE_DESTINATION)
    );
    assert!(t.enabled);
    assert_eq!(t.condition, "event = \"Order Done\"");
    assert_eq!(t.new_event_name.as_deref(), Some("Order Completed"));
    assert_eq!(t.property_renames.len(), 1);
    assert_eq!(c.get_transformation(&t.id).await.unwrap(), t);
    assert_eq!(c.list_transformations().await.unwrap(), vec![t.clone()]);

    let u = c
        .update_transformation(
            &t.id,
            &UpdateTransformation {
                name: Some("Renamer".into()),
                enabled: Some(false),
                source_id: Some(ios.id.clone()),
                property_renames: Some(vec![]),
                allow_properties: Some(vec!["total".into()]),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(u.name, "Renamer");
    assert!(!u.enabled);
    assert_eq!(u.source_id, ios.id);
    assert!(u.property_renames.is_empty());
    assert_eq!(u.allow_properties, Some(vec!["total".to_string()]));
    assert_eq!(u.new_event_name, t.new_event_name, "absent fields stay");
    assert_eq!(c.get_transformation(&t.id).await.unwrap(), u);

    let before = ws.snapshot().await;
    let audit = c.list_audit_events(&Default::default()).await.unwrap();
    let mut bad = transformation(&web.id);
    bad.destination_metadata_id = Some("nope".into());
    assert_client_error(
        c.create_transformation(&bad).await,
        422,
        Some("destinationMetadataId"),
    );
    let mut bad = transformation(&web.id);
    bad.condition = String::new();
    assert_client_error(c.create_transformation(&bad).await, 422, Some("if"));
    assert_client_error(
        c.create_transformation(&transformation("nope")).await,
        404,
        Some("sourceId"),
    );
    assert_client_error(
        c.update_transformation(
            &t.id,
            &UpdateTransformation {
                source_id: Some("nope".into()),
                name: Some("half".into()),
                ..Default::default()
            },
        )
        .await,
        404,
        Some("sourceId"),
    );
    assert_eq!(ws.snapshot().await, before);
    assert_eq!(
        c.list_audit_events(&Default::default()).await.unwrap(),
        audit
    );

    // It follows its new source: deleting the old one leaves it, the new one takes it.
    c.delete_source(&web.id).await.unwrap();
    assert_eq!(c.get_transformation(&t.id).await.unwrap(), u);
    c.delete_source(&ios.id).await.unwrap();
    assert_client_error(c.get_transformation(&t.id).await, 404, None);

    let src = c
        .create_source(&fixtures::javascript_source("again"))
        .await
        .unwrap();
    let t2 = c
        .create_transformation(&transformation(&src.id))
        .await
        .unwrap();
    assert_eq!(
        c.delete_transformation(&t2.id).await.unwrap().status,
        "SUCCESS"
    );
    assert_client_error(c.get_transformation(&t2.id).await, 404, None);
    assert_client_error(c.delete_transformation(&t2.id).await, 404, None);
    assert_eq!(
        kinds_of(c, "Transformation").await,
        [
            "Transformation Created",
            "Transformation Modified",
            "Transformation Deleted",
            "Transformation Created",
            "Transformation Deleted"
        ]
    );
}

fn model(source_id: &str) -> CreateReverseEtlModel {
    CreateReverseEtlModel {
        source_id: source_id.into(),
        name: "Active users".into(),
        description: "Users seen this week".into(),
        enabled: true,
        schedule_strategy: None,
        schedule_config: None,
        query: "SELECT id, email FROM users WHERE seen > now() - interval '7 days'".into(),
        query_identifier_column: "id".into(),
    }
}

#[tokio::test]
async fn reverse_etl_model_lifecycle() {
    let ws = TestWorkspace::start().await.unwrap();
    let c = ws.owner();
    let pg = c
        .create_source(&fixtures::postgres_source("warehouse"))
        .await
        .unwrap();
    let m = c.create_reverse_etl_model(&model(&pg.id)).await.unwrap();
    assert_eq!(m.id.len(), 22);
    assert_eq!(m.source_id, pg.id);
    assert_eq!(m.name, "Active users");
    assert_eq!(m.description, "Users seen this week");
    assert!(m.enabled);
    assert_eq!(m.query_identifier_column, "id");
    assert_eq!(
        (m.schedule_strategy.as_ref(), m.schedule_config.as_ref()),
        (None, None)
    );
    assert_eq!(c.get_reverse_etl_model(&m.id).await.unwrap(), m);
    assert_eq!(c.list_reverse_etl_models().await.unwrap(), vec![m.clone()]);

    let u = c
        .update_reverse_etl_model(
            &m.id,
            &UpdateReverseEtlModel {
                query: Some("SELECT id FROM users".into()),
                enabled: Some(false),
                schedule_strategy: Some("PERIODIC".into()),
                schedule_config: Some(settings(json!({"interval": "1h"}))),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(u.query, "SELECT id FROM users");
    assert!(!u.enabled);
    assert_eq!(u.schedule_strategy.as_deref(), Some("PERIODIC"));
    assert_eq!(u.schedule_config, Some(settings(json!({"interval": "1h"}))));
    assert_eq!(u.name, m.name);
    assert_eq!(c.get_reverse_etl_model(&m.id).await.unwrap(), u);

    let before = ws.snapshot().await;
    let audit = c.list_audit_events(&Default::default()).await.unwrap();
    let with = |f: fn(&mut CreateReverseEtlModel)| {
        let mut x = model(&pg.id);
        f(&mut x);
        x
    };
    for (x, status, field) in [
        (with(|x| x.query = " ".into()), 422, "query"),
        (with(|x| x.name = String::new()), 422, "name"),
        (
            with(|x| x.query_identifier_column = String::new()),
            422,
            "queryIdentifierColumn",
        ),
        (
            with(|x| x.schedule_strategy = Some("HOURLY".into())),
            422,
            "scheduleStrategy",
        ),
        (with(|x| x.source_id = "nope".into()), 404, "sourceId"),
    ] {
        assert_client_error(c.create_reverse_etl_model(&x).await, status, Some(field));
    }
    assert_client_error(
        c.update_reverse_etl_model(
            &m.id,
            &UpdateReverseEtlModel {
                query: Some(String::new()),
                name: Some("half".into()),
                ..Default::default()
            },
        )
        .await,
        422,
        Some("query"),
    );
    assert_eq!(ws.snapshot().await, before);
    assert_eq!(
        c.list_audit_events(&Default::default()).await.unwrap(),
        audit
    );

    // A subscription fed by the model goes when the model goes.
    let dest = c
        .create_destination(&fixtures::amplitude_actions_destination(&pg.id))
        .await
        .unwrap();
    let sub = c
        .create_subscription(
            &dest.id,
            &CreateDestinationSubscription {
                name: "Sync users".into(),
                action_id: "9STyJcVfDee2NowS4DGdmW".into(),
                trigger: "type = \"identify\"".into(),
                enabled: true,
                settings: None,
                model_id: Some(m.id.clone()),
            },
        )
        .await
        .unwrap();
    assert_eq!(sub.model_id.as_deref(), Some(m.id.as_str()));
    assert_eq!(
        c.delete_reverse_etl_model(&m.id).await.unwrap().status,
        "SUCCESS"
    );
    assert_client_error(c.get_reverse_etl_model(&m.id).await, 404, None);
    assert_client_error(c.get_subscription(&dest.id, &sub.id).await, 404, None);
    assert_eq!(c.get_destination(&dest.id).await.unwrap(), dest);
    // Deleting the source deletes its models.
    let m2 = c.create_reverse_etl_model(&model(&pg.id)).await.unwrap();
    c.delete_source(&pg.id).await.unwrap();
    assert_client_error(c.get_reverse_etl_model(&m2.id).await, 404, None);
    assert_eq!(
        kinds_of(c, "Reverse ETL Model").await,
        [
            "Reverse ETL Model Created",
            "Reverse ETL Model Modified",
            "Reverse ETL Model Deleted",
            "Reverse ETL Model Created",
            "Reverse ETL Model Deleted"
        ]
    );
}
