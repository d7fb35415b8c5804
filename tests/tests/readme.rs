//! The README's commands, run from the README's own text, so a README that
//! drifts from the code fails CI (its first command once stopped with
//! "could not determine which binary to run").
//!
//! - Every `cargo run` line must name one binary as Cargo resolves it, and
//!   that binary, built by this test run, must take the line's arguments
//!   (with `--help` added: the demo and the server run for long).
//! - Every `cargo build` / `cargo install` line must name real packages.
//! - Every `./target/release/X` line must name a binary that takes its flags.
//! - The server line is started for real on a free port, and the curl line
//!   is sent to it.
//! - The install block runs in a scratch `HOME` against this build, and the
//!   README's provider block then goes through `terraform init` and `plan`.
//!
//! Binaries come from `target/debug`: `cargo test --workspace` (the README's
//! test command) builds every package's binaries for their integration tests.

#[path = "../../provider/tests/support/process.rs"]
mod process;

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::Value;

const LIMIT: Duration = Duration::from_secs(60);
const TERRAFORM_LIMIT: Duration = Duration::from_secs(180);

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the workspace root")
        .to_path_buf()
}

fn readme() -> String {
    std::fs::read_to_string(root().join("README.md")).expect("read README.md")
}

/// `target/debug`, where this test's own binary lives under `deps/`.
fn bin_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("the test's own path");
    exe.parent()
        .and_then(Path::parent)
        .expect("target/debug")
        .to_path_buf()
}

fn binary(name: &str) -> PathBuf {
    let path = bin_dir().join(name);
    assert!(
        path.is_file(),
        "{} is not built: run the README's test command, `cargo test --workspace`, \
         which builds every package's binaries",
        path.display()
    );
    path
}

/// The README's fenced blocks of one language, each as its text.
fn blocks(text: &str, lang: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut current: Option<String> = None;
    for line in text.lines() {
        match &mut current {
            None if line.trim_end() == format!("```{lang}") => current = Some(String::new()),
            Some(body) if line.trim_end() == "```" => {
                found.push(std::mem::take(body));
                current = None;
            }
            Some(body) => {
                body.push_str(line);
                body.push('\n');
            }
            None => {}
        }
    }
    found
}

/// A shell block's commands: continuations joined, comments dropped.
fn commands(block: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut pending = String::new();
    for line in block.lines() {
        let line = line.trim();
        if line.starts_with('#') || line.is_empty() {
            continue;
        }
        if let Some(head) = line.strip_suffix('\\') {
            pending.push_str(head);
            continue;
        }
        pending.push_str(line);
        let command = match pending.find("  #") {
            Some(at) => pending[..at].trim_end().to_string(),
            None => pending.clone(),
        };
        out.push(command);
        pending.clear();
    }
    out
}

/// What Cargo knows of the workspace's packages: binaries and default-run.
struct Package {
    dir: PathBuf,
    bins: Vec<String>,
    default_run: Option<String>,
}

fn packages() -> BTreeMap<String, Package> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let done = process::run(
        Command::new(cargo)
            .args([
                "metadata",
                "--no-deps",
                "--offline",
                "--format-version",
                "1",
            ])
            .current_dir(root()),
        LIMIT,
    );
    assert!(done.status.success(), "{}", done.output());
    let meta: Value = serde_json::from_str(&done.stdout).expect("cargo metadata's JSON");
    let mut found = BTreeMap::new();
    for p in meta["packages"].as_array().expect("packages") {
        let bins = p["targets"]
            .as_array()
            .expect("targets")
            .iter()
            .filter(|t| {
                t["kind"]
                    .as_array()
                    .is_some_and(|k| k.contains(&"bin".into()))
            })
            .filter_map(|t| t["name"].as_str().map(String::from))
            .collect();
        let manifest = PathBuf::from(p["manifest_path"].as_str().expect("manifest_path"));
        found.insert(
            p["name"].as_str().expect("name").to_string(),
            Package {
                dir: manifest.parent().expect("package folder").to_path_buf(),
                bins,
                default_run: p["default_run"].as_str().map(String::from),
            },
        );
    }
    found
}

/// One `cargo ...` line, split (the README quotes nothing in them).
struct CargoLine {
    words: Vec<String>,
    /// What follows `--`: the program's own arguments.
    program_args: Vec<String>,
}

