//! Callbacks from Qostiq: the fiat withdraw callback, the crypto withdraw callback and the payment
//! notification (invoices and bills).
//!
//! Verify first, then parse: the typed callbacks can only be read from a [`VerifiedCallback`], which
//! only [`CallbackVerifier`] makes: the signature checked, the body parsed strictly, and its keys
//! bound to its [`CallbackKind`] (the provider signs values, not key names, so a renamed key or a
//! value moved to another key keeps a valid signature: the verifier refuses those, see
//! [`CallbackVerifier`]). [`verify_and_parse`] does both. Declare the custom parameters your shop
//! passes at creation ([`CallbackVerifier::custom_fields`]); they come back at the top level and
//! are kept in `extra`. Then compare the callback with your own record
//! ([`WithdrawCallback::mismatches`] and friends) and apply it once: the server retries until it gets
//! HTTP 200 with body [`ACK_BODY`] (`OK`), 25 times over a day, so duplicates are normal:
//! deduplicate by [`Callback`]'s [`ProviderEvent::identity`] (pay-webhook does), whose finality is
//! [`CallbackStatus::finality`]. Senders: [`FIAT_CALLBACK_IPS`], [`CRYPTO_CALLBACK_IPS`].
//!
//! ```
//! use pay_core::secret::Secret;
//! use pay_qostiq::callbacks::{verify_and_parse, Callback, CallbackVerifier, WithdrawRecord};
//! use pay_qostiq::CallbackStatus;
//!
//! let secret = Secret::new("d3b07384d113edec49eaa6238ad5ff00").unwrap();
//! // What the server would send (signed here with the test helper).
//! let body = pay_signing::qostiq::sign_callback(&secret, br#"{"callback_type": "withdraw",
//!     "created": "2024-11-18 13:41:57", "payee_receive": 10.5, "payment_id": 64045,
//!     "payway": "card_usd", "processed": "2024-11-18 13:45:38", "ps_currency": 840,
//!     "shop_currency": 840, "shop_id": 1, "shop_payment_id": "12345678",
//!     "shop_write_off": 11.5, "status": "success", "test_add_on": "7"}"#).unwrap();
//!
//! let verifier = CallbackVerifier::new(secret).custom_fields(["test_add_on"]).unwrap();
//! let Callback::Withdraw(callback) = verify_and_parse(&verifier, body.as_bytes()).unwrap() else {
//!     panic!("not a withdraw callback");
//! };
//! assert_eq!(callback.status, CallbackStatus::Success);
//! assert_eq!(callback.extra[0].0, "test_add_on");
//! let mut record = WithdrawRecord::new("12345678");
//! record.shop_write_off = Some("11.50".parse().unwrap());
//! record.payee_receive = Some("10.00".parse().unwrap());
//! let mismatches = callback.mismatches(&record);
//! assert_eq!(mismatches.len(), 1);
//! assert_eq!(mismatches[0].field, "payee_receive");
//! assert!(verify_and_parse(&verifier, body.replace("success", "rejected").as_bytes()).is_err());
//! // A renamed key keeps the signature but not the callback.
//! assert!(verify_and_parse(&verifier, body.replace("callback_type", "callback_typ").as_bytes()).is_err());
//! ```

use std::fmt;
use std::net::Ipv4Addr;

use pay_core::error::{Error, Provider};
use pay_core::event::{EventIdentity, Finality, MissingField, ProviderEvent};
use pay_core::money::Amount;
use pay_core::text::{AccountNumber, Untrusted};
pub use pay_signing::qostiq::{CallbackForm, CallbackKind, CallbackVerifier, VerifiedCallback};

use crate::context::ShopId;
use crate::currency::{CryptoAsset, Currency};
use crate::status::CallbackStatus;
use crate::time::QostiqDateTime;
use pay_core::json::RawJson;
use pay_core::json::{DecodeError, decode_checked};
use serde::Deserialize;
use serde::de::DeserializeOwned;

