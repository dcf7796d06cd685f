//! Renders parsed JSON values the way the Qostiq server (written in Python) turns them into text before
//! signing: `str()` of top-level scalars, `json.dumps(value, ensure_ascii=False)` of nested values.
//!
//! ```
//! use pay_core::json::{python, Limits, StrictObject};
//!
//! let body = br#"{"a": 10.50, "b": 1E2, "c": 0.00001, "d": true, "e": {"k": [1, 2.0, "\u2116"]}}"#;
//! let object = StrictObject::parse(body, Limits::default()).unwrap();
//! let rendered: Vec<String> =
//!     object.members().iter().map(|m| python::str_form(&m.value)).collect();
//! assert_eq!(rendered, ["10.5", "100.0", "1e-05", "True", r#"{"k": [1, 2.0, "№"]}"#]);
//! ```

use std::fmt::Write as _;

use super::{Member, Value};

/// How nested objects and arrays are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NestedForm {
    /// `json.dumps(v, ensure_ascii=False)`: separators `", "` and `": "` (what the server signs).
    Python,
    /// `json.dumps(v, ensure_ascii=False, separators=(",", ":"))`: the seeds' compact form.
    Compact,
}

/// Python's `str()` of a parsed value, nested values in the [`NestedForm::Python`] form.
pub fn str_form(value: &Value<'_>) -> String {
    let mut out = String::new();
    write_str_form(value, NestedForm::Python, &mut out);
    out
}

/// Appends Python's `str()` of a parsed value; nested values are written in `nested` form.
pub fn write_str_form(value: &Value<'_>, nested: NestedForm, out: &mut String) {
    match value {
        Value::Null => out.push_str("None"),
        Value::Bool(true) => out.push_str("True"),
        Value::Bool(false) => out.push_str("False"),
        Value::Number(token) => write_number(token, false, out),
        Value::String(text) => out.push_str(text),
        Value::Array(_) | Value::Object(_) => write_dumps(value, nested, out),
    }
}

/// Appends `json.dumps(value, ensure_ascii=False)` in the given form.
pub fn write_dumps(value: &Value<'_>, form: NestedForm, out: &mut String) {
    let (item_sep, key_sep) = match form {
        NestedForm::Python => (", ", ": "),
        NestedForm::Compact => (",", ":"),
    };
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(true) => out.push_str("true"),
        Value::Bool(false) => out.push_str("false"),
        Value::Number(token) => write_number(token, true, out),
        Value::String(text) => write_quoted(text, out),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(item_sep);
                }
                write_dumps(item, form, out);
            }
            out.push(']');
        }
        Value::Object(members) => {
            out.push('{');
            for (i, Member { key, value, .. }) in members.iter().enumerate() {
                if i > 0 {
                    out.push_str(item_sep);
                }
                write_quoted(key, out);
                out.push_str(key_sep);
                write_dumps(value, form, out);
            }
            out.push('}');
        }
    }
}

/// A JSON string as `json.dumps(ensure_ascii=False)` writes it.
///
/// Only ASCII bytes (`"`, `\\`, controls) are escaped, so runs between them are copied as whole
/// slices (a UTF-8 continuation byte is never below 0x80).
fn write_quoted(text: &str, out: &mut String) {
    out.reserve(text.len() + 2);
    out.push('"');
    let bytes = text.as_bytes();
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let escape = match b {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0x08 => "\\b",
            0x0c => "\\f",
            0x00..=0x1f => "",
            _ => continue,
        };
        out.push_str(text.get(start..i).unwrap_or_default());
        if escape.is_empty() {
            let _ = write!(out, "\\u{:04x}", b);
        } else {
            out.push_str(escape);
        }
        start = i + 1;
    }
    out.push_str(text.get(start..).unwrap_or_default());
    out.push('"');
}

/// Whether a JSON number token is a Python `float` once parsed (`json.loads`): it has a fraction or
/// an exponent. Otherwise it is an `int`.
pub fn is_float_token(token: &str) -> bool {
    token.bytes().any(|b| matches!(b, b'.' | b'e' | b'E'))
}

