//! Segment's resource and data-source types, and the engine they share:
//! everything Terraform's provider and the generator both need, with no
//! gRPC and no plugin process (those are `terraform-provider-segment`'s).
//!
//! - [`backend`]: the plain-Rust contract for provider logic.
//! - [`segment`]: our backend: the provider block and the API client.
//! - [`engine`]: what every resource type shares (plans, state, diagnostics).
//! - [`resources`], [`data_sources`]: one file per type, and the registry.
//! - [`schema`], [`diagnostics`], [`value`]: the data model shared by all.

pub mod backend;
pub mod data_sources;
pub mod diagnostics;
pub mod engine;
pub mod resources;
pub mod schema;
pub mod segment;
pub mod value;
