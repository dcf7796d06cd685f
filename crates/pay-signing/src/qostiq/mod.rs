//! Qostiq signatures.
//!
//! `sign = lowercase_hex(sha256(v1 ":" v2 ":" … ":" vN + secret))`, where `v1…vN` are the values of the
//! endpoint's signed keys in ASCII order of the key names, each rendered as the (Python) server renders
//! it. Plain SHA-256, not HMAC; the secret is appended without a separator. Callbacks use the same
//! construction over all their non-empty top-level keys; the key names are not signed, so the
//! verifier binds them to the callback's type ([`CallbackKind`]): see [`CallbackVerifier`].

mod bind;
mod callback;
pub mod forgery;
mod schema;

use pay_core::error::SignatureError;
use pay_core::json::{StrictObject, Value, python};
use pay_core::secret::Secret;
use sha2::{Digest as _, Sha256};

pub use callback::{
    CallbackExplanation, CallbackForm, CallbackVerifier, VerifiedCallback, explain_callback,
    explain_callback_form, sign_callback,
};
pub use schema::{CallbackKind, KeySpec, Presence, Shape, parse_date_time};

/// The signed keys of every Qostiq endpoint, sorted, in one place (PROTOCOL.md).
///
/// `pay-form` is the PAY page form; the last five entries are beyond the seeds.
pub const SIGNED_KEYS: &[(&str, &[&str])] = &[
    (
        "/bill/create",
        &[
            "payer_currency",
            "shop_amount",
            "shop_currency",
            "shop_id",
            "shop_order_id",
        ],
    ),
    (
        "/bill/create/v2",
        &["currency", "now", "shop_id", "shop_order_id"],
    ),
    (
        "/bill/shop_order_status",
        &["now", "shop_id", "shop_order_id"],
    ),
    (
        "/transfer/try",
        &[
            "amount",
            "amount_type",
            "payee_currency",
            "shop_currency",
            "shop_id",
        ],
    ),
    (
        "/transfer/create",
        &[
            "amount",
            "amount_type",
            "payee_account",
            "payee_currency",
            "shop_currency",
            "shop_id",
            "shop_payment_id",
        ],
    ),
    (
        "/transfer/shop_payment_status",
        &["now", "shop_id", "shop_payment_id"],
    ),
    (
        "/withdraw/try",
        &[
            "amount",
            "amount_type",
            "payway",
            "shop_currency",
            "shop_id",
        ],
    ),
    (
        "/check_account",
        &["account", "amount", "payway", "shop_id"],
    ),
    (
        "/withdraw/create",
        &[
            "account",
            "amount",
            "amount_type",
            "payway",
            "shop_currency",
            "shop_id",
            "shop_payment_id",
        ],
    ),
    ("/withdraw/status", &["now", "shop_id", "withdraw_id"]),
    (
        "/withdraw/shop_payment_status",
        &["now", "shop_id", "shop_payment_id"],
    ),
    ("/account/register", &["email", "now", "shop_id"]),
    ("/shop_balance", &["now", "shop_id"]),
    ("/shop_input_config/shop", &["now", "shop_id"]),
    ("/shop_output_config/shop", &["now", "shop_id"]),
    (
        "/crypto/withdraw/try",
        &[
            "amount",
            "amount_type",
            "now",
            "payway",
            "shop_currency",
            "shop_id",
        ],
    ),
    (
        "/crypto/withdraw/create",
        &[
            "account",
            "amount",
            "amount_type",
            "now",
            "payway",
            "shop_currency",
            "shop_id",
            "shop_payment_id",
        ],
    ),
    (
        "/crypto/withdraw/status",
        &["now", "shop_id", "withdraw_id"],
    ),
    (
        "/crypto/withdraw/shop_payment_status",
        &["now", "shop_id", "shop_payment_id"],
    ),
    ("/crypto/shop_balance", &["now", "shop_id"]),
    (
        "pay-form",
        &["amount", "currency", "shop_id", "shop_order_id"],
    ),
    (
        "/invoice/try",
        &["amount", "currency", "payway", "shop_id", "shop_order_id"],
    ),
    (
        "/invoice/create",
        &["amount", "currency", "payway", "shop_id", "shop_order_id"],
    ),
    (
        "/crypto/shop_address/create",
        &["client", "now", "payway", "shop_id"],
    ),
    (
        "/crypto/bill/try",
        &[
            "now",
            "payer_currency",
            "shop_amount",
            "shop_currency",
            "shop_id",
            "shop_order_id",
        ],
    ),
    (
        "/crypto/transfer/try",
        &[
            "amount",
            "amount_type",
            "now",
            "payer_currency",
            "shop_currency",
            "shop_id",
        ],
    ),
];

