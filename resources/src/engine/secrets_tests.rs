use super::*;
use crate::engine::Field;
use crate::value::{Type, Value};

const MASK: &str = "••••••••";

fn spec(omits_secrets: bool) -> ResourceSpec {
    let settings = Field::optional_computed("settings", Type::String, "");
    ResourceSpec {
        type_name: "segment_thing",
        description: "",
        fields: vec![
            Field::id("id"),
            if omits_secrets {
                settings.settings_omitting_secrets()
            } else {
                settings.settings()
            },
        ],
        import: None,
    }
}

fn state(settings: &str) -> Obj {
    Obj::new().with("id", "d1").with("settings", settings)
}

/// What the workspace answers: `apiKey` masked.
fn answer(settings: &str) -> Obj {
    state(settings)
}

fn known_after_import() -> Secrets {
    let mut s = Secrets::default();
    let imported = answer(&format!(r#"{{"apiKey":"{MASK}","region":"us"}}"#));
    learn(&spec(false), &mut s, &imported, &imported, &BTreeMap::new());
    s
}

#[test]
fn a_read_learns_masked_keys_and_private_state_round_trips() {
    let s = known_after_import();
    assert_eq!(s.field("settings").get("apiKey"), Some(&None));
    assert!(!s.field("settings").contains_key("region"));
    assert_eq!(Secrets::from_private(&s.to_private()), s);
    // No secret, no private state; foreign bytes know none.
    assert!(Secrets::default().to_private().is_empty());
    assert_eq!(Secrets::from_private(b"keep"), Secrets::default());
}

// A null secret against the mask was sent, and the API's merge deleted it.
#[test]
fn a_null_secret_is_no_change_and_never_sent() {
    let s = known_after_import();
    let prior = format!(r#"{{"apiKey":"{MASK}","region":"us"}}"#);
    let known = s.field("settings");
    assert!(unchanged(r#"{"apiKey":null,"region":"us"}"#, &prior, known));
    assert!(!unchanged(
        r#"{"apiKey":null,"region":"eu"}"#,
        &prior,
        known
    ));
    // Against a null or a real value the prior state holds, too.
    assert!(unchanged(
        r#"{"apiKey":null}"#,
        r#"{"apiKey":"real"}"#,
        known
    ));
    let planned = state(r#"{"apiKey":null,"region":"eu"}"#);
    let out = outgoing(&spec(false), &state(&prior), &planned, &s);
    assert_eq!(out.planned.str("settings"), Some(r#"{"region":"eu"}"#));
    assert_eq!(out.prior.str("settings"), Some(r#"{"region":"us"}"#));
    assert!(out.sent["settings"].is_empty());
    assert!(warnings(&spec(false), &state(&prior), &planned, &s).is_empty());
}

// A placeholder set to get a plan replaced the real secret unannounced.
#[test]
fn a_new_secret_is_a_change_sent_with_a_warning() {
    let mut s = known_after_import();
    let prior = state(&format!(r#"{{"apiKey":"{MASK}","region":"us"}}"#));
    let config = r#"{"apiKey":"new-key","region":"us"}"#;
    assert!(!unchanged(
        config,
        prior.str("settings").unwrap_or_default(),
        s.field("settings")
    ));
    let planned = state(config);
    let w = warnings(&spec(false), &prior, &planned, &s);
    assert_eq!(w.len(), 1, "{w:?}");
    assert!(!w[0].is_error());
    assert!(
        w[0].detail
            .contains("settings.apiKey of segment_thing (id \"d1\") will replace the secret"),
        "{w:?}"
    );
    assert!(!format!("{w:?}").contains("new-key"), "never the value");
    let out = outgoing(&spec(false), &prior, &planned, &s);
    assert_eq!(out.planned.str("settings"), Some(config));
    // What went out is remembered: the same value again is no change, even
    // after the state held null for it.
    let returned = answer(&format!(r#"{{"apiKey":"{MASK}","region":"us"}}"#));
    learn(&spec(false), &mut s, &planned, &returned, &out.sent);
    let known = s.field("settings");
    assert!(matches!(known.get("apiKey"), Some(Some(_))));
    assert!(unchanged(config, r#"{"apiKey":null,"region":"us"}"#, known));
    assert!(!unchanged(
        r#"{"apiKey":"other","region":"us"}"#,
        r#"{"apiKey":null,"region":"us"}"#,
        known
    ));
    let again = outgoing(
        &spec(false),
        &state(r#"{"apiKey":null,"region":"us"}"#),
        &planned,
        &s,
    );
    assert_eq!(again.planned.str("settings"), Some(r#"{"region":"us"}"#));
}

#[test]
fn a_create_remembers_the_secrets_the_answer_masks() {
    let planned = state(r#"{"apiKey":"k1","region":"us"}"#);
    let mut s = Secrets::default();
    let sent = all_strings(&spec(false), &planned);
    let returned = answer(&format!(r#"{{"apiKey":"{MASK}","region":"us"}}"#));
    learn(&spec(false), &mut s, &planned, &returned, &sent);
    let known = s.field("settings");
    assert_eq!(known.len(), 1, "only the secret: {known:?}");
    assert!(unchanged(r#"{"apiKey":"k1"}"#, r#"{"apiKey":null}"#, known));
}

#[test]
fn where_the_api_omits_secrets_an_omitted_key_is_one() {
    let held = state(r#"{"password":"p","host":"h","gone":null}"#);
    let returned = answer(r#"{"host":"h"}"#);
    let mut s = Secrets::default();
    learn(&spec(true), &mut s, &held, &returned, &BTreeMap::new());
    let known = s.field("settings");
    assert!(known.contains_key("password") && !known.contains_key("gone"));
    let mut s = Secrets::default();
    learn(&spec(false), &mut s, &held, &returned, &BTreeMap::new());
    assert!(s.field("settings").is_empty(), "masks only, elsewhere");
}

#[test]
fn plain_keys_compare_as_json_and_secrets_removed_are_a_change() {
    let known = Known::new();
    assert!(unchanged(
        r#"{"n": 1, "a": "x"}"#,
        r#"{"a":"x","n":1.0}"#,
        &known
    ));
    assert!(!unchanged(r#"{"n": 2}"#, r#"{"n":1}"#, &known));
    let s = known_after_import();
    assert!(!unchanged(
        r#"{"region":"us"}"#,
        &format!(r#"{{"apiKey":"{MASK}","region":"us"}}"#),
        s.field("settings")
    ));
    // Plan-side: the prior text stays when only a secret is null.
    let p = crate::engine::plan::plan(
        &spec(false),
        &state(&format!(r#"{{"apiKey":"{MASK}"}}"#)).into_value(),
        &state(r#"{"apiKey":null}"#).into_value(),
        &state(r#"{"apiKey":null}"#)
            .with("id", Value::Null)
            .into_value(),
        &s,
    );
    assert_eq!(
        p.planned.get("settings"),
        Some(&Value::from(format!(r#"{{"apiKey":"{MASK}"}}"#)))
    );
}
