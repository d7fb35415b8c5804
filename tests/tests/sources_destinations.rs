//! Sources and destinations through the typed client: create, get, list
//! (across several pages), update, delete, and what a delete takes with it.

use std::collections::HashSet;

use futures::{stream, StreamExt};
use segment_api::models::{AuditEvent, AuditQuery, UpdateDestination, UpdateSource};
use segment_e2e::fixtures::{self, settings};
use segment_e2e::{assert_client_error, TestWorkspace};
use serde_json::{json, Value};

const MASK: &str = "••••••••";

async fn audit(ws: &TestWorkspace) -> Vec<AuditEvent> {
    ws.owner()
        .list_audit_events(&AuditQuery::default())
        .await
        .expect("audit events")
}

fn kinds(events: &[AuditEvent]) -> Vec<&str> {
    events.iter().map(|e| e.kind.as_str()).collect()
}

#[tokio::test]
async fn source_lifecycle() {
    let ws = TestWorkspace::start().await.unwrap();
    let c = ws.owner();
    let workspace = c.get_workspace().await.unwrap();

    let mut input = fixtures::stripe_source("billing", "sk_live_1");
    input
        .settings
        .as_mut()
        .unwrap()
        .insert("includeTestData".into(), json!(true));
    let created = c.create_source(&input).await.unwrap();
    assert_eq!(created.id.len(), 22, "{created:?}");
    assert_eq!(created.slug, "billing");
    assert_eq!(created.name, None);
    assert!(created.enabled);
    assert_eq!(created.workspace_id, workspace.id);
    assert_eq!(created.metadata.id, fixtures::STRIPE_SOURCE);
    assert_eq!(created.metadata.name, "Stripe");
    assert_eq!(created.write_keys.len(), 1);
    assert_eq!(created.write_keys[0].len(), 32);
    assert!(created.labels.is_empty());
    // The secret comes back masked, the rest as sent.
    assert_eq!(
        created.settings,
        settings(json!({"apiKey": MASK, "includeTestData": true}))
    );

    assert_eq!(c.get_source(&created.id).await.unwrap(), created);
    let raw = ws.get_raw(&format!("sources/{}", created.id)).await;
    assert_eq!(raw.data()["trackingPlanId"], Value::Null);
    assert_eq!(c.list_sources().await.unwrap(), vec![created.clone()]);

    // Settings merge: keys given replace, others stay.
    let updated = c
        .update_source(
            &created.id,
            &UpdateSource {
                name: Some("Billing".into()),
                enabled: Some(false),
                settings: Some(settings(json!({"accountId": "acct_1"}))),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(updated.name.as_deref(), Some("Billing"));
    assert!(!updated.enabled);
    assert_eq!(updated.slug, "billing");
    assert_eq!(updated.write_keys, created.write_keys);
    assert_eq!(
        updated.settings,
        settings(json!({"apiKey": MASK, "includeTestData": true, "accountId": "acct_1"}))
    );
    assert_eq!(c.get_source(&created.id).await.unwrap(), updated);

    // The mask sent back keeps the secret; null removes a key.
    let updated = c
        .update_source(
            &created.id,
            &UpdateSource {
                slug: Some("billing-v2".into()),
                settings: Some(settings(json!({"apiKey": MASK, "includeTestData": null}))),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(updated.slug, "billing-v2");
    assert_eq!(
        updated.settings,
        settings(json!({"apiKey": MASK, "accountId": "acct_1"}))
    );
    assert_eq!(c.get_source(&created.id).await.unwrap(), updated);
    assert_eq!(c.list_sources().await.unwrap(), vec![updated.clone()]);

    let status = c.delete_source(&created.id).await.unwrap();
    assert_eq!(status.status, "SUCCESS");
    assert_client_error(c.get_source(&created.id).await, 404, None);
    assert_client_error(c.delete_source(&created.id).await, 404, None);
    assert_client_error(
        c.update_source(&created.id, &UpdateSource::default()).await,
        404,
        None,
    );
    assert!(c.list_sources().await.unwrap().is_empty());

    let events = audit(&ws).await;
    assert_eq!(
        kinds(&events),
        [
            "Source Created",
            "Source Modified",
            "Source Modified",
            "Source Deleted"
        ]
    );
    assert!(events.iter().all(|e| e.resource_id == created.id));
    assert!(events.iter().all(|e| e.resource_type == "Source"));
    let names: Vec<&str> = events.iter().map(|e| e.resource_name.as_str()).collect();
    assert_eq!(names, ["billing", "Billing", "Billing", "Billing"]);
}

#[tokio::test]
async fn destination_lifecycle() {
    let ws = TestWorkspace::start().await.unwrap();
    let c = ws.owner();
    let source = c
        .create_source(&fixtures::javascript_source("web"))
        .await
        .unwrap();
    let other = c
        .create_source(&fixtures::javascript_source("ios"))
        .await
        .unwrap();

    let created = c
        .create_destination(&fixtures::amplitude_destination(&source.id))
        .await
        .unwrap();
    assert_eq!(created.id.len(), 22);
    assert_eq!(created.source_id, source.id);
    assert_eq!(created.name.as_deref(), Some("Amplitude"));
    assert!(created.enabled);
    assert_eq!(created.metadata.id, fixtures::AMPLITUDE_DESTINATION);
    assert_eq!(created.metadata.name, "Amplitude");
    assert_eq!(
        created.settings,
        settings(json!({"apiKey": MASK, "trackAllPages": true}))
    );
    assert_eq!(c.get_destination(&created.id).await.unwrap(), created);
    assert_eq!(c.list_destinations().await.unwrap(), vec![created.clone()]);
    assert_eq!(
        c.list_connected_destinations(&source.id).await.unwrap(),
        vec![created.clone()]
    );
    assert!(c
        .list_connected_destinations(&other.id)
        .await
        .unwrap()
        .is_empty());

    // Without `enabled` a destination starts disabled.
    let mut webhooks = fixtures::amplitude_destination(&other.id);
    webhooks.metadata_id = fixtures::WEBHOOKS_DESTINATION.into();
    webhooks.enabled = None;
    webhooks.name = None;
    webhooks.settings = settings(json!({"globalHook": "https://hooks.example.com/in"}));
    let hook = c.create_destination(&webhooks).await.unwrap();
    assert!(!hook.enabled);
    assert_eq!(hook.name, None);
    assert_eq!(
        c.list_connected_destinations(&other.id).await.unwrap(),
        vec![hook.clone()]
    );

    let updated = c
        .update_destination(
            &created.id,
            &UpdateDestination {
                name: Some(None),
                enabled: Some(false),
                settings: Some(settings(json!({"traitsToIncrement": ["logins"]}))),
            },
        )
        .await
        .unwrap();
    assert_eq!(updated.name, None, "null clears the name");
    assert!(!updated.enabled);
    assert_eq!(
        updated.settings,
        settings(json!({"apiKey": MASK, "trackAllPages": true, "traitsToIncrement": ["logins"]}))
    );
    assert_eq!(c.get_destination(&created.id).await.unwrap(), updated);
    let renamed = c
        .update_destination(
            &created.id,
            &UpdateDestination {
                name: Some(Some("Product analytics".into())),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(renamed.name.as_deref(), Some("Product analytics"));
    assert_eq!(renamed.settings, updated.settings);

    assert_eq!(
        c.delete_destination(&created.id).await.unwrap().status,
        "SUCCESS"
    );
    assert_client_error(c.get_destination(&created.id).await, 404, None);
    assert_client_error(c.delete_destination(&created.id).await, 404, None);
    assert!(c
        .list_connected_destinations(&source.id)
        .await
        .unwrap()
        .is_empty());
    assert_eq!(c.list_destinations().await.unwrap(), vec![hook.clone()]);
    // The source is untouched by its destination's delete.
    assert_eq!(c.get_source(&source.id).await.unwrap(), source);

    let events: Vec<AuditEvent> = audit(&ws)
        .await
        .into_iter()
        .filter(|e| e.resource_type == "Destination")
        .collect();
    assert_eq!(
        kinds(&events),
        [
            "Destination Created",
            "Destination Created",
            "Destination Modified",
            "Destination Modified",
            "Destination Deleted"
        ]
    );
    assert_eq!(events[1].resource_id, hook.id);
    // A destination without a name is recorded by its integration's name.
    assert_eq!(events[1].resource_name, "Webhooks");
    assert_eq!(events[4].resource_name, "Product analytics");
}

#[tokio::test]
async fn deleting_a_source_deletes_what_depends_on_it() {
    let ws = TestWorkspace::start().await.unwrap();
    let c = ws.owner();
    let doomed = c
        .create_source(&fixtures::javascript_source("doomed"))
        .await
        .unwrap();
    let kept = c
        .create_source(&fixtures::javascript_source("kept"))
        .await
        .unwrap();
    let d1 = c
        .create_destination(&fixtures::amplitude_destination(&doomed.id))
        .await
        .unwrap();
    let d2 = c
        .create_destination(&fixtures::amplitude_destination(&doomed.id))
        .await
        .unwrap();
    let d3 = c
        .create_destination(&fixtures::amplitude_destination(&kept.id))
        .await
        .unwrap();
    let wh = c
        .create_warehouse(&fixtures::postgres_warehouse("Main"))
        .await
        .unwrap();
    c.connect_warehouse_source(&wh.id, &doomed.id)
        .await
        .unwrap();
    c.connect_warehouse_source(&wh.id, &kept.id).await.unwrap();
    let before = audit(&ws).await.len();

    c.delete_source(&doomed.id).await.unwrap();

    assert_client_error(c.get_destination(&d1.id).await, 404, None);
    assert_client_error(c.get_destination(&d2.id).await, 404, None);
    assert_eq!(c.get_destination(&d3.id).await.unwrap(), d3);
    assert_eq!(c.list_destinations().await.unwrap(), vec![d3]);
    assert_eq!(c.get_warehouse(&wh.id).await.unwrap(), wh);
    let connected: Vec<String> = c
        .list_warehouse_sources(&wh.id)
        .await
        .unwrap()
        .into_iter()
        .map(|s| s.id)
        .collect();
    assert_eq!(connected, std::slice::from_ref(&kept.id));

    // One event per deleted resource, the source's own last.
    let events = audit(&ws).await;
    let tail = &events[before..];
    assert_eq!(tail.len(), 4, "{tail:#?}");
    let last = tail.last().unwrap();
    assert_eq!(
        (last.kind.as_str(), last.resource_id.as_str()),
        ("Source Deleted", doomed.id.as_str())
    );
    let mut dependents: Vec<(&str, &str)> = tail[..3]
        .iter()
        .map(|e| (e.kind.as_str(), e.resource_id.as_str()))
        .collect();
    dependents.sort();
    let connection = format!("{}:{}", wh.id, doomed.id);
    let mut expected = vec![
        ("Destination Deleted", d1.id.as_str()),
        ("Destination Deleted", d2.id.as_str()),
        ("Source Warehouse Connection Deleted", connection.as_str()),
    ];
    expected.sort();
    assert_eq!(dependents, expected);
}

/// 450 sources made concurrently, then read back through every page style.
#[tokio::test]
async fn lists_span_several_pages_in_both_query_styles() {
    const N: usize = 450;
    let ws = TestWorkspace::start().await.unwrap();
    let c = ws.owner().clone();
    let made: Vec<String> = stream::iter(0..N)
        .map(|i| {
            let c = c.clone();
            async move {
                c.create_source(&fixtures::javascript_source(&format!("src-{i:03}")))
                    .await
                    .map(|s| s.id)
            }
        })
        .buffer_unordered(16)
        .collect::<Vec<_>>()
        .await
        .into_iter()
        .collect::<Result<_, _>>()
        .unwrap();
    let made: HashSet<String> = made.into_iter().collect();
    assert_eq!(made.len(), N);

    // The typed client walks pages of 200.
    let all: Vec<String> = c
        .list_sources()
        .await
        .unwrap()
        .into_iter()
        .map(|s| s.id)
        .collect();
    assert_eq!(all.len(), N);
    assert_eq!(all.iter().cloned().collect::<HashSet<_>>(), made);

    // Dotted style, count 200: pages of 200, 200, 50.
    let pages = walk(&ws, "pagination.count=200", "pagination.cursor").await;
    let sizes: Vec<usize> = pages.iter().map(Vec::len).collect();
    assert_eq!(sizes, [200, 200, 50]);
    assert_eq!(pages.concat(), all, "same order as the client saw");

    // Bracket style, literal and percent-encoded, count 7.
    for (count, cursor) in [
        ("pagination[count]=7", "pagination[cursor]"),
        ("pagination%5Bcount%5D=7", "pagination%5Bcursor%5D"),
    ] {
        let pages = walk(&ws, count, cursor).await;
        assert_eq!(pages.len(), N.div_ceil(7), "{count}");
        assert!(pages[..pages.len() - 1].iter().all(|p| p.len() == 7));
        assert_eq!(pages.last().unwrap().len(), N % 7);
        assert_eq!(pages.concat(), all, "{count}");
    }

    // Page size 1 and 200 are the bounds.
    let one = ws.get_raw("sources?pagination.count=1").await;
    assert_eq!(one.data()["sources"].as_array().unwrap().len(), 1);
    assert_eq!(one.data()["sources"][0]["id"], all[0].as_str());
}

/// Reads `sources` page by page with `count_param` and the cursor under
/// `cursor_param`, checking each page's pagination block.
async fn walk(ws: &TestWorkspace, count_param: &str, cursor_param: &str) -> Vec<Vec<String>> {
    let mut pages = Vec::new();
    let mut cursor: Option<String> = None;
    for _ in 0..200 {
        let mut path = format!("sources?{count_param}");
        if let Some(c) = &cursor {
            path.push_str(&format!("&{cursor_param}={c}"));
        }
        let raw = ws.get_raw(&path).await;
        let data = raw.data();
        let ids: Vec<String> = data["sources"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["id"].as_str().unwrap().to_string())
            .collect();
        let p = &data["pagination"];
        assert_eq!(p["totalEntries"], 450, "{path}");
        assert!(p["current"].is_string(), "{path}: {p}");
        if let Some(c) = &cursor {
            assert_eq!(p["current"], c.as_str(), "current names the page read");
        }
        pages.push(ids);
        match p["next"].as_str() {
            Some(n) => {
                assert!(!n.is_empty());
                cursor = Some(n.to_string());
            }
            None => {
                assert_eq!(p["next"], Value::Null, "{path}");
                return pages;
            }
        }
    }
    panic!("{count_param}: more than 200 pages");
}

/// An export's client answers reads of what it listed from the lists: the
/// objects are deleted behind its back and it still reads them, once each,
/// while a plain client sees them gone.
#[tokio::test]
async fn a_prefetching_client_reads_listed_objects_from_their_lists() {
    let ws = TestWorkspace::start().await.unwrap();
    let c = ws.owner();
    let source = c
        .create_source(&fixtures::javascript_source("web"))
        .await
        .unwrap();
    let destination = c
        .create_destination(&fixtures::amplitude_destination(&source.id))
        .await
        .unwrap();
    let plan = c
        .create_tracking_plan(&segment_api::models::CreateTrackingPlan {
            name: "Web".into(),
            description: None,
            kind: "LIVE".into(),
        })
        .await
        .unwrap();
    c.add_tracking_plan_source(&plan.id, &source.id)
        .await
        .unwrap();

    let export = c.prefetching();
    let sources = export.list_sources().await.unwrap();
    let destination_ids = export.list_destination_ids().await.unwrap();
    assert_eq!(destination_ids, std::slice::from_ref(&destination.id));
    let plan_sources = export.list_tracking_plan_sources(&plan.id).await.unwrap();
    assert_eq!(plan_sources.len(), 1);

    c.delete_destination(&destination.id).await.unwrap();
    c.remove_tracking_plan_source(&plan.id, &source.id)
        .await
        .unwrap();
    c.delete_source(&source.id).await.unwrap();

    assert_eq!(export.get_source(&source.id).await.unwrap(), sources[0]);
    let read = export.get_destination(&destination.id).await.unwrap();
    assert_eq!(read.id, destination.id);
    assert_eq!(read.metadata, destination.metadata);
    // Lists are read once: every connection of a plan re-lists its sources.
    for _ in 0..3 {
        let again = export.list_tracking_plan_sources(&plan.id).await.unwrap();
        assert_eq!(again, plan_sources);
    }
    // Each kept object answers one read; the next goes to the API.
    assert_client_error(export.get_source(&source.id).await, 404, None);
    assert_client_error(c.get_destination(&destination.id).await, 404, None);
    assert!(c
        .list_tracking_plan_sources(&plan.id)
        .await
        .unwrap()
        .is_empty());
}
