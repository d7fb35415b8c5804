//! The real `segment-workspace` binary: `serve` prints its base URL as the
//! first line of stdout, `token create` prints a token the server takes (and
//! stores only hashed), bad arguments fail clearly, and acknowledged writes
//! survive a kill.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use segment_api::models::{AuditQuery, CreateSource};
use segment_api::{Client, ClientConfig, RetryPolicy};

const BIN: &str = env!("CARGO_BIN_EXE_segment-workspace");
const START_LIMIT: Duration = Duration::from_secs(30);

fn database_url(dir: &Path) -> String {
    format!("sqlite://{}", dir.join("ws.db").display())
}

/// A `serve` process, killed when dropped.
struct Served {
    child: Child,
    url: String,
}

impl Served {
    fn start(database: &str, extra: &[&str]) -> Served {
        let mut child = Command::new(BIN)
            .args(["serve", "--listen", "127.0.0.1:0", "--database", database])
            .args(extra)
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
        let line = match rx.recv_timeout(START_LIMIT) {
            Ok(line) => line,
            Err(_) => {
                let _ = child.kill();
                panic!("serve printed no line within {START_LIMIT:?}");
            }
        };
        let url = line.trim_end().to_string();
        let served = Served { child, url };
        let port = served
            .url
            .strip_prefix("http://127.0.0.1:")
            .unwrap_or_else(|| panic!("the first line is not the base URL: {line:?}"));
        assert!(
            port.parse::<u16>().is_ok_and(|p| p != 0),
            "the first line is not the base URL: {line:?}"
        );
        assert!(line.ends_with('\n'), "a whole line: {line:?}");
        served
    }

    fn client(&self, token: &str) -> Client {
        let retry = RetryPolicy {
            max_attempts: 3,
            base_delay: Duration::from_millis(5),
            max_delay: Duration::from_millis(50),
            ..RetryPolicy::default()
        };
        Client::new(ClientConfig::new(&self.url, token).with_retry(retry)).unwrap()
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn run(args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("running segment-workspace")
}

fn token_create(database: &str, owner: &str, scope: Option<&str>) -> String {
    let mut args = vec!["token", "create", "--database", database, "--owner", owner];
    if let Some(s) = scope {
        args.extend(["--scope", s]);
    }
    let out = run(&args);
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        out.status.success(),
        "token create failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 1, "one line, the token: {stdout:?}");
    let token = lines[0].to_string();
    assert!(token.starts_with("sgw_"), "{token}");
    assert!(token.len() >= 40, "{token}");
    token
}

fn javascript(slug: &str) -> CreateSource {
    CreateSource {
        slug: slug.into(),
        enabled: true,
        metadata_id: "IqDTy1TpoU".into(),
        settings: None,
    }
}

/// Every byte of the database files (the WAL included).
fn database_bytes(dir: &Path) -> Vec<u8> {
    let mut bytes = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path: PathBuf = entry.unwrap().path();
        bytes.extend(std::fs::read(path).unwrap());
    }
    bytes
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

#[tokio::test]
async fn serve_prints_the_base_url_first_and_serves_with_its_token() {
    let dir = tempfile::tempdir().unwrap();
    let db = database_url(dir.path());
    let served = Served::start(
        &db,
        &["--token", "tok-from-flag", "--owner", "ops@example.com"],
    );
    let c = served.client("tok-from-flag");
    let ws = c.get_workspace().await.unwrap();
    assert_eq!(ws.slug, "local-workspace");
    let s = c.create_source(&javascript("web")).await.unwrap();
    let events = c.list_audit_events(&AuditQuery::default()).await.unwrap();
    let created = events
        .iter()
        .find(|e| e.resource_id == s.id)
        .expect("the create is in the trail");
    assert_eq!(created.actor_email.as_deref(), Some("ops@example.com"));
    let stranger = served.client("another");
    assert_eq!(
        stranger.list_sources().await.unwrap_err().status(),
        Some(401)
    );
}

#[tokio::test]
async fn token_create_prints_tokens_the_server_takes_and_stores_hashed() {
    let dir = tempfile::tempdir().unwrap();
    let db = database_url(dir.path());
    let owner = token_create(&db, "owner@example.com", None);
    let explicit = token_create(&db, "second@example.com", Some("workspace-owner"));
    let reader = token_create(&db, "reader@example.com", Some("read-only"));
    assert_ne!(owner, explicit);

    let served = Served::start(&db, &[]);
    let s = served
        .client(&owner)
        .create_source(&javascript("web"))
        .await
        .unwrap();
    served.client(&explicit).delete_source(&s.id).await.unwrap();
    let r = served.client(&reader);
    assert!(r.list_sources().await.unwrap().is_empty());
    assert_eq!(
        r.create_source(&javascript("ro"))
            .await
            .unwrap_err()
            .status(),
        Some(403)
    );
    drop(served);

    let bytes = database_bytes(dir.path());
    for token in [&owner, &explicit, &reader] {
        assert!(!contains(&bytes, token), "a token is stored in the clear");
    }
    assert!(
        contains(&bytes, "reader@example.com"),
        "read the right files"
    );
}

#[test]
fn a_bad_scope_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let db = database_url(dir.path());
    let out = run(&[
        "token",
        "create",
        "--database",
        &db,
        "--owner",
        "a@example.com",
        "--scope",
        "admin",
    ]);
    assert!(!out.status.success());
    assert!(out.stdout.is_empty(), "no token printed");
    let stderr = String::from_utf8_lossy(&out.stderr);
    for word in ["--scope", "\"admin\"", "workspace-owner", "read-only"] {
        assert!(stderr.contains(word), "{word} in {stderr:?}");
    }

    let out = run(&[
        "token",
        "create",
        "--database",
        &db,
        "--owner",
        "not-an-email",
    ]);
    assert!(!out.status.success());
    assert!(out.stdout.is_empty(), "no token printed");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("must be an email address"), "{stderr:?}");

