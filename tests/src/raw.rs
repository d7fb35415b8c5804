//! Raw HTTP against a [`TestWorkspace`], and assertions on the API's error body.
//!
//! The typed client only sends well-formed requests; the tests of the
//! server's refusals need the others.

use std::collections::BTreeMap;

use reqwest::header::HeaderMap;
use reqwest::{Method, RequestBuilder};
use serde_json::Value;

use crate::TestWorkspace;

/// An answer read whole: status, headers, body as JSON (`Null` when it is not JSON).
#[derive(Debug, Clone)]
pub struct Raw {
    pub status: u16,
    pub headers: HeaderMap,
    pub text: String,
    pub body: Value,
}

impl Raw {
    /// Sends `request` and reads the whole answer; panics when there is none.
    pub async fn send(request: RequestBuilder) -> Raw {
        let response = request.send().await.expect("the server answers");
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let text = response.text().await.expect("the answer has a body");
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        Raw {
            status,
            headers,
            text,
            body,
        }
    }

    /// `body.data`, asserting a 2xx answer first.
    pub fn data(&self) -> &Value {
        assert!(
            (200..300).contains(&self.status),
            "expected success, got HTTP {}: {}",
            self.status,
            self.text
        );
        &self.body["data"]
    }
}

impl TestWorkspace {
    /// A request holding the workspace-owner token.
    pub fn request(&self, method: Method, path: &str) -> RequestBuilder {
        self.request_with(Some(self.owner_token()), method, path)
    }

    /// A request holding `token`, or no `Authorization` header for `None`.
    pub fn request_with(&self, token: Option<&str>, method: Method, path: &str) -> RequestBuilder {
        let rb = self.http().request(method, self.url(path));
        match token {
            Some(t) => rb.bearer_auth(t),
            None => rb,
        }
    }

    /// GET `path` as the owner.
    pub async fn get_raw(&self, path: &str) -> Raw {
        Raw::send(self.request(Method::GET, path)).await
    }

    /// Sends `body` bytes as JSON with `method` to `path` as the owner.
    pub async fn send_raw(&self, method: Method, path: &str, body: impl Into<Vec<u8>>) -> Raw {
        let rb = self
            .request(method, path)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(body.into());
        Raw::send(rb).await
    }

    /// Every item of a list path, read raw 200 at a time through the cursors.
    pub async fn list_raw(&self, path: &str, key: &str) -> Vec<Value> {
        let mut items = Vec::new();
        let mut cursor: Option<String> = None;
        let sep = if path.contains('?') { '&' } else { '?' };
        // Bounded: a workspace in these tests holds far fewer than 200 * 1000.
        for _ in 0..1000 {
            let mut url = format!("{path}{sep}pagination.count=200");
            if let Some(c) = &cursor {
                url.push_str("&pagination.cursor=");
                url.push_str(c);
            }
            let raw = self.get_raw(&url).await;
            let data = raw.data();
            items.extend(
                data[key]
                    .as_array()
                    .unwrap_or_else(|| panic!("{path}: no `{key}` list in {}", raw.text))
                    .iter()
                    .cloned(),
            );
            match data["pagination"]["next"].as_str() {
                Some(next) if !next.is_empty() => cursor = Some(next.to_string()),
                _ => return items,
            }
        }
        panic!("{path}: pagination never ended");
    }

    /// Everything a client can see in the workspace: every top-level list in
    /// full, and the audit trail. Comparing two snapshots shows whether a
    /// request changed anything at all ("nothing half-written").
    pub async fn snapshot(&self) -> Snapshot {
        let mut lists = BTreeMap::new();
        for (path, key) in TOP_LEVEL_LISTS {
            lists.insert(path.to_string(), self.list_raw(path, key).await);
        }
        let labels = self.get_raw("labels").await;
        lists.insert(
            "labels".into(),
            labels.data()["labels"]
                .as_array()
                .cloned()
                .unwrap_or_default(),
        );
        let audit = self.list_raw("audit-events", "events").await;
        Snapshot { lists, audit }
    }
}

/// List paths a snapshot reads, with the key of their items. Filters,
/// subscriptions, rules and connections live below these and are checked
/// by the tests that touch them.
const TOP_LEVEL_LISTS: &[(&str, &str)] = &[
    ("sources", "sources"),
    ("destinations", "destinations"),
    ("warehouses", "warehouses"),
    ("tracking-plans", "trackingPlans"),
    ("functions?resourceType=SOURCE", "functions"),
    ("functions?resourceType=DESTINATION", "functions"),
    ("functions?resourceType=INSERT_DESTINATION", "functions"),
    ("transformations", "transformations"),
    ("reverse-etl-models", "models"),
    ("users", "users"),
    ("invites", "invites"),
    ("groups", "userGroups"),
];

/// See [`TestWorkspace::snapshot`].
#[derive(Debug, Clone, PartialEq)]
pub struct Snapshot {
    pub lists: BTreeMap<String, Vec<Value>>,
    pub audit: Vec<Value>,
}

/// Asserts that `raw` is an error answer in the API's shape,
/// `{"errors": [{"type", "message", "field", "status"}]}`, with `status`
/// and, when given, naming `field`. Returns the first error item.
#[track_caller]
pub fn assert_error(raw: &Raw, status: u16, field: Option<&str>) -> Value {
    assert_eq!(raw.status, status, "status of the answer {}", raw.text);
    let content_type = raw
        .headers
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    assert!(
        content_type.starts_with("application/json"),
        "an error body is JSON, not {content_type:?}"
    );
    let errors = raw.body["errors"]
        .as_array()
        .unwrap_or_else(|| panic!("no `errors` list in {}", raw.text));
    assert!(!errors.is_empty(), "an empty `errors` list: {}", raw.text);
    let first = &errors[0];
    assert!(
        first["type"].as_str().is_some_and(|t| !t.is_empty()),
        "error without a type: {}",
        raw.text
    );
    assert!(
        first["message"].as_str().is_some_and(|m| !m.is_empty()),
        "error without a message: {}",
        raw.text
    );
    assert_eq!(
        first["status"], status,
        "the error's own status: {}",
        raw.text
    );
    if let Some(field) = field {
        assert_eq!(
            first["field"], field,
            "the field the error names: {}",
            raw.text
        );
    }
    first.clone()
}

/// Asserts that a client call failed with an API error of `status` naming
/// `field` (when given), and returns it.
#[track_caller]
pub fn assert_client_error<T: std::fmt::Debug>(
    result: Result<T, segment_api::Error>,
    status: u16,
    field: Option<&str>,
) -> segment_api::ApiError {
    let err = match result {
        Ok(v) => panic!("expected HTTP {status}, the call succeeded with {v:?}"),
        Err(e) => e,
    };
    let api = err
        .api()
        .unwrap_or_else(|| panic!("expected HTTP {status}, got {err}"))
        .clone();
    assert_eq!(api.status, status, "{api}");
    assert!(!api.errors.is_empty(), "{api}");
    assert!(!api.errors[0].message.is_empty(), "{api}");
    if let Some(field) = field {
        assert_eq!(api.field(), Some(field), "{api}");
    }
    api
}
