//! Random lifecycles through real Terraform against the local workspace:
//! every round draws a new valid configuration over every resource type
//! (empty strings, removed optionals, nulls and integers past 2^53 inside
//! settings, sets reordered, rules added and removed, replacements), applies
//! it, and then requires `terraform plan -detailed-exitcode` to find nothing.
//! Some rounds also change an object through the API behind Terraform's
//! back: the plan must see it, and an apply must settle it.
//!
//! `SEGMENT_LIFECYCLE_ROUNDS` (default 4) sets the rounds and
//! `SEGMENT_LIFECYCLE_SEED` replays a run; a failure prints both.

mod support;

use std::fmt::Write as _;
use std::time::Duration;

use segment_e2e::{within, TestWorkspace};
use support::workspace_dir::{WorkspaceDir, APPLY};

const LIMIT: Duration = Duration::from_secs(30);

/// SplitMix64: small, seeded, and the same on every machine.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
    /// A random subset of `items`, in a random order.
    fn subset<T: Clone>(&mut self, items: &[T]) -> Vec<T> {
        let mut chosen: Vec<T> = items.iter().filter(|_| self.chance(50)).cloned().collect();
        for i in (1..chosen.len()).rev() {
            let j = self.below(i + 1);
            chosen.swap(i, j);
        }
        chosen
    }
    fn word(&mut self) -> String {
        let words = [
            "alpha",
            "Beta",
            "gamma 2",
            "Δelta",
            "e-commerce",
            "x_y",
            "O'Neil",
            "\"q\"",
        ];
        format!("{} {}", self.pick(&words), self.below(1000))
    }
    /// An optional string: a word, the empty string, or left out.
    fn optional_text(&mut self) -> Option<String> {
        match self.below(3) {
            0 => None,
            1 => Some(String::new()),
            _ => Some(self.word()),
        }
    }
}

/// A quoted HCL string; `${` and `%{` stay literal.
fn q(text: &str) -> String {
    let escaped = text
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace("${", "$${")
        .replace("%{", "%%{");
    format!("\"{escaped}\"")
}

fn attr(out: &mut String, name: &str, value: Option<String>) {
    if let Some(v) = value {
        let _ = writeln!(out, "  {name} = {v}");
    }
}

/// Settings for a catalog entry that lists no options (any key goes): the
/// values the API stores exactly, including nulls and integers past 2^53.
/// `name` (a random word) and `enabled` (either), in that draw order.
fn name_and_enabled(out: &mut String, rng: &mut Rng) {
    let _ = writeln!(
        out,
        "  name = {}\n  enabled = {}",
        q(&rng.word()),
        rng.chance(50)
    );
}

/// An optional `name` and `enabled` (in that draw order), then the
/// block's closing brace: a warehouse's tail.
fn optional_name_and_enabled_then_close(out: &mut String, rng: &mut Rng) {
    attr(out, "name", rng.optional_text().map(|t| q(&t)));
    attr(
        out,
        "enabled",
        rng.chance(70).then(|| rng.chance(50).to_string()),
    );
    out.push_str("}\n");
}

fn free_settings(rng: &mut Rng) -> String {
    let candidates = [
        ("plain", "\"text\"".to_string()),
        ("empty", "\"\"".to_string()),
        ("nothing", "null".to_string()),
        ("big", "9007199254740993".to_string()),
        ("negative", "-12.5".to_string()),
        ("flag", "true".to_string()),
        ("nested", "{ inner = \"x\", list = [1, 2] }".to_string()),
    ];
    let body: Vec<String> = rng
        .subset(&candidates)
        .into_iter()
        .map(|(k, v)| format!("{k} = {v}"))
        .collect();
    format!("jsonencode({{ {} }})", body.join(", "))
}

const RULES: [&str; 4] = [
    r#"{ type = "TRACK", key = "Order Completed", version = 1, json_schema = jsonencode({ properties = { properties = { type = "object" } } }) }"#,
    r#"{ type = "TRACK", key = "Order Refunded", version = 2, json_schema = jsonencode({}) }"#,
    r#"{ type = "TRACK", key = "Signed Up", version = 1, json_schema = jsonencode({ type = "object" }) }"#,
    r#"{ type = "IDENTIFY", version = 1, json_schema = jsonencode({ properties = { traits = { type = "object" } } }) }"#,
];

