//! Warehouses and their source connections; labels and source labels.

use segment_api::models::{Label, UpdateWarehouse};
use segment_e2e::fixtures::{self, settings};
use segment_e2e::{assert_client_error, assert_error, TestWorkspace};
use serde_json::json;

fn label(key: &str, value: &str) -> Label {
    Label {
        key: key.into(),
        value: value.into(),
        description: None,
    }
}

#[tokio::test]
async fn warehouse_lifecycle() {
    let ws = TestWorkspace::start().await.unwrap();
    let c = ws.owner();
    let workspace = c.get_workspace().await.unwrap();
    let created = c
        .create_warehouse(&fixtures::postgres_warehouse("Main"))
        .await
        .unwrap();
    assert_eq!(created.id.len(), 22);
    assert_eq!(created.name.as_deref(), Some("Main"));
    assert!(created.enabled);
    assert_eq!(created.workspace_id, workspace.id);
    assert_eq!(created.metadata.id, fixtures::POSTGRES_WAREHOUSE);
    assert_eq!(created.metadata.name, "Postgres");
    // The password is left out of answers altogether.
    assert_eq!(
        created.settings,
        settings(json!({
            "hostname": "pg.internal", "port": 5432, "database": "warehouse", "username": "loader",
        }))
    );
    assert_eq!(c.get_warehouse(&created.id).await.unwrap(), created);
    assert_eq!(c.list_warehouses().await.unwrap(), vec![created.clone()]);

    // Without `enabled` a warehouse starts enabled.
    let mut second = fixtures::postgres_warehouse("Second");
    second.enabled = None;
    second.name = None;
    let second = c.create_warehouse(&second).await.unwrap();
    assert!(second.enabled);
    assert_eq!(second.name, None);

    let updated = c
        .update_warehouse(
            &created.id,
            &UpdateWarehouse {
                name: Some(None),
                enabled: Some(false),
                settings: Some(settings(json!({"port": 5433, "password": "new"}))),
            },
        )
        .await
        .unwrap();
    assert_eq!(updated.name, None);
    assert!(!updated.enabled);
    assert_eq!(updated.settings["port"], 5433);
    assert_eq!(updated.settings["hostname"], "pg.internal");
    assert!(!updated.settings.contains_key("password"));
    assert_eq!(c.get_warehouse(&created.id).await.unwrap(), updated);
    assert_eq!(
        c.list_warehouses().await.unwrap(),
        vec![updated.clone(), second.clone()]
    );

    assert_eq!(
        c.delete_warehouse(&created.id).await.unwrap().status,
        "SUCCESS"
    );
    assert_client_error(c.get_warehouse(&created.id).await, 404, None);
    assert_client_error(c.delete_warehouse(&created.id).await, 404, None);
    assert_eq!(c.list_warehouses().await.unwrap(), vec![second]);

    let events = c.list_audit_events(&Default::default()).await.unwrap();
    let got: Vec<(&str, &str)> = events
        .iter()
        .map(|e| (e.kind.as_str(), e.resource_name.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            ("Warehouse Created", "Main"),
            ("Warehouse Created", "Postgres"),
            ("Warehouse Modified", "Postgres"),
            ("Warehouse Deleted", "Postgres"),
        ]
    );
}

#[tokio::test]
async fn warehouse_source_connections() {
    let ws = TestWorkspace::start().await.unwrap();
    let c = ws.owner();
    let web = c
        .create_source(&fixtures::javascript_source("web"))
        .await
        .unwrap();
    let api = c
        .create_source(&fixtures::javascript_source("api"))
        .await
        .unwrap();
    let w1 = c
        .create_warehouse(&fixtures::postgres_warehouse("W1"))
        .await
        .unwrap();
    let w2 = c
        .create_warehouse(&fixtures::postgres_warehouse("W2"))
        .await
        .unwrap();
    assert!(c.list_warehouse_sources(&w1.id).await.unwrap().is_empty());

    for (w, s) in [(&w1, &web), (&w1, &api), (&w2, &web)] {
        let st = c.connect_warehouse_source(&w.id, &s.id).await.unwrap();
        assert_eq!(st.status, "SUCCESS");
    }
    assert_eq!(
        c.list_warehouse_sources(&w1.id).await.unwrap(),
        vec![web.clone(), api.clone()]
    );
    assert_eq!(
        c.list_connected_warehouses(&web.id).await.unwrap(),
        vec![w1.clone(), w2.clone()]
    );
    assert_eq!(
        c.list_connected_warehouses(&api.id).await.unwrap(),
        vec![w1.clone()]
    );

    let before = ws.snapshot().await;
    assert_client_error(
        c.connect_warehouse_source(&w1.id, &web.id).await,
        409,
        Some("sourceId"),
    );
    assert_client_error(
        c.connect_warehouse_source(&w1.id, "nope").await,
        404,
        Some("sourceId"),
    );
    assert_client_error(c.connect_warehouse_source("nope", &web.id).await, 404, None);
    assert_eq!(ws.snapshot().await, before);
    assert_eq!(c.list_warehouse_sources(&w1.id).await.unwrap().len(), 2);

    let st = c
        .disconnect_warehouse_source(&w1.id, &web.id)
        .await
        .unwrap();
    assert_eq!(st.status, "SUCCESS");
    assert_client_error(
        c.disconnect_warehouse_source(&w1.id, &web.id).await,
        404,
        None,
    );
    assert_eq!(
        c.list_warehouse_sources(&w1.id).await.unwrap(),
        vec![api.clone()]
    );
    assert_eq!(
        c.list_connected_warehouses(&web.id).await.unwrap(),
        vec![w2.clone()]
    );

    // Deleting a warehouse takes its connections with it, not its sources.
    c.delete_warehouse(&w2.id).await.unwrap();
    assert!(c
        .list_connected_warehouses(&web.id)
        .await
        .unwrap()
        .is_empty());
    assert_eq!(c.get_source(&web.id).await.unwrap(), web);
    // Reconnecting after a disconnect works.
    c.connect_warehouse_source(&w1.id, &web.id).await.unwrap();
    assert_eq!(
        c.list_warehouse_sources(&w1.id).await.unwrap(),
        vec![api, web]
    );
}

