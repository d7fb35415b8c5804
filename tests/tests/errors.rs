//! Every refusal the API promises, each checked for its status, for the
//! error body naming the field, and for leaving the workspace exactly as it
//! was ("nothing half-written").

use reqwest::Method;
use segment_api::models::{CreateDestination, CreateSource, UpdateSource, UpdateWarehouse};
use segment_e2e::fixtures::{self, settings};
use segment_e2e::{assert_client_error, assert_error, TestWorkspace};
use serde_json::json;

/// A workspace with one source, one destination and one warehouse, so
/// updates have something to refuse.
async fn populated() -> (TestWorkspace, String, String, String) {
    let ws = TestWorkspace::start().await.unwrap();
    let c = ws.owner();
    let source = c
        .create_source(&fixtures::stripe_source("web", "sk_1"))
        .await
        .unwrap();
    let dest = c
        .create_destination(&fixtures::amplitude_destination(&source.id))
        .await
        .unwrap();
    let wh = c
        .create_warehouse(&fixtures::postgres_warehouse("Main"))
        .await
        .unwrap();
    (ws, source.id, dest.id, wh.id)
}

#[tokio::test]
async fn malformed_bodies_are_400_and_change_nothing() {
    let (ws, source, _, _) = populated().await;
    let before = ws.snapshot().await;
    for (method, path) in [
        (Method::POST, "sources".to_string()),
        (Method::PATCH, format!("sources/{source}")),
        (Method::POST, "destinations".to_string()),
        (Method::POST, "labels".to_string()),
        (Method::POST, "warehouses".to_string()),
    ] {
        for body in [
            &b"{\"slug\": "[..],
            b"{slug: 1}",
            b"{\"slug\": \"a\",",
            b"\xff\xfe",
        ] {
            let raw = ws.send_raw(method.clone(), &path, body.to_vec()).await;
            let e = assert_error(&raw, 400, Some("body"));
            assert_eq!(e["type"], "bad-request", "{method} {path}");
        }
        // No body at all.
        let raw = ws.send_raw(method.clone(), &path, Vec::new()).await;
        assert_error(&raw, 400, Some("body"));
    }
    assert_eq!(ws.snapshot().await, before);
}

/// BUG (server/src/input.rs `decode`): the decoder streams straight into
/// the target type, so a syntax error that comes after a shape error is
/// reported as the shape error: `{"a":1} trailing` and `[1,` answer 422
/// ("missing field `slug`", "[0]: invalid type") instead of 400 malformed
/// JSON. And serde's derive takes a JSON array for a struct, so
/// `["web", true, "IqDTy1TpoU"]` is accepted as a source and creates one.
/// Fix: parse to `serde_json::Value` first (400 on a syntax error), refuse a
/// non-object with 422 naming `body`, then decode the value.
#[tokio::test]
async fn malformed_json_is_400_even_after_a_shape_error() {
    let ws = TestWorkspace::start().await.unwrap();
    let before = ws.snapshot().await;
    for body in [r#"{"a":1} trailing"#, r#"{"slug":"a"}}"#, "{} {}", "[1,"] {
        let raw = ws.send_raw(Method::POST, "sources", body).await;
        assert_error(&raw, 400, Some("body"));
    }
    assert_eq!(ws.snapshot().await, before);
}

/// BUG (server/src/input.rs `decode`, see above): a body must be a JSON
/// object; an array of the fields in declaration order is not one.
#[tokio::test]
async fn a_json_array_is_not_a_request_body() {
    let ws = TestWorkspace::start().await.unwrap();
    let before = ws.snapshot().await;
    let body = json!(["web", true, fixtures::JAVASCRIPT_SOURCE]).to_string();
    let raw = ws.send_raw(Method::POST, "sources", body).await;
    assert_error(&raw, 422, Some("body"));
    assert_eq!(ws.snapshot().await, before);
}

