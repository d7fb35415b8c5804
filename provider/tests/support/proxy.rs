//! A misrouted proxy in front of a workspace: `GET /` (the workspace, what
//! the provider's configure-time probe asks) goes through, every other
//! path answers 404 in the API's error shape, as a proxy with a broken
//! route would. It checks that a 404 alone never empties a state.

use std::net::TcpListener;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, Method, StatusCode};
use axum::response::Response;

/// Answers `GET /` from the workspace behind it and 404 (in the API's
/// error shape) for every other path, as a proxy with a broken route would.
async fn misrouted(
    State((http, upstream)): State<(reqwest::Client, String)>,
    req: Request,
) -> Response {
    if req.method() == Method::GET && req.uri().path() == "/" {
        let auth = req
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        let answer = http
            .get(format!("{upstream}/"))
            .header(header::AUTHORIZATION, auth)
            .send()
            .await;
        if let Ok(answer) = answer {
            let status = answer.status().as_u16();
            let body = answer.bytes().await.unwrap_or_default();
            return Response::builder()
                .status(status)
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(body))
                .unwrap_or_default();
        }
        return Response::builder()
            .status(StatusCode::BAD_GATEWAY)
            .body(Body::empty())
            .unwrap_or_default();
    }
    let body = r#"{"errors":[{"type":"not-found","message":"not found","status":404}]}"#;
    Response::builder()
        .status(StatusCode::NOT_FOUND)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body))
        .unwrap_or_default()
}

/// Starts the misrouted proxy on its own thread and runtime (Terraform
/// runs blocking on the test's) and returns its base URL.
pub fn start_misrouted_proxy(http: reqwest::Client, upstream: String) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind proxy");
    listener.set_nonblocking(true).expect("nonblocking");
    let addr = listener.local_addr().expect("proxy address");
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("proxy runtime");
        rt.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(listener).expect("tokio listener");
            let app = axum::Router::new()
                .fallback(misrouted)
                .with_state((http, upstream));
            let _ = axum::serve(listener, app).await;
        });
    });
    format!("http://{addr}")
}
