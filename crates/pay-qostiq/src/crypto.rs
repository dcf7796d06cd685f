//! Crypto withdrawals and the crypto balance (`/crypto/withdraw/try`, `/crypto/withdraw/create`,
//! `/crypto/withdraw/status`, `/crypto/withdraw/shop_payment_status`, `/crypto/shop_balance`).
//!
//! `now` is signed as integer Unix seconds. Amounts follow the payway's precision
//! ([`Payway::crypto_precision`]); more decimals are refused, never rounded (the server would round
//! half-up silently). Poll statuses at most once a minute
//! ([`GetCryptoWithdraw`]'s `INFO.poll_floor`); recovery of a lost create
//! uses [`GetCryptoWithdrawByShopPaymentId`] exactly as for fiat withdrawals
//! ([`CreateCryptoWithdraw`] implements [`Recoverable`]; the lookup also reports `payee_address`,
//! which is compared when present).
//!
//! ```
//! use pay_core::clock::FixedClock;
//! use pay_core::error::Error;
//! use pay_core::secret::Secret;
//! use pay_qostiq::crypto::CreateCryptoWithdraw;
//! use pay_qostiq::withdrawals::WithdrawAmountType;
//! use pay_qostiq::{CryptoAsset, Payway, QostiqContext, QostiqRequest, ShopId};
//! use time::macros::datetime;
//!
//! let context = QostiqContext::new(
//!     ShopId::new(6).unwrap(),
//!     Secret::new("Testkey1").unwrap(),
//!     FixedClock(datetime!(2022-06-21 9:06:20 UTC)),
//! );
//! let mut payout = CreateCryptoWithdraw::new(
//!     "TXYZ",
//!     "1.0000001".parse().unwrap(), // 7 decimals: USDT on TRON keeps 6
//!     WithdrawAmountType::PsAmount,
//!     Payway::new("usdt_trc20").unwrap(),
//!     CryptoAsset::new("USDT").unwrap(),
//!     "w-4",
//! );
//! assert!(matches!(payout.signed_body(&context), Err(Error::InvalidInput { ref field, .. }) if field == "amount"));
//! payout.amount = "1.000001".parse().unwrap();
//! let signed = payout.signed_body(&context).unwrap();
//! assert_eq!(signed.string_to_sign, "TXYZ:1.000001:ps_amount:1655802380:usdt_trc20:USDT:6:w-4***");
//! ```

use pay_core::endpoint::{Endpoint, Lookup};
use pay_core::error::{Error, ProviderError};
use pay_core::money::Amount;
use pay_core::recovery::{Action, Intent, Recoverable, RefusalClass};
use pay_core::text::AccountNumber;

use crate::account::AccountDetails;
use crate::body::{Body, qostiq_endpoint, shop_query, status_lookup};
use crate::context::{QostiqContext, ShopId};
use crate::currency::{CryptoAsset, Payway};
use crate::envelope::parse_lookup;
use crate::status::CryptoWithdrawStatus;
use crate::time::NowForm;
use crate::validate;
use crate::withdrawals::{
    Reported, WithdrawAmountType, WithdrawQuoteRequest, WithdrawReport, Withdrawal, quote_body,
    withdraw_terms,
};
use serde::Deserialize;

fn crypto_amount(payway: &Payway, amount: &Amount) -> Result<(), Error> {
    amount.check_positive("amount")?;
    payway.check_crypto_amount("amount", amount)
}

/// `POST /crypto/withdraw/try`: fees of a crypto payout, without making it.
pub type TryCryptoWithdraw = WithdrawQuoteRequest<CryptoAsset>;

impl TryCryptoWithdraw {
    fn body(&self, context: &QostiqContext) -> Result<Body, Error> {
        crypto_amount(&self.payway, &self.amount)?;
        quote_body(self, Self::INFO.path, context).sign_now(NowForm::UnixSeconds, context)
    }
}

qostiq_endpoint!(TryCryptoWithdraw => CryptoWithdrawQuote,
    name: "qostiq.crypto.withdraw.try",
    path: "/crypto/withdraw/try",
    retry: Safe,
);

