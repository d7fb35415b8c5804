//! Wire types for Terraform's plugin protocol 5.8 and go-plugin's side
//! services, generated at build time from the .proto files in this crate.
//!
//! Only `provider/src/grpc` should use these types; everything else in the
//! provider works with its own plain-Rust model.

/// `package tfplugin5`: the Provider service and its messages.
#[allow(clippy::all, clippy::pedantic, missing_docs)]
pub mod tfplugin5 {
    tonic::include_proto!("tfplugin5");
}

/// `package plugin`: go-plugin's GRPCController (Shutdown) and GRPCStdio.
#[allow(clippy::all, clippy::pedantic, missing_docs)]
pub mod plugin {
    tonic::include_proto!("plugin");
}
