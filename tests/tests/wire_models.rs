//! Every answer of a seeded workspace decodes into the `segment-api` model
//! the client reads it with, strictly: each key the server sends must be a
//! field of that model (it survives a decode and an encode), where the
//! client's `#[serde(default)]` would otherwise read an unknown key as
//! nothing and a missing one as empty. With `wire_shapes.rs` (which pins the
//! key sets themselves) this holds the server and the client to one contract.

use std::collections::BTreeSet;

use segment_api::models::{
    AuditEvent, Destination, DestinationFilter, DestinationMetadata, DestinationSubscription,
    Function, FunctionListItem, InsertFunctionInstance, Label, Labels, MinimalUser,
    MinimalUserGroup, Pagination, ReverseEtlModel, Role, Rule, Source, SourceMetadata,
    SourceSchemaSettingsOutput, TrackingPlan, Transformation, User, UserGroup, Warehouse,
    Workspace,
};
use segment_e2e::TestWorkspace;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

/// Free-form maps whose keys are data, not fields: catalog metadata (a
/// source names its entry, the catalog paths hold it whole), settings and
/// schemas.
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

/// `value` as `T`, or why not: it does not decode, or it holds keys `T`
/// has no field for (they are gone after a decode and an encode).
fn strictly<T: DeserializeOwned + Serialize>(value: &Value) -> Result<T, String> {
    let model: T = serde_json::from_value(value.clone()).map_err(|e| e.to_string())?;
    let again = serde_json::to_value(&model).map_err(|e| e.to_string())?;
    let (mut sent, mut known) = (BTreeSet::new(), BTreeSet::new());
    key_paths(value, "", &mut sent);
    key_paths(&again, "", &mut known);
    let unknown: Vec<&String> = sent.difference(&known).collect();
    if !unknown.is_empty() {
        return Err(format!(
            "{} has no field for {unknown:?}",
            std::any::type_name::<T>()
        ));
    }
    Ok(model)
}

struct Check<'a> {
    ws: &'a TestWorkspace,
    checked: usize,
}

impl Check<'_> {
    async fn data(&self, path: &str) -> Value {
        let raw = self.ws.get_raw(path).await;
        assert_eq!(raw.status, 200, "GET {path}: {}", raw.text);
        let keys: Vec<&String> = raw.body.as_object().expect("an object").keys().collect();
        assert_eq!(keys, ["data"], "GET {path}: the envelope");
        raw.body["data"].clone()
    }

    /// `data` is the model itself.
    async fn whole<T: DeserializeOwned + Serialize>(&mut self, path: &str) -> T {
        let data = self.data(path).await;
        self.checked += 1;
        strictly(&data).unwrap_or_else(|e| panic!("GET {path}: {e}"))
    }

    /// `data` is `{key: model}`, and any of the keys in `beside`.
    async fn one<T: DeserializeOwned + Serialize>(
        &mut self,
        path: &str,
        key: &str,
        beside: &[&str],
    ) -> T {
        let data = self.data(path).await;
        for k in data.as_object().expect("an object").keys() {
            assert!(
                k == key || beside.contains(&k.as_str()),
                "GET {path}: {k:?} beside {key:?}"
            );
        }
        self.checked += 1;
        strictly(&data[key]).unwrap_or_else(|e| panic!("GET {path}: {key}: {e}"))
    }

    /// `data` is `{key: [models], pagination}`.
    async fn list<T: DeserializeOwned + Serialize>(&mut self, path: &str, key: &str) -> Vec<T> {
        let data = self.data(path).await;
        let mut keys: Vec<&String> = data.as_object().expect("an object").keys().collect();
        keys.sort();
        let mut want = vec![key, "pagination"];
        want.sort();
        assert_eq!(keys, want, "GET {path}: the list's keys");
        strictly::<Pagination>(&data["pagination"])
            .unwrap_or_else(|e| panic!("GET {path}: pagination: {e}"));
        let items = data[key].as_array().expect("a list");
        self.checked += items.len();
        items
            .iter()
            .enumerate()
            .map(|(i, item)| {
                strictly(item).unwrap_or_else(|e| panic!("GET {path}: {key}[{i}]: {e}"))
            })
            .collect()
    }
}