/// The body to answer a callback with (HTTP 200), once it is safely stored.
pub const ACK_BODY: &str = "OK";

/// Addresses fiat withdraw callbacks come from (seed 001, 11 addresses): an optional allow-list,
/// e.g. pay-webhook's `SourcePolicy::allow_ranges(FIAT_CALLBACK_IPS)`.
pub const FIAT_CALLBACK_IPS: [Ipv4Addr; 11] = [
    Ipv4Addr::new(34, 90, 243, 164),
    Ipv4Addr::new(34, 147, 48, 238),
    Ipv4Addr::new(34, 90, 176, 128),
    Ipv4Addr::new(34, 90, 34, 134),
    Ipv4Addr::new(35, 242, 192, 50),
    Ipv4Addr::new(34, 90, 247, 48),
    Ipv4Addr::new(34, 90, 185, 30),
    Ipv4Addr::new(34, 147, 69, 92),
    Ipv4Addr::new(35, 198, 183, 103),
    Ipv4Addr::new(35, 234, 123, 199),
    Ipv4Addr::new(34, 159, 7, 106),
];

/// Addresses crypto withdraw callbacks come from (seed 002: the first 5 of the fiat senders, in the
/// same order): an optional allow-list.
pub const CRYPTO_CALLBACK_IPS: [Ipv4Addr; 5] = {
    let [first, second, third, fourth, fifth, ..] = FIAT_CALLBACK_IPS;
    [first, second, third, fourth, fifth]
};

/// Any verified callback, by its [`CallbackKind`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Callback {
    /// `callback_type: "withdraw"`.
    Withdraw(WithdrawCallback),
    /// `callback_type: "crypto_withdraw"`.
    CryptoWithdraw(CryptoWithdrawCallback),
    /// No `callback_type`: a payment notification (invoice or bill).
    Payment(PaymentNotification),
}

/// Verifies `body` (signature, strict parsing, keys bound to the callback type), then reads it.
///
/// Errors: [`Error::Signature`] when the signature is missing, malformed or wrong, the body is not
/// one strict JSON object, or its keys do not bind ([`SignatureError::UnknownKey`],
/// [`SignatureError::MissingKey`], [`SignatureError::WrongShape`],
/// [`SignatureError::UnknownCallbackType`], [`SignatureError::Ambiguous`], each naming the key).
///
/// [`SignatureError::UnknownKey`]: pay_core::error::SignatureError::UnknownKey
/// [`SignatureError::MissingKey`]: pay_core::error::SignatureError::MissingKey
/// [`SignatureError::WrongShape`]: pay_core::error::SignatureError::WrongShape
/// [`SignatureError::UnknownCallbackType`]: pay_core::error::SignatureError::UnknownCallbackType
/// [`SignatureError::Ambiguous`]: pay_core::error::SignatureError::Ambiguous
pub fn verify_and_parse(verifier: &CallbackVerifier, body: &[u8]) -> Result<Callback, Error> {
    let verified = verifier.verify(body)?;
    Callback::from_verified(&verified)
}

impl Callback {
    /// Reads a verified callback by its kind.
    pub fn from_verified(verified: &VerifiedCallback<'_>) -> Result<Self, Error> {
        match verified.kind() {
            CallbackKind::Withdraw => WithdrawCallback::from_verified(verified).map(Self::Withdraw),
            CallbackKind::CryptoWithdraw => {
                CryptoWithdrawCallback::from_verified(verified).map(Self::CryptoWithdraw)
            }
            CallbackKind::Payment => {
                PaymentNotification::from_verified(verified).map(Self::Payment)
            }
        }
    }

    /// The kind of callback.
    pub fn kind(&self) -> CallbackKind {
        match self {
            Self::Withdraw(_) => CallbackKind::Withdraw,
            Self::CryptoWithdraw(_) => CallbackKind::CryptoWithdraw,
            Self::Payment(_) => CallbackKind::Payment,
        }
    }

