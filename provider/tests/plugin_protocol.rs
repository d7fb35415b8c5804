//! The binary as a go-plugin plugin, driven by hand the way Terraform
//! drives it: environment handshake, AutoMTLS, the Provider RPCs, Shutdown.

mod support;

use std::process::Command;
use std::time::{Duration, Instant};

use support::plugin::{PluginProcess, MAGIC_COOKIE};
use support::process;
use support::tls::{self, ClientIdentity};
use terraform_provider_segment::value::{encode_msgpack, Type, Value};
use tfplugin5::plugin::grpc_controller_client::GrpcControllerClient;
use tfplugin5::tfplugin5 as pb;
use tfplugin5::tfplugin5::provider_client::ProviderClient;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// A provider started as Terraform starts it, its socket under a
/// directory of the test's own (go-plugin's `PLUGIN_UNIX_SOCKET_DIR`).
struct Started {
    plugin: PluginProcess,
    sockets: tempfile::TempDir,
}

fn start(identity: &ClientIdentity) -> Started {
    let sockets = tempfile::tempdir().expect("socket directory");
    let dir = sockets.path().to_str().expect("UTF-8 temporary path");
    let plugin = PluginProcess::start(
        &support::provider_binary(),
        &[
            ("PLUGIN_CLIENT_CERT", &identity.cert_pem),
            ("PLUGIN_UNIX_SOCKET_DIR", dir),
        ],
    );
    Started { plugin, sockets }
}

#[test]
fn without_the_cookie_it_explains_itself_and_exits_1() {
    let mut cmd = Command::new(support::provider_binary());
    cmd.env_remove(MAGIC_COOKIE.0);
    let run = process::run(&mut cmd, Duration::from_secs(10));
    assert_eq!(run.status.code(), Some(1), "{}", run.output());
    assert!(
        run.stderr.contains("This is a Terraform plugin"),
        "{}",
        run.output()
    );
    assert!(run.stderr.contains("--debug"), "{}", run.output());
    assert!(
        run.stdout.is_empty(),
        "stdout must stay empty: {}",
        run.output()
    );
}

// `--version` once printed the help and exited 1.
#[test]
fn version_and_help_answer_a_person_and_exit_0() {
    let mut cmd = Command::new(support::provider_binary());
    cmd.arg("--version").env_remove(MAGIC_COOKIE.0);
    let run = process::run(&mut cmd, Duration::from_secs(10));
    assert_eq!(run.status.code(), Some(0), "{}", run.output());
    assert_eq!(
        run.stdout.trim(),
        format!("terraform-provider-segment {}", env!("CARGO_PKG_VERSION")),
        "{}",
        run.output()
    );

    let mut cmd = Command::new(support::provider_binary());
    cmd.arg("--help").env_remove(MAGIC_COOKIE.0);
    let run = process::run(&mut cmd, Duration::from_secs(10));
    assert_eq!(run.status.code(), Some(0), "{}", run.output());
    assert!(
        run.stdout.contains("segment-gitops/segment"),
        "{}",
        run.output()
    );
}

#[test]
fn refuses_when_terraform_offers_no_protocol_5() {
    let mut cmd = Command::new(support::provider_binary());
    cmd.env(MAGIC_COOKIE.0, MAGIC_COOKIE.1)
        .env("PLUGIN_PROTOCOL_VERSIONS", "6");
    let run = process::run(&mut cmd, Duration::from_secs(10));
    assert_eq!(run.status.code(), Some(1), "{}", run.output());
    assert!(run.stdout.is_empty(), "{}", run.output());
}

