//! The audit trail: one event per write, oldest first, complete and in
//! order under concurrent writers, followable through cursors while writes
//! go on, and filterable by time, resource id and resource type.

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use futures::future::join_all;
use segment_api::models::{
    AuditEvent, AuditQuery, Label, UpdateDestination, UpdateSource, UpdateWarehouse,
};
use segment_api::Client;
use segment_e2e::{
    assert_client_error, assert_error, fixtures, within, Scope, TestWorkspace, OWNER_EMAIL,
};

async fn all_events(c: &Client) -> Vec<AuditEvent> {
    c.list_audit_events(&AuditQuery::default()).await.unwrap()
}

/// `2026-11-21T16:03:53.123Z`: fixed width, UTC, milliseconds.
fn assert_timestamp_shape(t: &str) {
    let b = t.as_bytes();
    assert_eq!(b.len(), 24, "{t}");
    for (i, c) in b.iter().enumerate() {
        let expected = match i {
            4 | 7 => Some(b'-'),
            10 => Some(b'T'),
            13 | 16 => Some(b':'),
            19 => Some(b'.'),
            23 => Some(b'Z'),
            _ => None,
        };
        match expected {
            Some(e) => assert_eq!(*c, e, "{t}"),
            None => assert!(c.is_ascii_digit(), "{t}"),
        }
    }
}

/// Asserts the events after the first `seen` are exactly `expected`
/// (type, resource id), and moves `seen` past them.
async fn expect_new(c: &Client, seen: &mut usize, expected: &[(&str, &str)]) {
    let events = all_events(c).await;
    let got: Vec<(&str, &str)> = events[*seen..]
        .iter()
        .map(|e| (e.kind.as_str(), e.resource_id.as_str()))
        .collect();
    assert_eq!(got, expected);
    *seen = events.len();
}

#[tokio::test]
async fn every_write_records_exactly_one_event() {
    let ws = TestWorkspace::start().await.unwrap();
    let c = ws.owner();
    let mut seen = 0usize;
    let label = Label {
        key: "env".into(),
        value: "prod".into(),
        description: Some("Production".into()),
    };
    c.create_label(&label).await.unwrap();
    expect_new(c, &mut seen, &[("Label Created", "env:prod")]).await;
    let s = c
        .create_source(&fixtures::javascript_source("web"))
        .await
        .unwrap();
    expect_new(c, &mut seen, &[("Source Created", &s.id)]).await;
    let rename = UpdateSource {
        name: Some("Web".into()),
        ..Default::default()
    };
    c.update_source(&s.id, &rename).await.unwrap();
    expect_new(c, &mut seen, &[("Source Modified", &s.id)]).await;
    c.add_source_labels(&s.id, std::slice::from_ref(&label))
        .await
        .unwrap();
    expect_new(c, &mut seen, &[("Source Modified", &s.id)]).await;
    c.replace_source_labels(&s.id, &[]).await.unwrap();
    expect_new(c, &mut seen, &[("Source Modified", &s.id)]).await;
    let d = c
        .create_destination(&fixtures::amplitude_destination(&s.id))
        .await
        .unwrap();
    expect_new(c, &mut seen, &[("Destination Created", &d.id)]).await;
    let disable = UpdateDestination {
        enabled: Some(false),
        ..Default::default()
    };
    c.update_destination(&d.id, &disable).await.unwrap();
    expect_new(c, &mut seen, &[("Destination Modified", &d.id)]).await;
    let w = c
        .create_warehouse(&fixtures::postgres_warehouse("Main"))
        .await
        .unwrap();
    expect_new(c, &mut seen, &[("Warehouse Created", &w.id)]).await;
    let disable = UpdateWarehouse {
        enabled: Some(false),
        ..Default::default()
    };
    c.update_warehouse(&w.id, &disable).await.unwrap();
    expect_new(c, &mut seen, &[("Warehouse Modified", &w.id)]).await;
    let conn = format!("{}:{}", w.id, s.id);
    c.connect_warehouse_source(&w.id, &s.id).await.unwrap();
    expect_new(
        c,
        &mut seen,
        &[("Source Warehouse Connection Created", &conn)],
    )
    .await;
    c.disconnect_warehouse_source(&w.id, &s.id).await.unwrap();
    expect_new(
        c,
        &mut seen,
        &[("Source Warehouse Connection Deleted", &conn)],
    )
    .await;
    c.delete_warehouse(&w.id).await.unwrap();
    expect_new(c, &mut seen, &[("Warehouse Deleted", &w.id)]).await;
    c.delete_destination(&d.id).await.unwrap();
    expect_new(c, &mut seen, &[("Destination Deleted", &d.id)]).await;
    c.delete_label("env", "prod").await.unwrap();
    expect_new(c, &mut seen, &[("Label Deleted", "env:prod")]).await;
    let keep = c
        .create_source(&fixtures::javascript_source("keep"))
        .await
        .unwrap();
    expect_new(c, &mut seen, &[("Source Created", &keep.id)]).await;
    c.delete_source(&s.id).await.unwrap();
    expect_new(c, &mut seen, &[("Source Deleted", &s.id)]).await;

    // Reads and refused writes record nothing.
    c.list_sources().await.unwrap();
    c.get_workspace().await.unwrap();
    assert_client_error(c.get_source(&s.id).await, 404, None);
    assert_client_error(c.delete_source(&s.id).await, 404, None);
    assert_client_error(
        c.create_destination(&fixtures::amplitude_destination("nope"))
            .await,
        404,
        Some("sourceId"),
    );
    assert_client_error(
        c.create_source(&fixtures::javascript_source("keep")).await,
        409,
        Some("slug"),
    );
    assert_client_error(
        c.create_source(&fixtures::javascript_source("Not A Slug"))
            .await,
        422,
        Some("slug"),
    );
    assert_client_error(
        ws.reader().update_source(&keep.id, &rename).await,
        403,
        None,
    );
    expect_new(c, &mut seen, &[]).await;

    let events = all_events(c).await;
    let ids: HashSet<&str> = events.iter().map(|e| e.id.as_str()).collect();
    assert_eq!(ids.len(), events.len(), "event ids are unique");
    for e in &events {
        assert_eq!(e.id.len(), 22, "{e:?}");
        assert_timestamp_shape(&e.timestamp);
        assert_eq!(e.actor, OWNER_EMAIL);
        assert_eq!(e.actor_email.as_deref(), Some(OWNER_EMAIL));
    }
    assert!(
        events.windows(2).all(|p| p[0].timestamp <= p[1].timestamp),
        "oldest first"
    );
}

