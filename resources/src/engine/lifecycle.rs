//! The engine's side of each RPC: registry look-up, the generic rules, and
//! the call into the resource type's mapping.

use std::collections::BTreeMap;

use segment_api::Client;

use super::catalog_check::{CatalogCache, PlanCheck};
use super::conflict;
use super::diagnose::diagnose;
use super::empty;
use super::gone::{unconfirmed, Confirmed, NotShownGone};
use super::plan::{known_or_null, plan, settle};
use super::secrets::{self, Secrets};
use super::validate::validate;
use super::{json_attr, DataSourceType, Failure, JsonMode, Obj, ResourceSpec, ResourceType, Role};
use crate::backend::*;
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::schema::Schema;
use crate::value::Value;

struct Entry<T: ?Sized> {
    spec: ResourceSpec,
    imp: Box<T>,
}

/// Every resource type and data source, by type name.
pub struct Engine {
    resources: BTreeMap<&'static str, Entry<dyn ResourceType>>,
    data_sources: BTreeMap<&'static str, Entry<dyn DataSourceType>>,
    /// Lists that answered 200, so that 404s under them mean gone.
    confirmed: Confirmed,
    /// Catalog entries plan-time checks have read in this process.
    catalogs: CatalogCache,
}

fn unknown_type(type_name: &str) -> Diagnostics {
    Diagnostic::error(
        "Unknown resource type",
        format!("This provider has no type {type_name:?}."),
    )
    .into()
}

impl Engine {
    pub fn new(
        resources: Vec<Box<dyn ResourceType>>,
        data_sources: Vec<Box<dyn DataSourceType>>,
    ) -> Engine {
        Engine {
            resources: resources
                .into_iter()
                .map(|imp| {
                    let spec = imp.spec();
                    // `-generate-config-out` writes sensitive attributes as
                    // null: a required one could never plan clean (see
                    // `Field::settings`).
                    for f in &spec.fields {
                        debug_assert!(
                            !(f.sensitive && f.role == Role::Required),
                            "{}.{} is sensitive, so it cannot be required",
                            spec.type_name,
                            f.name
                        );
                    }
                    (spec.type_name, Entry { spec, imp })
                })
                .collect(),
            data_sources: data_sources
                .into_iter()
                .map(|imp| {
                    let spec = imp.spec();
                    (spec.type_name, Entry { spec, imp })
                })
                .collect(),
            confirmed: Confirmed::default(),
            catalogs: CatalogCache::default(),
        }
    }

    /// Forgets what was read from a workspace: the provider was configured
    /// again, perhaps for another one.
    pub fn forget_workspace(&self) {
        self.catalogs.clear();
    }

    pub fn resource_specs(&self) -> impl Iterator<Item = &ResourceSpec> {
        self.resources.values().map(|e| &e.spec)
    }

    pub fn data_source_specs(&self) -> impl Iterator<Item = &ResourceSpec> {
        self.data_sources.values().map(|e| &e.spec)
    }

    pub fn resource_schemas(&self) -> BTreeMap<String, Schema> {
        self.resource_specs()
            .map(|s| (s.type_name.to_string(), s.schema()))
            .collect()
    }

    pub fn data_source_schemas(&self) -> BTreeMap<String, Schema> {
        self.data_source_specs()
            .map(|s| (s.type_name.to_string(), s.schema()))
            .collect()
    }

    pub fn validate_resource(&self, type_name: &str, config: &Value) -> Diagnostics {
        let Some(e) = self.resources.get(type_name) else {
            return unknown_type(type_name);
        };
        let mut diags = validate(&e.spec, config);
        for failure in e.imp.validate(&Obj::from_value(config)) {
            diags.push(diagnose(&e.spec, "configure", failure));
        }
        diags
    }

    pub fn validate_data_source(&self, type_name: &str, config: &Value) -> Diagnostics {
        let Some(e) = self.data_sources.get(type_name) else {
            return unknown_type(type_name);
        };
        let mut diags = validate(&e.spec, config);
        for failure in e.imp.validate(&Obj::from_value(config)) {
            diags.push(diagnose(&e.spec, "configure", failure));
        }
        diags
    }