/// The sorted signed keys of `endpoint` (a path such as `/withdraw/create`, or `pay-form`).
pub fn signed_keys(endpoint: &str) -> Option<&'static [&'static str]> {
    SIGNED_KEYS
        .iter()
        .find(|(name, _)| *name == endpoint)
        .map(|(_, keys)| *keys)
}

/// Signs values already in signed-key order: `lowercase_hex(sha256(v1:…:vN + secret))`.
pub fn sign(secret: &Secret, values: &[&str]) -> String {
    hex::encode(digest(secret, values))
}

/// The string [`sign`] hashes, with the secret shown as `***`.
pub fn explain(values: &[&str]) -> String {
    let mut out = values.join(":");
    out.push_str("***");
    out
}

pub(crate) fn digest<S: AsRef<str>>(secret: &Secret, values: &[S]) -> [u8; 32] {
    let mut hasher = Sha256::new();
    for (i, value) in values.iter().enumerate() {
        if i > 0 {
            hasher.update(b":");
        }
        hasher.update(value.as_ref().as_bytes());
    }
    hasher.update(secret.expose_bytes());
    hasher.finalize().into()
}

/// A request signature with everything needed to debug an "invalid sign".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Explained {
    /// The endpoint signed.
    pub endpoint: String,
    /// Its signed keys, sorted.
    pub signed_keys: Vec<String>,
    /// The string hashed, secret masked as `***`.
    pub string_to_sign: String,
    /// The signature.
    pub sign: String,
}

/// Signs a request body the way the server checks it: each signed key's value rendered as Python's
/// `str()` of the parsed JSON value (`10.50` → `10.5`: send amounts as strings to avoid surprises).
///
/// ```
/// use pay_core::json::{Limits, StrictObject};
/// use pay_core::secret::Secret;
///
/// let body = br#"{"amount": "12.34", "currency": 980, "payway": "card_uah", "shop_id": 5, "shop_order_id": 4126}"#;
/// let object = StrictObject::parse(body, Limits::default()).unwrap();
/// let secret = Secret::new("SecretKey01").unwrap();
/// let signed = pay_signing::qostiq::sign_body("/invoice/create", &object, &secret).unwrap();
/// assert_eq!(signed.string_to_sign, "12.34:980:card_uah:5:4126***");
/// assert!(signed.sign.starts_with("4c2608a8"));
/// ```
pub fn sign_body(
    endpoint: &str,
    body: &StrictObject<'_>,
    secret: &Secret,
) -> Result<Explained, SignatureError> {
    let keys = signed_keys(endpoint).ok_or_else(|| SignatureError::UnknownEndpoint {
        endpoint: endpoint.to_owned(),
    })?;
    let mut values = Vec::with_capacity(keys.len());
    for key in keys {
        let member = body.get(key).filter(|m| m.value != Value::Null);
        let member = member.ok_or_else(|| SignatureError::MissingSignedKey {
            key: (*key).to_owned(),
        })?;
        values.push(python::str_form(&member.value));
    }
    Ok(Explained {
        endpoint: endpoint.to_owned(),
        signed_keys: keys.iter().map(|k| (*k).to_owned()).collect(),
        string_to_sign: explain(&values.iter().map(String::as_str).collect::<Vec<_>>()),
        sign: hex::encode(digest(secret, &values)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use pay_core::json::Limits;

    #[test]
    fn every_table_entry_is_sorted_and_unique() {
        for (endpoint, keys) in SIGNED_KEYS {
            assert!(
                keys.windows(2).all(|w| w[0] < w[1]),
                "{endpoint} keys not sorted"
            );
        }
        let mut names: Vec<_> = SIGNED_KEYS.iter().map(|(n, _)| *n).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), SIGNED_KEYS.len());
    }

    #[test]
    fn confirmed_examples() {
        let secret = Secret::new("SecretKey01").unwrap();
        assert_eq!(
            sign(&secret, &["12.34", "980", "card_uah", "5", "4126"]),
            "4c2608a8638c0650d54dd4809bd69ab50d1a1cd55f2e13366b68d43caee34104"
        );
    }

    #[test]
    fn sign_body_reports_missing_and_unknown() {
        let secret = Secret::new("k").unwrap();
        let body =
            StrictObject::parse(br#"{"now": 1, "shop_id": null}"#, Limits::default()).unwrap();
        assert_eq!(
            sign_body("/shop_balance", &body, &secret),
            Err(SignatureError::MissingSignedKey {
                key: "shop_id".into()
            })
        );
        assert_eq!(
            sign_body("/nope", &body, &secret),
            Err(SignatureError::UnknownEndpoint {
                endpoint: "/nope".into()
            })
        );
    }
}
