//! The key sets of the server's answers, pinned: a seeded workspace is read
//! through every list and item path, and each answer's key paths must be
//! those in `wire_shapes.txt`. The client decodes with `#[serde(default)]`,
//! so a key the server renamed or dropped would decode silently as empty;
//! this test is what notices. After an intended change of the wire, rewrite
//! the file with `WIRE_SHAPES_WRITE=1`.

use std::collections::{BTreeMap, BTreeSet};

use segment_e2e::TestWorkspace;
use serde_json::Value;

/// Free-form maps whose keys are data, not the wire's shape: the catalog's
/// metadata, integration settings and tracking-plan JSON schemas.
const OPAQUE: &[&str] = &["metadata", "settings", "jsonSchema", "options"];

fn key_paths(value: &Value, path: &str, out: &mut BTreeSet<String>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                let p = format!("{path}.{k}");
                out.insert(p.clone());
                if !OPAQUE.contains(&k.as_str()) {
                    key_paths(v, &p, out);
                }
            }
        }
        Value::Array(items) => {
            for item in items {
                key_paths(item, &format!("{path}[]"), out);
            }
        }
        _ => {}
    }
}

struct Crawl<'a> {
    ws: &'a TestWorkspace,
    shapes: BTreeMap<String, BTreeSet<String>>,
}

impl Crawl<'_> {
    /// Reads `path` and records its key paths under `name`; answers its data.
    async fn read(&mut self, name: &str, path: &str) -> Value {
        let raw = self.ws.get_raw(path).await;
        assert_eq!(raw.status, 200, "GET {path}: {}", raw.text);
        key_paths(
            &raw.body,
            "",
            self.shapes.entry(name.to_string()).or_default(),
        );
        raw.body["data"].clone()
    }

    /// Reads a list and returns the ids of its items under `key`.
    async fn ids(&mut self, name: &str, path: &str, key: &str) -> Vec<String> {
        let data = self.read(name, path).await;
        data[key]
            .as_array()
            .unwrap_or_else(|| panic!("GET {path}: no `{key}` list"))
            .iter()
            .filter_map(|item| item["id"].as_str().map(str::to_string))
            .collect()
    }
}

