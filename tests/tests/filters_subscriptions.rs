//! Destination filters (`/destination/{id}/filters`) and destination
//! subscriptions (`/destinations/{id}/subscriptions`).

use segment_api::models::{
    AuditQuery, CreateDestinationFilter, CreateDestinationSubscription, DestinationFilter,
    FilterAction, UpdateDestinationFilter, UpdateDestinationSubscription,
};
use segment_api::Client;
use segment_e2e::fixtures::{self, settings};
use segment_e2e::{assert_client_error, TestWorkspace};
use serde_json::json;

/// `logEvent` of Amplitude (Actions), from the catalog.
const LOG_EVENT: &str = "gA673j6ij2yCB8n9Fztpj9";
/// `identifyUser` of Amplitude (Actions).
const IDENTIFY_USER: &str = "9STyJcVfDee2NowS4DGdmW";

fn drop_all() -> FilterAction {
    FilterAction {
        kind: "DROP".into(),
        fields: None,
        percent: None,
        path: None,
    }
}

fn filter(source_id: &str, title: &str) -> CreateDestinationFilter {
    CreateDestinationFilter {
        source_id: source_id.into(),
        condition: "event = \"Order Completed\"".into(),
        actions: vec![drop_all()],
        title: title.into(),
        description: Some("Orders go elsewhere".into()),
        enabled: true,
    }
}

