//! `GET /openapi.json` and the router agree: every path and method the
//! router serves is described, and every described one is served. The
//! router's routes are read from one place, its source (`src/routes/`),
//! and each is then asked of a real server, so a scan that misread the
//! source fails too.

mod support;

use std::collections::BTreeSet;
use std::path::Path;

use reqwest::Method;
use support::{database_url, Served};

const ROUTING_METHODS: &[&str] = &["get", "post", "put", "patch", "delete"];

type Route = (String, String);

/// The `(template, method)` of every `.route("...", get(..).post(..))` in
/// the router's source files.
fn routes_in_source() -> BTreeSet<Route> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/routes");
    let mut routes = BTreeSet::new();
    for entry in std::fs::read_dir(&dir).expect("src/routes") {
        let path = entry.expect("an entry").path();
        if path.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let text = std::fs::read_to_string(&path).expect("a source file");
        // Unit tests may build routers of their own.
        let text = text.split("#[cfg(test)]").next().unwrap_or_default();
        for other in [".nest(", ".nest_service(", ".route_service("] {
            assert!(
                !text.contains(other),
                "{}: {other} adds routes this scan does not read; teach it to",
                path.display()
            );
        }
        for call in text.split(".route(").skip(1) {
            let args = balanced(call);
            let (template, chain) = template_and_chain(args)
                .unwrap_or_else(|| panic!("{}: cannot read .route({args})", path.display()));
            for method in methods_of(chain) {
                assert!(
                    ROUTING_METHODS.contains(&method.as_str()),
                    "{}: {template} is routed with {method}(..), which this scan does not know",
                    path.display()
                );
                routes.insert((template.to_string(), method));
            }
        }
    }
    routes
}

/// The text up to the parenthesis that closes the call.
fn balanced(after_open: &str) -> &str {
    let mut depth = 1;
    for (i, c) in after_open.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth == 0 {
                    return &after_open[..i];
                }
            }
            _ => {}
        }
    }
    after_open
}

fn template_and_chain(args: &str) -> Option<(&str, &str)> {
    let rest = args.trim_start().strip_prefix('"')?;
    let (template, rest) = rest.split_once('"')?;
    Some((template, rest.trim_start().strip_prefix(',')?))
}

/// The names called at the chain's top level: `get(list).post(create)` and
/// `axum::routing::get(crate::metrics::render)` give `get` (and `post`).
fn methods_of(chain: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut depth = 0;
    let mut word = String::new();
    for c in chain.chars() {
        match c {
            '(' => {
                if depth == 0 && !word.is_empty() {
                    names.push(word.clone());
                }
                depth += 1;
                word.clear();
            }
            ')' => {
                depth -= 1;
                word.clear();
            }
            c if c.is_alphanumeric() || c == '_' => word.push(c),
            _ => word.clear(),
        }
    }
    names
}

fn described() -> BTreeSet<Route> {
    let doc = segment_workspace::openapi::document().expect("the description merges");
    let mut routes = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for method in segment_workspace::openapi::METHODS {
            if item.get(*method).is_some() {
                routes.insert((path.clone(), method.to_string()));
            }
        }
    }
    routes
}

/// A template with its parameters filled in.
fn concrete(template: &str) -> String {
    template
        .split('/')
        .map(|seg| if seg.starts_with('{') { "probe" } else { seg })
        .collect::<Vec<_>>()
        .join("/")
}

#[tokio::test]
async fn every_served_route_is_described_and_every_described_one_served() {
    let source = routes_in_source();
    assert!(source.len() > 50, "the scan found only {source:?}");
    let described = described();
    let undescribed: Vec<_> = source.difference(&described).collect();
    let unserved: Vec<_> = described.difference(&source).collect();
    assert!(
        undescribed.is_empty() && unserved.is_empty(),
        "routed but not in server/openapi/*.json: {undescribed:?}\n\
         described but not routed: {unserved:?}"
    );

    // The scan read the router right: each route is served, not answered by
    // the fallbacks (404 "no such API path", 405).
    let dir = tempfile::tempdir().unwrap();
    let served = Served::start(&database_url(dir.path()), &["--token", "tok"]);
    for (template, method) in &source {
        let method = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
        let (status, body) = served
            .send(method.clone(), "tok", &concrete(template), "")
            .await;
        let fallback =
            status == 405 || (status == 404 && body.to_string().contains("no such API path"));
        assert!(
            !fallback,
            "{method} {template} is not served: {status} {body}"
        );
    }
}

#[tokio::test]
async fn the_description_is_served_without_a_token() {
    let dir = tempfile::tempdir().unwrap();
    let served = Served::start(&database_url(dir.path()), &["--token", "tok"]);
    let answer = reqwest::get(format!("{}/openapi.json", served.url))
        .await
        .expect("an answer");
    assert_eq!(answer.status(), 200);
    assert_eq!(
        answer.headers()["content-type"].to_str().unwrap(),
        "application/json"
    );
    let doc: serde_json::Value = answer.json().await.expect("JSON");
    assert_eq!(doc, segment_workspace::openapi::document().unwrap());
    // Not counted, as /metrics is not.
    let metrics = reqwest::get(format!("{}/metrics", served.url))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!metrics.contains("openapi"), "{metrics}");
    // Another method answers 405 in the API's error body (which the
    // description promises for every 4xx), here too.
    for path in ["/openapi.json", "/metrics"] {
        let (status, body) = served.send(Method::POST, "tok", path, "").await;
        assert_eq!(status, 405, "POST {path}: {body}");
        assert_eq!(body["errors"][0]["type"], "method-not-allowed", "{body}");
    }
}

#[test]
fn the_scan_reads_multi_line_routes_and_method_chains() {
    let call = "\n        \"/groups/{id}/users\",\n        get(list_users)\n            .post(add)\n            .delete(remove),\n    )\n    .route(";
    let (template, chain) = template_and_chain(balanced(call)).unwrap();
    assert_eq!(template, "/groups/{id}/users");
    assert_eq!(methods_of(chain), ["get", "post", "delete"]);
    let (_, chain) =
        template_and_chain("\"/metrics\", axum::routing::get(crate::m::render)").unwrap();
    assert_eq!(methods_of(chain), ["get"]);
}
