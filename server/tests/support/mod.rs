//! The real `segment-workspace` binary on loopback, for the hardening tests.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::Duration;

pub const BIN: &str = env!("CARGO_BIN_EXE_segment-workspace");
const START_LIMIT: Duration = Duration::from_secs(30);

pub fn database_url(dir: &Path) -> String {
    format!("sqlite://{}", dir.join("ws.db").display())
}

/// A `serve` process, killed when dropped.
pub struct Served {
    pub child: Child,
    pub url: String,
    pub addr: String,
}

impl Served {
    /// A server with rate limits off.
    pub fn start(database: &str, extra: &[&str]) -> Served {
        let mut args = vec!["--rate-limits", "off"];
        args.extend_from_slice(extra);
        Served::start_with(database, &args)
    }

    /// A server with exactly `args` after the database (rate limits on
    /// unless they say otherwise).
    pub fn start_with(database: &str, args: &[&str]) -> Served {
        let mut child = Command::new(BIN)
            .args(["serve", "--listen", "127.0.0.1:0", "--database", database])
            .args(args)
            .env_remove("SEGMENT_WORKSPACE_TOKEN")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("starting segment-workspace serve");
        let stdout = child.stdout.take().expect("piped stdout");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = tx.send(line);
        });
        let Ok(line) = rx.recv_timeout(START_LIMIT) else {
            let _ = child.kill();
            panic!("serve printed no line within {START_LIMIT:?}");
        };
        let url = line.trim_end().to_string();
        let addr = url
            .strip_prefix("http://")
            .unwrap_or_else(|| panic!("not a base URL: {line:?}"))
            .to_string();
        Served { child, url, addr }
    }

    /// Sends `request` on a new connection and reads the answer until the
    /// server closes it or `limit` passes.
    pub fn raw(&self, request: &[u8], limit: Duration) -> RawAnswer {
        let mut conn = TcpStream::connect(&self.addr).expect("connect");
        conn.set_read_timeout(Some(limit)).unwrap();
        // A server that answers early may close before all is sent.
        let _ = conn.write_all(request);
        let mut bytes = Vec::new();
        let _ = conn.read_to_end(&mut bytes);
        RawAnswer::parse(&bytes)
    }

    /// A GET with a bearer token: its status.
    pub async fn status(&self, token: &str, path: &str) -> u16 {
        reqwest::Client::new()
            .get(format!("{}{path}", self.url))
            .bearer_auth(token)
            .timeout(START_LIMIT)
            .send()
            .await
            .expect("an answer")
            .status()
            .as_u16()
    }

    /// A request with a JSON body: status and the answer's JSON.
    pub async fn send(
        &self,
        method: reqwest::Method,
        token: &str,
        path: &str,
        body: &str,
    ) -> (u16, serde_json::Value) {
        let answer = reqwest::Client::new()
            .request(method, format!("{}{path}", self.url))
            .bearer_auth(token)
            .header("content-type", "application/json")
            .body(body.to_string())
            .timeout(START_LIMIT)
            .send()
            .await
            .expect("an answer");
        let status = answer.status().as_u16();
        let text = answer.text().await.expect("a body");
        let json = serde_json::from_str(&text).unwrap_or(serde_json::Value::String(text));
        (status, json)
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// An HTTP answer read off a socket.
#[derive(Debug)]
pub struct RawAnswer {
    pub status: u16,
    pub head: String,
    pub body: String,
}

impl RawAnswer {
    fn parse(bytes: &[u8]) -> RawAnswer {
        let text = String::from_utf8_lossy(bytes).to_string();
        let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
        let status = head
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        RawAnswer {
            status,
            head: head.to_string(),
            body: body.to_string(),
        }
    }

    /// The body is the API's error shape with this status.
    pub fn assert_api_error(&self, status: u16) {
        assert_eq!(self.status, status, "{self:?}");
        let json: serde_json::Value = serde_json::from_str(&self.body)
            .unwrap_or_else(|e| panic!("the body is not JSON ({e}): {self:?}"));
        let error = &json["errors"][0];
        assert_eq!(error["status"], status, "{json}");
        assert!(error["type"].is_string(), "{json}");
        assert!(
            error["message"].as_str().is_some_and(|m| !m.is_empty()),
            "{json}"
        );
        assert!(
            self.head
                .to_ascii_lowercase()
                .contains("content-type: application/json"),
            "{self:?}"
        );
    }
}

pub fn run(args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("running segment-workspace")
}

/// `token create`: the printed token.
pub fn token_create(database: &str, owner: &str, name: &str) -> String {
    let out = run(&[
        "token",
        "create",
        "--database",
        database,
        "--owner",
        owner,
        "--name",
        name,
    ]);
    assert!(
        out.status.success(),
        "token create failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}
