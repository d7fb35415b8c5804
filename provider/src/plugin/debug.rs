//! Debug mode: `terraform-provider-segment --debug` serves on a unix socket
//! without TLS and tells the user how to point Terraform at it, so the
//! provider can run under a debugger or with its logs in a terminal.

use std::io::Write;
use std::path::Path;

use serde_json::json;

/// The provider address Terraform knows us by.
pub const PROVIDER_ADDRESS: &str = "registry.terraform.io/segment-gitops/segment";

/// The value of `TF_REATTACH_PROVIDERS` for a provider on `socket`.
/// `Test: true` tells Terraform not to stop the process when done, so one
/// debug session serves many Terraform commands.
pub fn reattach_config(socket: &Path, pid: u32) -> String {
    json!({
        PROVIDER_ADDRESS: {
            "Protocol": "grpc",
            "ProtocolVersion": super::handshake::PROTOCOL_VERSION,
            "Pid": pid,
            "Test": true,
            "Addr": { "Network": "unix", "String": socket.to_string_lossy() },
        }
    })
    .to_string()
}

/// What the user reads: in debug mode stdout is theirs, not Terraform's.
pub(super) fn print_instructions(socket: &Path) -> std::io::Result<()> {
    let config = reattach_config(socket, std::process::id());
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "Provider started in debug mode. To use it, run this in the shell where you run Terraform:\n\
         \n\
         \texport TF_REATTACH_PROVIDERS='{config}'\n\
         \n\
         Terraform then talks to this process instead of starting the provider. Stop it with Ctrl-C."
    )?;
    out.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reattach_config_shape() {
        let text = reattach_config(Path::new("/tmp/x/plugin.sock"), 42);
        let v: serde_json::Value = serde_json::from_str(&text).expect("JSON");
        let p = &v[PROVIDER_ADDRESS];
        assert_eq!(p["Protocol"], "grpc");
        assert_eq!(p["ProtocolVersion"], 5);
        assert_eq!(p["Pid"], 42);
        assert_eq!(p["Test"], true);
        assert_eq!(p["Addr"]["Network"], "unix");
        assert_eq!(p["Addr"]["String"], "/tmp/x/plugin.sock");
    }
}
