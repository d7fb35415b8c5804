//! [`TestWorkspace`]: a real workspace server on loopback over a fresh
//! SQLite file, or a fresh PostgreSQL database when `SEGMENT_TEST_BACKEND`
//! is `postgres` (see [`crate::postgres`]).
//!
//! The server runs on a Tokio runtime of its own, on its own thread, so it
//! keeps serving whatever the test does with its own runtime (a
//! current-thread `#[tokio::test]` is fine), and it stops when the
//! `TestWorkspace` is dropped. The methods are `async` and must be awaited
//! inside a Tokio runtime.

use std::future::Future;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use anyhow::{anyhow, bail, Context};
use segment_api::{Client, ClientConfig, RetryPolicy};
use segment_workspace::ids;
use segment_workspace::kind::Kind;
use segment_workspace::limits::RateLimitConfig;
use segment_workspace::secrets::Keys;
use segment_workspace::store::{Actor, Batch, Doc, Scope, Store};
use tempfile::TempDir;
use tokio::sync::oneshot;

/// Email of the workspace-owner token every workspace starts with.
pub const OWNER_EMAIL: &str = "owner@example.com";
/// Email of the read-only token every workspace starts with.
pub const READER_EMAIL: &str = "reader@example.com";

/// How long a harness step (open, bind, stop) may take before it is an error.
const STEP_LIMIT: Duration = Duration::from_secs(30);
/// How long a stopping server may take to finish the requests it has.
const STOP_LIMIT: Duration = Duration::from_secs(10);

/// Retries with millisecond delays: for tests where waiting is not under test.
pub fn fast_retry() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 3,
        base_delay: Duration::from_millis(5),
        max_delay: Duration::from_millis(50),
        ..RetryPolicy::default()
    }
}

/// A workspace server on `127.0.0.1` over a SQLite file in a temporary
/// folder, with a workspace-owner token ([`OWNER_EMAIL`]) and a read-only
/// token ([`READER_EMAIL`]) registered through the server's store.
///
/// - [`start`](Self::start) opens a fresh database and binds a free port;
/// - [`restart`](Self::restart) stops the server and serves the same
///   database file again (on the same port when it is still free);
/// - dropping it stops the server and deletes the folder.
pub struct TestWorkspace {
    // Field order is drop order: the runtime (and with it the server) goes
    // before the folder holding the database.
    runtime: ServerRuntime,
    server: Option<Server>,
    addr: SocketAddr,
    base_url: String,
    database_url: String,
    database_path: PathBuf,
    owner_token: String,
    read_only_token: String,
    owner: Client,
    reader: Client,
    http: reqwest::Client,
    /// Segment's rate limits, when this workspace enforces them.
    limits: Option<RateLimitConfig>,
    /// The server key's file on PostgreSQL (none on SQLite: the key sits
    /// beside the database, as `serve` keeps it).
    key_file: Option<PathBuf>,
    _dir: TempDir,
}

/// Which database a workspace is served from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// `SEGMENT_TEST_BACKEND=postgres` runs a suite against PostgreSQL;
    /// unset (or `sqlite`) is SQLite, and anything else is a mistake the
    /// suite should not run past.
    fn from_env() -> Backend {
        match std::env::var("SEGMENT_TEST_BACKEND") {
            Err(_) => Backend::Sqlite,
            Ok(v) if v.is_empty() || v.eq_ignore_ascii_case("sqlite") => Backend::Sqlite,
            Ok(v) if crate::postgres::wants_postgres(Some(std::ffi::OsStr::new(&v))) => {
                Backend::Postgres
            }
            Ok(v) => panic!("SEGMENT_TEST_BACKEND={v:?}: use sqlite or postgres"),
        }
    }
}

/// How much faster than Segment the suite's workspaces limit: 60 runs a
/// minute's limits every second (600 requests a second per token, 5
/// subscription writes a second).
pub const TEST_LIMIT_SCALE: f64 = 60.0;

