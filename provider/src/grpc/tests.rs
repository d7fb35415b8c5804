//! The Provider service called in-process (no sockets): requests decode
//! against the schema, backend answers encode, and failures map to the
//! answers Terraform expects.

use std::sync::Arc;

use tfplugin5::tfplugin5 as pb;
use tfplugin5::tfplugin5::provider_server::Provider;
use tonic::Request;

use super::provider::ProviderService;
use crate::backend::*;
use crate::diagnostics::Diagnostics;
use crate::schema::{Attribute, Block, Schema};
use crate::value::{decode_msgpack, encode_msgpack, AttributePath, Type, Value};

struct Things(ProviderSchema);

impl ProviderBackend for Things {
    fn schema(&self) -> &ProviderSchema {
        &self.0
    }

    async fn configure(&self, _: ConfigureRequest) -> Diagnostics {
        Diagnostics::new()
    }

    /// Plans `id` unknown and asks for replacement when `name` changes.
    async fn plan_resource_change(
        &self,
        request: PlanResourceChangeRequest,
    ) -> Result<PlanResourceChangeResponse, BackendError> {
        let Value::Object(mut planned) = request.proposed_new_state else {
            return Ok(PlanResourceChangeResponse::default());
        };
        planned.insert("id".into(), Value::Unknown);
        Ok(PlanResourceChangeResponse {
            planned_state: Value::Object(planned),
            requires_replace: vec![AttributePath::attr("name")],
            planned_private: request.prior_private,
            diagnostics: Diagnostics::new(),
        })
    }

    /// A buggy read: `name` comes back as a number.
    async fn read_resource(
        &self,
        _: ReadResourceRequest,
    ) -> Result<ReadResourceResponse, BackendError> {
        Ok(ReadResourceResponse {
            new_state: Value::object([("name", Value::from(1))]),
            ..Default::default()
        })
    }
}

fn thing_type() -> Type {
    Type::object([("id", Type::String), ("name", Type::String)])
}

fn service() -> ProviderService<Things> {
    let mut schema = ProviderSchema::default();
    let block = Block::new([
        Attribute::computed("id", Type::String),
        Attribute::required("name", Type::String),
    ]);
    schema
        .resources
        .insert("segment_thing".into(), Schema::new(block));
    ProviderService::new(Arc::new(Things(schema)))
}

fn dv(value: &Value) -> Option<pb::DynamicValue> {
    let msgpack = encode_msgpack(value, &thing_type()).expect("encode");
    Some(pb::DynamicValue {
        msgpack,
        json: vec![],
    })
}

fn plan_request(type_name: &str) -> pb::plan_resource_change::Request {
    let proposed = Value::object([("id", Value::Null), ("name", Value::from("a"))]);
    pb::plan_resource_change::Request {
        type_name: type_name.into(),
        prior_state: dv(&Value::Null),
        proposed_new_state: dv(&proposed),
        config: dv(&proposed),
        prior_private: b"keep".to_vec(),
        provider_meta: None,
        client_capabilities: None,
    }
}

#[tokio::test]
async fn plan_round_trips_values_paths_and_private() {
    let response = service()
        .plan_resource_change(Request::new(plan_request("segment_thing")))
        .await
        .expect("answered")
        .into_inner();
    assert!(
        response.diagnostics.is_empty(),
        "{:?}",
        response.diagnostics
    );
    let planned = response.planned_state.expect("planned state").msgpack;
    assert_eq!(
        decode_msgpack(&planned, &thing_type()),
        Ok(Value::object([
            ("id", Value::Unknown),
            ("name", Value::from("a"))
        ]))
    );
    assert_eq!(response.requires_replace.len(), 1);
    assert_eq!(response.planned_private, b"keep");
}

#[tokio::test]
async fn unknown_type_names_get_a_diagnostic() {
    let response = service()
        .plan_resource_change(Request::new(plan_request("segment_nope")))
        .await
        .expect("answered")
        .into_inner();
    assert_eq!(response.diagnostics.len(), 1);
    assert!(response.diagnostics[0].detail.contains("segment_nope"));
    assert!(response.planned_state.is_none());
}

#[tokio::test]
async fn values_that_do_not_fit_the_schema_become_diagnostics() {
    let request = pb::read_resource::Request {
        type_name: "segment_thing".into(),
        current_state: dv(&Value::object([("name", Value::from("a"))])),
        ..Default::default()
    };
    let response = service()
        .read_resource(Request::new(request))
        .await
        .expect("answered")
        .into_inner();
    assert!(response.new_state.is_none());
    let diag = &response.diagnostics[0];
    assert!(diag.summary.contains("invalid value"), "{diag:?}");
    assert!(diag.attribute.is_some());
}

#[tokio::test]
async fn unsupported_rpcs_answer_unimplemented() {
    let request = pb::import_resource_state::Request {
        type_name: "segment_thing".into(),
        id: "x".into(),
        client_capabilities: None,
    };
    let status = service()
        .import_resource_state(Request::new(request))
        .await
        .expect_err("not implemented by the backend");
    assert_eq!(status.code(), tonic::Code::Unimplemented);
}