    pub fn plan(&self, r: PlanResourceChangeRequest) -> PlanResourceChangeResponse {
        let Some(e) = self.resources.get(r.type_name.as_str()) else {
            return PlanResourceChangeResponse {
                diagnostics: unknown_type(&r.type_name),
                ..Default::default()
            };
        };
        let known = Secrets::from_private(&r.prior_private);
        let p = plan(
            &e.spec,
            &r.prior_state,
            &r.proposed_new_state,
            &r.config,
            &known,
        );
        let mut diagnostics = Diagnostics::new();
        for d in replaced_secrets(e, &r.prior_state, &p.planned, &known) {
            diagnostics.push(d);
        }
        PlanResourceChangeResponse {
            planned_state: p.planned,
            requires_replace: p.requires_replace,
            planned_private: r.prior_private,
            diagnostics,
        }
    }

    /// [`Engine::plan`], then the type's own checks that need the
    /// workspace (`api` is asked for a client only if a check needs one).
    pub async fn plan_checked(
        &self,
        api: &(dyn Fn() -> Option<Client> + Send + Sync),
        r: PlanResourceChangeRequest,
    ) -> PlanResourceChangeResponse {
        let Some(e) = self.resources.get(r.type_name.as_str()) else {
            return self.plan(r);
        };
        // The checks compare the plan with the prior state, which `plan`
        // consumes with the request.
        let prior = r.prior_state.clone();
        let mut response = self.plan(r);
        if !response.planned_state.is_null() {
            let cx = PlanCheck {
                prior: &prior,
                planned: &response.planned_state,
                catalogs: &self.catalogs,
                api,
            };
            for d in e.imp.check_plan(&cx).await {
                response.diagnostics.push(d);
            }
        }
        response
    }

    pub async fn read(&self, api: &Client, r: ReadResourceRequest) -> ReadResourceResponse {
        let mut response = ReadResourceResponse {
            new_state: r.current_state.clone(),
            private: r.private,
            ..Default::default()
        };
        let Some(e) = self.resources.get(r.type_name.as_str()) else {
            response.diagnostics = unknown_type(&r.type_name);
            return response;
        };
        let prior = Obj::from_value(&r.current_state);
        let mut known = Secrets::from_private(&response.private);
        // On any error the prior state goes back unchanged.
        match self.fetch(e, api, &prior, "read", &mut known).await {
            Ok(Some(state)) => {
                response.new_state = state.into_value();
                response.private = known.to_private();
            }
            Ok(None) => response.new_state = Value::Null,
            Err(d) => response.diagnostics.push(d),
        }
        response
    }

    pub async fn apply(
        &self,
        api: &Client,
        r: ApplyResourceChangeRequest,
    ) -> ApplyResourceChangeResponse {
        let mut response = ApplyResourceChangeResponse {
            new_state: r.prior_state.clone(),
            private: r.planned_private,
            ..Default::default()
        };
        let Some(e) = self.resources.get(r.type_name.as_str()) else {
            response.diagnostics = unknown_type(&r.type_name);
            return response;
        };
        let prior = Obj::from_value(&r.prior_state);
        let planned = Obj::from_value(&r.planned_state);
        let result = if r.planned_state.is_null() {
            match e.imp.delete(api, &prior).await {
                // Already gone is what a delete wants, once the API shows
                // the 404 is about the object and not about the URL.
                Err(Failure::Api(err)) if err.is_not_found() => {
                    match self.confirm_gone(e, api, &prior, &err, "delete").await {
                        Ok(()) => Ok(None),
                        Err(d) => {
                            response.diagnostics.push(d);
                            return response;
                        }
                    }
                }
                other => other.map(|()| None),
            }
        } else if r.prior_state.is_null() {
            let sent = secrets::all_strings(&e.spec, &planned);
            e.imp
                .create(api, &planned)
                .await
                .map(|returned| Some((returned, sent)))
        } else {
            let known = Secrets::from_private(&response.private);
            let out = secrets::outgoing(&e.spec, &prior, &planned, &known);
            e.imp
                .update(api, &out.prior, &out.planned)
                .await
                .map(|returned| Some((returned, out.sent)))
        };
        match result {
            Ok(None) => response.new_state = Value::Null,
            Ok(Some((returned, sent))) => {
                let mut known = Secrets::from_private(&response.private);
                secrets::learn(&e.spec, &mut known, &planned, &returned, &sent);
                response.private = known.to_private();
                response.new_state = settle(&e.spec, &planned, &returned).into_value()
            }
            Err(f) => {
                let creating = r.prior_state.is_null();
                let action = if r.planned_state.is_null() {
                    "delete"
                } else if creating {
                    "create"
                } else {
                    "update"
                };
                let exists = matches!(&f, Failure::Api(err) if err.status() == Some(409));
                let mut d = diagnose(&e.spec, action, f);
                if creating && exists {
                    let id = e.imp.existing_import_id(api, &planned).await;
                    d = conflict::explain(&e.spec, id.as_deref(), d);
                }
                response.diagnostics.push(d);
            }
        }
        response
    }

