//! A wrong URL or token, as a new user first meets it: one clear error from
//! ConfigureProvider instead of one per resource, and never a changed state.
//! A 404 drops an object from state only when the API shows it answers for
//! that kind of object (a misrouted proxy must not empty the state), and a
//! read-only token plans but cannot apply.

mod support;

use std::net::TcpListener;
use std::time::Duration;

use segment_api::{Client, ClientConfig};
use segment_e2e::fake::{Reply, ScriptedServer};
use segment_e2e::fixtures::JAVASCRIPT_SOURCE;
use segment_e2e::{within, TestWorkspace};
use support::plans::exit_code;
use support::process::Finished;
use support::proxy::start_misrouted_proxy;
use support::terraform::{provider_config_with, TerraformDir};
use terraform_provider_segment::segment::SegmentProvider;

const LIMIT: Duration = Duration::from_secs(30);

/// The provider block with `url`, and `token` when given (the environment
/// variable is set empty, so no token from the caller's shell leaks in).
fn provider(url: &str, token: Option<&str>) -> String {
    let token = token
        .map(|t| format!("  token = \"{t}\"\n"))
        .unwrap_or_default();
    provider_config_with(url, &token)
}

/// Three objects: two labels and a source that carries one.
fn resources(source_name: &str) -> String {
    format!(
        r#"
resource "segment_label" "env" {{
  key   = "env"
  value = "prod"
}}

resource "segment_label" "team" {{
  key   = "team"
  value = "core"
}}

resource "segment_source" "web" {{
  slug     = "web"
  name     = "{source_name}"
  enabled  = true
  metadata = {{ id = "{JAVASCRIPT_SOURCE}" }}
  labels   = [{{ key = segment_label.env.key, value = segment_label.env.value }}]
}}
"#
    )
}

struct Applied {
    ws: TestWorkspace,
    tf: TerraformDir,
}

impl Applied {
    /// A workspace with the three objects applied through Terraform.
    async fn start() -> Applied {
        let ws = within(LIMIT, "start workspace", TestWorkspace::start())
            .await
            .expect("workspace starts");
        let tf = TerraformDir::new().env("PUBLIC_API_TOKEN", "");
        let applied = Applied { ws, tf };
        applied.configure(applied.ws.base_url(), Some(applied.ws.owner_token()));
        applied.tf.terraform_ok(&["init", "-input=false"]);
        applied
            .tf
            .terraform_ok(&["apply", "-auto-approve", "-input=false"]);
        assert_eq!(applied.state_list().len(), 3, "three objects in state");
        applied
    }

    fn configure(&self, url: &str, token: Option<&str>) {
        self.configure_with(url, token, "Web");
    }

    fn configure_with(&self, url: &str, token: Option<&str>, source_name: &str) {
        self.tf.write(
            "main.tf",
            &format!("{}{}", provider(url, token), resources(source_name)),
        );
    }

    fn state_list(&self) -> Vec<String> {
        let list = self.tf.terraform_ok(&["state", "list"]);
        list.stdout.lines().map(str::to_owned).collect()
    }

    fn state_file(&self) -> String {
        std::fs::read_to_string(self.tf.work.join("terraform.tfstate")).expect("state file")
    }

    /// What the workspace holds: sources (slug, name) and labels.
    async fn server_objects(&self) -> (Vec<(String, Option<String>)>, Vec<(String, String)>) {
        let api = self.ws.owner();
        let sources = within(LIMIT, "list sources", api.list_sources())
            .await
            .expect("list sources");
        let labels = within(LIMIT, "list labels", api.list_labels())
            .await
            .expect("list labels");
        (
            sources.into_iter().map(|s| (s.slug, s.name)).collect(),
            labels.into_iter().map(|l| (l.key, l.value)).collect(),
        )
    }

    /// `plan -detailed-exitcode`, which must exit with `code`.
    fn plans(&self, code: i32) -> Finished {
        let plan = self
            .tf
            .terraform(&["plan", "-detailed-exitcode", "-input=false"]);
        assert_eq!(exit_code(&plan), code, "{}", plan.output());
        plan
    }

