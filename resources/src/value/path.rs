//! Paths into a value: where a diagnostic points, which attribute forces
//! replacement, where a decode error happened.

use std::fmt;

#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PathStep {
    /// An object attribute (or a block nested in a schema).
    Attribute(String),
    /// A map element.
    Key(String),
    /// A list or tuple element.
    Index(i64),
}

/// A sequence of steps from the root of a resource's value. The empty path
/// is the whole value.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AttributePath(Vec<PathStep>);

impl AttributePath {
    pub fn root() -> Self {
        Self::default()
    }

    /// A path to a top-level attribute: `AttributePath::attr("name")`.
    pub fn attr(name: impl Into<String>) -> Self {
        Self(vec![PathStep::Attribute(name.into())])
    }

    pub fn from_steps(steps: Vec<PathStep>) -> Self {
        Self(steps)
    }

    pub fn steps(&self) -> &[PathStep] {
        &self.0
    }

    pub fn is_root(&self) -> bool {
        self.0.is_empty()
    }

    /// Builder form: `AttributePath::attr("labels").index(0).then_attr("key")`.
    pub fn then_attr(mut self, name: impl Into<String>) -> Self {
        self.0.push(PathStep::Attribute(name.into()));
        self
    }

    pub fn key(mut self, key: impl Into<String>) -> Self {
        self.0.push(PathStep::Key(key.into()));
        self
    }

    pub fn index(mut self, index: i64) -> Self {
        self.0.push(PathStep::Index(index));
        self
    }

    pub(crate) fn push(&mut self, step: PathStep) {
        self.0.push(step);
    }

    pub(crate) fn pop(&mut self) {
        self.0.pop();
    }
}

impl fmt::Display for AttributePath {
    /// Terraform's own spelling: `labels[0].key`, `settings["x"]`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, step) in self.0.iter().enumerate() {
            match step {
                PathStep::Attribute(name) if i == 0 => f.write_str(name)?,
                PathStep::Attribute(name) => write!(f, ".{name}")?,
                PathStep::Key(key) => write!(f, "[{key:?}]")?,
                PathStep::Index(index) => write!(f, "[{index}]")?,
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn displays_like_terraform() {
        let path = AttributePath::attr("labels")
            .index(0)
            .then_attr("key")
            .key("a b");
        assert_eq!(path.to_string(), r#"labels[0].key["a b"]"#);
        assert_eq!(AttributePath::root().to_string(), "");
    }
}
