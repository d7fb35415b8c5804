//! Classification rules on small hand-written plans (the real plans are in
//! `generator/tests/check_*.rs`).

use serde_json::{json, Value};

use super::review::{Class, Review};
use super::{review, CheckError};

fn plan(changes: Value, prior: Value) -> String {
    json!({
        "format_version": "1.2",
        "planned_values": {},
        "resource_changes": changes,
        "prior_state": { "values": { "root_module": { "resources": prior } } }
    })
    .to_string()
}

fn rc(address: &str, actions: &[&str], before: Value, after: Value) -> Value {
    let (kind, _) = address.split_once('.').expect("address");
    json!({
        "address": address, "mode": "managed", "type": kind,
        "change": { "actions": actions, "before": before, "after": after,
                    "after_unknown": {}, "before_sensitive": {}, "after_sensitive": {} }
    })
}

fn state(kind: &str, values: Value) -> Value {
    json!({ "mode": "managed", "type": kind, "values": values })
}

fn only(review: &Review) -> (Class, String) {
    assert_eq!(review.changes.len(), 1, "{review:#?}");
    let c = &review.changes[0];
    (c.class, c.reasons.join("\n"))
}

fn filter(enabled: bool, kind: &str, cond: &str) -> Value {
    json!({"id": "f1", "title": "Drop tests", "destination_id": "d1", "source_id": "s1",
           "enabled": enabled, "if": cond, "actions": [{"type": kind}]})
}

fn workspace() -> Value {
    json!([
        state(
            "segment_source",
            json!({"id": "s1", "name": "Web", "slug": "web"})
        ),
        state(
            "segment_destination",
            json!({"id": "d1", "name": "Amplitude", "source_id": "s1"})
        ),
    ])
}

#[test]
fn a_new_enabled_filter_is_breaking_and_a_disabled_one_safe() {
    let on = review(
        &plan(
            json!([rc(
                "segment_destination_filter.x",
                &["create"],
                Value::Null,
                filter(true, "DROP", "a")
            )]),
            workspace(),
        ),
        "p",
    )
    .expect("review");
    let (class, reasons) = only(&on);
    assert_eq!(class, Class::Breaking);
    assert!(
        reasons.contains("destination `Amplitude` (id d1) starts dropping or trimming events from source `Web` (id s1)"),
        "{reasons}"
    );
    let off = review(
        &plan(
            json!([rc(
                "segment_destination_filter.x",
                &["create"],
                Value::Null,
                filter(false, "DROP", "a")
            )]),
            workspace(),
        ),
        "p",
    )
    .expect("review");
    assert_eq!(only(&off).0, Class::Safe);
}

#[test]
fn a_condition_changed_is_breaking_on_a_drop_filter_only() {
    let changed = |kind: &str| {
        let r = review(
            &plan(
                json!([rc(
                    "segment_destination_filter.x",
                    &["update"],
                    filter(true, kind, "a"),
                    filter(true, kind, "b")
                )]),
                workspace(),
            ),
            "p",
        )
        .expect("review");
        only(&r).0
    };
    assert_eq!(changed("DROP"), Class::Breaking);
    assert_eq!(changed("SAMPLE"), Class::Breaking);
    assert_eq!(changed("DROP_PROPERTIES"), Class::Caution);
}

#[test]
fn permissions_reduced_are_caution_and_name_the_resource() {
    let perms = |ids: &[&str]| json!([{"role_id": "r-admin", "resources": ids.iter().map(|id| json!({"id": id, "type": "SOURCE", "labels": []})).collect::<Vec<_>>()}]);
    let user =
        |ids: &[&str]| json!({"id": "u1", "email": "pat@example.com", "permissions": perms(ids)});
    let r = review(
        &plan(
            json!([rc(
                "segment_user.pat",
                &["update"],
                user(&["s1", "s2"]),
                user(&["s2"])
            )]),
            workspace(),
        ),
        "p",
    )
    .expect("review");
    let (class, reasons) = only(&r);
    assert_eq!(class, Class::Caution);
    assert!(
        reasons.contains("user `pat@example.com` (id u1): permissions reduced, loses role r-admin on source `Web` (id s1)"),
        "{reasons}"
    );
    let r = review(
        &plan(
            json!([rc(
                "segment_user.pat",
                &["update"],
                user(&["s2"]),
                user(&["s1", "s2"])
            )]),
            workspace(),
        ),
        "p",
    )
    .expect("review");
    assert_eq!(only(&r).0, Class::Safe, "a grant added");
}