/// Appends Python's text for a JSON number token: `int` as its digits (`-0` is `0`), `float` as
/// `repr(float)` (`10.50` → `10.5`, `1E2` → `100.0`, `0.00001` → `1e-05`). Overflowing floats are
/// `inf` under `str()` and `Infinity` inside `json.dumps`.
pub fn write_number(token: &str, in_dumps: bool, out: &mut String) {
    if !is_float_token(token) {
        if token.trim_start_matches('-').bytes().all(|b| b == b'0') {
            out.push('0');
        } else {
            out.push_str(token);
        }
        return;
    }
    if write_plain_decimal(token, out) {
        return;
    }
    // Python parses the token to the nearest binary double, as Rust's parser does (both correctly
    // rounded); this is signature rendering only, never money arithmetic.
    let parsed: f64 = token.parse().unwrap_or(f64::NAN);
    if parsed.is_nan() {
        out.push_str(if in_dumps { "NaN" } else { "nan" });
        return;
    }
    if parsed.is_infinite() {
        let sign = if parsed.is_sign_negative() { "-" } else { "" };
        out.push_str(sign);
        out.push_str(if in_dumps { "Infinity" } else { "inf" });
        return;
    }
    write_float_repr(parsed, out);
}

/// The fast path of [`write_number`] for the common money shape `-?int.frac` (no exponent) with at
/// most 15 significant digits. Any decimal of at most 15 significant digits is recovered exactly
/// from its nearest double (`DBL_DIG`), so `repr` prints those same digits: the token minus the
/// fraction's trailing zeros (keeping one). Values below 0.001 need scientific notation in some
/// cases and take the general path. Returns `false` (writing nothing) when the token does not fit.
fn write_plain_decimal(token: &str, out: &mut String) -> bool {
    let unsigned = token.strip_prefix('-').unwrap_or(token);
    let Some((int, frac)) = unsigned.split_once('.') else {
        return false;
    };
    let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !all_digits(int) || !all_digits(frac) || (int.len() > 1 && int.starts_with('0')) {
        return false;
    }
    let frac = frac.trim_end_matches('0');
    let significant = if int == "0" {
        let leading = frac.len() - frac.trim_start_matches('0').len();
        if leading >= 3 {
            return false;
        }
        frac.len() - leading
    } else {
        int.len() + frac.len()
    };
    if significant > 15 {
        return false;
    }
    let sign_len = token.len() - unsigned.len();
    out.push_str(token.get(..sign_len + int.len() + 1).unwrap_or_default());
    out.push_str(if frac.is_empty() { "0" } else { frac });
    true
}

/// Python's `repr(float)`: fixed notation when the decimal exponent is in `-4 < e <= 16`,
/// scientific (`1e-05`, `1.5e+16`) otherwise, with the digits of [`ReprDigits::of`].
fn write_float_repr(value: f64, out: &mut String) {
    if value.is_sign_negative() {
        out.push('-');
    }
    let repr = ReprDigits::of(value.abs());
    let digits = repr.digits();
    let n = i32::try_from(digits.len()).unwrap_or(i32::MAX);
    let decpt = repr.exponent + 1;
    let push_digits = |out: &mut String, digits: &[u8]| {
        out.extend(digits.iter().map(|&d| char::from(d)));
    };
    if decpt > -4 && decpt <= 16 {
        if decpt <= 0 {
            out.push_str("0.");
            push_zeros(out, -decpt);
            push_digits(out, digits);
        } else if decpt < n {
            let (int, frac) = digits.split_at(decpt.unsigned_abs() as usize);
            push_digits(out, int);
            out.push('.');
            push_digits(out, frac);
        } else {
            push_digits(out, digits);
            push_zeros(out, decpt - n);
            out.push_str(".0");
        }
    } else {
        let (first, rest) = digits.split_at(1.min(digits.len()));
        push_digits(out, first);
        if !rest.is_empty() {
            out.push('.');
            push_digits(out, rest);
        }
        let e = decpt - 1;
        let _ = write!(
            out,
            "e{}{:02}",
            if e < 0 { '-' } else { '+' },
            e.unsigned_abs()
        );
    }
}