    /// Qostiq's id of the withdrawal or payment (`payment_id`).
    pub fn payment_id(&self) -> u64 {
        match self {
            Self::Withdraw(c) => c.payment_id,
            Self::CryptoWithdraw(c) => c.payment_id,
            Self::Payment(c) => c.payment_id,
        }
    }

    /// The reported status.
    pub fn status(&self) -> &CallbackStatus {
        match self {
            Self::Withdraw(c) => &c.status,
            Self::CryptoWithdraw(c) => &c.status,
            Self::Payment(c) => &c.status,
        }
    }
}

/// A callback's identity: the type the verifier bound its keys to (`withdraw`, `crypto_withdraw`,
/// `payment`), `payment_id` and `status`, three keys every callback type requires and the
/// signature covers (never a default); its finality is [`CallbackStatus::finality`].
impl ProviderEvent for Callback {
    fn identity(&self) -> Result<EventIdentity, MissingField> {
        Ok(EventIdentity {
            provider: Provider::Qostiq,
            kind: self.kind().as_str().to_owned(),
            object_id: self.payment_id().to_string(),
            status: self.status().as_str().to_owned(),
        })
    }

    fn finality(&self) -> Finality {
        self.status().finality()
    }
}

/// A verified callback of `expected` kind read into `T` (an error names the field), with its
/// declared custom fields.
fn read<T: DeserializeOwned + WithExtra>(
    verified: &VerifiedCallback<'_>,
    expected: CallbackKind,
) -> Result<T, Error> {
    if verified.kind() != expected {
        return Err(Error::invalid_input(
            "callback_type",
            format!("a {} callback, not a {expected} one", verified.kind()),
        ));
    }
    let mut callback: T = decode_checked(verified.object().source()).map_err(|e| match e {
        DecodeError::Field { path, reason } => Error::invalid_input(path, reason),
        other => Error::invalid_input("body", other.to_string()),
    })?;
    *callback.extra_mut() = extra(verified)?;
    Ok(callback)
}

/// A callback type that keeps the declared custom fields echoed back.
trait WithExtra {
    fn extra_mut(&mut self) -> &mut Vec<(String, RawJson)>;
}

macro_rules! with_extra {
    ($($ty:ty),*) => {
        $(impl WithExtra for $ty {
            fn extra_mut(&mut self) -> &mut Vec<(String, RawJson)> {
                &mut self.extra
            }
        })*
    };
}

with_extra!(
    WithdrawCallback,
    CryptoWithdrawCallback,
    PaymentNotification
);

/// The declared custom fields of a verified callback, verbatim.
fn extra(verified: &VerifiedCallback<'_>) -> Result<Vec<(String, RawJson)>, Error> {
    verified
        .custom_fields()
        .map(|m| Ok((m.key.to_string(), RawJson::from_text(m.raw)?)))
        .collect()
}

/// One difference between a callback and the shop's own record.
///
/// For an account field (`address`) both values are kept masked (`****2B07`); `Display` and
/// `Debug` write the received text escaped, capped and with account numbers masked.
#[derive(Clone, PartialEq, Eq)]
pub struct Mismatch {
    /// The callback field (`shop_write_off`).
    pub field: &'static str,
    /// What the shop recorded.
    pub expected: String,
    /// What the callback says.
    pub received: String,
}

impl fmt::Display for Mismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: expected {}, received {}",
            self.field,
            Untrusted::new(&self.expected).unquoted(),
            Untrusted::new(&self.received).unquoted()
        )
    }
}

impl fmt::Debug for Mismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Mismatch")
            .field("field", &self.field)
            .field("expected", &Untrusted::new(&self.expected))
            .field("received", &Untrusted::new(&self.received))
            .finish()
    }
}

#[derive(Default)]
struct Compare(Vec<Mismatch>);