#[tokio::test]
async fn every_answer_decodes_strictly_into_its_model() {
    let ws = TestWorkspace::start().await.expect("a workspace");
    segment_workspace::seed::seed(ws.owner(), 1, 4)
        .await
        .expect("the seed runs");
    let mut c = Check {
        ws: &ws,
        checked: 0,
    };
    c.one::<Workspace>("", "workspace", &[]).await;
    c.whole::<Labels>("labels").await;
    c.list::<Role>("roles", "roles").await;
    c.list::<AuditEvent>("audit-events?pagination.count=50", "events")
        .await;
    c.one::<SourceMetadata>("catalog/sources/IqDTy1TpoU", "sourceMetadata", &[])
        .await;
    c.list::<SourceMetadata>("catalog/sources?pagination.count=5", "sourcesCatalog")
        .await;
    c.list::<DestinationMetadata>(
        "catalog/destinations?pagination.count=5",
        "destinationsCatalog",
    )
    .await;

    for s in c.list::<Source>("sources", "sources").await {
        let id = s.id;
        // The client reads the source only; the plan id comes beside it.
        c.one::<Source>(&format!("sources/{id}"), "source", &["trackingPlanId"])
            .await;
        c.whole::<SourceSchemaSettingsOutput>(&format!("sources/{id}/settings"))
            .await;
        c.list::<Destination>(
            &format!("sources/{id}/connected-destinations"),
            "destinations",
        )
        .await;
        c.list::<Warehouse>(&format!("sources/{id}/connected-warehouses"), "warehouses")
            .await;
    }
    for d in c.list::<Destination>("destinations", "destinations").await {
        let id = d.id;
        c.one::<Destination>(&format!("destinations/{id}"), "destination", &[])
            .await;
        let filters = format!("destination/{id}/filters");
        for f in c.list::<DestinationFilter>(&filters, "filters").await {
            c.one::<DestinationFilter>(&format!("{filters}/{}", f.id), "filter", &[])
                .await;
        }
        let subscriptions = format!("destinations/{id}/subscriptions");
        for s in c
            .list::<DestinationSubscription>(&subscriptions, "subscriptions")
            .await
        {
            let path = format!("{subscriptions}/{}", s.id);
            c.one::<DestinationSubscription>(&path, "subscription", &[])
                .await;
        }
    }
    for w in c.list::<Warehouse>("warehouses", "warehouses").await {
        let id = w.id;
        c.one::<Warehouse>(&format!("warehouses/{id}"), "warehouse", &[])
            .await;
        c.list::<Source>(&format!("warehouses/{id}/connected-sources"), "sources")
            .await;
    }
    for p in c
        .list::<TrackingPlan>("tracking-plans", "trackingPlans")
        .await
    {
        let id = p.id;
        c.one::<TrackingPlan>(&format!("tracking-plans/{id}"), "trackingPlan", &[])
            .await;
        c.list::<Rule>(&format!("tracking-plans/{id}/rules"), "rules")
            .await;
        c.list::<Source>(&format!("tracking-plans/{id}/sources"), "sources")
            .await;
    }
    for kind in ["SOURCE", "DESTINATION", "INSERT_DESTINATION"] {
        let list = format!("functions?resourceType={kind}");
        for f in c.list::<FunctionListItem>(&list, "functions").await {
            let id = f.id;
            c.one::<Function>(&format!("functions/{id}"), "function", &[])
                .await;
            let instances = format!("insert-function-instances?functionId={id}");
            if kind == "INSERT_DESTINATION" {
                for i in c
                    .list::<InsertFunctionInstance>(&instances, "instances")
                    .await
                {
                    let path = format!("insert-function-instances/{}", i.id);
                    c.one::<InsertFunctionInstance>(&path, "insertFunctionInstance", &[])
                        .await;
                }
            }
        }
    }
    for t in c
        .list::<Transformation>("transformations", "transformations")
        .await
    {
        let path = format!("transformations/{}", t.id);
        c.one::<Transformation>(&path, "transformation", &[]).await;
    }
    for m in c
        .list::<ReverseEtlModel>("reverse-etl-models", "models")
        .await
    {
        let path = format!("reverse-etl-models/{}", m.id);
        c.one::<ReverseEtlModel>(&path, "reverseEtlModel", &[])
            .await;
    }
    for u in c.list::<User>("users", "users").await {
        c.one::<User>(&format!("users/{}", u.id), "user", &[]).await;
        c.list::<MinimalUserGroup>(&format!("users/{}/groups", u.id), "groups")
            .await;
    }
    c.list::<String>("invites", "invites").await;
    for g in c.list::<UserGroup>("groups", "userGroups").await {
        let id = g.id;
        c.one::<UserGroup>(&format!("groups/{id}"), "userGroup", &[])
            .await;
        c.list::<MinimalUser>(&format!("groups/{id}/users"), "users")
            .await;
        c.list::<String>(&format!("groups/{id}/invites"), "emails")
            .await;
    }
    // The seed makes every family; a crawl that read next to nothing
    // would prove nothing.
    assert!(c.checked > 100, "only {} answers checked", c.checked);
}

/// The check itself: a key the model has no field for fails it, where a
/// plain decode (as the client does) would drop it without a word.
#[test]
fn a_key_the_model_does_not_know_fails_the_check() {
    let label = serde_json::json!({"key": "env", "value": "prod", "colour": "red"});
    assert!(serde_json::from_value::<Label>(label.clone()).is_ok());
    let e = strictly::<Label>(&label).expect_err("colour is no field of Label");
    assert!(e.contains(".colour"), "{e}");
    let nested = serde_json::json!({"labels": [{"key": "k", "value": "v", "colour": "red"}]});
    let e = strictly::<Labels>(&nested).expect_err("nested too");
    assert!(e.contains(".labels[].colour"), "{e}");
    let fine = serde_json::json!({"labels": [{"key": "k", "value": "v"}]});
    assert!(strictly::<Labels>(&fine).is_ok());
}
