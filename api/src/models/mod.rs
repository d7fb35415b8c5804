//! Wire models, one file per resource family.
//!
//! Response models tolerate unknown fields (serde's default); input models
//! skip `None` fields so a PATCH sends only what changes.

mod audit;
mod catalog;
mod destination;
mod engage;
mod envelope;
mod filter;
mod function;
mod iam;
mod label;
mod profiles_warehouse;
mod reverse_etl;
mod role;
mod schema_settings;
mod source;
mod subscription;
mod tracking_plan;
mod transformation;
mod warehouse;
mod workspace;

pub use audit::*;
pub use catalog::*;
pub use destination::*;
pub use engage::*;
pub use envelope::*;
pub use filter::*;
pub use function::*;
pub use iam::*;
pub use label::*;
pub use profiles_warehouse::*;
pub use reverse_etl::*;
pub use role::*;
pub use schema_settings::*;
pub use source::*;
pub use subscription::*;
pub use tracking_plan::*;
pub use transformation::*;
pub use warehouse::*;
pub use workspace::*;

/// JSON object of integration settings, in the order the API gave them.
pub type Settings = serde_json::Map<String, serde_json::Value>;

/// Serde helper for fields where `null` means "clear" and absence means "keep":
/// `None` = absent, `Some(None)` = null, `Some(Some(v))` = a value.
pub mod double_option {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn deserialize<'de, T, D>(d: D) -> Result<Option<Option<T>>, D::Error>
    where
        T: Deserialize<'de>,
        D: Deserializer<'de>,
    {
        Option::<T>::deserialize(d).map(Some)
    }

    pub fn serialize<T: Serialize, S: Serializer>(
        v: &Option<Option<T>>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        match v {
            Some(inner) => inner.serialize(s),
            None => s.serialize_none(),
        }
    }
}