const FILTER_ACTIONS: [&str; 3] = [
    r#"{ type = "DROP" }"#,
    r#"{ type = "SAMPLE", percent = 0.5 }"#,
    r#"{ type = "ALLOW_PROPERTIES", fields = jsonencode({ properties = ["a", "b"] }) }"#,
];

const FUNCTION_SETTINGS: [&str; 2] = [
    r#"{ name = "apiKey", label = "API key", description = "", type = "STRING", required = true, sensitive = true }"#,
    r#"{ name = "region", label = "Region", description = "Where", type = "STRING", required = false, sensitive = false }"#,
];

const EMAILS: [&str; 3] = ["a@example.com", "b@example.com", "c@example.com"];

/// One round's configuration.
fn configuration(rng: &mut Rng) -> String {
    let mut c = String::from("data \"segment_workspace\" \"current\" {}\n");
    // Two labels; the second's description changes (labels are replaced).
    let _ = writeln!(
        c,
        "resource \"segment_label\" \"team\" {{\n  key = \"team\"\n  value = \"core\"\n}}"
    );
    let _ = writeln!(
        c,
        "resource \"segment_label\" \"tier\" {{\n  key = \"tier\"\n  value = \"gold\""
    );
    attr(&mut c, "description", rng.optional_text().map(|t| q(&t)));
    c.push_str("}\n");

    let _ = writeln!(
        c,
        "resource \"segment_source\" \"web\" {{\n  slug = \"web\""
    );
    attr(&mut c, "name", rng.chance(75).then(|| q(&rng.word())));
    let _ = writeln!(c, "  enabled = {}", rng.chance(50));
    c.push_str("  metadata = { id = \"IqDTy1TpoU\" }\n");
    let _ = writeln!(c, "  settings = {}", free_settings(rng));
    let labels = rng.subset(&["team", "tier"]);
    let labels: Vec<String> = labels
        .iter()
        .map(|l| format!("{{ key = segment_label.{l}.key, value = segment_label.{l}.value }}"))
        .collect();
    if !labels.is_empty() || rng.chance(50) {
        let _ = writeln!(c, "  labels = [{}]", labels.join(", "));
    }
    c.push_str("}\n");

    let _ = writeln!(
        c,
        "resource \"segment_destination\" \"hooks\" {{\n  source_id = segment_source.web.id\n  metadata = {{ id = \"614a3c7d791c91c41bae7599\" }}\n  settings = jsonencode({{}})"
    );
    attr(&mut c, "name", rng.chance(75).then(|| q(&rng.word())));
    let _ = writeln!(c, "  enabled = {}\n}}", rng.chance(50));

    let _ = writeln!(
        c,
        "resource \"segment_destination_filter\" \"f\" {{\n  destination_id = segment_destination.hooks.id\n  source_id = segment_source.web.id"
    );
    let _ = writeln!(c, "  title = {}", q(&rng.word()));
    attr(&mut c, "description", rng.optional_text().map(|t| q(&t)));
    let condition = *rng.pick(&["type = \"track\"", "event = \"Order Completed\""]);
    let _ = writeln!(c, "  if = {}", q(condition));
    let _ = writeln!(c, "  enabled = {}", rng.chance(50));
    let _ = writeln!(c, "  actions = [{}]\n}}", rng.pick(&FILTER_ACTIONS));

    let _ = writeln!(c, "resource \"segment_tracking_plan\" \"plan\" {{");
    let _ = writeln!(c, "  name = {}\n  type = \"LIVE\"", q(&rng.word()));
    attr(&mut c, "description", rng.optional_text().map(|t| q(&t)));
    let _ = writeln!(c, "  rules = [{}]\n}}", rng.subset(&RULES).join(",\n    "));
    if rng.chance(70) {
        let _ = writeln!(
            c,
            "resource \"segment_source_tracking_plan_connection\" \"c\" {{\n  source_id = segment_source.web.id\n  tracking_plan_id = segment_tracking_plan.plan.id\n}}"
        );
    }

    let _ = writeln!(c, "resource \"segment_function\" \"fn\" {{");
    let kind = *rng.pick(&[
        "DESTINATION",
        "INSERT_DESTINATION",
        "SOURCE",
        "INSERT_SOURCE",
    ]);
    let _ = writeln!(
        c,
        "  resource_type = \"{kind}\"\n  display_name = {}",
        q(&rng.word())
    );
    let _ = writeln!(
        c,
        "  code = {}",
        q(&format!(
            "async function onTrack(e) {{ return e /* {} */ }}",
            rng.below(9)
        ))
    );
    attr(&mut c, "description", rng.optional_text().map(|t| q(&t)));
    attr(
        &mut c,
        "logo_url",
        rng.optional_text().map(|t| {
            if t.is_empty() {
                q("")
            } else {
                q("https://example.com/logo.png")
            }
        }),
    );
    let _ = writeln!(
        c,
        "  settings = [{}]\n}}",
        rng.subset(&FUNCTION_SETTINGS).join(", ")
    );

    let _ = writeln!(
        c,
        "resource \"segment_transformation\" \"t\" {{\n  source_id = segment_source.web.id"
    );
    name_and_enabled(&mut c, rng);
    let _ = writeln!(c, "  if = \"event = 'Purchase'\"");
    attr(
        &mut c,
        "new_event_name",
        rng.chance(50).then(|| q(&rng.word())),
    );
    attr(
        &mut c,
        "destination_metadata_id",
        rng.chance(50).then(|| q("614a3c7d791c91c41bae7599")),
    );
    let renames = rng.subset(&[
        "{ old_name = \"amount\", new_name = \"total\" }",
        "{ old_name = \"sku\", new_name = \"product_id\" }",
    ]);
    let _ = writeln!(c, "  property_renames = [{}]", renames.join(", "));
    c.push_str("  property_value_transformations = []\n  fql_defined_properties = []\n}\n");

    let _ = writeln!(
        c,
        "resource \"segment_warehouse\" \"wh\" {{\n  metadata = {{ id = \"55d3d3aea3c\" }}\n  settings = jsonencode({{ hostname = \"db.example.com\", database = \"w\", username = \"u\", password = \"secret\", port = {} }})",
        rng.pick(&[5432, 5433])
    );
    optional_name_and_enabled_then_close(&mut c, rng);
    if rng.chance(70) {
        let _ = writeln!(
            c,
            "resource \"segment_source_warehouse_connection\" \"sw\" {{\n  source_id = segment_source.web.id\n  warehouse_id = segment_warehouse.wh.id\n}}"
        );
    }

    // The destination's action subscription and an insert function on it.
    let _ = writeln!(
        c,
        "resource \"segment_destination_subscription\" \"send\" {{\n  destination_id = segment_destination.hooks.id\n  action_id = \"nFPnRozhz1mh4Gbx4MLvT5\""
    );
    name_and_enabled(&mut c, rng);
    let trigger = *rng.pick(&["type = \"track\"", "type = \"identify\""]);
    let _ = writeln!(c, "  trigger = {}", q(trigger));
    let _ = writeln!(
        c,
        "  settings = jsonencode({{ url = \"https://hooks.example.com/{}\", method = \"POST\" }})\n}}",
        rng.below(100)
    );
    c.push_str(
        "resource \"segment_function\" \"ins\" {\n  resource_type = \"INSERT_DESTINATION\"\n  display_name = \"Insert\"\n  code = \"async function onTrack(e) { return e }\"\n",
    );
    let _ = writeln!(c, "  settings = [{}]\n}}", FUNCTION_SETTINGS[0]);
    let _ = writeln!(
        c,
        "resource \"segment_insert_function_instance\" \"ins\" {{\n  function_id = segment_function.ins.id\n  integration_id = segment_destination.hooks.id"
    );
    name_and_enabled(&mut c, rng);
    let _ = writeln!(
        c,
        "  settings = jsonencode({{ apiKey = {} }})\n}}",
        q(&rng.word())
    );

    let _ = writeln!(
        c,
        "resource \"segment_profiles_warehouse\" \"pw\" {{\n  space_id = \"spa_random\"\n  metadata_id = \"55d3d3aea3c\"\n  settings = jsonencode({{ hostname = \"p.example.com\", database = \"p\", username = \"u\", password = \"secret\" }})"
    );
    optional_name_and_enabled_then_close(&mut c, rng);

    // A warehouse source and a Reverse ETL model reading it.
    c.push_str(
        "resource \"segment_source\" \"pg\" {\n  slug = \"pg\"\n  enabled = true\n  metadata = { id = \"WvlvcGEJsT\" }\n  settings = jsonencode({ hostname = \"db.example.com\", database = \"d\", username = \"u\", password = \"secret\" })\n}\n",
    );
    let _ = writeln!(
        c,
        "resource \"segment_reverse_etl_model\" \"m\" {{\n  source_id = segment_source.pg.id"
    );
    name_and_enabled(&mut c, rng);
    // Required, as in the official provider: empty or a word.
    let description = rng.optional_text().unwrap_or_default();
    let _ = writeln!(c, "  description = {}", q(&description));
    let column = *rng.pick(&["id", "email"]);
    let _ = writeln!(
        c,
        "  query = \"SELECT id, email FROM customers LIMIT {}\"\n  query_identifier_column = \"{column}\"\n}}",
        rng.below(1000) + 1
    );

    let grants = rng.subset(&[
        "{ id = segment_source.web.id, type = \"SOURCE\", labels = [] }",
        "{ id = segment_source.pg.id, type = \"SOURCE\", labels = [] }",
    ]);
    if !grants.is_empty() {
        let _ = writeln!(
            c,
            "resource \"segment_user\" \"analyst\" {{\n  email = \"analyst@example.com\"\n  permissions = [{{ role_id = \"sgw_role_source_read_only\", resources = [{}] }}]\n}}",
            grants.join(", ")
        );
    }

    let members: Vec<String> = rng.subset(&EMAILS).iter().map(|e| q(e)).collect();
    let _ = writeln!(
        c,
        "resource \"segment_user_group\" \"g\" {{\n  name = {}",
        q(&rng.word())
    );
    let _ = writeln!(c, "  members = [{}]", members.join(", "));
    c.push_str(
        "  permissions = [{ role_id = \"sgw_role_tracking_plan_read_only\", resources = [{ id = data.segment_workspace.current.id, type = \"WORKSPACE\", labels = [] }] }]\n}\n",
    );
    engage(&mut c, rng);
    c
}

