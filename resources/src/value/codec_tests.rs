//! Example-based codec tests: exact bytes where Terraform's encoding is
//! fixed, and the shapes our schemas use (objects in sets and lists).

use super::*;

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn mp(value: &Value, ty: &Type) -> String {
    hex(&encode_msgpack(value, ty).expect("encodes"))
}

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex"))
        .collect()
}

fn num(s: &str) -> Value {
    Value::Number(s.parse().expect("number"))
}

#[test]
fn unknown_and_null_bytes() {
    for ty in [Type::String, Type::list(Type::Number), Type::Dynamic] {
        assert_eq!(mp(&Value::Unknown, &ty), "d40000");
        assert_eq!(mp(&Value::Null, &ty), "c0");
        assert_eq!(decode_msgpack(&unhex("c0"), &ty), Ok(Value::Null));
        assert_eq!(decode_msgpack(&unhex("d40000"), &ty), Ok(Value::Unknown));
    }
    // A refined unknown (ext 12 with a map payload) is still just unknown.
    let refined = unhex("c7030c8101c3");
    assert_eq!(decode_msgpack(&refined, &Type::String), Ok(Value::Unknown));
}

#[test]
fn numbers_in_all_three_forms() {
    assert_eq!(mp(&num("1"), &Type::Number), "01");
    assert_eq!(mp(&num("-200"), &Type::Number), "d1ff38");
    assert_eq!(mp(&num("1.5"), &Type::Number), "cb3ff8000000000000");
    // 0.1 is not a float64: Terraform sends (and expects) the string.
    assert_eq!(mp(&num("0.1"), &Type::Number), "a3302e31");
    for bytes in ["01", "d1ff38", "cb3ff8000000000000", "a3302e31"] {
        let v = decode_msgpack(&unhex(bytes), &Type::Number).expect("decodes");
        assert_eq!(mp(&v, &Type::Number), bytes, "round trip of {bytes}");
    }
    // 2^63 arrives as uint64 but is an exact float64, which is how go-cty
    // writes it back.
    let two_63 = decode_msgpack(&unhex("cf8000000000000000"), &Type::Number).expect("u64");
    assert_eq!(mp(&two_63, &Type::Number), "cb43e0000000000000");
    let big = decode_msgpack(&unhex("cf8000000000000001"), &Type::Number).expect("u64");
    assert_eq!(big, num("9223372036854775809"));
    let json = decode_json(b"123456789012345678901234567890.25", &Type::Number).expect("json");
    assert_eq!(json, num("123456789012345678901234567890.25"));
    assert_eq!(
        encode_json(&json, &Type::Number).expect("encodes"),
        b"123456789012345678901234567890.25"
    );
}

#[test]
fn objects_write_every_attribute_sorted() {
    let ty = Type::object([("b", Type::String), ("a", Type::Number)]);
    let v = Value::object([("b", Value::from("x"))]);
    // {"a": nil, "b": "x"}: a left-out attribute is sent as null.
    assert_eq!(mp(&v, &ty), "82a161c0a162a178");
    let back = decode_msgpack(&unhex("81a162a178"), &ty).expect("decodes");
    assert_eq!(
        back,
        Value::object([("a", Value::Null), ("b", Value::from("x"))])
    );
    let extra = Value::object([("c", Value::from(true))]);
    assert!(encode_msgpack(&extra, &ty).is_err());
    let err = decode_msgpack(&unhex("81a163c3"), &ty).expect_err("unknown attribute");
    assert!(err.message.contains("unsupported attribute"), "{err}");
}

/// The shape of segment_destination_filter: a set of objects with optional
/// attributes, beside a list of nested blocks.
fn filter_type() -> Type {
    let action = Type::object([
        ("type", Type::String),
        ("path", Type::String),
        ("fields", Type::map(Type::list(Type::String))),
        ("percent", Type::Number),
    ])
    .with_optional(["path", "fields", "percent"]);
    Type::object([
        ("id", Type::String),
        ("title", Type::String),
        ("actions", Type::set(action)),
        (
            "labels",
            Type::list(Type::object([
                ("key", Type::String),
                ("value", Type::String),
            ])),
        ),
    ])
}

fn filter_value() -> Value {
    let action = |t: &str, path: Value| {
        Value::object([
            ("type", Value::from(t)),
            ("path", path),
            ("fields", Value::Null),
            ("percent", Value::Null),
        ])
    };
    Value::object([
        ("id", Value::Unknown),
        ("title", Value::from("drop pii")),
        (
            "actions",
            Value::Set(vec![
                action("DROP", Value::Null),
                action("DROP_PROPERTIES", Value::from("properties.email")),
            ]),
        ),
        (
            "labels",
            Value::List(vec![Value::object([
                ("key", Value::from("env")),
                ("value", Value::Unknown),
            ])]),
        ),
    ])
}

