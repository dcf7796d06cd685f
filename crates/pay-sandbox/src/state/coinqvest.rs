//! COINQVEST books: wallets by asset, checkouts, payments, withdrawals, customers.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use time::OffsetDateTime;

use crate::config::SandboxConfig;
use crate::json::J;

/// AnchorUSD, the platform's default USD asset.
pub const USD_ASSET: &str = "USD:GDUKMGUGDZQK6YHYA5Z6AY2G4XDSZPSZ3SW5UN3ARVMO6QSRDWP5YLEX";

/// A payment method offered by `POST /checkout`.
#[derive(Debug, Clone)]
pub struct PaymentMethod {
    /// Asset code (`BTC`).
    pub asset_code: String,
    /// Blockchain name (`Bitcoin`).
    pub blockchain: String,
    /// Amount to pay.
    pub amount: Decimal,
}

/// Deposit instructions of a committed checkout.
#[derive(Debug, Clone)]
pub struct Deposit {
    /// Chosen method.
    pub method: PaymentMethod,
    /// Deposit address.
    pub address: String,
    /// Stellar memo.
    pub memo: Option<String>,
    /// XRP destination tag.
    pub destination_tag: Option<String>,
}

/// A checkout (white-label or hosted).
#[derive(Debug, Clone)]
pub struct Checkout {
    /// Id (12 hex).
    pub id: String,
    /// Creation time.
    pub created: OffsetDateTime,
    /// Expiry (creation + 60 min).
    pub expires: OffsetDateTime,
    /// State (`NEW_CHARGE`, `COMPLETED`, ...).
    pub state: String,
    /// Hosted checkout URL.
    pub hosted_url: Option<String>,
    /// The payload as submitted.
    pub payload: J,
    /// Total in the charge currency.
    pub total: Decimal,
    /// Charge currency (asset code or asset id).
    pub charge_currency: String,
    /// Settlement currency, if given.
    pub settlement_currency: Option<String>,
    /// Linked customer.
    pub customer_id: Option<String>,
    /// Webhook URL.
    pub webhook: Option<String>,
    /// Offered methods.
    pub methods: Vec<PaymentMethod>,
    /// Deposit instructions once committed.
    pub deposit: Option<Deposit>,
    /// Payment ids.
    pub payments: Vec<String>,
}

/// A payment received for a checkout.
#[derive(Debug, Clone)]
pub struct Payment {
    /// Id.
    pub id: String,
    /// Checkout.
    pub checkout_id: String,
    /// `RESOLVED` or `UNRESOLVED`.
    pub state: String,
    /// Time.
    pub timestamp: OffsetDateTime,
    /// Credited asset code.
    pub credit_asset_code: String,
    /// Credited asset id.
    pub credit_asset_issuer: String,
    /// Credited amount.
    pub credit_amount: Decimal,
    /// Paid asset code.
    pub source_asset_code: String,
    /// Paid asset issuer.
    pub source_asset_issuer: String,
    /// Paid amount.
    pub source_amount: Decimal,
    /// Source chain.
    pub source_blockchain: String,
    /// Payer account.
    pub source_account: String,
    /// Transaction id.
    pub source_tx_id: String,
    /// Customer.
    pub customer_id: Option<String>,
}

/// A withdrawal.
#[derive(Debug, Clone)]
pub struct Withdrawal {
    /// Id.
    pub id: String,
    /// `PENDING_API_COMMIT`, `PROCESSING`, `COMPLETED`, `FAILED`.
    pub state: String,
    /// Time.
    pub timestamp: OffsetDateTime,
    /// Source asset code.
    pub source_asset_code: String,
    /// Source asset id.
    pub source_asset_issuer: String,
    /// Debited amount.
    pub source_amount: Decimal,
    /// Target asset code.
    pub target_asset_code: String,
    /// Target issuer.
    pub target_asset_issuer: String,
    /// Guaranteed target amount.
    pub target_amount: Decimal,
    /// Fee (target units).
    pub withdrawal_fee: Decimal,
    /// Target chain.
    pub target_blockchain: Option<String>,
    /// Target fiat currency.
    pub target_fiat: Option<String>,
    /// Stellar transaction once committed.
    pub transaction_id: Option<String>,
    /// Target account as sent.
    pub target_account: J,
}

/// A customer.
#[derive(Debug, Clone)]
pub struct Customer {
    /// Id.
    pub id: String,
    /// Stored attributes (`email`, `firstname`, ... `meta`).
    pub fields: Vec<(String, J)>,
    /// Created.
    pub inserttime: OffsetDateTime,
    /// Updated.
    pub updatetime: OffsetDateTime,
}

impl Customer {
    /// Attribute `key` if set and not null.
    pub fn field(&self, key: &str) -> Option<&J> {
        self.fields
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v)
            .filter(|v| !v.is_null())
    }
}

/// All COINQVEST state of the (single) merchant account.
#[derive(Debug)]
pub struct CoinqvestState {
    /// Balances by asset id.
    pub wallets: BTreeMap<String, Decimal>,
    /// Checkouts, oldest first.
    pub checkouts: Vec<Checkout>,
    /// Payments, oldest first.
    pub payments: Vec<Payment>,
    /// Withdrawals, oldest first.
    pub withdrawals: Vec<Withdrawal>,
    /// Customers, oldest first.
    pub customers: Vec<Customer>,
    /// Default webhook URL.
    pub webhook_url: Option<String>,
}

impl CoinqvestState {
    /// Initial books: 1 000 USD (AnchorUSD) and 950 XLM.
    pub fn new(config: &SandboxConfig) -> Self {
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
