//! What was asked ([`Intent`]), what a payout shows ([`Observed`]), and the exact comparison of the
//! two ([`Intent::compare`] → [`Difference`]s, judged into a [`Verdict`]).

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::money::Amount;
use crate::text::{AccountNumber, Untrusted};

/// How many characters of a value found at the provider a [`Difference`] keeps.
const FOUND_MAX_CHARS: usize = 64;

/// What a payout request asked for: the id it is looked up by and the terms a payout found under
/// that id must show to be *this* payout.
///
/// Fields are named in the provider's own vocabulary of the payout (`payee_receive`,
/// `shop_currency`, `sourceAmount`), so a judge compares a field of the intent with the field of
/// the same name in what it found. Fields the provider does not report back (a Qostiq fiat
/// withdrawal's `account` and `payway`) stay in the intent as the record of what was asked; they
/// cannot be compared (`docs/reliability.md` lists, per endpoint, which fields are).
///
/// Serialized as is (`serde`), so a recovery can be resumed from a stored intent and its
/// [`Evidence`](super::Evidence). An account number is serialized **in full** (it must be compared
/// after a resume): store an intent as carefully as the request itself. `Debug` masks it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Intent {
    /// The endpoint that moves the money ([`EndpointInfo::name`](crate::endpoint::EndpointInfo),
    /// `qostiq.withdraw.create`, `coinqvest.withdrawal.commit`).
    pub operation: String,
    /// The id the payout is looked up by: Qostiq `shop_payment_id` (`shop_order_id` for bills), the
    /// COINQVEST withdrawal id.
    pub id: String,
    /// The asked terms, in order.
    pub fields: Vec<IntentField>,
}

/// One asked term of an [`Intent`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IntentField {
    /// The field's name in the provider's vocabulary of the payout.
    pub name: String,
    /// The asked value.
    pub value: FieldValue,
}

/// A value of an intent field or of a payout's field.
///
/// Serialized as `{"type": "amount" | "text" | "account", "value": "…"}`; an account in full (see
/// [`Intent`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(into = "WireValue", try_from = "WireValue")]
pub enum FieldValue {
    /// An exact amount, compared by value (`10.5` equals `10.50`; `10.50` never equals `10.5001`).
    Amount(Amount),
    /// Text compared byte for byte (currency codes, payways, ids).
    Text(String),
    /// An account number, compared byte for byte and shown masked.
    Account(AccountNumber),
}

/// The stored form of a [`FieldValue`]. `AccountNumber` has no `serde` of its own (it is printed
/// masked everywhere); an intent keeps the full value to compare it after a resume.
#[derive(Serialize, Deserialize)]
#[serde(tag = "type", content = "value", rename_all = "snake_case")]
enum WireValue {
    Amount(Amount),
    Text(String),
    Account(String),
}

impl From<FieldValue> for WireValue {
    fn from(value: FieldValue) -> Self {
        match value {
            FieldValue::Amount(a) => Self::Amount(a),
            FieldValue::Text(t) => Self::Text(t),
            FieldValue::Account(a) => Self::Account(a.expose().to_owned()),
        }
    }
}

impl TryFrom<WireValue> for FieldValue {
    type Error = crate::error::Error;

    fn try_from(value: WireValue) -> Result<Self, Self::Error> {
        Ok(match value {
            WireValue::Amount(a) => Self::Amount(a),
            WireValue::Text(t) => Self::Text(t),
            WireValue::Account(a) => Self::Account(AccountNumber::new(a)?),
        })
    }
}

impl FieldValue {
    /// Text value.
    pub fn text(value: impl Into<String>) -> Self {
        Self::Text(value.into())
    }

    /// Whether `self` and `other` are the same value: amounts by value, text and accounts exactly.
    /// Values of different kinds never match.
    pub fn matches(&self, other: &Self) -> bool {
        match (self, other) {
            (Self::Amount(a), Self::Amount(b)) => a == b,
            (Self::Text(a), Self::Text(b)) => a == b,
            (Self::Account(a), Self::Account(b)) => a.expose() == b.expose(),
            _ => false,
        }
    }

