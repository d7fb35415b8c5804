//! Each kind's answer, made in one place: a function per kind from its
//! stored document to the `segment-api` model the API answers with, which
//! the client decodes. A key the model does not know is dropped here, not
//! sent, so the two cannot drift (`tests/tests/wire_models.rs` holds both
//! sides to it). IAM answers need reads of other documents (role names,
//! members) and are rendered beside their routes, into models too.

use segment_api::models::{
    Destination, DestinationFilter, DestinationSubscription, Function, FunctionListItem,
    FunctionSetting, InsertFunctionInstance, Label, ProfilesWarehouse, ReverseEtlModel, Rule,
    Source, Transformation, Warehouse,
};
use serde_json::Value;

use super::answer::Metadata;
use super::stored::CatalogLink;
use crate::catalog::{self, Catalog, MASK};
use crate::error::AppResult;
use crate::store::Doc;

/// A source as the API shows it: catalog metadata embedded, secrets
/// masked. Its schema settings, kept in the same document, are not a field
/// of the model: they have a path of their own (`source_settings.rs`).
pub fn source(doc: &Doc) -> AppResult<Source<Metadata>> {
    let mut source: Source<Metadata> = doc.read()?;
    let meta_id = doc.read::<CatalogLink>()?.metadata_id;
    if let Some(meta) = Catalog::get().source(&meta_id) {
        source.settings = catalog::masked(&meta.options, &source.settings);
    }
    source.metadata = embedded(&meta_id);
    Ok(source)
}

/// A destination as the API shows it: catalog metadata embedded, secrets masked.
pub fn destination(doc: &Doc) -> AppResult<Destination<Metadata>> {
    let mut destination: Destination<Metadata> = doc.read()?;
    let meta_id = doc.read::<CatalogLink>()?.metadata_id;
    if let Some(meta) = Catalog::get().destination(&meta_id) {
        destination.settings = catalog::masked(&meta.options, &destination.settings);
    }
    destination.metadata = embedded(&meta_id);
    Ok(destination)
}

/// A warehouse as the API shows it. Secrets are left out entirely, as the
/// API does for warehouse passwords.
pub fn warehouse(doc: &Doc) -> AppResult<Warehouse<Metadata>> {
    let mut warehouse: Warehouse<Metadata> = doc.read()?;
    let meta_id = doc.read::<CatalogLink>()?.metadata_id;
    without_secrets(&meta_id, &mut warehouse.settings);
    warehouse.metadata = embedded(&meta_id);
    Ok(warehouse)
}

/// A Profiles Sync warehouse, shown as a warehouse is.
pub fn profiles_warehouse(doc: &Doc) -> AppResult<ProfilesWarehouse<Metadata>> {
    let mut warehouse: ProfilesWarehouse<Metadata> = doc.read()?;
    let meta_id = doc.read::<CatalogLink>()?.metadata_id;
    without_secrets(&meta_id, &mut warehouse.settings);
    warehouse.metadata = embedded(&meta_id);
    Ok(warehouse)
}

fn embedded(meta_id: &str) -> Metadata {
    Metadata(Catalog::get().rendered(meta_id))
}

fn without_secrets(meta_id: &str, settings: &mut segment_api::models::Settings) {
    if let Some(meta) = Catalog::get().warehouse(meta_id) {
        for o in meta.options.iter().filter(|o| o.is_secret()) {
            settings.remove(&o.name);
        }
    }
}

pub fn filter(doc: &Doc) -> AppResult<DestinationFilter> {
    Ok(doc.read()?)
}

pub fn subscription(doc: &Doc) -> AppResult<DestinationSubscription> {
    Ok(doc.read()?)
}

pub fn function(doc: &Doc) -> AppResult<Function> {
    Ok(doc.read()?)
}

/// A function as `GET /functions` lists it: neither code nor settings.
pub fn function_item(doc: &Doc) -> AppResult<FunctionListItem> {
    Ok(doc.read()?)
}

/// An insert function instance, given its function's declared settings:
/// every key of `settings` shown, sensitive values masked, and
/// `encryptedSettings` naming the sensitive keys (masked too).
pub fn insert_function_instance(
    doc: &Doc,
    declared: &[FunctionSetting],
) -> AppResult<InsertFunctionInstance> {
    let mut instance: InsertFunctionInstance = doc.read()?;
    instance.encrypted_settings.clear();
    for s in declared.iter().filter(|s| s.sensitive) {
        if let Some(v) = instance.settings.get_mut(&s.name) {
            *v = Value::String(MASK.to_string());
            instance
                .encrypted_settings
                .insert(s.name.clone(), Value::String(MASK.to_string()));
        }
    }
    Ok(instance)
}

pub fn transformation(doc: &Doc) -> AppResult<Transformation> {
    Ok(doc.read()?)
}

pub fn reverse_etl_model(doc: &Doc) -> AppResult<ReverseEtlModel> {
    Ok(doc.read()?)
}

pub fn tracking_plan(doc: &Doc) -> AppResult<segment_api::models::TrackingPlan> {
    Ok(doc.read()?)
}

pub fn rule(doc: &Doc) -> AppResult<Rule> {
    Ok(doc.read()?)
}

pub fn label(doc: &Doc) -> AppResult<Label> {
    Ok(doc.read()?)
}
