//! COINQVEST books: wallets by asset, checkouts, payments, withdrawals, customers.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use time::OffsetDateTime;

use crate::config::SandboxConfig;
use crate::json::Json;

/// AnchorUSD, the platform's default USD asset.
pub(crate) const USD_ASSET: &str = "USD:GDUKMGUGDZQK6YHYA5Z6AY2G4XDSZPSZ3SW5UN3ARVMO6QSRDWP5YLEX";

/// A payment method offered by `POST /checkout`.
#[derive(Debug, Clone)]
pub(crate) struct PaymentMethod {
    /// Asset code (`BTC`).
    pub(crate) asset_code: String,
    /// Blockchain name (`Bitcoin`).
    pub(crate) blockchain: String,
    /// Amount to pay.
    pub(crate) amount: Decimal,
}

/// Deposit instructions of a committed checkout.
#[derive(Debug, Clone)]
pub(crate) struct Deposit {
    /// Chosen method.
    pub(crate) method: PaymentMethod,
    /// Deposit address.
    pub(crate) address: String,
    /// Stellar memo.
    pub(crate) memo: Option<String>,
    /// XRP destination tag.
    pub(crate) destination_tag: Option<String>,
}

/// A checkout (white-label or hosted).
#[derive(Debug, Clone)]
pub(crate) struct Checkout {
    /// Id (12 hex).
    pub(crate) id: String,
    /// Creation time.
    pub(crate) created: OffsetDateTime,
    /// Expiry (creation + 60 min).
    pub(crate) expires: OffsetDateTime,
    /// State (`NEW_CHARGE`, `COMPLETED`, ...).
    pub(crate) state: String,
    /// Hosted checkout URL.
    pub(crate) hosted_url: Option<String>,
    /// The payload as submitted.
    pub(crate) payload: Json,
    /// Total in the charge currency.
    pub(crate) total: Decimal,
    /// Charge currency (asset code or asset id).
    pub(crate) charge_currency: String,
    /// Settlement currency, if given.
    pub(crate) settlement_currency: Option<String>,
    /// Linked customer.
    pub(crate) customer_id: Option<String>,
    /// Webhook URL.
    pub(crate) webhook: Option<String>,
    /// Offered methods.
    pub(crate) methods: Vec<PaymentMethod>,
    /// Deposit instructions once committed.
    pub(crate) deposit: Option<Deposit>,
    /// Payment ids.
    pub(crate) payments: Vec<String>,
}

/// A payment received for a checkout.
#[derive(Debug, Clone)]
pub(crate) struct Payment {
    /// The payment's id (12 hex).
    pub(crate) id: String,
    /// The checkout it pays.
    pub(crate) checkout_id: String,
    /// `RESOLVED` or `UNRESOLVED`.
    pub(crate) state: String,
    /// When it arrived (sandbox time).
    pub(crate) timestamp: OffsetDateTime,
    /// Credited asset code.
    pub(crate) credit_asset_code: String,
    /// Credited asset id.
    pub(crate) credit_asset_issuer: String,
    /// Credited amount.
    pub(crate) credit_amount: Decimal,
    /// Paid asset code.
    pub(crate) source_asset_code: String,
    /// Paid asset issuer.
    pub(crate) source_asset_issuer: String,
    /// Paid amount.
    pub(crate) source_amount: Decimal,
    /// Source chain.
    pub(crate) source_blockchain: String,
    /// Payer account.
    pub(crate) source_account: String,
    /// Transaction id.
    pub(crate) source_tx_id: String,
    /// The checkout's customer, if any.
    pub(crate) customer_id: Option<String>,
}

/// A withdrawal.
#[derive(Debug, Clone)]
pub(crate) struct Withdrawal {
    /// The withdrawal's id (12 hex).
    pub(crate) id: String,
    /// `PENDING_API_COMMIT`, `PROCESSING`, `COMPLETED`, `FAILED`.
    pub(crate) state: String,
    /// When it was quoted (sandbox time).
    pub(crate) timestamp: OffsetDateTime,
    /// Source asset code.
    pub(crate) source_asset_code: String,
    /// Source asset id.
    pub(crate) source_asset_issuer: String,
    /// Debited amount.
    pub(crate) source_amount: Decimal,
    /// Target asset code.
    pub(crate) target_asset_code: String,
    /// Target issuer.
    pub(crate) target_asset_issuer: String,
    /// Guaranteed target amount.
    pub(crate) target_amount: Decimal,
    /// Fee (target units).
    pub(crate) withdrawal_fee: Decimal,
    /// Target chain.
    pub(crate) target_blockchain: Option<String>,
    /// Target fiat currency.
    pub(crate) target_fiat: Option<String>,
    /// Stellar transaction once committed.
    pub(crate) transaction_id: Option<String>,
    /// Target account as sent.
    pub(crate) target_account: Json,
}

/// A customer.
#[derive(Debug, Clone)]
pub(crate) struct Customer {
    /// The customer's id (12 hex).
    pub(crate) id: String,
    /// Stored attributes (`email`, `firstname`, ... `meta`).
    pub(crate) fields: Vec<(String, Json)>,
    /// When it was created.
    pub(crate) inserttime: OffsetDateTime,
    /// When it was last changed.
    pub(crate) updatetime: OffsetDateTime,
}

impl Customer {
    /// Attribute `key` if set and not null.
    pub(crate) fn field(&self, key: &str) -> Option<&Json> {
        self.fields
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v)
            .filter(|v| !v.is_null())
    }
}

/// All COINQVEST state of the (single) merchant account.
#[derive(Debug)]
pub(crate) struct CoinqvestBooks {
    /// Balances by asset id.
    pub(crate) wallets: BTreeMap<String, Decimal>,
    /// Checkouts, oldest first.
    pub(crate) checkouts: Vec<Checkout>,
    /// Payments, oldest first.
    pub(crate) payments: Vec<Payment>,
    /// Withdrawals, oldest first.
    pub(crate) withdrawals: Vec<Withdrawal>,
    /// Customers, oldest first.
    pub(crate) customers: Vec<Customer>,
    /// Default webhook URL.
    pub(crate) webhook_url: Option<String>,
}

impl CoinqvestBooks {
    /// Initial books: 1 000 USD (AnchorUSD) and 950 XLM.
    pub(crate) fn new(config: &SandboxConfig) -> Self {
        let mut wallets = BTreeMap::new();
        wallets.insert(USD_ASSET.to_owned(), Decimal::new(1000, 0));
        wallets.insert("XLM:NATIVE".to_owned(), Decimal::new(950, 0));
        Self {
            wallets,
            checkouts: Vec::new(),
            payments: Vec::new(),
            withdrawals: Vec::new(),
            customers: Vec::new(),
            webhook_url: config.coinqvest_webhook_url.clone(),
        }
    }
}
