//! Qostiq callback (server → shop) verification and signing.

use pay_core::error::SignatureError;
use pay_core::json::python::{self, NestedForm};
use pay_core::json::{Limits, Member, StrictObject, Value};
use pay_core::secret::Secret;

use super::bind::{self, CustomFields, Signed};
use super::digest;
use super::schema::CallbackKind;
use crate::digest::{Keys, decode};

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

/// A callback whose signature matched one of the configured secrets and whose keys are bound to
/// its type (see [`CallbackVerifier`]). Only the verifier makes one.
#[derive(Debug, Clone)]
pub struct VerifiedCallback<'a> {
    object: StrictObject<'a>,
    kind: CallbackKind,
    form: CallbackForm,
    secret_index: usize,
}

impl<'a> VerifiedCallback<'a> {
    /// The strictly parsed body (including `sign`).
    pub fn object(&self) -> &StrictObject<'a> {
        &self.object
    }

    /// The callback type, decided by `callback_type` (absent: a payment notification).
    pub fn kind(&self) -> CallbackKind {
        self.kind
    }

    /// The rendering that matched.
    pub fn form(&self) -> CallbackForm {
        self.form
    }

    /// Which configured secret matched (0 is the first; useful while rotating).
    pub fn secret_index(&self) -> usize {
        self.secret_index
    }

    /// The members that are declared custom fields (every member but `sign` and the provider's keys
    /// of [`VerifiedCallback::kind`]), in body order.
    pub fn custom_fields(&self) -> impl Iterator<Item = &Member<'a>> {
        let kind = self.kind;
        self.object
            .members()
            .iter()
            .filter(move |m| m.key != "sign" && kind.spec(&m.key).is_none())
    }
}

/// Verifies Qostiq callbacks: the signature against one or more secrets (several during a
/// rotation), then the keys against the callback's type.
///
/// 1. The body is parsed strictly (duplicate keys, trailing bytes, non-objects, size and depth are
///    refused), `sign` is decoded to 32 bytes and every candidate is compared in constant time.
/// 2. The provider signs the *values* sorted by key and joined with `:`, not the key names. So the
///    keys are bound: `callback_type` decides the [`CallbackKind`] (an unknown one is refused), every
///    key must be one the provider sends for it ([`CallbackKind::keys`]) or a custom field you
///    declared ([`CallbackVerifier::custom_fields`]), required keys must be present and every value
///    must have its key's [`Shape`](super::Shape). Finally the signed string must have no other
///    reading with another type or another value for a key that decides money (renamed keys, moved
///    values, colon shifts); otherwise the callback is refused as
///    [`SignatureError::Ambiguous`]. Each refusal is a typed [`SignatureError`] naming the key.
///
/// ```
/// use pay_core::error::SignatureError;
/// use pay_core::secret::Secret;
/// use pay_signing::qostiq::{CallbackKind, CallbackVerifier, sign_callback};
///
/// let secret = Secret::new("d3b07384d113edec49eaa6238ad5ff00").unwrap();
/// let body = sign_callback(&secret, br#"{"payment_id": 71111543, "shop_amount": "6.00",
///     "shop_currency": 980, "shop_order_id": "979", "status": "success", "order_note": null}"#).unwrap();
/// // `order_note` is a parameter the shop passed when creating the invoice: declare it.
/// let verifier = CallbackVerifier::new(secret).custom_fields(["order_note"]).unwrap();
/// let callback = verifier.verify(body.as_bytes()).unwrap();
/// assert_eq!(callback.kind(), CallbackKind::Payment);
/// assert_eq!(callback.object().get("shop_order_id").unwrap().raw, "\"979\"");
/// // Renaming a key keeps the signature valid; the verifier refuses it.
/// let renamed = body.replace("shop_order_id", "shop_order_no");
/// assert!(matches!(
///     verifier.verify(renamed.as_bytes()),
///     Err(SignatureError::UnknownKey { key, .. }) if key == "shop_order_no"
/// ));
/// let tampered = body.replace("success", "rejected");
/// assert_eq!(verifier.verify(tampered.as_bytes()).unwrap_err(), SignatureError::Mismatch);
/// ```
#[derive(Debug, Clone)]
pub struct CallbackVerifier {
    keys: Keys,
    custom: CustomFields,
}

impl CallbackVerifier {
    /// A verifier for one secret.
    pub fn new(secret: Secret) -> Self {
        Self::with(Keys::one(secret))
    }

    /// A verifier accepting any of `secrets` (the current one first). Refuses an empty list.
    pub fn with_secrets(secrets: Vec<Secret>) -> Result<Self, SignatureError> {
        Keys::many(secrets).map(Self::with)
    }

    fn with(keys: Keys) -> Self {
        Self {
            keys,
            custom: CustomFields::default(),
        }
    }