impl TestWorkspace {
    /// Starts a server on a free loopback port with a fresh database,
    /// enforcing Segment's rate limits at [`TEST_LIMIT_SCALE`] times their
    /// pace: every limit's shape, with a minute's requests each second.
    pub async fn start() -> anyhow::Result<Self> {
        let config = RateLimitConfig::default()
            .with_scale(TEST_LIMIT_SCALE)
            .context("the test rate-limit scale")?;
        Self::start_with(Some(config)).await
    }

    /// A workspace that never limits, as `serve --rate-limits off`.
    pub async fn start_unlimited() -> anyhow::Result<Self> {
        Self::start_with(None).await
    }

    /// A workspace that enforces Segment's rate limits as `config` says
    /// (`RateLimitConfig::default().with_scale(60.0)?` runs a minute's
    /// limits every second).
    pub async fn start_with_limits(config: RateLimitConfig) -> anyhow::Result<Self> {
        Self::start_with(Some(config)).await
    }

    /// [`start`](Self::start) on a fresh PostgreSQL database, whatever
    /// `SEGMENT_TEST_BACKEND` says.
    pub async fn start_postgres() -> anyhow::Result<Self> {
        let config = RateLimitConfig::default()
            .with_scale(TEST_LIMIT_SCALE)
            .context("the test rate-limit scale")?;
        Self::start_on(Some(config), Backend::Postgres).await
    }

    /// [`start`](Self::start) on a fresh SQLite file, whatever
    /// `SEGMENT_TEST_BACKEND` says (to compare the backends).
    pub async fn start_sqlite() -> anyhow::Result<Self> {
        let config = RateLimitConfig::default()
            .with_scale(TEST_LIMIT_SCALE)
            .context("the test rate-limit scale")?;
        Self::start_on(Some(config), Backend::Sqlite).await
    }

    async fn start_with(limits: Option<RateLimitConfig>) -> anyhow::Result<Self> {
        Self::start_on(limits, Backend::from_env()).await
    }

    async fn start_on(limits: Option<RateLimitConfig>, backend: Backend) -> anyhow::Result<Self> {
        let dir = tempfile::Builder::new()
            .prefix("segment-e2e-")
            .tempdir()
            .context("creating a temporary folder")?;
        let database_path = dir.path().join("workspace.db");
        let database_url = match backend {
            Backend::Sqlite => format!("sqlite://{}", database_path.display()),
            // Blocking (psql), and quick: a CREATE DATABASE.
            Backend::Postgres => crate::postgres::server()?.create_database()?,
        };
        // PostgreSQL has no folder to keep a key beside: the server takes
        // it from a file, as `serve --secrets-key-file` does.
        let key_file = match backend {
            Backend::Sqlite => None,
            Backend::Postgres => Some(write_key_file(dir.path())?),
        };
        let runtime = ServerRuntime::new()?;
        let any_port: SocketAddr = "127.0.0.1:0".parse().expect("a socket address");
        let (addr, server) = runtime
            .run(launch(
                database_url.clone(),
                key_file.clone(),
                any_port,
                limits,
            ))
            .await??;
        let owner_token = register(&runtime, &server, OWNER_EMAIL, Scope::WorkspaceOwner).await?;
        let read_only_token = register(&runtime, &server, READER_EMAIL, Scope::ReadOnly).await?;
        let base_url = format!("http://{addr}");
        Ok(TestWorkspace {
            owner: client(&base_url, &owner_token)?,
            reader: client(&base_url, &read_only_token)?,
            http: reqwest::Client::builder()
                .timeout(STEP_LIMIT)
                .build()
                .context("building an HTTP client")?,
            runtime,
            server: Some(server),
            addr,
            base_url,
            database_url,
            database_path,
            owner_token,
            read_only_token,
            limits,
            key_file,
            _dir: dir,
        })
    }

    /// [`start`](Self::start), then what `segment-workspace seed --engage`
    /// adds: Engage spaces (see `seed::engage::SPACES`), each with two
    /// audiences and two computed traits. Other workspaces have no spaces.
    pub async fn start_engage() -> anyhow::Result<Self> {
        let ws = Self::start().await?;
        segment_workspace::seed::engage::seed_engage(ws.owner())
            .await
            .context("seeding Engage")?;
        Ok(ws)
    }

