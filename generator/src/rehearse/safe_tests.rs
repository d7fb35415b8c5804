use super::*;

const URL: &str = "http://127.0.0.1:9";

fn files(list: &[(&str, &str)]) -> Files {
    list.iter()
        .map(|(n, t)| (n.to_string(), t.to_string()))
        .collect()
}

fn refused(list: &[(&str, &str)]) -> String {
    match prepare(&files(list), "base", URL, "/tmp/s") {
        Err(e @ RehearseError::Unsafe { .. }) => e.to_string(),
        other => panic!("want a refusal, got {other:?}"),
    }
}

const REQUIRED: &str =
    "terraform {\n  required_providers {\n    seg = { source = \"segment-gitops/segment\" }\n  }\n  backend \"s3\" {}\n}\n";

// Line numbers in Terraform's diagnostics must stay the repository's.
#[test]
fn import_blocks_are_blanked_keeping_every_line() {
    let text = "import {\n  to = segment_source.a\n  id = \"x\"\n}\nresource \"segment_source\" \"a\" {}\n";
    let p = prepare(&files(&[("a.tf", text)]), "base", URL, "/tmp/s").expect("safe");
    let out = &p.files["a.tf"];
    assert!(!out.contains("import"), "{out}");
    assert_eq!(out.lines().count(), text.lines().count());
    assert_eq!(out.lines().nth(4), text.lines().nth(4));
}

// Every configuration of the provider, aliases and renamed local names
// included, must point at the replica; the backend must be local.
#[test]
fn every_provider_configuration_and_the_backend_are_overridden() {
    let providers = "provider \"seg\" {\n  url = \"https://prod\"\n  token = var.t\n}\nprovider \"seg\" {\n  alias = \"eu\"\n  url = \"https://eu\"\n}\n";
    let p = prepare(
        &files(&[("main.tf", REQUIRED), ("p.tf", providers)]),
        "base",
        URL,
        "/tmp/s",
    )
    .expect("safe");
    let o = &p.files[OVERRIDE_FILE];
    assert!(
        o.contains("backend \"local\" {\n    path = \"/tmp/s\""),
        "{o}"
    );
    assert!(
        o.contains(&format!(
            "provider \"seg\" {{\n  url   = \"{URL}\"\n  token = null"
        )),
        "{o}"
    );
    assert!(
        o.contains(&format!(
            "provider \"seg\" {{\n  alias = \"eu\"\n  url   = \"{URL}\""
        )),
        "{o}"
    );
    assert!(!p.files.contains_key(PROVIDERS_FILE));
}

// An override of a block the folder lacks is a Terraform error, and a
// provider configured only by environment must still name the replica.
#[test]
fn a_provider_without_a_block_gets_one_in_an_ordinary_file() {
    let p = prepare(&files(&[("main.tf", REQUIRED)]), "base", URL, "/tmp/s").expect("safe");
    let extra = &p.files[PROVIDERS_FILE];
    assert!(
        extra.contains(&format!("provider \"seg\" {{\n  url   = \"{URL}\"")),
        "{extra}"
    );
    assert!(!p.files[OVERRIDE_FILE].contains("provider"));
    let empty = prepare(&Files::new(), "base", URL, "/tmp/s").expect("safe");
    assert!(!empty.files.contains_key(PROVIDERS_FILE));
}

#[test]
fn what_cannot_be_made_safe_is_refused() {
    let late = refused(&[("zzz_override.tf", "")]);
    assert!(
        late.contains("zzz_override.tf is an override file"),
        "{late}"
    );
    let module = refused(&[("m.tf", "module \"x\" {\n  source = \"./x\"\n}\n")]);
    assert!(module.contains("module \"x\" in m.tf"), "{module}");
    let alias = refused(&[("p.tf", "provider \"segment\" {\n  alias = \"a${1}\"\n}\n")]);
    assert!(
        alias.contains("provider \"segment\" has an alias"),
        "{alias}"
    );
    // Another provider's blocks are not ours to judge.
    let other = "provider \"aws\" {\n  alias = \"a${1}\"\n}\n";
    prepare(&files(&[("p.tf", other)]), "base", URL, "/tmp/s").expect("not ours");
    // An override sorting before ours is merged first, then ours wins.
    prepare(&files(&[("a_override.tf", "")]), "base", URL, "/tmp/s").expect("earlier");
}

#[test]
fn secret_variables_left_null_are_to_be_filled() {
    let vars = [
        ("v.tf", crate::files::variable_block("key", "segment_source.a").as_str()),
        ("w.tf", "variable \"plain\" {\n  default = null\n}\nvariable \"set\" {\n  sensitive = true\n  default = \"x\"\n}\nvariable \"required\" {\n  sensitive = true\n}\n"),
    ]
    .map(|(n, t)| (n.to_string(), t.to_string()));
    let p = prepare(&vars.into_iter().collect(), "base", URL, "/tmp/s").expect("safe");
    let names: Vec<&str> = p.secrets.iter().map(String::as_str).collect();
    assert_eq!(names, ["key", "required"]);
}
