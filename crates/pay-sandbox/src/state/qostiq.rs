//! Qostiq books: balances per currency, bills, transfers, withdrawals, crypto withdrawals, invoices.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use time::OffsetDateTime;

use crate::config::SandboxConfig;
use crate::json::J;

/// One balance line (`/shop_balance`, `/crypto/shop_balance`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Balance {
    /// Available for payouts (minus the rolling reserve).
    pub available: Decimal,
    /// Frozen for payouts not final yet.
    pub frozen: Decimal,
    /// Temporarily held.
    pub hold: Decimal,
    /// Rolling reserve (part of `available` that cannot be paid out).
    pub rolling_reserve: Decimal,
}

impl Balance {
    /// What a payout may use: `available - rolling_reserve`.
    pub fn spendable(&self) -> Decimal {
        self.available - self.rolling_reserve
    }
}

/// A bill (`/bill/create`, `/bill/create/v2`).
#[derive(Debug, Clone)]
pub struct Bill {
    /// Qostiq id.
    pub id: u64,
    /// Created through `/bill/create/v2`.
    pub v2: bool,
    /// `shop_order_id` as sent.
    pub shop_order_id: J,
    /// `shop_order_id` as text (lookup key).
    pub shop_order_key: String,
    /// `None` for a free-amount v2 bill until paid.
    pub shop_amount: Option<Decimal>,
    /// Shop currency.
    pub shop_currency: u16,
    /// Payer currency.
    pub payer_currency: u16,
    /// Credited amount once paid.
    pub shop_refund: Option<Decimal>,
    /// Payer price.
    pub payer_price: Option<Decimal>,
    /// Description.
    pub description: String,
    /// `payer_account` / `email` as sent.
    pub payer_account: J,
    /// Lifetime as sent (echoed).
    pub lifetime: J,
    /// Lifetime in minutes.
    pub lifetime_minutes: i64,
    /// Creation time.
    pub created: OffsetDateTime,
    /// Final status time.
    pub processed: Option<OffsetDateTime>,
    /// 1 waiting, 2 paid, 3 canceled, 4 expired.
    pub status: u8,
    /// Success notification URL.
    pub callback_url: Option<String>,
    /// Rejection notification URL.
    pub callback_rejected_url: Option<String>,
    /// Payment page token.
    pub token: String,
    /// Wallet that paid.
    pub paid_by: Option<String>,
    /// Payment id once paid.
    pub payment_id: Option<u64>,
}

/// A transfer to a Qostiq wallet (no status: done when created).
#[derive(Debug, Clone)]
pub struct Transfer {
    /// Qostiq id.
    pub id: u64,
    /// Shop's id.
    pub shop_payment_id: String,
    /// Payee.
    pub payee_account: String,
    /// Payee currency.
    pub payee_currency: u16,
    /// Shop currency.
    pub shop_currency: u16,
    /// Received.
    pub payee_amount: Decimal,
    /// Written off.
    pub write_off_amount: Decimal,
    /// Creation time.
    pub created: OffsetDateTime,
}

/// A fiat withdrawal.
#[derive(Debug, Clone)]
pub struct Withdrawal {
    /// Qostiq id.
    pub id: u64,
    /// Shop's id.
    pub shop_payment_id: String,
    /// Payway alias.
    pub payway: String,
    /// Payee account.
    pub account: String,
    /// `account_details` as sent.
    pub account_details: Option<J>,
    /// Description.
    pub description: Option<String>,
    /// Shop currency.
    pub shop_currency: u16,
    /// Payway currency.
    pub ps_currency: u16,
    /// Received by the payee.
    pub payee_receive: Decimal,
    /// Written off the shop (amount + fee), frozen until final.
    pub shop_write_off: Decimal,
    /// Status code.
    pub status: u8,
    /// Creation time.
    pub created: OffsetDateTime,
    /// Last status change.
    pub changed: OffsetDateTime,
    /// Final time.
    pub processed: Option<OffsetDateTime>,
    /// Rejection reason.
    pub rejected_reason: Option<String>,
    /// Callback URL from the request.
    pub callback_url: Option<String>,
    /// Custom top-level fields echoed in the callback.
    pub extras: Vec<(String, J)>,
}

