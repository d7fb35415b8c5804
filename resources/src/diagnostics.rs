//! Diagnostics: how a provider reports errors and warnings to the user.
//!
//! Everything user-facing travels as data (a summary, a detail, and the
//! attribute it concerns); only `grpc` turns it into protobuf.

use crate::value::{AttributePath, DecodeError, EncodeError};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Severity {
    Error,
    Warning,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    /// One line, shown after "Error:".
    pub summary: String,
    /// Longer explanation; may be empty.
    pub detail: String,
    /// The attribute the diagnostic is about; Terraform then shows the
    /// matching configuration line.
    pub attribute: Option<AttributePath>,
}

impl Diagnostic {
    pub fn error(summary: impl Into<String>, detail: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            summary: summary.into(),
            detail: detail.into(),
            attribute: None,
        }
    }

    pub fn warning(summary: impl Into<String>, detail: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Self::error(summary, detail)
        }
    }

    /// Points the diagnostic at an attribute.
    pub fn at(mut self, path: AttributePath) -> Self {
        self.attribute = Some(path);
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// Bytes Terraform sent that do not fit the schema: Terraform and provider
/// disagree on the schema, which the user cannot fix but should see.
impl From<DecodeError> for Diagnostic {
    fn from(e: DecodeError) -> Self {
        let attribute = (!e.path.is_root()).then(|| e.path.clone());
        Diagnostic {
            severity: Severity::Error,
            summary: "Invalid value from Terraform".into(),
            detail: format!("The provider could not read a value Terraform sent: {e}."),
            attribute,
        }
    }
}

/// A value the provider built that does not fit its own schema: a bug.
impl From<EncodeError> for Diagnostic {
    fn from(e: EncodeError) -> Self {
        let attribute = (!e.path.is_root()).then(|| e.path.clone());
        Diagnostic {
            severity: Severity::Error,
            summary: "Provider produced an invalid value".into(),
            detail: format!("This is a bug in the provider, please report it: {e}."),
            attribute,
        }
    }
}

/// An ordered collection of diagnostics, usually built up while checking a
/// whole configuration so the user sees every problem at once.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Diagnostics(Vec<Diagnostic>);

impl Diagnostics {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn push(&mut self, diagnostic: impl Into<Diagnostic>) {
        self.0.push(diagnostic.into());
    }

    pub fn error(&mut self, summary: impl Into<String>, detail: impl Into<String>) {
        self.push(Diagnostic::error(summary, detail));
    }

    pub fn warning(&mut self, summary: impl Into<String>, detail: impl Into<String>) {
        self.push(Diagnostic::warning(summary, detail));
    }

    pub fn has_errors(&self) -> bool {
        self.0.iter().any(Diagnostic::is_error)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn iter(&self) -> std::slice::Iter<'_, Diagnostic> {
        self.0.iter()
    }
}

impl From<Diagnostic> for Diagnostics {
    fn from(d: Diagnostic) -> Self {
        Diagnostics(vec![d])
    }
}

impl Extend<Diagnostic> for Diagnostics {
    fn extend<I: IntoIterator<Item = Diagnostic>>(&mut self, iter: I) {
        self.0.extend(iter);
    }
}

impl FromIterator<Diagnostic> for Diagnostics {
    fn from_iter<I: IntoIterator<Item = Diagnostic>>(iter: I) -> Self {
        Diagnostics(iter.into_iter().collect())
    }
}

impl IntoIterator for Diagnostics {
    type Item = Diagnostic;
    type IntoIter = std::vec::IntoIter<Diagnostic>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

impl<'a> IntoIterator for &'a Diagnostics {
    type Item = &'a Diagnostic;
    type IntoIter = std::slice::Iter<'a, Diagnostic>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn collects_and_counts_errors() {
        let mut diags = Diagnostics::new();
        diags.warning("careful", "");
        assert!(!diags.has_errors());
        diags.push(Diagnostic::error("bad", "very").at(AttributePath::attr("url")));
        assert!(diags.has_errors());
        assert_eq!(diags.len(), 2);
        let last = diags.iter().last().and_then(|d| d.attribute.clone());
        assert_eq!(last, Some(AttributePath::attr("url")));
    }
}