/// The answer of `/crypto/withdraw/try`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct CryptoWithdrawQuote {
    /// Currency the payee receives.
    pub payee_currency: CryptoAsset,
    /// What the payee receives.
    pub payee_receive: Amount,
    /// Currency written off the shop.
    pub shop_currency: CryptoAsset,
    /// What leaves the shop balance.
    pub shop_write_off: Amount,
}

/// `POST /crypto/withdraw/create`: a crypto payout.
///
/// Retry class `RecoverByLookup`: never re-sent after an unknown outcome; recover with
/// [`GetCryptoWithdrawByShopPaymentId`] on the same `shop_payment_id`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CreateCryptoWithdraw {
    /// The payee address (signed; masked in `Debug`).
    pub account: AccountNumber,
    /// The amount, within the payway's precision (signed).
    pub amount: Amount,
    /// What `amount` means (signed).
    pub amount_type: WithdrawAmountType,
    /// The payway (signed).
    pub payway: Payway,
    /// The shop balance currency (signed).
    pub shop_currency: CryptoAsset,
    /// The shop's unique id for this payout (signed).
    pub shop_payment_id: String,
    /// Extra address fields, e.g. `comment` (TON memo), not signed.
    pub account_details: Option<AccountDetails>,
    /// Description, up to 255 characters.
    pub description: Option<String>,
    /// Where the crypto withdraw callback goes.
    pub crypto_callback_url: Option<String>,
}

impl CreateCryptoWithdraw {
    /// A payout with the required fields.
    pub fn new(
        account: impl Into<AccountNumber>,
        amount: Amount,
        amount_type: WithdrawAmountType,
        payway: Payway,
        shop_currency: CryptoAsset,
        shop_payment_id: impl Into<String>,
    ) -> Self {
        Self {
            account: account.into(),
            amount,
            amount_type,
            payway,
            shop_currency,
            shop_payment_id: shop_payment_id.into(),
            account_details: None,
            description: None,
            crypto_callback_url: None,
        }
    }

    fn body(&self, context: &QostiqContext) -> Result<Body, Error> {
        let terms = withdraw_terms!(self);
        terms.check(|amount| crypto_amount(&self.payway, amount))?;
        validate::optional_url("crypto_callback_url", self.crypto_callback_url.as_deref())?;
        if let Some(details) = &self.account_details {
            for (name, value) in details.iter() {
                if value.chars().count() > 255 {
                    return Err(Error::invalid_input(
                        "account_details",
                        format!("`{name}` is longer than 255 characters"),
                    ));
                }
            }
        }
        Ok(terms
            .body(Self::INFO.path, context)
            .sign_now(NowForm::UnixSeconds, context)?
            .extra_str("crypto_callback_url", self.crypto_callback_url.as_deref()))
    }
}

qostiq_endpoint!(CreateCryptoWithdraw => CryptoWithdrawal,
    name: "qostiq.crypto.withdraw.create",
    path: "/crypto/withdraw/create",
    retry: RecoverByLookup,
    parse: CryptoWithdrawal::from_answer,
);

/// A crypto withdrawal as `/crypto/withdraw/create` answered it, or as a recovery lookup found it
/// (then without `balance`).
pub type CryptoWithdrawal = Withdrawal<CryptoWithdrawInfo>;

impl Recoverable for CreateCryptoWithdraw {
    type Payout = CryptoWithdrawal;
    type Lookup = GetCryptoWithdrawByShopPaymentId;
    const ACTION: Action = Action::Create;

    /// `shop_payment_id`; the amount as `payee_receive` (`ps_amount`) or `shop_write_off`
    /// (`shop_amount`); `shop_currency`; the address as `payee_address`; and, not reported back,
    /// `amount_type` and `payway`.
    fn intent(&self) -> Intent {
        withdraw_terms!(self).intent(Self::INFO.name, "payee_address")
    }

    fn lookup(&self) -> GetCryptoWithdrawByShopPaymentId {
        GetCryptoWithdrawByShopPaymentId::new(self.shop_payment_id.clone())
    }

    fn classify_refusal(refusal: &ProviderError) -> RefusalClass {
        crate::recovery::classify_create_refusal(refusal)
    }
}

impl WithdrawReport for CryptoWithdrawInfo {
    type Currency = CryptoAsset;

