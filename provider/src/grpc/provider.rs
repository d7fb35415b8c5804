//! `tfplugin5.Provider`: decode each request against the schema, call the
//! backend, encode its answer. No provider logic lives here. The resource
//! lifecycle RPCs are in `lifecycle.rs`.

use std::collections::BTreeMap;
use std::sync::Arc;

use tfplugin5::tfplugin5 as pb;
use tonic::{Request, Response, Status};

use super::convert::{self, decode};
use crate::backend::*;
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::value::{Type, Value};

pub(super) type Rpc<T> = Result<Response<T>, Status>;

pub(super) struct ProviderService<B> {
    pub(super) backend: Arc<B>,
    /// GetSchema's answer never changes: build it once.
    schema_response: pb::get_provider_schema::Response,
    provider_type: Type,
    /// None when the provider declares no provider_meta: the field is then
    /// ignored rather than decoded.
    meta_type: Option<Type>,
    resource_types: BTreeMap<String, Type>,
    data_source_types: BTreeMap<String, Type>,
}

impl<B: ProviderBackend> ProviderService<B> {
    pub(super) fn new(backend: Arc<B>) -> Self {
        let schema = backend.schema();
        let types = |m: &BTreeMap<String, crate::schema::Schema>| {
            m.iter().map(|(k, s)| (k.clone(), s.value_type())).collect()
        };
        ProviderService {
            schema_response: convert::provider_schema(schema),
            provider_type: schema.provider.value_type(),
            meta_type: schema.provider_meta.as_ref().map(|s| s.value_type()),
            resource_types: types(&schema.resources),
            data_source_types: types(&schema.data_sources),
            backend,
        }
    }

    pub(super) fn meta(&self, dv: Option<pb::DynamicValue>, diags: &mut Diagnostics) -> Value {
        match &self.meta_type {
            Some(ty) => decode(dv, ty, diags),
            None => Value::Null,
        }
    }

    pub(super) fn resource_type(&self, name: &str) -> Result<&Type, Diagnostics> {
        lookup(&self.resource_types, name, "resource")
    }

    pub(super) fn data_source_type(&self, name: &str) -> Result<&Type, Diagnostics> {
        lookup(&self.data_source_types, name, "data source")
    }
}

fn lookup<'a>(
    types: &'a BTreeMap<String, Type>,
    name: &str,
    kind: &str,
) -> Result<&'a Type, Diagnostics> {
    types.get(name).ok_or_else(|| {
        Diagnostic::error(
            format!("Unknown {kind} type"),
            format!("This provider has no {kind} type {name:?}."),
        )
        .into()
    })
}

pub(super) fn unsupported(e: BackendError) -> Status {
    Status::unimplemented(e.to_string())
}

#[tonic::async_trait]
impl<B: ProviderBackend> pb::provider_server::Provider for ProviderService<B> {
    async fn get_metadata(
        &self,
        _: Request<pb::get_metadata::Request>,
    ) -> Rpc<pb::get_metadata::Response> {
        use pb::get_metadata::{DataSourceMetadata, ResourceMetadata};
        Ok(Response::new(pb::get_metadata::Response {
            server_capabilities: self.schema_response.server_capabilities,
            resources: self
                .resource_types
                .keys()
                .map(|type_name| ResourceMetadata {
                    type_name: type_name.clone(),
                })
                .collect(),
            data_sources: self
                .data_source_types
                .keys()
                .map(|type_name| DataSourceMetadata {
                    type_name: type_name.clone(),
                })
                .collect(),
            ..Default::default()
        }))
    }

    async fn get_schema(
        &self,
        _: Request<pb::get_provider_schema::Request>,
    ) -> Rpc<pb::get_provider_schema::Response> {
        Ok(Response::new(self.schema_response.clone()))
    }

    async fn prepare_provider_config(
        &self,
        request: Request<pb::prepare_provider_config::Request>,
    ) -> Rpc<pb::prepare_provider_config::Response> {
        let raw = request.into_inner().config;
        let mut diags = Diagnostics::new();
        let config = decode(raw.clone(), &self.provider_type, &mut diags);
        if !diags.has_errors() {
            diags.extend(self.backend.validate_provider_config(config).await);
        }
        // Terraform ignores prepared_config since 0.15; echo it unchanged.
        Ok(Response::new(pb::prepare_provider_config::Response {
            prepared_config: raw,
            diagnostics: convert::diagnostics(diags),
        }))
    }

