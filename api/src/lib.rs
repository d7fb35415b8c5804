//! Typed models and an async client for Segment's Public API v1.
//!
//! The models are the wire contract shared by everything in this workspace: the
//! client sends and decodes them, and the workspace server renders them, so the
//! two cannot drift apart. Field names follow the API (camelCase on the wire);
//! unknown fields in a response are ignored, never an error.

pub mod client;
pub mod error;
pub mod models;
mod retry;

pub use client::{path_segment, Client, ClientConfig, Usage};
pub use error::{ApiError, ApiErrorItem, Error, RateLimited};
pub use retry::RetryPolicy;
