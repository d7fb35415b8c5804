//! Our types to and from the generated protobuf types. Nothing else in the
//! crate sees a protobuf message.

use tfplugin5::tfplugin5 as pb;

use crate::backend::{ClientCapabilities, ProviderSchema, RawState, ServerCapabilities};
use crate::diagnostics::{Diagnostic, Diagnostics, Severity};
use crate::schema::{Attribute, Block, NestedBlock, Nesting, Schema, StringKind};
use crate::value::{self, AttributePath, PathStep, Type, Value};

use pb::attribute_path::step::Selector;

pub(super) fn schema(s: &Schema) -> pb::Schema {
    pb::Schema {
        version: s.version,
        block: Some(block(&s.block, s.version)),
    }
}

fn block(b: &Block, version: i64) -> pb::schema::Block {
    pb::schema::Block {
        version,
        attributes: b.attributes.iter().map(attribute).collect(),
        block_types: b.blocks.iter().map(|n| nested_block(n, version)).collect(),
        description: b.description.clone(),
        description_kind: string_kind(b.description_kind),
        deprecated: b.deprecated,
    }
}

fn attribute(a: &Attribute) -> pb::schema::Attribute {
    pb::schema::Attribute {
        name: a.name.clone(),
        r#type: a.ty.to_json(),
        description: a.description.clone(),
        required: a.required,
        optional: a.optional,
        computed: a.computed,
        sensitive: a.sensitive,
        description_kind: string_kind(a.description_kind),
        deprecated: a.deprecated,
        write_only: a.write_only,
    }
}

fn nested_block(n: &NestedBlock, version: i64) -> pb::schema::NestedBlock {
    use pb::schema::nested_block::NestingMode;
    let nesting = match n.nesting {
        Nesting::Single => NestingMode::Single,
        Nesting::Group => NestingMode::Group,
        Nesting::List => NestingMode::List,
        Nesting::Set => NestingMode::Set,
        Nesting::Map => NestingMode::Map,
    };
    pb::schema::NestedBlock {
        type_name: n.type_name.clone(),
        block: Some(block(&n.block, version)),
        nesting: nesting.into(),
        min_items: n.min_items,
        max_items: n.max_items,
    }
}

fn string_kind(kind: StringKind) -> i32 {
    match kind {
        StringKind::Plain => pb::StringKind::Plain.into(),
        StringKind::Markdown => pb::StringKind::Markdown.into(),
    }
}

pub(super) fn server_capabilities(c: ServerCapabilities) -> pb::ServerCapabilities {
    pb::ServerCapabilities {
        plan_destroy: c.plan_destroy,
        get_provider_schema_optional: c.get_provider_schema_optional,
        move_resource_state: c.move_resource_state,
    }
}

pub(super) fn client_capabilities(c: Option<pb::ClientCapabilities>) -> ClientCapabilities {
    let c = c.unwrap_or_default();
    ClientCapabilities {
        deferral_allowed: c.deferral_allowed,
        write_only_attributes_allowed: c.write_only_attributes_allowed,
    }
}

/// The whole GetSchema answer, built once at start-up.
pub(super) fn provider_schema(s: &ProviderSchema) -> pb::get_provider_schema::Response {
    pb::get_provider_schema::Response {
        provider: Some(schema(&s.provider)),
        resource_schemas: s
            .resources
            .iter()
            .map(|(k, v)| (k.clone(), schema(v)))
            .collect(),
        data_source_schemas: s
            .data_sources
            .iter()
            .map(|(k, v)| (k.clone(), schema(v)))
            .collect(),
        provider_meta: s.provider_meta.as_ref().map(schema),
        server_capabilities: Some(server_capabilities(s.capabilities)),
        ..Default::default()
    }
}

pub(super) fn diagnostics(diags: Diagnostics) -> Vec<pb::Diagnostic> {
    diags.into_iter().map(diagnostic).collect()
}

