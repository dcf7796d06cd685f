//! API commands: call the real services (or a sandbox, `--base-url`) through the real clients.
//!
//! `pay qostiq balance | withdraw-status | bill-create` and `pay coinqvest wallets |
//! checkout-status | checkout-create`. Credentials come from the environment (`QOSTIQ_SHOP_ID`,
//! `QOSTIQ_SECRET`, `COINQVEST_KEY`, `COINQVEST_SECRET`); output is one JSON object on standard
//! output. Exit codes:
//! * `0`: the provider answered and accepted;
//! * `1`: the provider refused (or answered "not found"); the refusal is in the JSON;
//! * `2`: usage error (arguments, missing credentials, invalid input), on standard error;
//! * `3`: transport failure or unknown outcome (a create may or may not exist: look it up).

use std::io::Write as _;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Args, Subcommand};
use pay_coinqvest::checkouts::{ChargeBuilder, Checkout, LineItem};
use pay_coinqvest::client::CoinqvestClient;
use pay_core::endpoint::{BaseUrl, Lookup};
use pay_core::error::{Error, RequestOutcome};
use pay_core::secret::Secret;
use pay_qostiq::bills::{BillRecord, CreateBill};
use pay_qostiq::client::QostiqClient;
use pay_qostiq::{Currency, ShopId};
use pay_transport::CallError;
use serde_json::{Value, json};

use crate::payout::{self, Printed};
use crate::{coinqvest, qostiq};

/// `pay qostiq …`: the offline sign/verify commands and the API commands.
#[derive(Debug, Subcommand)]
pub(crate) enum QostiqCommand {
    /// Offline commands (`sign`, `verify-callback`).
    #[command(flatten)]
    Offline(qostiq::Command),
    /// `/shop_balance`: the shop's fiat balances.
    Balance(QostiqConn),
    /// `/withdraw/shop_payment_status`: a payout by the shop's own id.
    WithdrawStatus(WithdrawStatusArgs),
    /// `/bill/create` (recovered by `shop_order_id` if the answer is lost).
    BillCreate(BillCreateArgs),
}

/// `pay coinqvest …`: the offline sign/verify commands and the API commands.
#[derive(Debug, Subcommand)]
pub(crate) enum CoinqvestCommand {
    /// Offline commands (`sign`, `verify-webhook`).
    #[command(flatten)]
    Offline(coinqvest::Command),
    /// `GET /wallets`: the account's wallets and balances.
    Wallets(CoinqvestConn),
    /// `GET /checkout?id=…`: a checkout's state and payments.
    CheckoutStatus(CheckoutStatusArgs),
    /// `POST /checkout/hosted` (or `POST /checkout` with `--white-label`): a one-item checkout.
    CheckoutCreate(CheckoutCreateArgs),
}

/// Where and as whom to call Qostiq.
#[derive(Debug, Args)]
pub(crate) struct QostiqConn {
    /// Base URL: the live API by default, or a sandbox's `http://127.0.0.1:PORT/qostiq`.
    #[arg(long, default_value = pay_qostiq::API_BASE_URL)]
    base_url: String,
    /// The shop id.
    #[arg(long, env = "QOSTIQ_SHOP_ID")]
    shop_id: u64,
    /// The shop's secret key (from the environment only).
    #[arg(long, env = "QOSTIQ_SECRET", hide_env_values = true, hide = true)]
    secret: String,
    /// Per-attempt timeout in seconds.
    #[arg(long, default_value_t = 30)]
    timeout: u64,
}

/// Where and as whom to call COINQVEST.
#[derive(Debug, Args)]
pub(crate) struct CoinqvestConn {
    /// Base URL: the live API by default, or a sandbox's `http://127.0.0.1:PORT/coinqvest/api/v1`.
    #[arg(long, default_value = pay_coinqvest::DEFAULT_BASE_URL)]
    base_url: String,
    /// The API key.
    #[arg(long, env = "COINQVEST_KEY", hide_env_values = true)]
    key: String,
    /// The API secret (from the environment only).
    #[arg(long, env = "COINQVEST_SECRET", hide_env_values = true, hide = true)]
    secret: String,
    /// Per-attempt timeout in seconds.
    #[arg(long, default_value_t = 30)]
    timeout: u64,
}

