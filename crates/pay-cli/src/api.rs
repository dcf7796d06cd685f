//! API commands: call the real services (or a sandbox, `--base-url`) through the real clients.
//!
//! `pay qostiq balance | withdraw-status | withdraw-create | bill-create` and `pay coinqvest
//! wallets | checkout-status | checkout-create | withdrawal-commit`. Credentials come from the
//! environment (`QOSTIQ_SHOP_ID`, `QOSTIQ_SECRET`, `COINQVEST_KEY`, `COINQVEST_SECRET`); output is
//! one JSON object on standard output. Exit codes:
//! * `0`: the provider answered and accepted (a payout: it exists as asked);
//! * `1`: the provider refused (or answered "not found"); a payout: refused or not sent, nothing
//!   exists;
//! * `2`: usage error (arguments, missing credentials, invalid input), on standard error;
//! * `3`: transport failure or unknown outcome (a payout may or may not exist: run the same
//!   command again, same id, later);
//! * `4`: a payout's id holds another payout (conflict: a person compares both sides).
//!
//! The payout commands (`withdraw-create`, `withdrawal-commit`, `bill-create`) print the shared
//! shape of [`crate::payout`].

use std::io::Write as _;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Args, Subcommand};
use pay_coinqvest::checkouts::{ChargeBuilder, Checkout, LineItem};
use pay_coinqvest::client::{CoinqvestClient, CoinqvestClientBuilder, CoinqvestSettings};
use pay_coinqvest::withdrawals::{CommitWithdrawal, QuoteTerms, Withdrawal as CqWithdrawal};
use pay_core::endpoint::{BaseUrl, Lookup};
use pay_core::error::{Error, RequestOutcome};
use pay_core::money::Amount;
use pay_core::secret::Secret;
use pay_core::text::{AccountNumber, Untrusted};
use pay_qostiq::bills::{BillRecord, CreateBill};
use pay_qostiq::client::{QostiqClient, QostiqClientBuilder, QostiqSettings};
use pay_qostiq::withdrawals::{CreateWithdraw, WithdrawAmountType, WithdrawInfo, Withdrawal};
use pay_qostiq::{Currency, Payway, ShopId};
use pay_transport::client::{ClientBuilder, ProviderSettings};
use pay_transport::floors::Floors;
use pay_transport::hyper_transport::HyperTransport;
use pay_transport::{CallError, ExecutorBuilder};
use serde_json::{Value, json};

use crate::journal::{JournalArgs, OpenError, Opened};
use crate::payout::{self, Printed};
use crate::{coinqvest, qostiq};
use pay_core::recovery::{Evidence, PayoutOutcome, Recoverable, Resolution};

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
    /// `/withdraw/create`: a payout, recovered by `shop_payment_id` if the answer is lost.
    WithdrawCreate(WithdrawCreateArgs),
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
    /// `POST /withdrawal/commit`: commits a quoted withdrawal (moves the money), with recovery.
    WithdrawalCommit(WithdrawalCommitArgs),
}

/// Where and as whom to call Qostiq.
#[derive(Debug, Args)]
pub(crate) struct QostiqConn {
    /// Base URL: the live API by default, or a sandbox's `http://127.0.0.1:PORT/qostiq`. Plain
    /// `http://` is refused except for a loopback address (see `--allow-plain-http-for-sandbox`).
    #[arg(long, default_value = pay_qostiq::DEFAULT_BASE_URL)]
    base_url: String,
    #[command(flatten)]
    plain_http: PlainHttp,
    /// The shop id.
    #[arg(long, env = "QOSTIQ_SHOP_ID")]
    shop_id: u64,
    /// The shop's secret key (from the environment only).
    #[arg(long, env = "QOSTIQ_SECRET", hide_env_values = true, hide = true)]
    secret: String,
    /// Per-attempt timeout: seconds (`30`), or with a unit (`30s`, `500ms`).
    #[arg(long, default_value = "30", value_parser = duration)]
    timeout: Duration,
}