/// Follows the trail from the start, `count` events a page, keeping its
/// place: the next cursor while there is one, else the current page's
/// cursor and how many of its events it has already taken.
struct Follower {
    client: Client,
    count: u32,
    cursor: Option<String>,
    taken_from_page: usize,
    seen: Vec<AuditEvent>,
}

impl Follower {
    fn new(client: Client, count: u32) -> Self {
        Follower {
            client,
            count,
            cursor: None,
            taken_from_page: 0,
            seen: Vec::new(),
        }
    }

    /// Reads one page; returns how many new events it brought.
    async fn poll(&mut self, query: &AuditQuery) -> usize {
        let (events, page) = self
            .client
            .audit_events_page(query, self.cursor.as_deref(), self.count)
            .await
            .unwrap();
        let new = events.len().saturating_sub(self.taken_from_page);
        assert!(
            events.len() >= self.taken_from_page,
            "a page shrank: events vanished from the trail"
        );
        self.seen
            .extend(events.into_iter().skip(self.taken_from_page));
        match page.next {
            Some(next) => {
                self.cursor = Some(next);
                self.taken_from_page = 0;
            }
            None => {
                self.cursor = Some(page.current);
                self.taken_from_page += new;
            }
        }
        new
    }
}

/// 8 writers, each with a token of its own, create, update and delete
/// sources at once while a follower reads the trail 7 events a page.
#[tokio::test]
async fn concurrent_writers_leave_a_complete_ordered_trail() {
    const WRITERS: usize = 8;
    const ROUNDS: usize = 10;
    const EXPECTED: usize = WRITERS * ROUNDS * 3;
    let ws = TestWorkspace::start().await.unwrap();
    let mut clients = Vec::new();
    for w in 0..WRITERS {
        let token = ws
            .add_token(&format!("writer{w}@example.com"), Scope::WorkspaceOwner)
            .await
            .unwrap();
        clients.push(ws.client_with_token(&token).unwrap());
    }
    let writers = clients.into_iter().enumerate().map(|(w, c)| async move {
        for i in 0..ROUNDS {
            let s = c
                .create_source(&fixtures::javascript_source(&format!("w{w}-{i}")))
                .await
                .unwrap();
            let patch = UpdateSource {
                name: Some(format!("Writer {w} #{i}")),
                ..Default::default()
            };
            c.update_source(&s.id, &patch).await.unwrap();
            c.delete_source(&s.id).await.unwrap();
        }
    });
    let mut follower = Follower::new(ws.owner().clone(), 7);
    let follow = async {
        let q = AuditQuery::default();
        while follower.seen.len() < EXPECTED {
            if follower.poll(&q).await == 0 {
                tokio::time::sleep(Duration::from_millis(2)).await;
            }
        }
    };
    within(Duration::from_secs(30), "writers and follower", async {
        futures::join!(join_all(writers), follow)
    })
    .await;
    // Nothing more arrives after the writers are done.
    assert_eq!(follower.poll(&AuditQuery::default()).await, 0);

    let all = all_events(ws.owner()).await;
    assert_eq!(all.len(), EXPECTED);
    let ids = |v: &[AuditEvent]| v.iter().map(|e| e.id.clone()).collect::<Vec<_>>();
    assert_eq!(
        ids(&follower.seen),
        ids(&all),
        "the follower read every event once, in order"
    );
    assert_eq!(
        all.iter().map(|e| &e.id).collect::<HashSet<_>>().len(),
        EXPECTED,
        "no event twice"
    );
    assert!(all.windows(2).all(|p| p[0].timestamp <= p[1].timestamp));

    // Each writer's events are its own operations, in its own order, under its name.
    let mut by_writer: HashMap<String, Vec<(String, String)>> = HashMap::new();
    for e in &all {
        by_writer
            .entry(e.actor_email.clone().unwrap())
            .or_default()
            .push((e.kind.clone(), e.resource_name.clone()));
    }
    assert_eq!(by_writer.len(), WRITERS);
    for w in 0..WRITERS {
        let expected: Vec<(String, String)> = (0..ROUNDS)
            .flat_map(|i| {
                let name = format!("Writer {w} #{i}");
                [
                    ("Source Created".to_string(), format!("w{w}-{i}")),
                    ("Source Modified".to_string(), name.clone()),
                    ("Source Deleted".to_string(), name),
                ]
            })
            .collect();
        assert_eq!(
            by_writer[&format!("writer{w}@example.com")],
            expected,
            "writer {w}"
        );
    }
}

