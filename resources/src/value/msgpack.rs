//! DynamicValue's msgpack encoding, read and written with the schema type.
//!
//! The rules follow go-cty's msgpack package, which is what Terraform uses:
//! nil is null; any extension is an unknown (Terraform sends ext 0, and ext
//! 12 for unknowns with refinements, which we read as plain unknowns); we
//! write unknowns as ext 0 (`d4 00 00`); numbers are ints, float64s or
//! decimal strings (see [`super::number`]); objects are maps with every
//! attribute in sorted order; a value in a `dynamic` slot is a two-element
//! array of its JSON type (as bytes) and the value.

use std::collections::BTreeMap;
use std::convert::Infallible;

use rmp::encode::{self as enc, ByteBuf, RmpWrite, ValueWriteError};
use rmpv::Value as Mp;

use super::{AttributePath, DecodeError, EncodeError, Number, NumberRepr, PathStep, Type, Value};

/// fixext1, extension type 0, one zero byte: go-cty's plain unknown.
const UNKNOWN: [u8; 3] = [0xd4, 0x00, 0x00];

/// Nesting deeper than this is refused rather than risking the stack.
const MAX_DEPTH: usize = 512;

pub fn decode_msgpack(bytes: &[u8], ty: &Type) -> Result<Value, DecodeError> {
    let mut reader = bytes;
    let raw = rmpv::decode::read_value_with_max_depth(&mut reader, MAX_DEPTH).map_err(|e| {
        DecodeError {
            path: AttributePath::root(),
            message: format!("invalid msgpack: {e}"),
        }
    })?;
    Decoder::default().value(raw, ty)
}

pub fn encode_msgpack(value: &Value, ty: &Type) -> Result<Vec<u8>, EncodeError> {
    let mut encoder = Encoder::default();
    encoder.value(value, ty)?;
    Ok(encoder.out.into_vec())
}

#[derive(Default)]
struct Decoder {
    path: AttributePath,
}

impl Decoder {
    fn err(&self, message: impl Into<String>) -> DecodeError {
        DecodeError {
            path: self.path.clone(),
            message: message.into(),
        }
    }

    fn value(&mut self, raw: Mp, ty: &Type) -> Result<Value, DecodeError> {
        // Order matters and matches go-cty: unknown first, then dynamic
        // (whose nil is a null of unknown type), then null.
        if let Mp::Ext(..) = raw {
            return Ok(Value::Unknown);
        }
        if *ty == Type::Dynamic {
            return self.dynamic(raw);
        }
        if let Mp::Nil = raw {
            return Ok(Value::Null);
        }
        match (ty, raw) {
            (Type::String, Mp::String(s)) => match s.into_str() {
                Some(s) => Ok(Value::String(s)),
                None => Err(self.err("string is not valid UTF-8")),
            },
            (Type::String, Mp::Binary(b)) => String::from_utf8(b)
                .map(Value::String)
                .map_err(|_| self.err("string is not valid UTF-8")),
            (Type::Number, Mp::Integer(i)) => match (i.as_i64(), i.as_u64()) {
                (Some(n), _) => Ok(Value::Number(Number::from_i64(n))),
                (None, Some(n)) => Ok(Value::Number(Number::from_u64(n))),
                (None, None) => Err(self.err("integer out of range")),
            },
            (Type::Number, Mp::F64(f)) => self.number(Number::from_f64(f)),
            (Type::Number, Mp::F32(f)) => self.number(Number::from_f64(f.into())),
            (Type::Number, Mp::String(s)) => match s.as_str() {
                Some(text) => self.number(text.parse()),
                None => Err(self.err("number is not valid UTF-8")),
            },
            (Type::Bool, Mp::Boolean(b)) => Ok(Value::Bool(b)),
            (Type::List(elem), Mp::Array(items)) => Ok(Value::List(self.indexed(items, |_| elem)?)),
            (Type::Set(elem), Mp::Array(items)) => {
                // Set elements have no stable position: errors point at the set.
                let items = items.into_iter().map(|item| self.value(item, elem));
                Ok(Value::Set(items.collect::<Result<_, _>>()?))
            }
            (Type::Tuple(elems), Mp::Array(items)) => {
                if items.len() != elems.len() {
                    return Err(self.err(format!(
                        "tuple needs {} elements, found {}",
                        elems.len(),
                        items.len()
                    )));
                }
                Ok(Value::Tuple(self.indexed(items, |i| &elems[i])?))
            }
            (Type::Map(elem), Mp::Map(entries)) => {
                let mut out = BTreeMap::new();
                for (key, item) in entries {
                    let key = self.key(key)?;
                    self.path.push(PathStep::Key(key.clone()));
                    let v = self.value(item, elem)?;
                    self.path.pop();
                    out.insert(key, v);
                }
                Ok(Value::Map(out))
            }
            (Type::Object { attributes, .. }, Mp::Map(entries)) => {
                let mut out = BTreeMap::new();
                for (key, item) in entries {
                    let key = self.key(key)?;
                    let Some(attr_ty) = attributes.get(&key) else {
                        return Err(self.err(format!("unsupported attribute {key:?}")));
                    };
                    self.path.push(PathStep::Attribute(key.clone()));
                    let v = self.value(item, attr_ty)?;
                    self.path.pop();
                    out.insert(key, v);
                }
                // Absent attributes are null, as in go-cty.
                for name in attributes.keys() {
                    out.entry(name.clone()).or_insert(Value::Null);
                }
                Ok(Value::Object(out))
            }
            (ty, raw) => Err(self.err(format!(
                "expected {}, found msgpack {}",
                ty.friendly_name(),
                describe(&raw)
            ))),
        }
    }