    let out = run(&["token", "create", "--database", &db]);
    assert!(!out.status.success(), "--owner is required");
    assert!(String::from_utf8_lossy(&out.stderr).contains("--owner"));
}

#[tokio::test]
async fn acknowledged_writes_survive_a_kill() {
    let dir = tempfile::tempdir().unwrap();
    let db = database_url(dir.path());
    let token = token_create(&db, "owner@example.com", None);
    let mut served = Served::start(&db, &[]);
    let c = served.client(&token);
    let mut made = Vec::new();
    for i in 0..20 {
        made.push(
            c.create_source(&javascript(&format!("s{i}")))
                .await
                .unwrap(),
        );
    }
    let events = c.list_audit_events(&AuditQuery::default()).await.unwrap();
    // SIGKILL: no shutdown, no checkpoint.
    served.child.kill().unwrap();
    served.child.wait().unwrap();
    drop(served);

    let served = Served::start(&db, &[]);
    let c = served.client(&token);
    assert_eq!(c.list_sources().await.unwrap(), made);
    assert_eq!(
        c.list_audit_events(&AuditQuery::default()).await.unwrap(),
        events
    );
}

#[test]
fn serve_on_a_taken_port_fails() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let dir = tempfile::tempdir().unwrap();
    let db = database_url(dir.path());
    let mut child = Command::new(BIN)
        .args(["serve", "--listen", &addr, "--database", &db])
        .env_remove("SEGMENT_WORKSPACE_TOKEN")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Bounded wait for the exit.
    let mut status = None;
    for _ in 0..300 {
        if let Some(s) = child.try_wait().unwrap() {
            status = Some(s);
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let Some(status) = status else {
        let _ = child.kill();
        let _ = child.wait();
        panic!("serve on a taken port kept running");
    };
    let out = child.wait_with_output().unwrap();
    assert!(!status.success());
    assert!(out.stdout.is_empty(), "no URL for a port it does not hold");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.to_lowercase().contains("in use"), "{stderr:?}");
}

/// A GET of `path` with `token`: status and `X-RateLimit-Remaining`.
async fn limited_get(url: &str, token: &str, path: &str) -> (u16, Option<String>) {
    let response = reqwest::Client::new()
        .get(format!("{url}{path}"))
        .bearer_auth(token)
        .timeout(START_LIMIT)
        .send()
        .await
        .expect("an answer");
    let remaining = response
        .headers()
        .get("x-ratelimit-remaining")
        .map(|v| v.to_str().unwrap().to_string());
    (response.status().as_u16(), remaining)
}

#[tokio::test]
async fn serve_limits_by_default_and_rate_limits_off_answers_everything() {
    let dir = tempfile::tempdir().unwrap();
    let db = database_url(dir.path());
    let limited = Served::start(&db, &["--token", "tok", "--rate-limit-budget", "2"]);
    assert_eq!(
        limited_get(&limited.url, "tok", "/").await,
        (200, Some("1".into()))
    );
    assert_eq!(
        limited_get(&limited.url, "tok", "/").await,
        (200, Some("0".into()))
    );
    assert_eq!(
        limited_get(&limited.url, "tok", "/").await,
        (429, Some("0".into()))
    );
    drop(limited);
    let off = Served::start(
        &db,
        &[
            "--token",
            "tok",
            "--rate-limits",
            "off",
            "--rate-limit-budget",
            "2",
        ],
    );
    for _ in 0..5 {
        assert_eq!(limited_get(&off.url, "tok", "/").await, (200, None));
    }
}

/// `serve --seed` fills the workspace through its own API: under a budget
/// smaller than the seed it would fail half-way if the seed were limited.
#[tokio::test]
async fn serve_seed_is_not_limited_and_the_limits_hold_after_it() {
    let dir = tempfile::tempdir().unwrap();
    let db = database_url(dir.path());
    let served = Served::start(
        &db,
        &["--token", "tok", "--seed", "--rate-limit-budget", "3"],
    );
    let sources = served.client("tok").list_sources().await.unwrap();
    assert!(
        sources.len() >= 12,
        "the sample has its sources: {}",
        sources.len()
    );
    assert_eq!(limited_get(&served.url, "tok", "/").await.0, 200);
    assert_eq!(limited_get(&served.url, "tok", "/").await.0, 200);
    assert_eq!(limited_get(&served.url, "tok", "/").await.0, 429);
}

#[test]
fn a_bad_rate_limit_flag_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let db = database_url(dir.path());
    for (args, words) in [
        (
            &["--rate-limit-scale", "0"][..],
            &["--rate-limit-scale", "above 0"][..],
        ),
        (
            &["--rate-limit-scale=-2"][..],
            &["--rate-limit-scale", "above 0"][..],
        ),
        (
            &["--rate-limit-scale=NaN"][..],
            &["--rate-limit-scale", "above 0"][..],
        ),
        (
            &["--rate-limit-budget", "0"][..],
            &["--rate-limit-budget", "at least 1"][..],
        ),
        (
            &["--rate-limits", "sometimes"][..],
            &["--rate-limits", "segment", "off"][..],
        ),
    ] {
        let mut all = vec!["serve", "--listen", "127.0.0.1:0", "--database", &db];
        all.extend(args);
        let out = run(&all);
        assert!(!out.status.success(), "{args:?} was taken");
        assert!(out.stdout.is_empty(), "{args:?} printed a URL");
        let stderr = String::from_utf8_lossy(&out.stderr);
        for word in words {
            assert!(stderr.contains(word), "{word} in {stderr:?}");
        }
    }
}