/// 8 writers change the same source at once: no update is lost and each
/// one is recorded exactly once.
#[tokio::test]
async fn concurrent_updates_of_one_resource_are_all_kept_and_recorded() {
    let ws = TestWorkspace::start().await.unwrap();
    let c = ws.owner();
    let s = c
        .create_source(&fixtures::javascript_source("shared"))
        .await
        .unwrap();
    let labels: Vec<Label> = (0..8)
        .map(|i| Label {
            key: "team".into(),
            value: format!("t{i}"),
            description: None,
        })
        .collect();
    for l in &labels {
        c.create_label(l).await.unwrap();
    }
    let before = all_events(c).await.len();
    let adds = labels.iter().map(|l| {
        let c = c.clone();
        let id = s.id.clone();
        let l = l.clone();
        async move { c.add_source_labels(&id, &[l]).await.unwrap() }
    });
    within(Duration::from_secs(30), "label writers", join_all(adds)).await;
    let mut got = c.get_source(&s.id).await.unwrap().labels;
    got.sort();
    assert_eq!(got, labels, "every writer's label is kept");
    let events = all_events(c).await;
    let tail = &events[before..];
    assert_eq!(tail.len(), 8, "{tail:#?}");
    assert!(tail
        .iter()
        .all(|e| e.kind == "Source Modified" && e.resource_id == s.id));
}

