//! Compiles the .proto files with protox (pure Rust, so no system `protoc`)
//! and generates prost messages plus tonic clients and servers from the
//! resulting descriptor set.

use std::path::PathBuf;

const PROTOS: &[&str] = &[
    "tfplugin5.proto",
    "grpc_controller.proto",
    "grpc_stdio.proto",
];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR")?);
    for proto in PROTOS {
        println!("cargo:rerun-if-changed={}", dir.join(proto).display());
    }

    let descriptors = protox::compile(PROTOS, [&dir])?;

    tonic_prost_build::configure()
        // Every RPC we do not write answers gRPC Unimplemented, which
        // Terraform reports as "method not supported by this plugin".
        .generate_default_stubs(true)
        // Clients are for tests; they work over any tower service, so the
        // tonic transport feature is not needed.
        .build_transport(false)
        .compile_fds(descriptors)?;
    Ok(())
}
