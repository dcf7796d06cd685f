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

/// `validate` must give exactly the verdict (and the error) of the tree reader.
fn same_verdict(bytes: &[u8], limits: Limits) -> Result<(), TestCaseError> {
    let tree = StrictObject::parse(bytes, limits).map(|o| o.source());
    let flat = validate(bytes, limits);
    prop_assert_eq!(tree, flat, "input {:?}", String::from_utf8_lossy(bytes));
    Ok(())
}

#[test]
fn validate_agrees_on_the_fixed_cases() {
    let limits = Limits {
        max_bytes: 64,
        max_depth: 3,
    };
    let cases: &[&[u8]] = &[
        br#" {"z": 1, "a": "x\u00e9", "m": [1, {"k": null}], "n": -0.5e3 } "#,
        br#"{"a": 1, "a": 2}"#,
        br#"{"a": {"b": 1, "b": 1}}"#,
        br#"{"a": {"b": 1}, "b": {"b": 1}}"#,
        br#"{"a": [{"b": 1}, {"b": 1}], "c": {"a": 1}}"#,
        br#"{"a\u0062": 1, "ab": 2}"#,
        br#"{"ab": 1, "a\u0062": 2}"#,
        br#"{"\"": 1, "\u0022": 2}"#,
        br#"{"a": 1}garbage"#,
        br#"{"a": 1}{"a": 1}"#,
        b"[1, 2]",
        b"\"text\"",
        b"",
        b"   ",
        b"{",
        br#"{"a": 01}"#,
        br#"{"a": 1,}"#,
        br#"{"a": NaN}"#,
        br#"{'a': 1}"#,
        b"{\"a\": \"x\ty\"}",
        br#"{"a": "\ud800"}"#,
        br#"{"a": "\udc00\ud800"}"#,
        br#"{"e": "\ud83d\ude00"}"#,
        br#"{"a": "\x"}"#,
        br#"{"a": "\u12"}"#,
        b"{\"a\": \"\xff\"}",
        br#"{"a": "0123456789012345678901234567890123456789012345678901234"}"#,
        br#"{"a":[[1]]}"#,
        br#"{"a":[[[1]]]}"#,
        br#"{"a":{"b":{"c":1}}}"#,
        br#"{"a" 1}"#,
        br#"{"a": tru}"#,
        br#"{"a": [1 2]}"#,
    ];
    for case in cases {
        same_verdict(case, limits).unwrap();
        same_verdict(case, Limits::RESPONSES).unwrap();
    }
    let deep = format!("{{\"a\":{}{}}}", "[".repeat(100_000), "]".repeat(100_000));
    let big = Limits {
        max_bytes: 1 << 20,
        max_depth: 32,
    };
    same_verdict(deep.as_bytes(), big).unwrap();
    assert!(matches!(
        validate(deep.as_bytes(), big),
        Err(JsonError::TooDeep { .. })
    ));
}

/// JSON-like text built from fragments that often repeat keys, nest and escape.
fn json_like() -> impl Strategy<Value = String> {
    let token = prop_oneof![
        Just("{".to_owned()),
        Just("}".to_owned()),
        Just("[".to_owned()),
        Just("]".to_owned()),
        Just(",".to_owned()),
        Just(":".to_owned()),
        Just(" ".to_owned()),
        Just("\"a\"".to_owned()),
        Just("\"b\"".to_owned()),
        Just("\"\\u0061\"".to_owned()),
        Just("\"\\ud83d\\ude00\"".to_owned()),
        Just("\"\\ud83d\"".to_owned()),
        Just("\"\\n\"".to_owned()),
        Just("1".to_owned()),
        Just("-0.5e3".to_owned()),
        Just("01".to_owned()),
        Just("null".to_owned()),
        Just("true".to_owned()),
        "[a-z0-9\\\\\"]{1,3}",
    ];
    prop::collection::vec(token, 0..24).prop_map(|parts| parts.concat())
}

proptest! {
    #[test]
    fn validate_agrees_on_arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..256)) {
        same_verdict(&bytes, Limits::default())?;
    }

    #[test]
    fn validate_agrees_on_near_json(text in r#"[{}\[\]",:0-9a-z\\. -]{0,64}"#) {
        same_verdict(text.as_bytes(), Limits::default())?;
    }

    #[test]
    fn validate_agrees_on_json_like(text in json_like(), depth in 1usize..5) {
        let limits = Limits { max_bytes: 256, max_depth: depth };
        same_verdict(text.as_bytes(), limits)?;
        same_verdict(format!("{{\"k\":{text}}}").as_bytes(), limits)?;
        same_verdict(format!("{{\"k\":{{{text}}}}}").as_bytes(), limits)?;
    }

    #[test]
    fn validate_accepts_valid_objects_and_their_duplicates_are_refused(
        map in prop::collection::btree_map("[a-z]{1,4}", arb_json(), 1..6)
    ) {
        let value = serde_json::Value::Object(map.into_iter().collect());
        let text = serde_json::to_string(&value).unwrap();
        prop_assert_eq!(validate(text.as_bytes(), Limits::RESPONSES), Ok(text.as_str()));
        // The same members twice: every key repeated.
        let doubled = format!("{},{}", text.trim_end_matches('}'), text.trim_start_matches('{'));
        same_verdict(doubled.as_bytes(), Limits::RESPONSES)?;
        prop_assert!(validate(doubled.as_bytes(), Limits::RESPONSES).is_err());
    }
}