/// An audience and a computed trait in the space the test makes.
fn engage(c: &mut String, rng: &mut Rng) {
    c.push_str("data \"segment_space\" \"s\" {\n  slug = \"marketing\"\n}\n");
    let _ = writeln!(
        c,
        "resource \"segment_audience\" \"a\" {{\n  space_id = data.segment_space.s.id\n  name = {}",
        q(&rng.word())
    );
    attr(c, "description", rng.optional_text().map(|t| q(&t)));
    attr(
        c,
        "enabled",
        rng.chance(70).then(|| rng.chance(50).to_string()),
    );
    let _ = writeln!(
        c,
        "  definition = {{ query = \"event('Order Completed').count() >= {}\" }}",
        rng.below(5) + 1
    );
    if rng.chance(50) {
        let _ = writeln!(
            c,
            "  options = {{ include_historical_data = {} }}",
            rng.chance(50)
        );
    }
    c.push_str("}\n");
    let _ = writeln!(
        c,
        "resource \"segment_computed_trait\" \"t\" {{\n  space_id = data.segment_space.s.id\n  name = {}",
        q(&rng.word())
    );
    attr(c, "description", rng.optional_text().map(|t| q(&t)));
    let kind = *rng.pick(&["users", "accounts"]);
    let _ = writeln!(
        c,
        "  definition = {{ query = \"event('Order Completed').count()\", type = \"{kind}\" }}"
    );
    if rng.chance(50) {
        let _ = writeln!(
            c,
            "  options = {{ include_anonymous_users = {} }}",
            rng.chance(50)
        );
    }
    c.push_str("}\n");
}

