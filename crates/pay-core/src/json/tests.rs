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
    let structure = ["{", "}", "[", "]", ",", ":", " "];
    let strings = [
        "\"a\"",
        "\"b\"",
        "\"\\u0061\"",
        "\"\\ud83d\\ude00\"",
        "\"\\ud83d\"",
        "\"\\n\"",
    ];
    let scalars = ["1", "-0.5e3", "01", "null", "true"];
    let fragments = [&structure[..], &strings, &scalars].concat();
    // Each fragment as likely as a generated run of letters, digits, `\` and `"`.
    let weight = u32::try_from(fragments.len()).unwrap();
    let token = prop_oneof![
        weight => prop::sample::select(fragments).prop_map(str::to_owned),
        1 => "[a-z0-9\\\\\"]{1,3}",
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

mod oracle;

/// Key names for generated objects: enough to pass the linear-scan size, with characters that have
/// several spellings.
const KEY_POOL: &[&str] = &[
    "a", "b", "ab", "a/b", "é", "😀", "\"", "\\", "k0", "k1", "k2", "k3", "k4", "k5", "k6", "k7",
    "k8", "k9", "k10", "k11", "k12", "k13", "k14", "k15", "k16", "k17", "k18", "k19", "k20", "k21",
    "k22", "k23", "k24", "k25", "k26", "k27",
];

/// A key as JSON text: plainly (0), every character as `\uXXXX` (1, surrogate pairs beyond the
/// BMP), or `/` as `\/` and the first letter escaped (2).
fn spell_key(name: &str, style: u8) -> String {
    match style {
        1 => {
            let mut out = String::from("\"");
            for unit in name.encode_utf16() {
                out.push_str(&format!("\\u{unit:04x}"));
            }
            out.push('"');
            out
        }
        2 => {
            let plain = serde_json::to_string(name).unwrap().replace('/', "\\/");
            match name.chars().next() {
                Some(c) if c.is_ascii_alphanumeric() => {
                    plain.replacen(c, &format!("\\u{:04X}", u32::from(c)), 1)
                }
                _ => plain,
            }
        }
        _ => serde_json::to_string(name).unwrap(),
    }
}

/// Keys of one object, 0 to 36 of them, each with a spelling: distinct, except that one object in
/// `one_in` repeats an earlier key at a later position (so duplicates turn up on both sides of the
/// linear-scan size).
fn object_keys(one_in: u8) -> impl Strategy<Value = Vec<String>> {
    let indices: Vec<usize> = (0..KEY_POOL.len()).collect();
    (
        prop::sample::subsequence(indices, 0..=KEY_POOL.len()).prop_shuffle(),
        prop::collection::vec(0u8..3, KEY_POOL.len()),
        any::<(prop::sample::Index, prop::sample::Index)>(),
        0..one_in,
    )
        .prop_map(|(mut indices, styles, (a, b), repeat)| {
            if repeat == 0 && indices.len() >= 2 {
                let (a, b) = (a.index(indices.len()), b.index(indices.len()));
                let (first, later) = (a.min(b), a.max(b));
                indices[later] = indices[first];
            }
            indices
                .iter()
                .zip(styles)
                .map(|(&i, style)| spell_key(KEY_POOL[i], style))
                .collect()
        })
}

/// An object with these keys and values drawn from `value`, `separator` between members.
fn object_with(
    value: impl Strategy<Value = String> + Clone,
    repeat_one_in: u8,
    separator: &'static str,
) -> impl Strategy<Value = String> {
    object_keys(repeat_one_in).prop_flat_map(move |keys| {
        let n = keys.len();
        (Just(keys), prop::collection::vec(value.clone(), n)).prop_map(move |(keys, values)| {
            let members: Vec<String> = keys
                .iter()
                .zip(values)
                .map(|(k, v)| format!("{k}:{v}"))
                .collect();
            format!("{{{}}}", members.join(separator))
        })
    })
}

/// JSON text of an object whose values nest arrays and more such objects, two levels down.
fn object_text() -> impl Strategy<Value = String> {
    let leaf = prop::sample::select(vec!["null", "true", "-0.5e3", "\"x\\u00e9\"", "[]", "{}"])
        .prop_map(str::to_owned)
        .boxed();
    let nest = |inner: BoxedStrategy<String>| {
        prop_oneof![
            8 => inner.clone(),
            1 => prop::collection::vec(inner.clone(), 0..4)
                .prop_map(|items| format!("[{}]", items.join(", "))),
            1 => object_with(inner, 24, ","),
        ]
        .boxed()
    };
    object_with(nest(nest(leaf)), 3, ", ")
}

/// The tree reader and the validator give exactly the oracle's result and error.
fn agrees_with_the_oracle(bytes: &[u8], limits: Limits) -> Result<(), TestCaseError> {
    let expected = oracle::parse(bytes, limits);
    let tree = StrictObject::parse(bytes, limits).map(|o| o.members().to_vec());
    prop_assert_eq!(
        &tree,
        &expected,
        "input {:?}",
        String::from_utf8_lossy(bytes)
    );
    let flat = validate(bytes, limits).map(drop);
    prop_assert_eq!(
        flat,
        expected.map(drop),
        "input {:?}",
        String::from_utf8_lossy(bytes)
    );
    Ok(())
}

#[test]
fn duplicates_past_the_scan_size_are_found_in_order() {
    let keys: Vec<String> = (0..40).map(|i| format!("\"k{i}\": {i}")).collect();
    let limits = Limits::RESPONSES;
    for at in [1, 15, 16, 17, 18, 39] {
        for spelling in ["\"k3\"", "\"\\u006b3\"", "\"k\\u0033\""] {
            // The duplicate comes before a syntax error: the duplicate is reported, as before.
            let text = format!(
                "{{\"a\": [{{{}, {spelling}: 1, \"zz\": ]}}]}}",
                keys[..at.max(4)].join(", ")
            );
            agrees_with_the_oracle(text.as_bytes(), limits).unwrap();
            assert_eq!(
                validate(text.as_bytes(), limits),
                Err(JsonError::DuplicateKey { key: "k3".into() }),
                "{text}"
            );
        }
    }
    let distinct = format!("{{{}}}", keys.join(", "));
    assert_eq!(
        StrictObject::parse(distinct.as_bytes(), limits)
            .unwrap()
            .members()
            .len(),
        40
    );
    agrees_with_the_oracle(distinct.as_bytes(), limits).unwrap();
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn linear_duplicate_checks_agree_with_the_quadratic_oracle(
        text in object_text(),
        depth in 1usize..7,
        cut in any::<prop::sample::Index>(),
        cut_it in any::<bool>(),
    ) {
        let limits = Limits { max_bytes: 1 << 20, max_depth: depth };
        let bytes = text.as_bytes();
        // A prefix ends in a syntax error somewhere after (or before) the duplicates.
        let bytes = if cut_it { &bytes[..cut.index(bytes.len() + 1)] } else { bytes };
        agrees_with_the_oracle(bytes, limits)?;
    }
}

/// An attacker's body of distinct keys costs linear time: 100,000 keys (about 1 MiB) in one object
/// take a fraction of a second even in a debug build, where comparing each key with every earlier
/// one (the check this replaced) took minutes. On a thread, so that a regression fails the test
/// instead of hanging it.
#[test]
fn many_distinct_keys_are_checked_in_linear_time() {
    use std::fmt::Write as _;

    const KEYS: usize = 100_000;
    let mut body = String::from("{");
    for i in 0..KEYS {
        let _ = write!(body, "{}\"{i:x}\":0", if i == 0 { "" } else { "," });
    }
    body.push('}');
    let (done, finished) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let limits = Limits {
            max_bytes: body.len(),
            max_depth: 2,
        };
        let members = StrictObject::parse(body.as_bytes(), limits).map(|o| o.members().len());
        let checked = validate(body.as_bytes(), limits).map(str::len);
        let _ = done.send((members, checked));
    });
    let (members, checked) = finished
        .recv_timeout(std::time::Duration::from_secs(30))
        .expect("100,000 distinct keys were not checked within 30 s");
    assert_eq!(members, Ok(KEYS));
    assert!(checked.is_ok());
}
