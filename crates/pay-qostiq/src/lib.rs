//! # pay-qostiq
//!
//! Every Qostiq endpoint and callback, typed, validated and sans-IO. A request is a value: it becomes
//! an `http::Request<Bytes>` (relative URI, `Content-Type: application/json`, a body whose signed
//! values are sent exactly as they were signed), and an `http::Response<Bytes>` becomes its typed
//! output or a typed [`pay_core::Error`]. Nothing here performs IO or reads the wall clock: `now` comes
//! from the clock in [`QostiqContext`].
//!
//! | family | module | endpoints |
//! |---|---|---|
//! | wallet payments | [`bills`] | `/bill/create`, `/bill/create/v2`, `/bill/shop_order_status` |
//! | payouts to Qostiq wallets | [`transfers`] | `/transfer/try`, `/transfer/create`, `/transfer/shop_payment_status` |
//! | fiat payouts | [`withdrawals`] | `/withdraw/try`, `/check_account`, `/withdraw/create`, `/withdraw/status`, `/withdraw/shop_payment_status` |
//! | crypto payouts | [`crypto`] | `/crypto/withdraw/{try,create,status,shop_payment_status}`, `/crypto/shop_balance` |
//! | crypto deposits and wallet quotes | [`crypto_wallet`] | `/crypto/shop_address/create`, `/crypto/bill/try`, `/crypto/transfer/try` |
//! | the shop | [`shop`] | `/account/register`, `/shop_balance`, `/shop_input_config/shop`, `/shop_output_config/shop` |
//! | invoices | [`invoices`] | `/invoice/try`, `/invoice/create` |
//! | PAY page | [`pay_form`] | the signed HTML form |
//! | callbacks | [`callbacks`] | withdraw, crypto withdraw, payment notification |
//! | async client (feature `client`) | `client` | every endpoint over `pay-transport`, payout recovery, `wait_until_final_*` |
//!
//! Shared pieces: [`currency`] (ISO 4217 numeric codes, crypto assets, payways and their precision),
//! [`status`] (statuses with `is_final()`), [`error`] (named `error_code`s), [`time`] (`now` forms and
//! response date-times), [`context`] (shop id, secret, clock).
//!
//! ```
//! use bytes::Bytes;
//! use pay_core::clock::FixedClock;
//! use pay_core::endpoint::{Endpoint, Lookup};
//! use pay_core::secret::Secret;
//! use pay_qostiq::withdrawals::{CreateWithdraw, GetWithdrawByShopPaymentId, WithdrawAmountType};
//! use pay_qostiq::{Currency, Payway, QostiqContext, ShopId};
//! use time::macros::datetime;
//!
//! let context = QostiqContext::new(
//!     ShopId::new(112).unwrap(),
//!     Secret::new("Testkey1").unwrap(),
//!     FixedClock(datetime!(2021-05-01 16:56:25.009469 UTC)),
//! );
//! let create = CreateWithdraw::new(
//!     "4111111111111111",
//!     "10.00".parse().unwrap(),
//!     WithdrawAmountType::PsAmount,
//!     Payway::new("card_uah").unwrap(),
//!     Currency::Uah,
//!     "order-1",
//! );
//! let request = create.build_request(&context).unwrap();
//! assert_eq!(request.uri(), "/withdraw/create");
//!
//! // The answer was lost: look the payout up by the same shop_payment_id.
//! let lookup = GetWithdrawByShopPaymentId::new("order-1");
//! let not_found = http::Response::builder().status(200).body(Bytes::from_static(
//!     br#"{"data": null, "error_code": 7, "message": "not found", "result": false}"#,
//! )).unwrap();
//! assert_eq!(lookup.parse_response(&not_found).unwrap(), Lookup::NotFound);
//! ```

pub mod account;
pub mod bills;
mod body;
pub mod callbacks;
#[cfg(feature = "client")]
pub mod client;
pub mod context;
pub mod crypto;
pub mod crypto_wallet;
pub mod currency;
mod envelope;
pub mod error;
pub mod invoices;
pub mod pay_form;
mod recovery;
pub mod shop;
pub mod status;
pub mod time;
pub mod transfers;
mod validate;
pub mod withdrawals;