    /// Makes an empty Engage space through the workspace's own
    /// `POST /spaces` (Segment makes spaces in its app, not its API).
    pub async fn make_space(
        &self,
        name: &str,
        slug: &str,
    ) -> anyhow::Result<segment_api::models::Space> {
        let body = serde_json::json!({ "name": name, "slug": slug });
        let made: serde_json::Value = self.owner.post("spaces", &body).await?;
        serde_json::from_value(made["space"].clone()).context("POST /spaces answered no space")
    }

    /// The base URL, such as `http://127.0.0.1:40123` (no trailing slash).
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// `base_url` joined with `path` (a leading `/` is optional; a query may follow).
    pub fn url(&self, path: &str) -> String {
        format!("{}/{}", self.base_url, path.trim_start_matches('/'))
    }

    /// A client holding the workspace-owner token, with [`fast_retry`].
    pub fn owner(&self) -> &Client {
        &self.owner
    }

    /// A client holding the read-only token, with [`fast_retry`].
    pub fn reader(&self) -> &Client {
        &self.reader
    }

    /// A client of this workspace holding any token, with [`fast_retry`].
    pub fn client_with_token(&self, token: &str) -> anyhow::Result<Client> {
        client(&self.base_url, token)
    }

    pub fn owner_token(&self) -> &str {
        &self.owner_token
    }

    pub fn read_only_token(&self) -> &str {
        &self.read_only_token
    }

    /// A plain HTTP client for raw requests (see [`crate::raw`]).
    pub fn http(&self) -> &reqwest::Client {
        &self.http
    }

    /// The database URL the server opened, `sqlite:///tmp/.../workspace.db`
    /// or `postgres://postgres@127.0.0.1:PORT/ws_N`.
    pub fn database_url(&self) -> &str {
        &self.database_url
    }

    /// The SQLite file (its `-wal` and `-shm` files sit beside it); on
    /// PostgreSQL a path where no file is.
    pub fn database_path(&self) -> &Path {
        &self.database_path
    }

    /// The digest the database keeps for `token`: keyed with the server
    /// key beside the database, so it is known while the server is stopped too.
    pub fn token_digest(&self, token: &str) -> anyhow::Result<String> {
        Ok(Keys::load(&self.database_url, self.key_file.as_deref())?.token_hash(token))
    }

    /// Everything the database holds, as bytes: the SQLite files (the WAL
    /// too: stopping checkpoints nothing), or a `pg_dump` of the PostgreSQL
    /// database. For tests of what must never be stored.
    pub fn stored_bytes(&self) -> anyhow::Result<Vec<u8>> {
        if self.database_url.starts_with("postgres") {
            let name = self.database_url.rsplit('/').next().unwrap_or_default();
            return crate::postgres::server()?.dump(name);
        }
        let dir = self
            .database_path
            .parent()
            .context("the database's folder")?;
        let mut bytes = Vec::new();
        for entry in std::fs::read_dir(dir)? {
            bytes.extend(std::fs::read(entry?.path())?);
        }
        Ok(bytes)
    }

    /// Registers another token through the store, as `token create` does,
    /// and returns it.
    pub async fn add_token(&self, email: &str, scope: Scope) -> anyhow::Result<String> {
        let server = self.server.as_ref().context("the server is stopped")?;
        register(&self.runtime, server, email, scope).await
    }

