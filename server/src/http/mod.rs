//! The HTTP layer: connections served by hyper with read timeouts, and
//! every answer, hyper's own included, in the API's error shape.
//!
//! `axum::serve` sets no timer, so a client that sends half a request holds
//! its connection forever; here hyper gets one, with a header read timeout,
//! and [`guard`] bounds reading the body. hyper answers a request it cannot
//! parse (a URI over 64 KiB, headers over its buffer) itself with an empty
//! body; [`canned`] rewrites those answers into the API's error body.

pub mod canned;
pub mod guard;

use std::net::SocketAddr;
use std::pin::pin;
use std::time::Duration;

use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto::Builder;
use hyper_util::service::TowerToHyperService;
use tokio::sync::watch;

use crate::AppState;

/// Read timeouts, from the command line.
#[derive(clap::Args, Debug, Clone)]
pub struct HttpArgs {
    /// Seconds a client has to send a request's line and headers, from its
    /// first byte (or the previous answer); then the connection is closed.
    #[arg(long, default_value_t = 10.0, value_name = "SECONDS")]
    pub header_read_timeout: f64,
    /// Seconds a client has to send a request's whole body; then it gets a
    /// 408 and the connection is closed.
    #[arg(long, default_value_t = 30.0, value_name = "SECONDS")]
    pub body_read_timeout: f64,
}

impl HttpArgs {
    pub fn config(&self) -> anyhow::Result<HttpConfig> {
        let seconds = |flag: &str, s: f64| {
            anyhow::ensure!(
                s.is_finite() && s > 0.0 && s <= 86_400.0,
                "--{flag} {s}: give a number of seconds above 0 and at most 86400"
            );
            Ok(Duration::from_secs_f64(s))
        };
        Ok(HttpConfig {
            header_read_timeout: seconds("header-read-timeout", self.header_read_timeout)?,
            body_read_timeout: seconds("body-read-timeout", self.body_read_timeout)?,
        })
    }
}

#[derive(Debug, Clone, Copy)]
pub struct HttpConfig {
    pub header_read_timeout: Duration,
    pub body_read_timeout: Duration,
}

impl Default for HttpConfig {
    fn default() -> Self {
        HttpConfig {
            header_read_timeout: Duration::from_secs(10),
            body_read_timeout: Duration::from_secs(30),
        }
    }
}

/// Binds `listen` and serves until `shutdown` resolves; `on_bound` learns
/// the address before the first accept (port 0 picks a free port).
pub async fn serve(
    state: AppState,
    config: HttpConfig,
    listen: SocketAddr,
    on_bound: impl FnOnce(SocketAddr),
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(listen).await?;
    on_bound(listener.local_addr()?);
    let stopping = state.stopping.clone();
    let app = crate::app(state).layer(axum::middleware::from_fn_with_state(config, guard::guard));
    let mut builder = Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(config.header_read_timeout);
    // Connections watch `signal` to start a graceful shutdown and hold
    // `closed` until they end, as axum::serve does.
    let (signal_tx, signal_rx) = watch::channel(());
    let (closed_tx, closed_rx) = watch::channel(());
    let mut shutdown = pin!(shutdown);
    loop {
        let (tcp, _) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(conn) => conn,
                Err(e) => {
                    // Out of file descriptors and the like: wait, not spin.
                    tracing::warn!("accepting a connection failed: {e}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let _ = tcp.set_nodelay(true);
        let service = app.clone();
        let io = TokioIo::new(canned::Shaped::new(tcp));
        let builder = builder.clone();
        let signal_tx = signal_tx.clone();
        let closed_rx = closed_rx.clone();
        tokio::spawn(async move {
            let hyper_service = TowerToHyperService::new(service);
            let mut conn = pin!(builder.serve_connection_with_upgrades(io, hyper_service));
            let mut signal = pin!(signal_tx.closed());
            // A finished future must not be polled again.
            let mut signalled = false;
            loop {
                tokio::select! {
                    result = conn.as_mut() => {
                        if let Err(e) = result {
                            tracing::debug!("connection ended: {e}");
                        }
                        break;
                    }
                    () = &mut signal, if !signalled => {
                        signalled = true;
                        conn.as_mut().graceful_shutdown();
                    }
                }
            }
            drop(closed_rx);
        });
    }
    // Long polls answer now rather than hold the shutdown for 25 s.
    stopping.send_replace(true);
    drop(listener);
    drop(signal_rx);
    drop(closed_rx);
    closed_tx.closed().await;
    Ok(())
}