    async fn validate_resource_type_config(
        &self,
        request: Request<pb::validate_resource_type_config::Request>,
    ) -> Rpc<pb::validate_resource_type_config::Response> {
        let r = request.into_inner();
        let diags = match self.resource_type(&r.type_name) {
            Err(diags) => diags,
            Ok(ty) => {
                let mut diags = Diagnostics::new();
                let config = decode(r.config, ty, &mut diags);
                if !diags.has_errors() {
                    let req = ValidateConfigRequest {
                        type_name: r.type_name,
                        config,
                        client_capabilities: convert::client_capabilities(r.client_capabilities),
                    };
                    diags.extend(self.backend.validate_resource_config(req).await);
                }
                diags
            }
        };
        Ok(Response::new(pb::validate_resource_type_config::Response {
            diagnostics: convert::diagnostics(diags),
        }))
    }

    async fn validate_data_source_config(
        &self,
        request: Request<pb::validate_data_source_config::Request>,
    ) -> Rpc<pb::validate_data_source_config::Response> {
        let r = request.into_inner();
        let diags = match self.data_source_type(&r.type_name) {
            Err(diags) => diags,
            Ok(ty) => {
                let mut diags = Diagnostics::new();
                let config = decode(r.config, ty, &mut diags);
                if !diags.has_errors() {
                    let req = ValidateConfigRequest {
                        type_name: r.type_name,
                        config,
                        client_capabilities: ClientCapabilities::default(),
                    };
                    diags.extend(self.backend.validate_data_source_config(req).await);
                }
                diags
            }
        };
        Ok(Response::new(pb::validate_data_source_config::Response {
            diagnostics: convert::diagnostics(diags),
        }))
    }

    async fn upgrade_resource_state(
        &self,
        request: Request<pb::upgrade_resource_state::Request>,
    ) -> Rpc<pb::upgrade_resource_state::Response> {
        self.lifecycle_upgrade_resource_state(request.into_inner())
            .await
    }

    async fn configure(
        &self,
        request: Request<pb::configure::Request>,
    ) -> Rpc<pb::configure::Response> {
        let r = request.into_inner();
        let mut diags = Diagnostics::new();
        let config = decode(r.config, &self.provider_type, &mut diags);
        if !diags.has_errors() {
            let req = ConfigureRequest {
                terraform_version: r.terraform_version,
                config,
                client_capabilities: convert::client_capabilities(r.client_capabilities),
            };
            diags.extend(self.backend.configure(req).await);
        }
        Ok(Response::new(pb::configure::Response {
            diagnostics: convert::diagnostics(diags),
        }))
    }

    async fn read_resource(
        &self,
        request: Request<pb::read_resource::Request>,
    ) -> Rpc<pb::read_resource::Response> {
        self.lifecycle_read_resource(request.into_inner()).await
    }

    async fn plan_resource_change(
        &self,
        request: Request<pb::plan_resource_change::Request>,
    ) -> Rpc<pb::plan_resource_change::Response> {
        self.lifecycle_plan_resource_change(request.into_inner())
            .await
    }

    async fn apply_resource_change(
        &self,
        request: Request<pb::apply_resource_change::Request>,
    ) -> Rpc<pb::apply_resource_change::Response> {
        self.lifecycle_apply_resource_change(request.into_inner())
            .await
    }

    async fn import_resource_state(
        &self,
        request: Request<pb::import_resource_state::Request>,
    ) -> Rpc<pb::import_resource_state::Response> {
        self.lifecycle_import_resource_state(request.into_inner())
            .await
    }

    async fn read_data_source(
        &self,
        request: Request<pb::read_data_source::Request>,
    ) -> Rpc<pb::read_data_source::Response> {
        self.lifecycle_read_data_source(request.into_inner()).await
    }

    async fn stop(&self, _: Request<pb::stop::Request>) -> Rpc<pb::stop::Response> {
        let error = self.backend.stop().await.err().unwrap_or_default();
        Ok(Response::new(pb::stop::Response { error }))
    }
}
