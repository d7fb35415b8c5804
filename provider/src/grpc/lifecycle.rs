//! The resource lifecycle RPCs (upgrade, read, plan, apply, import, data
//! source read): decode against the resource's schema, call the backend,
//! encode its answer. A type name the schema lacks, or a value that does not
//! decode, is answered with diagnostics without calling the backend.

use tfplugin5::tfplugin5 as pb;
use tonic::Response;

use super::convert::{self, decode, encode};
use super::provider::{unsupported, ProviderService, Rpc};
use crate::backend::*;
use crate::diagnostics::Diagnostics;

impl<B: ProviderBackend> ProviderService<B> {
    pub(super) async fn lifecycle_upgrade_resource_state(
        &self,
        r: pb::upgrade_resource_state::Request,
    ) -> Rpc<pb::upgrade_resource_state::Response> {
        let ty = match self.resource_type(&r.type_name) {
            Ok(ty) => ty,
            Err(diags) => return Ok(Response::new(with_diagnostics(diags))),
        };
        let req = UpgradeResourceStateRequest {
            type_name: r.type_name,
            version: r.version,
            raw_state: convert::raw_state(r.raw_state),
        };
        let out = self
            .backend
            .upgrade_resource_state(req)
            .await
            .map_err(unsupported)?;
        let mut diags = out.diagnostics;
        let upgraded_state = encode(&out.upgraded_state, ty, &mut diags);
        Ok(Response::new(pb::upgrade_resource_state::Response {
            upgraded_state,
            diagnostics: convert::diagnostics(diags),
        }))
    }

    pub(super) async fn lifecycle_read_resource(
        &self,
        r: pb::read_resource::Request,
    ) -> Rpc<pb::read_resource::Response> {
        let mut diags = Diagnostics::new();
        let ty = match self.resource_type(&r.type_name) {
            Ok(ty) => ty,
            Err(d) => return Ok(Response::new(with_diagnostics(d))),
        };
        let req = ReadResourceRequest {
            current_state: decode(r.current_state, ty, &mut diags),
            provider_meta: self.meta(r.provider_meta, &mut diags),
            type_name: r.type_name,
            private: r.private,
            client_capabilities: convert::client_capabilities(r.client_capabilities),
        };
        if diags.has_errors() {
            return Ok(Response::new(with_diagnostics(diags)));
        }
        let out = self.backend.read_resource(req).await.map_err(unsupported)?;
        diags.extend(out.diagnostics);
        Ok(Response::new(pb::read_resource::Response {
            new_state: encode(&out.new_state, ty, &mut diags),
            private: out.private,
            diagnostics: convert::diagnostics(diags),
            deferred: None,
        }))
    }

    pub(super) async fn lifecycle_plan_resource_change(
        &self,
        r: pb::plan_resource_change::Request,
    ) -> Rpc<pb::plan_resource_change::Response> {
        let mut diags = Diagnostics::new();
        let ty = match self.resource_type(&r.type_name) {
            Ok(ty) => ty,
            Err(d) => return Ok(Response::new(with_diagnostics(d))),
        };
        let req = PlanResourceChangeRequest {
            prior_state: decode(r.prior_state, ty, &mut diags),
            proposed_new_state: decode(r.proposed_new_state, ty, &mut diags),
            config: decode(r.config, ty, &mut diags),
            provider_meta: self.meta(r.provider_meta, &mut diags),
            type_name: r.type_name,
            prior_private: r.prior_private,
            client_capabilities: convert::client_capabilities(r.client_capabilities),
        };
        if diags.has_errors() {
            return Ok(Response::new(with_diagnostics(diags)));
        }
        let out = self
            .backend
            .plan_resource_change(req)
            .await
            .map_err(unsupported)?;
        diags.extend(out.diagnostics);
        Ok(Response::new(pb::plan_resource_change::Response {
            planned_state: encode(&out.planned_state, ty, &mut diags),
            requires_replace: out
                .requires_replace
                .iter()
                .map(convert::attribute_path)
                .collect(),
            planned_private: out.planned_private,
            diagnostics: convert::diagnostics(diags),
            legacy_type_system: false,
            deferred: None,
        }))
    }

