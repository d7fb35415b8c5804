//! go-plugin's side services: `plugin.GRPCController` (Shutdown) and
//! `plugin.GRPCStdio`.

use std::sync::Arc;

use tfplugin5::plugin as pb;
use tonic::codegen::BoxStream;
use tonic::{Request, Response, Status};

/// What to do when Terraform asks the plugin to exit. The plugin module
/// decides (exit shortly, or keep serving in debug mode).
pub type ShutdownHook = Arc<dyn Fn() + Send + Sync>;

pub(super) struct Controller {
    pub(super) on_shutdown: ShutdownHook,
}

#[tonic::async_trait]
impl pb::grpc_controller_server::GrpcController for Controller {
    /// Answers first; the hook must leave time for the answer to go out.
    /// Terraform waits 2 s for the process to exit and then kills it, on
    /// every provider start, so exiting promptly matters.
    async fn shutdown(&self, _: Request<pb::Empty>) -> Result<Response<pb::Empty>, Status> {
        tracing::debug!("shutdown requested by Terraform");
        (self.on_shutdown)();
        Ok(Response::new(pb::Empty {}))
    }
}

/// We never write to stdout after the handshake and log to stderr, which
/// Terraform reads directly, so there is nothing to stream. Holding the
/// stream open (instead of answering Unimplemented) keeps go-plugin from
/// logging a warning on every start.
pub(super) struct Stdio;

#[tonic::async_trait]
impl pb::grpc_stdio_server::GrpcStdio for Stdio {
    async fn stream_stdio(
        &self,
        _: Request<()>,
    ) -> Result<Response<BoxStream<pb::StdioData>>, Status> {
        Ok(Response::new(Box::pin(futures::stream::pending())))
    }
}
