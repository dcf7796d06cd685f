//! `pay_core::json::python::write_number` against CPython itself: every token of
//! `testdata/python_floats/corpus.tsv` (written by `generate.py` there, with CPython 3.11) must render
//! exactly as `str(json.loads(token))` and, inside `json.dumps`, as `json.dumps(json.loads(token))`.
#![allow(clippy::expect_used, clippy::panic)]

use pay_core::json::python::write_number;

/// One corpus line: the token and CPython's `str` and `json.dumps` texts for it.
struct Case<'a> {
    line: usize,
    token: &'a str,
    str_text: &'a str,
    dumps_text: &'a str,
}

fn cases(corpus: &str) -> impl Iterator<Item = Case<'_>> {
    corpus
        .lines()
        .enumerate()
        .filter(|(_, line)| !line.is_empty() && !line.starts_with('#'))
        .map(|(i, line)| {
            let mut columns = line.split('\t');
            let token = columns.next().unwrap_or_default();
            let str_text = columns.next().unwrap_or(token);
            let dumps_text = columns.next().unwrap_or(str_text);
            assert!(columns.next().is_none(), "line {}: too many columns", i + 1);
            Case {
                line: i + 1,
                token,
                str_text,
                dumps_text,
            }
        })
}

#[test]
fn every_corpus_token_renders_as_cpython_does() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../testdata/python_floats/corpus.tsv"
    );
    let corpus = std::fs::read_to_string(path).expect("the corpus is checked in");
    let mut total = 0;
    let mut failures = Vec::new();
    let mut out = String::new();
    for case in cases(&corpus) {
        total += 1;
        let mut wrong = Vec::new();
        for (in_dumps, expected) in [(false, case.str_text), (true, case.dumps_text)] {
            out.clear();
            write_number(case.token, in_dumps, &mut out);
            if out != expected {
                wrong.push(format!("{out} for {expected} (in_dumps {in_dumps})"));
            }
        }
        if !wrong.is_empty() {
            failures.push(format!(
                "line {}: {}: {}",
                case.line,
                case.token,
                wrong.join(", ")
            ));
        }
    }
    assert!(total >= 100_000, "the corpus holds only {total} tokens");
    assert!(
        failures.is_empty(),
        "{} of {total} tokens differ from CPython, first ones:\n{}",
        failures.len(),
        failures
            .iter()
            .take(20)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}