    /// Runs `args`, which must fail with exactly `errors` error blocks
    /// (where given) and leave the state file byte for byte as it was.
    fn fails_keeping_state(&self, args: &[&str], errors: Option<usize>) -> Finished {
        let before = self.state_file();
        let run = self.tf.terraform(args);
        assert!(!run.status.success(), "{}", run.output());
        assert!(error_blocks(&run) >= 1, "{}", run.output());
        if let Some(errors) = errors {
            assert_eq!(error_blocks(&run), errors, "{}", run.output());
        }
        assert_eq!(self.state_file(), before, "state changed\n{}", run.output());
        assert_eq!(self.state_list().len(), 3, "{}", run.output());
        run
    }
}

/// Terraform prints each error diagnostic as one `Error: <summary>` block.
fn error_blocks(run: &Finished) -> usize {
    run.stderr.matches("Error: ").count()
}

/// Whether stderr says `phrase`, across Terraform's line wrapping.
fn says(run: &Finished, phrase: &str) -> bool {
    let flat = |s: &str| {
        s.replace('│', " ")
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    };
    flat(&run.stderr).contains(&flat(phrase))
}

/// A loopback port nothing listens on.
fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("address").port()
}

/// Regression: with `url = ".../v1"` every read answered 404, the provider
/// took each for a deletion, dropped all from state and planned to create
/// them again.
#[tokio::test(flavor = "multi_thread")]
async fn a_url_with_a_path_is_one_error_and_keeps_state() {
    let a = Applied::start().await;
    let objects = a.server_objects().await;
    let wrong = format!("{}/v1", a.ws.base_url());
    a.configure(&wrong, Some(a.ws.owner_token()));

    let plan = a.fails_keeping_state(&["plan", "-input=false"], Some(1));
    assert!(
        says(&plan, "Not a Segment Public API at this URL"),
        "{}",
        plan.output()
    );
    assert!(
        says(&plan, &format!("url = \"{}\"", a.ws.base_url())),
        "the fix is named\n{}",
        plan.output()
    );
    a.fails_keeping_state(&["apply", "-auto-approve", "-input=false"], Some(1));
    assert_eq!(a.server_objects().await, objects, "nothing created");

    a.configure(a.ws.base_url(), Some(a.ws.owner_token()));
    a.plans(0);
}

/// Regression guard for the 404 rule itself: the configure-time probe
/// passes through this proxy, so only the rule keeps the state.
#[tokio::test(flavor = "multi_thread")]
async fn a_proxy_that_404s_every_object_keeps_state() {
    let a = Applied::start().await;
    let objects = a.server_objects().await;
    let proxy = start_misrouted_proxy(a.ws.http().clone(), a.ws.base_url().to_owned());
    a.configure(&proxy, Some(a.ws.owner_token()));

    // Each read is refused on its own (the probe passed); Terraform skips
    // the source, whose labels failed first.
    let plan = a.fails_keeping_state(&["plan", "-input=false"], None);
    let unconfirmed = "answered 404 for its collection too";
    assert_eq!(
        plan.stderr.matches(unconfirmed).count(),
        error_blocks(&plan),
        "{}",
        plan.output()
    );
    assert!(
        !plan.stdout.contains("will be created"),
        "{}",
        plan.output()
    );
    let apply = a.fails_keeping_state(&["apply", "-auto-approve", "-input=false"], None);
    assert!(says(&apply, unconfirmed), "{}", apply.output());
    // A delete's 404 was taken for "already gone" too.
    let destroy = a.fails_keeping_state(
        &["destroy", "-auto-approve", "-refresh=false", "-input=false"],
        None,
    );
    assert!(says(&destroy, "Cannot delete"), "{}", destroy.output());
    assert_eq!(a.server_objects().await, objects, "nothing created");

    a.configure(a.ws.base_url(), Some(a.ws.owner_token()));
    a.plans(0);
}

/// Regression: a wrong token printed one `HTTP 401` block per resource,
/// and so did a missing token; an unreachable host likewise.
#[tokio::test(flavor = "multi_thread")]
async fn wrong_host_wrong_token_and_no_token_are_one_error_each() {
    let a = Applied::start().await;
    let objects = a.server_objects().await;
    let nowhere = format!("http://127.0.0.1:{}", free_port());
    let cases = [
        (
            nowhere.as_str(),
            Some(a.ws.owner_token()),
            "Cannot reach the Segment Public API",
        ),
        (
            a.ws.base_url(),
            Some("not-a-token"),
            "The Segment Public API refused the token",
        ),
        (a.ws.base_url(), None, "Missing API token"),
    ];
    for (url, token, summary) in cases {
        a.configure(url, token);
        for args in [
            &["plan", "-input=false"][..],
            &["apply", "-auto-approve", "-input=false"][..],
        ] {
            let run = a.fails_keeping_state(args, Some(1));
            assert!(says(&run, summary), "{summary}\n{}", run.output());
            assert!(
                !run.stderr.contains("not-a-token") && !run.stderr.contains(a.ws.owner_token()),
                "a token reached the output\n{}",
                run.output()
            );
        }
    }
    assert_eq!(a.server_objects().await, objects, "nothing changed");
}

