//! Engage: spaces (listed and read; made by `seed --engage` here, in the
//! app upstream), and the audiences and computed traits inside a space:
//! create, list, read, update, delete, refusals naming the field, and the
//! audit trail.

use reqwest::Method;
use segment_api::models::{
    AudienceDefinition, AudienceOptions, AuditQuery, ComputedTraitDefinition, CreateAudience,
    CreateComputedTrait, TraitOptions, UpdateAudience, UpdateComputedTrait,
};
use segment_api::RetryPolicy;
use segment_e2e::fake::{Reply, ScriptedServer};
use segment_e2e::{assert_client_error, assert_error, TestWorkspace};
use segment_workspace::seed::engage::{seed_engage, SPACES};
use serde_json::json;

fn audience(name: &str) -> CreateAudience {
    CreateAudience {
        name: name.into(),
        enabled: None,
        description: Some("Bought twice".into()),
        definition: AudienceDefinition {
            query: "event('Order Completed').count() >= 2".into(),
            ..Default::default()
        },
        audience_type: Some("USERS".into()),
        options: Some(AudienceOptions {
            include_historical_data: Some(true),
            ..Default::default()
        }),
    }
}

fn computed_trait(name: &str) -> CreateComputedTrait {
    CreateComputedTrait {
        name: name.into(),
        enabled: Some(false),
        description: None,
        definition: ComputedTraitDefinition {
            query: "event('Order Completed').count()".into(),
            kind: "users".into(),
        },
        options: Some(TraitOptions {
            include_anonymous_users: Some(true),
            ..Default::default()
        }),
    }
}

async fn first_space(ws: &TestWorkspace) -> String {
    let spaces = ws.owner().list_spaces().await.expect("spaces list");
    spaces.first().expect("a seeded space").id.clone()
}

#[tokio::test]
async fn a_workspace_without_engage_has_no_spaces() {
    let ws = TestWorkspace::start().await.expect("a workspace");
    let raw = ws.get_raw("spaces").await;
    assert_eq!(raw.data()["spaces"], json!([]), "{}", raw.text);
    assert!(ws.owner().list_spaces().await.expect("a list").is_empty());
    let missing = ws.get_raw("spaces/nope").await;
    let err = assert_error(&missing, 404, None);
    assert!(err["message"].as_str().is_some_and(|m| m.contains("nope")));
}

// Segment answers GET /spaces with 403 or 404 when the workspace has no
// Engage; the client reads both as no spaces, and only those.
#[tokio::test]
async fn the_client_reads_403_and_404_on_spaces_as_no_spaces() {
    let no_retry = RetryPolicy {
        max_attempts: 1,
        ..RetryPolicy::default()
    };
    for status in [403, 404] {
        let server =
            ScriptedServer::start(vec![Reply::error(status, "forbidden", "no Engage", None)]).await;
        let spaces = server.client(no_retry.clone()).list_spaces().await;
        assert!(spaces.expect("no spaces, not an error").is_empty());
    }
    let server =
        ScriptedServer::start(vec![Reply::error(401, "unauthorized", "bad token", None)]).await;
    assert_client_error(server.client(no_retry).list_spaces().await, 401, None);
}

#[tokio::test]
async fn seed_engage_makes_spaces_with_audiences_and_traits_once() {
    let ws = TestWorkspace::start_engage().await.expect("a workspace");
    let c = ws.owner();
    let spaces = c.list_spaces().await.expect("spaces");
    let slugs: Vec<&str> = spaces.iter().map(|s| s.slug.as_str()).collect();
    let expected: Vec<&str> = SPACES.iter().map(|(_, slug)| *slug).collect();
    assert_eq!(slugs, expected);
    for space in &spaces {
        assert_eq!(&c.get_space(&space.id).await.expect("a space"), space);
        assert_eq!(c.list_audiences(&space.id).await.expect("list").len(), 2);
        assert_eq!(
            c.list_computed_traits(&space.id).await.expect("list").len(),
            2
        );
    }
    let again = seed_engage(c).await.expect("a second seed runs");
    assert_eq!(again.summary(), "0 spaces, 0 audiences, 0 computed traits");
}

