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

use pay_core::error::Error;
use pay_core::json::Value;
use pay_core::money::Amount;
use pay_core::text::AccountNumber;

use crate::account::AccountInfoConfig;
use crate::body::{Body, qostiq_endpoint};
use crate::context::{QostiqContext, ShopId};
use crate::currency::Currency;
use crate::envelope::{data_object, parse_data};
use crate::read::{FieldError, Obj, objects_of};
use crate::time::NowForm;
use crate::validate;
use pay_core::json::RawJson;

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
        Ok(Body::new("/account/register")
            .sign_str("email", self.email.as_str())
            .sign_now(NowForm::DayFirst, context)?
            .sign_int("shop_id", context.shop_id()))
    }
}

qostiq_endpoint!(RegisterAccount => RegisteredAccount,
    name: "qostiq.account.register",
    path: "/account/register",
    retry: Never,
    parse: |r| parse_data(r, RegisteredAccount::decode),
);

/// A registered wallet.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RegisteredAccount {
    /// The wallet number (masked in `Debug`).
    pub account_number: AccountNumber,
    /// Its e-mail.
    pub email: Option<String>,
}

impl RegisteredAccount {
    fn decode(data: &Value<'_>) -> Result<Self, FieldError> {
        let d = data_object(data)?;
        Ok(Self {
            account_number: d.text("account_number")?.into(),
            email: d.opt_string("email")?,
        })
    }
}

/// `POST /shop_balance`: the shop's fiat balances.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct GetShopBalance;

impl GetShopBalance {
    /// The request.
    pub fn new() -> Self {
        Self
    }

    fn body(&self, context: &QostiqContext) -> Result<Body, Error> {
        Ok(Body::new("/shop_balance")
            .sign_now(NowForm::DateTime, context)?
            .sign_int("shop_id", context.shop_id()))
    }
}

qostiq_endpoint!(GetShopBalance => ShopBalances,
    name: "qostiq.shop_balance",
    path: "/shop_balance",
    retry: Safe,
    parse: |r| parse_data(r, ShopBalances::decode),
);

/// The shop's balances, one per currency.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ShopBalances {
    /// The shop.
    pub shop_id: Option<ShopId>,
    /// One entry per currency.
    pub balances: Vec<FiatBalance>,
}

impl ShopBalances {
    /// The balance in `currency`.
    pub fn get(&self, currency: Currency) -> Option<&FiatBalance> {
        self.balances.iter().find(|b| b.currency == currency)
    }

    fn decode(data: &Value<'_>) -> Result<Self, FieldError> {
        let d = data_object(data)?;
        Ok(Self {
            shop_id: d.opt_shop_id("shop_id")?,
            balances: d
                .objects("balances")?
                .iter()
                .map(FiatBalance::decode)
                .collect::<Result<_, _>>()?,
        })
    }
}

/// One fiat balance.
#[derive(Debug, Clone, PartialEq, Eq)]
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

    fn decode(b: &Obj<'_, '_>) -> Result<Self, FieldError> {
        Ok(Self {
            currency: b.currency("currency")?,
            available: b.amount("available")?,
            frozen: b.amount("frozen")?,
            hold: b.amount("hold")?,
            rolling_reserve: b.opt_amount("rolling_reserve")?,
        })
    }
}

/// `POST /shop_input_config/shop`: payment methods enabled for invoices.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct GetInputConfig;

impl GetInputConfig {
    /// The request.
    pub fn new() -> Self {
        Self
    }

    fn body(&self, context: &QostiqContext) -> Result<Body, Error> {
        Ok(Body::new("/shop_input_config/shop")
            .sign_now(NowForm::DateTime, context)?
            .sign_int("shop_id", context.shop_id()))
    }
}

qostiq_endpoint!(GetInputConfig => Vec<InputMethod>,
    name: "qostiq.shop_input_config",
    path: "/shop_input_config/shop",
    retry: Safe,
    parse: |r| parse_data(r, |data| {
        objects_of(data, "data")?.iter().map(InputMethod::decode).collect()
    }),
);

/// `POST /shop_output_config/shop`: payment methods enabled for withdrawals.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct GetOutputConfig;

impl GetOutputConfig {
    /// The request.
    pub fn new() -> Self {
        Self
    }

    fn body(&self, context: &QostiqContext) -> Result<Body, Error> {
        Ok(Body::new("/shop_output_config/shop")
            .sign_now(NowForm::DateTime, context)?
            .sign_int("shop_id", context.shop_id()))
    }
}

qostiq_endpoint!(GetOutputConfig => Vec<OutputMethod>,
    name: "qostiq.shop_output_config",
    path: "/shop_output_config/shop",
    retry: Safe,
    parse: |r| parse_data(r, |data| {
        objects_of(data, "data")?.iter().map(OutputMethod::decode).collect()
    }),
);

/// A fee: fixed part plus percentage (exact decimals).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Fee {
    /// Fixed fee.
    pub fix: Amount,
    /// Percentage fee (`6.0` is 6 %).
    pub percent: Amount,
}

impl Fee {
    fn decode(f: &Obj<'_, '_>) -> Result<Self, FieldError> {
        Ok(Self {
            fix: f.amount("fix")?,
            percent: f.amount("percent")?,
        })
    }
}

/// How a fee is split between shop and payer (`fee_part_config`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct FeeSplit {
    /// Fixed fee on the payer (0) or the shop (1).
    pub fix_part: Amount,
    /// Share of the percentage fee (0.0–1.0).
    pub percent_part: Amount,
}