/// `pay qostiq withdraw-status`.
#[derive(Debug, Args)]
pub(crate) struct WithdrawStatusArgs {
    #[command(flatten)]
    conn: QostiqConn,
    /// The shop's id of the payout.
    #[arg(long)]
    shop_payment_id: String,
}

/// `pay qostiq bill-create`.
#[derive(Debug, Args)]
pub(crate) struct BillCreateArgs {
    #[command(flatten)]
    conn: QostiqConn,
    /// The amount the shop receives (`150.00`).
    #[arg(long)]
    amount: String,
    /// The shop currency: numeric (`980`) or alphabetic (`UAH`).
    #[arg(long)]
    currency: String,
    /// The payer's currency (defaults to the shop currency).
    #[arg(long)]
    payer_currency: Option<String>,
    /// The shop's unique order id (the recovery key).
    #[arg(long)]
    shop_order_id: String,
    /// A description shown to the payer.
    #[arg(long)]
    description: Option<String>,
}

/// `pay coinqvest checkout-status`.
#[derive(Debug, Args)]
pub(crate) struct CheckoutStatusArgs {
    #[command(flatten)]
    conn: CoinqvestConn,
    /// The checkout id.
    #[arg(long)]
    id: String,
}

/// `pay coinqvest checkout-create`.
#[derive(Debug, Args)]
pub(crate) struct CheckoutCreateArgs {
    #[command(flatten)]
    conn: CoinqvestConn,
    /// The charge currency (`USD`, `EUR`, `BTC` …).
    #[arg(long)]
    currency: String,
    /// The item's net amount (`10.00`).
    #[arg(long)]
    amount: String,
    /// The item's description.
    #[arg(long, default_value = "Order")]
    description: String,
    /// Quantity of the item.
    #[arg(long, default_value_t = 1)]
    quantity: u32,
    /// Where COINQVEST sends the payment webhook.
    #[arg(long)]
    webhook: Option<String>,
    /// A white-label checkout (`POST /checkout`: payment methods, no hosted page).
    #[arg(long)]
    white_label: bool,
}

/// How an API command ended.
enum Failure {
    Usage(String),
    Refused(Value),
    Unknown(Value),
}

fn usage(e: impl std::fmt::Display) -> Failure {
    Failure::Usage(e.to_string())
}

fn from_call(e: &CallError) -> Failure {
    let body = json!({
        "error": e.to_string(),
        "outcome": match e.outcome() {
            RequestOutcome::NotSent => "not_sent",
            RequestOutcome::Refused => "refused",
            _ => "unknown",
        },
        "attempts": e.attempts(),
    });
    match (e.error(), e.outcome()) {
        (Error::InvalidInput { .. }, _) => Failure::Usage(e.to_string()),
        (_, RequestOutcome::Refused) => Failure::Refused(body),
        _ => Failure::Unknown(body),
    }
}

fn runtime() -> Result<tokio::runtime::Runtime, Failure> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::Unknown(json!({"error": format!("tokio runtime: {e}")})))
}

/// Ends a payout command: its JSON and exit code ([`payout`]), or a failure before any outcome.
fn finish_payout(result: Result<Printed, Failure>) -> ExitCode {
    match result {
        Ok(Printed::Json(value, code)) => {
            let mut out = std::io::stdout().lock();
            if writeln!(out, "{value}").is_err() {
                return ExitCode::from(payout::EXIT_USAGE);
            }
            ExitCode::from(code)
        }
        Ok(Printed::Usage(message)) => finish(Err(Failure::Usage(message))),
        Err(failure) => finish(Err(failure)),
    }
}

fn finish(result: Result<Value, Failure>) -> ExitCode {
    let (value, code) = match result {
        Ok(value) => (value, 0),
        Err(Failure::Usage(message)) => {
            let _ = writeln!(std::io::stderr().lock(), "pay: error: {message}");
            return ExitCode::from(2);
        }
        Err(Failure::Refused(value)) => (value, 1),
        Err(Failure::Unknown(value)) => (value, 3),
    };
    let mut out = std::io::stdout().lock();
    if writeln!(out, "{value}").is_err() {
        return ExitCode::from(2);
    }
    ExitCode::from(code)
}