    pub async fn import(
        &self,
        api: &Client,
        r: ImportResourceStateRequest,
    ) -> ImportResourceStateResponse {
        let mut response = ImportResourceStateResponse::default();
        match self.import_with_secrets(api, &r.type_name, &r.id).await {
            Ok(Some((state, known))) => response.imported_resources.push(ImportedResource {
                type_name: r.type_name,
                state,
                private: known.to_private(),
            }),
            Ok(None) => response.diagnostics.error(
                "Cannot import a missing object",
                format!("The workspace has no {} with ID {:?}.", r.type_name, r.id),
            ),
            Err(diags) => response.diagnostics = diags,
        }
        response
    }

    /// The state `terraform import` would record for `id`, or `None` when
    /// the workspace has no such object. The generator reads through this
    /// so that what it writes is what an import will see.
    pub async fn import_state(
        &self,
        api: &Client,
        type_name: &str,
        id: &str,
    ) -> Result<Option<Value>, Diagnostics> {
        let found = self.import_with_secrets(api, type_name, id).await?;
        Ok(found.map(|(state, _)| state))
    }

    /// [`Engine::import_state`] and the secrets the read showed.
    async fn import_with_secrets(
        &self,
        api: &Client,
        type_name: &str,
        id: &str,
    ) -> Result<Option<(Value, Secrets)>, Diagnostics> {
        let Some(e) = self.resources.get(type_name) else {
            return Err(unknown_type(type_name));
        };
        let Some(parts) = e.spec.import else {
            return Err(Diagnostic::error(
                format!("{} cannot be imported", e.spec.type_name),
                "Create it with Terraform instead.",
            )
            .into());
        };
        let values: Vec<&str> = id.splitn(parts.len(), ':').collect();
        if values.len() != parts.len() || values.iter().any(|v| v.is_empty()) {
            return Err(Diagnostic::error(
                "Invalid import ID",
                format!(
                    "{} imports by an ID of the form {}, not {:?}.",
                    e.spec.type_name,
                    e.spec.import_id_format().unwrap_or_default(),
                    id
                ),
            )
            .into());
        }
        let mut start = Obj::new();
        for f in &e.spec.fields {
            start.set(f.name, Value::Null);
        }
        for (name, v) in parts.iter().zip(values) {
            start.set(name, v);
        }
        let mut known = Secrets::default();
        match self.fetch(e, api, &start, "import", &mut known).await {
            Ok(found) => Ok(found.map(|state| (state.into_value(), known))),
            Err(d) => Err(d.into()),
        }
    }

    /// The declaration of a resource type, by name.
    pub fn resource_spec(&self, type_name: &str) -> Option<&ResourceSpec> {
        self.resources.get(type_name).map(|e| &e.spec)
    }