#[tokio::test]
async fn labels() {
    let ws = TestWorkspace::start().await.unwrap();
    let c = ws.owner();
    assert!(c.list_labels().await.unwrap().is_empty());
    let prod = Label {
        key: "env".into(),
        value: "prod".into(),
        description: Some("Production".into()),
    };
    assert_eq!(c.create_label(&prod).await.unwrap(), prod);
    let dev = c.create_label(&label("env", "dev")).await.unwrap();
    assert_eq!(dev, label("env", "dev"));
    let team = c.create_label(&label("team", "growth")).await.unwrap();
    assert_eq!(
        c.list_labels().await.unwrap(),
        vec![prod.clone(), dev.clone(), team.clone()]
    );

    let before = ws.snapshot().await;
    assert_client_error(
        c.create_label(&label("env", "prod")).await,
        409,
        Some("label"),
    );
    for (l, field) in [
        (label("", "x"), "label.key"),
        (label("env", " "), "label.value"),
        (label("a:b", "x"), "label.key"),
        (label("env", "a/b"), "label.value"),
    ] {
        assert_client_error(c.create_label(&l).await, 422, Some(field));
    }
    assert_eq!(ws.snapshot().await, before);

    assert_eq!(
        c.delete_label("env", "dev").await.unwrap().status,
        "SUCCESS"
    );
    assert_client_error(c.delete_label("env", "dev").await, 404, None);
    assert_eq!(c.list_labels().await.unwrap(), vec![prod, team]);
}

#[tokio::test]
async fn source_labels_add_replace_and_must_exist() {
    let ws = TestWorkspace::start().await.unwrap();
    let c = ws.owner();
    for (k, v) in [("env", "prod"), ("env", "dev"), ("team", "growth")] {
        c.create_label(&label(k, v)).await.unwrap();
    }
    let s = c
        .create_source(&fixtures::javascript_source("web"))
        .await
        .unwrap();

    let got = c
        .add_source_labels(&s.id, &[label("env", "prod")])
        .await
        .unwrap();
    assert_eq!(got, vec![label("env", "prod")]);
    // Adding keeps what is there and does not duplicate.
    let got = c
        .add_source_labels(&s.id, &[label("team", "growth"), label("env", "prod")])
        .await
        .unwrap();
    assert_eq!(got, vec![label("env", "prod"), label("team", "growth")]);
    assert_eq!(c.get_source(&s.id).await.unwrap().labels, got);
    let raw = ws.get_raw(&format!("sources/{}/labels", s.id)).await;
    assert_eq!(raw.data()["labels"], serde_json::to_value(&got).unwrap());

    // A missing label refuses the whole request.
    let before = c.get_source(&s.id).await.unwrap();
    assert_client_error(
        c.add_source_labels(&s.id, &[label("env", "dev"), label("env", "nope")])
            .await,
        404,
        Some("labels[1]"),
    );
    assert_client_error(
        c.replace_source_labels(&s.id, &[label("nope", "nope")])
            .await,
        404,
        Some("labels[0]"),
    );
    assert_eq!(c.get_source(&s.id).await.unwrap(), before);

    // Replacing sets exactly the given labels.
    let got = c
        .replace_source_labels(&s.id, &[label("env", "dev")])
        .await
        .unwrap();
    assert_eq!(got, vec![label("env", "dev")]);
    assert_eq!(c.get_source(&s.id).await.unwrap().labels, got);
    assert!(c
        .replace_source_labels(&s.id, &[])
        .await
        .unwrap()
        .is_empty());
    assert!(c.get_source(&s.id).await.unwrap().labels.is_empty());
    assert_client_error(
        c.add_source_labels("nope", &[label("env", "dev")]).await,
        404,
        None,
    );
    let raw = ws.get_raw("sources/nope/labels").await;
    assert_error(&raw, 404, None);
}