/// Where and as whom to call COINQVEST.
#[derive(Debug, Args)]
pub(crate) struct CoinqvestConn {
    /// Base URL: the live API by default, or a sandbox's `http://127.0.0.1:PORT/coinqvest/api/v1`.
    /// Plain `http://` is refused except for a loopback address (see
    /// `--allow-plain-http-for-sandbox`).
    #[arg(long, default_value = pay_coinqvest::DEFAULT_BASE_URL)]
    base_url: String,
    #[command(flatten)]
    plain_http: PlainHttp,
    /// The API key.
    #[arg(long, env = "COINQVEST_KEY", hide_env_values = true)]
    key: String,
    /// The API secret (from the environment only).
    #[arg(long, env = "COINQVEST_SECRET", hide_env_values = true, hide = true)]
    secret: String,
    /// Per-attempt timeout: seconds (`30`), or with a unit (`30s`, `500ms`).
    #[arg(long, default_value = "30", value_parser = duration)]
    timeout: Duration,
}

/// Qostiq for `pay journal resume`: optional (its intents are skipped without credentials).
#[derive(Debug, Args)]
pub(crate) struct QostiqCredentials {
    /// Qostiq base URL (the live API by default, or a sandbox's `http://127.0.0.1:PORT/qostiq`).
    #[arg(long, default_value = pay_qostiq::DEFAULT_BASE_URL)]
    qostiq_base_url: String,
    /// The Qostiq shop id.
    #[arg(long, env = "QOSTIQ_SHOP_ID")]
    qostiq_shop_id: Option<u64>,
    /// The shop's secret key (from the environment only).
    #[arg(long, env = "QOSTIQ_SECRET", hide_env_values = true, hide = true)]
    qostiq_secret: Option<String>,
    #[command(flatten)]
    plain_http: PlainHttp,
}

/// COINQVEST for `pay journal resume`: optional (its intents are skipped without credentials).
#[derive(Debug, Args)]
pub(crate) struct CoinqvestCredentials {
    /// COINQVEST base URL (the live API by default, or a sandbox's
    /// `http://127.0.0.1:PORT/coinqvest/api/v1`).
    #[arg(long, default_value = pay_coinqvest::DEFAULT_BASE_URL)]
    coinqvest_base_url: String,
    /// The COINQVEST API key.
    #[arg(long, env = "COINQVEST_KEY", hide_env_values = true)]
    coinqvest_key: Option<String>,
    /// The API secret (from the environment only).
    #[arg(long, env = "COINQVEST_SECRET", hide_env_values = true, hide = true)]
    coinqvest_secret: Option<String>,
}

impl QostiqCredentials {
    /// The client, `None` without credentials, or a usage error.
    pub(crate) fn client(
        &self,
        recovery: &RecoveryArgs,
        timeout: Duration,
        journal: Option<&Opened>,
    ) -> Result<Option<QostiqClient>, String> {
        let (Some(shop_id), Some(secret)) = (self.qostiq_shop_id, &self.qostiq_secret) else {
            return Ok(None);
        };
        let conn = QostiqConn {
            base_url: self.qostiq_base_url.clone(),
            plain_http: PlainHttp {
                allow_plain_http_for_sandbox: self.plain_http.allow_plain_http_for_sandbox,
            },
            shop_id,
            secret: secret.clone(),
            timeout,
        };
        conn.client_with(recovery, journal)
            .map(Some)
            .map_err(failure_text)
    }
}

impl CoinqvestCredentials {
    /// The client, `None` without credentials, or a usage error.
    pub(crate) fn client(
        &self,
        plain_http: &QostiqCredentials,
        recovery: &RecoveryArgs,
        timeout: Duration,
        journal: Option<&Opened>,
    ) -> Result<Option<CoinqvestClient>, String> {
        let (Some(key), Some(secret)) = (&self.coinqvest_key, &self.coinqvest_secret) else {
            return Ok(None);
        };
        let conn = CoinqvestConn {
            base_url: self.coinqvest_base_url.clone(),
            plain_http: PlainHttp {
                allow_plain_http_for_sandbox: plain_http.plain_http.allow_plain_http_for_sandbox,
            },
            key: key.clone(),
            secret: secret.clone(),
            timeout,
        };
        conn.client_with(recovery, journal)
            .map(Some)
            .map_err(failure_text)
    }
}

fn failure_text(failure: Failure) -> String {
    match failure {
        Failure::Usage(message) => message,
        Failure::Refused(value) | Failure::Unknown(value) => value.to_string(),
    }
}