#[test]
fn nested_blocks_round_trip() {
    let (ty, v) = (filter_type(), filter_value());
    let bytes = encode_msgpack(&v, &ty).expect("encodes");
    assert_eq!(decode_msgpack(&bytes, &ty), Ok(v.clone()));
    // Sets compare regardless of order.
    let Value::Object(mut swapped) = v.clone() else {
        unreachable!()
    };
    if let Some(Value::Set(actions)) = swapped.get_mut("actions") {
        actions.reverse();
    }
    assert_eq!(Value::Object(swapped), v);
}

#[test]
fn errors_point_at_the_attribute() {
    let ty = filter_type();
    let bad = Value::object([(
        "labels",
        Value::List(vec![Value::object([("key", Value::from(1))])]),
    )]);
    let err = encode_msgpack(&bad, &ty).expect_err("number is not a string");
    assert_eq!(err.path.to_string(), "labels[0].key");
    let err = decode_json(br#"{"labels":[{"key":[]}]}"#, &ty).expect_err("list is not a string");
    assert_eq!(
        err.path,
        AttributePath::attr("labels").index(0).then_attr("key")
    );
}

#[test]
fn dynamic_values_carry_their_type() {
    let v = Value::Dynamic {
        ty: Type::String,
        value: Box::new(Value::from("x")),
    };
    // [bin "\"string\"", "x"]
    assert_eq!(mp(&v, &Type::Dynamic), "92c40822737472696e6722a178");
    assert_eq!(
        decode_msgpack(&unhex("92c40822737472696e6722a178"), &Type::Dynamic),
        Ok(v.clone())
    );
    // A typed null and a typed unknown keep their type too.
    for inner in [Value::Null, Value::Unknown] {
        let typed = Value::Dynamic {
            ty: Type::list(Type::Number),
            value: Box::new(inner),
        };
        let bytes = encode_msgpack(&typed, &Type::Dynamic).expect("encodes");
        assert_eq!(decode_msgpack(&bytes, &Type::Dynamic), Ok(typed));
    }
    // A plain known value is written with its implied type.
    let plain = encode_msgpack(&Value::from("x"), &Type::Dynamic).expect("implied");
    assert_eq!(hex(&plain), "92c40822737472696e6722a178");
    let json = encode_json(&v, &Type::Dynamic).expect("json");
    assert_eq!(json, br#"{"value":"x","type":"string"}"#);
    assert_eq!(decode_json(&json, &Type::Dynamic), Ok(v));
}

#[test]
fn json_state_decodes_like_terraform() {
    let ty = Type::object([
        ("id", Type::String),
        ("count", Type::Number),
        ("enabled", Type::Bool),
        ("tags", Type::map(Type::String)),
    ]);
    let state = br#"{"id":"abc","count":"3","enabled":"true","tags":{"a":1},"gone":1}"#;
    let err = decode_json(state, &ty).expect_err("gone is not in the schema");
    assert!(err.message.contains("gone"));
    let options = JsonOptions {
        ignore_undefined_attributes: true,
    };
    let v = decode_json_with(state, &ty, options).expect("decodes");
    assert_eq!(
        v,
        Value::object([
            ("id", Value::from("abc")),
            ("count", Value::from(3)),
            ("enabled", Value::from(true)),
            ("tags", Value::map([("a", Value::from("1"))])),
        ])
    );
    assert!(encode_json(&Value::Unknown, &Type::String).is_err());
}

#[test]
fn rejects_malformed_msgpack() {
    assert!(decode_msgpack(&unhex("92"), &Type::list(Type::String)).is_err());
    assert!(decode_msgpack(&unhex("a1"), &Type::String).is_err());
    assert!(decode_msgpack(&unhex("c3"), &Type::String).is_err());
    // Tuples must have the exact length.
    let tuple = Type::Tuple(vec![Type::String]);
    assert!(decode_msgpack(&unhex("92a178a179"), &tuple).is_err());
    // Dynamic needs a [type, value] pair with a valid type.
    assert!(decode_msgpack(&unhex("91c0"), &Type::Dynamic).is_err());
    assert!(decode_msgpack(&unhex("92c40178c0"), &Type::Dynamic).is_err());
}