#[tokio::test]
async fn audiences_are_created_read_updated_and_deleted() {
    let ws = TestWorkspace::start_engage().await.expect("a workspace");
    let (c, space) = (ws.owner(), first_space(&ws).await);
    let made = c
        .create_audience(&space, &audience("Repeat Buyers!"))
        .await
        .expect("created");
    assert_eq!(made.key, "repeat_buyers");
    assert_eq!(made.space_id, space);
    assert!(made.enabled, "enabled unless said otherwise");
    assert_eq!(made.status.as_deref(), Some("Live"));
    assert_eq!(made.audience_type, "USERS");
    assert_eq!(c.get_audience(&space, &made.id).await.expect("read"), made);
    let listed = c.list_audiences(&space).await.expect("list");
    assert!(listed.contains(&made));

    let patch = UpdateAudience {
        name: Some("Loyal Buyers".into()),
        description: Some(None),
        enabled: Some(false),
        ..Default::default()
    };
    let updated = c
        .update_audience(&space, &made.id, &patch)
        .await
        .expect("updated");
    assert_eq!(updated.name, "Loyal Buyers");
    assert_eq!(
        updated.key, "repeat_buyers",
        "the key stays what it was made"
    );
    assert_eq!(updated.description, None);
    assert_eq!(updated.status.as_deref(), Some("Disabled"));
    assert_eq!(updated.definition, made.definition);
    assert_eq!(updated.options, made.options);
    assert_eq!(
        c.get_audience(&space, &made.id).await.expect("read"),
        updated
    );

    c.delete_audience(&space, &made.id).await.expect("deleted");
    assert_client_error(c.get_audience(&space, &made.id).await, 404, None);
    assert!(!c
        .list_audiences(&space)
        .await
        .expect("list")
        .contains(&updated));
}

#[tokio::test]
async fn computed_traits_are_created_read_updated_and_deleted() {
    let ws = TestWorkspace::start_engage().await.expect("a workspace");
    let (c, space) = (ws.owner(), first_space(&ws).await);
    let made = c
        .create_computed_trait(&space, &computed_trait("Order Count"))
        .await
        .expect("created");
    assert_eq!(made.key, "order_count");
    assert!(!made.enabled);
    assert_eq!(made.status.as_deref(), Some("Disabled"));
    assert_eq!(
        c.get_computed_trait(&space, &made.id).await.expect("read"),
        made
    );

    let patch = UpdateComputedTrait {
        enabled: Some(true),
        definition: Some(ComputedTraitDefinition {
            query: "event('Order Completed').within(30 days).count()".into(),
            kind: "users".into(),
        }),
        ..Default::default()
    };
    let updated = c
        .update_computed_trait(&space, &made.id, &patch)
        .await
        .expect("updated");
    assert_eq!(updated.status.as_deref(), Some("Live"));
    assert!(updated
        .definition
        .as_ref()
        .is_some_and(|d| d.query.contains("30 days")));
    assert_eq!(updated.options, made.options);
    let listed = c.list_computed_traits(&space).await.expect("list");
    assert!(listed.contains(&updated));

    c.delete_computed_trait(&space, &made.id)
        .await
        .expect("deleted");
    assert_client_error(c.get_computed_trait(&space, &made.id).await, 404, None);
}

