//! One attribute of a resource type, declared once: its schema and the rules
//! the engine applies to it (replacement, JSON comparison, checks).

use super::nested::{self, NestedDoc};
use crate::schema::Attribute;
use crate::value::{Type, Value};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    Required,
    Optional,
    Computed,
    OptionalComputed,
}

/// How a JSON-string attribute (settings) is compared and refreshed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JsonMode {
    /// Not JSON: compared as written.
    None,
    /// Compared as parsed JSON, so key order and spacing never show as a diff.
    Normalized,
    /// Settings: normalized, and on refresh only the keys the configuration
    /// holds are compared; masked secrets keep the configured value.
    Settings {
        /// The API leaves secrets out entirely (warehouses) rather than masking
        /// them: a key the API omits keeps the configured value.
        omits_secrets: bool,
    },
}

/// A check on a known configured value.
#[derive(Clone, Copy, Debug)]
pub enum Check {
    /// One of these words.
    OneOf(&'static [&'static str]),
    /// Not the empty string.
    NonEmpty,
    /// A number in this range (inclusive).
    Range(f64, f64),
}

#[derive(Clone, Debug)]
pub struct Field {
    pub name: &'static str,
    pub ty: Type,
    pub role: Role,
    pub description: &'static str,
    pub sensitive: bool,
    /// A change replaces the resource.
    pub replace: bool,
    /// Removing the value replaces the resource: the API can change it in
    /// place but has no way to clear it.
    pub replace_on_removal: bool,
    /// What an unset (optional and computed) attribute plans as, so that
    /// removing it restores the default while the state always holds what
    /// the API reports (an import then plans clean either way).
    pub default: Option<Value>,
    /// Only a change of this inner attribute replaces it (`metadata.id`);
    /// other inner changes update in place.
    pub replace_key: Option<&'static str>,
    /// A computed value that may change on any update (timestamps): unknown
    /// in an update's plan. Other computed values keep their prior value.
    pub volatile: bool,
    /// Kept for configurations written for the official provider; Terraform
    /// is told it is deprecated.
    pub deprecated: bool,
    pub json: JsonMode,
    pub checks: Vec<Check>,
    /// Descriptions of the attributes inside an object type, for the docs.
    pub nested: Vec<NestedDoc>,
}

impl Field {
    fn new(name: &'static str, ty: Type, role: Role, description: &'static str) -> Field {
        Field {
            name,
            ty,
            role,
            description,
            sensitive: false,
            replace: false,
            replace_on_removal: false,
            default: None,
            replace_key: None,
            volatile: false,
            deprecated: false,
            json: JsonMode::None,
            checks: Vec::new(),
            nested: Vec::new(),
        }
    }
    pub fn required(name: &'static str, ty: Type, description: &'static str) -> Field {
        Field::new(name, ty, Role::Required, description)
    }
    pub fn optional(name: &'static str, ty: Type, description: &'static str) -> Field {
        Field::new(name, ty, Role::Optional, description)
    }
    pub fn computed(name: &'static str, ty: Type, description: &'static str) -> Field {
        Field::new(name, ty, Role::Computed, description)
    }
    pub fn optional_computed(name: &'static str, ty: Type, description: &'static str) -> Field {
        Field::new(name, ty, Role::OptionalComputed, description)
    }
    /// The `id` every resource has.
    pub fn id(description: &'static str) -> Field {
        Field::computed("id", Type::String, description)
    }

