//! Around every request: the body read within its timeout, and every error
//! answer in the API's shape, whoever made it (axum's extractors answer in
//! plain text).

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::header::{CONNECTION, CONTENT_LENGTH, CONTENT_TYPE, TRANSFER_ENCODING};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use segment_api::error::{ApiErrorItem, ErrorBody};

use super::HttpConfig;
use crate::error::AppError;

/// A text answer longer than this is not shown to the client whole.
const TEXT_LIMIT: usize = 1024;

pub async fn guard(State(config): State<HttpConfig>, req: Request, next: Next) -> Response {
    if let Some(e) = path_error(req.uri().path()) {
        return e.into_response();
    }
    let req = match read_body(config, req).await {
        Ok(req) => req,
        Err(answer) => return answer,
    };
    in_api_shape(next.run(req).await).await
}

/// A path must percent-decode to UTF-8: every id and key in it is text.
fn path_error(path: &str) -> Option<AppError> {
    let decoded: Vec<u8> = percent_decode(path.as_bytes());
    std::str::from_utf8(&decoded).err().map(|_| {
        AppError::bad_request(
            "path",
            "the path is not UTF-8 once percent-decoded: encode ids and keys as UTF-8",
        )
    })
}

fn percent_decode(bytes: &[u8]) -> Vec<u8> {
    let hex = |b: u8| char::from(b).to_digit(16).map(|d| d as u8);
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let pair = bytes
            .get(i + 1)
            .copied()
            .and_then(hex)
            .zip(bytes.get(i + 2).copied().and_then(hex));
        match (bytes[i], pair) {
            (b'%', Some((hi, lo))) => {
                out.push(hi << 4 | lo);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    out
}

/// Reads the whole body within the body read timeout, so a client that
/// stops halfway holds its connection no longer than that.
async fn read_body(config: HttpConfig, req: Request) -> Result<Request, Response> {
    let has_body =
        req.headers().contains_key(CONTENT_LENGTH) || req.headers().contains_key(TRANSFER_ENCODING);
    if !has_body {
        return Ok(req);
    }
    let (parts, body) = req.into_parts();
    // One more than the limit: a body of exactly the limit still passes,
    // and the route's own limit answers 413 for one above it.
    let read = axum::body::to_bytes(body, crate::MAX_BODY_BYTES + 1);
    match tokio::time::timeout(config.body_read_timeout, read).await {
        Ok(Ok(bytes)) => Ok(Request::from_parts(parts, Body::from(bytes))),
        Ok(Err(_)) if too_large(&parts) => Err(AppError::too_large(format!(
            "the request body is larger than {} bytes",
            crate::MAX_BODY_BYTES
        ))
        .into_response()),
        Ok(Err(e)) => Err(closing(AppError::bad_request(
            "body",
            format!("cannot read the request body: {e}"),
        ))),
        Err(_) => Err(closing(AppError::timeout(format!(
            "the request body did not arrive within {} s; send it whole, without pauses",
            config.body_read_timeout.as_secs_f64()
        )))),
    }
}

fn too_large(parts: &axum::http::request::Parts) -> bool {
    parts
        .headers
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok())
        .is_none_or(|n| n > crate::MAX_BODY_BYTES)
}

/// An error after which the connection is closed: the rest of the body
/// may still be on its way.
fn closing(e: AppError) -> Response {
    let mut answer = e.into_response();
    answer
        .headers_mut()
        .insert(CONNECTION, HeaderValue::from_static("close"));
    answer
}

/// An error answer that is not JSON (axum's rejections are text) becomes
/// the API's error body, with the text as its message.
async fn in_api_shape(answer: Response) -> Response {
    let status = answer.status();
    let is_json = answer
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("json"));
    if !(status.is_client_error() || status.is_server_error()) || is_json {
        return answer;
    }
    let (mut parts, body) = answer.into_parts();
    let text = axum::body::to_bytes(body, TEXT_LIMIT)
        .await
        .ok()
        .and_then(|b| String::from_utf8(b.to_vec()).ok())
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty())
        .unwrap_or_else(|| {
            status
                .canonical_reason()
                .unwrap_or("the request failed")
                .to_string()
        });
    let body = ErrorBody {
        errors: vec![ApiErrorItem {
            kind: kind_of(status).to_string(),
            message: text,
            field: None,
            data: None,
            status: Some(status.as_u16()),
        }],
    };
    parts.headers.remove(CONTENT_LENGTH);
    parts
        .headers
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    let bytes = serde_json::to_vec(&body).unwrap_or_default();
    Response::from_parts(parts, Body::from(bytes))
}

fn kind_of(status: StatusCode) -> &'static str {
    match status.as_u16() {
        400 => "bad-request",
        401 => "unauthorized",
        403 => "forbidden",
        404 => "not-found",
        405 => "method-not-allowed",
        408 => "request-timeout",
        409 => "conflict",
        413 => "payload-too-large",
        414 => "uri-too-long",
        415 => "unsupported-media-type",
        422 => "validation",
        429 => "too-many-requests",
        431 => "request-header-fields-too-large",
        s if s >= 500 => "internal",
        _ => "bad-request",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_must_decode_to_utf8() {
        assert!(path_error("/sources/abc%20d").is_none());
        assert!(path_error("/labels/k%C3%A9/v").is_none());
        assert!(path_error("/sources/%FF%FE").is_some());
        // A lone percent sign is left as it is, as axum does.
        assert!(path_error("/sources/100%").is_none());
    }
}