impl FeeSplit {
    fn decode(s: &Obj<'_, '_>) -> Result<Self, FieldError> {
        Ok(Self {
            fix_part: s.amount("fix_part")?,
            percent_part: s.amount("percent_part")?,
        })
    }
}

/// A payment method for invoices and its payways.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct InputMethod {
    /// Method id.
    pub id: u64,
    /// Method name (`Visa/MC`).
    pub name: String,
    /// Display rating.
    pub rating: Option<i64>,
    /// The payways.
    pub payways: Vec<InputPayway>,
}

impl InputMethod {
    fn decode(m: &Obj<'_, '_>) -> Result<Self, FieldError> {
        Ok(Self {
            id: m.id("id")?,
            name: m.string("name")?,
            rating: m.opt_int("rating")?,
            payways: m
                .objects("payways")?
                .iter()
                .map(InputPayway::decode)
                .collect::<Result<_, _>>()?,
        })
    }
}

/// An invoice payway.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct InputPayway {
    /// Payway id.
    pub id: Option<u64>,
    /// Its alias (`card_uah`).
    pub alias: String,
    /// Its currency.
    pub currency: Currency,
    /// Whether it is active.
    pub is_active: Option<bool>,
    /// Its fee.
    pub fee_config: Option<Fee>,
    /// How the fee is split.
    pub fee_part_config: Option<FeeSplit>,
    /// Smallest amount.
    pub min_amount: Option<Amount>,
    /// Largest amount.
    pub max_amount: Option<Amount>,
    /// Extra fields the payway needs, verbatim.
    pub add_ons_config: Option<RawJson>,
}

impl InputPayway {
    fn decode(p: &Obj<'_, '_>) -> Result<Self, FieldError> {
        Ok(Self {
            id: p.opt_id("id")?,
            alias: p.string("alias")?,
            currency: p.currency("currency")?,
            is_active: p.opt_bool("is_active")?,
            fee_config: p
                .opt_object("fee_config")?
                .map(|f| Fee::decode(&f))
                .transpose()?,
            fee_part_config: p
                .opt_object("fee_part_config")?
                .map(|f| FeeSplit::decode(&f))
                .transpose()?,
            min_amount: p.opt_amount("min_amount")?,
            max_amount: p.opt_amount("max_amount")?,
            add_ons_config: p.opt_raw("add_ons_config")?,
        })
    }
}

/// A payment method for withdrawals and its payways.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct OutputMethod {
    /// Method id.
    pub id: u64,
    /// Method name.
    pub name: String,
    /// Display rating.
    pub rating: Option<i64>,
    /// `true` for Qostiq wallets: pay out with [`crate::transfers`], not withdrawals.
    pub is_transfer_config: bool,
    /// The payways.
    pub payways: Vec<OutputPayway>,
}

impl OutputMethod {
    fn decode(m: &Obj<'_, '_>) -> Result<Self, FieldError> {
        Ok(Self {
            id: m.id("id")?,
            name: m.string("name")?,
            rating: m.opt_int("rating")?,
            is_transfer_config: m.opt_bool("is_transfer_config")?.unwrap_or(false),
            payways: m
                .objects("payways")?
                .iter()
                .map(OutputPayway::decode)
                .collect::<Result<_, _>>()?,
        })
    }
}

/// A withdrawal payway. Seed 001 documents `id`, `is_active` and `fee_part_config` for it (its
/// example leaves them out): check [`OutputPayway::is_disabled`] before paying out through it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct OutputPayway {
    /// Payway id.
    pub id: Option<u64>,
    /// Its alias.
    pub alias: String,
    /// Its currency.
    pub currency: Currency,
    /// Whether it is active (`None` when not sent).
    pub is_active: Option<bool>,
    /// The account fields it needs.
    pub account_info_config: Option<AccountInfoConfig>,
    /// Its fee.
    pub fee_config: Option<Fee>,
    /// How the fee is split between shop and payee.
    pub fee_part_config: Option<FeeSplit>,
    /// Smallest amount.
    pub min_amount: Option<Amount>,
    /// Largest amount.
    pub max_amount: Option<Amount>,
    /// `info_id`, verbatim.
    pub info_id: Option<RawJson>,
}

impl OutputPayway {
    /// Whether Qostiq says the payway is switched off (`"is_active": false`): a withdrawal through
    /// it would be refused.
    pub fn is_disabled(&self) -> bool {
        self.is_active == Some(false)
    }

    fn decode(p: &Obj<'_, '_>) -> Result<Self, FieldError> {
        Ok(Self {
            id: p.opt_id("id")?,
            alias: p.string("alias")?,
            currency: p.currency("currency")?,
            is_active: p.opt_bool("is_active")?,
            account_info_config: p
                .opt_object("account_info_config")?
                .map(|c| AccountInfoConfig::read(&c))
                .transpose()?,
            fee_config: p
                .opt_object("fee_config")?
                .map(|f| Fee::decode(&f))
                .transpose()?,
            fee_part_config: p
                .opt_object("fee_part_config")?
                .map(|f| FeeSplit::decode(&f))
                .transpose()?,
            min_amount: p.opt_amount("min_amount")?,
            max_amount: p.opt_amount("max_amount")?,
            info_id: p.opt_raw("info_id")?,
        })
    }
}