impl QostiqConn {
    fn client(&self) -> Result<QostiqClient, Failure> {
        let base: BaseUrl = self.base_url.parse().map_err(usage)?;
        let shop = ShopId::new(self.shop_id).map_err(usage)?;
        let secret =
            Secret::new(self.secret.clone()).map_err(|_| usage("QOSTIQ_SECRET is empty"))?;
        QostiqClient::builder(shop, secret)
            .base_url(base)
            .attempt_timeout(Duration::from_secs(self.timeout.max(1)))
            .build()
            .map_err(usage)
    }
}

impl CoinqvestConn {
    fn client(&self) -> Result<CoinqvestClient, Failure> {
        let base: BaseUrl = self.base_url.parse().map_err(usage)?;
        if self.key.is_empty() {
            return Err(usage("COINQVEST_KEY is empty"));
        }
        let secret =
            Secret::new(self.secret.clone()).map_err(|_| usage("COINQVEST_SECRET is empty"))?;
        CoinqvestClient::builder(self.key.clone(), secret)
            .base_url(base)
            .attempt_timeout(Duration::from_secs(self.timeout.max(1)))
            .build()
            .map_err(usage)
    }
}

/// Runs an API command of `pay qostiq …` (the offline ones are run by `main`).
pub(crate) fn run_qostiq(command: QostiqCommand) -> ExitCode {
    let result = match command {
        QostiqCommand::Offline(_) => Err(usage("not an API command")),
        QostiqCommand::Balance(conn) => qostiq_balance(&conn),
        QostiqCommand::WithdrawStatus(args) => withdraw_status(&args),
        QostiqCommand::BillCreate(args) => return finish_payout(bill_create(&args)),
    };
    finish(result)
}

/// Runs an API command of `pay coinqvest …` (the offline ones are run by `main`).
pub(crate) fn run_coinqvest(command: CoinqvestCommand) -> ExitCode {
    let result = match command {
        CoinqvestCommand::Offline(_) => Err(usage("not an API command")),
        CoinqvestCommand::Wallets(conn) => wallets(&conn),
        CoinqvestCommand::CheckoutStatus(args) => checkout_status(&args),
        CoinqvestCommand::CheckoutCreate(args) => checkout_create(&args),
    };
    finish(result)
}

fn qostiq_balance(conn: &QostiqConn) -> Result<Value, Failure> {
    let client = conn.client()?;
    let balances = runtime()?
        .block_on(client.shop_balance())
        .map_err(|e| from_call(&e))?;
    let lines: Vec<Value> = balances
        .balances
        .iter()
        .map(|b| {
            json!({
                "currency": b.currency.code(),
                "available": b.available.to_string(),
                "frozen": b.frozen.to_string(),
                "hold": b.hold.to_string(),
                "rolling_reserve": b.rolling_reserve.map(|r| r.to_string()),
            })
        })
        .collect();
    Ok(json!({"shop_id": conn.shop_id, "balances": lines}))
}

fn withdraw_status(args: &WithdrawStatusArgs) -> Result<Value, Failure> {
    let client = args.conn.client()?;
    let found = runtime()?
        .block_on(client.get_withdraw_by_shop_payment_id(&args.shop_payment_id))
        .map_err(|e| from_call(&e))?;
    match found {
        Lookup::Found(w) => Ok(json!({
            "found": true,
            "id": w.id,
            "shop_payment_id": w.shop_payment_id,
            "status": w.status.code(),
            "status_name": w.status.to_string(),
            "final": w.status.is_final(),
            "payee_receive": w.payee_receive.to_string(),
            "ps_currency": w.ps_currency.code(),
            "shop_write_off": w.shop_write_off.to_string(),
            "shop_currency": w.shop_currency.code(),
            "rejected_reason": w.rejected_reason,
        })),
        Lookup::NotFound => Err(Failure::Refused(json!({
            "found": false,
            "shop_payment_id": args.shop_payment_id,
        }))),
    }
}

