//! Qostiq books: balances per currency, bills, transfers, withdrawals, crypto withdrawals, invoices.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use time::OffsetDateTime;

use crate::config::SandboxConfig;
use crate::json::Json;

/// One balance line (`/shop_balance`, `/crypto/shop_balance`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Balance {
    /// Available for payouts (minus the rolling reserve).
    pub(crate) available: Decimal,
    /// Frozen for payouts not final yet.
    pub(crate) frozen: Decimal,
    /// Temporarily held.
    pub(crate) hold: Decimal,
    /// Rolling reserve (part of `available` that cannot be paid out).
    pub(crate) rolling_reserve: Decimal,
}

impl Balance {
    /// What a payout may use: `available - rolling_reserve`.
    pub(crate) fn spendable(&self) -> Decimal {
        self.available - self.rolling_reserve
    }

    /// Freezes `amount` for a new payout if the spendable part covers it; `false` (nothing moved)
    /// if not.
    pub(crate) fn freeze(&mut self, amount: Decimal) -> bool {
        if self.spendable() < amount {
            return false;
        }
        self.available -= amount;
        self.frozen += amount;
        true
    }

    /// Settles a payout's frozen `amount`: it leaves the books when `paid`, else it is available
    /// again.
    pub(crate) fn settle(&mut self, amount: Decimal, paid: bool) {
        self.frozen -= amount;
        if !paid {
            self.available += amount;
        }
    }
}

/// A bill (`/bill/create`, `/bill/create/v2`).
#[derive(Debug, Clone)]
pub(crate) struct Bill {
    /// Qostiq id.
    pub(crate) id: u64,
    /// Created through `/bill/create/v2`.
    pub(crate) v2: bool,
    /// `shop_order_id` as sent.
    pub(crate) shop_order_id: Json,
    /// `shop_order_id` as text (lookup key).
    pub(crate) shop_order_key: String,
    /// `None` for a free-amount v2 bill until paid.
    pub(crate) shop_amount: Option<Decimal>,
    /// Shop currency.
    pub(crate) shop_currency: u16,
    /// Payer currency.
    pub(crate) payer_currency: u16,
    /// Credited amount once paid.
    pub(crate) shop_refund: Option<Decimal>,
    /// Payer price.
    pub(crate) payer_price: Option<Decimal>,
    /// The shop's description, as sent.
    pub(crate) description: String,
    /// `payer_account` / `email` as sent.
    pub(crate) payer_account: Json,
    /// Lifetime as sent (echoed).
    pub(crate) lifetime: Json,
    /// Lifetime in minutes.
    pub(crate) lifetime_minutes: i64,
    /// Creation time.
    pub(crate) created: OffsetDateTime,
    /// Final status time.
    pub(crate) processed: Option<OffsetDateTime>,
    /// 1 waiting, 2 paid, 3 canceled, 4 expired.
    pub(crate) status: u8,
    /// Success notification URL.
    pub(crate) callback_url: Option<String>,
    /// Rejection notification URL.
    pub(crate) callback_rejected_url: Option<String>,
    /// Payment page token.
    pub(crate) token: String,
    /// Wallet that paid.
    pub(crate) paid_by: Option<String>,
    /// Payment id once paid.
    pub(crate) payment_id: Option<u64>,
}

/// A transfer to a Qostiq wallet (no status: done when created).
#[derive(Debug, Clone)]
pub(crate) struct Transfer {
    /// Qostiq id.
    pub(crate) id: u64,
    /// Shop's id.
    pub(crate) shop_payment_id: String,
    /// The payee's wallet number or email.
    pub(crate) payee_account: String,
    /// Payee currency.
    pub(crate) payee_currency: u16,
    /// Shop currency.
    pub(crate) shop_currency: u16,
    /// What the payee receives.
    pub(crate) payee_amount: Decimal,
    /// Written off.
    pub(crate) write_off_amount: Decimal,
}