#[tokio::test]
async fn answers_keep_their_key_sets() {
    let ws = TestWorkspace::start().await.expect("a workspace");
    segment_workspace::seed::seed(ws.owner(), 1, 4)
        .await
        .expect("the seed runs");
    let mut c = Crawl {
        ws: &ws,
        shapes: BTreeMap::new(),
    };
    c.read("workspace", "").await;
    c.read("labels", "labels").await;
    c.read("roles", "roles").await;
    c.read("audit-events", "audit-events?pagination.count=5")
        .await;
    c.read("catalog/sources/{id}", "catalog/sources/IqDTy1TpoU")
        .await;

    for id in c.ids("sources", "sources", "sources").await {
        c.read("sources/{id}", &format!("sources/{id}")).await;
        c.read("sources/{id}/settings", &format!("sources/{id}/settings"))
            .await;
        c.read(
            "sources/{id}/connected-destinations",
            &format!("sources/{id}/connected-destinations"),
        )
        .await;
        c.read(
            "sources/{id}/connected-warehouses",
            &format!("sources/{id}/connected-warehouses"),
        )
        .await;
    }
    for id in c.ids("destinations", "destinations", "destinations").await {
        c.read("destinations/{id}", &format!("destinations/{id}"))
            .await;
        for f in c
            .ids(
                "destination/{id}/filters",
                &format!("destination/{id}/filters"),
                "filters",
            )
            .await
        {
            c.read(
                "destination/{id}/filters/{id}",
                &format!("destination/{id}/filters/{f}"),
            )
            .await;
        }
        for s in c
            .ids(
                "destinations/{id}/subscriptions",
                &format!("destinations/{id}/subscriptions"),
                "subscriptions",
            )
            .await
        {
            c.read(
                "destinations/{id}/subscriptions/{id}",
                &format!("destinations/{id}/subscriptions/{s}"),
            )
            .await;
        }
    }
    for id in c.ids("warehouses", "warehouses", "warehouses").await {
        c.read("warehouses/{id}", &format!("warehouses/{id}")).await;
        c.read(
            "warehouses/{id}/connected-sources",
            &format!("warehouses/{id}/connected-sources"),
        )
        .await;
    }
    for id in c
        .ids("tracking-plans", "tracking-plans", "trackingPlans")
        .await
    {
        c.read("tracking-plans/{id}", &format!("tracking-plans/{id}"))
            .await;
        c.read(
            "tracking-plans/{id}/rules",
            &format!("tracking-plans/{id}/rules"),
        )
        .await;
        c.read(
            "tracking-plans/{id}/sources",
            &format!("tracking-plans/{id}/sources"),
        )
        .await;
    }
    for kind in ["SOURCE", "DESTINATION", "INSERT_DESTINATION"] {
        let list = format!("functions?resourceType={kind}");
        for id in c.ids("functions", &list, "functions").await {
            c.read("functions/{id}", &format!("functions/{id}")).await;
            if kind == "INSERT_DESTINATION" {
                for i in c
                    .ids(
                        "insert-function-instances",
                        &format!("insert-function-instances?functionId={id}"),
                        "instances",
                    )
                    .await
                {
                    c.read(
                        "insert-function-instances/{id}",
                        &format!("insert-function-instances/{i}"),
                    )
                    .await;
                }
            }
        }
    }
    for id in c
        .ids("transformations", "transformations", "transformations")
        .await
    {
        c.read("transformations/{id}", &format!("transformations/{id}"))
            .await;
    }
    for id in c
        .ids("reverse-etl-models", "reverse-etl-models", "models")
        .await
    {
        c.read(
            "reverse-etl-models/{id}",
            &format!("reverse-etl-models/{id}"),
        )
        .await;
    }
    for id in c.ids("users", "users", "users").await {
        c.read("users/{id}", &format!("users/{id}")).await;
        c.read("users/{id}/groups", &format!("users/{id}/groups"))
            .await;
        c.read("users/{id}/permissions", &format!("users/{id}/permissions"))
            .await;
    }
    c.read("invites", "invites").await;
    for id in c.ids("groups", "groups", "userGroups").await {
        c.read("groups/{id}", &format!("groups/{id}")).await;
        c.read("groups/{id}/users", &format!("groups/{id}/users"))
            .await;
        c.read("groups/{id}/invites", &format!("groups/{id}/invites"))
            .await;
    }

    // Engage last, into the same workspace, so the answers above are those
    // of a workspace seeded without --engage.
    segment_workspace::seed::engage::seed_engage(ws.owner())
        .await
        .expect("the Engage seed runs");
    for id in c.ids("spaces", "spaces", "spaces").await {
        c.read("spaces/{id}", &format!("spaces/{id}")).await;
        let audiences = format!("spaces/{id}/audiences");
        for a in c
            .ids("spaces/{id}/audiences", &audiences, "audiences")
            .await
        {
            let path = format!("{audiences}/{a}");
            c.read("spaces/{id}/audiences/{id}", &path).await;
        }
        let traits = format!("spaces/{id}/computed-traits");
        for t in c
            .ids("spaces/{id}/computed-traits", &traits, "computedTraits")
            .await
        {
            let path = format!("{traits}/{t}");
            c.read("spaces/{id}/computed-traits/{id}", &path).await;
        }
    }

    let mut text = String::new();
    for (name, paths) in &c.shapes {
        text.push_str(&format!("GET /{name}\n"));
        for p in paths {
            text.push_str(&format!("  {p}\n"));
        }
    }
    let file = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/wire_shapes.txt");
    if std::env::var_os("WIRE_SHAPES_WRITE").is_some() {
        std::fs::write(file, &text).expect("writing the pinned shapes");
    }
    let pinned = std::fs::read_to_string(file).expect("the pinned shapes");
    assert!(
        pinned == text,
        "the answers' key sets changed (diff {file} against this):\n{text}"
    );
}
