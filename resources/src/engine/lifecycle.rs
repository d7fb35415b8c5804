//! The engine's side of each RPC: registry look-up, the generic rules, and
//! the call into the resource type's mapping.

use std::collections::BTreeMap;

use segment_api::Client;

use super::catalog_check::{CatalogCache, PlanCheck};
use super::diagnose::diagnose;
use super::gone::Confirmed;
use super::plan::{known_or_null, plan};
use super::secrets::{self, Secrets};
use super::validate::validate;
use super::{DataSourceType, Obj, ResourceSpec, ResourceType, Role};
use crate::backend::*;
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::schema::Schema;
use crate::value::Value;

mod apply;
mod import;
mod read;

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