    /// Makes `email` a user of the workspace with the Workspace Owner role
    /// on it, as `token create` and `serve --token` do for a token's owner
    /// (`register` in server/src/main.rs, whose user body this mirrors), and
    /// returns the user's id. Records "User Created" in the audit trail.
    /// The workspace's own tokens make no users, so tests that count audit
    /// events start from an empty trail.
    pub async fn add_user(&self, email: &str, name: &str) -> anyhow::Result<String> {
        let server = self.server.as_ref().context("the server is stopped")?;
        let store = server.store.clone();
        let (email, name) = (email.to_string(), name.to_string());
        self.runtime
            .run(async move {
                let workspace = store.workspace().await?;
                let id = ids::new_id();
                let body = serde_json::json!({
                    "id": id,
                    "name": name,
                    "email": email,
                    "permissions": [{
                        "roleId": segment_workspace::routes::WORKSPACE_OWNER_ROLE,
                        "roleName": "Workspace Owner",
                        "resources": [{ "id": workspace.id, "type": "WORKSPACE" }],
                    }],
                });
                let doc = Doc::new(Kind::User, &id, &email, body).natural_key(&email);
                let actor = Actor {
                    name: name.clone(),
                    email: email.clone(),
                    scope: Scope::WorkspaceOwner,
                };
                store.apply(Batch::default().create(doc), &actor).await?;
                Ok::<_, segment_workspace::store::StoreError>(id)
            })
            .await?
            .map_err(|e| anyhow!("adding the user: {e}"))
    }

    /// Stops the server, letting requests in progress finish. The database
    /// stays; [`restart`](Self::restart) serves it again.
    pub async fn stop(&mut self) -> anyhow::Result<()> {
        let Some(mut server) = self.server.take() else {
            return Ok(());
        };
        if let Some(stop) = server.stop.take() {
            let _ = stop.send(());
        }
        match tokio::time::timeout(STOP_LIMIT, &mut server.task).await {
            Ok(joined) => joined.context("the server task panicked")??,
            Err(_) => {
                server.task.abort();
                bail!("the server did not stop within {STOP_LIMIT:?}");
            }
        }
        Ok(())
    }

    /// Stops the server and starts a new one on the same database file, as a
    /// process restart would. The address stays the same unless another
    /// process took the port meanwhile; clients are made anew either way, so
    /// fetch them again with [`owner`](Self::owner) and [`reader`](Self::reader).
    pub async fn restart(&mut self) -> anyhow::Result<()> {
        self.stop().await?;
        let db = self.database_url.clone();
        let limits = self.limits;
        let (addr, server) = match self
            .runtime
            .run(launch(db.clone(), self.key_file.clone(), self.addr, limits))
            .await?
        {
            Ok(started) => started,
            Err(_) => {
                let any_port: SocketAddr = "127.0.0.1:0".parse().expect("a socket address");
                self.runtime
                    .run(launch(db, self.key_file.clone(), any_port, limits))
                    .await??
            }
        };
        self.addr = addr;
        self.base_url = format!("http://{addr}");
        self.server = Some(server);
        self.owner = client(&self.base_url, &self.owner_token)?;
        self.reader = client(&self.base_url, &self.read_only_token)?;
        Ok(())
    }
}

impl Drop for TestWorkspace {
    fn drop(&mut self) {
        if let Some(server) = self.server.take() {
            server.task.abort();
        }
        // The runtime field shuts down next, then the folder is removed.
    }
}

fn client(base_url: &str, token: &str) -> anyhow::Result<Client> {
    let config = ClientConfig::new(base_url, token)
        .with_retry(fast_retry())
        .with_timeout(STEP_LIMIT)
        .with_user_agent("segment-e2e");
    Client::new(config).map_err(|e| anyhow!("building a client: {e}"))
}

async fn register(
    runtime: &ServerRuntime,
    server: &Server,
    email: &str,
    scope: Scope,
) -> anyhow::Result<String> {
    let token = ids::new_token();
    let hash = server.keys.token_hash(&token);
    let actor = Actor {
        name: email.to_string(),
        email: email.to_string(),
        scope,
    };
    let store = server.store.clone();
    runtime
        .run(async move { store.create_token(&hash, &actor).await })
        .await?
        .map_err(|e| anyhow!("registering a token for {email}: {e}"))?;
    Ok(token)
}

/// One running server.
struct Server {
    stop: Option<oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<anyhow::Result<()>>,
    store: Arc<dyn Store>,
    keys: Arc<Keys>,
}

