//! The contract between the protocol layer and the provider's logic.
//!
//! `grpc` decodes each request against the schema, calls one method of
//! [`ProviderBackend`], and encodes the answer. Implementations see only
//! plain Rust: [`Value`]s, [`Diagnostics`], [`Schema`](crate::schema::Schema)s.
//! Every method but [`ProviderBackend::schema`] and
//! [`ProviderBackend::configure`] has a default, so a backend grows one
//! RPC at a time; the resource lifecycle defaults answer "unsupported",
//! which Terraform reports as "method not supported by this plugin".

mod messages;

use std::future::Future;

pub use messages::*;

use crate::diagnostics::Diagnostics;
use crate::value::{decode_json_with, JsonOptions, Value};

/// Why a backend did not answer an RPC at all (as opposed to answering
/// with error diagnostics, which is how user-facing failures are reported).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BackendError {
    #[error("{0} is not supported by this provider")]
    Unsupported(&'static str),
}

pub trait ProviderBackend: Send + Sync + 'static {
    /// The schemas; called often, so build them once and keep them.
    fn schema(&self) -> &ProviderSchema;

    /// PrepareProviderConfig: check the provider block before Configure.
    fn validate_provider_config(&self, _config: Value) -> impl Future<Output = Diagnostics> + Send {
        async { Diagnostics::new() }
    }

    /// Configure: called once per process, before any resource RPC.
    fn configure(&self, request: ConfigureRequest) -> impl Future<Output = Diagnostics> + Send;

    fn validate_resource_config(
        &self,
        _request: ValidateConfigRequest,
    ) -> impl Future<Output = Diagnostics> + Send {
        async { Diagnostics::new() }
    }

    fn validate_data_source_config(
        &self,
        _request: ValidateConfigRequest,
    ) -> impl Future<Output = Diagnostics> + Send {
        async { Diagnostics::new() }
    }

    /// Called for every resource in state, even when the version did not
    /// change. The default reads the stored JSON with the current schema,
    /// forgetting attributes the schema no longer has: right for version 0.
    fn upgrade_resource_state(
        &self,
        request: UpgradeResourceStateRequest,
    ) -> impl Future<Output = Result<UpgradeResourceStateResponse, BackendError>> + Send {
        let result = default_upgrade(self.schema(), &request);
        async move { result }
    }

    fn read_resource(
        &self,
        _request: ReadResourceRequest,
    ) -> impl Future<Output = Result<ReadResourceResponse, BackendError>> + Send {
        async { Err(BackendError::Unsupported("ReadResource")) }
    }

    fn plan_resource_change(
        &self,
        _request: PlanResourceChangeRequest,
    ) -> impl Future<Output = Result<PlanResourceChangeResponse, BackendError>> + Send {
        async { Err(BackendError::Unsupported("PlanResourceChange")) }
    }

    fn apply_resource_change(
        &self,
        _request: ApplyResourceChangeRequest,
    ) -> impl Future<Output = Result<ApplyResourceChangeResponse, BackendError>> + Send {
        async { Err(BackendError::Unsupported("ApplyResourceChange")) }
    }

    fn import_resource_state(
        &self,
        _request: ImportResourceStateRequest,
    ) -> impl Future<Output = Result<ImportResourceStateResponse, BackendError>> + Send {
        async { Err(BackendError::Unsupported("ImportResourceState")) }
    }

    fn read_data_source(
        &self,
        _request: ReadDataSourceRequest,
    ) -> impl Future<Output = Result<ReadDataSourceResponse, BackendError>> + Send {
        async { Err(BackendError::Unsupported("ReadDataSource")) }
    }

    /// Stop: the user pressed Ctrl-C; cancel in-flight work. An `Err` is
    /// shown to the user.
    fn stop(&self) -> impl Future<Output = Result<(), String>> + Send {
        async { Ok(()) }
    }
}

fn default_upgrade(
    schema: &ProviderSchema,
    request: &UpgradeResourceStateRequest,
) -> Result<UpgradeResourceStateResponse, BackendError> {
    let mut response = UpgradeResourceStateResponse::default();
    let Some(resource) = schema.resources.get(&request.type_name) else {
        response.diagnostics.error(
            "Unknown resource type",
            format!(
                "This provider has no resource type {:?}.",
                request.type_name
            ),
        );
        return Ok(response);
    };
    let Some(json) = &request.raw_state.json else {
        response.diagnostics.error(
            "Unsupported state format",
            "The stored state uses the legacy flatmap format, which this provider cannot read.",
        );
        return Ok(response);
    };
    let options = JsonOptions {
        ignore_undefined_attributes: true,
    };
    match decode_json_with(json, &resource.value_type(), options) {
        Ok(value) => response.upgraded_state = value,
        Err(e) => response.diagnostics.push(e),
    }
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::{Attribute, Block, Schema};
    use crate::value::Type;

    struct OneResource(ProviderSchema);

    impl ProviderBackend for OneResource {
        fn schema(&self) -> &ProviderSchema {
            &self.0
        }

        async fn configure(&self, _request: ConfigureRequest) -> Diagnostics {
            Diagnostics::new()
        }
    }

    fn backend() -> OneResource {
        let mut schema = ProviderSchema::default();
        let block = Block::new([Attribute::required("name", Type::String)]);
        schema
            .resources
            .insert("segment_thing".into(), Schema::new(block));
        OneResource(schema)
    }

    fn upgrade(type_name: &str, json: &[u8]) -> UpgradeResourceStateResponse {
        let request = UpgradeResourceStateRequest {
            type_name: type_name.into(),
            version: 0,
            raw_state: RawState {
                json: Some(json.to_vec()),
                flatmap: Default::default(),
            },
        };
        let backend = backend();
        futures::executor::block_on(backend.upgrade_resource_state(request))
            .expect("default upgrade answers")
    }

    #[test]
    fn default_upgrade_reads_state_and_drops_removed_attributes() {
        let response = upgrade("segment_thing", br#"{"name":"a","removed":1}"#);
        assert!(response.diagnostics.is_empty());
        assert_eq!(
            response.upgraded_state,
            Value::object([("name", Value::from("a"))])
        );
        let unknown = upgrade("segment_other", b"{}");
        assert!(unknown.diagnostics.has_errors());
    }

    #[test]
    fn lifecycle_defaults_are_unsupported() {
        let request = ImportResourceStateRequest {
            type_name: "segment_thing".into(),
            id: "x".into(),
            client_capabilities: ClientCapabilities::default(),
        };
        let result = futures::executor::block_on(backend().import_resource_state(request));
        assert_eq!(
            result.err(),
            Some(BackendError::Unsupported("ImportResourceState"))
        );
    }
}
