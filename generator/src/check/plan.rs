//! The part of `terraform show -json PLANFILE` that a review reads: the
//! resource changes and the state before them, which names every object.
//!
//! Values stay `serde_json::Value`: they are whatever each resource type's
//! schema says, and secrets are in them in clear, so nothing here prints one.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::Value as Json;

/// The plan, as far as a review needs it.
#[derive(Debug, Deserialize)]
pub struct Plan {
    pub format_version: Option<String>,
    #[serde(default)]
    pub resource_changes: Vec<ResourceChange>,
    pub prior_state: Option<State>,
    /// Present in plan output only: what tells a plan from a state.
    pub planned_values: Option<Json>,
    /// Terraform writes the plan of a failed `plan` too, incomplete.
    #[serde(default)]
    pub errored: bool,
}

#[derive(Debug, Deserialize)]
pub struct ResourceChange {
    pub address: String,
    #[serde(default)]
    pub mode: String,
    #[serde(rename = "type")]
    pub type_name: String,
    pub change: Change,
}

#[derive(Debug, Deserialize)]
pub struct Change {
    pub actions: Vec<String>,
    #[serde(default)]
    pub before: Json,
    #[serde(default)]
    pub after: Json,
    #[serde(default)]
    pub after_unknown: Json,
    #[serde(default)]
    pub before_sensitive: Json,
    #[serde(default)]
    pub after_sensitive: Json,
    /// Attribute paths that force the replacement.
    #[serde(default)]
    pub replace_paths: Vec<Vec<Json>>,
}

#[derive(Debug, Deserialize)]
pub struct State {
    pub values: Option<StateValues>,
}

#[derive(Debug, Deserialize)]
pub struct StateValues {
    pub root_module: Option<Module>,
}

#[derive(Debug, Default, Deserialize)]
pub struct Module {
    #[serde(default)]
    pub resources: Vec<StateResource>,
    #[serde(default)]
    pub child_modules: Vec<Module>,
}

#[derive(Debug, Deserialize)]
pub struct StateResource {
    #[serde(default)]
    pub address: String,
    #[serde(default)]
    pub mode: String,
    #[serde(rename = "type")]
    pub type_name: String,
    #[serde(default)]
    pub values: Json,
}

/// What the change does to the object, from Terraform's action list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    Create,
    Update,
    Delete,
    Replace,
    /// No-op, read, forget: nothing changes in the workspace.
    Nothing,
}

impl Change {
    pub fn action(&self) -> Action {
        let has = |a: &str| self.actions.iter().any(|x| x == a);
        match (has("create"), has("delete"), has("update")) {
            (true, true, _) => Action::Replace,
            (true, false, _) => Action::Create,
            (false, true, _) => Action::Delete,
            (false, false, true) => Action::Update,
            _ => Action::Nothing,
        }
    }
}

/// One object of the workspace as the plan knows it.
#[derive(Clone, Debug)]
pub struct Known {
    pub type_name: String,
    pub values: Json,
}

/// Every object the plan knows, by address and by id: the prior state and
/// what the changes hold before and after, so a reason can name a
/// destination's source rather than print its id alone. Objects without an
/// id (connections) are known by address.
#[derive(Debug, Default)]
pub struct Index {
    objects: BTreeMap<String, Known>,
    by_id: BTreeMap<String, String>,
}

impl Index {
    pub fn new(plan: &Plan) -> Index {
        let mut index = Index::default();
        if let Some(root) = plan
            .prior_state
            .as_ref()
            .and_then(|s| s.values.as_ref())
            .and_then(|v| v.root_module.as_ref())
        {
            index.add_module(root);
        }
        for rc in plan
            .resource_changes
            .iter()
            .filter(|rc| rc.mode == "managed")
        {
            for values in [&rc.change.before, &rc.change.after] {
                if values.is_object() {
                    index.add(&rc.address, &rc.type_name, values);
                }
            }
        }
        index
    }

    fn add_module(&mut self, module: &Module) {
        for r in module.resources.iter().filter(|r| r.mode == "managed") {
            self.add(&r.address, &r.type_name, &r.values);
        }
        for child in &module.child_modules {
            self.add_module(child);
        }
    }

    fn add(&mut self, address: &str, type_name: &str, values: &Json) {
        let id = values.get("id").and_then(Json::as_str);
        // Terraform names every object by address; a hand-made plan may not.
        let key = match (address, id) {
            ("", Some(id)) => format!("{type_name}#{id}"),
            _ => address.to_string(),
        };
        if self.objects.contains_key(&key) {
            return;
        }
        if let Some(id) = id {
            self.by_id
                .entry(id.to_string())
                .or_insert_with(|| key.clone());
        }
        self.objects.insert(
            key,
            Known {
                type_name: type_name.to_string(),
                values: values.clone(),
            },
        );
    }

    pub fn get(&self, id: &str) -> Option<&Known> {
        self.objects.get(self.by_id.get(id)?)
    }

    /// Objects of `type_name` whose attribute `attr` is `id`.
    pub fn referring<'a>(
        &'a self,
        type_name: &'a str,
        attr: &'a str,
        id: &'a str,
    ) -> impl Iterator<Item = &'a Known> + 'a {
        self.objects.values().filter(move |k| {
            k.type_name == type_name && k.values.get(attr).and_then(Json::as_str) == Some(id)
        })
    }
}
