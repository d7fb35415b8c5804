//! What an export costs in requests, which is what Segment's rate limit
//! counts: a list per parent only where the parent can hold children, and
//! no read of an object a list already returned.

mod support;

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use segment_e2e::fixtures::{amplitude_destination, postgres_warehouse};
use segment_e2e::within;
use segment_workspace::catalog::Catalog;
use support::{answered, gitops_ok, temp_dir};

const LIMIT: Duration = Duration::from_secs(120);
/// Sources added to the sample, each with a destination whose integration
/// has no actions and a connection to one warehouse.
const EXTRA: usize = 20;
/// Requests of an export beside the per-destination lists: a list per
/// type and per other parent (plans' rules and sources, a warehouse's
/// sources, an insert function's instances, a group's members), the audit
/// trail's end, and some slack for the sample's growth.
const OTHER_REQUESTS: u64 = 45;

fn utf8(p: &Path) -> &str {
    p.to_str().expect("a UTF-8 path")
}

/// The workspace's request counts by route.
async fn by_route(ws: &segment_e2e::TestWorkspace, routes: &[&str]) -> BTreeMap<String, u64> {
    let mut out = BTreeMap::new();
    for r in routes {
        out.insert(r.to_string(), answered(ws, Some(r), None).await);
    }
    out
}

// What broke: at 10,030 resources an export made 6,261 requests, 10 minutes
// of Segment's assumed 600 a minute: every destination's subscriptions were
// listed though half cannot have any (a subscription names one of its
// integration's actions), every connected source listed its warehouses
// though the export had just listed each warehouse's sources, and every
// tracking plan and insert function instance was read again after its
// list had returned it whole.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_export_lists_children_only_where_they_can_be_and_reads_nothing_twice() {
    let ws = support::seeded_workspace().await;
    let owner = ws.owner();
    let warehouse = within(
        LIMIT,
        "warehouse",
        owner.create_warehouse(&postgres_warehouse("budget")),
    )
    .await
    .expect("create a warehouse");
    for i in 0..EXTRA {
        let source = support::source(&ws, &format!("budget-{i}")).await;
        within(
            LIMIT,
            "destination",
            owner.create_destination(&amplitude_destination(&source.id)),
        )
        .await
        .expect("create a destination without actions");
        within(
            LIMIT,
            "connect",
            owner.connect_warehouse_source(&warehouse.id, &source.id),
        )
        .await
        .expect("connect the source to the warehouse");
    }
    let destinations = owner.list_destinations().await.expect("destinations");
    let catalog = Catalog::get();
    let with_actions = destinations
        .iter()
        .filter(|d| {
            catalog
                .destination(&d.metadata.id)
                .is_some_and(|m| !m.actions.is_empty())
        })
        .count() as u64;
    let all = destinations.len() as u64;
    assert!(all >= with_actions + EXTRA as u64, "{all} destinations");

    let routes = [
        "/destinations/{id}/subscriptions",
        "/destination/{destination_id}/filters",
        "/sources/{id}/connected-warehouses",
        "/tracking-plans/{id}",
        "/insert-function-instances/{id}",
    ];
    let before = (
        answered(&ws, None, None).await,
        by_route(&ws, &routes).await,
    );
    let dir = temp_dir();
    let repo = dir.path().join("repo");
    gitops_ok(&ws, &["export", "--repo", utf8(&repo)]);
    let sent = answered(&ws, None, None).await - before.0;
    let after = by_route(&ws, &routes).await;
    let made = |route: &str| after[route] - before.1[route];
    eprintln!(
        "export: {sent} requests for {all} destinations ({with_actions} with actions); {:?}",
        routes.iter().map(|r| (r, made(r))).collect::<Vec<_>>()
    );

    assert_eq!(
        made("/destination/{destination_id}/filters"),
        all,
        "a list each"
    );
    assert_eq!(
        made("/destinations/{id}/subscriptions"),
        with_actions,
        "subscriptions are listed only where the integration has actions"
    );
    assert_eq!(
        made("/sources/{id}/connected-warehouses"),
        0,
        "connections are read from the warehouses' lists"
    );
    assert_eq!(
        made("/tracking-plans/{id}"),
        0,
        "plans come whole in their list"
    );
    assert_eq!(
        made("/insert-function-instances/{id}"),
        0,
        "instances come whole in their list"
    );
    let bound = all + with_actions + OTHER_REQUESTS;
    assert!(
        sent <= bound,
        "{sent} requests, more than {bound}: one per destination, one more per destination \
         with actions, {OTHER_REQUESTS} for the rest"
    );
}