    /// The value for people: amounts as written, accounts masked.
    fn shown(&self) -> String {
        match self {
            Self::Amount(a) => a.to_string(),
            Self::Text(t) => t.clone(),
            Self::Account(a) => a.masked().to_string(),
        }
    }

    /// A value read from the provider, for people: accounts masked, text escaped and capped.
    fn shown_untrusted(&self) -> String {
        match self {
            Self::Amount(a) => a.to_string(),
            Self::Text(t) => Untrusted::new(t).max_chars(FOUND_MAX_CHARS).to_string(),
            Self::Account(a) => a.masked().to_string(),
        }
    }
}

impl fmt::Display for FieldValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.shown())
    }
}

/// What a payout (a create's answer, a lookup's find) shows: its id and the fields it reports, in
/// the same vocabulary as [`Intent::fields`]. A field the provider does not report is `None` (not
/// compared).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Observed {
    /// The id the payout carries (`shop_payment_id`, withdrawal id), if it reports one.
    pub id: Option<String>,
    /// Reported fields.
    pub fields: Vec<(&'static str, Option<FieldValue>)>,
}

impl Observed {
    /// A payout carrying `id`.
    pub fn with_id(id: impl Into<String>) -> Self {
        Self {
            id: Some(id.into()),
            fields: Vec::new(),
        }
    }

    /// Adds a reported field.
    #[must_use]
    pub fn field(mut self, name: &'static str, value: Option<FieldValue>) -> Self {
        self.fields.push((name, value));
        self
    }
}

/// One term on which a found payout differs from the intent: both sides, for people and for the
/// journal (accounts masked, text from the provider escaped and capped).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Difference {
    /// The field (`id`, `payee_receive`, `targetAccount`).
    pub field: String,
    /// What was asked.
    pub asked: String,
    /// What the provider has.
    pub found: String,
}

impl fmt::Display for Difference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: asked {}, found {}",
            self.field, self.asked, self.found
        )
    }
}

impl Intent {
    /// An intent for `operation` on `id` with no terms yet.
    pub fn new(operation: impl Into<String>, id: impl Into<String>) -> Self {
        Self {
            operation: operation.into(),
            id: id.into(),
            fields: Vec::new(),
        }
    }

    /// Adds an asked term.
    #[must_use]
    pub fn field(mut self, name: impl Into<String>, value: FieldValue) -> Self {
        self.fields.push(IntentField {
            name: name.into(),
            value,
        });
        self
    }

    /// Adds an asked term when there is one (a fixed amount of a bill that may be free, an
    /// account that is valid); `None` adds nothing.
    ///
    /// ```
    /// use pay_core::recovery::{FieldValue, Intent};
    ///
    /// let fixed = Some(FieldValue::Amount("5".parse().unwrap()));
    /// let intent = Intent::new("qostiq.bill.create.v2", "4239")
    ///     .optional_field("shop_amount", None)
    ///     .optional_field("shop_amount", fixed);
    /// assert_eq!(intent.fields.len(), 1);
    /// assert_eq!(intent.fields[0].name, "shop_amount");
    /// ```
    #[must_use]
    pub fn optional_field(self, name: impl Into<String>, value: Option<FieldValue>) -> Self {
        match value {
            Some(value) => self.field(name, value),
            None => self,
        }
    }

