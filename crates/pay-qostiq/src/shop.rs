//! The shop itself: wallet registration (`/account/register`), fiat balances (`/shop_balance`) and the
//! payment methods enabled for it (`/shop_input_config/shop`, `/shop_output_config/shop`).
//!
//! ```
//! use bytes::Bytes;
//! use pay_core::endpoint::Endpoint;
//! use pay_qostiq::shop::GetShopBalance;
//! use pay_qostiq::Currency;
//!
//! let body = br#"{"data": {"shop_id": 1, "balances": [{"available": 28.1, "currency": 980,
//!     "hold": 0.0, "frozen": 20.0, "rolling_reserve": 15.0}]}, "result": true, "error_code": 0, "message": "Ok"}"#;
//! let response = http::Response::new(Bytes::from_static(body));
//! let balances = GetShopBalance::new().parse_response(&response).unwrap();
//! let uah = balances.get(Currency::Uah).unwrap();
//! assert_eq!(uah.total().unwrap().to_string(), "48.1");
//! assert_eq!(uah.withdrawable().to_string(), "13.1");
//! ```

use pay_core::endpoint::Endpoint;
use pay_core::error::Error;
use pay_core::money::Amount;
use pay_core::text::AccountNumber;

use crate::account::AccountInfoConfig;
use crate::body::{Body, qostiq_endpoint, shop_query};
use crate::context::{QostiqContext, ShopId};
use crate::currency::Currency;
use crate::time::NowForm;
use crate::validate;
use pay_core::json::RawJson;
use serde::Deserialize;

/// `POST /account/register`: registers a Qostiq wallet for an e-mail (shop activation).
///
/// Retry class `Never`: it creates an account and there is no lookup; a repeat after an unknown
/// outcome could only answer "already registered" and hide the account number of the first answer.
/// No money moves, so the caller may simply ask again knowingly.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RegisterAccount {
    /// The wallet's e-mail (signed).
    pub email: String,
}

impl RegisterAccount {
    /// A registration for `email`.
    pub fn new(email: impl Into<String>) -> Self {
        Self {
            email: email.into(),
        }
    }

    fn body(&self, context: &QostiqContext) -> Result<Body, Error> {
        validate::email("email", &self.email)?;
        Body::for_shop(Self::INFO.path, context)
            .sign_str("email", self.email.as_str())
            .sign_now(NowForm::DayFirst, context)
    }
}

qostiq_endpoint!(RegisterAccount => RegisteredAccount,
    name: "qostiq.account.register",
    path: "/account/register",
    retry: Never,
);

/// A registered wallet.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct RegisteredAccount {
    /// The wallet number (masked in `Debug`).
    #[serde(deserialize_with = "crate::account::account")]
    pub account_number: AccountNumber,
    /// Its e-mail.
    #[serde(default)]
    pub email: Option<String>,
}

shop_query!(
    /// `POST /shop_balance`: the shop's fiat balances.
    GetShopBalance,
    now: DateTime
);

qostiq_endpoint!(GetShopBalance => ShopBalances,
    name: "qostiq.shop_balance",
    path: "/shop_balance",
    retry: Safe,
);

/// The shop's balances, one per currency.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct ShopBalances {
    /// The shop.
    #[serde(default)]
    pub shop_id: Option<ShopId>,
    /// One entry per currency.
    pub balances: Vec<FiatBalance>,
}

impl ShopBalances {
    /// The balance in `currency`.
    pub fn get(&self, currency: Currency) -> Option<&FiatBalance> {
        self.balances.iter().find(|b| b.currency == currency)
    }
}

/// One fiat balance.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct FiatBalance {
    /// The currency.
    pub currency: Currency,
    /// Available funds.
    pub available: Amount,
    /// Frozen under withdrawals in progress.
    pub frozen: Amount,
    /// Temporarily held (e.g. incoming payment checks).
    pub hold: Amount,
    /// Held back from withdrawals (absent in older answers: zero).
    #[serde(default)]
    pub rolling_reserve: Option<Amount>,
}

impl FiatBalance {
    /// The total balance as the seed defines it: `available + frozen + hold` (`None` on overflow).
    pub fn total(&self) -> Option<Amount> {
        self.available
            .checked_add(self.frozen)?
            .checked_add(self.hold)
    }

    /// What can be withdrawn: `available - rolling_reserve`, never below zero.
    pub fn withdrawable(&self) -> Amount {
        let reserve = self.rolling_reserve.unwrap_or(Amount::ZERO);
        match self.available.checked_sub(reserve) {
            Some(left) if left.is_positive() => left,
            _ => Amount::ZERO,
        }
    }
}

