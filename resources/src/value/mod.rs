//! Terraform's value model and its two wire encodings.
//!
//! - [`Type`]: schema types, parsed from and printed as Terraform's JSON type
//!   strings.
//! - [`Value`]: a tri-state (known / null / unknown) value over those types.
//! - [`Number`]: exact numbers; nothing goes through f64 unless it is one.
//! - [`decode_msgpack`] / [`encode_msgpack`]: DynamicValue's msgpack form, the
//!   one Terraform sends and the only one we answer with.
//! - [`decode_json`] / [`encode_json`]: DynamicValue's JSON form and stored
//!   state (UpgradeResourceState).
//!
//! Decoding is always directed by the schema type: the wire formats do not
//! say whether an array is a list or a set, or a map an object.
//!
//! ```
//! use segment_resources::value::{decode_msgpack, encode_msgpack, Type, Value};
//!
//! let ty = Type::object([("id", Type::String), ("enabled", Type::Bool)]);
//! let planned = Value::object([("id", Value::Unknown), ("enabled", Value::from(true))]);
//! let bytes = encode_msgpack(&planned, &ty).unwrap();
//! // fixmap(2) "enabled" true "id" ext0
//! assert_eq!(bytes, b"\x82\xa7enabled\xc3\xa2id\xd4\x00\x00");
//! assert_eq!(decode_msgpack(&bytes, &ty).unwrap(), planned);
//! ```

mod error;
mod json;
mod json_tree;
mod model;
mod msgpack;
mod number;
mod path;
mod ty;

#[cfg(test)]
mod codec_tests;
#[cfg(test)]
mod proptests;

pub use error::{DecodeError, EncodeError};
pub use json::{decode_json, decode_json_with, encode_json, JsonOptions};
pub use model::Value;
pub use msgpack::{decode_msgpack, encode_msgpack};
pub use number::{Number, NumberError, NumberRepr};
pub use path::{AttributePath, PathStep};
pub use ty::{Type, TypeError};