impl Compare {
    fn text(&mut self, field: &'static str, expected: &str, received: &str) {
        if expected != received {
            self.push(field, expected, received);
        }
    }

    /// Account numbers are compared in full and kept masked.
    fn account(&mut self, field: &'static str, expected: &AccountNumber, received: &AccountNumber) {
        if expected != received {
            self.push(field, &expected.to_string(), &received.to_string());
        }
    }

    fn amount(&mut self, field: &'static str, expected: Option<Amount>, received: Option<Amount>) {
        let Some(expected) = expected else { return };
        match received {
            // Compare values, not text: 10.5 and 10.50 are the same amount.
            Some(r) if r.decimal() == expected.decimal() => {}
            Some(r) => self.push(field, &expected.to_string(), &r.to_string()),
            None => self.push(field, &expected.to_string(), "(absent)"),
        }
    }

    fn value<T: PartialEq + fmt::Display>(
        &mut self,
        field: &'static str,
        expected: Option<&T>,
        received: &T,
    ) {
        if let Some(expected) = expected.filter(|e| *e != received) {
            self.push(field, &expected.to_string(), &received.to_string());
        }
    }

    fn push(&mut self, field: &'static str, expected: &str, received: &str) {
        self.0.push(Mismatch {
            field,
            expected: expected.to_owned(),
            received: received.to_owned(),
        });
    }
}

/// The fiat withdraw callback (`callback_type: "withdraw"`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct WithdrawCallback {
    /// `success` or `rejected`.
    pub status: CallbackStatus,
    /// Qostiq's withdrawal id.
    #[serde(deserialize_with = "pay_core::json::decode::uint")]
    pub payment_id: u64,
    /// The shop's payout id.
    #[serde(deserialize_with = "pay_core::json::decode::text")]
    pub shop_payment_id: String,
    /// The shop.
    pub shop_id: ShopId,
    /// What left the shop balance, in `shop_currency`.
    pub shop_write_off: Amount,
    /// Currency written off the shop.
    pub shop_currency: Currency,
    /// What the payee receives, in `ps_currency`.
    pub payee_receive: Amount,
    /// The payway's currency.
    pub ps_currency: Currency,
    /// The payway.
    #[serde(default)]
    pub payway: Option<String>,
    /// When the withdrawal was created.
    #[serde(default)]
    pub created: Option<QostiqDateTime>,
    /// When its status changed.
    #[serde(default)]
    pub processed: Option<QostiqDateTime>,
    /// The description given at creation.
    #[serde(default)]
    pub description: Option<String>,
    /// The account details given at creation, verbatim.
    #[serde(default)]
    pub account_details: Option<RawJson>,
    /// The declared custom fields echoed back, verbatim.
    #[serde(skip)]
    pub extra: Vec<(String, RawJson)>,
}

impl WithdrawCallback {
    /// Reads a verified fiat withdraw callback.
    pub fn from_verified(verified: &VerifiedCallback<'_>) -> Result<Self, Error> {
        read(verified, CallbackKind::Withdraw)
    }

    /// Every difference from the shop's record (empty when they agree).
    pub fn mismatches(&self, record: &WithdrawRecord) -> Vec<Mismatch> {
        record.differences(Reported {
            reference: ("shop_payment_id", &self.shop_payment_id),
            shop_id: &self.shop_id,
            shop_write_off: self.shop_write_off,
            payee_receive: self.payee_receive,
            shop_currency: &self.shop_currency,
            ps_currency: &self.ps_currency,
            address: None,
        })
    }
}

