//! Terraform provider for Segment, speaking Terraform's plugin protocol 5
//! directly (gRPC over go-plugin's handshake; no Go involved).
//!
//! Layers, outside in:
//! - [`plugin`]: go-plugin handshake, AutoMTLS, debug mode, process exit.
//! - [`grpc`]: the only module that knows tonic/prost; decodes requests
//!   against the schema and calls a [`backend::ProviderBackend`].
//! - [`backend`]: the plain-Rust contract for provider logic.
//! - [`segment`]: our backend.
//! - [`schema`], [`diagnostics`], [`value`]: the data model shared by all.
//! - [`logging`]: hclog JSON lines on stderr.

pub mod backend;
pub mod diagnostics;
pub mod grpc;
pub mod logging;
pub mod plugin;
pub mod schema;
pub mod segment;
pub mod value;
