//! [`ScriptedServer`]: the one fake in these tests, an HTTP server on
//! loopback that answers each request with the next [`Reply`] of a script
//! and records what it was sent and when. It exists to test the client's
//! retries, which need answers (429, 500) a real workspace gives only by
//! chance.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::response::Response;
use segment_api::{Client, ClientConfig, RetryPolicy};
use serde_json::{json, Value};

/// One scripted answer.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Value,
}

impl Reply {
    pub fn json(status: u16, body: Value) -> Self {
        Reply {
            status,
            headers: Vec::new(),
            body,
        }
    }

    /// 200 with `{"data": data}`.
    pub fn ok(data: Value) -> Self {
        Reply::json(200, json!({ "data": data }))
    }

    /// An error in the API's shape.
    pub fn error(status: u16, kind: &str, message: &str, field: Option<&str>) -> Self {
        let mut item = json!({ "type": kind, "message": message, "status": status });
        if let Some(f) = field {
            item["field"] = json!(f);
        }
        Reply::json(status, json!({ "errors": [item] }))
    }

    /// A 429 as the Public API sends it; `ms_before_next` goes in `data`
    /// when given.
    pub fn rate_limited(ms_before_next: Option<u64>) -> Self {
        let mut item = json!({
            "type": "too-many-requests",
            "message": "Too many requests, please try again later.",
            "status": 429,
        });
        if let Some(ms) = ms_before_next {
            item["data"] = json!({
                "msBeforeNext": ms,
                "remainingPoints": 0,
                "consumedPoints": 60,
            });
        }
        Reply::json(429, json!({ "errors": [item] }))
            .header("X-RateLimit-Limit", "60")
            .header("X-RateLimit-Remaining", "0")
    }

    pub fn header(mut self, name: &str, value: impl Into<String>) -> Self {
        self.headers.push((name.to_string(), value.into()));
        self
    }
}

/// A request the server saw.
#[derive(Debug, Clone)]
pub struct Seen {
    pub method: String,
    pub path: String,
    pub query: Option<String>,
    pub authorization: Option<String>,
    pub body: Vec<u8>,
    /// When it arrived, for measuring the waits between attempts.
    pub at: Instant,
    /// The same on the wall clock, for comparing with reset times.
    pub wall: SystemTime,
}

#[derive(Default)]
struct Script {
    replies: std::collections::VecDeque<Reply>,
    seen: Vec<Seen>,
}

/// See the module documentation. Stops when dropped.
pub struct ScriptedServer {
    url: String,
    script: Arc<Mutex<Script>>,
    task: tokio::task::JoinHandle<()>,
}

impl ScriptedServer {
    /// Serves `replies` in order on a free loopback port. Past the end of the
    /// script every request gets a 418, which no client retries, so a test
    /// that sends more requests than it scripted fails visibly.
    pub async fn start(replies: Vec<Reply>) -> Self {
        let script = Arc::new(Mutex::new(Script {
            replies: replies.into(),
            seen: Vec::new(),
        }));
        let app = axum::Router::new()
            .fallback(answer)
            .with_state(script.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("binding a loopback port");
        let url = format!("http://{}", listener.local_addr().expect("a bound address"));
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        ScriptedServer { url, script, task }
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    /// A client of this server with `retry` and a token.
    pub fn client(&self, retry: RetryPolicy) -> Client {
        let config = ClientConfig::new(&self.url, "test-token")
            .with_retry(retry)
            .with_timeout(Duration::from_secs(30));
        Client::new(config).expect("a client of the scripted server")
    }

    /// Every request seen so far, in arrival order.
    pub fn requests(&self) -> Vec<Seen> {
        self.script.lock().expect("script lock").seen.clone()
    }

    /// Scripted replies not yet used.
    pub fn replies_left(&self) -> usize {
        self.script.lock().expect("script lock").replies.len()
    }
}

impl Drop for ScriptedServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn answer(State(script): State<Arc<Mutex<Script>>>, req: Request) -> Response {
    let at = Instant::now();
    let wall = SystemTime::now();
    let (parts, body) = req.into_parts();
    let body = axum::body::to_bytes(body, 16 * 1024 * 1024)
        .await
        .map(|b| b.to_vec())
        .unwrap_or_default();
    let reply = {
        let mut s = script.lock().expect("script lock");
        s.seen.push(Seen {
            method: parts.method.to_string(),
            path: parts.uri.path().to_string(),
            query: parts.uri.query().map(str::to_string),
            authorization: parts
                .headers
                .get("authorization")
                .and_then(|v| v.to_str().ok())
                .map(str::to_string),
            body,
            at,
            wall,
        });
        s.replies.pop_front()
    };
    let reply = reply.unwrap_or_else(|| {
        Reply::error(
            418,
            "script-exhausted",
            "the script has no reply left",
            None,
        )
    });
    let mut response = Response::new(Body::from(reply.body.to_string()));
    *response.status_mut() = StatusCode::from_u16(reply.status).expect("a valid status");
    let headers = response.headers_mut();
    headers.insert("content-type", HeaderValue::from_static("application/json"));
    for (k, v) in reply.headers {
        headers.insert(
            HeaderName::from_bytes(k.as_bytes()).expect("a header name"),
            HeaderValue::from_str(&v).expect("a header value"),
        );
    }
    response
}