    pub async fn read_data_source(
        &self,
        api: &Client,
        r: ReadDataSourceRequest,
    ) -> ReadDataSourceResponse {
        let mut response = ReadDataSourceResponse::default();
        let Some(e) = self.data_sources.get(r.type_name.as_str()) else {
            response.diagnostics = unknown_type(&r.type_name);
            return response;
        };
        let config = Obj::from_value(&r.config);
        match e.imp.read(api, &config).await {
            Ok(found) => {
                let mut state = Obj::new();
                for f in &e.spec.fields {
                    let c = config.get(f.name);
                    let v = if c.is_known() {
                        c.clone()
                    } else {
                        known_or_null(found.get(f.name))
                    };
                    state.set(f.name, v);
                }
                response.state = state.into_value();
            }
            Err(f) => response.diagnostics.push(diagnose(&e.spec, "read", f)),
        }
        response
    }
}

impl Engine {
    /// Reads the object and brings the answer into state's shape: settings
    /// refreshed against the prior text, attributes the mapping could not
    /// know kept from the prior state. A 404 means gone once the object's
    /// collection answers (see `gone.rs`).
    async fn fetch(
        &self,
        e: &Entry<dyn ResourceType>,
        api: &Client,
        prior: &Obj,
        action: &str,
        known: &mut Secrets,
    ) -> Result<Option<Obj>, Diagnostic> {
        let found = match e.imp.read(api, prior).await {
            Ok(found) => found,
            Err(Failure::Api(err)) if err.is_not_found() => {
                self.confirm_gone(e, api, prior, &err, action).await?;
                None
            }
            Err(f) => return Err(diagnose(&e.spec, action, f)),
        };
        Ok(found.map(|found| {
            secrets::learn(&e.spec, known, prior, &found, &BTreeMap::new());
            refreshed(e, prior, found)
        }))
    }

    /// `Ok` when a 404 for the object means it is gone.
    async fn confirm_gone(
        &self,
        e: &Entry<dyn ResourceType>,
        api: &Client,
        state: &Obj,
        err: &segment_api::Error,
        action: &str,
    ) -> Result<(), Diagnostic> {
        let collections = e
            .imp
            .collections(state)
            .map_err(|f| diagnose(&e.spec, action, f))?;
        match self.confirmed.confirm(api, collections, err).await {
            Ok(()) => Ok(()),
            Err(NotShownGone::Failed(f)) => Err(diagnose(&e.spec, action, f)),
            Err(NotShownGone::NoCollection {
                base_url,
                asked,
                first,
            }) => Err(unconfirmed(
                e.spec.type_name,
                action,
                &base_url,
                &asked,
                &first,
            )),
        }
    }
}

/// Warnings for the secrets an update replaces.
fn replaced_secrets(
    e: &Entry<dyn ResourceType>,
    prior: &Value,
    planned: &Value,
    known: &Secrets,
) -> Vec<Diagnostic> {
    if prior.is_null() || planned.is_null() {
        return Vec::new();
    }
    secrets::warnings(
        &e.spec,
        &Obj::from_value(prior),
        &Obj::from_value(planned),
        known,
    )
}

/// `found` in state's shape: settings refreshed against the prior text,
/// attributes the mapping could not know kept from the prior state.
fn refreshed(e: &Entry<dyn ResourceType>, prior: &Obj, found: Obj) -> Obj {
    let mut state = Obj::new();
    for f in &e.spec.fields {
        let Some(v) = found.0.get(f.name) else {
            state.set(f.name, prior.get(f.name).clone());
            continue;
        };
        let v = match (f.json, v.as_str(), prior.str(f.name)) {
            (JsonMode::Settings { omits_secrets }, Some(remote), prior_text) => {
                match json_attr::parse(remote) {
                    Some(serde_json::Value::Object(map)) => {
                        Value::from(json_attr::refresh(prior_text, &map, omits_secrets))
                    }
                    _ => v.clone(),
                }
            }
            (JsonMode::Normalized, Some(remote), Some(p)) if json_attr::equivalent(remote, p) => {
                Value::from(p)
            }
            _ => v.clone(),
        };
        let v = empty::as_prior(f, prior.get(f.name), known_or_null(&v));
        state.set(f.name, v);
    }
    state
}