#[tokio::test]
async fn bad_engage_requests_name_the_field_and_change_nothing() {
    let ws = TestWorkspace::start_engage().await.expect("a workspace");
    let c = ws.owner();
    let spaces = c.list_spaces().await.expect("spaces");
    let (space, other) = (spaces[0].id.clone(), spaces[1].id.clone());
    let audiences_before = c.list_audiences(&space).await.expect("list");
    let traits_before = c.list_computed_traits(&space).await.expect("list");
    let events_before = c
        .list_audit_events(&AuditQuery::default())
        .await
        .expect("events");

    // An unknown space: 404 naming it, on every path.
    let a = serde_json::to_vec(&audience("A")).expect("json");
    let t = serde_json::to_vec(&computed_trait("T")).expect("json");
    for (method, path, body) in [
        (Method::GET, "spaces/nospace/audiences", Vec::new()),
        (Method::POST, "spaces/nospace/audiences", a),
        (Method::GET, "spaces/nospace/computed-traits/x", Vec::new()),
        (Method::POST, "spaces/nospace/computed-traits", t),
    ] {
        let raw = ws.send_raw(method.clone(), path, body).await;
        let err = assert_error(&raw, 404, None);
        let message = err["message"].as_str().unwrap_or_default();
        assert!(
            message.contains("Space \"nospace\""),
            "{method} {path}: {message}"
        );
    }
    // Another space's audience is not reachable through this one.
    let theirs = &c.list_audiences(&other).await.expect("list")[0];
    assert_client_error(c.get_audience(&space, &theirs.id).await, 404, None);

    let audiences = format!("spaces/{space}/audiences");
    let traits = format!("spaces/{space}/computed-traits");
    let refusals = [
        (
            &audiences,
            json!({"name": " ", "definition": {"query": "q"}}),
            422,
            "name",
        ),
        (&audiences, json!({"name": "A"}), 422, "definition"),
        (
            &audiences,
            json!({"name": "A", "definition": {"query": ""}}),
            422,
            "definition.query",
        ),
        (
            &audiences,
            json!({"name": "A", "definition": {"query": "q"}, "audienceType": "PEOPLE"}),
            422,
            "audienceType",
        ),
        (
            &traits,
            json!({"name": "T", "definition": {"query": "q", "type": "people"}}),
            422,
            "definition.type",
        ),
        (
            &traits,
            json!({"name": "T", "definition": {"query": "q"}}),
            422,
            "definition.type",
        ),
        // The seed's audience: its name makes a key the space has.
        (
            &audiences,
            json!({"name": "high value customers", "definition": {"query": "q"}}),
            409,
            "name",
        ),
    ];
    for (path, body, status, field) in refusals {
        let raw = ws.send_raw(Method::POST, path, body.to_string()).await;
        assert_error(&raw, status, Some(field));
    }
    let id = &audiences_before[0].id;
    let raw = ws
        .send_raw(
            Method::PATCH,
            &format!("{audiences}/{id}"),
            r#"{"name": ""}"#,
        )
        .await;
    assert_error(&raw, 422, Some("name"));
    let raw = ws
        .request_with(
            Some(ws.read_only_token()),
            Method::DELETE,
            &format!("{audiences}/{id}"),
        )
        .send()
        .await
        .expect("an answer");
    assert_eq!(raw.status().as_u16(), 403);

    assert_eq!(
        c.list_audiences(&space).await.expect("list"),
        audiences_before
    );
    assert_eq!(
        c.list_computed_traits(&space).await.expect("list"),
        traits_before
    );
    let events_after = c
        .list_audit_events(&AuditQuery::default())
        .await
        .expect("events");
    assert_eq!(events_after, events_before);
}

#[tokio::test]
async fn engage_writes_are_in_the_audit_trail() {
    let ws = TestWorkspace::start_engage().await.expect("a workspace");
    let (c, space) = (ws.owner(), first_space(&ws).await);
    let a = c
        .create_audience(&space, &audience("Churn Risk"))
        .await
        .expect("created");
    let patch = UpdateAudience {
        enabled: Some(false),
        ..Default::default()
    };
    c.update_audience(&space, &a.id, &patch)
        .await
        .expect("updated");
    c.delete_audience(&space, &a.id).await.expect("deleted");
    let t = c
        .create_computed_trait(&space, &computed_trait("Visits"))
        .await
        .expect("created");
    let patch = UpdateComputedTrait {
        name: Some("Visit Count".into()),
        ..Default::default()
    };
    c.update_computed_trait(&space, &t.id, &patch)
        .await
        .expect("updated");
    c.delete_computed_trait(&space, &t.id)
        .await
        .expect("deleted");

    let events = |id: String| async move {
        let query = AuditQuery {
            resource_id: Some(id),
            ..Default::default()
        };
        c.list_audit_events(&query)
            .await
            .expect("events")
            .into_iter()
            .map(|e| (e.kind, e.resource_type, e.resource_name))
            .collect::<Vec<_>>()
    };
    let of =
        |kind: &str, ty: &str, name: &str| (kind.to_string(), ty.to_string(), name.to_string());
    assert_eq!(
        events(a.id.clone()).await,
        vec![
            of("Audience Created", "Audience", "Churn Risk"),
            of("Audience Modified", "Audience", "Churn Risk"),
            of("Audience Deleted", "Audience", "Churn Risk"),
        ]
    );
    assert_eq!(
        events(t.id.clone()).await,
        vec![
            of("Computed Trait Created", "Computed Trait", "Visits"),
            of("Computed Trait Modified", "Computed Trait", "Visit Count"),
            of("Computed Trait Deleted", "Computed Trait", "Visit Count"),
        ]
    );
    let by_type = AuditQuery {
        resource_type: Some("Computed Trait".into()),
        ..Default::default()
    };
    let traits = c.list_audit_events(&by_type).await.expect("events");
    // The seed's four traits and this one's three events.
    assert_eq!(traits.len(), 4 + 3);
}