/// A fiat withdrawal.
#[derive(Debug, Clone)]
pub(crate) struct Withdrawal {
    /// Qostiq id.
    pub(crate) id: u64,
    /// Shop's id.
    pub(crate) shop_payment_id: String,
    /// Payway alias.
    pub(crate) payway: String,
    /// Payee account.
    pub(crate) account: String,
    /// `account_details` as sent.
    pub(crate) account_details: Option<Json>,
    /// The shop's description, as sent.
    pub(crate) description: Option<String>,
    /// Shop currency.
    pub(crate) shop_currency: u16,
    /// Payway currency.
    pub(crate) ps_currency: u16,
    /// Received by the payee.
    pub(crate) payee_receive: Decimal,
    /// Written off the shop (amount + fee), frozen until final.
    pub(crate) shop_write_off: Decimal,
    /// Status code.
    pub(crate) status: u8,
    /// Creation time.
    pub(crate) created: OffsetDateTime,
    /// Last status change.
    pub(crate) changed: OffsetDateTime,
    /// Final time.
    pub(crate) processed: Option<OffsetDateTime>,
    /// Rejection reason.
    pub(crate) rejected_reason: Option<String>,
    /// Callback URL from the request.
    pub(crate) callback_url: Option<String>,
    /// Custom top-level fields echoed in the callback.
    pub(crate) extras: Vec<(String, Json)>,
}

/// A crypto withdrawal.
#[derive(Debug, Clone)]
pub(crate) struct CryptoWithdrawal {
    /// Qostiq id.
    pub(crate) id: u64,
    /// Shop's id.
    pub(crate) shop_payment_id: String,
    /// Payway alias.
    pub(crate) payway: String,
    /// Payee address.
    pub(crate) address: String,
    /// The shop's description, as sent.
    pub(crate) description: Option<String>,
    /// Shop currency.
    pub(crate) shop_currency: String,
    /// Payee currency.
    pub(crate) payee_currency: String,
    /// What the payee receives.
    pub(crate) payee_receive: Decimal,
    /// Written off (frozen until final).
    pub(crate) shop_write_off: Decimal,
    /// 1 new, 2 waiting, 5 processing error; 3 success, 4 rejected.
    pub(crate) status: u8,
    /// Creation time.
    pub(crate) created: OffsetDateTime,
    /// Last status change.
    pub(crate) changed: OffsetDateTime,
    /// Final time.
    pub(crate) processed: Option<OffsetDateTime>,
    /// Blockchain hash once successful.
    pub(crate) tx_hash: Option<String>,
    /// Callback URL from the request.
    pub(crate) callback_url: Option<String>,
}

/// What the two payout records (card and crypto withdrawals) share: found by Qostiq's id or the
/// shop's, and stepped through their statuses as sandbox time passes.
pub(crate) trait Payout {
    /// Qostiq's id, the shop's id, the status code and the last status change.
    fn keys(&self) -> (u64, &str, u8, OffsetDateTime);
}

impl Payout for Withdrawal {
    fn keys(&self) -> (u64, &str, u8, OffsetDateTime) {
        (self.id, &self.shop_payment_id, self.status, self.changed)
    }
}

impl Payout for CryptoWithdrawal {
    fn keys(&self) -> (u64, &str, u8, OffsetDateTime) {
        (self.id, &self.shop_payment_id, self.status, self.changed)
    }
}

/// Whether one of `list` already uses the shop's `shop_payment_id`.
pub(crate) fn is_used<P: Payout>(list: &[P], shop_payment_id: &str) -> bool {
    list.iter().any(|p| p.keys().1 == shop_payment_id)
}

/// The payout whose Qostiq id is `id_text` (none when it is not a number), for the status routes.
pub(crate) fn with_id<'a, P: Payout>(list: &'a [P], id_text: &str) -> Option<&'a P> {
    let id: u64 = id_text.parse().ok()?;
    list.iter().find(|p| p.keys().0 == id)
}

/// The payout with the shop's `shop_payment_id`, for the status routes.
pub(crate) fn with_shop_payment_id<'a, P: Payout>(list: &'a [P], key: &str) -> Option<&'a P> {
    list.iter().find(|p| p.keys().1 == key)
}

/// The index of the payout with Qostiq's `id`, else with the shop's `shop_payment_id`; `what`
/// names the record in the errors.
pub(crate) fn find_payout<P: Payout>(
    list: &[P],
    id: Option<u64>,
    shop_payment_id: Option<&str>,
    what: &str,
) -> Result<usize, String> {
    match (id, shop_payment_id) {
        (Some(id), _) => list.iter().position(|p| p.keys().0 == id),
        (None, Some(key)) => list.iter().position(|p| p.keys().1 == key),
        (None, None) => return Err("give `id` or `shop_payment_id`".into()),
    }
    .ok_or_else(|| format!("{what} not found"))
}