/// How a payout command recovers a lost answer.
#[derive(Debug, Default, Args)]
pub(crate) struct RecoveryArgs {
    /// How long after a lost request its effect may still appear at the provider, before a "not
    /// found" or "not committed" is trusted (default twice the timeout): `60`, `90s`, `500ms`.
    #[arg(long, value_parser = duration)]
    settle_window: Option<Duration>,
    /// Polls one payment this often, **below the provider's minimum** (60 s for a withdrawal):
    /// sandboxes and tests only.
    #[arg(long, value_parser = duration)]
    sandbox_poll_floor: Option<Duration>,
}

/// A duration: whole seconds (`30`), or a number with `s` or `ms` (`30s`, `500ms`).
pub(crate) fn duration(text: &str) -> Result<Duration, String> {
    let (number, unit) = match text.strip_suffix("ms") {
        Some(n) => (n, Duration::from_millis(1)),
        None => (
            text.strip_suffix('s').unwrap_or(text),
            Duration::from_secs(1),
        ),
    };
    let count: u32 = number
        .parse()
        .map_err(|_| format!("`{text}` is not a duration (`30`, `30s`, `500ms`)"))?;
    Ok(unit * count)
}

/// `pay qostiq withdraw-create`.
#[derive(Debug, Args)]
pub(crate) struct WithdrawCreateArgs {
    #[command(flatten)]
    conn: QostiqConn,
    #[command(flatten)]
    recovery: RecoveryArgs,
    #[command(flatten)]
    journal: JournalArgs,
    /// The withdraw payway (`card_uah`).
    #[arg(long)]
    payway: String,
    /// The payee account, e.g. a card number (printed masked).
    #[arg(long)]
    account: String,
    /// The amount (`500.00`, at most 2 decimals).
    #[arg(long)]
    amount: String,
    /// The currency written off the shop: numeric (`980`) or alphabetic (`UAH`).
    #[arg(long)]
    currency: String,
    /// What the amount means: `ps_amount` (what the payee receives) or `shop_amount` (what leaves
    /// the shop balance).
    #[arg(long, default_value = "ps_amount")]
    amount_type: String,
    /// The shop's unique id of this payout: the recovery key. Run the command again with the same
    /// id to recover an `unknown` outcome; never a new id for the same payout.
    #[arg(long)]
    shop_payment_id: String,
}

/// `pay coinqvest withdrawal-commit`.
#[derive(Debug, Args)]
pub(crate) struct WithdrawalCommitArgs {
    #[command(flatten)]
    conn: CoinqvestConn,
    #[command(flatten)]
    recovery: RecoveryArgs,
    #[command(flatten)]
    journal: JournalArgs,
    /// The withdrawal id from `POST /withdrawal` (the quote).
    #[arg(long)]
    id: String,
    /// The quote's `sourceAmount`: a withdrawal read back with another is a conflict.
    #[arg(long)]
    source_amount: Option<String>,
    /// The quote's `targetAmount`: a withdrawal read back with another is a conflict.
    #[arg(long)]
    target_amount: Option<String>,
    /// The quote's target account (address, IBAN, NUBAN, account number; printed masked).
    #[arg(long)]
    target_account: Option<String>,
}

/// The one opt-in for plain HTTP to a host that is not this machine.
#[derive(Debug, Args)]
pub(crate) struct PlainHttp {
    /// Allow a plain `http://` base URL to a host that is not a loopback address: for a sandbox in
    /// another container or on another machine. Requests, signatures and account numbers then
    /// cross the network unencrypted: never with real credentials.
    #[arg(long)]
    allow_plain_http_for_sandbox: bool,
}

impl PlainHttp {
    /// Parses `--base-url` and applies the TLS rule ([`BaseUrl::require_tls`]), with an error that
    /// says what is allowed and which flag opts in.
    fn base_url(&self, text: &str) -> Result<BaseUrl, Failure> {
        let base: BaseUrl = text
            .parse()
            .map_err(|e| usage(format!("--base-url: {e}")))?;
        let base = if self.allow_plain_http_for_sandbox {
            base.allow_plain_http_for_sandbox()
        } else {
            base
        };
        if base.require_tls().is_err() {
            return Err(usage(format!(
                "--base-url {}: plain http:// is refused except for a loopback address \
                 (localhost, 127.0.0.1, [::1]); use https://, or pass \
                 --allow-plain-http-for-sandbox for a sandbox on another host",
                Untrusted::new(text)
            )));
        }
        Ok(base)
    }
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
    #[command(flatten)]
    journal: JournalArgs,
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
        Err(Failure::Usage(message)) => return crate::fail(2, &message),
        Err(Failure::Refused(value)) => (value, 1),
        Err(Failure::Unknown(value)) => (value, 3),
    };
    let mut out = std::io::stdout().lock();
    if writeln!(out, "{value}").is_err() {
        return ExitCode::from(2);
    }
    ExitCode::from(code)
}

