//! `pay demo`: every capability end to end on one machine, in seconds, without credentials.
//!
//! Starts the sandbox in-process (fast callbacks, payouts advancing by themselves), a local hyper
//! server with two `pay_webhook` receivers (Qostiq callbacks, COINQVEST webhooks), then runs the
//! real clients (`QostiqClient`, `CoinqvestClient`) over the real transport (`HyperTransport`) over
//! loopback HTTP. Status polling uses the transport's explicit sandbox opt-in
//! (`Floors::below_provider_minimums_for_sandbox`). Each step prints as it goes; the run ends with a
//! summary, and exits 0 only if every step held.

use std::convert::Infallible;
use std::fmt::Write as _;
use std::future::Future;
use std::io::Write as _;
use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use clap::Args;
use http::Request;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use pay_coinqvest::checkouts::{ChargeBuilder, CheckoutParams, LineItem};
use pay_coinqvest::client::CoinqvestClient;
use pay_coinqvest::customers::{Customer, CustomerUpdate, NewCustomer, Patch};
use pay_coinqvest::pagination::Page;
use pay_coinqvest::withdrawals::{CreateWithdrawal, NgnBank, TargetAccount};
use pay_core::clock::{Clock, SystemClock};
use pay_core::endpoint::{BaseUrl, Lookup};
use pay_core::money::Amount;
use pay_core::recovery::{OutcomeName, Resolution};
use pay_core::secret::Secret;
use pay_qostiq::bills::{BillRecord, CreateBill};
use pay_qostiq::client::QostiqClient;
use pay_qostiq::crypto::CreateCryptoWithdraw;
use pay_qostiq::shop::ShopBalances;
use pay_qostiq::transfers::{CreateTransfer, TransferAmountType};
use pay_qostiq::withdrawals::{CreateWithdraw, WithdrawAmountType};
use pay_qostiq::{CryptoAsset, Currency, Payway, ShopId};
use pay_sandbox::{AdminClient, Sandbox, SandboxHandle};
use pay_transport::floors::Floors;
use pay_webhook::{Event, ReceiverBuilder};
use serde_json::{Value, json};
use time::OffsetDateTime;
use tokio::net::TcpListener;

/// The USD asset of the sandbox's COINQVEST wallet (AnchorUSD on Stellar).
const USD_ASSET: &str = "USD:GDUKMGUGDZQK6YHYA5Z6AY2G4XDSZPSZ3SW5UN3ARVMO6QSRDWP5YLEX";

/// How long a step waits for a callback or a status before it fails.
const WAIT: Duration = Duration::from_secs(20);