    fn reported(&self) -> Reported<'_, CryptoAsset> {
        Reported {
            kind: "crypto withdrawal",
            id: self.id,
            status: (self.status.code(), &self.status),
            shop_payment_id: &self.shop_payment_id,
            payee_receive: self.payee_receive,
            payee_currency: &self.payee_currency,
            shop_write_off: self.shop_write_off,
            shop_currency: &self.shop_currency,
            payee_address: self.payee_address.as_ref(),
        }
    }
}

/// A crypto withdrawal's state.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct CryptoWithdrawInfo {
    /// Qostiq's id (the `withdraw_id` of [`GetCryptoWithdraw`]).
    #[serde(deserialize_with = "pay_core::json::decode::uint")]
    pub id: u64,
    /// The status; poll until [`CryptoWithdrawStatus::is_final`].
    pub status: CryptoWithdrawStatus,
    /// The payee address (masked in `Debug`).
    #[serde(default)]
    pub payee_address: Option<AccountNumber>,
    /// Currency the payee receives.
    pub payee_currency: CryptoAsset,
    /// What the payee receives.
    pub payee_receive: Amount,
    /// Currency written off the shop.
    pub shop_currency: CryptoAsset,
    /// The shop's payout id.
    #[serde(deserialize_with = "pay_core::json::decode::text")]
    pub shop_payment_id: String,
    /// What leaves the shop balance.
    pub shop_write_off: Amount,
}

status_lookup!(
    /// `POST /crypto/withdraw/status`: a crypto withdrawal by Qostiq's id. At most once a minute.
    GetCryptoWithdraw {
        /// Qostiq's id (signed).
        withdraw_id: u64
    },
    new: u64,
    now: UnixSeconds
);

qostiq_endpoint!(GetCryptoWithdraw => Lookup<CryptoWithdrawInfo>,
    name: "qostiq.crypto.withdraw.status",
    path: "/crypto/withdraw/status",
    retry: Safe,
    // Seed 002: "no more than once a minute".
    poll_floor: std::time::Duration::from_secs(60),
    parse: |r| parse_lookup(r),
);

status_lookup!(
    /// `POST /crypto/withdraw/shop_payment_status`: a crypto withdrawal by the shop's id.
    GetCryptoWithdrawByShopPaymentId {
        /// The shop's payout id (signed).
        shop_payment_id: String
    },
    new: impl Into<String>,
    now: UnixSeconds
);

qostiq_endpoint!(GetCryptoWithdrawByShopPaymentId => Lookup<CryptoWithdrawInfo>,
    name: "qostiq.crypto.withdraw.shop_payment_status",
    path: "/crypto/withdraw/shop_payment_status",
    retry: Safe,
    poll_floor: std::time::Duration::from_secs(60),
    parse: |r| parse_lookup(r),
);

shop_query!(
    /// `POST /crypto/shop_balance`: the shop's crypto balances.
    GetCryptoBalance,
    now: UnixSeconds
);

qostiq_endpoint!(GetCryptoBalance => CryptoBalances,
    name: "qostiq.crypto.shop_balance",
    path: "/crypto/shop_balance",
    retry: Safe,
);

/// The shop's crypto balances.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct CryptoBalances {
    /// The shop.
    #[serde(default)]
    pub shop_id: Option<ShopId>,
    /// One entry per asset.
    pub balances: Vec<CryptoBalance>,
}

impl CryptoBalances {
    /// The balance in `asset`.
    pub fn get(&self, asset: &str) -> Option<&CryptoBalance> {
        self.balances.iter().find(|b| b.currency.as_str() == asset)
    }
}

/// One crypto balance.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct CryptoBalance {
    /// The asset.
    pub currency: CryptoAsset,
    /// Available for withdrawal.
    pub available: Amount,
    /// Frozen under withdrawals in progress.
    pub frozen: Amount,
    /// Temporarily held (e.g. a risky invoice).
    pub hold: Amount,
}

impl CryptoBalance {
    /// `available + frozen + hold`, exactly (`None` on overflow).
    pub fn total(&self) -> Option<Amount> {
        self.available
            .checked_add(self.frozen)?
            .checked_add(self.hold)
    }
}
