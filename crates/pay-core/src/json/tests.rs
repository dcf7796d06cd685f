use super::*;
use proptest::prelude::*;

fn parse(text: &str) -> Result<StrictObject<'_>, JsonError> {
    StrictObject::parse(text.as_bytes(), Limits::default())
}

#[test]
fn keeps_order_and_raw_text() {
    let obj = parse(r#" {"z": 1, "a": "x\u00e9", "m": [1, {"k": null}], "n": -0.5e3 } "#).unwrap();
    assert_eq!(obj.keys().collect::<Vec<_>>(), ["z", "a", "m", "n"]);
    assert_eq!(obj.get("a").unwrap().value, Value::String("xé".into()));
    assert_eq!(obj.get("m").unwrap().raw, r#"[1, {"k": null}]"#);
    assert_eq!(obj.get("n").unwrap().value, Value::Number("-0.5e3"));
}

type Check = fn(&JsonError) -> bool;

#[test]
fn refuses_what_it_must() {
    let cases: &[(&str, Check)] = &[
        (
            r#"{"a": 1, "a": 2}"#,
            |e| matches!(e, JsonError::DuplicateKey { key } if key == "a"),
        ),
        (r#"{"a": {"b": 1, "b": 1}}"#, |e| {
            matches!(e, JsonError::DuplicateKey { .. })
        }),
        (r#"{"a\u0062": 1, "ab": 2}"#, |e| {
            matches!(e, JsonError::DuplicateKey { .. })
        }),
        (r#"{"a": 1}garbage"#, |e| {
            matches!(e, JsonError::TrailingBytes { offset: 8 })
        }),
        (r#"{"a": 1}{"a": 1}"#, |e| {
            matches!(e, JsonError::TrailingBytes { .. })
        }),
        ("[1, 2]", |e| matches!(e, JsonError::NotAnObject)),
        ("\"text\"", |e| matches!(e, JsonError::NotAnObject)),
        ("", |e| matches!(e, JsonError::Syntax { .. })),
        ("{", |e| matches!(e, JsonError::Syntax { .. })),
        (r#"{"a": 01}"#, |e| matches!(e, JsonError::Syntax { .. })),
        (r#"{"a": 1,}"#, |e| matches!(e, JsonError::Syntax { .. })),
        (r#"{"a": NaN}"#, |e| matches!(e, JsonError::Syntax { .. })),
        (r#"{'a': 1}"#, |e| matches!(e, JsonError::Syntax { .. })),
        ("{\"a\": \"x\ty\"}", |e| {
            matches!(e, JsonError::Syntax { .. })
        }),
        (r#"{"a": "\ud800"}"#, |e| {
            matches!(e, JsonError::LoneSurrogate { .. })
        }),
        (r#"{"a": "\udc00\ud800"}"#, |e| {
            matches!(e, JsonError::LoneSurrogate { .. })
        }),
        (r#"{"a": "\x"}"#, |e| matches!(e, JsonError::Syntax { .. })),
    ];
    for (text, check) in cases {
        let err = parse(text).unwrap_err();
        assert!(check(&err), "{text}: {err:?}");
    }
    let err = StrictObject::parse(b"{\"a\": \"\xff\"}", Limits::default()).unwrap_err();
    assert_eq!(err, JsonError::InvalidUtf8 { offset: 7 });
}

#[test]
fn enforces_limits() {
    let limits = Limits {
        max_bytes: 16,
        max_depth: 3,
    };
    assert!(matches!(
        StrictObject::parse(br#"{"a": "0123456789"}"#, limits),
        Err(JsonError::TooLarge {
            size: 19,
            limit: 16
        })
    ));
    assert!(StrictObject::parse(br#"{"a":[[1]]}"#, limits).is_ok());
    assert_eq!(
        StrictObject::parse(br#"{"a":[[[1]]]}"#, limits),
        Err(JsonError::TooDeep { limit: 3 })
    );
    let deep = format!("{{\"a\":{}{}}}", "[".repeat(100_000), "]".repeat(100_000));
    let big = Limits {
        max_bytes: 1 << 20,
        max_depth: 32,
    };
    assert!(matches!(
        StrictObject::parse(deep.as_bytes(), big),
        Err(JsonError::TooDeep { .. })
    ));
}

#[test]
fn surrogate_pairs_decode() {
    let obj = parse(r#"{"e": "\ud83d\ude00"}"#).unwrap();
    assert_eq!(obj.get("e").unwrap().value, Value::String("😀".into()));
}

fn arb_json() -> impl Strategy<Value = serde_json::Value> {
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::Bool),
        any::<i64>().prop_map(|n| n.into()),
        "\\PC{0,8}".prop_map(serde_json::Value::String),
    ];
    leaf.prop_recursive(4, 32, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(serde_json::Value::Array),
            prop::collection::btree_map("[a-z]{1,4}", inner, 0..4)
                .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
        ]
    })
}

proptest! {
    #[test]
    fn never_panics_on_arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..256)) {
        let _ = StrictObject::parse(&bytes, Limits::default());
    }

    #[test]
    fn never_panics_on_near_json(text in r#"[{}\[\]",:0-9a-z\\. -]{0,64}"#) {
        let _ = StrictObject::parse(text.as_bytes(), Limits::default());
    }

    #[test]
    fn agrees_with_serde_json_on_valid_objects(
        map in prop::collection::btree_map("[a-z]{1,4}", arb_json(), 0..6)
    ) {
        let value = serde_json::Value::Object(map.into_iter().collect());
        let text = serde_json::to_string(&value).unwrap();
        let obj = StrictObject::parse(text.as_bytes(), Limits::RESPONSES).unwrap();
        for member in obj.members() {
            let expected = &value[member.key.as_ref()];
            let raw: serde_json::Value = serde_json::from_str(member.raw).unwrap();
            prop_assert_eq!(&raw, expected);
        }
    }
}