/// Parses `--amount` (exact decimal text, never a float).
fn amount_arg(text: &str) -> Result<Amount, Failure> {
    text.parse().map_err(|e| usage(format!("--amount: {e}")))
}

/// The smallest per-attempt timeout the commands accept.
const MIN_TIMEOUT: Duration = Duration::from_millis(100);

/// A provider's connection options ([`QostiqConn`], [`CoinqvestConn`]): they build its client.
trait Conn {
    /// The provider's part of its client builder.
    type Settings: ProviderSettings<HyperTransport>;

    /// The `--base-url`, the plain-HTTP switch, and the `--timeout`.
    fn options(&self) -> (&str, &PlainHttp, Duration);

    /// The client builder with the provider's credentials.
    fn builder(&self) -> Result<ClientBuilder<Self::Settings, HyperTransport>, Failure>;

    /// The client of a command that moves no money (no recovery options, no journal).
    fn client(&self) -> Result<ClientOf<Self>, Failure> {
        self.client_with(&RecoveryArgs::default(), None)
    }

    /// Runs `call`, a read (it moves no money), with [`Conn::client`] on a fresh runtime.
    fn read<T>(
        &self,
        call: impl AsyncFnOnce(&ClientOf<Self>) -> Result<T, CallError>,
    ) -> Result<T, Failure> {
        let client = self.client()?;
        runtime()?
            .block_on(call(&client))
            .map_err(|e| from_call(&e))
    }

    /// The client of a command, with its recovery options and journal.
    fn client_with(
        &self,
        recovery: &RecoveryArgs,
        journal: Option<&Opened>,
    ) -> Result<ClientOf<Self>, Failure> {
        let (base_url, plain_http, timeout) = self.options();
        let base = plain_http.base_url(base_url)?;
        self.builder()?
            .base_url(base)
            .executor(|e| executor_settings(e, timeout, recovery, journal))
            .build()
            .map_err(usage)
    }
}

/// The client a [`Conn`] builds.
type ClientOf<C> = <<C as Conn>::Settings as ProviderSettings<HyperTransport>>::Client;

impl Conn for QostiqConn {
    type Settings = QostiqSettings;

    fn options(&self) -> (&str, &PlainHttp, Duration) {
        (&self.base_url, &self.plain_http, self.timeout)
    }

    fn builder(&self) -> Result<QostiqClientBuilder, Failure> {
        let shop = ShopId::new(self.shop_id).map_err(usage)?;
        let secret =
            Secret::new(self.secret.clone()).map_err(|e| usage(format!("QOSTIQ_SECRET: {e}")))?;
        Ok(QostiqClient::builder(shop, secret))
    }
}

impl Conn for CoinqvestConn {
    type Settings = CoinqvestSettings;

    fn options(&self) -> (&str, &PlainHttp, Duration) {
        (&self.base_url, &self.plain_http, self.timeout)
    }

    fn builder(&self) -> Result<CoinqvestClientBuilder, Failure> {
        if self.key.trim().is_empty() {
            return Err(usage("COINQVEST_KEY is empty or blank"));
        }
        let secret = Secret::new(self.secret.clone())
            .map_err(|e| usage(format!("COINQVEST_SECRET: {e}")))?;
        Ok(CoinqvestClient::builder(self.key.clone(), secret))
    }
}

/// The executor settings of a client of a command (both providers): the attempt timeout, the
/// recovery arguments, and the journal and polling turns when one is opened.
fn executor_settings<S>(
    executor: ExecutorBuilder<S>,
    timeout: Duration,
    recovery: &RecoveryArgs,
    journal: Option<&Opened>,
) -> ExecutorBuilder<S> {
    let mut executor = executor.attempt_timeout(timeout.max(MIN_TIMEOUT));
    if let Some(window) = recovery.settle_window {
        executor = executor.settle_window(window);
    }
    if let Some(floor) = recovery.sandbox_poll_floor {
        executor = executor.floors(Floors::below_provider_minimums_for_sandbox(floor));
    }
    if let Some(opened) = journal {
        executor = executor
            .journal(opened.journal())
            .poll_turns(opened.store());
    }
    executor
}