#[tokio::test]
async fn wrong_types_and_missing_fields_are_422_naming_the_field() {
    let (ws, source, dest, wh) = populated().await;
    let before = ws.snapshot().await;
    let cases: &[(Method, String, serde_json::Value, &str)] = &[
        // Wrong types.
        (
            Method::POST,
            "sources".into(),
            json!({"slug": "a", "enabled": "yes", "metadataId": fixtures::JAVASCRIPT_SOURCE}),
            "enabled",
        ),
        (
            Method::POST,
            "sources".into(),
            json!({"slug": 5, "enabled": true, "metadataId": fixtures::JAVASCRIPT_SOURCE}),
            "slug",
        ),
        (
            Method::POST,
            "sources".into(),
            json!({"slug": "a", "enabled": true, "metadataId": fixtures::JAVASCRIPT_SOURCE, "settings": []}),
            "settings",
        ),
        (
            Method::PATCH,
            format!("sources/{source}"),
            json!({"enabled": 1}),
            "enabled",
        ),
        (
            Method::PATCH,
            format!("sources/{source}"),
            json!({"name": ["x"]}),
            "name",
        ),
        (
            Method::POST,
            "destinations".into(),
            json!({"sourceId": source, "metadataId": fixtures::AMPLITUDE_DESTINATION, "enabled": "on", "settings": {"apiKey": "k"}}),
            "enabled",
        ),
        (
            Method::PATCH,
            format!("destinations/{dest}"),
            json!({"settings": "apiKey=k"}),
            "settings",
        ),
        (
            Method::PATCH,
            format!("warehouses/{wh}"),
            json!({"enabled": null, "name": 7}),
            "name",
        ),
        (
            Method::POST,
            "labels".into(),
            json!({"label": {"key": 1, "value": "prod"}}),
            "label.key",
        ),
        (Method::POST, "labels".into(), json!([]), "body"),
        // Missing required fields.
        (
            Method::POST,
            "sources".into(),
            json!({"enabled": true, "metadataId": fixtures::JAVASCRIPT_SOURCE}),
            "slug",
        ),
        (
            Method::POST,
            "sources".into(),
            json!({"slug": "a", "enabled": true}),
            "metadataId",
        ),
        (
            Method::POST,
            "sources".into(),
            json!({"slug": "a", "metadataId": fixtures::JAVASCRIPT_SOURCE}),
            "enabled",
        ),
        (
            Method::POST,
            "destinations".into(),
            json!({"metadataId": fixtures::AMPLITUDE_DESTINATION, "settings": {"apiKey": "k"}}),
            "sourceId",
        ),
        (
            Method::POST,
            "destinations".into(),
            json!({"sourceId": source, "settings": {"apiKey": "k"}}),
            "metadataId",
        ),
        (
            Method::POST,
            "warehouses".into(),
            json!({"settings": {}}),
            "metadataId",
        ),
        (
            Method::POST,
            "labels".into(),
            json!({"label": {"value": "prod"}}),
            "label.key",
        ),
        (Method::POST, "labels".into(), json!({}), "label"),
        (
            Method::PUT,
            format!("sources/{source}/labels"),
            json!({}),
            "labels",
        ),
    ];
    for (method, path, body, field) in cases {
        let raw = ws.send_raw(method.clone(), path, body.to_string()).await;
        let e = assert_error(&raw, 422, Some(field));
        assert_eq!(e["type"], "validation", "{method} {path} {body}");
        let message = e["message"].as_str().unwrap();
        assert!(message.contains(field), "{message:?} names {field}");
        assert!(
            !message.contains(" at line "),
            "no parser positions: {message:?}"
        );
    }
    assert_eq!(ws.snapshot().await, before);
}

