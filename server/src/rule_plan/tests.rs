//! Rule-set planning, without a store or HTTP.

use axum::http::StatusCode;
use serde_json::json;

use super::*;

const PLAN: &str = "plan1";
const NOW: &str = "2026-01-01T00:00:00.000Z";
const THEN: &str = "2025-01-01T00:00:00.000Z";

fn input(kind: &str, key: &str, version: u32) -> RuleInput {
    let key = Some(key.to_string()).filter(|k| !k.is_empty());
    let json_schema = json!({"properties": {}});
    RuleInput {
        kind: kind.into(),
        key,
        json_schema,
        version,
    }
}

fn up(kind: &str, key: &str, new_key: Option<&str>, version: u32) -> UpsertRule {
    let new_key = new_key.map(str::to_string);
    UpsertRule {
        new_key,
        ..input(kind, key, version).into()
    }
}

/// Stored rules, as read back from the store.
fn held(rules: &[(&str, &str, u32)]) -> Vec<Doc> {
    let schema = json!({});
    let doc = |&(kind, key, version): &(&str, &str, u32)| {
        let spec = Spec {
            kind,
            key: key.to_string(),
            schema: &schema,
            version,
        };
        Doc {
            version: 1,
            ..new_rule(PLAN, &spec, key, THEN).expect("a rule")
        }
    };
    rules.iter().map(doc).collect()
}

fn plan_of(n: usize) -> Vec<Doc> {
    let keys: Vec<String> = (0..n).map(|i| format!("E{i}")).collect();
    held(
        &keys
            .iter()
            .map(|k| ("TRACK", k.as_str(), 1))
            .collect::<Vec<_>>(),
    )
}

fn field<T>(r: AppResult<T>) -> String {
    r.err().and_then(|e| e.field).unwrap_or_default()
}

/// (write, natural key or id) of each op, in order.
fn summary(ops: &[Op]) -> Vec<(&'static str, String)> {
    let key = |d: &Doc| d.natural_key.clone().unwrap_or_default();
    let one = |op: &Op| match op {
        Op::Insert(d) => ("insert", key(d)),
        Op::Update(d) => ("update", key(d)),
        Op::Delete { id, .. } => ("delete", id.clone()),
    };
    ops.iter().map(one).collect()
}