/// The shop's own record of a payout, compared with its callback (`mismatches`); `None` fields are
/// not compared. [`WithdrawRecord`] for fiat withdrawals, [`CryptoWithdrawRecord`] for crypto ones.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct PayoutRecord<C> {
    /// The payout id the shop created it with (the crypto callback echoes it as `shop_order_id`).
    pub shop_payment_id: String,
    /// The shop.
    pub shop_id: Option<ShopId>,
    /// The write-off the shop expects.
    pub shop_write_off: Option<Amount>,
    /// What the payee should receive.
    pub payee_receive: Option<Amount>,
    /// The shop currency.
    pub shop_currency: Option<C>,
    /// The payway currency.
    pub ps_currency: Option<C>,
    /// The payee address (masked in `Debug`), compared in full. Only crypto callbacks carry one:
    /// set on a fiat record, it is reported as a mismatch (`(absent)`), never skipped.
    pub address: Option<AccountNumber>,
}

/// The shop's own record of a fiat withdrawal.
pub type WithdrawRecord = PayoutRecord<Currency>;

/// The shop's own record of a crypto withdrawal.
pub type CryptoWithdrawRecord = PayoutRecord<CryptoAsset>;

impl<C> PayoutRecord<C> {
    /// A record that compares only the payout id; set the other fields you stored.
    pub fn new(shop_payment_id: impl Into<String>) -> Self {
        Self {
            shop_payment_id: shop_payment_id.into(),
            shop_id: None,
            shop_write_off: None,
            payee_receive: None,
            shop_currency: None,
            ps_currency: None,
            address: None,
        }
    }
}

impl<C: PartialEq + fmt::Display> PayoutRecord<C> {
    /// Every difference between this record and what a payout callback reports.
    fn differences(&self, reported: Reported<'_, C>) -> Vec<Mismatch> {
        let mut c = Compare::default();
        let (reference_field, reference) = reported.reference;
        c.text(reference_field, &self.shop_payment_id, reference);
        c.value("shop_id", self.shop_id.as_ref(), reported.shop_id);
        c.amount(
            "shop_write_off",
            self.shop_write_off,
            Some(reported.shop_write_off),
        );
        c.amount(
            "payee_receive",
            self.payee_receive,
            Some(reported.payee_receive),
        );
        c.value(
            "shop_currency",
            self.shop_currency.as_ref(),
            reported.shop_currency,
        );
        c.value(
            "ps_currency",
            self.ps_currency.as_ref(),
            reported.ps_currency,
        );
        if let Some(expected) = &self.address {
            match reported.address {
                Some(received) => c.account("address", expected, received),
                None => c.push("address", &expected.to_string(), "(absent)"),
            }
        }
        c.0
    }
}

/// What a payout callback reports, as compared with the shop's [`PayoutRecord`].
struct Reported<'a, C> {
    /// The key holding the shop's payout id, and its value.
    reference: (&'static str, &'a str),
    shop_id: &'a ShopId,
    shop_write_off: Amount,
    payee_receive: Amount,
    shop_currency: &'a C,
    ps_currency: &'a C,
    address: Option<&'a AccountNumber>,
}

/// The crypto withdraw callback (`callback_type: "crypto_withdraw"`).
///
/// Note: the shop's payout id comes as `shop_order_id` here.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct CryptoWithdrawCallback {
    /// `success` or `rejected`.
    pub status: CallbackStatus,
    /// Qostiq's withdrawal id.
    #[serde(deserialize_with = "pay_core::json::decode::uint")]
    pub payment_id: u64,
    /// The shop's payout id (`shop_order_id` in this callback).
    #[serde(deserialize_with = "pay_core::json::decode::text")]
    pub shop_order_id: String,
    /// The shop.
    pub shop_id: ShopId,
    /// The payee address (masked in `Debug`).
    #[serde(default)]
    pub address: Option<AccountNumber>,
    /// What left the shop balance.
    pub shop_write_off: Amount,
    /// Currency written off the shop.
    pub shop_currency: CryptoAsset,
    /// What was sent to the address.
    pub payee_receive: Amount,
    /// The payway's currency.
    pub ps_currency: CryptoAsset,
    /// The payway.
    #[serde(default)]
    pub payway: Option<String>,
    /// When it was created.
    #[serde(default)]
    pub created: Option<QostiqDateTime>,
    /// When its status changed.
    #[serde(default)]
    pub processed: Option<QostiqDateTime>,
    /// The description.
    #[serde(default)]
    pub description: Option<String>,
    /// Payment system data (`transaction_hash`), verbatim.
    #[serde(default)]
    pub ps_data: Option<RawJson>,
    /// The declared custom fields echoed back, verbatim.
    #[serde(skip)]
    pub extra: Vec<(String, RawJson)>,
}