    /// Replaces the parsing limits (default: [`Limits::EVENTS`], 64 KiB and depth 32).
    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.keys.limits = limits;
        self
    }

    /// Declares custom fields for every callback type: parameters your shop passes when it creates
    /// an operation, which Qostiq echoes back at the top level of the callback (seed 001's
    /// `test_add_on`), and fields the provider added that this version does not know. A callback
    /// carrying any other key is refused.
    ///
    /// Refused ([`SignatureError::CustomField`]): an empty or blank name, one over 100 bytes or with
    /// a control character, `sign`, and any key the provider sends in a callback of any type (it
    /// would turn a typed field into an untyped one). A custom value may be any scalar whose text
    /// has no `:`, or a JSON object or array.
    pub fn custom_fields<I, S>(self, names: I) -> Result<Self, SignatureError>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.declare(&CallbackKind::ALL, names)
    }

    /// Declares custom fields for one callback type only (see [`CallbackVerifier::custom_fields`]).
    pub fn custom_fields_for<I, S>(
        self,
        kind: CallbackKind,
        names: I,
    ) -> Result<Self, SignatureError>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.declare(&[kind], names)
    }

    fn declare<I, S>(mut self, kinds: &[CallbackKind], names: I) -> Result<Self, SignatureError>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.custom.declare(kinds, names)?;
        Ok(self)
    }

    /// The custom fields declared for `kind`, sorted.
    pub fn declared_custom_fields(&self, kind: CallbackKind) -> &[String] {
        self.custom.of(kind)
    }

    /// Verifies `body`: the signature, then the keys (see the type's documentation).
    pub fn verify<'a>(&self, body: &'a [u8]) -> Result<VerifiedCallback<'a>, SignatureError> {
        let object = StrictObject::parse(body, self.keys.limits)?;
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
        let mut ends = Vec::with_capacity(members.len());
        let mut matched = None;
        'forms: for (attempt, &form) in forms.iter().enumerate() {
            render(&members, form, &mut current, Some(&mut ends));
            if attempt > 0 && current == previous {
                continue;
            }
            let signed_by = |secret: &Secret| digest(secret, &[current.as_str()]);
            if let Some(secret_index) = self.keys.secrets.matching(&received, signed_by) {
                matched = Some((form, secret_index));
                break 'forms;
            }
            std::mem::swap(&mut previous, &mut current);
        }
        let (form, secret_index) = matched.ok_or(SignatureError::Mismatch)?;
        let mut start = 0;
        let signed: Vec<Signed<'_>> = members
            .iter()
            .zip(&ends)
            .map(|(member, &end)| {
                let text = current.get(start..end).unwrap_or_default();
                let signed = Signed {
                    key: &member.key,
                    value: &member.value,
                    text,
                    start,
                };
                start = end + 1;
                signed
            })
            .collect();
        let kind = bind::bind(&object, &signed, &current, &self.custom)?;
        drop(signed);
        Ok(VerifiedCallback {
            object,
            kind,
            form,
            secret_index,
        })
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
/// When `ends` is given, it receives where each value's text ends in `out`.
fn render(
    members: &[&Member<'_>],
    form: CallbackForm,
    out: &mut String,
    mut ends: Option<&mut Vec<usize>>,
) {
    out.clear();
    if let Some(ends) = ends.as_deref_mut() {
        ends.clear();
    }
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
        if let Some(ends) = ends.as_deref_mut() {
            ends.push(out.len());
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
    render(&members, form, &mut joined, None);
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
    render(
        &signed_members(&object),
        CallbackForm::Python,
        &mut joined,
        None,
    );
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

    /// The signed values of a withdraw callback after `account_details`, and their body text.
    const REST_VALUES: [&str; 9] = [
        "withdraw", "10.5", "1", "840", "840", "1", "p1", "11.5", "success",
    ];
    const REST_BODY: &str = r#""callback_type": "withdraw", "payee_receive": 10.5, "payment_id": 1, "ps_currency": 840, "shop_currency": 840, "shop_id": 1, "shop_payment_id": "p1", "shop_write_off": 11.5, "status": "success""#;

    fn signed_over(secret: &Secret, account_details: &str) -> String {
        let values: Vec<&str> = std::iter::once(account_details)
            .chain(REST_VALUES)
            .collect();
        hex::encode(digest(secret, &values))
    }

    #[test]
    fn accepts_compact_and_raw_forms_after_python() {
        let secret = secret();
        // Signed over the compact form, as some older engines did.
        let sign = signed_over(&secret, "{\"customer_id\":\"1\"}");
        let body = format!(
            r#"{{"account_details": {{"customer_id": "1"}}, {REST_BODY}, "sign": "{sign}"}}"#
        );
        let verified = CallbackVerifier::new(secret.clone())
            .verify(body.as_bytes())
            .unwrap();
        assert_eq!(verified.form(), CallbackForm::Compact);
        assert_eq!(verified.kind(), CallbackKind::Withdraw);
        // Signed over the raw substring.
        let sign = signed_over(&secret, "{ \"customer_id\" :\"1\" }");
        let body = format!(
            r#"{{"account_details": {{ "customer_id" :"1" }}, {REST_BODY}, "sign": "{sign}"}}"#
        );
        let verified = CallbackVerifier::new(secret)
            .verify(body.as_bytes())
            .unwrap();
        assert_eq!(verified.form(), CallbackForm::Raw);
    }

    #[test]
    fn rotation_reports_the_matching_secret() {
        let old = secret();
        let body = sign_callback(&old, format!("{{{REST_BODY}}}").as_bytes()).unwrap();
        let verifier =
            CallbackVerifier::with_secrets(vec![Secret::new("new-secret-1A").unwrap(), old])
                .unwrap();
        assert_eq!(verifier.verify(body.as_bytes()).unwrap().secret_index(), 1);
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