/// The payouts due their next status at `now` (not final, unchanged for `step`), with that status
/// as `next` picks it.
pub(crate) fn due_steps<P: Payout>(
    list: &[P],
    now: OffsetDateTime,
    step: std::time::Duration,
    is_final: fn(u8) -> bool,
    next: impl Fn(&P) -> u8,
) -> Vec<(usize, u8)> {
    let step = time::Duration::try_from(step).unwrap_or(time::Duration::SECOND);
    list.iter()
        .enumerate()
        .filter(|(_, p)| {
            let (_, _, status, changed) = p.keys();
            !is_final(status) && changed + step <= now
        })
        .map(|(i, p)| (i, next(p)))
        .collect()
}

/// An invoice (`/invoice/create`).
#[derive(Debug, Clone)]
pub(crate) struct Invoice {
    /// Qostiq id.
    pub(crate) id: u64,
    /// `shop_order_id` as sent.
    pub(crate) shop_order_id: Json,
    /// Lookup key.
    pub(crate) shop_order_key: String,
    /// The amount asked for.
    pub(crate) amount: Decimal,
    /// The ISO 4217 numeric currency.
    pub(crate) currency: u16,
    /// The payway alias (`card_uah`).
    pub(crate) payway: String,
    /// Paid by the client.
    pub(crate) client_price: Decimal,
    /// Credited to the shop.
    pub(crate) shop_refund: Decimal,
    /// 1 waiting, 2 success, 3 rejected.
    pub(crate) status: u8,
    /// The shop's description, as sent.
    pub(crate) description: String,
    /// Creation time.
    pub(crate) created: OffsetDateTime,
    /// Final time.
    pub(crate) processed: Option<OffsetDateTime>,
    /// Notification URL.
    pub(crate) callback_url: Option<String>,
    /// Rejected notification URL.
    pub(crate) callback_rejected_url: Option<String>,
    /// Payment id once processed.
    pub(crate) payment_id: Option<u64>,
}

/// All Qostiq state of the (single) shop.
#[derive(Debug)]
pub(crate) struct QostiqBooks {
    /// Fiat balances by ISO 4217 numeric code.
    pub(crate) fiat: BTreeMap<u16, Balance>,
    /// Crypto balances by currency code.
    pub(crate) crypto: BTreeMap<String, Balance>,
    /// Bills, oldest first.
    pub(crate) bills: Vec<Bill>,
    /// Transfers, oldest first.
    pub(crate) transfers: Vec<Transfer>,
    /// Fiat withdrawals, oldest first.
    pub(crate) withdrawals: Vec<Withdrawal>,
    /// Crypto withdrawals.
    pub(crate) crypto_withdrawals: Vec<CryptoWithdrawal>,
    /// Invoices, oldest first.
    pub(crate) invoices: Vec<Invoice>,
    /// Registered wallets: (email, account number).
    pub(crate) accounts: Vec<(String, String)>,
    /// Next numeric id.
    pub(crate) next_id: u64,
    /// Shop setting.
    pub(crate) shop_order_id_unique: bool,
    /// Interaction URL.
    pub(crate) callback_url: Option<String>,
    /// Crypto interaction URL.
    pub(crate) crypto_callback_url: Option<String>,
}

fn decimal(units: i64, scale: u32) -> Decimal {
    Decimal::new(units, scale)
}

impl QostiqBooks {
    /// The initial books: UAH 10 000, USD and EUR 1 000; USDT 1 000, BTC 1, TON 100, BNB 10.
    pub(crate) fn new(config: &SandboxConfig) -> Self {
        let fiat = [
            (980, decimal(1_000_000, 2)),
            (840, decimal(100_000, 2)),
            (978, decimal(100_000, 2)),
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
            ("USDT", decimal(1000, 0)),
            ("BTC", decimal(1, 0)),
            ("TON", decimal(100, 0)),
            ("BNB", decimal(10, 0)),
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
    pub(crate) fn new_id(&mut self) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        id
    }

    /// The fiat balance line of `currency` (created empty if missing).
    pub(crate) fn fiat_mut(&mut self, currency: u16) -> &mut Balance {
        self.fiat.entry(currency).or_default()
    }

    /// The crypto balance line of `currency` (created empty if missing).
    pub(crate) fn crypto_mut(&mut self, currency: &str) -> &mut Balance {
        self.crypto.entry(currency.to_owned()).or_default()
    }
}