impl CryptoWithdrawCallback {
    /// Reads a verified crypto withdraw callback.
    pub fn from_verified(verified: &VerifiedCallback<'_>) -> Result<Self, Error> {
        read(verified, CallbackKind::CryptoWithdraw)
    }

    /// The blockchain transaction hash, from `ps_data`.
    pub fn transaction_hash(&self) -> Option<String> {
        self.ps_data.as_ref()?.string_member("transaction_hash")
    }

    /// Every difference from the shop's record (empty when they agree).
    pub fn mismatches(&self, record: &CryptoWithdrawRecord) -> Vec<Mismatch> {
        record.differences(Reported {
            reference: ("shop_order_id", &self.shop_order_id),
            shop_id: &self.shop_id,
            shop_write_off: self.shop_write_off,
            payee_receive: self.payee_receive,
            shop_currency: &self.shop_currency,
            ps_currency: &self.ps_currency,
            address: self.address.as_ref(),
        })
    }
}

/// A payment notification for an invoice or a bill (no `callback_type`), model fields.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct PaymentNotification {
    /// `success` (to the notification URL) or `rejected` (to the rejected URL).
    pub status: CallbackStatus,
    /// Qostiq's payment id.
    #[serde(deserialize_with = "pay_core::json::decode::uint")]
    pub payment_id: u64,
    /// The shop's order id.
    #[serde(deserialize_with = "pay_core::json::decode::text")]
    pub shop_order_id: String,
    /// The shop.
    #[serde(default)]
    pub shop_id: Option<ShopId>,
    /// The order amount.
    pub shop_amount: Amount,
    /// The shop's currency.
    pub shop_currency: Currency,
    /// What is credited to the shop.
    #[serde(default)]
    pub shop_refund: Option<Amount>,
    /// What the payer paid.
    #[serde(default)]
    pub client_price: Option<Amount>,
    /// The payway.
    #[serde(default)]
    pub payway: Option<String>,
    /// The payway's currency.
    #[serde(default)]
    pub ps_currency: Option<Currency>,
    /// Payment system data, verbatim (an object, or a string holding JSON on older engines).
    #[serde(default)]
    pub ps_data: Option<RawJson>,
    /// When it was created.
    #[serde(default)]
    pub created: Option<QostiqDateTime>,
    /// When it was processed.
    #[serde(default)]
    pub processed: Option<QostiqDateTime>,
    /// The description.
    #[serde(default)]
    pub description: Option<String>,
    /// The server's error code for a rejected payment.
    #[serde(default, deserialize_with = "pay_core::json::decode::opt_int")]
    pub error_code: Option<i64>,
    /// Add-ons echoed back, verbatim.
    #[serde(default)]
    pub addons: Option<RawJson>,
    /// The declared custom fields echoed back, verbatim.
    #[serde(skip)]
    pub extra: Vec<(String, RawJson)>,
}

impl PaymentNotification {
    /// Reads a verified payment notification.
    pub fn from_verified(verified: &VerifiedCallback<'_>) -> Result<Self, Error> {
        read(verified, CallbackKind::Payment)
    }