    /// Every term on which `observed` differs from this intent: the id (when the payout reports
    /// one), then each intent field the payout reports, compared exactly
    /// ([`FieldValue::matches`]). Fields the payout does not report are not compared; nothing is
    /// rounded or converted.
    ///
    /// ```
    /// use pay_core::recovery::{FieldValue, Intent, Observed};
    ///
    /// let intent = Intent::new("qostiq.withdraw.create", "w-1")
    ///     .field("payee_receive", FieldValue::Amount("500.00".parse().unwrap()))
    ///     .field("payway", FieldValue::text("card_uah")); // not reported back: not compared
    /// let same = Observed::with_id("w-1").field("payee_receive", Some(FieldValue::Amount("500".parse().unwrap())));
    /// assert!(intent.compare(&same).is_empty());
    /// let other = Observed::with_id("w-1").field("payee_receive", Some(FieldValue::Amount("1.00".parse().unwrap())));
    /// assert_eq!(intent.compare(&other)[0].to_string(), "payee_receive: asked 500.00, found 1.00");
    /// ```
    pub fn compare(&self, observed: &Observed) -> Vec<Difference> {
        let mut differences = Vec::new();
        if let Some(id) = &observed.id
            && *id != self.id
        {
            differences.push(Difference {
                field: "id".to_owned(),
                asked: self.id.clone(),
                found: Untrusted::new(id).max_chars(FOUND_MAX_CHARS).to_string(),
            });
        }
        for asked in &self.fields {
            let reported = observed
                .fields
                .iter()
                .find(|(name, _)| *name == asked.name)
                .and_then(|(_, value)| value.as_ref());
            if let Some(found) = reported
                && !asked.value.matches(found)
            {
                differences.push(Difference {
                    field: asked.name.clone(),
                    asked: asked.value.shown(),
                    found: found.shown_untrusted(),
                });
            }
        }
        differences
    }

    /// [`Verdict::Same`] when `observed` has no [`Difference`], else [`Verdict::Conflict`].
    pub fn judge(&self, observed: &Observed) -> Verdict {
        let differences = self.compare(observed);
        if differences.is_empty() {
            Verdict::Same
        } else {
            Verdict::Conflict { differences }
        }
    }
}

