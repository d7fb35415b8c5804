//! The resource engine: everything resource types share, written once.
//!
//! A resource type is a [`ResourceSpec`] (its attributes as [`Field`]s) and a
//! mapping to the API ([`ResourceType`]). The engine turns specs into
//! schemas, validates configuration, plans by Terraform's rules, settles
//! apply results, refreshes JSON settings, parses import IDs and turns
//! failures into diagnostics that point at attributes. It knows no resource
//! by name.

pub mod catalog_check;
mod conflict;
mod convert;
mod diagnose;
mod empty;
mod export;
mod field;
mod gone;
pub mod json_attr;
mod lifecycle;
mod nested;
mod obj;
mod plan;
mod resource;
mod secrets;
mod validate;

pub use catalog_check::{Catalog, PlanCheck};
pub use convert::{camel, json_to_value, object_of, value_to_json};
pub use export::{one_page, space_page, AuditId, ExportSpec, Exported, Listed, Pages, Parent};
pub use field::{Check, Field, JsonMode, Role};
pub use gone::Collection;
pub use lifecycle::Engine;
pub use nested::{paths as nested_paths, NestedDoc};
pub use obj::{Failure, Obj};
pub use resource::{DataSourceType, ImportFormat, Outcome, ResourceSpec, ResourceType};