    fn dynamic(&mut self, raw: Mp) -> Result<Value, DecodeError> {
        let parts = match raw {
            Mp::Nil => return Ok(Value::Null),
            Mp::Array(parts) if parts.len() == 2 => parts,
            other => {
                return Err(self.err(format!(
                    "dynamic value must be a [type, value] pair, found msgpack {}",
                    describe(&other)
                )))
            }
        };
        let mut parts = parts.into_iter();
        let (Some(type_raw), Some(value_raw)) = (parts.next(), parts.next()) else {
            return Err(self.err("dynamic value must be a [type, value] pair"));
        };
        let type_json = match type_raw {
            Mp::Binary(b) => b,
            Mp::String(s) => s.into_bytes(),
            other => {
                return Err(self.err(format!(
                    "dynamic value type must be bytes, found msgpack {}",
                    describe(&other)
                )))
            }
        };
        let ty = Type::from_json(&type_json).map_err(|e| self.err(e.to_string()))?;
        let value = self.value(value_raw, &ty)?;
        Ok(Value::Dynamic {
            ty,
            value: Box::new(value),
        })
    }

    fn indexed<'t>(
        &mut self,
        items: Vec<Mp>,
        ty_at: impl Fn(usize) -> &'t Type,
    ) -> Result<Vec<Value>, DecodeError> {
        let mut out = Vec::with_capacity(items.len());
        for (i, item) in items.into_iter().enumerate() {
            self.path.push(PathStep::Index(i as i64));
            out.push(self.value(item, ty_at(i))?);
            self.path.pop();
        }
        Ok(out)
    }

    fn key(&self, raw: Mp) -> Result<String, DecodeError> {
        match raw {
            Mp::String(s) => s
                .into_str()
                .ok_or_else(|| self.err("key is not valid UTF-8")),
            other => Err(self.err(format!(
                "key must be a string, found msgpack {}",
                describe(&other)
            ))),
        }
    }

    fn number(&self, n: Result<Number, super::NumberError>) -> Result<Value, DecodeError> {
        n.map(Value::Number).map_err(|e| self.err(e.to_string()))
    }
}

fn describe(raw: &Mp) -> &'static str {
    match raw {
        Mp::Nil => "nil",
        Mp::Boolean(_) => "bool",
        Mp::Integer(_) => "integer",
        Mp::F32(_) | Mp::F64(_) => "float",
        Mp::String(_) => "string",
        Mp::Binary(_) => "bytes",
        Mp::Array(_) => "array",
        Mp::Map(_) => "map",
        Mp::Ext(..) => "extension",
    }
}

#[derive(Default)]
struct Encoder {
    out: ByteBuf,
    path: AttributePath,
}

/// Writing to memory cannot fail; this makes that visible to the compiler.
fn done<T>(r: Result<T, ValueWriteError<Infallible>>) {
    match r {
        Ok(_) => {}
        Err(ValueWriteError::InvalidMarkerWrite(e) | ValueWriteError::InvalidDataWrite(e)) => {
            match e {}
        }
    }
}

impl Encoder {
    fn err(&self, message: impl Into<String>) -> EncodeError {
        EncodeError {
            path: self.path.clone(),
            message: message.into(),
        }
    }

    fn mismatch(&self, ty: &Type, value: &Value) -> EncodeError {
        self.err(format!(
            "value {} does not fit type {}",
            variant_name(value),
            ty.friendly_name()
        ))
    }

