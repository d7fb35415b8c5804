//! The one error type of the HTTP layer, rendered as the API's error body.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use segment_api::error::{ApiErrorItem, ErrorBody};

use crate::store::StoreError;

#[derive(Debug)]
pub struct AppError {
    pub status: StatusCode,
    pub kind: &'static str,
    pub message: String,
    pub field: Option<String>,
}

impl AppError {
    fn new(status: StatusCode, kind: &'static str, message: impl Into<String>) -> Self {
        AppError {
            status,
            kind,
            message: message.into(),
            field: None,
        }
    }
    pub fn with_field(mut self, field: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self
    }
    /// Malformed requests: bad JSON, bad query parameters.
    pub fn bad_request(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "bad-request", message).with_field(field)
    }
    /// Well-formed requests whose values the workspace cannot take.
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNPROCESSABLE_ENTITY, "validation", message).with_field(field)
    }
    pub fn not_found(what: impl std::fmt::Display, id: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "not-found",
            format!("{what} {id:?} does not exist"),
        )
    }
    pub fn conflict(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, "conflict", message).with_field(field)
    }
    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "unauthorized", message)
    }
    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "forbidden", message)
    }
    pub fn too_large(message: impl Into<String>) -> Self {
        Self::new(StatusCode::PAYLOAD_TOO_LARGE, "payload-too-large", message)
    }
    /// A request that did not arrive in time (its body stalled).
    pub fn timeout(message: impl Into<String>) -> Self {
        Self::new(StatusCode::REQUEST_TIMEOUT, "request-timeout", message)
    }
    pub fn method_not_allowed() -> Self {
        Self::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "method-not-allowed",
            "this path does not take that method",
        )
    }
    pub fn no_route() -> Self {
        Self::new(StatusCode::NOT_FOUND, "not-found", "no such API path")
    }
    pub fn internal(message: impl std::fmt::Display) -> Self {
        // The detail goes to the log; the client learns only that it failed.
        tracing::error!("internal error: {message}");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "the workspace failed to handle the request; nothing was changed",
        )
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Conflict { kind, key } => AppError::conflict(
                kind.natural_key_field(),
                format!(
                    "{}: {kind} {key:?} already exists",
                    kind.natural_key_field()
                ),
            ),
            StoreError::MissingRef { kind, id, field } => AppError::new(
                StatusCode::NOT_FOUND,
                "not-found",
                format!("{field}: no {kind} with id {id:?} exists in this workspace"),
            )
            .with_field(field),
            StoreError::NotFound { kind, id } => AppError::not_found(kind, &id),
            StoreError::Stale { kind, id } => AppError::conflict(
                "id",
                format!("{kind} {id:?} was changed by another request; try again"),
            ),
            StoreError::Unstorable { field, reason } => {
                AppError::invalid(field.clone(), format!("{field}: {reason}"))
            }
            e @ StoreError::Corrupt { .. } => AppError::internal(e.to_string()),
            StoreError::Backend(m) => AppError::internal(m),
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            errors: vec![ApiErrorItem {
                kind: self.kind.to_string(),
                message: self.message,
                field: self.field,
                data: None,
                status: Some(self.status.as_u16()),
            }],
        };
        (self.status, Json(body)).into_response()
    }
}

pub type AppResult<T> = Result<T, AppError>;