#[tokio::test]
async fn unknown_metadata_ids_are_422() {
    let ws = TestWorkspace::start().await.unwrap();
    let c = ws.owner();
    let source = c
        .create_source(&fixtures::javascript_source("web"))
        .await
        .unwrap();
    let before = ws.snapshot().await;
    let mut s = fixtures::javascript_source("other");
    s.metadata_id = "NoSuchSource".into();
    let e = assert_client_error(c.create_source(&s).await, 422, Some("metadataId"));
    assert!(e.errors[0].message.contains("NoSuchSource"), "{e}");
    // A destination's metadata id is not a source's.
    s.metadata_id = fixtures::AMPLITUDE_DESTINATION.into();
    assert_client_error(c.create_source(&s).await, 422, Some("metadataId"));
    let mut d = fixtures::amplitude_destination(&source.id);
    d.metadata_id = fixtures::JAVASCRIPT_SOURCE.into();
    assert_client_error(c.create_destination(&d).await, 422, Some("metadataId"));
    let mut w = fixtures::postgres_warehouse("W");
    w.metadata_id = "nope".into();
    assert_client_error(c.create_warehouse(&w).await, 422, Some("metadataId"));
    assert_eq!(ws.snapshot().await, before);
}

#[tokio::test]
async fn page_counts_outside_1_to_200_are_400() {
    let (ws, _, _, _) = populated().await;
    for path in [
        "sources",
        "destinations",
        "warehouses",
        "audit-events",
        "catalog/sources",
    ] {
        for q in [
            "pagination.count=0",
            "pagination.count=201",
            "pagination.count=-1",
            "pagination.count=abc",
            "pagination.count=1.5",
            "pagination.count=",
            "pagination[count]=0",
            "pagination[count]=201",
            "pagination%5Bcount%5D=1000",
        ] {
            let raw = ws.get_raw(&format!("{path}?{q}")).await;
            let e = assert_error(&raw, 400, Some("pagination.count"));
            assert_eq!(e["type"], "bad-request");
        }
        for q in ["pagination.count=1", "pagination[count]=200"] {
            let raw = ws.get_raw(&format!("{path}?{q}")).await;
            assert_eq!(raw.status, 200, "{path}?{q}: {}", raw.text);
        }
        for q in [
            "pagination.count=2&pagination.cursor=garbage!",
            "pagination[count]=2&pagination[cursor]=%25%25%25",
        ] {
            let raw = ws.get_raw(&format!("{path}?{q}")).await;
            assert_error(&raw, 400, Some("pagination.cursor"));
        }
    }
}

#[tokio::test]
async fn oversize_bodies_are_413_and_change_nothing() {
    let (ws, source, _, _) = populated().await;
    let before = ws.snapshot().await;
    let big = "x".repeat(segment_workspace::MAX_BODY_BYTES + 1024);
    let body = json!({
        "slug": "big",
        "enabled": true,
        "metadataId": fixtures::JAVASCRIPT_SOURCE,
        "settings": {"blob": big},
    })
    .to_string();
    for (method, path) in [
        (Method::POST, "sources".to_string()),
        (Method::PATCH, format!("sources/{source}")),
    ] {
        let raw = ws.send_raw(method, &path, body.clone()).await;
        let e = assert_error(&raw, 413, None);
        assert_eq!(e["type"], "payload-too-large");
    }
    assert_eq!(ws.snapshot().await, before);
}

