//! Tracking plans, their rules (up to 2,000, PUT refused above 200) and the
//! sources connected to them.

use reqwest::Method;
use segment_api::models::{
    AuditEvent, CreateTrackingPlan, Rule, RuleInput, RuleKey, UpdateTrackingPlan, UpsertRule,
};
use segment_api::Client;
use segment_e2e::{assert_client_error, assert_error, fixtures, TestWorkspace};
use serde_json::{json, Value};

fn plan(name: &str) -> CreateTrackingPlan {
    CreateTrackingPlan {
        name: name.into(),
        description: Some("What the web app sends".into()),
        kind: "LIVE".into(),
    }
}

fn rule(kind: &str, key: Option<&str>, version: u32) -> RuleInput {
    RuleInput {
        kind: kind.into(),
        key: key.map(str::to_string),
        json_schema: json!({"properties": {"properties": {"required": ["total"]}}}),
        version,
    }
}

fn key(kind: &str, key: Option<&str>, version: u32) -> RuleKey {
    RuleKey {
        kind: kind.into(),
        key: key.map(str::to_string),
        version,
    }
}

fn identities(rules: &[Rule]) -> Vec<(String, Option<String>, u32)> {
    rules
        .iter()
        .map(|r| (r.kind.clone(), r.key.clone(), r.version))
        .collect()
}

async fn events(c: &Client) -> Vec<AuditEvent> {
    c.list_audit_events(&Default::default()).await.unwrap()
}

#[tokio::test]
async fn tracking_plan_lifecycle() {
    let ws = TestWorkspace::start().await.unwrap();
    let c = ws.owner();
    let p = c.create_tracking_plan(&plan("Web App Plan")).await.unwrap();
    assert_eq!(p.id.len(), 22);
    assert_eq!(p.name.as_deref(), Some("Web App Plan"));
    assert_eq!(p.slug.as_deref(), Some("web-app-plan"));
    assert_eq!(p.description.as_deref(), Some("What the web app sends"));
    assert_eq!(p.kind, "LIVE");
    assert!(p.created_at.is_some());
    assert_eq!(p.created_at, p.updated_at);
    assert_eq!(c.get_tracking_plan(&p.id).await.unwrap(), p);
    let lib = c
        .create_tracking_plan(&CreateTrackingPlan {
            name: "Library".into(),
            description: None,
            kind: "RULE_LIBRARY".into(),
        })
        .await
        .unwrap();
    assert_eq!(
        c.list_tracking_plans().await.unwrap(),
        vec![p.clone(), lib.clone()]
    );
    let live = ws.get_raw("tracking-plans?type=LIVE").await;
    assert_eq!(
        live.data()["trackingPlans"],
        json!([serde_json::to_value(&p).unwrap()])
    );
    assert_eq!(live.data()["pagination"]["totalEntries"], 1);
    assert_error(
        &ws.get_raw("tracking-plans?type=NOPE").await,
        400,
        Some("type"),
    );

    let st = c
        .update_tracking_plan(
            &p.id,
            &UpdateTrackingPlan {
                name: Some("Checkout".into()),
                description: Some("Checkout events".into()),
            },
        )
        .await
        .unwrap();
    assert_eq!(st.status, "SUCCESS");
    let u = c.get_tracking_plan(&p.id).await.unwrap();
    assert_eq!(u.name.as_deref(), Some("Checkout"));
    assert_eq!(u.slug.as_deref(), Some("checkout"));
    assert_eq!(u.description.as_deref(), Some("Checkout events"));
    assert_eq!(u.created_at, p.created_at);
    assert!(u.updated_at >= p.updated_at);

    // Names are unique; a refused change changes nothing.
    let before = ws.snapshot().await;
    assert_client_error(
        c.create_tracking_plan(&plan("Library")).await,
        409,
        Some("name"),
    );
    assert_client_error(
        c.update_tracking_plan(
            &p.id,
            &UpdateTrackingPlan {
                name: Some("Library".into()),
                description: Some("half".into()),
            },
        )
        .await,
        409,
        Some("name"),
    );
    let mut bad = plan("Bad");
    bad.kind = "live".into();
    assert_client_error(c.create_tracking_plan(&bad).await, 422, Some("type"));
    assert_client_error(c.create_tracking_plan(&plan(" ")).await, 422, Some("name"));
    assert_eq!(ws.snapshot().await, before);
    assert_eq!(c.get_tracking_plan(&p.id).await.unwrap(), u);

    assert_eq!(
        c.delete_tracking_plan(&p.id).await.unwrap().status,
        "SUCCESS"
    );
    assert_client_error(c.get_tracking_plan(&p.id).await, 404, None);
    assert_client_error(c.delete_tracking_plan(&p.id).await, 404, None);
    assert_eq!(c.list_tracking_plans().await.unwrap(), vec![lib]);
    let kinds: Vec<String> = events(c).await.into_iter().map(|e| e.kind).collect();
    assert_eq!(
        kinds,
        [
            "Tracking Plan Created",
            "Tracking Plan Created",
            "Tracking Plan Modified",
            "Tracking Plan Deleted"
        ]
    );
}

