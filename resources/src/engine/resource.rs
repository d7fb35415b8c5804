//! What a resource type or data source is to the engine: a declaration and
//! its mapping to the API. Everything else (plans, state rules, diagnostics)
//! the engine does once for all of them.

use async_trait::async_trait;
use segment_api::Client;

use super::catalog_check::PlanCheck;
use super::export::Exported;
use super::{Collection, Failure, Field, Obj};
use crate::diagnostics::Diagnostic;
use crate::schema::{Block, Schema};

/// How `terraform import` IDs are spelled: attribute names joined by `:`,
/// such as `["destination_id", "id"]` for `<destination_id>:<filter_id>`.
pub type ImportFormat = Option<&'static [&'static str]>;

pub struct ResourceSpec {
    /// `segment_source`.
    pub type_name: &'static str,
    pub description: &'static str,
    pub fields: Vec<Field>,
    /// None: the resource cannot be imported.
    pub import: ImportFormat,
}

impl ResourceSpec {
    pub fn schema(&self) -> Schema {
        Schema::new(
            Block::new(self.fields.iter().map(Field::attribute)).description(self.description),
        )
    }

    pub fn field(&self, name: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.name == name)
    }

    /// How the import ID looks, for messages and docs: `<destination_id>:<id>`.
    pub fn import_id_format(&self) -> Option<String> {
        self.import.map(|parts| {
            parts
                .iter()
                .map(|p| format!("<{p}>"))
                .collect::<Vec<_>>()
                .join(":")
        })
    }
}

pub type Outcome<T> = Result<T, Failure>;

/// A managed resource type: one file in `resources/` implements it, with
/// its export facts ([`Exported`]).
///
/// Objects passed in hold every attribute of the schema (null where unset).
/// `create` and `update` get a plan whose non-computed values are known;
/// what they return becomes state after the engine keeps every known
/// planned value, so they need only fill what the API decided.
#[async_trait]
pub trait ResourceType: Exported + Send + Sync + 'static {
    fn spec(&self) -> ResourceSpec;
    /// Checks beyond the fields' own (nested values, combinations). Values
    /// may be unknown: skip those.
    fn validate(&self, _config: &Obj) -> Vec<Failure> {
        Vec::new()
    }
    /// Checks of a planned change that need the workspace (settings
    /// against the catalog), after the generic plan rules. The default
    /// checks nothing and sends no request.
    async fn check_plan(&self, _cx: &PlanCheck<'_>) -> Vec<Diagnostic> {
        Vec::new()
    }
    /// After a create the API refused with 409: the import ID of the object
    /// that already holds the planned natural key, looked up through the
    /// API. None: not known, and the message says how to find it.
    async fn existing_import_id(&self, _api: &Client, _plan: &Obj) -> Option<String> {
        None
    }
    async fn create(&self, api: &Client, plan: &Obj) -> Outcome<Obj>;
    /// `None`: the object no longer exists (Terraform then plans to create it).
    async fn read(&self, api: &Client, state: &Obj) -> Outcome<Option<Obj>>;
    async fn update(&self, api: &Client, prior: &Obj, plan: &Obj) -> Outcome<Obj>;
    async fn delete(&self, api: &Client, state: &Obj) -> Outcome<()>;
    /// Lists that hold this object, most specific first (the one below
    /// its parent, then the parent's own): a 404 for the object means it
    /// is gone only when one of them answers 200 (see `engine/gone.rs`).
    /// `state` may hold only the import ID's attributes.
    fn collections(&self, state: &Obj) -> Outcome<Vec<Collection>>;
}

/// A data source: reads something by its configured arguments.
#[async_trait]
pub trait DataSourceType: Send + Sync + 'static {
    fn spec(&self) -> ResourceSpec;
    /// Checks beyond the fields' own (combinations of arguments).
    fn validate(&self, _config: &Obj) -> Vec<Failure> {
        Vec::new()
    }
    async fn read(&self, api: &Client, config: &Obj) -> Outcome<Obj>;
}