    /// Every difference from the shop's record (empty when they agree).
    pub fn mismatches(&self, record: &PaymentRecord) -> Vec<Mismatch> {
        let mut c = Compare::default();
        c.text("shop_order_id", &record.shop_order_id, &self.shop_order_id);
        if let (Some(expected), Some(received)) = (record.shop_id, self.shop_id) {
            c.value("shop_id", Some(&expected), &received);
        }
        c.amount("shop_amount", record.shop_amount, Some(self.shop_amount));
        c.value(
            "shop_currency",
            record.shop_currency.as_ref(),
            &self.shop_currency,
        );
        c.0
    }
}

/// The shop's own record of an order; `None` fields are not compared.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct PaymentRecord {
    /// The order id.
    pub shop_order_id: String,
    /// The shop.
    pub shop_id: Option<ShopId>,
    /// The order amount.
    pub shop_amount: Option<Amount>,
    /// The order currency.
    pub shop_currency: Option<Currency>,
}

impl PaymentRecord {
    /// A record of `shop_order_id` for `shop_amount` in `shop_currency`.
    pub fn new(
        shop_order_id: impl Into<String>,
        shop_amount: Amount,
        shop_currency: Currency,
    ) -> Self {
        Self {
            shop_order_id: shop_order_id.into(),
            shop_id: None,
            shop_amount: Some(shop_amount),
            shop_currency: Some(shop_currency),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pay_core::error::SignatureError;
    use pay_core::secret::Secret;
    use pay_signing::qostiq::sign_callback;

    const SIGNED: &str = r#"{"account_details": {"customer_id": "vj5het2c"}, "callback_type": "withdraw", "created": "2024-11-18 13:41:57", "description": "example", "payee_receive": 10.5, "payment_id": 872734, "payway": "card_usd", "processed": "2024-11-18 13:45:38", "ps_currency": 840, "shop_currency": 840, "shop_id": 112, "shop_payment_id": "lfhx9l0v8r5f", "shop_write_off": 11.5, "status": "success"}"#;

    fn verifier() -> CallbackVerifier {
        CallbackVerifier::new(Secret::new("d3b07384d113edec49eaa6238ad5ff00").unwrap())
    }

    #[test]
    fn identity_comes_from_the_bound_type_and_required_keys() {
        let secret = Secret::new("d3b07384d113edec49eaa6238ad5ff00").unwrap();
        let read = |body: &str| {
            let signed = sign_callback(&secret, body.as_bytes()).unwrap();
            verify_and_parse(&verifier(), signed.as_bytes()).unwrap()
        };
        let crypto = read(
            r#"{"address": "0xf8", "callback_type": "crypto_withdraw", "payee_receive": "0.0001", "payment_id": 149, "ps_currency": "BNB", "shop_currency": "BNB", "shop_id": 6, "shop_order_id": "c1", "shop_write_off": "0.000103", "status": "success"}"#,
        );
        assert_eq!(
            crypto.identity().unwrap().event_key(),
            "qostiq|crypto_withdraw|149|success"
        );
        assert_eq!(crypto.finality(), Finality::Terminal);
        let payment = r#"{"payment_id": 7, "shop_amount": "6.00", "shop_currency": 980, "shop_order_id": "979", "status": "rejected"}"#;
        let notification = read(payment);
        let identity = notification.identity().unwrap();
        assert_eq!(identity.kind, "payment");
        assert_eq!(notification.finality(), Finality::Terminal);
        // A status after the final ones (a refund of a successful withdrawal) is never stale.
        let refunded = read(&payment.replace("rejected", "refunded"));
        assert_eq!(refunded.finality(), Finality::Unknown);
        assert_eq!(
            refunded.identity().unwrap().object_key(),
            identity.object_key()
        );
    }

    /// Seed 001's withdraw callback (payment 64045) in `success`, then refunded by Qostiq (status
    /// 11): the same withdrawal, a new event of unknown finality (never stale after `success`).
    #[test]
    fn the_seed_withdrawal_refunded_after_success_is_a_new_event_about_it() {
        let secret = Secret::new("d3b07384d113edec49eaa6238ad5ff00").unwrap();
        let seed = pay_testdata::seed("qostiq", "withdraw_callback");
        let read = |status: &str| {
            let body = seed.replace(
                r#""status": "success""#,
                &format!(r#""status": "{status}""#),
            );
            let signed = sign_callback(&secret, body.as_bytes()).unwrap();
            verify_and_parse(&verifier(), signed.as_bytes()).unwrap()
        };
        let (success, refunded) = (read("success"), read("refunded"));
        assert_eq!(success.payment_id(), 64045);
        assert_eq!(success.finality(), Finality::Terminal);
        assert_eq!(refunded.finality(), Finality::Unknown);
        let (success, refunded) = (success.identity().unwrap(), refunded.identity().unwrap());
        assert_eq!(success.object_key(), refunded.object_key());
        assert_ne!(success.event_key(), refunded.event_key());
    }

    #[test]
    fn a_payout_record_compares_every_field_it_sets() {
        let secret = Secret::new("d3b07384d113edec49eaa6238ad5ff00").unwrap();
        let body = sign_callback(&secret, SIGNED.as_bytes()).unwrap();
        let Ok(Callback::Withdraw(callback)) = verify_and_parse(&verifier(), body.as_bytes())
        else {
            panic!("not a withdraw callback");
        };
        let mut record = WithdrawRecord::new("lfhx9l0v8r5f");
        record.shop_write_off = Some("11.50".parse().unwrap());
        record.ps_currency = Some(Currency::Usd);
        assert_eq!(callback.mismatches(&record), []);
        // A fiat callback has no address: one expected is reported missing, not skipped.
        record.address = Some("0xf8227AA7aF9B5166AF69581C703A4398387B2B07".into());
        let mismatches = callback.mismatches(&record);
        assert_eq!(mismatches.len(), 1);
        assert_eq!(
            (mismatches[0].field, mismatches[0].received.as_str()),
            ("address", "(absent)")
        );
        assert!(!mismatches[0].expected.contains("0xf8227AA7"), "masked");
    }

    #[test]
    fn colon_shifted_callbacks_verify_but_are_refused() {
        let secret = Secret::new("d3b07384d113edec49eaa6238ad5ff00").unwrap();
        let body = sign_callback(&secret, SIGNED.as_bytes()).unwrap();
        assert!(matches!(
            verify_and_parse(&verifier(), body.as_bytes()),
            Ok(Callback::Withdraw(_))
        ));
        let shifts = [
            (
                r#""created": "2024-11-18 13:41:57", "description": "example""#,
                r#""created": "2024-11-18 13:41", "description": "57:example""#,
                "created",
            ),
            (
                r#""payway": "card_usd", "processed": "2024-11-18 13:45:38""#,
                r#""payway": "card_usd:2024-11-18 13", "processed": "45:38""#,
                "payway",
            ),
            (
                r#""account_details": {"customer_id": "vj5het2c"}, "callback_type": "withdraw""#,
                r#""account_details": "{\"customer_id\"", "callback_type": " \"vj5het2c\"}:withdraw""#,
                "callback_type",
            ),
        ];
        for (from, to, field) in shifts {
            let shifted = body.replacen(from, to, 1);
            assert_ne!(shifted, body);
            // The signed string, and so the signature, is unchanged: that is the weakness.
            assert_eq!(
                pay_signing::qostiq::explain_callback(shifted.as_bytes()).unwrap(),
                pay_signing::qostiq::explain_callback(body.as_bytes()).unwrap()
            );
            let err = verify_and_parse(&verifier(), shifted.as_bytes()).unwrap_err();
            let named = match &err {
                Error::Signature(SignatureError::WrongShape { key, .. }) => key.as_str(),
                Error::Signature(SignatureError::UnknownCallbackType { .. }) => "callback_type",
                _ => "",
            };
            assert_eq!(named, field, "{err}");
        }
    }
}