/// Opens the database and serves it on `listen`; returns once it is bound.
/// A fresh random server key in `dir`, as 64 hex digits, mode 0600.
fn write_key_file(dir: &Path) -> anyhow::Result<PathBuf> {
    use std::hash::BuildHasher;
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    // A test's key need not be strong, only its own: std's randomly keyed
    // hasher gives 4 x 64 bits.
    let hex: String = (0u8..4)
        .map(|i| {
            format!(
                "{:016x}",
                std::collections::hash_map::RandomState::new().hash_one(i)
            )
        })
        .collect();
    let path = dir.join("server.key");
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&path)
        .with_context(|| format!("creating {}", path.display()))?;
    file.write_all(hex.as_bytes())?;
    Ok(path)
}

async fn launch(
    database_url: String,
    key_file: Option<PathBuf>,
    listen: SocketAddr,
    limits: Option<RateLimitConfig>,
) -> anyhow::Result<(SocketAddr, Server)> {
    let state = segment_workspace::open_with_key(&database_url, key_file.as_deref())
        .await
        .with_context(|| format!("opening {database_url}"))?;
    let state = match limits {
        Some(config) => state.with_rate_limits(config),
        None => state,
    };
    let store = state.store.clone();
    let keys = state.keys.clone();
    let (stop_tx, stop_rx) = oneshot::channel::<()>();
    let (bound_tx, bound_rx) = oneshot::channel();
    let mut task = tokio::spawn(segment_workspace::serve(
        state,
        listen,
        move |addr| {
            let _ = bound_tx.send(addr);
        },
        async move {
            let _ = stop_rx.await;
        },
    ));
    match bound_rx.await {
        Ok(addr) => Ok((
            addr,
            Server {
                stop: Some(stop_tx),
                task,
                store,
                keys,
            },
        )),
        // `serve` gave up before binding: its error says why.
        Err(_) => match (&mut task).await {
            Ok(Err(e)) => Err(e.context(format!("binding {listen}"))),
            _ => bail!("the server stopped before binding {listen}"),
        },
    }
}

/// A multi-threaded Tokio runtime on a thread of its own, where the server lives.
struct ServerRuntime {
    handle: tokio::runtime::Handle,
    shutdown: Option<std::sync::mpsc::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl ServerRuntime {
    fn new() -> anyhow::Result<Self> {
        let (handle_tx, handle_rx) = std::sync::mpsc::channel();
        let (shutdown_tx, shutdown_rx) = std::sync::mpsc::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("segment-workspace".into())
            .spawn(move || {
                let runtime = match tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(4)
                    .thread_name("segment-workspace-worker")
                    .enable_all()
                    .build()
                {
                    Ok(rt) => rt,
                    Err(e) => {
                        let _ = handle_tx.send(Err(e));
                        return;
                    }
                };
                let _ = handle_tx.send(Ok(runtime.handle().clone()));
                // Until the owner says stop or is gone.
                let _ = shutdown_rx.recv();
                runtime.shutdown_timeout(STOP_LIMIT);
            })
            .context("starting the server thread")?;
        let handle = handle_rx
            .recv_timeout(STEP_LIMIT)
            .context("the server thread did not start")?
            .context("building the server runtime")?;
        Ok(ServerRuntime {
            handle,
            shutdown: Some(shutdown_tx),
            thread: Some(thread),
        })
    }

    /// Runs `fut` on the server runtime and awaits it from the caller's.
    async fn run<T: Send + 'static>(
        &self,
        fut: impl Future<Output = T> + Send + 'static,
    ) -> anyhow::Result<T> {
        let task = self.handle.spawn(fut);
        match tokio::time::timeout(STEP_LIMIT, task).await {
            Ok(joined) => joined.context("a server task panicked"),
            Err(_) => bail!("a server step took longer than {STEP_LIMIT:?}"),
        }
    }
}

impl Drop for ServerRuntime {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(thread) = self.thread.take() {
            // Bounded: the thread gives the runtime STOP_LIMIT to shut down.
            let _ = thread.join();
        }
    }
}
