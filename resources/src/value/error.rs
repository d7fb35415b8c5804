//! Codec errors, each pointing at where in the value it happened so that it
//! can become a diagnostic on the right attribute.

use super::AttributePath;

/// Bytes from Terraform (msgpack or JSON) that do not fit the schema type.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", at(path, message))]
pub struct DecodeError {
    pub path: AttributePath,
    pub message: String,
}

/// A value of ours that does not fit the schema type it is written as: a
/// provider bug, reported to the user rather than sent to Terraform.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", at(path, message))]
pub struct EncodeError {
    pub path: AttributePath,
    pub message: String,
}

fn at(path: &AttributePath, message: &str) -> String {
    if path.is_root() {
        message.to_owned()
    } else {
        format!("{path}: {message}")
    }
}