#[test]
fn handshake_line_names_a_private_socket_and_a_certificate() {
    let identity = tls::terraform_like_identity();
    let started = start(&identity);
    let line = &started.plugin.handshake;
    assert!(line.raw.ends_with('\n'), "{:?}", line.raw);
    assert_eq!(line.network, "unix");
    let socket = std::path::Path::new(&line.addr);
    let dir = socket.parent().expect("the socket's directory");
    assert_eq!(
        dir.parent(),
        Some(started.sockets.path()),
        "not under PLUGIN_UNIX_SOCKET_DIR: {}",
        line.addr
    );
    use std::os::unix::fs::{FileTypeExt, PermissionsExt};
    let meta = std::fs::metadata(socket).expect("the socket exists");
    assert!(meta.file_type().is_socket(), "{}", line.addr);
    // Only its owner may connect: the directory is the socket's guard.
    let mode = std::fs::metadata(dir)
        .expect("directory")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o700, "{mode:o}");
    // A DER certificate is an ASN.1 SEQUENCE.
    assert_eq!(line.server_cert.first(), Some(&0x30));
}

fn config(url: &str) -> Option<pb::DynamicValue> {
    let ty = Type::object([("url", Type::String), ("token", Type::String)]);
    let value = Value::object([("url", Value::from(url)), ("token", Value::Null)]);
    let msgpack = encode_msgpack(&value, &ty).expect("encode config");
    Some(pb::DynamicValue {
        msgpack,
        json: vec![],
    })
}