#[test]
fn a_replaced_source_is_breaking_and_says_why() {
    let before = json!({"id": "s1", "name": "Web", "metadata": {"id": "js"}});
    let mut change = rc(
        "segment_source.web",
        &["delete", "create"],
        before,
        json!({"name": "Web"}),
    );
    change["change"]["replace_paths"] = json!([["metadata", "id"]]);
    let r = review(&plan(json!([change]), workspace()), "p").expect("review");
    let (class, reasons) = only(&r);
    assert_eq!(class, Class::Breaking);
    assert!(
        reasons.contains("is replaced because `metadata.id` changes"),
        "{reasons}"
    );
    assert!(
        reasons.contains("destination `Amplitude` (id d1) stop receiving its events"),
        "{reasons}"
    );
}

#[test]
fn settings_name_their_keys_and_never_a_value() {
    let d = |key: &str| {
        json!({"id": "d1", "name": "Amplitude", "source_id": "s1", "enabled": true,
               "settings": json!({"apiKey": key, "region": "EU"}).to_string()})
    };
    let mut change = rc(
        "segment_destination.amp",
        &["update"],
        d("old-secret-1"),
        d("new-secret-2"),
    );
    change["change"]["after_sensitive"] = json!({"settings": true});
    let r = review(&plan(json!([change]), workspace()), "p").expect("review");
    let (class, reasons) = only(&r);
    assert_eq!(class, Class::Caution);
    assert!(reasons.contains("settings change (`apiKey`)"), "{reasons}");
    assert!(
        reasons.contains("sensitive `settings` changes"),
        "{reasons}"
    );
    let all = format!("{}{}", r.to_json(), super::markdown::render(&r));
    for secret in ["old-secret-1", "new-secret-2", "EU"] {
        assert!(!all.contains(secret), "{secret} in\n{all}");
    }
}

#[test]
fn no_ops_reads_and_data_sources_are_not_listed() {
    let mut data = rc("segment_source.x", &["read"], Value::Null, json!({}));
    data["mode"] = json!("data");
    let r = review(
        &plan(
            json!([
                rc(
                    "segment_source.web",
                    &["no-op"],
                    json!({"id": "s1"}),
                    json!({"id": "s1"})
                ),
                data
            ]),
            workspace(),
        ),
        "p",
    )
    .expect("review");
    assert!(r.changes.is_empty(), "{r:#?}");
    assert!(super::markdown::render(&r).contains("No change to the workspace."));
}

#[test]
fn fail_on_caution_includes_breaking() {
    let r = review(
        &plan(
            json!([rc(
                "segment_destination.amp",
                &["delete"],
                json!({"id": "d1", "name": "Amplitude", "source_id": "s1"}),
                Value::Null
            )]),
            workspace(),
        ),
        "p",
    )
    .expect("review");
    assert!(r.has(Class::Breaking) && r.has(Class::Caution) && r.has(Class::Safe));
    let safe = review(
        &plan(
            json!([rc(
                "segment_label.x",
                &["create"],
                Value::Null,
                json!({"key": "a", "value": "b"})
            )]),
            workspace(),
        ),
        "p",
    )
    .expect("review");
    assert!(!safe.has(Class::Caution) && safe.has(Class::Safe));
}

#[test]
fn a_state_or_a_failed_plan_or_no_json_is_an_error_that_quotes_nothing() {
    let state = json!({"format_version": "1.0", "values": {}}).to_string();
    assert!(matches!(
        review(&state, "s.json"),
        Err(CheckError::NotAPlan { .. })
    ));
    let failed =
        json!({"format_version": "1.2", "planned_values": {}, "errored": true}).to_string();
    assert!(matches!(
        review(&failed, "p.json"),
        Err(CheckError::Errored { .. })
    ));
    let garbage = r#"{"format_version": "1.2", "resource_changes": "hunter2-secret"}"#;
    let e = review(garbage, "p.json")
        .expect_err("not a plan")
        .to_string();
    assert!(e.contains("terraform show -json PLANFILE"), "{e}");
    assert!(!e.contains("hunter2"), "{e}");
}