/// What a payout found under the intent's id means for the intent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "verdict", rename_all = "snake_case")]
pub enum Verdict {
    /// The same payout: it exists as asked (adopt it).
    Same,
    /// Nothing was done under this id yet: Qostiq "not found", a COINQVEST withdrawal still
    /// `PENDING_API_COMMIT`. It may be sent again with the same id, but only once the answer is
    /// conclusive (see [`super::decide`]).
    Absent,
    /// Something else is under this id: never success, never re-sent.
    Conflict {
        /// Every term that differs.
        differences: Vec<Difference>,
    },
    /// The payout cannot be judged yet (a state this version does not know): look again later.
    InDoubt {
        /// Why.
        reason: String,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    fn amount(text: &str) -> FieldValue {
        FieldValue::Amount(text.parse().unwrap())
    }

    fn account(text: &str) -> FieldValue {
        FieldValue::Account(AccountNumber::new(text).unwrap())
    }

    #[test]
    fn values_match_exactly_and_by_kind() {
        // (left, right, matches)
        let cases = [
            (amount("10.5"), amount("10.50"), true),
            (amount("1"), amount("1.00"), true),
            (amount("0.000103"), amount("0.000103000000000000"), true),
            (amount("500.00"), amount("1.00"), false),
            (amount("10.50"), amount("10.5001"), false),
            (amount("-1"), amount("1"), false),
            (FieldValue::text("980"), FieldValue::text("980"), true),
            (FieldValue::text("980"), FieldValue::text("980 "), false),
            (FieldValue::text("USDT"), FieldValue::text("usdt"), false),
            (account("TXyz1"), account("TXyz1"), true),
            (account("TXyz1"), account("TXyz2"), false),
            (amount("980"), FieldValue::text("980"), false),
            (account("980"), FieldValue::text("980"), false),
        ];
        for (left, right, expected) in cases {
            assert_eq!(left.matches(&right), expected, "{left:?} vs {right:?}");
            assert_eq!(right.matches(&left), expected, "{right:?} vs {left:?}");
        }
    }

    fn withdraw_intent() -> Intent {
        Intent::new("qostiq.crypto.withdraw.create", "w-1")
            .field("payee_receive", amount("500.00"))
            .field("shop_currency", FieldValue::text("USDT"))
            .field(
                "payee_address",
                account("0xf8227AA7aF9B5166AF69581C703A4398387B2B07"),
            )
            .field("payway", FieldValue::text("usdt_trc20"))
    }

    #[test]
    fn comparison_table() {
        let same = || {
            Observed::with_id("w-1")
                .field("payee_receive", Some(amount("500")))
                .field("shop_currency", Some(FieldValue::text("USDT")))
                .field(
                    "payee_address",
                    Some(account("0xf8227AA7aF9B5166AF69581C703A4398387B2B07")),
                )
        };
        // (what the lookup shows, fields that differ)
        let cases: Vec<(Observed, Vec<&str>)> = vec![
            (same(), vec![]),
            // Not reported: not compared.
            (
                Observed::with_id("w-1").field("payee_receive", Some(amount("500.0"))),
                vec![],
            ),
            (Observed { id: None, ..same() }, vec![]),
            (
                Observed::with_id("w-1").field("payee_address", None),
                vec![],
            ),
            // Another payout.
            (
                Observed {
                    id: Some("w-2".into()),
                    ..same()
                },
                vec!["id"],
            ),
            // The same id with another amount (an earlier, different payout).
            (
                Observed::with_id("w-1")
                    .field("payee_receive", Some(amount("1.00")))
                    .field("shop_currency", Some(FieldValue::text("USDT"))),
                vec!["payee_receive"],
            ),
            (
                Observed::with_id("w-1")
                    .field("payee_receive", Some(amount("500.001")))
                    .field("shop_currency", Some(FieldValue::text("BTC")))
                    .field(
                        "payee_address",
                        Some(account("0xOTHER0000000000000000000000000000000B07")),
                    ),
                vec!["payee_receive", "shop_currency", "payee_address"],
            ),
            // A field reported with the wrong kind never matches.
            (
                Observed::with_id("w-1").field("payee_receive", Some(FieldValue::text("500.00"))),
                vec!["payee_receive"],
            ),
        ];
        let intent = withdraw_intent();
        for (observed, expected) in cases {
            let fields: Vec<String> = intent
                .compare(&observed)
                .into_iter()
                .map(|d| d.field)
                .collect();
            assert_eq!(fields, expected, "{observed:?}");
            let verdict = intent.judge(&observed);
            assert_eq!(
                matches!(verdict, Verdict::Same),
                expected.is_empty(),
                "{verdict:?}"
            );
        }
    }

    #[test]
    fn differences_mask_accounts_and_escape_what_the_provider_sent() {
        let intent = withdraw_intent();
        let observed = Observed::with_id("w-1\nINFO forged").field(
            "payee_address",
            Some(account("0xOTHER0000000000000000000000000000000B99")),
        );
        let differences = intent.compare(&observed);
        let shown: Vec<String> = differences.iter().map(ToString::to_string).collect();
        assert_eq!(
            shown,
            [
                r#"id: asked w-1, found "w-1\nINFO forged""#,
                "payee_address: asked ****2B07, found ****0B99",
            ]
        );
        let long = "x".repeat(500);
        let d = intent.compare(&Observed::with_id(long.as_str()));
        assert!(d[0].found.len() < 100, "{}", d[0].found);
    }

    #[test]
    fn intents_round_trip_through_serde_and_debug_masks_accounts() {
        let intent = withdraw_intent();
        let json = serde_json::to_string(&intent).unwrap();
        assert!(
            json.contains(r#"{"name":"payee_receive","value":{"type":"amount","value":"500.00"}}"#),
            "{json}"
        );
        // The stored intent keeps the full address: it must be compared after a resume.
        assert!(json.contains("0xf8227AA7aF9B5166AF69581C703A4398387B2B07"));
        let back: Intent = serde_json::from_str(&json).unwrap();
        assert_eq!(back, intent);
        let debug = format!("{intent:?}");
        assert!(
            !debug.contains("0xf8227AA7aF9B5166AF69581C703A4398387B2B07"),
            "{debug}"
        );
        assert!(debug.contains("****2B07"));
        // A stored account that is not one is refused on reading.
        let bad = json.replace("0xf8227AA7aF9B5166AF69581C703A4398387B2B07", "");
        assert!(serde_json::from_str::<Intent>(&bad).is_err());
    }
}
