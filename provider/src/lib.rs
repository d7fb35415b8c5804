//! Terraform provider for Segment, speaking Terraform's plugin protocol 5
//! directly (gRPC over go-plugin's handshake; no Go involved). The resource
//! types, the engine and the value model are `segment-resources`'; this
//! crate is the shell that serves them to Terraform.
//!
//! Layers, outside in:
//! - [`plugin`]: go-plugin handshake, AutoMTLS, debug mode, process exit.
//! - [`grpc`]: the only module that knows tonic/prost; decodes requests
//!   against the schema and calls a [`backend::ProviderBackend`].
//! - [`logging`]: hclog JSON lines on stderr.
//! - [`docs`]: registry documentation generated from the schema.
//! - [`bench`]: processes the benchmark commands drive (server, Terraform).
//!
//! The re-exports keep one path per module for the shell and its tests.

pub use segment_resources::{
    backend, data_sources, diagnostics, engine, resources, schema, segment, value,
};

pub mod bench;
pub mod docs;
pub mod grpc;
pub mod logging;
pub mod plugin;