#[tokio::test]
async fn rules_replace_upsert_rename_and_remove() {
    let ws = TestWorkspace::start().await.unwrap();
    let c = ws.owner();
    let p = c.create_tracking_plan(&plan("Web")).await.unwrap();
    let mut seen = events(c).await.len();
    // One "Tracking Plan Modified" per change, none for a change of nothing.
    let mut expect_events = |n: usize, all: Vec<AuditEvent>| {
        let new = &all[seen..];
        assert_eq!(new.len(), n, "{new:#?}");
        assert!(new
            .iter()
            .all(|e| e.kind == "Tracking Plan Modified" && e.resource_id == p.id));
        seen = all.len();
    };

    let three = [
        rule("TRACK", Some("Order Completed"), 1),
        rule("IDENTIFY", None, 1),
        rule("PAGE", None, 1),
    ];
    c.replace_rules(&p.id, &three).await.unwrap();
    expect_events(1, events(c).await);
    let rules = c.list_rules(&p.id).await.unwrap();
    assert_eq!(
        identities(&rules),
        [
            ("TRACK".into(), Some("Order Completed".into()), 1),
            ("IDENTIFY".into(), None, 1),
            ("PAGE".into(), None, 1)
        ]
    );
    assert_eq!(rules[0].json_schema, three[0].json_schema);
    assert!(rules.iter().all(|r| r.created_at.is_some()));
    let plan_after = c.get_tracking_plan(&p.id).await.unwrap();
    assert!(plan_after.updated_at >= p.updated_at);

    // The same set again changes nothing.
    c.replace_rules(&p.id, &three).await.unwrap();
    expect_events(0, events(c).await);

    // PATCH updates in place (same createdAt) and adds.
    c.upsert_rules(
        &p.id,
        &[
            rule("TRACK", Some("Order Completed"), 2),
            rule("TRACK", Some("Signed Up"), 1),
        ],
    )
    .await
    .unwrap();
    expect_events(1, events(c).await);
    let after = c.list_rules(&p.id).await.unwrap();
    assert_eq!(after.len(), 4);
    assert_eq!(after[0].version, 2);
    assert_eq!(after[0].created_at, rules[0].created_at);
    assert_eq!(
        (after[3].kind.as_str(), after[3].key.as_deref()),
        ("TRACK", Some("Signed Up"))
    );

    // newKey renames; a retried rename is no copy.
    let rename = UpsertRule {
        new_key: Some("Account Created".into()),
        ..rule("TRACK", Some("Signed Up"), 1).into()
    };
    for _ in 0..2 {
        c.upsert_rules(&p.id, std::slice::from_ref(&rename))
            .await
            .unwrap();
    }
    expect_events(1, events(c).await);
    let keys: Vec<Option<String>> = c
        .list_rules(&p.id)
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.key)
        .collect();
    assert_eq!(
        keys,
        [
            Some("Order Completed".into()),
            None,
            None,
            Some("Account Created".into())
        ]
    );

    // DELETE by type, key and version; a wrong version or a gone rule is skipped.
    c.remove_rules(
        &p.id,
        &[
            key("PAGE", None, 1),
            key("TRACK", Some("Order Completed"), 1),
        ],
    )
    .await
    .unwrap();
    expect_events(1, events(c).await);
    c.remove_rules(&p.id, &[key("PAGE", None, 1)])
        .await
        .unwrap();
    expect_events(0, events(c).await);
    assert_eq!(c.list_rules(&p.id).await.unwrap().len(), 3);
    // The query-string form the official SDKs send.
    let raw = ws
        .send_raw(
            Method::DELETE,
            &format!(
                "tracking-plans/{}/rules?rules[0][type]=TRACK&rules[0][key]=Order%20Completed&rules[0][version]=2",
                p.id
            ),
            Vec::new(),
        )
        .await;
    assert_eq!(raw.status, 200, "{}", raw.text);
    expect_events(1, events(c).await);
    assert_eq!(
        identities(&c.list_rules(&p.id).await.unwrap()),
        [
            ("IDENTIFY".into(), None, 1),
            ("TRACK".into(), Some("Account Created".into()), 1)
        ]
    );

    // PUT replaces the whole set.
    c.replace_rules(&p.id, &[rule("GROUP", None, 1)])
        .await
        .unwrap();
    expect_events(1, events(c).await);
    assert_eq!(
        identities(&c.list_rules(&p.id).await.unwrap()),
        [("GROUP".into(), None, 1)]
    );
}

