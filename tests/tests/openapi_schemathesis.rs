//! schemathesis (from PyPI) against a real server: it reads `/openapi.json`,
//! generates requests for every operation (valid ones and invalid ones),
//! and checks each answer: never a 5xx, a status the description names, the
//! content type it names, and a body valid against its schema. The
//! workspace is seeded first, so lists answer real resources of every kind.
//! Rate limits are off for this run (`start_unlimited`): a 429 would be a
//! valid answer, but one that hides the answer being tested.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use segment_e2e::TestWorkspace;

/// The version `.ci/run` installs; the test runs whatever it finds.
const PINNED: &str = "schemathesis==4.32.5";
/// Test cases per operation and phase: about 90 operations, a minute or two.
const MAX_EXAMPLES: &str = "5";
/// The whole run, bounded: more is a hang, not a slow machine.
const RUN_LIMIT: Duration = Duration::from_secs(600);

/// `SCHEMATHESIS`, else the virtual environment `.ci/run` makes in
/// `target/schemathesis-venv`, else `schemathesis` on PATH.
fn schemathesis() -> PathBuf {
    let venv =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/schemathesis-venv/bin/schemathesis");
    let on_path = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .unwrap_or_default()
        .into_iter()
        .map(|dir| dir.join("schemathesis"));
    let found = match std::env::var_os("SCHEMATHESIS") {
        Some(named) => Some(PathBuf::from(named)).filter(|p| p.exists()),
        None => std::iter::once(venv).chain(on_path).find(|p| p.exists()),
    };
    found.unwrap_or_else(|| {
        panic!(
            "schemathesis is not installed. Install it as .ci/run does:\n  \
             python3 -m venv target/schemathesis-venv && \
             target/schemathesis-venv/bin/pip install '{PINNED}'\n\
             (or put schemathesis on PATH, or name it in SCHEMATHESIS=/path/to/schemathesis)"
        )
    })
}

/// The first item's id in a list answer's `key` list.
async fn first_id(ws: &TestWorkspace, path: &str, key: &str) -> String {
    let raw = ws.get_raw(path).await;
    assert_eq!(raw.status, 200, "GET {path}: {}", raw.text);
    raw.body["data"][key][0]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("GET {path}: no item in {}", raw.text))
        .to_string()
}

/// A parent among `parents` that holds a child in `child_path`'s list, and
/// that child's id.
async fn parent_with_child(
    ws: &TestWorkspace,
    parents: &[String],
    child_path: impl Fn(&str) -> String,
    key: &str,
) -> (String, String) {
    for parent in parents {
        let raw = ws.get_raw(&child_path(parent)).await;
        if let Some(id) = raw.body["data"][key][0]["id"].as_str() {
            return (parent.clone(), id.to_string());
        }
    }
    panic!("no {key} under any of {parents:?}")
}

/// Path and query parameters as schemathesis names them (`path.id`), with values.
type Params<'a> = &'a [(&'a str, &'a str)];