impl CargoLine {
    fn parse(command: &str) -> Self {
        let mut words: Vec<String> = command.split_whitespace().map(String::from).collect();
        let program_args = match words.iter().position(|w| w == "--") {
            Some(at) => words.split_off(at).into_iter().skip(1).collect(),
            None => Vec::new(),
        };
        CargoLine {
            words,
            program_args,
        }
    }

    fn values(&self, flag: &str) -> Vec<&str> {
        self.words
            .windows(2)
            .filter(|w| w[0] == flag)
            .map(|w| w[1].as_str())
            .collect()
    }

    fn subcommand(&self) -> &str {
        self.words.get(1).map(String::as_str).unwrap_or("")
    }
}

/// The binary `cargo run -p PKG [--bin B]` runs, as Cargo decides it.
fn resolve_run(line: &CargoLine, packages: &BTreeMap<String, Package>) -> String {
    let name = *line
        .values("-p")
        .first()
        .unwrap_or_else(|| panic!("`{}` names no package", line.words.join(" ")));
    let package = packages
        .get(name)
        .unwrap_or_else(|| panic!("the README runs package {name}, which does not exist"));
    if let Some(bin) = line.values("--bin").first() {
        assert!(
            package.bins.iter().any(|b| b == bin),
            "{name} has no binary {bin}"
        );
        return bin.to_string();
    }
    match (&package.default_run, package.bins.as_slice()) {
        (Some(bin), _) => bin.clone(),
        (None, [only]) => only.clone(),
        (None, bins) => panic!(
            "`cargo run -p {name}` could not determine which binary to run ({bins:?}): \
             set default-run in {name}'s Cargo.toml"
        ),
    }
}

fn assert_takes_args(bin: &str, args: &[String]) {
    let done = process::run(Command::new(binary(bin)).args(args).arg("--help"), LIMIT);
    assert!(
        done.status.success(),
        "the README's `{bin} {}` is refused\n{}",
        args.join(" "),
        done.output()
    );
}

#[test]
fn every_cargo_and_benchmark_line_names_a_binary_that_takes_its_arguments() {
    let packages = packages();
    let mut checked = 0;
    for block in blocks(&readme(), "sh") {
        for command in commands(&block) {
            if command.starts_with("cargo ") {
                let line = CargoLine::parse(&command);
                match line.subcommand() {
                    "run" => assert_takes_args(&resolve_run(&line, &packages), &line.program_args),
                    "build" => {
                        for name in line.values("-p") {
                            assert!(packages.contains_key(name), "no package {name}: {command}");
                        }
                    }
                    "install" => {
                        let path = *line.values("--path").first().expect("--path");
                        let dir = root().join(path);
                        let package = packages.values().find(|p| p.dir == dir);
                        assert!(package.is_some(), "no package at {path}: {command}");
                    }
                    _ => {}
                }
                checked += 1;
            }
            for part in command.split("&&") {
                if let Some(rest) = part.trim().strip_prefix("./target/release/") {
                    let mut words = rest.split_whitespace().map(String::from);
                    let bin = words.next().expect("a binary name");
                    assert!(
                        packages.values().any(|p| p.bins.contains(&bin)),
                        "no package builds {bin}: {command}"
                    );
                    assert_takes_args(&bin, &words.collect::<Vec<_>>());
                    checked += 1;
                }
            }
        }
    }
    // The demo, the tests, the server, three installs and three benchmarks
    // (each a build and a run) at least: a parser that finds nothing fails.
    assert!(checked >= 12, "only {checked} commands found in README.md");
}

/// The README's `serve` line, started for real on a free port with a
/// scratch database; stops when dropped.
struct Served {
    child: Child,
    url: String,
    _dir: tempfile::TempDir,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve_as_the_readme_says() -> (Served, String) {
    let packages = packages();
    let line = blocks(&readme(), "sh")
        .iter()
        .flat_map(|b| commands(b))
        .map(|c| CargoLine::parse(&c))
        .find(|l| l.subcommand() == "run" && l.program_args.first().is_some_and(|a| a == "serve"))
        .expect("a `cargo run ... -- serve` line in README.md");
    let token = line
        .program_args
        .windows(2)
        .find(|w| w[0] == "--token")
        .map(|w| w[1].clone())
        .expect("the serve line sets --token");
    let dir = tempfile::tempdir().expect("scratch folder");
    let database = format!("sqlite://{}", dir.path().join("readme.db").display());
    let mut child = Command::new(binary(&resolve_run(&line, &packages)))
        .args(&line.program_args)
        .args(["--listen", "127.0.0.1:0", "--database", &database])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start the server");
    let stdout = child.stdout.take().expect("server stdout");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut first = String::new();
        let _ = BufReader::new(stdout).read_line(&mut first);
        let _ = tx.send(first);
    });
    let url = rx
        .recv_timeout(LIMIT)
        .expect("the server prints its URL first")
        .trim()
        .to_string();
    assert!(url.starts_with("http://127.0.0.1:"), "first line: {url:?}");
    (
        Served {
            child,
            url,
            _dir: dir,
        },
        token,
    )
}