    pub fn replaces(mut self) -> Field {
        self.replace = true;
        self
    }
    pub fn replaces_on_removal(mut self) -> Field {
        self.replace_on_removal = true;
        self
    }
    /// Only for optional and computed attributes: Terraform lets a provider
    /// plan a value only where the attribute is computed.
    pub fn defaults_to(mut self, v: impl Into<Value>) -> Field {
        debug_assert!(self.role == Role::OptionalComputed, "{}", self.name);
        self.default = Some(v.into());
        self
    }
    /// A change of the inner attribute `key` replaces the resource.
    pub fn replaces_when(mut self, key: &'static str) -> Field {
        self.replace = true;
        self.replace_key = Some(key);
        self
    }
    pub fn sensitive(mut self) -> Field {
        self.sensitive = true;
        self
    }
    pub fn volatile(mut self) -> Field {
        self.volatile = true;
        self
    }
    pub fn deprecated(mut self) -> Field {
        self.deprecated = true;
        self
    }
    pub fn json(mut self) -> Field {
        self.json = JsonMode::Normalized;
        self
    }
    /// Integration settings. They are sensitive as a whole: they hold API
    /// keys and passwords, and protocol 5 cannot mark single keys. (It also
    /// keeps an import quiet: a secret fed from a sensitive variable into a
    /// non-sensitive attribute shows as an update of its sensitivity.)
    ///
    /// Declare them optional and computed: `terraform plan
    /// -generate-config-out` writes every sensitive attribute as
    /// `null # sensitive`, and only a computed attribute can plan its prior
    /// value for a null configuration (none managed, nothing to change).
    pub fn settings(mut self) -> Field {
        self.json = JsonMode::Settings {
            omits_secrets: false,
        };
        self.sensitive = true;
        self
    }
    pub fn settings_omitting_secrets(mut self) -> Field {
        self.json = JsonMode::Settings {
            omits_secrets: true,
        };
        self.sensitive = true;
        self
    }
    pub fn one_of(mut self, words: &'static [&'static str]) -> Field {
        self.checks.push(Check::OneOf(words));
        self
    }
    pub fn non_empty(mut self) -> Field {
        self.checks.push(Check::NonEmpty);
        self
    }
    pub fn range(mut self, low: f64, high: f64) -> Field {
        self.checks.push(Check::Range(low, high));
        self
    }

    /// Describes the attribute at `path` inside this one (`"id"` in
    /// `metadata`, `"track.common_event_on_violations"`).
    pub fn nested(mut self, path: &str, description: &'static str) -> Field {
        self.nested.push(NestedDoc::new(path, description));
        self
    }
    /// As [`Field::nested`], for an attribute that takes one of `words`.
    pub fn nested_one_of(
        mut self,
        path: &str,
        description: &'static str,
        words: &'static [&'static str],
    ) -> Field {
        self.nested
            .push(NestedDoc::new(path, description).one_of(words));
        self
    }
    /// Descriptions shared by several attributes of the same shape.
    pub fn nested_docs(mut self, docs: impl IntoIterator<Item = NestedDoc>) -> Field {
        self.nested.extend(docs);
        self
    }

    /// The docs' text for the attribute at `path` inside this one.
    pub fn nested_description(&self, path: &str) -> Option<String> {
        self.nested
            .iter()
            .find(|d| d.path == path)
            .map(NestedDoc::full_description)
    }

    /// Attributes inside this one that have no description.
    pub fn undescribed_nested(&self) -> Vec<String> {
        nested::paths(&self.ty)
            .into_iter()
            .filter(|p| {
                self.nested_description(p)
                    .is_none_or(|d| d.trim().is_empty())
            })
            .collect()
    }

    /// Described paths the type does not have (a renamed attribute).
    pub fn stray_nested_docs(&self) -> Vec<String> {
        let paths = nested::paths(&self.ty);
        self.nested
            .iter()
            .filter(|d| !paths.contains(&d.path))
            .map(|d| d.path.clone())
            .collect()
    }

    pub fn is_computed(&self) -> bool {
        matches!(self.role, Role::Computed | Role::OptionalComputed)
    }

    /// The attribute Terraform sees.
    pub fn attribute(&self) -> Attribute {
        let a = match self.role {
            Role::Required => Attribute::required(self.name, self.ty.clone()),
            Role::Optional => Attribute::optional(self.name, self.ty.clone()),
            Role::Computed => Attribute::computed(self.name, self.ty.clone()),
            Role::OptionalComputed => Attribute::optional_computed(self.name, self.ty.clone()),
        };
        let a = a.description(self.full_description());
        let a = if self.deprecated { a.deprecated() } else { a };
        if self.sensitive {
            a.sensitive()
        } else {
            a
        }
    }

    /// The description plus what the engine enforces, for docs and schema.
    pub fn full_description(&self) -> String {
        let mut d = self.description.to_string();
        for c in &self.checks {
            if let Check::OneOf(words) = c {
                d.push_str(&format!(" One of: `{}`.", words.join("`, `")));
            }
        }
        if let Some(v) = &self.default {
            d.push_str(&format!(" Defaults to `{}`.", hcl_literal(v)));
        }
        match (self.replace, self.replace_key) {
            (true, Some(key)) => d.push_str(&format!(
                " Changing `{}.{key}` replaces the resource.",
                self.name
            )),
            (true, None) => d.push_str(" Changing it replaces the resource."),
            _ => {}
        }
        if self.replace_on_removal {
            d.push_str(" Removing it replaces the resource.");
        }
        if matches!(self.json, JsonMode::Settings { .. }) && self.role != Role::Required {
            d.push_str(" Left out, the settings are read but none are managed.");
        }
        d
    }
}

/// A default as a user would write it.
fn hcl_literal(v: &Value) -> String {
    match v {
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => format!("{s:?}"),
        _ => "null".to_string(),
    }
}