#[tokio::test]
async fn rules_refuse_bad_input_and_change_nothing() {
    let ws = TestWorkspace::start().await.unwrap();
    let c = ws.owner();
    let p = c.create_tracking_plan(&plan("Web")).await.unwrap();
    c.replace_rules(
        &p.id,
        &[rule("TRACK", Some("A"), 1), rule("TRACK", Some("B"), 1)],
    )
    .await
    .unwrap();
    let rules = c.list_rules(&p.id).await.unwrap();
    let audit = events(c).await;
    let cases: Vec<(Vec<RuleInput>, &str)> = vec![
        (
            vec![rule("TRACK", Some("C"), 1), rule("TRACKS", Some("D"), 1)],
            "rules[1].type",
        ),
        (vec![rule("TRACK", None, 1)], "rules[0].key"),
        (vec![rule("TRACK", Some("C"), 0)], "rules[0].version"),
        (
            vec![RuleInput {
                json_schema: json!("not a schema"),
                ..rule("PAGE", None, 1)
            }],
            "rules[0].jsonSchema",
        ),
        (
            vec![rule("TRACK", Some("C"), 1), rule("TRACK", Some("C"), 2)],
            "rules[1]",
        ),
        (
            (0..201)
                .map(|i| rule("TRACK", Some(&format!("E{i}")), 1))
                .collect(),
            "rules",
        ),
    ];
    for (input, field) in &cases {
        assert_client_error(c.replace_rules(&p.id, input).await, 422, Some(field));
        assert_client_error(c.upsert_rules(&p.id, input).await, 422, Some(field));
    }
    let taken = UpsertRule {
        new_key: Some("B".into()),
        ..rule("TRACK", Some("A"), 1).into()
    };
    assert_client_error(
        c.upsert_rules(&p.id, &[taken]).await,
        409,
        Some("rules[0].newKey"),
    );
    assert_client_error(
        c.replace_rules("nope", &[rule("PAGE", None, 1)]).await,
        404,
        None,
    );
    assert_client_error(c.list_rules("nope").await, 404, None);
    assert_eq!(c.list_rules(&p.id).await.unwrap(), rules);
    assert_eq!(events(c).await, audit);
}

/// A plan holds up to 2,000 rules, written 200 at a time by PATCH; above
/// 200 held rules PUT is refused with the API's own words.
#[tokio::test]
async fn two_thousand_rules_in_pages() {
    let ws = TestWorkspace::start().await.unwrap();
    let c = ws.owner();
    let p = c.create_tracking_plan(&plan("Big")).await.unwrap();
    let all: Vec<RuleInput> = (0..2000)
        .map(|i| rule("TRACK", Some(&format!("Event {i:04}")), 1))
        .collect();
    for page in all.chunks(200) {
        c.upsert_rules(&p.id, page).await.unwrap();
    }
    let rules = c.list_rules(&p.id).await.unwrap();
    assert_eq!(rules.len(), 2000);
    let keys: Vec<&str> = rules.iter().map(|r| r.key.as_deref().unwrap()).collect();
    let expected: Vec<String> = (0..2000).map(|i| format!("Event {i:04}")).collect();
    assert_eq!(keys, expected);
    let raw = ws
        .get_raw(&format!(
            "tracking-plans/{}/rules?pagination[count]=200",
            p.id
        ))
        .await;
    assert_eq!(raw.data()["pagination"]["totalEntries"], 2000);
    assert_eq!(raw.data()["rules"].as_array().unwrap().len(), 200);

    let audit = events(c).await;
    let e = assert_client_error(
        c.replace_rules(&p.id, &[rule("PAGE", None, 1)]).await,
        400,
        Some("rules"),
    );
    assert!(
        e.errors[0]
            .message
            .contains("Please use DELETE and PATCH methods"),
        "{e}"
    );
    assert_client_error(
        c.upsert_rules(&p.id, &[rule("TRACK", Some("One Too Many"), 1)])
            .await,
        422,
        Some("rules"),
    );
    // Updating held rules is no growth.
    c.upsert_rules(&p.id, &[rule("TRACK", Some("Event 0000"), 2)])
        .await
        .unwrap();
    assert_eq!(events(c).await.len(), audit.len() + 1);
    // Removing in pages of 200 brings PUT back.
    let keys: Vec<RuleKey> = (0..1900)
        .map(|i| {
            key(
                "TRACK",
                Some(&format!("Event {i:04}")),
                if i == 0 { 2 } else { 1 },
            )
        })
        .collect();
    for page in keys.chunks(200) {
        c.remove_rules(&p.id, page).await.unwrap();
    }
    assert_eq!(c.list_rules(&p.id).await.unwrap().len(), 100);
    c.replace_rules(&p.id, &[rule("PAGE", None, 1)])
        .await
        .unwrap();
    assert_eq!(c.list_rules(&p.id).await.unwrap().len(), 1);
}