/// Opens the journal of a payout command: `Ok(Err(printed))` when it cannot be reached (the
/// payout refuses to start: `not_sent`, nothing sent), with `intent` the request's terms.
fn open_journal<P>(
    rt: &tokio::runtime::Runtime,
    args: &JournalArgs,
    intent: pay_core::recovery::Intent,
    payout_json: impl Fn(&P) -> Value,
) -> Result<Result<Opened, Printed>, Failure> {
    match rt.block_on(args.open()) {
        Ok(opened) => Ok(Ok(opened)),
        Err(OpenError::Usage(message)) => Err(usage(message)),
        Err(OpenError::Unavailable(message)) => {
            let error = pay_core::error::TransportError::new(
                pay_core::error::TransportErrorKind::Other,
                pay_core::error::Delivery::NotSent,
                Some(format!("{message}: no journal, no payout").into()),
            );
            let outcome = PayoutOutcome::new(
                Resolution::NotSent(error.into()),
                intent,
                Evidence::default(),
            );
            Ok(Err(payout::render(outcome, payout_json)))
        }
    }
}

/// `printed` with the journal it was written to.
fn with_journal(printed: Printed, opened: &Opened) -> Printed {
    match printed {
        Printed::Json(Value::Object(mut out), code) => {
            out.insert("journal".into(), json!(opened.shown));
            Printed::Json(Value::Object(out), code)
        }
        other => other,
    }
}

/// Runs an API command of `pay qostiq …` (the offline ones are run by `main`).
pub(crate) fn run_qostiq(command: QostiqCommand) -> ExitCode {
    let result = match command {
        QostiqCommand::Offline(_) => Err(usage("not an API command")),
        QostiqCommand::Balance(conn) => qostiq_balance(&conn),
        QostiqCommand::WithdrawStatus(args) => withdraw_status(&args),
        QostiqCommand::BillCreate(args) => return finish_payout(bill_create(&args)),
        QostiqCommand::WithdrawCreate(args) => return finish_payout(withdraw_create(&args)),
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
        CoinqvestCommand::WithdrawalCommit(args) => {
            return finish_payout(withdrawal_commit(&args));
        }
    };
    finish(result)
}

fn qostiq_balance(conn: &QostiqConn) -> Result<Value, Failure> {
    let balances = conn.read(async |client| client.get_shop_balance().await)?;
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
    let found = args.conn.read(async |client| {
        client
            .get_withdraw_by_shop_payment_id(&args.shop_payment_id)
            .await
    })?;
    match found {
        Lookup::Found(w) => Ok(withdraw_json(&w, [("found", json!(true))])),
        Lookup::NotFound => Err(Failure::Refused(json!({
            "found": false,
            "shop_payment_id": args.shop_payment_id,
        }))),
    }
}

/// A Qostiq withdrawal as the commands print it, with `extra` members first.
fn withdraw_json<const N: usize>(w: &WithdrawInfo, extra: [(&str, Value); N]) -> Value {
    let mut out: serde_json::Map<String, Value> =
        extra.into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
    let fields = json!({
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
    });
    if let Value::Object(fields) = fields {
        out.extend(fields);
    }
    Value::Object(out)
}

fn withdraw_create(args: &WithdrawCreateArgs) -> Result<Printed, Failure> {
    let amount = amount_arg(&args.amount)?;
    let currency: Currency = args.currency.parse().map_err(usage)?;
    let amount_type = match args.amount_type.as_str() {
        "ps_amount" => WithdrawAmountType::PsAmount,
        "shop_amount" => WithdrawAmountType::ShopAmount,
        other => {
            return Err(usage(format!(
                "--amount-type: `{other}` is not ps_amount or shop_amount"
            )));
        }
    };
    let payway = Payway::new(args.payway.clone()).map_err(usage)?;
    let request = CreateWithdraw::new(
        args.account.clone(),
        amount,
        amount_type,
        payway,
        currency,
        args.shop_payment_id.clone(),
    );
    let print = |w: &Withdrawal| {
        withdraw_json(
            &w.info,
            [("balance", json!(w.balance.map(|b| b.to_string())))],
        )
    };
    let rt = runtime()?;
    let opened = match open_journal(&rt, &args.journal, request.intent(), print)? {
        Ok(opened) => opened,
        Err(printed) => return Ok(printed),
    };
    let client = args.conn.client_with(&args.recovery, Some(&opened))?;
    let outcome = rt.block_on(client.create_withdraw(&request));
    Ok(with_journal(payout::render(outcome, print), &opened))
}

