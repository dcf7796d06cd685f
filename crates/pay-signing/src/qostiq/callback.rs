//! Qostiq callback (server → shop) verification and signing.

use pay_core::error::SignatureError;
use pay_core::json::python::{self, NestedForm};
use pay_core::json::{Limits, Member, StrictObject, Value};
use pay_core::secret::Secret;

use super::digest;
use crate::digest::{decode, matches};

/// Which rendering of nested values produced the matching signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallbackForm {
    /// `json.dumps(ensure_ascii=False)` with `", "` and `": "` (what the server signs; tried first).
    Python,
    /// Compact `json.dumps` (`{"k":"v"}`), the seeds' form.
    Compact,
    /// The nested value's exact text in the body.
    Raw,
}

/// A callback whose signature matched one of the configured secrets.
#[derive(Debug, Clone)]
pub struct VerifiedCallback<'a> {
    /// The strictly parsed body (including `sign`).
    pub object: StrictObject<'a>,
    /// The rendering that matched.
    pub form: CallbackForm,
    /// Which configured secret matched (0 is the first; useful while rotating).
    pub secret_index: usize,
}

/// Verifies callbacks against one or more secrets (several during a rotation).
///
/// The body is parsed strictly first (duplicate keys, trailing bytes, non-objects, size and depth are
/// refused), then `sign` is decoded to 32 bytes, then every candidate is compared in constant time.
///
/// ```
/// use pay_core::secret::Secret;
/// use pay_signing::qostiq::{CallbackVerifier, sign_callback};
///
/// let secret = Secret::new("d3b07384d113edec49eaa6238ad5ff00").unwrap();
/// let body = sign_callback(&secret, br#"{"status": "success", "shop_payment_id": "A1", "amount": 6.0}"#).unwrap();
/// let verifier = CallbackVerifier::new(secret);
/// let callback = verifier.verify(body.as_bytes()).unwrap();
/// assert_eq!(callback.object.get("status").unwrap().raw, "\"success\"");
/// let tampered = body.replace("success", "rejected");
/// assert!(verifier.verify(tampered.as_bytes()).is_err());
/// ```
#[derive(Debug, Clone)]
pub struct CallbackVerifier {
    secrets: Vec<Secret>,
    limits: Limits,
}

impl CallbackVerifier {
    /// A verifier for one secret.
    pub fn new(secret: Secret) -> Self {
        Self {
            secrets: vec![secret],
            limits: Limits::EVENTS,
        }
    }

    /// A verifier accepting any of `secrets` (the current one first). Refuses an empty list.
    pub fn with_secrets(secrets: Vec<Secret>) -> Result<Self, SignatureError> {
        if secrets.is_empty() {
            return Err(SignatureError::NoSecret);
        }
        Ok(Self {
            secrets,
            limits: Limits::EVENTS,
        })
    }

    /// Replaces the parsing limits (default: [`Limits::EVENTS`], 64 KiB and depth 32).
    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// Verifies `body`, returning it parsed when a secret matches.
    pub fn verify<'a>(&self, body: &'a [u8]) -> Result<VerifiedCallback<'a>, SignatureError> {
        let object = StrictObject::parse(body, self.limits)?;
        let received = match object.get("sign").map(|m| &m.value) {
            None | Some(Value::Null) => return Err(SignatureError::Missing),
            Some(Value::String(text)) => decode(text)?,
            Some(_) => {
                return Err(SignatureError::Malformed {
                    reason: "`sign` is not a string",
                });
            }
        };
        let members = signed_members(&object);
        let has_nested = members
            .iter()
            .any(|m| matches!(m.value, Value::Array(_) | Value::Object(_)));
        let forms: &[CallbackForm] = if has_nested {
            &[
                CallbackForm::Python,
                CallbackForm::Compact,
                CallbackForm::Raw,
            ]
        } else {
            &[CallbackForm::Python]
        };
        // One buffer per candidate form, reused: the joined `v1:…:vN` the server hashed.
        let mut current = String::with_capacity(body.len());
        let mut previous = String::new();
        for (attempt, &form) in forms.iter().enumerate() {
            render(&members, form, &mut current);
            if attempt > 0 && current == previous {
                continue;
            }
            for (secret_index, secret) in self.secrets.iter().enumerate() {
                if matches(&digest(secret, &[current.as_str()]), &received) {
                    return Ok(VerifiedCallback {
                        object,
                        form,
                        secret_index,
                    });
                }
            }
            std::mem::swap(&mut previous, &mut current);
        }
        Err(SignatureError::Mismatch)
    }
}

/// Every top-level member except `sign` whose value is neither `null` nor `""`, sorted by key.
fn signed_members<'o, 'a>(object: &'o StrictObject<'a>) -> Vec<&'o Member<'a>> {
    let mut members: Vec<&Member<'a>> = object
        .members()
        .iter()
        .filter(|m| m.key != "sign")
        .filter(|m| {
            !matches!(&m.value, Value::Null)
                && !matches!(&m.value, Value::String(s) if s.is_empty())
        })
        .collect();
    members.sort_unstable_by(|a, b| a.key.cmp(&b.key));
    members
}

