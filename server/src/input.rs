//! Request bodies: decoded with the path of whatever is wrong, so the error
//! names the field.

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use serde::de::DeserializeOwned;

use crate::error::AppError;

/// Like `axum::Json`, with errors in the API's shape.
pub struct Body<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for Body<T> {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, AppError> {
        let bytes = Bytes::from_request(req, state).await.map_err(unreadable)?;
        decode(&bytes).map(Body)
    }
}

/// A body that could not be read: 413 when too large, else 400.
pub fn unreadable(e: BytesRejection) -> AppError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        AppError::too_large(format!(
            "the request body is larger than {} bytes",
            crate::MAX_BODY_BYTES
        ))
    } else {
        AppError::bad_request("body", format!("cannot read the request body: {e}"))
    }
}

/// Decodes JSON, naming the offending field: 400 for malformed JSON, 422 for
/// well-formed JSON of the wrong shape. The text is parsed whole before it
/// is shaped, so a syntax error anywhere is always a 400, and a body must
/// be an object (serde would otherwise take a struct's fields from an array).
pub fn decode<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, AppError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(AppError::bad_request(
            "body",
            "the request needs a JSON body",
        ));
    }
    let value: serde_json::Value = serde_json::from_slice(bytes)
        .map_err(|e| AppError::bad_request("body", format!("malformed JSON: {e}")))?;
    if !value.is_object() {
        return Err(AppError::invalid(
            "body",
            "body: the request body must be a JSON object",
        ));
    }
    crate::values::check_numbers(&value, &mut String::new())?;
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        let message = e.into_inner().to_string();
        let field = field_of(&path, &message);
        AppError::invalid(
            field.clone(),
            format!("{field}: {}", strip_position(&message)),
        )
    })
}

/// serde reports a missing field at its parent's path; name the field itself.
fn field_of(path: &str, message: &str) -> String {
    let parent = if path == "." { "" } else { path };
    match message
        .strip_prefix("missing field `")
        .and_then(|m| m.split('`').next())
    {
        Some(name) if parent.is_empty() => name.to_string(),
        Some(name) => format!("{parent}.{name}"),
        None if parent.is_empty() => "body".to_string(),
        None => parent.to_string(),
    }
}

fn strip_position(message: &str) -> &str {
    message.split(" at line ").next().unwrap_or(message)
}

#[cfg(test)]
mod tests {
    use super::*;
    use segment_api::models::CreateSource;

    #[test]
    fn names_the_missing_field() {
        let e = decode::<CreateSource>(br#"{"enabled":true,"metadataId":"x"}"#).unwrap_err();
        assert_eq!(e.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(e.field.as_deref(), Some("slug"));
    }

    #[test]
    fn names_the_mistyped_field() {
        let e = decode::<CreateSource>(br#"{"slug":"a","enabled":"yes","metadataId":"x"}"#)
            .unwrap_err();
        assert_eq!(e.field.as_deref(), Some("enabled"));
        assert!(e.message.contains("expected a boolean"), "{}", e.message);
    }

    #[test]
    fn malformed_json_is_a_bad_request() {
        let e = decode::<CreateSource>(br#"{"slug": "#).unwrap_err();
        assert_eq!(e.status, StatusCode::BAD_REQUEST);
        // Even where a shape error comes first in the text.
        let e = decode::<CreateSource>(br#"{"a":1} trailing"#).unwrap_err();
        assert_eq!(e.status, StatusCode::BAD_REQUEST);
    }

    #[test]
    fn an_array_is_not_a_body() {
        let e = decode::<CreateSource>(br#"["web", true, "IqDTy1TpoU"]"#).unwrap_err();
        assert_eq!(e.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(e.field.as_deref(), Some("body"));
    }
}