fn pairs(items: &[(&'static str, &str)]) -> Vec<(&'static str, String)> {
    items.iter().map(|(w, k)| (*w, k.to_string())).collect()
}

#[test]
fn rules_are_checked_member_by_member() {
    let obj = json!({});
    assert_eq!(field(check(2, "TRACKS", None, &obj, 1)), "rules[2].type");
    assert_eq!(field(check(0, "TRACK", Some(" "), &obj, 1)), "rules[0].key");
    assert_eq!(field(check(1, "PAGE", None, &obj, 0)), "rules[1].version");
    assert_eq!(
        field(check(3, "PAGE", None, &json!("x"), 1)),
        "rules[3].jsonSchema"
    );
    assert_eq!(
        check(0, "IDENTIFY", None, &Value::Null, 1)
            .map(|s| s.key)
            .ok(),
        Some("".into())
    );
}

#[test]
fn upsert_adds_new_rules_and_updates_held_ones_in_place() {
    let h = held(&[("TRACK", "A", 1)]);
    let ops = plan_upsert(
        PLAN,
        &h,
        &[up("TRACK", "A", None, 2), up("TRACK", "B", None, 1)],
        NOW,
    );
    let ops = ops.unwrap();
    assert_eq!(
        summary(&ops),
        pairs(&[("update", "plan1|TRACK|A"), ("insert", "plan1|TRACK|B")])
    );
    let Op::Update(a) = &ops[0] else {
        panic!("an update")
    };
    assert_eq!(a.id, h[0].id, "the same document, not a copy");
    assert_eq!(
        (
            &a.body["version"],
            &a.body["createdAt"],
            &a.body["updatedAt"]
        ),
        (&json!(2), &json!(THEN), &json!(NOW))
    );
    // Sending what is held changes nothing, so nothing is written.
    let same = plan_upsert(
        PLAN,
        std::slice::from_ref(a),
        &[up("TRACK", "A", None, 2)],
        NOW,
    )
    .unwrap();
    assert!(same.is_empty());
}

#[test]
fn new_key_renames_and_a_retried_rename_updates_the_renamed_rule() {
    let h = held(&[("TRACK", "A", 1)]);
    let ops = plan_upsert(PLAN, &h, &[up("TRACK", "A", Some("B"), 1)], NOW).unwrap();
    let Op::Update(b) = &ops[0] else {
        panic!("an update")
    };
    assert_eq!(
        (b.id.as_str(), &b.body["key"]),
        (h[0].id.as_str(), &json!("B"))
    );
    assert_eq!(b.natural_key.as_deref(), Some("plan1|TRACK|B"));
    // The same request after it succeeded: A is gone and B is as asked.
    let again = plan_upsert(
        PLAN,
        std::slice::from_ref(b),
        &[up("TRACK", "A", Some("B"), 1)],
        NOW,
    );
    assert!(again.unwrap().is_empty());
}

#[test]
fn a_rename_onto_a_held_key_conflicts_but_a_freed_key_can_be_taken() {
    let h = held(&[("TRACK", "A", 1), ("TRACK", "B", 1)]);
    let e = plan_upsert(PLAN, &h, &[up("TRACK", "A", Some("B"), 1)], NOW).unwrap_err();
    assert_eq!(
        (e.status, e.field.as_deref()),
        (StatusCode::CONFLICT, Some("rules[0].newKey"))
    );
    // B moves to C, then A takes B, then a new A: the writes keep that order.
    let steps = [
        up("TRACK", "B", Some("C"), 1),
        up("TRACK", "A", Some("B"), 1),
        up("TRACK", "A", None, 1),
    ];
    let ops = plan_upsert(PLAN, &h, &steps, NOW).unwrap();
    let want = [
        ("update", "plan1|TRACK|C"),
        ("update", "plan1|TRACK|B"),
        ("insert", "plan1|TRACK|A"),
    ];
    assert_eq!(summary(&ops), pairs(&want));
}

#[test]
fn one_rule_twice_in_a_request_is_refused() {
    let twice = [up("TRACK", "A", None, 1), up("TRACK", "A", None, 2)];
    assert_eq!(field(plan_upsert(PLAN, &[], &twice, NOW)), "rules[1]");
    // No key and an empty key are the same rule.
    let mut empty = input("IDENTIFY", "", 1);
    empty.key = Some(String::new());
    let twice = [input("IDENTIFY", "", 1), empty];
    assert_eq!(field(plan_replace(PLAN, &[], &twice, NOW)), "rules[1]");
}

#[test]
fn request_and_plan_sizes_are_capped() {
    let many: Vec<UpsertRule> = (0..=MAX_RULES_PER_REQUEST)
        .map(|i| up("TRACK", &format!("E{i}"), None, 1))
        .collect();
    assert_eq!(field(plan_upsert(PLAN, &[], &many, NOW)), "rules");
    let full = plan_of(MAX_RULES_PER_PLAN);
    let e = plan_upsert(PLAN, &full, &[up("TRACK", "one more", None, 1)], NOW).unwrap_err();
    assert!(e.message.contains("at most 2000"), "{}", e.message);
    assert!(plan_upsert(PLAN, &full, &[up("TRACK", "E7", None, 3)], NOW).is_ok());
}

#[test]
fn replace_deletes_what_it_omits_and_refuses_big_plans() {
    let h = held(&[("TRACK", "A", 1), ("TRACK", "B", 1)]);
    let ops = plan_replace(
        PLAN,
        &h,
        &[input("TRACK", "B", 1), input("TRACK", "C", 1)],
        NOW,
    );
    let want = [
        ("delete", h[0].id.as_str()),
        ("update", "plan1|TRACK|B"),
        ("insert", "plan1|TRACK|C"),
    ];
    assert_eq!(summary(&ops.unwrap()), pairs(&want));
    let e = plan_replace(PLAN, &plan_of(MAX_REPLACEABLE + 1), &[], NOW).unwrap_err();
    assert_eq!(e.status, StatusCode::BAD_REQUEST);
    assert!(e.message.contains("use DELETE and PATCH"), "{}", e.message);
    assert!(plan_replace(PLAN, &plan_of(MAX_REPLACEABLE), &[], NOW).is_ok());
}

#[test]
fn remove_matches_type_key_and_version_and_skips_the_rest() {
    let h = held(&[("TRACK", "A", 1), ("TRACK", "B", 2), ("IDENTIFY", "", 1)]);
    let key = |kind: &str, key: Option<&str>, version| RuleKey {
        kind: kind.into(),
        key: key.map(str::to_string),
        version,
    };
    let named = [
        key("TRACK", Some("A"), 1),
        key("TRACK", Some("A"), 1),
        key("TRACK", Some("B"), 1),
        key("TRACK", Some("Z"), 1),
        key("IDENTIFY", None, 1),
    ];
    let ops = plan_remove(&h, &named).unwrap();
    assert_eq!(
        summary(&ops),
        pairs(&[("delete", &h[0].id), ("delete", &h[2].id)])
    );
}
