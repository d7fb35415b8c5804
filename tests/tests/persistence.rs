//! Persistence: a restarted server on the same database file serves the same
//! workspace, tokens and audit trail, and carries on where it stopped.

use segment_api::models::{
    AuditQuery, CreateFunction, CreateTrackingPlan, Label, RuleInput, UpdateSource,
};
use segment_e2e::fixtures::{self, settings};
use segment_e2e::{assert_client_error, TestWorkspace};
use serde_json::json;

#[tokio::test]
async fn everything_survives_a_restart() {
    let mut ws = TestWorkspace::start().await.unwrap();
    let (workspace, source, dest, wh, label) = {
        let c = ws.owner();
        let label = Label {
            key: "env".into(),
            value: "prod".into(),
            description: Some("Production".into()),
        };
        c.create_label(&label).await.unwrap();
        let source = c
            .create_source(&fixtures::stripe_source("billing", "sk_live_1"))
            .await
            .unwrap();
        c.add_source_labels(&source.id, std::slice::from_ref(&label))
            .await
            .unwrap();
        let patch = UpdateSource {
            name: Some("Billing".into()),
            ..Default::default()
        };
        let source = c.update_source(&source.id, &patch).await.unwrap();
        assert_eq!(source.labels.len(), 1);
        let dest = c
            .create_destination(&fixtures::amplitude_destination(&source.id))
            .await
            .unwrap();
        let wh = c
            .create_warehouse(&fixtures::postgres_warehouse("Main"))
            .await
            .unwrap();
        c.connect_warehouse_source(&wh.id, &source.id)
            .await
            .unwrap();
        // One of every other family, so the snapshot below covers them.
        let plan = c
            .create_tracking_plan(&CreateTrackingPlan {
                name: "Web".into(),
                description: None,
                kind: "LIVE".into(),
            })
            .await
            .unwrap();
        let rule = RuleInput {
            kind: "TRACK".into(),
            key: Some("Order Completed".into()),
            json_schema: json!({"properties": {}}),
            version: 1,
        };
        c.replace_rules(&plan.id, &[rule]).await.unwrap();
        c.add_tracking_plan_source(&plan.id, &source.id)
            .await
            .unwrap();
        c.create_function(&CreateFunction {
            code: "async function onTrack() {}".into(),
            display_name: "Fn".into(),
            resource_type: "SOURCE".into(),
            ..Default::default()
        })
        .await
        .unwrap();
        ws.add_user("alice@example.com", "Alice").await.unwrap();
        let group = c.create_user_group("Analysts").await.unwrap();
        c.add_user_group_members(
            &group.id,
            &[
                "alice@example.com".to_string(),
                "new@example.com".to_string(),
            ],
        )
        .await
        .unwrap();
        (c.get_workspace().await.unwrap(), source, dest, wh, label)
    };
    let plan_id = ws.owner().list_tracking_plans().await.unwrap()[0]
        .id
        .clone();
    let rules = ws.owner().list_rules(&plan_id).await.unwrap();
    let group_id = ws.owner().list_user_groups().await.unwrap()[0].id.clone();
    let members = ws.owner().list_user_group_users(&group_id).await.unwrap();
    let before = ws.snapshot().await;

    ws.restart().await.unwrap();

    assert_eq!(ws.snapshot().await, before);
    let c = ws.owner();
    assert_eq!(c.get_workspace().await.unwrap(), workspace);
    assert_eq!(c.get_source(&source.id).await.unwrap(), source);
    assert_eq!(c.get_destination(&dest.id).await.unwrap(), dest);
    assert_eq!(c.get_warehouse(&wh.id).await.unwrap(), wh);
    assert_eq!(
        c.list_warehouse_sources(&wh.id).await.unwrap(),
        vec![source.clone()]
    );
    assert_eq!(c.list_labels().await.unwrap(), vec![label]);
    assert_eq!(c.list_rules(&plan_id).await.unwrap(), rules);
    assert_eq!(
        c.list_tracking_plan_sources(&plan_id).await.unwrap(),
        vec![source.clone()]
    );
    assert_eq!(c.list_user_group_users(&group_id).await.unwrap(), members);
    assert_eq!(
        c.list_user_group_invites(&group_id).await.unwrap(),
        ["new@example.com".to_string()]
    );
    // The secret is still stored (it comes back masked, not missing).
    assert_eq!(
        c.get_source(&source.id).await.unwrap().settings,
        settings(json!({"apiKey": "••••••••"}))
    );
    // Both tokens are still valid and still scoped.
    assert_eq!(ws.reader().get_source(&source.id).await.unwrap(), source);
    assert_client_error(ws.reader().delete_source(&source.id).await, 403, None);
    // Unique keys are still enforced.
    assert_client_error(
        c.create_source(&fixtures::javascript_source("billing"))
            .await,
        409,
        Some("slug"),
    );
}

#[tokio::test]
async fn the_audit_trail_carries_on_across_a_restart() {
    let mut ws = TestWorkspace::start().await.unwrap();
    for i in 0..5 {
        ws.owner()
            .create_source(&fixtures::javascript_source(&format!("s{i}")))
            .await
            .unwrap();
    }
    let q = AuditQuery::default();
    let before = ws.owner().list_audit_events(&q).await.unwrap();
    // A follower that has read four events keeps this cursor.
    let (page, p) = ws.owner().audit_events_page(&q, None, 4).await.unwrap();
    assert_eq!(page, before[..4]);
    let cursor = p.next.expect("a fifth event follows");

    ws.restart().await.unwrap();

    assert_eq!(ws.owner().list_audit_events(&q).await.unwrap(), before);
    let late = ws
        .owner()
        .create_source(&fixtures::javascript_source("late"))
        .await
        .unwrap();
    let (rest, p) = ws
        .owner()
        .audit_events_page(&q, Some(&cursor), 200)
        .await
        .unwrap();
    assert_eq!(p.next, None);
    assert_eq!(rest.len(), 2, "{rest:#?}");
    assert_eq!(rest[0], before[4]);
    assert_eq!(
        (rest[1].kind.as_str(), rest[1].resource_id.as_str()),
        ("Source Created", late.id.as_str())
    );
    assert!(rest[1].timestamp >= before[4].timestamp);
    let ids: std::collections::HashSet<String> = ws
        .owner()
        .list_audit_events(&q)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.id)
        .collect();
    assert_eq!(ids.len(), 6, "ids stay unique after a restart");
}

#[tokio::test]
async fn a_stopped_server_refuses_connections_and_a_restart_serves_again() {
    let mut ws = TestWorkspace::start().await.unwrap();
    let s = ws
        .owner()
        .create_source(&fixtures::javascript_source("web"))
        .await
        .unwrap();
    let client = ws.owner().clone();
    ws.stop().await.unwrap();
    let err = client.get_source(&s.id).await.unwrap_err();
    assert!(matches!(err, segment_api::Error::Transport { .. }), "{err}");
    ws.restart().await.unwrap();
    assert_eq!(ws.owner().get_source(&s.id).await.unwrap(), s);
}
