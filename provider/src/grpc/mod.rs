//! The gRPC layer: the only module that knows tonic and prost types.
//!
//! It serves `tfplugin5.Provider` (translated onto [`ProviderBackend`]) and
//! go-plugin's `plugin.GRPCController` and `plugin.GRPCStdio` on whatever
//! connections the caller accepted.

mod controller;
mod convert;
mod lifecycle;
mod provider;
#[cfg(test)]
mod tests;

use std::sync::Arc;

use futures::Stream;
use tfplugin5::plugin::grpc_controller_server::GrpcControllerServer;
use tfplugin5::plugin::grpc_stdio_server::GrpcStdioServer;
use tfplugin5::tfplugin5::provider_server::ProviderServer;
use tokio::io::{AsyncRead, AsyncWrite};
use tonic::transport::server::Connected;
use tonic::transport::Server;

pub use controller::ShutdownHook;

use crate::backend::ProviderBackend;

/// Largest message either way. gRPC's default of 4 MiB is too small for
/// big states; Terraform itself allows 256 MiB.
pub const MAX_MESSAGE_SIZE: usize = 256 * 1024 * 1024;

#[derive(Debug, thiserror::Error)]
#[error("gRPC server failed: {0}")]
pub struct ServeError(#[source] Box<dyn std::error::Error + Send + Sync>);

/// Serves until `incoming` ends or the server fails. `on_shutdown` runs
/// when Terraform calls `GRPCController.Shutdown`, before the answer is sent.
pub async fn serve<B, I, IO, E>(
    backend: Arc<B>,
    incoming: I,
    on_shutdown: ShutdownHook,
) -> Result<(), ServeError>
where
    B: ProviderBackend,
    I: Stream<Item = Result<IO, E>>,
    IO: AsyncRead + AsyncWrite + Connected + Unpin + Send + 'static,
    E: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let provider = ProviderServer::new(provider::ProviderService::new(backend))
        .max_decoding_message_size(MAX_MESSAGE_SIZE)
        .max_encoding_message_size(MAX_MESSAGE_SIZE);
    let controller = GrpcControllerServer::new(controller::Controller { on_shutdown });
    Server::builder()
        .add_service(provider)
        .add_service(controller)
        .add_service(GrpcStdioServer::new(controller::Stdio))
        .serve_with_incoming(incoming)
        .await
        .map_err(|e| ServeError(Box::new(e)))
}