/// A read-only token reads: the plan of an applied configuration is clean;
/// a change fails at apply with one error that names the token's scope.
#[tokio::test(flavor = "multi_thread")]
async fn a_read_only_token_plans_clean_and_its_apply_says_read_only() {
    let a = Applied::start().await;
    let objects = a.server_objects().await;
    a.configure(a.ws.base_url(), Some(a.ws.read_only_token()));
    let plan = a.plans(0);
    assert!(!plan.stderr.contains("Warning"), "{}", plan.output());

    a.configure_with(a.ws.base_url(), Some(a.ws.read_only_token()), "Renamed");
    a.plans(2);
    let apply = a.fails_keeping_state(&["apply", "-auto-approve", "-input=false"], Some(1));
    assert!(says(&apply, "the token is read-only"), "{}", apply.output());
    assert!(
        says(&apply, "Workspace Owner"),
        "the scope needed is named\n{}",
        apply.output()
    );
    assert_eq!(a.server_objects().await, objects, "nothing changed");
}

/// Import (and the generator, which reads through it) calls an object
/// missing only when its list answers: through the misrouted proxy a
/// missing label or filter is an error, against the workspace it is
/// missing (a filter's own list 404s with its destination, so the
/// destinations list answers for it).
#[tokio::test(flavor = "multi_thread")]
async fn import_calls_an_object_missing_only_when_its_list_answers() {
    let ws = within(LIMIT, "start workspace", TestWorkspace::start())
        .await
        .expect("workspace starts");
    let proxy = start_misrouted_proxy(ws.http().clone(), ws.base_url().to_owned());
    let client = |url: &str| Client::new(ClientConfig::new(url, ws.owner_token())).expect("client");
    let engine = SegmentProvider::new();
    let engine = engine.engine();
    for (type_name, id) in [
        ("segment_label", "team:nobody"),
        ("segment_destination_filter", "no-destination:no-filter"),
        ("segment_source", "no-source"),
    ] {
        let real = within(
            LIMIT,
            "import from the workspace",
            engine.import_state(&client(ws.base_url()), type_name, id),
        )
        .await;
        assert!(matches!(real, Ok(None)), "{type_name}: {real:?}");
        let misrouted = within(
            LIMIT,
            "import through the proxy",
            engine.import_state(&client(&proxy), type_name, id),
        )
        .await;
        let diags = misrouted.expect_err(type_name);
        let summary = diags.iter().next().map(|d| d.summary.clone());
        assert!(
            summary
                .as_deref()
                .is_some_and(|s| s.contains("answered 404 for its collection too")),
            "{type_name}: {summary:?}"
        );
    }
}

/// A refresh of many objects with a few deletions must not list the
/// collection once per deletion: the first 200 is kept for the process.
#[tokio::test(flavor = "multi_thread")]
async fn a_confirmed_collection_is_asked_once() {
    let not_found = || Reply::error(404, "not-found", "Source does not exist", None);
    let server = ScriptedServer::start(vec![
        not_found(),
        Reply::ok(serde_json::json!({ "sources": [], "pagination": { "current": "MA==" } })),
        not_found(),
    ])
    .await;
    let provider = SegmentProvider::new();
    let api = server.client(segment_api::RetryPolicy::none());
    for id in ["gone-1", "gone-2"] {
        let found = within(
            LIMIT,
            "import",
            provider.engine().import_state(&api, "segment_source", id),
        )
        .await;
        assert!(matches!(found, Ok(None)), "{id}: {found:?}");
    }
    let paths: Vec<String> = server.requests().into_iter().map(|r| r.path).collect();
    assert_eq!(paths, ["/sources/gone-1", "/sources", "/sources/gone-2"]);
}