async fn event_kinds(c: &Client, resource_type: &str) -> Vec<String> {
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
async fn filter_lifecycle() {
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
    let other = c
        .create_destination(&fixtures::amplitude_destination(&src.id))
        .await
        .unwrap();

    let f = c
        .create_filter(&dest.id, &filter(&src.id, "Drop orders"))
        .await
        .unwrap();
    assert_eq!(f.id.len(), 22);
    assert_eq!(
        (f.source_id.as_str(), f.destination_id.as_str()),
        (src.id.as_str(), dest.id.as_str())
    );
    assert_eq!(f.condition, "event = \"Order Completed\"");
    assert_eq!(f.actions, vec![drop_all()]);
    assert_eq!(f.title, "Drop orders");
    assert_eq!(f.description.as_deref(), Some("Orders go elsewhere"));
    assert!(f.enabled);
    assert_eq!(f.created_at.len(), 24);
    assert_eq!(f.created_at, f.updated_at);
    assert_eq!(c.get_filter(&dest.id, &f.id).await.unwrap(), f);
    assert_eq!(c.list_filters(&dest.id).await.unwrap(), vec![f.clone()]);
    assert!(c.list_filters(&other.id).await.unwrap().is_empty());

    let sample = FilterAction {
        kind: "SAMPLE".into(),
        fields: None,
        percent: Some(0.25),
        path: Some("userId".into()),
    };
    let allow = FilterAction {
        kind: "ALLOW_PROPERTIES".into(),
        fields: Some(settings(json!({"properties": {"fields": ["email"]}}))),
        percent: None,
        path: None,
    };
    let u = c
        .update_filter(
            &dest.id,
            &f.id,
            &UpdateDestinationFilter {
                title: Some("Sample orders".into()),
                actions: Some(vec![sample.clone(), allow.clone()]),
                description: Some(None),
                enabled: Some(false),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(u.title, "Sample orders");
    assert_eq!(u.actions, vec![sample, allow]);
    assert_eq!(u.description, None, "null clears the description");
    assert!(!u.enabled);
    assert_eq!(u.condition, f.condition);
    assert_eq!(u.created_at, f.created_at);
    assert!(u.updated_at >= f.updated_at);
    assert_eq!(c.get_filter(&dest.id, &f.id).await.unwrap(), u);

    // A filter is only found under its own destination.
    assert_client_error(c.get_filter(&other.id, &f.id).await, 404, None);
    assert_client_error(
        c.update_filter(&other.id, &f.id, &UpdateDestinationFilter::default())
            .await,
        404,
        None,
    );
    assert_client_error(c.delete_filter(&other.id, &f.id).await, 404, None);
    assert_client_error(c.list_filters("nope").await, 404, None);
    assert_eq!(c.get_filter(&dest.id, &f.id).await.unwrap(), u);

    assert_eq!(
        c.delete_filter(&dest.id, &f.id).await.unwrap().status,
        "SUCCESS"
    );
    assert_client_error(c.get_filter(&dest.id, &f.id).await, 404, None);
    assert_client_error(c.delete_filter(&dest.id, &f.id).await, 404, None);
    assert!(c.list_filters(&dest.id).await.unwrap().is_empty());

    // Deleting a destination deletes its filters.
    let g = c
        .create_filter(&other.id, &filter(&src.id, "Gone with it"))
        .await
        .unwrap();
    c.delete_destination(&other.id).await.unwrap();
    assert_client_error(c.get_filter(&other.id, &g.id).await, 404, None);
    assert_eq!(
        event_kinds(c, "destination_filter").await,
        [
            "Destination Filter Created",
            "Destination Filter Modified",
            "Destination Filter Deleted",
            "Destination Filter Created",
            "Destination Filter Deleted",
        ]
    );
}

#[tokio::test]
async fn filters_refuse_bad_input_and_change_nothing() {
    let ws = TestWorkspace::start().await.unwrap();
    let c = ws.owner();
    let src = c
        .create_source(&fixtures::javascript_source("web"))
        .await
        .unwrap();
    let stranger = c
        .create_source(&fixtures::javascript_source("ios"))
        .await
        .unwrap();
    let dest = c
        .create_destination(&fixtures::amplitude_destination(&src.id))
        .await
        .unwrap();
    let kept = c
        .create_filter(&dest.id, &filter(&src.id, "Kept"))
        .await
        .unwrap();
    let before = ws.snapshot().await;

    let with = |f: fn(&mut CreateDestinationFilter)| {
        let mut input = filter(&src.id, "Bad");
        f(&mut input);
        input
    };
    let action = |kind: &str, percent: Option<f64>, path: Option<&str>| FilterAction {
        kind: kind.into(),
        fields: None,
        percent,
        path: path.map(str::to_string),
    };
    let cases: Vec<(CreateDestinationFilter, &str)> = vec![
        (with(|f| f.actions.clear()), "actions"),
        (with(|f| f.title = " ".into()), "title"),
        (with(|f| f.condition = String::new()), "if"),
        (
            CreateDestinationFilter {
                actions: vec![drop_all(), action("drop", None, None)],
                ..filter(&src.id, "x")
            },
            "actions[1].type",
        ),
        (
            CreateDestinationFilter {
                actions: vec![action("SAMPLE", None, Some("userId"))],
                ..filter(&src.id, "x")
            },
            "actions[0].percent",
        ),
        (
            CreateDestinationFilter {
                actions: vec![action("SAMPLE", Some(1.5), Some("userId"))],
                ..filter(&src.id, "x")
            },
            "actions[0].percent",
        ),
        (
            CreateDestinationFilter {
                actions: vec![action("SAMPLE", Some(0.5), Some(" "))],
                ..filter(&src.id, "x")
            },
            "actions[0].path",
        ),
        (
            CreateDestinationFilter {
                actions: vec![action("DROP_PROPERTIES", None, None)],
                ..filter(&src.id, "x")
            },
            "actions[0].fields",
        ),
        // The source must be the one the destination receives from.
        (filter(&stranger.id, "x"), "sourceId"),
        (filter("NoSuchSource", "x"), "sourceId"),
    ];
    for (input, field) in cases {
        assert_client_error(c.create_filter(&dest.id, &input).await, 422, Some(field));
    }
    assert_client_error(
        c.create_filter("NoSuchDestination", &filter(&src.id, "x"))
            .await,
        404,
        None,
    );
    for (patch, field) in [
        (
            UpdateDestinationFilter {
                actions: Some(vec![]),
                title: Some("renamed".into()),
                ..Default::default()
            },
            "actions",
        ),
        (
            UpdateDestinationFilter {
                title: Some(String::new()),
                ..Default::default()
            },
            "title",
        ),
    ] {
        assert_client_error(
            c.update_filter(&dest.id, &kept.id, &patch).await,
            422,
            Some(field),
        );
    }
    assert_eq!(c.list_filters(&dest.id).await.unwrap(), vec![kept]);
    assert_eq!(ws.snapshot().await, before);
}

fn subscription(name: &str, action: &str) -> CreateDestinationSubscription {
    CreateDestinationSubscription {
        name: name.into(),
        action_id: action.into(),
        trigger: "type = \"track\"".into(),
        enabled: true,
        settings: Some(settings(json!({"event_type": {"@path": "$.event"}}))),
        model_id: None,
    }
}

#[tokio::test]
async fn subscription_lifecycle() {
    let ws = TestWorkspace::start().await.unwrap();
    let c = ws.owner();
    let src = c
        .create_source(&fixtures::javascript_source("web"))
        .await
        .unwrap();
    let dest = c
        .create_destination(&fixtures::amplitude_actions_destination(&src.id))
        .await
        .unwrap();
    let other = c
        .create_destination(&fixtures::amplitude_actions_destination(&src.id))
        .await
        .unwrap();

    let s = c
        .create_subscription(&dest.id, &subscription("Track calls", LOG_EVENT))
        .await
        .unwrap();
    assert_eq!(s.id.len(), 22);
    assert_eq!(s.name, "Track calls");
    assert_eq!(
        (s.action_id.as_str(), s.action_slug.as_str()),
        (LOG_EVENT, "logEvent")
    );
    assert_eq!(s.destination_id, dest.id);
    assert!(s.enabled);
    assert_eq!(s.trigger, "type = \"track\"");
    assert_eq!(
        s.settings,
        settings(json!({"event_type": {"@path": "$.event"}}))
    );
    assert_eq!(s.model_id, None);
    assert_eq!(c.get_subscription(&dest.id, &s.id).await.unwrap(), s);
    let t = c
        .create_subscription(&dest.id, &subscription("Identify", IDENTIFY_USER))
        .await
        .unwrap();
    assert_eq!(t.action_slug, "identifyUser");
    assert_eq!(
        c.list_subscriptions(&dest.id).await.unwrap(),
        vec![s.clone(), t.clone()]
    );
    assert!(c.list_subscriptions(&other.id).await.unwrap().is_empty());

    // Settings are the whole mapping: an update replaces them.
    let u = c
        .update_subscription(
            &dest.id,
            &s.id,
            &UpdateDestinationSubscription {
                name: Some("Orders".into()),
                trigger: Some("event = \"Order Completed\"".into()),
                enabled: Some(false),
                settings: Some(settings(
                    json!({"revenue": {"@path": "$.properties.total"}}),
                )),
            },
        )
        .await
        .unwrap();
    assert_eq!(u.name, "Orders");
    assert_eq!(u.trigger, "event = \"Order Completed\"");
    assert!(!u.enabled);
    assert_eq!(
        u.settings,
        settings(json!({"revenue": {"@path": "$.properties.total"}}))
    );
    assert_eq!(
        (u.action_id.as_str(), u.destination_id.as_str()),
        (LOG_EVENT, dest.id.as_str())
    );
    assert_eq!(c.get_subscription(&dest.id, &s.id).await.unwrap(), u);
    let only_enabled = c
        .update_subscription(
            &dest.id,
            &s.id,
            &UpdateDestinationSubscription {
                enabled: Some(true),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(only_enabled.settings, u.settings, "absent settings stay");

    // Found only under its own destination.
    assert_client_error(c.get_subscription(&other.id, &s.id).await, 404, None);
    assert_client_error(c.delete_subscription(&other.id, &s.id).await, 404, None);
    assert_client_error(c.list_subscriptions("nope").await, 404, None);

    assert_eq!(
        c.delete_subscription(&dest.id, &s.id).await.unwrap().status,
        "SUCCESS"
    );
    assert_client_error(c.get_subscription(&dest.id, &s.id).await, 404, None);
    assert_eq!(
        c.list_subscriptions(&dest.id).await.unwrap(),
        vec![t.clone()]
    );
    // Deleting the destination deletes its subscriptions.
    c.delete_destination(&dest.id).await.unwrap();
    assert_client_error(c.get_subscription(&dest.id, &t.id).await, 404, None);
    assert_eq!(
        event_kinds(c, "Destination Subscription").await,
        [
            "Destination Subscription Created",
            "Destination Subscription Created",
            "Destination Subscription Modified",
            "Destination Subscription Modified",
            "Destination Subscription Deleted",
            "Destination Subscription Deleted",
        ]
    );
}

#[tokio::test]
async fn subscriptions_refuse_bad_input_and_change_nothing() {
    let ws = TestWorkspace::start().await.unwrap();
    let c = ws.owner();
    let src = c
        .create_source(&fixtures::javascript_source("web"))
        .await
        .unwrap();
    let actions = c
        .create_destination(&fixtures::amplitude_actions_destination(&src.id))
        .await
        .unwrap();
    let classic = c
        .create_destination(&fixtures::amplitude_destination(&src.id))
        .await
        .unwrap();
    let kept = c
        .create_subscription(&actions.id, &subscription("Kept", LOG_EVENT))
        .await
        .unwrap();
    let before = ws.snapshot().await;
    let audit_before = c.list_audit_events(&Default::default()).await.unwrap();

    let e = assert_client_error(
        c.create_subscription(&actions.id, &subscription("x", "nope"))
            .await,
        422,
        Some("actionId"),
    );
    assert!(
        e.errors[0].message.contains(LOG_EVENT),
        "lists the actions: {e}"
    );
    // A classic destination has no actions; another destination's action is not this one's.
    assert_client_error(
        c.create_subscription(&classic.id, &subscription("x", LOG_EVENT))
            .await,
        422,
        Some("actionId"),
    );
    assert_client_error(
        c.create_subscription(&actions.id, &subscription(" ", LOG_EVENT))
            .await,
        422,
        Some("name"),
    );
    let mut no_trigger = subscription("x", LOG_EVENT);
    no_trigger.trigger = String::new();
    assert_client_error(
        c.create_subscription(&actions.id, &no_trigger).await,
        422,
        Some("trigger"),
    );
    let mut unknown_model = subscription("x", LOG_EVENT);
    unknown_model.model_id = Some("NoSuchModel".into());
    assert_client_error(
        c.create_subscription(&actions.id, &unknown_model).await,
        404,
        Some("modelId"),
    );
    assert_client_error(
        c.create_subscription("nope", &subscription("x", LOG_EVENT))
            .await,
        404,
        None,
    );
    assert_client_error(
        c.update_subscription(
            &actions.id,
            &kept.id,
            &UpdateDestinationSubscription {
                name: Some(String::new()),
                enabled: Some(false),
                ..Default::default()
            },
        )
        .await,
        422,
        Some("input.name"),
    );
    assert_eq!(c.list_subscriptions(&actions.id).await.unwrap(), vec![kept]);
    assert_eq!(ws.snapshot().await, before);
    assert_eq!(
        c.list_audit_events(&Default::default()).await.unwrap(),
        audit_before
    );
}

/// The filters and subscriptions of a deleted source's destinations go too.
#[tokio::test]
async fn deleting_a_source_reaches_filters_and_subscriptions() {
    let ws = TestWorkspace::start().await.unwrap();
    let c = ws.owner();
    let src = c
        .create_source(&fixtures::javascript_source("web"))
        .await
        .unwrap();
    let dest = c
        .create_destination(&fixtures::amplitude_actions_destination(&src.id))
        .await
        .unwrap();
    let f: DestinationFilter = c
        .create_filter(&dest.id, &filter(&src.id, "F"))
        .await
        .unwrap();
    let s = c
        .create_subscription(&dest.id, &subscription("S", LOG_EVENT))
        .await
        .unwrap();
    let before = c
        .list_audit_events(&Default::default())
        .await
        .unwrap()
        .len();
    c.delete_source(&src.id).await.unwrap();
    assert_client_error(c.get_destination(&dest.id).await, 404, None);
    let events = c.list_audit_events(&Default::default()).await.unwrap();
    let mut gone: Vec<(String, String)> = events[before..]
        .iter()
        .map(|e| (e.kind.clone(), e.resource_id.clone()))
        .collect();
    assert_eq!(
        gone.pop().unwrap(),
        ("Source Deleted".to_string(), src.id.clone())
    );
    gone.sort();
    let mut expected = vec![
        ("Destination Deleted".to_string(), dest.id.clone()),
        ("Destination Filter Deleted".to_string(), f.id.clone()),
        ("Destination Subscription Deleted".to_string(), s.id.clone()),
    ];
    expected.sort();
    assert_eq!(gone, expected);
}