#[test]
fn the_curl_example_lists_sources_of_the_served_workspace() {
    let (served, _) = serve_as_the_readme_says();
    let curl = blocks(&readme(), "sh")
        .iter()
        .flat_map(|b| commands(b))
        .find(|c| c.starts_with("curl "))
        .expect("a curl line in README.md");
    assert!(curl.contains("http://127.0.0.1:8791"), "{curl}");
    // The part before the pipe: how the answer is pretty-printed is the
    // reader's affair.
    let request = curl
        .split(" | ")
        .next()
        .expect("a command")
        .replace("http://127.0.0.1:8791", &served.url);
    let done = process::run(Command::new("bash").args(["-c", &request]), LIMIT);
    assert!(done.status.success(), "{request}\n{}", done.output());
    let answer: Value =
        serde_json::from_str(&done.stdout).unwrap_or_else(|e| panic!("{e}: {}", done.output()));
    let sources = answer["data"]["sources"].as_array().expect("data.sources");
    assert_eq!(
        sources.len(),
        2,
        "`--seed` and `pagination.count=2`: {answer}"
    );
}

#[test]
fn the_install_steps_give_terraform_the_provider_and_its_example_plans() {
    let text = readme();
    let install = blocks(&text, "sh")
        .into_iter()
        .find(|b| b.contains("terraform-provider-segment_v"))
        .expect("the mirror block in README.md");
    let example = blocks(&text, "hcl")
        .into_iter()
        .find(|b| b.contains("required_providers") && b.contains("provider \"segment\""))
        .expect("the provider example in README.md");
    let (served, token) = serve_as_the_readme_says();
    let home = tempfile::tempdir().expect("scratch HOME");
    // `cargo install` put the provider on PATH; here it is this build's.
    let path = format!(
        "{}:{}",
        bin_dir().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let script = format!("set -euo pipefail\n{install}\nprintf '%s' \"$TF_CLI_CONFIG_FILE\"");
    let done = process::run(
        Command::new("bash")
            .args(["-c", &script])
            .env("HOME", home.path())
            .env("PATH", &path)
            .env("CHECKPOINT_DISABLE", "1"),
        LIMIT,
    );
    assert!(done.status.success(), "{}", done.output());
    let cli_config = done.stdout.trim().to_string();
    assert!(
        cli_config.starts_with(&home.path().display().to_string()),
        "{cli_config}"
    );

    let work = home.path().join("work");
    std::fs::create_dir_all(&work).expect("work folder");
    std::fs::write(work.join("main.tf"), &example).expect("write main.tf");
    let terraform = |args: &[&str]| {
        process::run(
            Command::new("terraform")
                .args(args)
                .arg("-no-color")
                .current_dir(&work)
                .env("HOME", home.path())
                .env("TF_CLI_CONFIG_FILE", &cli_config)
                .env("CHECKPOINT_DISABLE", "1")
                .env("PUBLIC_API_URL", &served.url)
                .env("PUBLIC_API_TOKEN", &token)
                .env_remove("TF_REATTACH_PROVIDERS")
                .env_remove("TF_PLUGIN_CACHE_DIR"),
            TERRAFORM_LIMIT,
        )
    };
    let init = terraform(&["init", "-input=false"]);
    assert!(init.status.success(), "{}", init.output());
    assert!(
        init.stdout.contains("segment-gitops/segment"),
        "{}",
        init.output()
    );
    let plan = terraform(&["plan", "-input=false", "-detailed-exitcode"]);
    assert_eq!(plan.status.code(), Some(0), "{}", plan.output());
}
