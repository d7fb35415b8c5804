//! `segment_space`: an Engage space, by exactly one of `id`, `name` or
//! `slug`. Spaces are made in Segment's app, so configurations name them
//! rather than create them. By name or slug the workspace's spaces are
//! listed (the API has no search); a workspace without Engage has none.

use async_trait::async_trait;
use segment_api::models::Space;
use segment_api::Client;

use super::lookup::{self, Lookup};
use crate::engine::{DataSourceType, Failure, Field, Obj, Outcome, ResourceSpec};
use crate::value::Type;

pub struct SpaceDataSource;

/// What no space matching says: the spaces there are, or that there are none.
fn missing(attribute: &str, wanted: &str, spaces: &[Space]) -> Failure {
    let known = if spaces.is_empty() {
        " The workspace has no spaces: Engage is not enabled, or no space was made in the \
         Segment app yet."
            .to_string()
    } else {
        let shown: Vec<String> = spaces
            .iter()
            .take(10)
            .map(|s| format!("{:?} (slug {:?}, id {:?})", s.name, s.slug, s.id))
            .collect();
        format!(" The workspace's spaces: {}.", shown.join(", "))
    };
    Failure::invalid(
        attribute,
        format!("No space has the {attribute} {wanted:?} (matched exactly).{known}"),
    )
}

/// The one space `by` names among `spaces`.
fn pick(by: &Lookup, spaces: Vec<Space>) -> Result<Space, Failure> {
    let (attribute, wanted) = match by {
        Lookup::Name(n) => ("name", n.as_str()),
        Lookup::Slug(s) => ("slug", s.as_str()),
        Lookup::Id(id) => ("id", id.as_str()),
    };
    let of = |s: &Space| match by {
        Lookup::Name(_) => s.name.clone(),
        Lookup::Slug(_) => s.slug.clone(),
        Lookup::Id(_) => s.id.clone(),
    };
    let found: Vec<&Space> = spaces.iter().filter(|s| of(s) == wanted).collect();
    match found.as_slice() {
        [one] => Ok((*one).clone()),
        [] => Err(missing(attribute, wanted, &spaces)),
        many => Err(Failure::invalid(
            attribute,
            format!(
                "{} spaces have the {attribute} {wanted:?}: {}. Set `slug` (or `id`) instead.",
                many.len(),
                many.iter()
                    .map(|s| format!("slug {:?}, id {:?}", s.slug, s.id))
                    .collect::<Vec<_>>()
                    .join("; ")
            ),
        )),
    }
}

#[async_trait]
impl DataSourceType for SpaceDataSource {
    fn spec(&self) -> ResourceSpec {
        ResourceSpec {
            type_name: "segment_space",
            description: "Reads an Engage Space, named by exactly one of `id`, `name` or `slug` \
                (matched exactly). Spaces are made in the Segment app; a workspace without \
                Engage has none. For more information, visit the \
                [Segment docs](https://segment.com/docs/unify/identity-resolution/space-setup/).",
            fields: lookup::arguments(
                "The Space's id.",
                vec![
                    Field::computed("name", Type::String, "The Space's name."),
                    Field::computed("slug", Type::String, "The Space's URL-friendly slug."),
                ],
            ),
            import: None,
        }
    }

    fn validate(&self, config: &Obj) -> Vec<Failure> {
        let set: Vec<&str> = ["id", "name", "slug"]
            .into_iter()
            .filter(|k| !config.get(k).is_null())
            .collect();
        match set.as_slice() {
            [_] => Vec::new(),
            [] => vec![Failure::invalid(
                "id",
                "Set one of `id`, `name` or `slug` to find the Space, such as \
                 `slug = \"marketing\"`.",
            )],
            [_, second, ..] => vec![Failure::invalid(
                *second,
                format!(
                    "Set only one of `id`, `name` or `slug`; this configuration sets `{}`.",
                    set.join("` and `")
                ),
            )],
        }
    }

    async fn read(&self, api: &Client, config: &Obj) -> Outcome<Obj> {
        let space = match lookup::lookup(config)? {
            Lookup::Id(id) => match api.get_space(&id).await {
                Ok(space) => space,
                // A workspace without Engage refuses GET /spaces/{id} too.
                Err(e) if matches!(e.status(), Some(403 | 404)) => {
                    let spaces = api.list_spaces().await?;
                    pick(&Lookup::Id(id), spaces)?
                }
                Err(e) => return Err(e.into()),
            },
            by => pick(&by, api.list_spaces().await?)?,
        };
        Ok(super::from_model(&self.spec(), &space))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spaces() -> Vec<Space> {
        let space = |id: &str, name: &str, slug: &str| Space {
            id: id.into(),
            name: name.into(),
            slug: slug.into(),
        };
        vec![
            space("s1", "Marketing", "marketing"),
            space("s2", "Marketing", "marketing-eu"),
            space("s3", "Product", "product"),
        ]
    }

    fn message(f: Failure) -> String {
        match f {
            Failure::Invalid { attribute, message } => format!("{attribute}: {message}"),
            Failure::Api(e) => e.to_string(),
        }
    }

    #[test]
    fn a_space_is_found_by_slug_or_a_unique_name() {
        let by_slug = pick(&Lookup::Slug("marketing-eu".into()), spaces());
        assert_eq!(by_slug.map(|s| s.id).ok().as_deref(), Some("s2"));
        let by_name = pick(&Lookup::Name("Product".into()), spaces());
        assert_eq!(by_name.map(|s| s.id).ok().as_deref(), Some("s3"));
    }

    #[test]
    fn shared_names_and_misses_say_what_there_is() {
        let shared = message(pick(&Lookup::Name("Marketing".into()), spaces()).unwrap_err());
        assert!(shared.starts_with("name: 2 spaces"), "{shared}");
        let miss = message(pick(&Lookup::Slug("sales".into()), spaces()).unwrap_err());
        assert!(miss.contains("\"product\""), "{miss}");
        let none = message(pick(&Lookup::Slug("sales".into()), Vec::new()).unwrap_err());
        assert!(none.contains("no spaces"), "{none}");
    }
}