/// A bill as the payout commands print it.
fn bill_json(bill: &BillRecord) -> Value {
    match bill {
        BillRecord::Created(b) => json!({
            "id": b.id,
            "shop_order_id": b.shop_order_id,
            "shop_amount": b.shop_amount.map(|a| a.to_string()),
            "shop_currency": b.shop_currency.code(),
            "payer_price": b.payer_price.map(|a| a.to_string()),
            "url": b.url,
        }),
        BillRecord::Found(info) => json!({
            "payment_id": info.payment_id,
            "shop_order_id": info.shop_order_id,
            "shop_amount": info.shop_amount.to_string(),
            "shop_currency": info.shop_currency.code(),
            "status": info.status.code(),
            "is_unique": info.is_unique,
        }),
    }
}

fn bill_create(args: &BillCreateArgs) -> Result<Printed, Failure> {
    let amount = args
        .amount
        .parse()
        .map_err(|e| usage(format!("--amount: {e:?}")))?;
    let currency: Currency = args.currency.parse().map_err(usage)?;
    let payer: Currency = match &args.payer_currency {
        Some(c) => c.parse().map_err(usage)?,
        None => currency,
    };
    let mut bill = CreateBill::new(amount, currency, payer, args.shop_order_id.clone());
    bill.description.clone_from(&args.description);
    let client = args.conn.client()?;
    let outcome = runtime()?.block_on(client.create_bill(&bill));
    Ok(payout::render(outcome, bill_json))
}

fn wallets(conn: &CoinqvestConn) -> Result<Value, Failure> {
    let client = conn.client()?;
    let list = runtime()?
        .block_on(client.wallets())
        .map_err(|e| from_call(&e))?;
    let wallets: Vec<Value> = list
        .wallets
        .iter()
        .map(|w| {
            json!({
                "asset_code": w.asset_code,
                "type": format!("{:?}", w.kind).to_uppercase(),
                "balance": w.balance.to_string(),
            })
        })
        .collect();
    Ok(json!({ "wallets": wallets }))
}

fn checkout_json(c: &Checkout) -> Value {
    json!({
        "id": c.id,
        "state": c.state.as_str(),
        "completed_and_credited": c.is_completed_and_credited(),
        "hosted_checkout_url": c.hosted_checkout_url,
        "payments": c.payments.iter().map(|p| json!({
            "id": p.id,
            "state": p.state.as_ref().map(ToString::to_string),
            "credit_amount": p.credit_amount.to_string(),
            "credit_asset_code": p.credit_asset_code,
        })).collect::<Vec<_>>(),
    })
}

fn checkout_status(args: &CheckoutStatusArgs) -> Result<Value, Failure> {
    let client = args.conn.client()?;
    let checkout = runtime()?
        .block_on(client.checkout(args.id.clone()))
        .map_err(|e| from_call(&e))?;
    Ok(checkout_json(&checkout))
}

fn checkout_create(args: &CheckoutCreateArgs) -> Result<Value, Failure> {
    let amount = args
        .amount
        .parse()
        .map_err(|e| usage(format!("--amount: {e:?}")))?;
    let mut charge = ChargeBuilder::new(args.currency.clone())
        .line_item(LineItem::new(args.description.clone(), amount).quantity(args.quantity));
    if let Some(url) = &args.webhook {
        charge = charge.webhook(url.clone());
    }
    let params = charge.build().map_err(usage)?;
    let client = args.conn.client()?;
    let rt = runtime()?;
    if args.white_label {
        let created = rt
            .block_on(client.create_checkout(params))
            .map_err(|e| from_call(&e))?;
        Ok(json!({
            "id": created.id,
            "payment_methods": created.payment_methods.iter().map(|m| json!({
                "asset_code": m.asset_code,
                "blockchain": m.blockchain,
                "payment_amount": m.payment_amount.to_string(),
            })).collect::<Vec<_>>(),
        }))
    } else {
        let hosted = rt
            .block_on(client.create_hosted_checkout(params))
            .map_err(|e| from_call(&e))?;
        Ok(json!({"id": hosted.id, "url": hosted.url}))
    }
}