async fn source_id(ws: &TestWorkspace) -> Option<String> {
    let sources = within(LIMIT, "list sources", ws.owner().list_sources())
        .await
        .expect("list sources");
    sources.into_iter().find(|s| s.slug == "web").map(|s| s.id)
}

/// Renames the source and moves its `big` setting by one through the API,
/// as a person in the Segment app would.
async fn drift(ws: &TestWorkspace, config: &str) -> bool {
    let Some(id) = source_id(ws).await else {
        return false;
    };
    let mut body = String::from("{");
    if config.contains("slug = \"web\"\n  name =") {
        body.push_str("\"name\":\"Renamed in the app\"");
    }
    if config.contains("big = 9007199254740993") {
        if body.len() > 1 {
            body.push(',');
        }
        body.push_str("\"settings\":{\"big\":9007199254740992}");
    }
    body.push('}');
    if body == "{}" {
        return false;
    }
    let answer = within(
        LIMIT,
        "drift through the API",
        ws.http()
            .patch(ws.url(&format!("/sources/{id}")))
            .bearer_auth(ws.owner_token())
            .header("content-type", "application/json")
            .body(body)
            .send(),
    )
    .await
    .expect("PATCH the source");
    assert!(
        answer.status().is_success(),
        "drift PATCH: {}",
        answer.status()
    );
    true
}

