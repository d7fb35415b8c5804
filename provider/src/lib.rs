//! Terraform provider for Segment, speaking Terraform's plugin protocol 5
//! directly (gRPC over go-plugin's handshake; no Go involved).
//!
//! Layers, outside in:
//! - [`plugin`]: go-plugin handshake, AutoMTLS, debug mode, process exit.
//! - [`grpc`]: the only module that knows tonic/prost; decodes requests
//!   against the schema and calls a [`backend::ProviderBackend`].
//! - [`backend`]: the plain-Rust contract for provider logic.
//! - [`segment`]: our backend: the provider block and the API client.
//! - [`engine`]: what every resource type shares (plans, state, diagnostics).
//! - [`resources`], [`data_sources`]: one file per type, and the registry.
//! - [`schema`], [`diagnostics`], [`value`]: the data model shared by all.
//! - [`logging`]: hclog JSON lines on stderr.
//! - [`docs`]: registry documentation generated from the schema.
//! - [`bench`]: processes the benchmark commands drive (server, Terraform).

pub mod backend;
pub mod bench;
pub mod data_sources;
pub mod diagnostics;
pub mod docs;
pub mod engine;
pub mod grpc;
pub mod logging;
pub mod plugin;
pub mod resources;
pub mod schema;
pub mod segment;
pub mod value;