#[tokio::test]
async fn serves_the_provider_to_terraforms_certificate() {
    let identity = tls::terraform_like_identity();
    let started = start(&identity);
    let h = &started.plugin.handshake;
    let mut client = ProviderClient::new(tls::channel(&h.addr, &h.server_cert, &identity).await);

    let schema = client
        .get_schema(pb::get_provider_schema::Request {})
        .await
        .expect("GetSchema")
        .into_inner();
    let block = schema
        .provider
        .and_then(|s| s.block)
        .expect("provider block");
    let token = block
        .attributes
        .iter()
        .find(|a| a.name == "token")
        .expect("token");
    assert!(token.sensitive && token.optional);
    assert_eq!(token.r#type, br#""string""#);

    // Validation errors come back as diagnostics on the attribute.
    let prepared = client
        .prepare_provider_config(pb::prepare_provider_config::Request {
            config: config("ftp://nope"),
        })
        .await
        .expect("PrepareProviderConfig")
        .into_inner();
    let diag = prepared
        .diagnostics
        .first()
        .expect("a diagnostic for the bad url");
    assert_eq!(diag.severity, pb::diagnostic::Severity::Error as i32);
    let step = diag
        .attribute
        .as_ref()
        .and_then(|p| p.steps.first())
        .and_then(|s| s.selector.clone());
    assert_eq!(
        step,
        Some(pb::attribute_path::step::Selector::AttributeName(
            "url".into()
        ))
    );

    let configured = client
        .configure(pb::configure::Request {
            terraform_version: "1.11.4".into(),
            config: config("http://127.0.0.1:1"),
            client_capabilities: None,
        })
        .await
        .expect("Configure")
        .into_inner();
    // Configure checks a known URL and token once; with no token that is
    // one error, decoded from the wire like any diagnostic.
    assert_eq!(
        configured.diagnostics.len(),
        1,
        "{:?}",
        configured.diagnostics
    );
    let diag = &configured.diagnostics[0];
    assert_eq!(diag.severity, pb::diagnostic::Severity::Error as i32);
    assert_eq!(diag.summary, "Missing API token", "{diag:?}");

    // RPCs nobody implemented answer Unimplemented, which Terraform turns
    // into "method not supported by this plugin".
    let status = client
        .get_functions(pb::get_functions::Request {})
        .await
        .expect_err("GetFunctions is not implemented");
    assert_eq!(status.code(), tonic::Code::Unimplemented);

    let stop = client
        .stop(pb::stop::Request {})
        .await
        .expect("Stop")
        .into_inner();
    assert_eq!(stop.error, "");
}

async fn first_read_error(identity: Option<&ClientIdentity>, started: &Started) -> String {
    let h = &started.plugin.handshake;
    let mut tls = match tls::connect(&h.addr, &h.server_cert, identity).await {
        Ok(tls) => tls,
        Err(e) => return e.to_string(),
    };
    // TLS 1.3: the server judges our certificate after our Finished, so its
    // verdict arrives on the first read.
    let _ = tls.write_all(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n").await;
    let mut buf = [0u8; 64];
    match tokio::time::timeout(tls::RPC_TIMEOUT, tls.read(&mut buf)).await {
        Ok(Ok(0)) => "connection closed".into(),
        Ok(Ok(_)) => "server answered".into(),
        Ok(Err(e)) => e.to_string(),
        Err(_) => "timed out".into(),
    }
}

#[tokio::test]
async fn refuses_clients_without_terraforms_certificate() {
    let terraform = tls::terraform_like_identity();
    let plugin = start(&terraform);

    let impostor = tls::terraform_like_identity();
    let refused = first_read_error(Some(&impostor), &plugin).await;
    assert!(
        refused.contains("AccessDenied"),
        "another certificate: {refused}"
    );

    let anonymous = first_read_error(None, &plugin).await;
    assert!(
        anonymous.contains("CertificateRequired"),
        "no certificate: {anonymous}"
    );

    // The right certificate still works after the refusals.
    assert_eq!(
        first_read_error(Some(&terraform), &plugin).await,
        "server answered"
    );
}

#[tokio::test]
async fn shutdown_ends_the_process_within_a_second_and_removes_its_socket() {
    let identity = tls::terraform_like_identity();
    shut_down(start(&identity), &identity).await;
}

/// Asks the provider to shut down as Terraform does: it must exit 0 within
/// a second, having printed nothing but its handshake line, and leave no
/// socket behind.
async fn shut_down(started: Started, identity: &ClientIdentity) {
    let Started {
        mut plugin,
        sockets,
    } = started;
    let h = plugin.handshake.clone();
    let mut controller =
        GrpcControllerClient::new(tls::channel(&h.addr, &h.server_cert, identity).await);
    let asked = Instant::now();
    controller
        .shutdown(tfplugin5::plugin::Empty {})
        .await
        .expect("Shutdown is answered before the process exits");
    let status = process::wait_with_deadline(&mut plugin.child, Duration::from_secs(1));
    let status =
        status.unwrap_or_else(|| panic!("still running {:?} after Shutdown", asked.elapsed()));
    assert!(status.success(), "{status}");
    assert_eq!(
        plugin.rest_of_stdout(Duration::from_secs(5)).as_deref(),
        Some("")
    );
    let left: Vec<_> = std::fs::read_dir(sockets.path())
        .expect("socket directory")
        .collect();
    assert!(left.is_empty(), "left behind: {left:?}");
}

// Ctrl-C in a terminal interrupts Terraform and its providers together.
// Terraform then asks the provider to stop and shut down; a provider that
// died at once lost the answers to creates it had made.
#[tokio::test]
async fn an_interrupt_leaves_the_provider_serving_until_terraform_shuts_it_down() {
    let identity = tls::terraform_like_identity();
    let mut started = start(&identity);
    let h = started.plugin.handshake.clone();
    let pid = started.plugin.child.id().to_string();
    let mut client = ProviderClient::new(tls::channel(&h.addr, &h.server_cert, &identity).await);
    client
        .get_schema(pb::get_provider_schema::Request {})
        .await
        .expect("GetSchema before the interrupt");

    let mut kill = Command::new("kill");
    kill.args(["-INT", &pid]);
    let sent = process::run(&mut kill, Duration::from_secs(10));
    assert!(sent.status.success(), "{}", sent.output());
    // The signal is handled on the provider's own time: give it a moment,
    // then it must still be there and answering.
    assert!(
        process::wait_with_deadline(&mut started.plugin.child, Duration::from_millis(300))
            .is_none(),
        "the provider exited on SIGINT"
    );
    client
        .get_schema(pb::get_provider_schema::Request {})
        .await
        .expect("GetSchema after the interrupt");
    shut_down(started, &identity).await;
}