/// A crypto withdrawal.
#[derive(Debug, Clone)]
pub struct CryptoWithdrawal {
    /// Qostiq id.
    pub id: u64,
    /// Shop's id.
    pub shop_payment_id: String,
    /// Payway alias.
    pub payway: String,
    /// Payee address.
    pub address: String,
    /// Description.
    pub description: Option<String>,
    /// Shop currency.
    pub shop_currency: String,
    /// Payee currency.
    pub payee_currency: String,
    /// Received.
    pub payee_receive: Decimal,
    /// Written off (frozen until final).
    pub shop_write_off: Decimal,
    /// 1 new, 2 waiting, 5 processing error; 3 success, 4 rejected.
    pub status: u8,
    /// Creation time.
    pub created: OffsetDateTime,
    /// Last status change.
    pub changed: OffsetDateTime,
    /// Final time.
    pub processed: Option<OffsetDateTime>,
    /// Blockchain hash once successful.
    pub tx_hash: Option<String>,
    /// Callback URL from the request.
    pub callback_url: Option<String>,
}

/// An invoice (`/invoice/create`).
#[derive(Debug, Clone)]
pub struct Invoice {
    /// Qostiq id.
    pub id: u64,
    /// `shop_order_id` as sent.
    pub shop_order_id: J,
    /// Lookup key.
    pub shop_order_key: String,
    /// Amount.
    pub amount: Decimal,
    /// Currency.
    pub currency: u16,
    /// Payway.
    pub payway: String,
    /// Paid by the client.
    pub client_price: Decimal,
    /// Credited to the shop.
    pub shop_refund: Decimal,
    /// 1 waiting, 2 success, 3 rejected.
    pub status: u8,
    /// Description.
    pub description: String,
    /// Creation time.
    pub created: OffsetDateTime,
    /// Final time.
    pub processed: Option<OffsetDateTime>,
    /// Notification URL.
    pub callback_url: Option<String>,
    /// Rejected notification URL.
    pub callback_rejected_url: Option<String>,
    /// Payment id once processed.
    pub payment_id: Option<u64>,
}

/// All Qostiq state of the (single) shop.
#[derive(Debug)]
pub struct QostiqState {
    /// Fiat balances by ISO 4217 numeric code.
    pub fiat: BTreeMap<u16, Balance>,
    /// Crypto balances by currency code.
    pub crypto: BTreeMap<String, Balance>,
    /// Bills.
    pub bills: Vec<Bill>,
    /// Transfers.
    pub transfers: Vec<Transfer>,
    /// Withdrawals.
    pub withdrawals: Vec<Withdrawal>,
    /// Crypto withdrawals.
    pub crypto_withdrawals: Vec<CryptoWithdrawal>,
    /// Invoices.
    pub invoices: Vec<Invoice>,
    /// Registered wallets: (email, account number).
    pub accounts: Vec<(String, String)>,
    /// Next numeric id.
    pub next_id: u64,
    /// Shop setting.
    pub shop_order_id_unique: bool,
    /// Interaction URL.
    pub callback_url: Option<String>,
    /// Crypto interaction URL.
    pub crypto_callback_url: Option<String>,
}

fn d(units: i64, scale: u32) -> Decimal {
    Decimal::new(units, scale)
}

impl QostiqState {
    /// The initial books: UAH 10 000, USD and EUR 1 000; USDT 1 000, BTC 1, TON 100, BNB 10.
    pub fn new(config: &SandboxConfig) -> Self {
        let fiat = [
            (980, d(1_000_000, 2)),
            (840, d(100_000, 2)),
            (978, d(100_000, 2)),
        ]
        .into_iter()
        .map(|(c, a)| {
            (
                c,
                Balance {
                    available: a,
                    ..Balance::default()
                },
            )
        })
        .collect();
        let crypto = [
            ("USDT", d(1000, 0)),
            ("BTC", d(1, 0)),
            ("TON", d(100, 0)),
            ("BNB", d(10, 0)),
        ]
        .into_iter()
        .map(|(c, a)| {
            (
                c.to_owned(),
                Balance {
                    available: a,
                    ..Balance::default()
                },
            )
        })
        .collect();
        Self {
            fiat,
            crypto,
            bills: Vec::new(),
            transfers: Vec::new(),
            withdrawals: Vec::new(),
            crypto_withdrawals: Vec::new(),
            invoices: Vec::new(),
            accounts: Vec::new(),
            next_id: 1001,
            shop_order_id_unique: config.shop_order_id_unique,
            callback_url: config.qostiq_callback_url.clone(),
            crypto_callback_url: config.qostiq_crypto_callback_url.clone(),
        }
    }

    /// A fresh numeric id.
    pub fn new_id(&mut self) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        id
    }

    /// The fiat balance line of `currency` (created empty if missing).
    pub fn fiat_mut(&mut self, currency: u16) -> &mut Balance {
        self.fiat.entry(currency).or_default()
    }

    /// The crypto balance line of `currency` (created empty if missing).
    pub fn crypto_mut(&mut self, currency: &str) -> &mut Balance {
        self.crypto.entry(currency.to_owned()).or_default()
    }
}