/// The significant digits CPython's `repr` picks for a finite double (David Gay's `dtoa` mode 0):
/// the fewest digits that read back as the same double; among candidates of that length the one
/// nearest the exact binary value; of two equally near, the one with an even last digit.
///
/// Rust's `{:e}` also gives the fewest digits, `n`, but breaks ties upwards
/// (`225500917378415.125` → `…415.13`, CPython `…415.12`). The candidates of length `n` that read
/// back are the `n`-digit values inside the double's rounding interval. `R`, the exact value
/// correctly rounded to `n` digits half to even (Rust's `{:.p$e}` rounds the exact binary value so),
/// is CPython's pick whenever it is inside. It can be outside only when the interval is lopsided (a
/// power of two: the gap below is half the gap above) and `R` sits below, beyond the narrow half;
/// the wide half above is then narrower than one step of the last digit (it is less than twice
/// the distance to `R`, itself at most half a step), so it holds one `n`-digit value only, and
/// that is Rust's. Relied upon: `{:e}` is shortest, `{:.p$e}` rounds half to even, `str::parse`
/// rounds correctly; `crates/pay-core/tests/python_floats.rs` checks the result
/// against CPython on 141,833 tokens (ties, powers of two, subnormals, extremes, random bits).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct ReprDigits {
    /// ASCII digits, `len` of them, no trailing zeros except a lone `0`.
    buf: [u8; 17],
    len: usize,
    /// The power of ten of the first digit.
    exponent: i32,
}

impl ReprDigits {
    /// The `repr` digits of a finite `value >= 0`.
    fn of(value: f64) -> Self {
        let shortest = Self::from_sci(format_args!("{value:e}"));
        let Some(precision) = shortest.len.checked_sub(1) else {
            return shortest;
        };
        let nearest = Self::from_sci(format_args!("{value:.precision$e}"));
        if nearest != shortest && nearest.reads_back_as(value) {
            nearest
        } else {
            shortest
        }
    }

    /// Collects the digits and exponent of a non-negative `{:e}`-style text (`d.ddde-x`).
    fn from_sci(args: std::fmt::Arguments<'_>) -> Self {
        let mut sink = SciSink {
            digits: Self {
                buf: [b'0'; 17],
                len: 0,
                exponent: 0,
            },
            in_exponent: false,
            negative_exponent: false,
        };
        if std::fmt::Write::write_fmt(&mut sink, args).is_err() || sink.digits.len == 0 {
            // Unreachable for a finite double (at most 17 digits); keep a valid zero.
            return Self {
                buf: [b'0'; 17],
                len: 1,
                exponent: 0,
            };
        }
        let mut digits = sink.digits;
        if sink.negative_exponent {
            digits.exponent = -digits.exponent;
        }
        while digits.len > 1 && digits.buf.get(digits.len - 1) == Some(&b'0') {
            digits.len -= 1;
        }
        digits
    }

    fn digits(&self) -> &[u8] {
        self.buf.get(..self.len).unwrap_or_default()
    }

    /// Whether these digits parse back (correctly rounded, as CPython reads) to `value`.
    fn reads_back_as(&self, value: f64) -> bool {
        let mut text = String::with_capacity(24);
        text.extend(self.digits().iter().map(|&d| char::from(d)));
        let last = self.exponent - (i32::try_from(self.len).unwrap_or(0) - 1);
        let _ = write!(text, "e{last}");
        text.parse::<f64>() == Ok(value)
    }
}

/// A `fmt::Write` that parses `{:e}` output of a non-negative float into [`ReprDigits`].
struct SciSink {
    digits: ReprDigits,
    in_exponent: bool,
    negative_exponent: bool,
}

impl std::fmt::Write for SciSink {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        for b in s.bytes() {
            match b {
                b'0'..=b'9' if self.in_exponent => {
                    self.digits.exponent = self
                        .digits
                        .exponent
                        .checked_mul(10)
                        .and_then(|e| e.checked_add(i32::from(b - b'0')))
                        .ok_or(std::fmt::Error)?;
                }
                b'0'..=b'9' => {
                    *self
                        .digits
                        .buf
                        .get_mut(self.digits.len)
                        .ok_or(std::fmt::Error)? = b;
                    self.digits.len += 1;
                }
                b'.' if !self.in_exponent => {}
                b'e' if !self.in_exponent => self.in_exponent = true,
                b'-' if self.in_exponent => self.negative_exponent = true,
                _ => return Err(std::fmt::Error),
            }
        }
        Ok(())
    }
}