shop_query!(
    /// `POST /shop_input_config/shop`: payment methods enabled for invoices.
    GetInputConfig,
    now: DateTime
);

qostiq_endpoint!(GetInputConfig => Vec<InputMethod>,
    name: "qostiq.shop_input_config",
    path: "/shop_input_config/shop",
    retry: Safe,
);

shop_query!(
    /// `POST /shop_output_config/shop`: payment methods enabled for withdrawals.
    GetOutputConfig,
    now: DateTime
);

qostiq_endpoint!(GetOutputConfig => Vec<OutputMethod>,
    name: "qostiq.shop_output_config",
    path: "/shop_output_config/shop",
    retry: Safe,
);

/// A fee: fixed part plus percentage (exact decimals).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct Fee {
    /// Fixed fee.
    pub fix: Amount,
    /// Percentage fee (`6.0` is 6 %).
    pub percent: Amount,
}

/// How a fee is split between shop and payer (`fee_part_config`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct FeeSplit {
    /// Fixed fee on the payer (0) or the shop (1).
    pub fix_part: Amount,
    /// Share of the percentage fee (0.0–1.0).
    pub percent_part: Amount,
}

/// A payment method for invoices and its payways.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct InputMethod {
    /// Method id.
    #[serde(deserialize_with = "pay_core::json::decode::uint")]
    pub id: u64,
    /// Method name (`Visa/MC`).
    pub name: String,
    /// Display rating.
    #[serde(default, deserialize_with = "pay_core::json::decode::opt_int")]
    pub rating: Option<i64>,
    /// The payways.
    pub payways: Vec<InputPayway>,
}

/// An invoice payway.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct InputPayway {
    /// Payway id.
    #[serde(default, deserialize_with = "pay_core::json::decode::opt_uint")]
    pub id: Option<u64>,
    /// Its alias (`card_uah`).
    pub alias: String,
    /// Its currency.
    pub currency: Currency,
    /// Whether it is active.
    #[serde(default)]
    pub is_active: Option<bool>,
    /// Its fee.
    #[serde(default)]
    pub fee_config: Option<Fee>,
    /// How the fee is split.
    #[serde(default)]
    pub fee_part_config: Option<FeeSplit>,
    /// Smallest amount.
    #[serde(default)]
    pub min_amount: Option<Amount>,
    /// Largest amount.
    #[serde(default)]
    pub max_amount: Option<Amount>,
    /// Extra fields the payway needs, verbatim.
    #[serde(default)]
    pub add_ons_config: Option<RawJson>,
}

/// A payment method for withdrawals and its payways.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct OutputMethod {
    /// Method id.
    #[serde(deserialize_with = "pay_core::json::decode::uint")]
    pub id: u64,
    /// Method name.
    pub name: String,
    /// Display rating.
    #[serde(default, deserialize_with = "pay_core::json::decode::opt_int")]
    pub rating: Option<i64>,
    /// `true` for Qostiq wallets: pay out with [`crate::transfers`], not withdrawals.
    #[serde(default)]
    pub is_transfer_config: bool,
    /// The payways.
    pub payways: Vec<OutputPayway>,
}

/// A withdrawal payway. Seed 001 documents `id`, `is_active` and `fee_part_config` for it (its
/// example leaves them out): check [`OutputPayway::is_disabled`] before paying out through it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct OutputPayway {
    /// Payway id.
    #[serde(default, deserialize_with = "pay_core::json::decode::opt_uint")]
    pub id: Option<u64>,
    /// Its alias.
    pub alias: String,
    /// Its currency.
    pub currency: Currency,
    /// Whether it is active (`None` when not sent).
    #[serde(default)]
    pub is_active: Option<bool>,
    /// The account fields it needs.
    #[serde(default)]
    pub account_info_config: Option<AccountInfoConfig>,
    /// Its fee.
    #[serde(default)]
    pub fee_config: Option<Fee>,
    /// How the fee is split between shop and payee.
    #[serde(default)]
    pub fee_part_config: Option<FeeSplit>,
    /// Smallest amount.
    #[serde(default)]
    pub min_amount: Option<Amount>,
    /// Largest amount.
    #[serde(default)]
    pub max_amount: Option<Amount>,
    /// `info_id`, verbatim.
    #[serde(default)]
    pub info_id: Option<RawJson>,
}

impl OutputPayway {
    /// Whether Qostiq says the payway is switched off (`"is_active": false`): a withdrawal through
    /// it would be refused.
    pub fn is_disabled(&self) -> bool {
        self.is_active == Some(false)
    }
}
