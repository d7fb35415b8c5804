//! A create the API refused with 409: the object exists already. The
//! diagnostic names it and shows the import that adopts it, since that is
//! almost always what the user wants (a state lost, or an object made by
//! hand). Terraform does not tell a provider the resource's address, so the
//! commands say `<name>`.

use super::ResourceSpec;
use crate::diagnostics::Diagnostic;

/// Where the import commands put the resource's name.
const NAME: &str = "<name>";

/// Adds to `d` (the 409's own diagnostic) the existing object's import ID
/// and how to adopt it.
pub fn explain(spec: &ResourceSpec, existing: Option<&str>, mut d: Diagnostic) -> Diagnostic {
    let Some(format) = spec.import_id_format() else {
        d.detail.push_str(
            "\n\nAn object with the same identity already exists. Delete it, or change the \
             configuration so this one differs.",
        );
        return d;
    };
    let address = format!("{}.{NAME}", spec.type_name);
    let (lead, id) = match existing {
        Some(id) => (
            format!("The existing {} has import ID {id:?}.", spec.type_name),
            id.to_string(),
        ),
        None => (
            format!(
                "An existing {} holds the same identity; its import ID has the form {format}.",
                spec.type_name
            ),
            format,
        ),
    };
    d.summary = format!("{} already exists", spec.type_name);
    d.detail.push_str(&format!(
        "\n\n{lead} To manage it with Terraform instead of creating a new one, import it \
         (replace {NAME} with this resource's name):\n\n  terraform import {address} \
         {id}\n\nor add this block to the configuration and apply:\n\n  import {{\n    to = \
         {address}\n    id = \"{id}\"\n  }}"
    ));
    d
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(import: super::super::ImportFormat) -> ResourceSpec {
        ResourceSpec {
            type_name: "segment_source",
            description: "",
            fields: Vec::new(),
            import,
        }
    }

    #[test]
    fn names_the_id_and_both_ways_to_import() {
        let d = explain(
            &spec(Some(&["id"])),
            Some("abc"),
            Diagnostic::error("Cannot create", "HTTP 409"),
        );
        assert!(d.detail.starts_with("HTTP 409"), "{}", d.detail);
        assert!(d
            .detail
            .contains("terraform import segment_source.<name> abc"));
        assert!(d.detail.contains("to = segment_source.<name>"));
        assert!(d.detail.contains("id = \"abc\""));
    }

    #[test]
    fn without_an_id_shows_the_format() {
        let d = explain(&spec(Some(&["id"])), None, Diagnostic::error("x", "y"));
        assert!(d
            .detail
            .contains("terraform import segment_source.<name> <id>"));
    }
}