fn push_zeros(out: &mut String, count: i32) {
    for _ in 0..count.max(0) {
        out.push('0');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn num(token: &str) -> String {
        let mut out = String::new();
        write_number(token, false, &mut out);
        out
    }

    #[test]
    fn numbers_render_as_python_str() {
        // Expected values are what CPython 3.11 prints for str(json.loads(token)).
        let cases = [
            ("10.50", "10.5"),
            ("6.0", "6.0"),
            ("0.00001", "1e-05"),
            ("0.0001", "0.0001"),
            ("1E2", "100.0"),
            ("1e16", "1e+16"),
            ("1e15", "1000000000000000.0"),
            ("123456789012345678", "123456789012345678"),
            ("1.5e16", "1.5e+16"),
            ("-0", "0"),
            ("-0.0", "-0.0"),
            ("0.1", "0.1"),
            ("1.11", "1.11"),
            ("0.000100000000000000", "0.0001"),
            ("1e400", "inf"),
            ("-1e400", "-inf"),
            ("1e-400", "0.0"),
            ("12345678901234567890.5", "1.2345678901234567e+19"),
            ("0.30000000000000004", "0.30000000000000004"),
            ("2.5e-7", "2.5e-07"),
            ("-123.456e2", "-12345.6"),
            // Ties: two shortest candidates equally near; CPython keeps the even last digit.
            ("225500917378415.125", "225500917378415.12"),
            ("225500917378415.13", "225500917378415.12"),
            ("2956882784841.15625", "2956882784841.1562"),
            ("1836592072747915.25", "1836592072747915.2"),
            // 2**-25: a tie next to a power of two, the even candidate inside the narrow lower gap.
            ("2.98023223876953125e-08", "2.9802322387695312e-08"),
            // 2**-1017: the nearest 16-digit value is below, outside the narrow lower half-gap.
            ("7.120236347223045e-307", "7.120236347223045e-307"),
            ("5e-324", "5e-324"),
            ("1.5e-323", "1.5e-323"),
            ("2.2250738585072014e-308", "2.2250738585072014e-308"),
            ("1.7976931348623157e308", "1.7976931348623157e+308"),
            ("9999999999999998.0", "9999999999999998.0"),
            ("0.00009999999999999999", "9.999999999999999e-05"),
        ];
        for (token, expected) in cases {
            assert_eq!(num(token), expected, "{token}");
        }
    }

    #[test]
    fn plain_decimal_fast_path_agrees_with_repr() {
        // A small deterministic generator over the shapes the fast path takes or refuses.
        let mut state = 0x9e37_79b9_7f4a_7c15_u64;
        let mut next = |n: u64| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state % n
        };
        for _ in 0..20_000 {
            let mut token = String::new();
            if next(4) == 0 {
                token.push('-');
            }
            let int_len = next(18);
            if int_len == 0 || next(3) == 0 {
                token.push('0');
            } else {
                token.push(char::from(b'1' + next(9) as u8));
                for _ in 1..int_len {
                    token.push(char::from(b'0' + next(10) as u8));
                }
            }
            token.push('.');
            for _ in 0..=next(18) {
                let digit = if next(3) == 0 { 0 } else { next(10) };
                token.push(char::from(b'0' + digit as u8));
            }
            let mut fast = String::new();
            if write_plain_decimal(&token, &mut fast) {
                let mut general = String::new();
                write_float_repr(token.parse().unwrap(), &mut general);
                assert_eq!(fast, general, "{token}");
            }
        }
        for (token, taken) in [
            ("10.50", true),
            ("0.001", true),
            ("0.0001", false),
            ("1.5e3", false),
        ] {
            assert_eq!(
                write_plain_decimal(token, &mut String::new()),
                taken,
                "{token}"
            );
        }
    }

    #[test]
    fn nested_floats_use_the_same_repr() {
        use crate::json::{Limits, StrictObject};

        let body = br#"{"a": [225500917378415.125, {"b": 1e-5}], "c": 225500917378415.125}"#;
        let object = StrictObject::parse(body, Limits::EVENTS).unwrap();
        let rendered: Vec<String> = object
            .members()
            .iter()
            .map(|m| str_form(&m.value))
            .collect();
        assert_eq!(
            rendered,
            [
                r#"[225500917378415.12, {"b": 1e-05}]"#,
                "225500917378415.12"
            ]
        );
    }

    #[test]
    fn quoting_follows_json_dumps() {
        let mut out = String::new();
        write_quoted("a\"b\\c\n\u{1}\u{7f}№\u{2028}", &mut out);
        assert_eq!(out, "\"a\\\"b\\\\c\\n\\u0001\u{7f}№\u{2028}\"");
    }
}