/// Every HTTP endpoint of the API (the PAY page is a form, not an endpoint), for tables, metrics,
/// rate limits and tests: `tests/tests/endpoints.rs` checks that the sandbox serves each and that
/// `docs/qostiq.md` documents each, and a unit test that the list and pay-signing's signed-keys
/// table name the same paths.
pub static ENDPOINTS: [pay_core::endpoint::EndpointInfo; 25] = {
    use pay_core::endpoint::Endpoint as E;
    [
        <bills::CreateBill as E>::INFO,
        <bills::CreateBillV2 as E>::INFO,
        <bills::GetBill as E>::INFO,
        <transfers::TryTransfer as E>::INFO,
        <transfers::CreateTransfer as E>::INFO,
        <transfers::GetTransfer as E>::INFO,
        <withdrawals::TryWithdraw as E>::INFO,
        <withdrawals::CheckAccount as E>::INFO,
        <withdrawals::CreateWithdraw as E>::INFO,
        <withdrawals::GetWithdraw as E>::INFO,
        <withdrawals::GetWithdrawByShopPaymentId as E>::INFO,
        <crypto::TryCryptoWithdraw as E>::INFO,
        <crypto::CreateCryptoWithdraw as E>::INFO,
        <crypto::GetCryptoWithdraw as E>::INFO,
        <crypto::GetCryptoWithdrawByShopPaymentId as E>::INFO,
        <crypto::GetCryptoBalance as E>::INFO,
        <crypto_wallet::CreateCryptoAddress as E>::INFO,
        <crypto_wallet::TryCryptoBill as E>::INFO,
        <crypto_wallet::TryCryptoTransfer as E>::INFO,
        <shop::RegisterAccount as E>::INFO,
        <shop::GetShopBalance as E>::INFO,
        <shop::GetInputConfig as E>::INFO,
        <shop::GetOutputConfig as E>::INFO,
        <invoices::TryInvoice as E>::INFO,
        <invoices::CreateInvoice as E>::INFO,
    ]
};

pub use account::{AccountDetails, AccountInfoConfig};
pub use body::{QostiqRequest, SignedBody};
pub use context::{DEFAULT_BASE_URL, DEFAULT_PAY_BASE_URL, QostiqContext, ShopId};
pub use currency::{CryptoAsset, Currency, Payway};
pub use error::{QostiqErrorCode, QostiqErrorExt};
pub use signing::explain_body;
pub use status::{
    BillStatus, CallbackStatus, CryptoWithdrawStatus, ProviderStatus, WithdrawStatus,
};
pub use time::{NowForm, QostiqDateTime};

mod signing {
    use pay_core::error::Error;
    use pay_core::json::{Limits, StrictObject};
    use pay_core::secret::Secret;
    use pay_signing::qostiq::{Explained, sign_body};

    /// Recomputes the signature of a body as the server checks it (Python `str()` of each signed
    /// value), for any endpoint of the signed-keys table (`/withdraw/create`, `pay-form`, …).
    ///
    /// Use it to debug an "invalid sign" from a captured request, or to check a body built elsewhere.
    ///
    /// ```
    /// use pay_core::secret::Secret;
    ///
    /// let secret = Secret::new("SecretKey01").unwrap();
    /// let body = br#"{"amount": "12.34", "currency": 980, "payway": "card_uah", "shop_id": 5, "shop_order_id": 4126}"#;
    /// let explained = pay_qostiq::explain_body("/invoice/create", body, &secret).unwrap();
    /// assert_eq!(explained.string_to_sign, "12.34:980:card_uah:5:4126***");
    /// ```
    pub fn explain_body(endpoint: &str, body: &[u8], secret: &Secret) -> Result<Explained, Error> {
        let object = StrictObject::parse(body, Limits::RESPONSES)
            .map_err(|e| Error::invalid_input("body", e.to_string()))?;
        Ok(sign_body(endpoint, &object, secret)?)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    /// The typed endpoints and the signed-keys table name the same paths (the PAY form aside), so
    /// no signed endpoint lacks a typed one, and every typed one signs by the table.
    #[test]
    fn endpoints_match_the_signed_keys_table() {
        let typed: BTreeSet<&str> = super::ENDPOINTS.iter().map(|e| e.path).collect();
        assert_eq!(typed.len(), super::ENDPOINTS.len(), "a path twice");
        let names: BTreeSet<&str> = super::ENDPOINTS.iter().map(|e| e.name).collect();
        assert_eq!(names.len(), super::ENDPOINTS.len(), "a name twice");
        let signed: BTreeSet<&str> = pay_signing::qostiq::SIGNED_KEYS
            .iter()
            .map(|(endpoint, _)| *endpoint)
            .filter(|endpoint| *endpoint != "pay-form")
            .collect();
        assert_eq!(typed, signed);
        for info in &super::ENDPOINTS {
            assert!(info.name.starts_with("qostiq."), "{}", info.name);
            assert_eq!(info.method, http::Method::POST, "{}", info.name);
        }
    }
}
