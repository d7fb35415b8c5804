//! Schemas as Terraform sees them: a block of attributes and nested blocks.
//!
//! Protocol 5 has no nested attributes: an attribute users write as
//! `metadata = { id = "..." }` is an attribute of object type here (see
//! [`Type::with_optional`] for the inner attributes a user may leave out).

use std::collections::BTreeMap;

use crate::value::Type;

/// One resource, data source, or the provider block itself.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Schema {
    /// Bump when stored state needs upgrading (UpgradeResourceState gets the
    /// old number).
    pub version: i64,
    pub block: Block,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Block {
    pub attributes: Vec<Attribute>,
    pub blocks: Vec<NestedBlock>,
    pub description: String,
    pub description_kind: StringKind,
    pub deprecated: bool,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum StringKind {
    #[default]
    Plain,
    Markdown,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Attribute {
    pub name: String,
    pub ty: Type,
    pub description: String,
    pub description_kind: StringKind,
    pub required: bool,
    pub optional: bool,
    pub computed: bool,
    pub sensitive: bool,
    pub deprecated: bool,
    pub write_only: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct NestedBlock {
    pub type_name: String,
    pub block: Block,
    pub nesting: Nesting,
    pub min_items: i64,
    pub max_items: i64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Nesting {
    /// At most one; null when absent.
    Single,
    /// Exactly one, never null: absent means all attributes null.
    Group,
    List,
    Set,
    Map,
}

impl Schema {
    pub fn new(block: Block) -> Self {
        Schema { version: 0, block }
    }

    /// The object type of this schema's values (config, state, plan).
    pub fn value_type(&self) -> Type {
        self.block.value_type()
    }
}

impl Block {
    pub fn new(attributes: impl IntoIterator<Item = Attribute>) -> Self {
        Block {
            attributes: attributes.into_iter().collect(),
            ..Block::default()
        }
    }

    pub fn description(mut self, text: impl Into<String>) -> Self {
        self.description = text.into();
        self
    }

    pub fn with_block(mut self, block: NestedBlock) -> Self {
        self.blocks.push(block);
        self
    }

    /// The object type Terraform derives from a block (its "implied type").
    /// A list or map of blocks that contain a `dynamic` attribute cannot be a
    /// list or map, since elements may differ in type; Terraform makes the
    /// whole thing `dynamic` (and sends tuples/objects), and so do we.
    pub fn value_type(&self) -> Type {
        let mut attributes: BTreeMap<String, Type> = self
            .attributes
            .iter()
            .map(|a| (a.name.clone(), a.ty.clone()))
            .collect();
        for nested in &self.blocks {
            let inner = nested.block.value_type();
            let ty = match nested.nesting {
                Nesting::Single | Nesting::Group => inner,
                Nesting::List | Nesting::Map if inner.has_dynamic() => Type::Dynamic,
                Nesting::List => Type::list(inner),
                Nesting::Set => Type::set(inner),
                Nesting::Map => Type::map(inner),
            };
            attributes.insert(nested.type_name.clone(), ty);
        }
        Type::Object {
            attributes,
            optional: Default::default(),
        }
    }
}

impl Attribute {
    fn new(name: impl Into<String>, ty: Type) -> Self {
        Attribute {
            name: name.into(),
            ty,
            description: String::new(),
            description_kind: StringKind::Plain,
            required: false,
            optional: false,
            computed: false,
            sensitive: false,
            deprecated: false,
            write_only: false,
        }
    }

    /// The user must set it.
    pub fn required(name: impl Into<String>, ty: Type) -> Self {
        Attribute {
            required: true,
            ..Self::new(name, ty)
        }
    }

    /// The user may set it; null otherwise.
    pub fn optional(name: impl Into<String>, ty: Type) -> Self {
        Attribute {
            optional: true,
            ..Self::new(name, ty)
        }
    }

    /// Set by the provider only.
    pub fn computed(name: impl Into<String>, ty: Type) -> Self {
        Attribute {
            computed: true,
            ..Self::new(name, ty)
        }
    }

    /// The user may set it; the provider decides it otherwise.
    pub fn optional_computed(name: impl Into<String>, ty: Type) -> Self {
        Attribute {
            optional: true,
            computed: true,
            ..Self::new(name, ty)
        }
    }

    pub fn description(mut self, text: impl Into<String>) -> Self {
        self.description = text.into();
        self
    }

    /// Hidden in plan output and UI.
    pub fn sensitive(mut self) -> Self {
        self.sensitive = true;
        self
    }

    pub fn deprecated(mut self) -> Self {
        self.deprecated = true;
        self
    }
}

impl NestedBlock {
    pub fn new(type_name: impl Into<String>, nesting: Nesting, block: Block) -> Self {
        NestedBlock {
            type_name: type_name.into(),
            block,
            nesting,
            min_items: 0,
            max_items: 0,
        }
    }

    pub fn items(mut self, min: i64, max: i64) -> Self {
        self.min_items = min;
        self.max_items = max;
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn implied_type_of_nested_blocks() {
        let rule = Block::new([Attribute::required("type", Type::String)]);
        let loose = Block::new([Attribute::optional("any", Type::Dynamic)]);
        let block = Block::new([Attribute::computed("id", Type::String)])
            .with_block(NestedBlock::new("rules", Nesting::Set, rule.clone()))
            .with_block(NestedBlock::new("one", Nesting::Single, rule.clone()))
            .with_block(NestedBlock::new("many", Nesting::List, rule.clone()))
            .with_block(NestedBlock::new("loose", Nesting::List, loose));
        let rule_ty = Type::object([("type", Type::String)]);
        assert_eq!(
            block.value_type(),
            Type::object([
                ("id", Type::String),
                ("rules", Type::set(rule_ty.clone())),
                ("one", rule_ty.clone()),
                ("many", Type::list(rule_ty)),
                ("loose", Type::Dynamic),
            ])
        );
    }
}
