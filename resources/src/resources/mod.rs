//! Managed resource types: one file each, one line each in [`all`].

mod audience;
pub(crate) mod common;
mod computed_trait;
mod destination;
mod destination_filter;
mod destination_subscription;
mod function;
mod insert_function_instance;
mod label;
mod profiles_warehouse;
mod reverse_etl_model;
mod source;
mod source_tracking_plan_connection;
mod source_warehouse_connection;
mod tracking_plan;
mod transformation;
mod user;
mod user_group;
mod warehouse;

use crate::engine::ResourceType;

pub use audience::AudienceResource;
pub use computed_trait::ComputedTraitResource;
pub use destination::DestinationResource;
pub use destination_filter::DestinationFilterResource;
pub use destination_subscription::DestinationSubscriptionResource;
pub use function::FunctionResource;
pub use insert_function_instance::InsertFunctionInstanceResource;
pub use label::LabelResource;
pub use profiles_warehouse::ProfilesWarehouseResource;
pub use reverse_etl_model::ReverseEtlModelResource;
pub use source::SourceResource;
pub use source_tracking_plan_connection::SourceTrackingPlanConnectionResource;
pub use source_warehouse_connection::SourceWarehouseConnectionResource;
pub use tracking_plan::TrackingPlanResource;
pub use transformation::TransformationResource;
pub use user::UserResource;
pub use user_group::UserGroupResource;
pub use warehouse::WarehouseResource;

/// Every resource type the provider offers, parents before children
/// (a type listed under another comes after it). This order is the
/// generator's too: it names objects in it (a child's name can start with
/// its parent's) and writes its manifest in it, so a new type goes at the
/// end, or after its parent, and existing types keep their places: moving
/// one renames what an export writes.
pub fn all() -> Vec<Box<dyn ResourceType>> {
    vec![
        Box::new(LabelResource),
        Box::new(SourceResource),
        Box::new(WarehouseResource),
        Box::new(TrackingPlanResource),
        Box::new(FunctionResource),
        Box::new(UserGroupResource),
        Box::new(UserResource),
        Box::new(DestinationResource),
        Box::new(DestinationFilterResource),
        Box::new(DestinationSubscriptionResource),
        Box::new(SourceTrackingPlanConnectionResource),
        Box::new(SourceWarehouseConnectionResource),
        Box::new(TransformationResource),
        Box::new(ReverseEtlModelResource),
        Box::new(InsertFunctionInstanceResource),
        Box::new(ProfilesWarehouseResource),
        Box::new(AudienceResource),
        Box::new(ComputedTraitResource),
    ]
}

#[cfg(test)]
mod tests;