    pub(super) async fn lifecycle_apply_resource_change(
        &self,
        r: pb::apply_resource_change::Request,
    ) -> Rpc<pb::apply_resource_change::Response> {
        let mut diags = Diagnostics::new();
        let ty = match self.resource_type(&r.type_name) {
            Ok(ty) => ty,
            Err(d) => return Ok(Response::new(with_diagnostics(d))),
        };
        let req = ApplyResourceChangeRequest {
            prior_state: decode(r.prior_state, ty, &mut diags),
            planned_state: decode(r.planned_state, ty, &mut diags),
            config: decode(r.config, ty, &mut diags),
            provider_meta: self.meta(r.provider_meta, &mut diags),
            type_name: r.type_name,
            planned_private: r.planned_private,
        };
        if diags.has_errors() {
            return Ok(Response::new(with_diagnostics(diags)));
        }
        let out = self
            .backend
            .apply_resource_change(req)
            .await
            .map_err(unsupported)?;
        diags.extend(out.diagnostics);
        Ok(Response::new(pb::apply_resource_change::Response {
            new_state: encode(&out.new_state, ty, &mut diags),
            private: out.private,
            diagnostics: convert::diagnostics(diags),
            legacy_type_system: false,
        }))
    }

    pub(super) async fn lifecycle_import_resource_state(
        &self,
        r: pb::import_resource_state::Request,
    ) -> Rpc<pb::import_resource_state::Response> {
        if let Err(d) = self.resource_type(&r.type_name) {
            return Ok(Response::new(with_diagnostics(d)));
        }
        let req = ImportResourceStateRequest {
            type_name: r.type_name,
            id: r.id,
            client_capabilities: convert::client_capabilities(r.client_capabilities),
        };
        let out = self
            .backend
            .import_resource_state(req)
            .await
            .map_err(unsupported)?;
        let mut diags = out.diagnostics;
        let mut imported_resources = Vec::new();
        for resource in out.imported_resources {
            // The backend may import into another type than asked for.
            let state = match self.resource_type(&resource.type_name) {
                Ok(ty) => encode(&resource.state, ty, &mut diags),
                Err(d) => {
                    diags.extend(d);
                    None
                }
            };
            imported_resources.push(pb::import_resource_state::ImportedResource {
                type_name: resource.type_name,
                state,
                private: resource.private,
            });
        }
        Ok(Response::new(pb::import_resource_state::Response {
            imported_resources,
            diagnostics: convert::diagnostics(diags),
            deferred: None,
        }))
    }

    pub(super) async fn lifecycle_read_data_source(
        &self,
        r: pb::read_data_source::Request,
    ) -> Rpc<pb::read_data_source::Response> {
        let mut diags = Diagnostics::new();
        let ty = match self.data_source_type(&r.type_name) {
            Ok(ty) => ty,
            Err(d) => return Ok(Response::new(with_diagnostics(d))),
        };
        let req = ReadDataSourceRequest {
            config: decode(r.config, ty, &mut diags),
            provider_meta: self.meta(r.provider_meta, &mut diags),
            type_name: r.type_name,
            client_capabilities: convert::client_capabilities(r.client_capabilities),
        };
        if diags.has_errors() {
            return Ok(Response::new(with_diagnostics(diags)));
        }
        let out = self
            .backend
            .read_data_source(req)
            .await
            .map_err(unsupported)?;
        diags.extend(out.diagnostics);
        Ok(Response::new(pb::read_data_source::Response {
            state: encode(&out.state, ty, &mut diags),
            diagnostics: convert::diagnostics(diags),
            deferred: None,
        }))
    }
}

/// Responses that carry only diagnostics (every other field default).
trait WithDiagnostics: Default {
    fn set(&mut self, diags: Vec<pb::Diagnostic>);
}

fn with_diagnostics<T: WithDiagnostics>(diags: Diagnostics) -> T {
    let mut out = T::default();
    out.set(convert::diagnostics(diags));
    out
}

macro_rules! with_diagnostics_field {
    ($($t:ty),*) => {$(
        impl WithDiagnostics for $t {
            fn set(&mut self, diags: Vec<pb::Diagnostic>) {
                self.diagnostics = diags;
            }
        }
    )*};
}

with_diagnostics_field!(
    pb::upgrade_resource_state::Response,
    pb::read_resource::Response,
    pb::plan_resource_change::Response,
    pb::apply_resource_change::Response,
    pb::import_resource_state::Response,
    pb::read_data_source::Response
);