fn diagnostic(d: Diagnostic) -> pb::Diagnostic {
    let severity = match d.severity {
        Severity::Error => pb::diagnostic::Severity::Error,
        Severity::Warning => pb::diagnostic::Severity::Warning,
    };
    pb::Diagnostic {
        severity: severity.into(),
        summary: d.summary,
        detail: d.detail,
        attribute: d.attribute.as_ref().map(attribute_path),
    }
}

pub(super) fn attribute_path(path: &AttributePath) -> pb::AttributePath {
    let step = |s: &PathStep| pb::attribute_path::Step {
        selector: Some(match s {
            PathStep::Attribute(name) => Selector::AttributeName(name.clone()),
            PathStep::Key(key) => Selector::ElementKeyString(key.clone()),
            PathStep::Index(i) => Selector::ElementKeyInt(*i),
        }),
    };
    pb::AttributePath {
        steps: path.steps().iter().map(step).collect(),
    }
}

pub(super) fn raw_state(raw: Option<pb::RawState>) -> RawState {
    let raw = raw.unwrap_or_default();
    RawState {
        json: (!raw.json.is_empty()).then_some(raw.json),
        flatmap: raw.flatmap.into_iter().collect(),
    }
}

/// Reads a DynamicValue: msgpack if present, else JSON; an absent or empty
/// one is null (how Terraform sends e.g. an unset `provider_meta`).
pub(super) fn decode(dv: Option<pb::DynamicValue>, ty: &Type, diags: &mut Diagnostics) -> Value {
    let Some(dv) = dv else {
        return Value::Null;
    };
    let result = if !dv.msgpack.is_empty() {
        value::decode_msgpack(&dv.msgpack, ty)
    } else if !dv.json.is_empty() {
        value::decode_json(&dv.json, ty)
    } else {
        Ok(Value::Null)
    };
    result.unwrap_or_else(|e| {
        diags.push(e);
        Value::Null
    })
}

/// Writes a DynamicValue as msgpack, the only form we answer with. A value
/// that does not fit the schema becomes an error diagnostic.
pub(super) fn encode(v: &Value, ty: &Type, diags: &mut Diagnostics) -> Option<pb::DynamicValue> {
    match value::encode_msgpack(v, ty) {
        Ok(msgpack) => Some(pb::DynamicValue {
            msgpack,
            json: Vec::new(),
        }),
        Err(e) => {
            diags.push(e);
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diagnostics_keep_their_paths() {
        let d =
            Diagnostic::error("bad", "detail").at(AttributePath::attr("labels").index(2).key("k"));
        let pb = diagnostics(Diagnostics::from(d));
        assert_eq!(pb[0].severity, pb::diagnostic::Severity::Error as i32);
        let steps: Vec<_> = pb[0]
            .attribute
            .as_ref()
            .map(|p| p.steps.iter().filter_map(|s| s.selector.clone()).collect())
            .unwrap_or_default();
        assert_eq!(
            steps,
            [
                Selector::AttributeName("labels".into()),
                Selector::ElementKeyInt(2),
                Selector::ElementKeyString("k".into())
            ]
        );
    }

    #[test]
    fn decode_prefers_msgpack_and_falls_back_to_json() {
        let mut diags = Diagnostics::new();
        let json = pb::DynamicValue {
            msgpack: vec![],
            json: br#""x""#.to_vec(),
        };
        assert_eq!(
            decode(Some(json), &Type::String, &mut diags),
            Value::from("x")
        );
        let both = pb::DynamicValue {
            msgpack: vec![0xa1, b'y'],
            json: br#""x""#.to_vec(),
        };
        assert_eq!(
            decode(Some(both), &Type::String, &mut diags),
            Value::from("y")
        );
        assert_eq!(decode(None, &Type::String, &mut diags), Value::Null);
        assert!(diags.is_empty());
        let bad = pb::DynamicValue {
            msgpack: vec![0xc3],
            json: vec![],
        };
        assert_eq!(decode(Some(bad), &Type::String, &mut diags), Value::Null);
        assert!(diags.has_errors());
    }
}
