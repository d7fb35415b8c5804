//! Property tests: any value of any type survives encode -> decode in both
//! encodings, and type strings survive print -> parse.

use std::collections::BTreeSet;

use proptest::prelude::*;

use super::*;

fn arb_type() -> impl Strategy<Value = Type> {
    let leaf = prop_oneof![
        Just(Type::String),
        Just(Type::Number),
        Just(Type::Bool),
        Just(Type::Dynamic),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            inner.clone().prop_map(Type::list),
            inner.clone().prop_map(Type::set),
            inner.clone().prop_map(Type::map),
            (
                prop::collection::btree_map("[a-z_]{1,6}", inner.clone(), 0..4),
                any::<prop::sample::Index>()
            )
                .prop_map(|(attributes, pick)| {
                    // Sometimes mark one attribute optional.
                    let optional: BTreeSet<String> = match attributes.len() {
                        0 => BTreeSet::new(),
                        n => attributes
                            .keys()
                            .nth(pick.index(n))
                            .cloned()
                            .into_iter()
                            .collect(),
                    };
                    Type::Object {
                        attributes,
                        optional,
                    }
                }),
            prop::collection::vec(inner, 0..3).prop_map(Type::Tuple),
        ]
    })
}

fn arb_number() -> impl Strategy<Value = Number> {
    prop_oneof![
        any::<i64>().prop_map(Number::from_i64),
        any::<u64>().prop_map(Number::from_u64),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(|f| Number::from_f64(f).expect("finite")),
        ("-?[0-9]{1,30}", "[0-9]{0,25}")
            .prop_map(|(int, frac)| { format!("{int}.{frac}0").parse().expect("valid decimal") }),
    ]
}

/// A value of type `ty`; `unknowns` allows unknowns anywhere (msgpack can
/// carry them, JSON cannot).
fn arb_value(ty: &Type, unknowns: bool) -> BoxedStrategy<Value> {
    let known: BoxedStrategy<Value> = match ty {
        Type::String => any::<String>().prop_map(Value::String).boxed(),
        Type::Number => arb_number().prop_map(Value::Number).boxed(),
        Type::Bool => any::<bool>().prop_map(Value::Bool).boxed(),
        Type::Dynamic => {
            // The value's own type never contains `dynamic`.
            let concrete = prop_oneof![
                Just(Type::String),
                Just(Type::Number),
                Just(Type::list(Type::Bool)),
                Just(Type::object([("a", Type::String)])),
            ];
            concrete
                .prop_flat_map(move |t| {
                    arb_value(&t, unknowns).prop_map(move |v| Value::Dynamic {
                        ty: t.clone(),
                        value: Box::new(v),
                    })
                })
                .boxed()
        }
        Type::List(e) => prop::collection::vec(arb_value(e, unknowns), 0..3)
            .prop_map(Value::List)
            .boxed(),
        Type::Set(e) => prop::collection::vec(arb_value(e, unknowns), 0..3)
            .prop_map(Value::Set)
            .boxed(),
        Type::Map(e) => prop::collection::btree_map("\\PC{0,4}", arb_value(e, unknowns), 0..3)
            .prop_map(Value::Map)
            .boxed(),
        Type::Tuple(es) => es
            .iter()
            .map(|e| arb_value(e, unknowns))
            .collect::<Vec<_>>()
            .prop_map(Value::Tuple)
            .boxed(),
        Type::Object { attributes, .. } => attributes
            .iter()
            .map(|(k, t)| {
                let k = k.clone();
                arb_value(t, unknowns).prop_map(move |v| (k.clone(), v))
            })
            .collect::<Vec<_>>()
            .prop_map(|entries| Value::Object(entries.into_iter().collect()))
            .boxed(),
    };
    if unknowns {
        prop_oneof![1 => Just(Value::Null), 1 => Just(Value::Unknown), 6 => known].boxed()
    } else {
        prop_oneof![1 => Just(Value::Null), 6 => known].boxed()
    }
}

fn typed_value(unknowns: bool) -> impl Strategy<Value = (Type, Value)> {
    arb_type().prop_flat_map(move |ty| {
        let values = arb_value(&ty, unknowns);
        (Just(ty), values)
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn msgpack_round_trips((ty, value) in typed_value(true)) {
        let bytes = encode_msgpack(&value, &ty).expect("value fits its type");
        let back = decode_msgpack(&bytes, &ty).expect("our bytes decode");
        prop_assert_eq!(&back, &value);
        // And the bytes are stable: encoding is deterministic.
        prop_assert_eq!(encode_msgpack(&back, &ty).expect("encodes"), bytes);
    }

    #[test]
    fn json_round_trips((ty, value) in typed_value(false)) {
        let bytes = encode_json(&value, &ty).expect("value fits its type");
        let back = decode_json(&bytes, &ty).expect("our JSON decodes");
        prop_assert_eq!(&back, &value);
    }

    #[test]
    fn type_strings_round_trip(ty in arb_type()) {
        prop_assert_eq!(Type::from_json(&ty.to_json()).expect("parses"), ty);
    }

    #[test]
    fn numbers_round_trip_through_text(n in arb_number()) {
        prop_assert_eq!(n.to_string().parse::<Number>().expect("parses"), n);
    }

    #[test]
    fn decoding_garbage_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..64), ty in arb_type()) {
        let _ = decode_msgpack(&bytes, &ty);
        let _ = decode_json(&bytes, &ty);
    }
}