#[tokio::test]
async fn filters_by_time_resource_and_type() {
    let ws = TestWorkspace::start().await.unwrap();
    let c = ws.owner();
    let pause = || tokio::time::sleep(Duration::from_millis(30));
    // Phase A.
    let a = c
        .create_source(&fixtures::javascript_source("a"))
        .await
        .unwrap();
    let d = c
        .create_destination(&fixtures::amplitude_destination(&a.id))
        .await
        .unwrap();
    pause().await;
    // Phase B.
    c.update_source(
        &a.id,
        &UpdateSource {
            enabled: Some(false),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let b = c
        .create_source(&fixtures::javascript_source("b"))
        .await
        .unwrap();
    c.create_label(&Label {
        key: "k".into(),
        value: "v".into(),
        description: None,
    })
    .await
    .unwrap();
    pause().await;
    // Phase C.
    c.delete_destination(&d.id).await.unwrap();
    c.update_source(
        &b.id,
        &UpdateSource {
            enabled: Some(false),
            ..Default::default()
        },
    )
    .await
    .unwrap();

    let all = all_events(c).await;
    assert_eq!(all.len(), 7);
    let (pa, pb, pc) = (&all[0..2], &all[2..5], &all[5..7]);
    assert!(pa[1].timestamp < pb[0].timestamp && pb[2].timestamp < pc[0].timestamp);
    let q = |f: fn(&mut AuditQuery)| {
        let mut q = AuditQuery::default();
        f(&mut q);
        q
    };
    let ids = |v: &[AuditEvent]| v.iter().map(|e| e.id.clone()).collect::<Vec<_>>();
    let run = |query: AuditQuery| {
        let c = c.clone();
        async move { ids(&c.list_audit_events(&query).await.unwrap()) }
    };

    let by_id = AuditQuery {
        resource_id: Some(a.id.clone()),
        ..Default::default()
    };
    let got = c.list_audit_events(&by_id).await.unwrap();
    let kinds: Vec<&str> = got.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(kinds, ["Source Created", "Source Modified"]);

    for t in ["Destination", "destination", "DESTINATION"] {
        let by_type = AuditQuery {
            resource_type: Some(t.into()),
            ..Default::default()
        };
        let got = c.list_audit_events(&by_type).await.unwrap();
        let kinds: Vec<&str> = got.iter().map(|e| e.kind.as_str()).collect();
        assert_eq!(kinds, ["Destination Created", "Destination Deleted"], "{t}");
    }
    assert_eq!(
        run(q(|q| q.resource_type = Some("Label".into()))).await,
        ids(&pb[2..3])
    );
    assert!(run(q(|q| q.resource_type = Some("Warehouse".into())))
        .await
        .is_empty());
    assert!(run(q(|q| q.resource_id = Some("nope".into())))
        .await
        .is_empty());

    // Time bounds are inclusive at both ends.
    let window = AuditQuery {
        start_time: Some(pb[0].timestamp.clone()),
        end_time: Some(pb[2].timestamp.clone()),
        ..Default::default()
    };
    assert_eq!(run(window.clone()).await, ids(pb));
    let from = AuditQuery {
        start_time: Some(pb[0].timestamp.clone()),
        ..Default::default()
    };
    assert_eq!(run(from.clone()).await, ids(&all[2..]));
    let until = AuditQuery {
        end_time: Some(pb[2].timestamp.clone()),
        ..Default::default()
    };
    assert_eq!(run(until).await, ids(&all[..5]));
    assert_eq!(
        run(q(|q| q.start_time = Some("2000-01-01T00:00:00Z".into()))).await,
        ids(&all)
    );
    assert!(run(q(|q| q.end_time = Some("2000-01-01T00:00:00Z".into())))
        .await
        .is_empty());
    assert!(run(q(
        |q| q.start_time = Some("2999-01-01T00:00:00+02:00".into())
    ))
    .await
    .is_empty());

    // Filters combine, and page through cursors one event at a time.
    let mut combined = from;
    combined.resource_type = Some("Source".into());
    let expected = vec![pb[0].id.clone(), pb[1].id.clone(), pc[1].id.clone()];
    assert_eq!(run(combined.clone()).await, expected);
    let mut f = Follower::new(c.clone(), 1);
    for _ in 0..10 {
        f.poll(&combined).await;
    }
    assert_eq!(ids(&f.seen), expected);
    let raw = ws
        .get_raw(&format!(
            "audit-events?resourceType=Source&startTime={}&pagination.count=1",
            pb[0].timestamp
        ))
        .await;
    assert_eq!(raw.data()["pagination"]["totalEntries"], 3);
    assert_eq!(raw.data()["events"].as_array().unwrap().len(), 1);

    for q in [
        "startTime=yesterday",
        "startTime=2026-13-01T00:00:00Z",
        "endTime=2026-01-01",
        "endTime=",
    ] {
        let field = q.split('=').next().unwrap();
        assert_error(
            &ws.get_raw(&format!("audit-events?{q}")).await,
            400,
            Some(field),
        );
    }
}
