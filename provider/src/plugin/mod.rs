//! Running as a go-plugin plugin: handshake, AutoMTLS, serving, exiting.
//!
//! Terraform starts the binary with the handshake in its environment, reads
//! one line from our stdout, connects over TLS with its own client
//! certificate, and ends the process with `GRPCController.Shutdown`.

mod debug;
mod handshake;
mod listener;
mod tls;
mod verifier;

use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::UnixListener;
use tokio::sync::Notify;
use tokio_rustls::TlsAcceptor;

pub use debug::{reattach_config, PROVIDER_ADDRESS};
pub use handshake::{
    handshake_line, Handshake, HandshakeError, MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE, NOT_A_COMMAND,
    PROTOCOL_VERSION,
};
pub use tls::TlsError;

use crate::backend::ProviderBackend;
use crate::grpc::{self, ShutdownHook};

/// The longest time between answering Shutdown and returning, for the
/// answer to reach Terraform (which would otherwise log a broken
/// connection). Terraform hangs up as soon as it has the answer, and we
/// return then: usually well within this.
const SHUTDOWN_GRACE: Duration = Duration::from_millis(10);

#[derive(Debug, thiserror::Error)]
pub enum PluginError {
    #[error(transparent)]
    Handshake(#[from] HandshakeError),
    #[error(transparent)]
    Tls(#[from] TlsError),
    #[error("cannot listen: {0}")]
    Listen(std::io::Error),
    #[error("cannot write the handshake line to stdout: {0}")]
    Stdout(std::io::Error),
    #[error(transparent)]
    Serve(#[from] grpc::ServeError),
}

/// Serves Terraform until it asks us to shut down.
pub async fn serve<B: ProviderBackend>(
    backend: B,
    handshake: Handshake,
) -> Result<(), PluginError> {
    let backend = Arc::new(backend);
    // A unix socket, as go-plugin's own plugins use off Windows: an RPC
    // costs less than over loopback TCP, and no port can be taken.
    let (dir, socket, listener) = bind_socket(handshake.socket_dir.as_deref())?;
    let shutdown = Arc::new(Notify::new());
    let open = listener::OpenConnections::default();
    let hook: ShutdownHook = {
        let shutdown = shutdown.clone();
        Arc::new(move || shutdown.notify_one())
    };

    let server = match handshake.client_cert {
        Some(client_cert) => {
            let identity = tls::ServerIdentity::generate()?;
            let config = tls::server_config(&identity, client_cert)?;
            let incoming = listener::tls(listener, TlsAcceptor::from(config), open.clone());
            announce(&handshake::unix_handshake_line(
                &socket,
                Some(identity.cert.as_ref()),
            ))?;
            tokio::spawn(grpc::serve(backend, incoming, hook))
        }
        None => {
            tracing::warn!("no PLUGIN_CLIENT_CERT: serving without TLS");
            let incoming = listener::plain(listener, open.clone());
            announce(&handshake::unix_handshake_line(&socket, None))?;
            tokio::spawn(grpc::serve(backend, incoming, hook))
        }
    };
    tracing::debug!(socket = %socket.display(), "serving");
    // Ctrl-C reaches every process in the terminal's group, us too. As
    // go-plugin's plugins do, we leave it to Terraform, which asks us to
    // stop and then to shut down: dying here would lose the answer to a
    // create already made, and the socket's directory with it.
    tokio::spawn(async {
        while tokio::signal::ctrl_c().await.is_ok() {
            tracing::info!("interrupted: Terraform will ask this provider to stop");
        }
    });

    tokio::select! {
        result = server => match result {
            Ok(served) => served?,
            Err(join) => tracing::error!("gRPC server task failed: {join}"),
        },
        () = shutdown.notified() => {
            let _ = tokio::time::timeout(SHUTDOWN_GRACE, open.all_closed()).await;
        }
    }
    // Dropping `dir` removes the socket.
    drop(dir);
    Ok(())
}

/// A socket in a directory of its own, under `parent` or the system's
/// temporary directory. The directory is mode 0700: only its owner may
/// reach the socket (in debug mode it has no TLS to refuse others).
fn bind_socket(
    parent: Option<&std::path::Path>,
) -> Result<(tempfile::TempDir, PathBuf, UnixListener), PluginError> {
    use std::os::unix::fs::PermissionsExt;
    let mut builder = tempfile::Builder::new();
    builder
        .prefix("terraform-provider-segment-")
        .permissions(std::fs::Permissions::from_mode(0o700));
    let dir = match parent {
        Some(parent) => builder.tempdir_in(parent),
        None => builder.tempdir(),
    }
    .map_err(PluginError::Listen)?;
    let socket = dir.path().join("plugin.sock");
    let listener = UnixListener::bind(&socket).map_err(PluginError::Listen)?;
    Ok((dir, socket, listener))
}

/// The handshake line: the only thing this process ever writes to stdout.
fn announce(line: &str) -> Result<(), PluginError> {
    let mut out = std::io::stdout().lock();
    writeln!(out, "{line}")
        .and_then(|()| out.flush())
        .map_err(PluginError::Stdout)
}

/// Debug mode: serves on a unix socket without TLS until Ctrl-C, and prints
/// the `TF_REATTACH_PROVIDERS` value for the user.
pub async fn serve_debug<B: ProviderBackend>(backend: B) -> Result<(), PluginError> {
    let (dir, socket, listener) = bind_socket(None)?;
    // Terraform never sends Shutdown to a provider it reattached to (it did
    // not start it), but if something does, keep serving: Ctrl-C ends it.
    let hook: ShutdownHook = Arc::new(|| tracing::info!("ignoring Shutdown in debug mode"));
    let server = tokio::spawn(grpc::serve(
        Arc::new(backend),
        listener::plain(listener, listener::OpenConnections::default()),
        hook,
    ));
    debug::print_instructions(&socket).map_err(PluginError::Stdout)?;

    tokio::select! {
        result = server => match result {
            Ok(served) => served?,
            Err(join) => tracing::error!("gRPC server task failed: {join}"),
        },
        _ = tokio::signal::ctrl_c() => tracing::info!("interrupted, exiting"),
    }
    // Dropping `dir` removes the socket.
    drop(dir);
    Ok(())
}