#[tokio::test(flavor = "multi_thread")]
async fn random_configurations_apply_and_then_plan_clean() {
    let seed = std::env::var("SEGMENT_LIFECYCLE_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos() as u64)
                .unwrap_or(1)
        });
    let rounds: usize = std::env::var("SEGMENT_LIFECYCLE_ROUNDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(4);
    eprintln!("random lifecycle: SEGMENT_LIFECYCLE_SEED={seed} SEGMENT_LIFECYCLE_ROUNDS={rounds}");
    let mut rng = Rng(seed);
    let dir = WorkspaceDir::start().await;
    // The space the Engage resources live in (made in the app upstream).
    let space = dir.ws.make_space("Marketing", "marketing").await;
    space.expect("a space");
    let (ws, tf) = (&dir.ws, &dir.tf);
    let replay =
        format!("replay with SEGMENT_LIFECYCLE_SEED={seed} SEGMENT_LIFECYCLE_ROUNDS={rounds}");

    for round in 1..=rounds {
        let body = configuration(&mut rng);
        dir.write(&body);
        let apply = tf.terraform(APPLY);
        assert!(
            apply.status.success(),
            "round {round}: apply failed ({replay})\n{body}\n{}",
            apply.output()
        );
        let (code, out) = dir.plan();
        assert_eq!(
            code, 0,
            "round {round}: the plan after apply is not empty ({replay})\n{body}\n{out}"
        );
        if rng.chance(40) && drift(ws, &body).await {
            let (code, out) = dir.plan();
            assert_eq!(
                code, 2,
                "round {round}: a change made through the API went unseen ({replay})\n{body}\n{out}"
            );
            tf.terraform_ok(APPLY);
            let (code, out) = dir.plan();
            assert_eq!(
                code, 0,
                "round {round}: drift did not settle ({replay})\n{body}\n{out}"
            );
        }
    }
    tf.terraform_ok(&["destroy", "-auto-approve", "-input=false"]);
    assert_eq!(
        source_id(ws).await,
        None,
        "destroy left the source ({replay})"
    );
}

/// A type the registry gains must be drawn here too (over fixed seeds, so
/// the check does not depend on the run's own seed).
#[test]
fn the_random_configurations_cover_every_resource_type() {
    let drawn: String = (0..50).map(|seed| configuration(&mut Rng(seed))).collect();
    let missing: Vec<&str> = terraform_provider_segment::resources::all()
        .iter()
        .map(|r| r.spec().type_name)
        .filter(|t| !drawn.contains(&format!("resource \"{t}\"")))
        .collect();
    assert!(missing.is_empty(), "never drawn: {missing:?}");
}
