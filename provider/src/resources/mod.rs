//! Managed resource types: one file each, one line each in [`all`].

mod common;
mod label;
mod source;

use crate::engine::ResourceType;

pub use label::LabelResource;
pub use source::SourceResource;

/// Every resource type the provider offers.
pub fn all() -> Vec<Box<dyn ResourceType>> {
    vec![Box::new(LabelResource), Box::new(SourceResource)]
}