    fn len(&self, n: usize) -> Result<u32, EncodeError> {
        u32::try_from(n).map_err(|_| self.err("collection too large for msgpack"))
    }

    fn array_len(&mut self, n: usize) -> Result<(), EncodeError> {
        let n = self.len(n)?;
        done(enc::write_array_len(&mut self.out, n));
        Ok(())
    }

    fn map_len(&mut self, n: usize) -> Result<(), EncodeError> {
        let n = self.len(n)?;
        done(enc::write_map_len(&mut self.out, n));
        Ok(())
    }

    fn value(&mut self, value: &Value, ty: &Type) -> Result<(), EncodeError> {
        match (ty, value) {
            (_, Value::Unknown) => {
                let Ok(()) = self.out.write_bytes(&UNKNOWN);
            }
            (_, Value::Null) => {
                let Ok(()) = enc::write_nil(&mut self.out);
            }
            (Type::Dynamic, Value::Dynamic { ty: inner, value }) => {
                done(enc::write_array_len(&mut self.out, 2));
                done(enc::write_bin(&mut self.out, &inner.to_json()));
                self.value(value, inner)?;
            }
            (Type::Dynamic, known) => {
                let Some(inner) = known.implied_type() else {
                    return Err(self.err(
                        "cannot tell the type of this value for a dynamic attribute; wrap it in Value::Dynamic",
                    ));
                };
                done(enc::write_array_len(&mut self.out, 2));
                done(enc::write_bin(&mut self.out, &inner.to_json()));
                self.value(known, &inner)?;
            }
            (Type::String, Value::String(s)) => done(enc::write_str(&mut self.out, s)),
            (Type::Number, Value::Number(n)) => match n.repr() {
                NumberRepr::Int(i) => done(enc::write_sint(&mut self.out, i)),
                NumberRepr::Float(f) => done(enc::write_f64(&mut self.out, f)),
                NumberRepr::Decimal(s) => done(enc::write_str(&mut self.out, s)),
            },
            (Type::Bool, Value::Bool(b)) => {
                let Ok(()) = enc::write_bool(&mut self.out, *b);
            }
            (Type::List(elem), Value::List(items)) | (Type::Set(elem), Value::Set(items)) => {
                self.array_len(items.len())?;
                let indexed = matches!(ty, Type::List(_));
                for (i, item) in items.iter().enumerate() {
                    if indexed {
                        self.path.push(PathStep::Index(i as i64));
                    }
                    self.value(item, elem)?;
                    if indexed {
                        self.path.pop();
                    }
                }
            }
            (Type::Tuple(elems), Value::Tuple(items)) => {
                if elems.len() != items.len() {
                    return Err(self.err(format!(
                        "tuple needs {} elements, has {}",
                        elems.len(),
                        items.len()
                    )));
                }
                self.array_len(items.len())?;
                for (i, (item, elem)) in items.iter().zip(elems).enumerate() {
                    self.path.push(PathStep::Index(i as i64));
                    self.value(item, elem)?;
                    self.path.pop();
                }
            }
            (Type::Map(elem), Value::Map(entries)) => {
                self.map_len(entries.len())?;
                for (key, item) in entries {
                    done(enc::write_str(&mut self.out, key));
                    self.path.push(PathStep::Key(key.clone()));
                    self.value(item, elem)?;
                    self.path.pop();
                }
            }
            (Type::Object { attributes, .. }, Value::Object(entries)) => {
                if let Some(extra) = entries.keys().find(|k| !attributes.contains_key(*k)) {
                    return Err(self.err(format!("attribute {extra:?} is not in the schema")));
                }
                // Every attribute is written; ones the value leaves out are
                // null, which is what Terraform requires of a provider.
                self.map_len(attributes.len())?;
                for (name, attr_ty) in attributes {
                    done(enc::write_str(&mut self.out, name));
                    self.path.push(PathStep::Attribute(name.clone()));
                    self.value(entries.get(name).unwrap_or(&Value::Null), attr_ty)?;
                    self.path.pop();
                }
            }
            (ty, value) => return Err(self.mismatch(ty, value)),
        }
        Ok(())
    }
}

pub(super) fn variant_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Unknown => "unknown",
        Value::String(_) => "string",
        Value::Number(_) => "number",
        Value::Bool(_) => "bool",
        Value::List(_) => "list",
        Value::Set(_) => "set",
        Value::Map(_) => "map",
        Value::Object(_) => "object",
        Value::Tuple(_) => "tuple",
        Value::Dynamic { .. } => "dynamic",
    }
}