#[tokio::test]
async fn sources_follow_at_most_one_plan() {
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
    let p = c.create_tracking_plan(&plan("Web")).await.unwrap();
    let q = c.create_tracking_plan(&plan("Other")).await.unwrap();
    let tracking_plan_of = |id: &str| {
        let path = format!("sources/{id}");
        let ws = &ws;
        async move { ws.get_raw(&path).await.data()["trackingPlanId"].clone() }
    };
    let before = events(c).await.len();

    assert_eq!(
        c.add_tracking_plan_source(&p.id, &web.id)
            .await
            .unwrap()
            .status,
        "SUCCESS"
    );
    c.add_tracking_plan_source(&p.id, &ios.id).await.unwrap();
    assert_eq!(
        c.list_tracking_plan_sources(&p.id).await.unwrap(),
        vec![web.clone(), ios.clone()]
    );
    assert_eq!(tracking_plan_of(&web.id).await, json!(p.id));
    let new = &events(c).await[before..];
    let got: Vec<(&str, &str)> = new
        .iter()
        .map(|e| (e.kind.as_str(), e.resource_id.as_str()))
        .collect();
    let (cw, ci) = (
        format!("{}:{}", p.id, web.id),
        format!("{}:{}", p.id, ios.id),
    );
    assert_eq!(
        got,
        [
            ("Source Tracking Plan Connection Created", cw.as_str()),
            ("Source Modified", web.id.as_str()),
            ("Source Tracking Plan Connection Created", ci.as_str()),
            ("Source Modified", ios.id.as_str()),
        ]
    );

    let snapshot = ws.snapshot().await;
    assert_client_error(
        c.add_tracking_plan_source(&q.id, &web.id).await,
        409,
        Some("sourceId"),
    );
    assert_client_error(
        c.add_tracking_plan_source(&p.id, &web.id).await,
        409,
        Some("sourceId"),
    );
    assert_client_error(
        c.add_tracking_plan_source(&p.id, "nope").await,
        404,
        Some("sourceId"),
    );
    assert_client_error(c.add_tracking_plan_source("nope", &web.id).await, 404, None);
    assert_client_error(
        c.remove_tracking_plan_source(&q.id, &web.id).await,
        404,
        Some("sourceId"),
    );
    let raw = ws
        .send_raw(
            Method::DELETE,
            &format!("tracking-plans/{}/sources", p.id),
            Vec::new(),
        )
        .await;
    assert_error(&raw, 400, Some("sourceId"));
    assert_eq!(ws.snapshot().await, snapshot);

    c.remove_tracking_plan_source(&p.id, &web.id).await.unwrap();
    assert_eq!(tracking_plan_of(&web.id).await, Value::Null);
    assert_eq!(
        c.list_tracking_plan_sources(&p.id).await.unwrap(),
        vec![ios.clone()]
    );
    c.add_tracking_plan_source(&q.id, &web.id).await.unwrap();
    assert_eq!(tracking_plan_of(&web.id).await, json!(q.id));

    // Deleting a plan frees its sources; deleting a source leaves the plan.
    c.delete_tracking_plan(&p.id).await.unwrap();
    assert_eq!(tracking_plan_of(&ios.id).await, Value::Null);
    c.delete_source(&web.id).await.unwrap();
    assert!(c
        .list_tracking_plan_sources(&q.id)
        .await
        .unwrap()
        .is_empty());
    assert_eq!(c.get_tracking_plan(&q.id).await.unwrap().id, q.id);
}
