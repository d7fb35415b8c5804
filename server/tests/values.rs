//! Value checks: 422 naming the field and the fix, and nothing written.

mod support;

use reqwest::Method;
use support::{database_url, Served};

fn assert_refused(answer: &(u16, serde_json::Value), field: &str, words: &[&str]) {
    let (status, body) = answer;
    assert_eq!(*status, 422, "{body}");
    let error = &body["errors"][0];
    assert_eq!(error["field"], field, "{body}");
    let message = error["message"].as_str().unwrap();
    for word in words {
        assert!(message.contains(word), "{word} in {message}");
    }
}

/// Before, a warehouse `port` of -1 or 1.5 was stored.
#[tokio::test]
async fn a_warehouse_port_is_an_integer_from_1_to_65535() {
    let dir = tempfile::tempdir().unwrap();
    let served = Served::start(&database_url(dir.path()), &["--token", "tok"]);
    let body = |port: &str| {
        format!(
            r#"{{"metadataId":"55d3d3aea3c","settings":{{"hostname":"h","database":"d",
               "username":"u","password":"p","port":{port}}}}}"#
        )
    };
    for port in ["-1", "1.5", "0", "65536"] {
        let answer = served
            .send(Method::POST, "tok", "/warehouses", &body(port))
            .await;
        assert_refused(&answer, "settings.port", &["1 to 65535"]);
    }
    let (_, list) = served.send(Method::GET, "tok", "/warehouses", "").await;
    assert_eq!(
        list["data"]["warehouses"],
        serde_json::json!([]),
        "nothing written"
    );
    let (status, made) = served
        .send(Method::POST, "tok", "/warehouses", &body("5432"))
        .await;
    assert_eq!(status, 200, "{made}");
    let id = made["data"]["warehouse"]["id"].as_str().unwrap();
    let answer = served
        .send(
            Method::PATCH,
            "tok",
            &format!("/warehouses/{id}"),
            r#"{"settings":{"port":-1}}"#,
        )
        .await;
    assert_refused(&answer, "settings.port", &["1 to 65535"]);
}

/// Before, `18446744073709551617` was stored as `1.8446744073709552e+19`.
#[tokio::test]
async fn numbers_that_would_be_stored_rounded_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let served = Served::start(&database_url(dir.path()), &["--token", "tok"]);
    let answer = served
        .send(
            Method::POST,
            "tok",
            "/warehouses",
            r#"{"metadataId":"55d3d3aea3c","settings":{"hostname":"h","database":"d",
               "username":"u","password":"p","port":18446744073709551617}}"#,
        )
        .await;
    assert_refused(&answer, "settings.port", &["2^53", "stored rounded"]);
    let answer = served
        .send(
            Method::POST,
            "tok",
            "/tracking-plans",
            r#"{"name":"p","type":"LIVE","description":"n","extra":[1,-9223372036854775809]}"#,
        )
        .await;
    assert_refused(&answer, "extra[1]", &["2^53"]);
}

/// Before, an invite to "a@b.c\u0000" and label keys with NUL or a
/// right-to-left override were accepted.
#[tokio::test]
async fn emails_and_labels_with_control_characters_or_bidi_overrides_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let served = Served::start(&database_url(dir.path()), &["--token", "tok"]);
    let invite = |email: &str| {
        serde_json::json!({"invites": [{"email": email, "permissions": []}]}).to_string()
    };
    for email in ["a@b.c\u{0}", "a\u{202E}@b.c", "a@b\u{7}.c"] {
        let answer = served
            .send(Method::POST, "tok", "/invites", &invite(email))
            .await;
        assert_refused(&answer, "invites[0].email", &["U+", "remove it"]);
    }
    let label = |k: &str, v: &str| serde_json::json!({"label": {"key": k, "value": v}}).to_string();
    let answer = served
        .send(Method::POST, "tok", "/labels", &label("env\u{0}", "dev"))
        .await;
    assert_refused(&answer, "label.key", &["U+0000"]);
    let answer = served
        .send(Method::POST, "tok", "/labels", &label("env", "\u{202E}ved"))
        .await;
    assert_refused(&answer, "label.value", &["U+202E"]);
    let answer = served
        .send(Method::POST, "tok", "/labels", &label("env", "x\u{2068}y"))
        .await;
    assert_refused(&answer, "label.value", &["U+2068"]);
    let (_, labels) = served.send(Method::GET, "tok", "/labels", "").await;
    assert_eq!(
        labels["data"]["labels"],
        serde_json::json!([]),
        "nothing written"
    );
    // Text beyond ASCII is fine.
    let (status, _) = served
        .send(Method::POST, "tok", "/labels", &label("région", "東京"))
        .await;
    assert_eq!(status, 200);
}