/// A schemathesis config fixing path parameters to the seeded resources'
/// ids, for every method but DELETE (which gets generated ids, so the
/// resources outlive the run): without them nearly every item path would
/// answer 404, and the answers checked against their schemas would be error
/// bodies. Answers the config's text and the templates it fixes.
async fn seeded_ids(ws: &TestWorkspace) -> (String, Vec<String>) {
    let source = first_id(ws, "/sources", "sources").await;
    let raw = ws.get_raw("/destinations").await;
    let destinations: Vec<String> = raw.body["data"]["destinations"]
        .as_array()
        .expect("destinations")
        .iter()
        .filter_map(|d| d["id"].as_str().map(str::to_string))
        .collect();
    let (sub_destination, subscription) = parent_with_child(
        ws,
        &destinations,
        |d| format!("/destinations/{d}/subscriptions"),
        "subscriptions",
    )
    .await;
    let (filter_destination, filter) = parent_with_child(
        ws,
        &destinations,
        |d| format!("/destination/{d}/filters"),
        "filters",
    )
    .await;
    let warehouse = first_id(ws, "/warehouses", "warehouses").await;
    let plan = first_id(ws, "/tracking-plans", "trackingPlans").await;
    let function = first_id(
        ws,
        "/functions?resourceType=INSERT_DESTINATION",
        "functions",
    )
    .await;
    let instance = first_id(
        ws,
        &format!("/insert-function-instances?functionId={function}"),
        "instances",
    )
    .await;
    let transformation = first_id(ws, "/transformations", "transformations").await;
    let model = first_id(ws, "/reverse-etl-models", "models").await;
    // Users join through Segment's app; the seed makes none.
    let user = ws.add_user("ada@example.com", "Ada").await.expect("a user");
    let group = first_id(ws, "/groups", "userGroups").await;
    let space = first_id(ws, "/spaces", "spaces").await;
    let audience = first_id(ws, &format!("/spaces/{space}/audiences"), "audiences").await;
    let computed = first_id(
        ws,
        &format!("/spaces/{space}/computed-traits"),
        "computedTraits",
    )
    .await;
    let fixed: &[(&[&str], Params)] = &[
        (
            &[
                "/sources/{id}",
                "/sources/{id}/labels",
                "/sources/{id}/connected-destinations",
                "/sources/{id}/connected-warehouses",
                "/sources/{id}/settings",
            ],
            &[("path.id", &source)],
        ),
        (
            &["/destinations/{id}", "/destinations/{id}/subscriptions"],
            &[("path.id", &sub_destination)],
        ),
        (
            &["/destinations/{id}/subscriptions/{subscription_id}"],
            &[
                ("path.id", &sub_destination),
                ("path.subscription_id", &subscription),
            ],
        ),
        (
            &[
                "/destination/{destination_id}/filters",
                "/destination/{destination_id}/filters/{filter_id}",
            ],
            &[
                ("path.destination_id", &filter_destination),
                ("path.filter_id", &filter),
            ],
        ),
        (
            &[
                "/warehouses/{id}",
                "/warehouses/{id}/connected-sources",
                "/warehouses/{id}/connected-sources/{source_id}",
            ],
            &[("path.id", &warehouse), ("path.source_id", &source)],
        ),
        (
            &[
                "/tracking-plans/{id}",
                "/tracking-plans/{id}/rules",
                "/tracking-plans/{id}/sources",
            ],
            &[("path.id", &plan)],
        ),
        (&["/functions/{id}"], &[("path.id", &function)]),
        (
            &["/insert-function-instances"],
            &[("query.functionId", &function)],
        ),
        (
            &["/insert-function-instances/{id}"],
            &[("path.id", &instance)],
        ),
        (&["/transformations/{id}"], &[("path.id", &transformation)]),
        (&["/reverse-etl-models/{id}"], &[("path.id", &model)]),
        (
            &[
                "/users/{id}",
                "/users/{id}/groups",
                "/users/{id}/permissions",
            ],
            &[("path.id", &user)],
        ),
        (
            &[
                "/groups/{id}",
                "/groups/{id}/permissions",
                "/groups/{id}/users",
                "/groups/{id}/invites",
            ],
            &[("path.id", &group)],
        ),
        (
            &[
                "/spaces/{space_id}",
                "/spaces/{space_id}/audiences",
                "/spaces/{space_id}/computed-traits",
                "/spaces/{space_id}/profiles-warehouses",
            ],
            &[("path.space_id", &space)],
        ),
        (
            &["/spaces/{space_id}/audiences/{id}"],
            &[("path.space_id", &space), ("path.id", &audience)],
        ),
        (
            &["/spaces/{space_id}/computed-traits/{id}"],
            &[("path.space_id", &space), ("path.id", &computed)],
        ),
        (&["/catalog/sources/{id}"], &[("path.id", "IqDTy1TpoU")]),
    ];
    // Ids learnt from answers would reach DELETE too and remove the fixed
    // resources early; the stateful phase still deletes what it creates.
    let mut toml = String::from(
        "[phases.coverage.extra-data-sources]\nresponses = false\n\n\
         [phases.fuzzing.extra-data-sources]\nresponses = false\n\n",
    );
    let templates = fixed
        .iter()
        .flat_map(|(paths, _)| paths.iter().map(|p| p.to_string()))
        .collect();
    for (paths, params) in fixed {
        let paths: Vec<String> = paths.iter().map(|p| format!("{p:?}")).collect();
        let params: Vec<String> = params
            .iter()
            .map(|(k, v)| format!("{k:?} = {v:?}"))
            .collect();
        toml.push_str(&format!(
            "[[operations]]\ninclude-path = [{}]\n\
             exclude-method = [\"DELETE\"]\n\
             parameters = {{ {} }}\n\n",
            paths.join(", "),
            params.join(", ")
        ));
    }
    (toml, templates)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schemathesis_finds_no_server_error_and_no_answer_off_its_schema() {
    let program = schemathesis();
    let ws = TestWorkspace::start_unlimited().await.expect("a workspace");
    segment_workspace::seed::seed(ws.owner(), 1, 4)
        .await
        .expect("the seed runs");
    segment_workspace::seed::engage::seed_engage(ws.owner())
        .await
        .expect("the Engage seed runs");
    let reports = tempfile::tempdir().expect("a report folder");
    let config = reports.path().join("schemathesis.toml");
    let (toml, fixed) = seeded_ids(&ws).await;
    std::fs::write(&config, &toml).expect("write schemathesis.toml");
    let mut command = tokio::process::Command::new(&program);
    command
        .arg("--config-file")
        .arg(&config)
        .arg("run")
        .arg(format!("{}/openapi.json", ws.base_url()))
        .args([
            "--checks",
            "not_a_server_error,status_code_conformance,content_type_conformance,\
             response_schema_conformance",
            "--max-examples",
            MAX_EXAMPLES,
            "--seed",
            "15",
            "--phases",
            "coverage,fuzzing,stateful",
            "--workers",
            "2",
            "--request-timeout",
            "40",
            "--suppress-health-check",
            "all",
            "--no-color",
            // No example database left in the working folder.
            "--generation-database",
            "none",
        ])
        .arg("--header")
        .arg(format!("Authorization: Bearer {}", ws.owner_token()))
        .arg("--report-dir")
        .arg(reports.path())
        .env("NO_COLOR", "1")
        // Its caches go in the scratch folder, not the checkout.
        .current_dir(reports.path())
        .stdin(Stdio::null())
        .kill_on_drop(true);
    let run = tokio::time::timeout(RUN_LIMIT, command.output())
        .await
        .unwrap_or_else(|_| panic!("schemathesis ran past {RUN_LIMIT:?}"))
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", program.display()));
    let out = String::from_utf8_lossy(&run.stdout);
    let err = String::from_utf8_lossy(&run.stderr);
    assert!(
        run.status.success(),
        "schemathesis found failures ({}):\n{out}\n{err}",
        run.status
    );
    // A run that tested nothing would also exit 0.
    assert!(
        out.contains("Tested: ") && !out.contains("Tested: 0\n"),
        "schemathesis tested nothing:\n{out}\n{err}"
    );
    // The fixed ids reached the server: each fixed path that serves GET
    // (its 405s are schemathesis trying other methods) answered a real
    // resource at least once, by the server's own counts.
    let metrics = ws.get_raw("/metrics").await.text;
    let mut read = 0;
    for template in &fixed {
        let get = format!("segment_workspace_requests_total{{method=\"GET\",route=\"{template}\"");
        let served = metrics
            .lines()
            .any(|l| l.starts_with(&get) && !l.contains("status=\"405\""));
        if served {
            read += 1;
            assert!(
                metrics.contains(&format!("{get},status=\"200\"")),
                "GET {template} never answered 200: the fixed ids did not apply\n{metrics}"
            );
        }
    }
    assert!(read >= 20, "only {read} fixed paths were read");
}