/// A COINQVEST withdrawal as the commands print it (the target account masked).
fn coinqvest_withdrawal_json(w: &CqWithdrawal) -> Value {
    json!({
        "id": w.id,
        "state": w.state.as_str(),
        "source_amount": w.source_amount.to_string(),
        "source_asset_code": w.source_asset_code,
        "target_amount": w.target_amount.to_string(),
        "target_asset_code": w.target_asset_code,
        "target_account": w.target_account.number().map(|n| n.masked().to_string()),
        "transaction_id": w.transaction_id,
    })
}

fn withdrawal_commit(args: &WithdrawalCommitArgs) -> Result<Printed, Failure> {
    let parse_amount = |flag: &str, text: &Option<String>| {
        text.as_deref()
            .map(|t| t.parse().map_err(|e| usage(format!("{flag}: {e}"))))
            .transpose()
    };
    let mut terms = QuoteTerms::default();
    terms.source_amount = parse_amount("--source-amount", &args.source_amount)?;
    terms.target_amount = parse_amount("--target-amount", &args.target_amount)?;
    terms.target_account = args
        .target_account
        .as_deref()
        .map(AccountNumber::new)
        .transpose()
        .map_err(usage)?;
    let commit = CommitWithdrawal::new(args.id.clone()).expecting(terms);
    let rt = runtime()?;
    let opened = match open_journal(
        &rt,
        &args.journal,
        commit.intent(),
        coinqvest_withdrawal_json,
    )? {
        Ok(opened) => opened,
        Err(printed) => return Ok(printed),
    };
    let client = args.conn.client_with(&args.recovery, Some(&opened))?;
    let outcome = rt.block_on(client.commit(&commit));
    Ok(with_journal(
        payout::render(outcome, coinqvest_withdrawal_json),
        &opened,
    ))
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
            "shop_amount": info.shop_amount.map(|a| a.to_string()),
            "shop_currency": info.shop_currency.code(),
            "status": info.status.code(),
            "is_unique": info.is_unique,
        }),
    }
}

fn bill_create(args: &BillCreateArgs) -> Result<Printed, Failure> {
    let amount = amount_arg(&args.amount)?;
    let currency: Currency = args.currency.parse().map_err(usage)?;
    let payer: Currency = match &args.payer_currency {
        Some(c) => c.parse().map_err(usage)?,
        None => currency,
    };
    let mut bill = CreateBill::new(amount, currency, payer, args.shop_order_id.clone());
    bill.description.clone_from(&args.description);
    let rt = runtime()?;
    let opened = match open_journal(&rt, &args.journal, bill.intent(), bill_json)? {
        Ok(opened) => opened,
        Err(printed) => return Ok(printed),
    };
    let client = args.conn.client_with(
        &RecoveryArgs {
            settle_window: None,
            sandbox_poll_floor: None,
        },
        Some(&opened),
    )?;
    let outcome = rt.block_on(client.create_bill(&bill));
    Ok(with_journal(payout::render(outcome, bill_json), &opened))
}

fn wallets(conn: &CoinqvestConn) -> Result<Value, Failure> {
    let list = conn.read(async |client| client.list_wallets().await)?;
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
    let found = args
        .conn
        .read(async |client| client.get_checkout(args.id.clone()).await)?;
    match found {
        Lookup::Found(checkout) => Ok(checkout_json(&checkout)),
        Lookup::NotFound => Err(Failure::Refused(json!({
            "found": false,
            "id": args.id,
        }))),
    }
}

fn checkout_create(args: &CheckoutCreateArgs) -> Result<Value, Failure> {
    let amount = amount_arg(&args.amount)?;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        let ok = [
            ("30", Duration::from_secs(30)),
            ("30s", Duration::from_secs(30)),
            ("500ms", Duration::from_millis(500)),
            ("0", Duration::ZERO),
        ];
        for (text, expected) in ok {
            assert_eq!(duration(text), Ok(expected), "{text}");
        }
        for bad in ["", "s", "ms", "1.5", "-1", "1m", "1 s", "99999999999"] {
            assert!(duration(bad).is_err(), "{bad}");
        }
    }
}