/// `pay demo`.
#[derive(Debug, Args)]
pub(crate) struct DemoArgs {
    /// Seed of the sandbox's ids.
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Spacing of status polls (the sandbox opt-in below the providers' floors), in milliseconds.
    #[arg(long, default_value_t = 50)]
    poll_ms: u64,
}

/// One event a receiver applied.
#[derive(Debug, Clone)]
struct Received {
    kind: String,
    object_id: String,
    status: String,
    body: Value,
}

type Inbox = Arc<Mutex<Vec<Received>>>;

fn inbox_snapshot(inbox: &Inbox) -> Vec<Received> {
    inbox.lock().unwrap_or_else(PoisonError::into_inner).clone()
}

/// The local receiver server: `/qostiq` (callbacks) and `/coinqvest` (webhooks).
struct Receivers {
    qostiq: Inbox,
    coinqvest: Inbox,
    addr: SocketAddr,
}

async fn start_receivers(
    qostiq_secret: Secret,
    coinqvest_secret: Secret,
    stop: tokio::sync::watch::Receiver<bool>,
) -> Result<Receivers, String> {
    let qostiq: Inbox = Arc::default();
    let coinqvest: Inbox = Arc::default();
    let record = |inbox: Inbox| {
        move |event: Event| {
            let inbox = Arc::clone(&inbox);
            async move {
                let identity = event.identity().clone();
                let body = serde_json::from_slice(event.body()).unwrap_or(Value::Null);
                inbox
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .push(Received {
                        kind: identity.kind,
                        object_id: identity.object_id,
                        status: identity.status,
                        body,
                    });
                Ok::<(), Infallible>(())
            }
        }
    };
    let q = ReceiverBuilder::qostiq(vec![qostiq_secret])
        .map_err(|e| format!("qostiq receiver: {e}"))?
        .build(record(Arc::clone(&qostiq)));
    let c = ReceiverBuilder::coinqvest(vec![coinqvest_secret])
        .map_err(|e| format!("coinqvest receiver: {e}"))?
        .build(record(Arc::clone(&coinqvest)));
    let listener = TcpListener::bind(("127.0.0.1", 0))
        .await
        .map_err(|e| format!("receiver: bind: {e}"))?;
    let addr = listener
        .local_addr()
        .map_err(|e| format!("receiver: {e}"))?;
    tokio::spawn(async move {
        let mut stop = stop;
        loop {
            let accepted = tokio::select! {
                accepted = listener.accept() => accepted,
                _ = stop.changed() => return,
            };
            let Ok((stream, _)) = accepted else { continue };
            let (q, c) = (q.clone(), c.clone());
            let service = service_fn(move |req: Request<Incoming>| {
                let (mut q, mut c) = (q.clone(), c.clone());
                async move {
                    if req.uri().path().starts_with("/qostiq") {
                        tower_service::Service::call(&mut q, req).await
                    } else {
                        tower_service::Service::call(&mut c, req).await
                    }
                }
            });
            tokio::spawn(async move {
                let _ = http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    Ok(Receivers {
        qostiq,
        coinqvest,
        addr,
    })
}

/// The sandbox's admin API (acting as the payer, injecting faults, reading books), with errors as
/// step messages.
#[derive(Clone)]
struct Admin(AdminClient);

impl Admin {
    async fn post(&self, path: &str, body: Value) -> Result<Value, String> {
        self.0.post(path, &body).await.map_err(|e| e.to_string())
    }

    async fn get(&self, path: &str) -> Result<Value, String> {
        self.0.get(path).await.map_err(|e| e.to_string())
    }
}

/// The outcome of one step.
struct StepResult {
    section: &'static str,
    name: &'static str,
    ok: bool,
    detail: String,
    verified: Vec<String>,
    millis: u128,
}

/// What a step returns: a one-line detail and what it verified.
struct Done {
    detail: String,
    verified: Vec<String>,
}

fn done(detail: impl Into<String>, verified: &[&str]) -> Done {
    Done {
        detail: detail.into(),
        verified: verified.iter().map(|s| (*s).to_owned()).collect(),
    }
}

/// Prints progress lines (best effort: a closed stdout does not stop the demo).
fn say(text: &str) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{text}");
    let _ = out.flush();
}

struct Runner {
    results: Vec<StepResult>,
    clock: SystemClock,
}

impl Runner {
    async fn step<F>(&mut self, section: &'static str, name: &'static str, fut: F)
    where
        F: Future<Output = Result<Done, String>>,
    {
        let number = self.results.len() + 1;
        say(&format!("[{number:>2}] {section:<9} {name} …"));
        let started = self.clock.now();
        let outcome = match tokio::time::timeout(WAIT * 2, fut).await {
            Ok(outcome) => outcome,
            Err(_) => Err(format!("timed out after {} s", (WAIT * 2).as_secs())),
        };
        let millis = u128::try_from((self.clock.now() - started).whole_milliseconds()).unwrap_or(0);
        let (ok, detail, verified) = match outcome {
            Ok(d) => (true, d.detail, d.verified),
            Err(e) => (false, e, Vec::new()),
        };
        say(&format!(
            "     {} {detail} ({millis} ms)",
            if ok { "ok  " } else { "FAIL" }
        ));
        self.results.push(StepResult {
            section,
            name,
            ok,
            detail,
            verified,
            millis,
        });
    }
}

/// Polls `check` until it answers `Some`, at most [`WAIT`].
async fn eventually<T>(what: &str, mut check: impl FnMut() -> Option<T>) -> Result<T, String> {
    let clock = SystemClock;
    let start = clock.now();
    loop {
        if let Some(found) = check() {
            return Ok(found);
        }
        if clock.now() - start > WAIT {
            return Err(format!("{what}: not seen within {} s", WAIT.as_secs()));
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Waits (at most [`WAIT`]) until `inbox` holds an event matching `pred`.
async fn wait_for_event(
    what: &str,
    inbox: &Inbox,
    pred: impl Fn(&Received) -> bool,
) -> Result<Received, String> {
    eventually(what, || inbox_snapshot(inbox).into_iter().find(|e| pred(e))).await
}

/// Whether the event's body names `value` under `key`.
fn carries(event: &Received, key: &str, value: &str) -> bool {
    text(field(&event.body, key)) == value
}

fn field<'v>(value: &'v Value, key: &str) -> &'v Value {
    value.get(key).unwrap_or(&Value::Null)
}

fn text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn balance_line(balances: &ShopBalances, currency: Currency) -> String {
    balances.get(currency).map_or_else(
        || format!("{currency}: none"),
        |b| format!("{currency} available {} frozen {}", b.available, b.frozen),
    )
}

/// Runs the demo. Exit 0 when every step held, 1 when one failed, 3 when it could not start.
pub(crate) fn run(args: DemoArgs) -> ExitCode {
    crate::block_on(tokio::runtime::Builder::new_multi_thread(), async move {
        match demo(args).await {
            Ok(true) => ExitCode::SUCCESS,
            Ok(false) => ExitCode::from(1),
            Err(message) => crate::fail(3, &message),
        }
    })
}

/// The demo's table of contents: set up, run every step in order, print the summary.
async fn demo(args: DemoArgs) -> Result<bool, String> {
    let clock = SystemClock;
    let started = clock.now();
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let w = setup(&args, stop_rx).await?;
    announce(&w);
    let mut r = Runner {
        results: Vec::new(),
        clock,
    };

    r.step(
        QOSTIQ,
        "balances before (/shop_balance)",
        qostiq_balances_before(&w),
    )
    .await;
    r.step(
        QOSTIQ,
        "bill: create, payer pays, poll to final, notification",
        qostiq_bill_paid(&w),
    )
    .await;
    r.step(
        QOSTIQ,
        "card withdrawal, first answer lost (commit_then_drop), recovered",
        qostiq_withdraw_recovered(&w),
    )
    .await;
    r.step(
        QOSTIQ,
        "crypto withdrawal with its callback",
        qostiq_crypto_withdraw(&w),
    )
    .await;
    r.step(QOSTIQ, "transfer to another wallet", qostiq_transfer(&w))
        .await;
    r.step(
        QOSTIQ,
        "balances after (movement)",
        qostiq_balances_moved(&w),
    )
    .await;

    r.step(COINQVEST, "hosted checkout", coinqvest_hosted_checkout(&w))
        .await;
    r.step(
        COINQVEST,
        "white-label checkout with commit",
        coinqvest_checkout_committed(&w),
    )
    .await;
    r.step(
        COINQVEST,
        "payment webhook verified, confirmed by GET /checkout",
        coinqvest_payment_webhook(&w),
    )
    .await;
    r.step(
        COINQVEST,
        "withdrawal with commit",
        coinqvest_withdrawal(&w),
    )
    .await;
    r.step(
        COINQVEST,
        "customers: create, get, update (unset), list, delete",
        coinqvest_customers(&w),
    )
    .await;

    let _ = stop_tx.send(true);
    let total_ms = u128::try_from((clock.now() - started).whole_milliseconds()).unwrap_or(0);
    let deliveries = w
        .admin
        .get("/deliveries")
        .await
        .ok()
        .and_then(|v| v.get("deliveries").and_then(Value::as_array).map(Vec::len))
        .unwrap_or(0);
    say(&summary(
        &r.results,
        total_ms,
        inbox_snapshot(&w.receivers.qostiq).len(),
        inbox_snapshot(&w.receivers.coinqvest).len(),
        deliveries,
    ));
    w.sandbox.shutdown().await;
    Ok(r.results.iter().all(|s| s.ok))
}

/// The section names the steps print under.
const QOSTIQ: &str = "Qostiq";
const COINQVEST: &str = "COINQVEST";

/// What every step works with: the sandbox, its admin API, the receivers, the two clients, and what
/// one step leaves for a later one.
struct World {
    sandbox: SandboxHandle,
    admin: Admin,
    receivers: Receivers,
    qostiq: QostiqClient,
    coinqvest: CoinqvestClient,
    clock: SystemClock,
    /// The balances read before the Qostiq payments, compared after them.
    balances_before: Mutex<Option<ShopBalances>>,
    /// The white-label checkout committed by one step and paid by the next.
    committed_checkout: Mutex<Option<String>>,
}

impl World {
    /// When a wait for a final status gives up.
    fn deadline(&self) -> OffsetDateTime {
        self.clock.now() + WAIT
    }
}

async fn setup(args: &DemoArgs, stop: tokio::sync::watch::Receiver<bool>) -> Result<World, String> {
    let credentials = pay_sandbox::Credentials::defaults();
    let receivers = start_receivers(
        credentials.qostiq_secret.clone(),
        credentials.coinqvest_secret.clone(),
        stop,
    )
    .await?;
    let hook = |path: &str| format!("http://{}/{path}", receivers.addr);
    let sandbox = Sandbox::builder()
        .credentials(credentials)
        .seed(args.seed)
        .callbacks_fast(true)
        .auto_progress(Duration::from_millis(50))
        .qostiq_callback_url(hook("qostiq"))
        .qostiq_crypto_callback_url(hook("qostiq/crypto"))
        .coinqvest_webhook_url(hook("coinqvest"))
        .start()
        .await
        .map_err(|e| format!("sandbox: {e}"))?;
    let floors = Floors::below_provider_minimums_for_sandbox(Duration::from_millis(args.poll_ms));
    let creds = sandbox.credentials();
    let qostiq_base: BaseUrl = sandbox
        .qostiq_base_url()
        .parse()
        .map_err(|e| format!("qostiq base URL: {e}"))?;
    let coinqvest_base: BaseUrl = sandbox
        .coinqvest_base_url()
        .parse()
        .map_err(|e| format!("coinqvest base URL: {e}"))?;
    let shop = ShopId::new(creds.qostiq_shop_id).map_err(|e| e.to_string())?;
    let qostiq = QostiqClient::builder(shop, creds.qostiq_secret.clone())
        .base_url(qostiq_base)
        .executor(|e| e.floors(floors).attempt_timeout(Duration::from_secs(5)))
        .build()
        .map_err(|e| format!("qostiq client: {e}"))?;
    let coinqvest =
        CoinqvestClient::builder(creds.coinqvest_key.clone(), creds.coinqvest_secret.clone())
            .base_url(coinqvest_base)
            .executor(|e| e.floors(floors).attempt_timeout(Duration::from_secs(5)))
            .build()
            .map_err(|e| format!("coinqvest client: {e}"))?;
    let admin = Admin(sandbox.admin());
    Ok(World {
        sandbox,
        admin,
        receivers,
        qostiq,
        coinqvest,
        clock: SystemClock,
        balances_before: Mutex::default(),
        committed_checkout: Mutex::default(),
    })
}

fn announce(w: &World) {
    say(&format!(
        "pay demo: sandbox at {} (Qostiq {}, COINQVEST {}), receivers at http://{}",
        w.sandbox.base_url(),
        w.sandbox.qostiq_base_url(),
        w.sandbox.coinqvest_base_url(),
        w.receivers.addr
    ));
    say("pay demo: real clients over HyperTransport; sandbox polling floors (explicit opt-in)\n");
}

// ---- Qostiq ---------------------------------------------------------------------------------

async fn qostiq_balances_before(w: &World) -> Result<Done, String> {
    let balances = w
        .qostiq
        .get_shop_balance()
        .await
        .map_err(|e| e.to_string())?;
    let line = balance_line(&balances, Currency::Uah);
    *lock(&w.balances_before) = Some(balances);
    Ok(done(line, &["signed request accepted", "balances parsed"]))
}

async fn qostiq_bill_paid(w: &World) -> Result<Done, String> {
    let order = "demo-bill-1";
    let bill = CreateBill::new(amount("150.00")?, Currency::Uah, Currency::Uah, order);
    let created = match w.qostiq.create_bill(&bill).await.into_result() {
        Ok(BillRecord::Created(b)) => b.id,
        Ok(BillRecord::Found(info)) => info.payment_id,
        Err(e) => return Err(format!("bill create: {e}")),
    };
    w.admin
        .post("/qostiq/bills/pay", json!({"shop_order_id": order}))
        .await?;
    let info = w
        .qostiq
        .wait_until_final_bill(order, Some(w.deadline()))
        .await
        .map_err(|e| format!("bill status: {e}"))?;
    if !matches!(info.status, pay_qostiq::BillStatus::Paid) {
        return Err(format!("bill ended {:?}, expected Paid", info.status));
    }
    let event = wait_for_event("payment notification", &w.receivers.qostiq, |e| {
        carries(e, "shop_order_id", order)
    })
    .await?;
    Ok(done(
        format!(
            "bill {created} paid (status {:?}); {} notification {} status {} verified",
            info.status, event.kind, event.object_id, event.status
        ),
        &[
            "bill status polled to final (Paid)",
            "payment notification signature verified by pay_webhook",
        ],
    ))
}

async fn qostiq_withdraw_recovered(w: &World) -> Result<Done, String> {
    let id = "demo-withdraw-1";
    w.admin
        .post(
            "/faults",
            json!({"route": "/qostiq/withdraw/create", "fault": "commit_then_drop", "count": 1}),
        )
        .await?;
    let payout = CreateWithdraw::new(
        "4111111111111111",
        amount("100.00")?,
        WithdrawAmountType::PsAmount,
        Payway::new("card_uah").map_err(|e| e.to_string())?,
        Currency::Uah,
        id,
    );
    let outcome = w.qostiq.create_withdraw(&payout).await;
    let name = outcome.name();
    let withdraw_id = outcome
        .into_result()
        .map_err(|e| format!("withdraw create: {e}"))?
        .info
        .id;
    if name == OutcomeName::Created {
        return Err("the fault did not fire: the first answer arrived".to_owned());
    }
    let state = w.admin.get("/qostiq/state").await?;
    let copies = state
        .get("withdrawals")
        .and_then(Value::as_array)
        .map_or(0, |list| {
            list.iter()
                .filter(|x| text(field(x, "shop_payment_id")) == id)
                .count()
        });
    if copies != 1 {
        return Err(format!("{copies} withdrawals with shop_payment_id {id}"));
    }
    let info = w
        .qostiq
        .wait_until_final_withdraw(withdraw_id, Some(w.deadline()))
        .await
        .map_err(|e| format!("withdraw status: {e}"))?;
    let callback = wait_for_event("withdraw callback", &w.receivers.qostiq, |e| {
        carries(e, "shop_payment_id", id)
    })
    .await?;
    Ok(done(
        format!(
            "outcome {name}; exactly 1 withdrawal at the sandbox; final {:?}; callback {} verified",
            info.status, callback.status
        ),
        &[
            "lost answer recovered by lookup (no duplicate payout)",
            "exactly one withdrawal in the sandbox books",
            "withdraw callback verified",
        ],
    ))
}

async fn qostiq_crypto_withdraw(w: &World) -> Result<Done, String> {
    let id = "demo-crypto-1";
    let payout = CreateCryptoWithdraw::new(
        "TXo1f6mGhBJUSpNqVDbNzxn4ZbmhNYrYVx",
        amount("25")?,
        WithdrawAmountType::PsAmount,
        Payway::new("usdt_trc20").map_err(|e| e.to_string())?,
        CryptoAsset::new("USDT").map_err(|e| e.to_string())?,
        id,
    );
    let info = w
        .qostiq
        .create_crypto_withdraw(&payout)
        .await
        .into_result()
        .map_err(|e| format!("crypto withdraw create: {e}"))?
        .info;
    let last = w
        .qostiq
        .wait_until_final_crypto_withdraw(info.id, Some(w.deadline()))
        .await
        .map_err(|e| format!("crypto status: {e}"))?;
    // The crypto callback names the shop's id `shop_order_id` (as the seed shows).
    let callback = match wait_for_event("crypto callback", &w.receivers.qostiq, |e| {
        e.kind == "crypto_withdraw" && carries(e, "shop_order_id", id)
    })
    .await
    {
        Ok(callback) => callback,
        Err(e) => {
            let log = w.admin.get("/deliveries?kind=crypto_withdraw").await?;
            return Err(format!("{e}; sandbox delivery log: {log}"));
        }
    };
    Ok(done(
        format!(
            "crypto withdrawal {} {} USDT → {:?}; callback {} verified",
            info.id, info.shop_write_off, last.status, callback.status
        ),
        &["crypto withdrawal final", "crypto callback verified"],
    ))
}

async fn qostiq_transfer(w: &World) -> Result<Done, String> {
    let transfer = CreateTransfer::new(
        amount("50.00")?,
        TransferAmountType::WriteoffAmount,
        "201234567890",
        Currency::Uah,
        Currency::Uah,
        "demo-transfer-1",
    );
    let outcome = w.qostiq.create_transfer(&transfer).await;
    match outcome.resolution() {
        Resolution::Created(t) | Resolution::Recreated(t) => Ok(done(
            format!(
                "transfer {} wrote off {} {}",
                t.id, t.write_off_amount, t.shop_currency
            ),
            &["transfer created"],
        )),
        _ => Err(format!("transfer: {}", outcome.name())),
    }
}

async fn qostiq_balances_moved(w: &World) -> Result<Done, String> {
    let after = w
        .qostiq
        .get_shop_balance()
        .await
        .map_err(|e| e.to_string())?;
    let before = lock(&w.balances_before)
        .clone()
        .ok_or("no balances before")?;
    let (Some(b), Some(a)) = (before.get(Currency::Uah), after.get(Currency::Uah)) else {
        return Err("no UAH balance".to_owned());
    };
    let moved = a
        .available
        .checked_sub(b.available)
        .ok_or("balance arithmetic")?;
    if moved == b.available.checked_sub(b.available).ok_or("arithmetic")? {
        return Err("UAH available did not move".to_owned());
    }
    Ok(done(
        format!(
            "UAH available {} → {} ({moved}); frozen {} → {}",
            b.available, a.available, b.frozen, a.frozen
        ),
        &["balances moved by bill, withdrawal and transfer"],
    ))
}

// ---- COINQVEST ------------------------------------------------------------------------------

/// The charge both checkout steps sell: one demo T-shirt for 10 USD.
fn demo_charge() -> Result<CheckoutParams, String> {
    ChargeBuilder::new("USD")
        .line_item(LineItem::new(
            "Demo T-Shirt",
            "10".parse().unwrap_or_default(),
        ))
        .build()
        .map_err(|e| e.to_string())
}

async fn coinqvest_hosted_checkout(w: &World) -> Result<Done, String> {
    let hosted = w
        .coinqvest
        .create_hosted_checkout(demo_charge()?)
        .await
        .map_err(|e| e.to_string())?;
    Ok(done(
        format!("checkout {} at {}", hosted.id, hosted.url),
        &["hosted checkout created"],
    ))
}

async fn coinqvest_checkout_committed(w: &World) -> Result<Done, String> {
    let created = w
        .coinqvest
        .create_checkout(demo_charge()?)
        .await
        .map_err(|e| e.to_string())?;
    let methods = created.payment_methods.len();
    let committed = w
        .coinqvest
        .commit_checkout(&created.commit("XLM"))
        .await
        .map_err(|e| e.to_string())?;
    *lock(&w.committed_checkout) = Some(committed.checkout_id.clone());
    Ok(done(
        format!(
            "checkout {} ({methods} payment methods) committed to XLM",
            committed.checkout_id
        ),
        &[
            "checkout created",
            "checkout committed with deposit instructions",
        ],
    ))
}

async fn coinqvest_payment_webhook(w: &World) -> Result<Done, String> {
    let id = lock(&w.committed_checkout)
        .clone()
        .ok_or("no committed checkout")?;
    w.admin
        .post("/coinqvest/checkouts/complete", json!({"checkout_id": id}))
        .await?;
    let event = wait_for_event("payment webhook", &w.receivers.coinqvest, |e| {
        carries(e, "checkoutId", &id)
    })
    .await?;
    let checkout = w
        .coinqvest
        .wait_until_final_checkout(&id, None)
        .await
        .map_err(|e| e.to_string())?;
    if !checkout.is_completed_and_credited() {
        return Err(format!("checkout state {:?}", checkout.state));
    }
    Ok(done(
        format!(
            "webhook for payment {} ({}) verified; GET /checkout says {:?}",
            event.object_id, event.status, checkout.state
        ),
        &[
            "payment webhook signature verified by pay_webhook",
            "checkout completed and credited per GET /checkout",
        ],
    ))
}

async fn coinqvest_withdrawal(w: &World) -> Result<Done, String> {
    let quote = w
        .coinqvest
        .create_withdrawal(&CreateWithdrawal::new(
            USD_ASSET,
            "100".parse().unwrap_or_default(),
            TargetAccount::NgnBank {
                nuban: "3080494548".into(),
                bank: NgnBank::FirstBank,
            },
        ))
        .await
        .map_err(|e| e.to_string())?;
    let outcome = w.coinqvest.commit_quote(&quote).await;
    let name = outcome.name();
    match outcome.into_result() {
        Ok(committed) if name == OutcomeName::Committed => Ok(done(
            format!("withdrawal {} committed: {}", quote.id, committed.state),
            &["withdrawal quoted", "withdrawal committed"],
        )),
        Ok(_) => Err(format!("commit: {name}, expected committed")),
        Err(e) => Err(format!("commit: {e}")),
    }
}

async fn coinqvest_customers(w: &World) -> Result<Done, String> {
    let mut customer = NewCustomer::new("demo@example.com");
    customer.firstname = Some("Ada".into());
    customer.company = Some("Demo Ltd".into());
    let id = w
        .coinqvest
        .create_customer(customer)
        .await
        .map_err(|e| e.to_string())?
        .customer_id;
    let got = existing_customer(w, &id).await?;
    let mut update = CustomerUpdate::new(id.clone());
    update.company = Patch::Unset;
    update.lastname = Patch::Set("Lovelace".into());
    w.coinqvest
        .update_customer(update)
        .await
        .map_err(|e| e.to_string())?;
    let updated = existing_customer(w, &id).await?;
    if updated.company.is_some() || updated.lastname.as_deref() != Some("Lovelace") {
        return Err(format!("update not applied: {updated:?}"));
    }
    let list = w
        .coinqvest
        .list_customers(Page::default())
        .await
        .map_err(|e| e.to_string())?;
    if !list.customers.iter().any(|c| c.id == id) {
        return Err("created customer missing from the list".to_owned());
    }
    w.coinqvest
        .delete_customer(id.clone())
        .await
        .map_err(|e| e.to_string())?;
    let deleted = w
        .coinqvest
        .get_customer(id.clone())
        .await
        .map_err(|e| e.to_string())?;
    if deleted != Lookup::NotFound {
        return Err("deleted customer still readable".to_owned());
    }
    Ok(done(
        format!(
            "customer {id} ({}) created, company unset, listed, deleted",
            got.email
        ),
        &["customer CRUD round trip", "PUT null unsets a field"],
    ))
}

/// `GET /customer` for a customer that must exist.
async fn existing_customer(w: &World, id: &str) -> Result<Customer, String> {
    w.coinqvest
        .get_customer(id)
        .await
        .map_err(|e| e.to_string())?
        .found()
        .ok_or_else(|| "the customer is not found".to_owned())
}

// ---- helpers --------------------------------------------------------------------------------

fn amount(text: &str) -> Result<Amount, String> {
    text.parse().map_err(|e| format!("{e:?}"))
}

fn lock<T>(slot: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    slot.lock().unwrap_or_else(PoisonError::into_inner)
}

fn summary(
    results: &[StepResult],
    total_ms: u128,
    qostiq_events: usize,
    coinqvest_events: usize,
    deliveries: usize,
) -> String {
    let passed = results.iter().filter(|s| s.ok).count();
    let mut out = String::new();
    let _ = writeln!(out, "\n══ pay demo summary ══");
    for s in results {
        let _ = writeln!(
            out,
            "{} {:<9} {:<62} {:>6} ms",
            if s.ok { "✔" } else { "✘" },
            s.section,
            s.name,
            s.millis
        );
        if !s.ok {
            let _ = writeln!(out, "    failed: {}", s.detail);
        }
    }
    let verified: Vec<&str> = results
        .iter()
        .filter(|s| s.ok)
        .flat_map(|s| s.verified.iter().map(String::as_str))
        .collect();
    let _ = writeln!(out, "verified:");
    for v in &verified {
        let _ = writeln!(out, "  · {v}");
    }
    let _ = writeln!(
        out,
        "receivers applied {qostiq_events} Qostiq callbacks and {coinqvest_events} COINQVEST webhooks ({deliveries} deliveries logged by the sandbox)"
    );
    let _ = write!(
        out,
        "{passed}/{} steps held in {total_ms} ms: {}",
        results.len(),
        if passed == results.len() {
            "OK"
        } else {
            "FAILED"
        }
    );
    out
}