#[tokio::test]
async fn slug_clashes_are_409() {
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
    let before = ws.snapshot().await;
    let e = assert_client_error(
        c.create_source(&fixtures::javascript_source("web")).await,
        409,
        Some("slug"),
    );
    assert_eq!(e.errors[0].kind, "conflict");
    assert!(e.errors[0].message.contains("\"web\""), "{e}");
    // Another integration does not make the slug free.
    assert_client_error(
        c.create_source(&fixtures::stripe_source("web", "k")).await,
        409,
        Some("slug"),
    );
    assert_client_error(
        c.update_source(
            &ios.id,
            &UpdateSource {
                slug: Some("web".into()),
                name: Some("half".into()),
                ..Default::default()
            },
        )
        .await,
        409,
        Some("slug"),
    );
    assert_eq!(ws.snapshot().await, before);
    // Renaming a source to its own slug is no clash.
    let same = c
        .update_source(
            &web.id,
            &UpdateSource {
                slug: Some("web".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(same.slug, "web");
    // A deleted source's slug is free again.
    c.delete_source(&web.id).await.unwrap();
    let again = c
        .create_source(&fixtures::javascript_source("web"))
        .await
        .unwrap();
    assert_ne!(again.id, web.id);
}

#[tokio::test]
async fn invalid_slugs_are_422() {
    let (ws, source, _, _) = populated().await;
    let before = ws.snapshot().await;
    let long = "a".repeat(101);
    for slug in ["", "Web", "web app", "web/app", "wéb", long.as_str()] {
        assert_client_error(
            ws.owner()
                .create_source(&fixtures::javascript_source(slug))
                .await,
            422,
            Some("slug"),
        );
        assert_client_error(
            ws.owner()
                .update_source(
                    &source,
                    &UpdateSource {
                        slug: Some(slug.into()),
                        ..Default::default()
                    },
                )
                .await,
            422,
            Some("slug"),
        );
    }
    assert_eq!(ws.snapshot().await, before);
}

#[tokio::test]
async fn references_must_exist() {
    let (ws, source, _, wh) = populated().await;
    let c = ws.owner();
    let before = ws.snapshot().await;
    let e = assert_client_error(
        c.create_destination(&fixtures::amplitude_destination("NoSuchSource"))
            .await,
        404,
        Some("sourceId"),
    );
    assert!(e.errors[0].message.contains("NoSuchSource"), "{e}");
    assert_client_error(
        c.connect_warehouse_source(&wh, "NoSuchSource").await,
        404,
        Some("sourceId"),
    );
    assert_client_error(
        c.connect_warehouse_source("NoSuchWarehouse", &source).await,
        404,
        None,
    );
    let missing = segment_api::models::Label {
        key: "env".into(),
        value: "nowhere".into(),
        description: None,
    };
    assert_client_error(
        c.add_source_labels(&source, std::slice::from_ref(&missing))
            .await,
        404,
        Some("labels[0]"),
    );
    assert_client_error(
        c.replace_source_labels(&source, &[missing]).await,
        404,
        Some("labels[0]"),
    );
    assert_eq!(ws.snapshot().await, before);
}

#[tokio::test]
async fn settings_are_checked_against_the_catalog() {
    let (ws, source, dest, wh) = populated().await;
    let c = ws.owner();
    let before = ws.snapshot().await;
    let stripe = |s: serde_json::Value| CreateSource {
        slug: "stripe".into(),
        enabled: true,
        metadata_id: fixtures::STRIPE_SOURCE.into(),
        settings: Some(settings(s)),
    };
    // A required setting missing, misspelt, of the wrong type, or null.
    for (s, field) in [
        (json!({}), "settings.apiKey"),
        (json!({"includeTestData": true}), "settings.apiKey"),
        (json!({"apiKey": "k", "apiKy": "k"}), "settings.apiKy"),
        (
            json!({"apiKey": "k", "includeTestData": "yes"}),
            "settings.includeTestData",
        ),
        (json!({"apiKey": 42}), "settings.apiKey"),
        (json!({"apiKey": null}), "settings.apiKey"),
    ] {
        let e = assert_client_error(c.create_source(&stripe(s.clone())).await, 422, Some(field));
        assert_eq!(e.errors[0].kind, "validation", "{s}");
    }
    let amp = |s: serde_json::Value| CreateDestination {
        source_id: source.clone(),
        metadata_id: fixtures::AMPLITUDE_DESTINATION.into(),
        enabled: Some(true),
        name: None,
        settings: settings(s),
    };
    for (s, field) in [
        (json!({}), "settings.apiKey"),
        (
            json!({"apiKey": "k", "trackAllPages": "true"}),
            "settings.trackAllPages",
        ),
        (
            json!({"apiKey": "k", "traitsToIncrement": "a,b"}),
            "settings.traitsToIncrement",
        ),
        (
            json!({"apiKey": "k", "mapQueryParams": []}),
            "settings.mapQueryParams",
        ),
        (json!({"apiKey": "k", "nope": 1}), "settings.nope"),
    ] {
        assert_client_error(c.create_destination(&amp(s)).await, 422, Some(field));
    }
    let mut w = fixtures::postgres_warehouse("W");
    w.settings.insert("port".into(), json!("5432"));
    assert_client_error(c.create_warehouse(&w).await, 422, Some("settings.port"));
    w.settings.remove("port");
    w.settings.remove("hostname");
    assert_client_error(c.create_warehouse(&w).await, 422, Some("settings.hostname"));

    // Updates are checked too, and a refused update changes nothing at all,
    // not even the fields beside the bad setting.
    assert_client_error(
        c.update_source(
            &source,
            &UpdateSource {
                name: Some("renamed".into()),
                settings: Some(settings(json!({"includeTestData": "no"}))),
                ..Default::default()
            },
        )
        .await,
        422,
        Some("settings.includeTestData"),
    );
    assert_client_error(
        c.update_destination(
            &dest,
            &segment_api::models::UpdateDestination {
                enabled: Some(false),
                settings: Some(settings(json!({"unknownKey": true}))),
                ..Default::default()
            },
        )
        .await,
        422,
        Some("settings.unknownKey"),
    );
    assert_client_error(
        c.update_warehouse(
            &wh,
            &UpdateWarehouse {
                name: Some(Some("renamed".into())),
                settings: Some(settings(json!({"port": true}))),
                ..Default::default()
            },
        )
        .await,
        422,
        Some("settings.port"),
    );
    assert_eq!(ws.snapshot().await, before);
}

#[tokio::test]
async fn unknown_ids_paths_and_methods() {
    let (ws, _, _, _) = populated().await;
    let before = ws.snapshot().await;
    for path in [
        "sources/nope",
        "destinations/nope",
        "warehouses/nope",
        "catalog/sources/nope",
        "catalog/destinations/nope",
        "catalog/warehouses/nope",
        "sources/nope/connected-destinations",
        "warehouses/nope/connected-sources",
        "no/such/path",
    ] {
        let e = assert_error(&ws.get_raw(path).await, 404, None);
        assert_eq!(e["type"], "not-found", "{path}");
    }
    for (method, path) in [
        (Method::PATCH, "sources/nope"),
        (Method::DELETE, "sources/nope"),
        (Method::PATCH, "destinations/nope"),
        (Method::DELETE, "destinations/nope"),
        (Method::PATCH, "warehouses/nope"),
        (Method::DELETE, "warehouses/nope"),
        (Method::DELETE, "labels/env/nope"),
    ] {
        let raw = ws.send_raw(method.clone(), path, "{}").await;
        let e = assert_error(&raw, 404, None);
        assert_eq!(e["type"], "not-found", "{method} {path}");
    }
    for (method, path) in [(Method::PUT, "sources"), (Method::DELETE, "destinations")] {
        let raw = ws.send_raw(method, path, "{}").await;
        let e = assert_error(&raw, 405, None);
        assert_eq!(e["type"], "method-not-allowed");
    }
    assert_eq!(ws.snapshot().await, before);
}

/// Eight requests race for one slug: one wins, seven get 409, and only the
/// winner leaves a trace.
#[tokio::test]
async fn racing_creates_of_one_slug_make_one_source() {
    let ws = TestWorkspace::start().await.unwrap();
    let attempts = (0..8).map(|_| {
        let c = ws.owner().clone();
        async move {
            c.create_source(&fixtures::javascript_source("contested"))
                .await
        }
    });
    let results = futures::future::join_all(attempts).await;
    let won: Vec<_> = results.iter().filter_map(|r| r.as_ref().ok()).collect();
    assert_eq!(won.len(), 1, "{results:?}");
    for r in results.iter().filter(|r| r.is_err()) {
        let e = r.as_ref().unwrap_err().api().unwrap();
        assert_eq!((e.status, e.field()), (409, Some("slug")));
    }
    assert_eq!(
        ws.owner().list_sources().await.unwrap(),
        vec![won[0].clone()]
    );
    let events = ws
        .owner()
        .list_audit_events(&Default::default())
        .await
        .unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].resource_id, won[0].id);
}
