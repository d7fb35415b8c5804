//! The one rule for every name the generator makes (resource labels, file
//! names, variable names): transliterated to ASCII, `[a-z0-9_]` only,
//! capped, and valid on Linux, macOS and Windows. The API accepts names of
//! any length and script; a file system does not.

use sha2::{Digest, Sha256};

/// Bytes of a name kept readable when it has to be cut.
pub const MAX_PREFIX: usize = 64;
/// Hex digits of the import id's hash that keep cut names apart.
const HASH_HEX: usize = 8;
/// The longest name [`capped`] gives: prefix, `_`, hash.
pub const MAX_CAPPED: usize = MAX_PREFIX + 1 + HASH_HEX;

/// Names Windows reserves whatever their extension (`con.tf` too).
const RESERVED: &[&str] = &[
    "con", "prn", "aux", "nul", "com1", "com2", "com3", "com4", "com5", "com6", "com7", "com8",
    "com9", "lpt1", "lpt2", "lpt3", "lpt4", "lpt5", "lpt6", "lpt7", "lpt8", "lpt9",
];

/// `Plan: Web (EU)` → `plan_web_eu`, `Bäckerei Müller` → `backerei_muller`;
/// `None` when nothing usable is left. Uncapped: see [`capped`].
pub fn identifier(text: &str) -> Option<String> {
    let ascii = deunicode::deunicode(text);
    let mut out = String::with_capacity(ascii.len());
    for c in ascii.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('_') {
            out.push('_');
        }
    }
    let out = out.trim_matches('_');
    if out.is_empty() {
        return None;
    }
    // Terraform names start with a letter or an underscore.
    Some(if out.starts_with(|c: char| c.is_ascii_digit()) {
        format!("_{out}")
    } else {
        out.to_string()
    })
}

/// `name` as it is when at most [`MAX_PREFIX`] bytes; otherwise its first
/// bytes and 8 hex digits of `import_id`'s hash, so two long names that
/// start alike stay apart and a name never changes between runs. Short
/// names stay as they were, so existing repositories do not churn.
pub fn capped(name: &str, import_id: &str) -> String {
    if name.len() <= MAX_PREFIX {
        return name.to_string();
    }
    // Identifiers are ASCII, but a cut must never split a character.
    let mut end = MAX_PREFIX;
    while !name.is_char_boundary(end) {
        end -= 1;
    }
    let prefix = name[..end].trim_end_matches('_');
    format!("{prefix}_{}", hash(import_id))
}

fn hash(import_id: &str) -> String {
    let digest = Sha256::digest(import_id.as_bytes());
    digest
        .iter()
        .take(HASH_HEX / 2)
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A file name for `stem` (already an identifier): capped, and never a
/// name Windows reserves.
pub fn file_name(stem: &str, import_id: &str) -> String {
    let stem = capped(stem, import_id);
    if RESERVED.contains(&stem.as_str()) {
        format!("{stem}_.tf")
    } else {
        format!("{stem}.tf")
    }
}

/// Whether `name` is one the rules above can give: what the property
/// tests hold every made name to.
pub fn is_portable(name: &str) -> bool {
    let stem = name.strip_suffix(".tf").unwrap_or(name);
    !stem.is_empty()
        && stem
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        && !stem.starts_with(|c: char| c.is_ascii_digit())
        && !RESERVED.contains(&stem)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn names_are_transliterated_not_blanked() {
        assert_eq!(
            identifier("Bäckerei Müller").as_deref(),
            Some("backerei_muller")
        );
        assert_eq!(identifier("groß").as_deref(), Some("gross"));
        assert_eq!(identifier("café au lait").as_deref(), Some("cafe_au_lait"));
        assert_eq!(identifier("!!!"), None);
    }

    #[test]
    fn short_names_are_kept_and_long_ones_cut_with_the_ids_hash() {
        assert_eq!(capped("web", "id1"), "web");
        let exact = "a".repeat(MAX_PREFIX);
        assert_eq!(capped(&exact, "id1"), exact);
        let long = "b".repeat(5_000);
        let one = capped(&long, "id1");
        let two = capped(&long, "id2");
        assert_eq!(one.len(), MAX_CAPPED);
        assert!(one.starts_with(&"b".repeat(MAX_PREFIX)), "{one}");
        assert_ne!(one, two, "two long names alike stay apart");
        assert_eq!(one, capped(&long, "id1"), "the same every run");
        // No `__` where the cut falls after an underscore.
        let cut = capped(&format!("{}_{}", "c".repeat(63), "d".repeat(10)), "x");
        assert!(!cut.contains("__"), "{cut}");
    }

    #[test]
    fn windows_reserved_names_are_never_file_names() {
        assert_eq!(file_name("con", "x"), "con_.tf");
        assert_eq!(file_name("source_con", "x"), "source_con.tf");
    }

    proptest! {
        /// Any name at all gives a valid, capped file name and label, and
        /// two names give the same one only when they agree ignoring case
        /// and punctuation (and then the caller numbers them).
        #[test]
        fn any_string_gives_a_valid_capped_lowercase_name(text in any::<String>(), id in "[a-z0-9]{1,20}") {
            let name = identifier(&text).unwrap_or_else(|| "source".to_string());
            let label = capped(&name, &id);
            prop_assert!(label.len() <= MAX_CAPPED, "{}", label);
            prop_assert!(is_portable(&label), "{:?} from {:?}", label, text);
            let file = file_name(&format!("source_{name}"), &id);
            prop_assert!(file.len() <= MAX_CAPPED + 3, "{}", file);
            prop_assert!(is_portable(&file), "{:?}", file);
            prop_assert_eq!(label.to_lowercase(), label.clone());
            // Case never tells two names apart: the same name either way.
            if text.is_ascii() {
                prop_assert_eq!(identifier(&text.to_uppercase()).map(|n| capped(&n, &id)),
                    identifier(&text.to_lowercase()).map(|n| capped(&n, &id)));
            }
        }

        #[test]
        fn long_names_of_different_objects_never_collide(prefix in "[a-z]{70,90}", a in "[a-z0-9]{8}", b in "[a-z0-9]{8}") {
            prop_assume!(a != b);
            prop_assert_ne!(capped(&prefix, &a), capped(&prefix, &b));
        }
    }
}