/// Writes the signed values joined by `:` into `out` (cleared first), nested values in `form`.
fn render(members: &[&Member<'_>], form: CallbackForm, out: &mut String) {
    out.clear();
    for (i, member) in members.iter().enumerate() {
        if i > 0 {
            out.push(':');
        }
        match (form, &member.value) {
            (CallbackForm::Raw, Value::Array(_) | Value::Object(_)) => out.push_str(member.raw),
            (CallbackForm::Compact, value) => {
                python::write_str_form(value, NestedForm::Compact, out);
            }
            (_, value) => python::write_str_form(value, NestedForm::Python, out),
        }
    }
}

/// The string a callback's signature covers (server form), with the secret masked as `***`.
pub fn explain_callback(body: &[u8]) -> Result<String, SignatureError> {
    let object = StrictObject::parse(body, Limits::EVENTS)?;
    Ok(explain_callback_form(&object, CallbackForm::Python).string_to_sign)
}

/// What a callback's signature covers in one rendering: the signed keys, sorted, and the joined
/// values with the secret masked as `***`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallbackExplanation {
    /// Every top-level key but `sign` whose value is neither `null` nor `""`, sorted.
    pub signed_keys: Vec<String>,
    /// The hashed string, secret masked.
    pub string_to_sign: String,
}

/// Explains a parsed callback in `form` (use [`CallbackForm::Python`] for what the server signs).
pub fn explain_callback_form(object: &StrictObject<'_>, form: CallbackForm) -> CallbackExplanation {
    let members = signed_members(object);
    let mut joined = String::with_capacity(object.source().len() + 3);
    render(&members, form, &mut joined);
    joined.push_str("***");
    CallbackExplanation {
        signed_keys: members.iter().map(|m| m.key.clone().into_owned()).collect(),
        string_to_sign: joined,
    }
}

/// Signs a callback body the way the server does and returns it with `"sign"` appended (replacing
/// any `sign` it had). For tests, sandboxes and example events.
pub fn sign_callback(secret: &Secret, body_without_sign: &[u8]) -> Result<String, SignatureError> {
    let object = StrictObject::parse(body_without_sign, Limits::EVENTS)?;
    let mut joined = String::with_capacity(body_without_sign.len());
    render(&signed_members(&object), CallbackForm::Python, &mut joined);
    let sign = hex::encode(digest(secret, &[joined]));
    let mut out = String::from("{");
    for member in object.members().iter().filter(|m| m.key != "sign") {
        if out.len() > 1 {
            out.push_str(", ");
        }
        python::write_dumps(
            &Value::String(member.key.clone()),
            NestedForm::Python,
            &mut out,
        );
        out.push_str(": ");
        out.push_str(member.raw);
    }
    if out.len() > 1 {
        out.push_str(", ");
    }
    out.push_str("\"sign\": \"");
    out.push_str(&sign);
    out.push_str("\"}");
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secret() -> Secret {
        Secret::new("d3b07384d113edec49eaa6238ad5ff00").unwrap()
    }

    #[test]
    fn accepts_compact_and_raw_forms_after_python() {
        let secret = secret();
        // Signed over the compact form, as some older engines did.
        let values = ["{\"customer_id\":\"1\"}", "success"];
        let sign = hex::encode(digest(&secret, &values));
        let body = format!(
            r#"{{"account_details": {{"customer_id": "1"}}, "status": "success", "sign": "{sign}"}}"#
        );
        let verified = CallbackVerifier::new(secret.clone())
            .verify(body.as_bytes())
            .unwrap();
        assert_eq!(verified.form, CallbackForm::Compact);
        // Signed over the raw substring.
        let values = ["{ \"customer_id\" :\"1\" }", "success"];
        let sign = hex::encode(digest(&secret, &values));
        let body = format!(
            r#"{{"account_details": {{ "customer_id" :"1" }}, "status": "success", "sign": "{sign}"}}"#
        );
        let verified = CallbackVerifier::new(secret)
            .verify(body.as_bytes())
            .unwrap();
        assert_eq!(verified.form, CallbackForm::Raw);
    }

    #[test]
    fn rotation_reports_the_matching_secret() {
        let old = secret();
        let body = sign_callback(&old, br#"{"status": "success"}"#).unwrap();
        let verifier =
            CallbackVerifier::with_secrets(vec![Secret::new("new-secret-1A").unwrap(), old])
                .unwrap();
        assert_eq!(verifier.verify(body.as_bytes()).unwrap().secret_index, 1);
        assert!(matches!(
            CallbackVerifier::with_secrets(vec![]),
            Err(SignatureError::NoSecret)
        ));
    }

    #[test]
    fn rejects_with_the_right_error() {
        let verifier = CallbackVerifier::new(secret());
        let cases: [(&str, SignatureError); 4] = [
            (r#"{"status": "success"}"#, SignatureError::Missing),
            (
                r#"{"status": "success", "sign": null}"#,
                SignatureError::Missing,
            ),
            (
                r#"{"status": "success", "sign": ""}"#,
                SignatureError::Missing,
            ),
            (
                r#"{"status": "success", "sign": 5}"#,
                SignatureError::Malformed {
                    reason: "`sign` is not a string",
                },
            ),
        ];
        for (body, expected) in cases {
            assert_eq!(
                verifier.verify(body.as_bytes()).unwrap_err(),
                expected,
                "{body}"
            );
        }
        let wrong = format!(r#"{{"status": "success", "sign": "{}"}}"#, "0".repeat(64));
        assert_eq!(
            verifier.verify(wrong.as_bytes()).unwrap_err(),
            SignatureError::Mismatch
        );
    }

    #[test]
    fn empty_values_and_nulls_are_not_signed_but_zero_and_false_are() {
        let body = br#"{"a": "", "b": null, "c": 0, "d": false, "e": 0.0, "f": {}}"#;
        assert_eq!(explain_callback(body).unwrap(), "0:False:0.0:{}***");
    }
}
