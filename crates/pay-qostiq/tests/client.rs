//! The async client (feature `client`): payout recovery under every fault class, adoption of the
//! same payout only (conflicts otherwise), the settle window, polling floors per payment in
//! virtual time, deadlines, and no secret in logs or `Debug`.
//!
//! Most tests run a small stateful Qostiq fake behind `service_fn` in virtual time (`ManualClock` +
//! `VirtualSleep`): it keeps payouts by `shop_payment_id` with their amount, answers duplicates with
//! code 6 and misses with code 7, can hold a create past the client's timeout and apply it later
//! (refusing a second create of the id meanwhile, code 5: the first holds the money), and applies a
//! scripted fault per request. The loopback tests at the end run the same recovery over real
//! sockets against `pay_sandbox::ScriptedServer`.
#![allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing
)]

use std::collections::{HashMap, VecDeque};
use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use http::{Request, Response, StatusCode};
use pay_core::clock::{Clock, ManualClock};
use pay_core::endpoint::BaseUrl;
use pay_core::error::{Delivery, Provider, TransportError, TransportErrorKind};
use pay_core::recovery::{Evidence, OutcomeName, PayoutOutcome, Resolution, StepAction};
use pay_core::secret::Secret;
use pay_qostiq::bills::CreateBill;
use pay_qostiq::client::{QostiqClient, WaitError};
use pay_qostiq::crypto::CreateCryptoWithdraw;
use pay_qostiq::transfers::{CreateTransfer, TransferAmountType};
use pay_qostiq::withdrawals::{CreateWithdraw, WithdrawAmountType};
use pay_qostiq::{CryptoAsset, Currency, Payway, ShopId, WithdrawStatus};
use pay_sandbox::{Fault, Reply, ScriptedServer};
use pay_transport::floors::Floors;
use pay_transport::hyper_transport::HyperTransport;
use pay_transport::service::{HttpService, service_fn};
use pay_transport::sleep::VirtualSleep;
use pay_transport::{ExecutorBuilder, RetryBudget, RetryPolicy};
use time::OffsetDateTime;
use time::macros::datetime;

const SECRET: &str = "Qostiq-Test-Secret-77";
const T0: OffsetDateTime = datetime!(2024-01-01 0:00 UTC);

// ---- the stateful fake ---------------------------------------------------------------------

/// What the fake does with one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    Pass,
    /// Apply, then the connection closes (`ConnectionClosed`, may have been sent).
    CommitThenDrop,
    /// Apply, then never answer (the executor's attempt timeout fires in virtual time).
    CommitThenDelay,
    /// Apply, then the body breaks (`TruncatedBody`).
    CommitThenTruncate,
    /// Nothing applied, connection reset (`ConnectionClosed`, may have been sent).
    ResetBeforeCommit,
    /// 5xx with the proxy's HTML page, applied first if `commit`.
    Status5xx {
        status: u16,
        commit: bool,
    },
    /// 429 with `Retry-After: 2`.
    TooMany,
    /// Connection refused: certainly not sent.
    Refused,
    /// A lookup that wrongly answers "not found" (lets a re-create meet code 6).
    FalseNotFound,
    /// A create refused with code 4 (amount too small).
    Reject,
    /// A create held this many seconds (past the attempt timeout), then applied; the answer is
    /// lost. Meanwhile another create of the id is refused with code 5 (the money is held).
    Held(i64),
    /// A lookup answering another payout (another `shop_payment_id`).
    OtherPayout,
    /// A lookup answering the id with another amount.
    OtherAmount,
}

#[derive(Debug, Default)]
struct FakeState {
    /// (family, shop_payment_id) → (id, amount).
    records: HashMap<(String, String), (u64, String)>,
    /// Held creates: (applied at, family, shop_payment_id, amount).
    held: Vec<(OffsetDateTime, String, String, String)>,
    scripts: HashMap<String, VecDeque<Step>>,
    hits: HashMap<String, usize>,
    commits: HashMap<String, usize>,
    /// Every request: path, clock time, body.
    log: Vec<(String, OffsetDateTime, String)>,
    /// Statuses the `/…/status` routes answer in turn (the last repeats).
    statuses: VecDeque<i64>,
    next_id: u64,
}

#[derive(Clone, Debug)]
struct Fake {
    state: Arc<Mutex<FakeState>>,
    clock: Arc<ManualClock>,
}

fn field(body: &str, key: &str) -> Option<String> {
    let at = body.find(&format!("\"{key}\""))? + key.len() + 2;
    let rest = body[at..].trim_start().strip_prefix(':')?.trim_start();
    if let Some(s) = rest.strip_prefix('"') {
        return Some(s[..s.find('"')?].to_owned());
    }
    let end = rest
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(rest.len());
    Some(rest[..end].to_owned())
}

fn family(path: &str) -> &'static str {
    match path {
        "/withdraw/create" | "/withdraw/shop_payment_status" => "withdraw",
        "/transfer/create" | "/transfer/shop_payment_status" => "transfer",
        "/crypto/withdraw/create" | "/crypto/withdraw/shop_payment_status" => "crypto",
        "/bill/create" | "/bill/shop_order_status" => "bill",
        _ => "other",
    }
}

fn envelope(status: StatusCode, code: i64, data: &str) -> Response<Bytes> {
    let result = code == 0;
    let body = format!(
        r#"{{"data": {data}, "error_code": {code}, "message": "{}", "result": {result}}}"#,
        if result { "" } else { "refused" }
    );
    Response::builder()
        .status(status)
        .body(Bytes::from(body))
        .unwrap()
}

fn data(family: &str, spid: &str, id: u64, status: i64, amount: &str) -> String {
    match family {
        "withdraw" => format!(
            r#"{{"balance": 90.0, "id": {id}, "payee_receive": {amount}, "ps_currency": 980, "shop_currency": 980, "shop_payment_id": "{spid}", "shop_write_off": 10.2, "status": {status}}}"#
        ),
        "crypto" => format!(
            r#"{{"id": {id}, "payee_address": "TXyzAddress", "payee_currency": "USDT", "payee_receive": "{amount}", "shop_currency": "USDT", "shop_payment_id": "{spid}", "shop_write_off": "10.2", "status": {status}}}"#
        ),
        "transfer" => format!(
            r#"{{"id": {id}, "payee_amount": {amount}, "payee_currency": 980, "receive_amount": {amount}, "shop_currency": 980, "shop_payment_id": "{spid}", "write_off_amount": 10.0}}"#
        ),
        _ => format!(
            r#"{{"created": "2024-01-01 00:00:00", "id": {id}, "payment_id": {id}, "shop_amount": {amount}, "shop_currency": 980, "shop_id": 112, "shop_order_id": "{spid}", "status": {status}, "url": "https://pay.example/bill"}}"#
        ),
    }
}

fn transport(kind: TransportErrorKind, delivery: Delivery) -> TransportError {
    TransportError::new(kind, delivery, Some("injected".into()))
}

impl Fake {
    fn new(clock: Arc<ManualClock>) -> Self {
        Self {
            state: Arc::new(Mutex::new(FakeState {
                next_id: 1000,
                ..FakeState::default()
            })),
            clock,
        }
    }

    fn script(&self, path: &str, steps: impl IntoIterator<Item = Step>) {
        self.state
            .lock()
            .unwrap()
            .scripts
            .entry(path.to_owned())
            .or_default()
            .extend(steps);
    }

    fn statuses(&self, statuses: impl IntoIterator<Item = i64>) {
        self.state.lock().unwrap().statuses = statuses.into_iter().collect();
    }

    fn insert(&self, family: &str, spid: &str) {
        self.insert_with(family, spid, "10.0");
    }

    /// An earlier payout under `spid` for `amount`.
    fn insert_with(&self, family: &str, spid: &str, amount: &str) {
        let mut st = self.state.lock().unwrap();
        st.next_id += 1;
        let id = st.next_id;
        st.records.insert(
            (family.to_owned(), spid.to_owned()),
            (id, amount.to_owned()),
        );
    }

    fn hits(&self, path: &str) -> usize {
        *self.state.lock().unwrap().hits.get(path).unwrap_or(&0)
    }

    fn commits(&self, path: &str) -> usize {
        *self.state.lock().unwrap().commits.get(path).unwrap_or(&0)
    }

    fn records(&self, family: &str) -> usize {
        self.state
            .lock()
            .unwrap()
            .records
            .keys()
            .filter(|(f, _)| f == family)
            .count()
    }

    fn requests(&self, path: &str) -> Vec<(OffsetDateTime, String)> {
        self.state
            .lock()
            .unwrap()
            .log
            .iter()
            .filter(|(p, _, _)| p == path)
            .map(|(_, t, b)| (*t, b.clone()))
            .collect()
    }

    fn service(&self) -> impl HttpService + use<> {
        let fake = self.clone();
        service_fn(move |req: Request<Bytes>| {
            let fake = fake.clone();
            async move { fake.handle(req).await }
        })
    }

    async fn handle(&self, req: Request<Bytes>) -> Result<Response<Bytes>, TransportError> {
        let path = req.uri().path().to_owned();
        let body = String::from_utf8_lossy(req.body()).into_owned();
        let step = {
            let mut st = self.state.lock().unwrap();
            *st.hits.entry(path.clone()).or_default() += 1;
            st.log.push((path.clone(), self.clock.now(), body.clone()));
            st.scripts
                .get_mut(&path)
                .and_then(VecDeque::pop_front)
                .unwrap_or(Step::Pass)
        };
        match step {
            Step::Refused => {
                return Err(transport(TransportErrorKind::Connect, Delivery::NotSent));
            }
            Step::ResetBeforeCommit => {
                return Err(transport(
                    TransportErrorKind::ConnectionClosed,
                    Delivery::MaybeSent,
                ));
            }
            Step::Status5xx {
                commit: false,
                status,
            } => return Ok(html(status)),
            Step::TooMany => {
                let mut r = envelope(StatusCode::TOO_MANY_REQUESTS, 429, "null");
                r.headers_mut()
                    .insert(http::header::RETRY_AFTER, "2".parse().unwrap());
                return Ok(r);
            }
            Step::Reject => return Ok(envelope(StatusCode::BAD_REQUEST, 4, "null")),
            _ => {}
        }
        let answer = self.apply(&path, &body, step);
        if let Step::Held(_) = step {
            return Err(transport(TransportErrorKind::Timeout, Delivery::MaybeSent));
        }
        match step {
            Step::CommitThenDrop => Err(transport(
                TransportErrorKind::ConnectionClosed,
                Delivery::MaybeSent,
            )),
            Step::CommitThenTruncate => Err(transport(
                TransportErrorKind::TruncatedBody,
                Delivery::MaybeSent,
            )),
            Step::CommitThenDelay => std::future::pending().await,
            Step::Status5xx { status, .. } => Ok(html(status)),
            _ => Ok(answer),
        }
    }

    fn apply(&self, path: &str, body: &str, step: Step) -> Response<Bytes> {
        let mut st = self.state.lock().unwrap();
        let now = self.clock.now();
        // Held creates whose time has come are applied (unless the id was taken meanwhile).
        let due: Vec<_> = st.held.iter().filter(|h| h.0 <= now).cloned().collect();
        st.held.retain(|h| h.0 > now);
        for (_, fam, key, amount) in due {
            if !st.records.contains_key(&(fam.clone(), key.clone())) {
                st.next_id += 1;
                let id = st.next_id;
                let create_path = match fam.as_str() {
                    "withdraw" => "/withdraw/create",
                    "transfer" => "/transfer/create",
                    "crypto" => "/crypto/withdraw/create",
                    _ => "/bill/create",
                };
                *st.commits.entry(create_path.to_owned()).or_default() += 1;
                st.records.insert((fam, key), (id, amount));
            }
        }
        let fam = family(path);
        let key = field(body, "shop_payment_id")
            .or_else(|| field(body, "shop_order_id"))
            .unwrap_or_default();
        if path.ends_with("/create") {
            let amount = field(body, "amount")
                .or_else(|| field(body, "shop_amount"))
                .unwrap_or_default();
            if st.held.iter().any(|h| h.1 == fam && h.2 == key) {
                return envelope(StatusCode::BAD_REQUEST, 5, "null");
            }
            if st.records.contains_key(&(fam.to_owned(), key.clone())) {
                return envelope(StatusCode::BAD_REQUEST, 6, "null");
            }
            if let Step::Held(seconds) = step {
                st.held.push((
                    now + time::Duration::seconds(seconds),
                    fam.to_owned(),
                    key,
                    amount,
                ));
                return envelope(StatusCode::OK, 0, "null");
            }
            st.next_id += 1;
            let id = st.next_id;
            st.records
                .insert((fam.to_owned(), key.clone()), (id, amount.clone()));
            *st.commits.entry(path.to_owned()).or_default() += 1;
            return envelope(StatusCode::OK, 0, &data(fam, &key, id, 1, &amount));
        }
        if path.ends_with("/status") {
            let status = if st.statuses.len() > 1 {
                st.statuses.pop_front().unwrap()
            } else {
                st.statuses.front().copied().unwrap_or(1)
            };
            let id: u64 = field(body, "withdraw_id")
                .and_then(|i| i.parse().ok())
                .unwrap_or(1);
            let fam = if path.starts_with("/crypto") {
                "crypto"
            } else {
                "withdraw"
            };
            return envelope(StatusCode::OK, 0, &data(fam, "spid", id, status, "10.0"));
        }
        if step == Step::OtherPayout {
            return envelope(StatusCode::OK, 0, &data(fam, "someone-else", 1, 1, "10.0"));
        }
        let found = st.records.get(&(fam.to_owned(), key.clone())).cloned();
        match found {
            Some((id, amount)) if step != Step::FalseNotFound => {
                let status = if fam == "bill" {
                    st.statuses.front().copied().unwrap_or(1)
                } else {
                    1
                };
                let amount = if step == Step::OtherAmount {
                    "1.0".to_owned()
                } else {
                    amount
                };
                envelope(StatusCode::OK, 0, &data(fam, &key, id, status, &amount))
            }
            _ => envelope(StatusCode::OK, 7, "null"),
        }
    }
}

fn html(status: u16) -> Response<Bytes> {
    Response::builder()
        .status(status)
        .body(Bytes::from_static(
            b"<html><body><h1>Service Unavailable</h1></body></html>",
        ))
        .unwrap()
}

/// A client of shop 112 on `transport` in virtual time on `clock`, its executor further set by
/// `configure` (settings are kept when the transport is set after them).
fn client_on<S: HttpService>(
    transport: S,
    clock: &Arc<ManualClock>,
    configure: impl FnOnce(ExecutorBuilder<HyperTransport>) -> ExecutorBuilder<HyperTransport>,
) -> QostiqClient<S> {
    QostiqClient::builder(ShopId::new(112).unwrap(), Secret::new(SECRET).unwrap())
        .base_url("https://core.qostiq.test".parse().unwrap())
        .executor(|e| {
            configure(
                e.clock(clock.clone())
                    .sleep(Arc::new(VirtualSleep::new(clock.clone()))),
            )
        })
        .transport(transport)
        .build()
        .unwrap()
}

/// A client on the fake in virtual time, a large retry budget and a fixed jitter seed, its
/// executor further set by `configure`.
fn rig_configured(
    configure: impl FnOnce(ExecutorBuilder<HyperTransport>) -> ExecutorBuilder<HyperTransport>,
) -> (Fake, Arc<ManualClock>, QostiqClient<impl HttpService>) {
    let clock = Arc::new(ManualClock::new(T0));
    let fake = Fake::new(clock.clone());
    let client = client_on(fake.service(), &clock, |e| {
        configure(
            e.retry_budget(Arc::new(RetryBudget::new(100_000, 5, 10)))
                .rng_seed(7),
        )
    });
    (fake, clock, client)
}

/// A client on the fake in virtual time, with `floors`.
fn rig_with(floors: Floors) -> (Fake, Arc<ManualClock>, QostiqClient<impl HttpService>) {
    rig_configured(move |e| e.floors(floors))
}

fn rig() -> (Fake, Arc<ManualClock>, QostiqClient<impl HttpService>) {
    rig_with(Floors::PROVIDER_MINIMUMS)
}

/// A client whose settle window is `window` (shorter than the provider's hold, in some tests).
fn rig_with_settle(window: Duration) -> (Fake, Arc<ManualClock>, QostiqClient<impl HttpService>) {
    rig_configured(move |e| e.settle_window(window))
}

fn withdraw(spid: &str) -> CreateWithdraw {
    CreateWithdraw::new(
        "4111111111111111",
        "10.00".parse().unwrap(),
        WithdrawAmountType::PsAmount,
        Payway::new("card_uah").unwrap(),
        Currency::Uah,
        spid,
    )
}

fn transfer(spid: &str) -> CreateTransfer {
    CreateTransfer::new(
        "10.00".parse().unwrap(),
        TransferAmountType::ReceiveAmount,
        "10000000000000000000123456789",
        Currency::Uah,
        Currency::Uah,
        spid,
    )
}

fn crypto(spid: &str) -> CreateCryptoWithdraw {
    CreateCryptoWithdraw::new(
        "TXyzAddress",
        "10".parse().unwrap(),
        WithdrawAmountType::PsAmount,
        Payway::new("usdt_trc20").unwrap(),
        CryptoAsset::new("USDT").unwrap(),
        spid,
    )
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Withdraw,
    Transfer,
    Crypto,
}

impl Kind {
    const ALL: [Self; 3] = [Self::Withdraw, Self::Transfer, Self::Crypto];

    fn create_path(self) -> &'static str {
        match self {
            Self::Withdraw => "/withdraw/create",
            Self::Transfer => "/transfer/create",
            Self::Crypto => "/crypto/withdraw/create",
        }
    }

    fn lookup_path(self) -> &'static str {
        match self {
            Self::Withdraw => "/withdraw/shop_payment_status",
            Self::Transfer => "/transfer/shop_payment_status",
            Self::Crypto => "/crypto/withdraw/shop_payment_status",
        }
    }

    fn family(self) -> &'static str {
        family(self.create_path())
    }
}

/// A fresh rig whose create of `kind` meets `create` and whose lookup meets `lookup`.
fn scripted<const C: usize, const L: usize>(
    kind: Kind,
    create: [Step; C],
    lookup: [Step; L],
) -> (Fake, QostiqClient<impl HttpService>) {
    let (fake, _, client) = rig();
    fake.script(kind.create_path(), create);
    fake.script(kind.lookup_path(), lookup);
    (fake, client)
}

/// The outcome's name and, for a refusal, its status; for an unknown, the lookups made.
fn name<P>(o: &PayoutOutcome<P>) -> String {
    match o.resolution() {
        Resolution::Refused(p) => format!("refused {}", p.status.as_u16()),
        Resolution::Unknown(_) => format!("unknown after {}", o.evidence().lookups().count()),
        _ => o.name().to_string(),
    }
}

async fn create(client: &QostiqClient<impl HttpService>, kind: Kind, spid: &str) -> String {
    match kind {
        Kind::Withdraw => name(&client.create_withdraw(&withdraw(spid)).await),
        Kind::Transfer => name(&client.create_transfer(&transfer(spid)).await),
        Kind::Crypto => name(&client.create_crypto_withdraw(&crypto(spid)).await),
    }
}

/// The recovery's steps, `S` (send) and `L` (lookup), in order.
fn steps<P>(o: &PayoutOutcome<P>) -> String {
    o.evidence()
        .steps
        .iter()
        .map(|s| match s.action {
            StepAction::Send => 'S',
            StepAction::Lookup => 'L',
        })
        .collect()
}

// ---- recovery under each fault class ---------------------------------------------------------

#[tokio::test]
async fn every_fault_class_on_every_create_ends_without_a_duplicate_and_with_the_right_outcome() {
    use Step::*;
    // (fault on the create, expected outcome, creates sent, payouts on the server)
    let cases: &[(&[Step], &str, usize, usize)] = &[
        (&[Pass], "created", 1, 1),
        (&[CommitThenDrop], "adopted", 1, 1),
        (&[CommitThenDelay], "adopted", 1, 1),
        (&[CommitThenTruncate], "adopted", 1, 1),
        (
            &[Status5xx {
                status: 502,
                commit: true,
            }],
            "adopted",
            1,
            1,
        ),
        (&[ResetBeforeCommit], "recreated", 2, 1),
        (
            &[Status5xx {
                status: 503,
                commit: false,
            }],
            "recreated",
            2,
            1,
        ),
        // A lost answer, then the re-create's answer lost too: the second lookup adopts it.
        (&[ResetBeforeCommit, CommitThenDrop], "adopted", 2, 1),
        // 429 is not processed: retried by the executor after Retry-After.
        (&[TooMany], "created", 2, 1),
        (&[TooMany, TooMany, TooMany], "refused 429", 3, 0),
        // Connection refused: certainly not sent, retried; then given up as not sent.
        (&[Refused], "created", 2, 1),
        (&[Refused, Refused, Refused], "not_sent", 3, 0),
        (&[Reject], "refused 400", 1, 0),
    ];
    for kind in Kind::ALL {
        for (i, (steps, expected, sent, stored)) in cases.iter().enumerate() {
            let (fake, _, client) = rig();
            fake.script(kind.create_path(), steps.iter().copied());
            let spid = format!("{kind:?}-{i}");
            let outcome = create(&client, kind, &spid).await;
            let what = format!("{kind:?} {steps:?}");
            assert_eq!(&outcome, expected, "{what}");
            assert_eq!(fake.hits(kind.create_path()), *sent, "{what}: creates sent");
            assert_eq!(fake.records(kind.family()), *stored, "{what}: payouts");
            assert!(fake.commits(kind.create_path()) <= 1, "{what}: duplicate");
            // Every create carried the same shop_payment_id.
            for (_, body) in fake.requests(kind.create_path()) {
                assert_eq!(field(&body, "shop_payment_id").as_deref(), Some(&*spid));
            }
        }
    }
}

#[tokio::test]
async fn a_found_lookup_is_adopted_and_never_re_created() {
    for kind in Kind::ALL {
        let (fake, client) = scripted(kind, [Step::CommitThenDrop], []);
        assert_eq!(create(&client, kind, "p-1").await, "adopted");
        assert_eq!(fake.hits(kind.create_path()), 1);
        assert_eq!(fake.hits(kind.lookup_path()), 1);
    }
}

#[tokio::test]
async fn not_found_re_creates_with_the_same_id_exactly_once_after_the_settle_window() {
    for kind in Kind::ALL {
        let (fake, client) = scripted(kind, [Step::ResetBeforeCommit], []);
        assert_eq!(create(&client, kind, "p-2").await, "recreated");
        let creates = fake.requests(kind.create_path());
        assert_eq!(creates.len(), 2, "{kind:?}");
        // Looked up at once, then again once the settle window (2 × 30 s) passed; only that
        // second "not found" lets the create go again.
        let lookups = fake.requests(kind.lookup_path());
        assert_eq!(lookups.len(), 2, "{kind:?}");
        assert_eq!(lookups[0].0, creates[0].0);
        assert!(lookups[1].0 - creates[0].0 >= time::Duration::seconds(60));
        assert!(creates[1].0 >= lookups[1].0);
        assert_eq!(fake.commits(kind.create_path()), 1);
        for (_, body) in &creates {
            assert_eq!(field(body, "shop_payment_id").as_deref(), Some("p-2"));
        }
    }
}

#[tokio::test]
async fn a_duplicate_id_is_looked_up_and_adopted() {
    for kind in Kind::ALL {
        // On the first create: the id already exists (an earlier call, a crash).
        let (fake, _, client) = rig();
        fake.insert(kind.family(), "dup-1");
        assert_eq!(create(&client, kind, "dup-1").await, "adopted");
        assert_eq!(fake.hits(kind.create_path()), 1);
        assert_eq!(fake.records(kind.family()), 1);

        // During a re-create: the lookup wrongly said "not found" twice (the second time after
        // the settle window), the re-create meets code 6: looked up again, adopted.
        let (fake, client) = scripted(
            kind,
            [Step::CommitThenDrop],
            [Step::FalseNotFound, Step::FalseNotFound],
        );
        assert_eq!(create(&client, kind, "dup-2").await, "adopted");
        assert_eq!(fake.hits(kind.create_path()), 2);
        assert_eq!(fake.hits(kind.lookup_path()), 3);
        assert_eq!(fake.commits(kind.create_path()), 1);

        // A false "not found" before the window is not trusted: looked up again, adopted, the
        // create is not sent again.
        let (fake, client) = scripted(kind, [Step::CommitThenDrop], [Step::FalseNotFound]);
        assert_eq!(create(&client, kind, "dup-3").await, "adopted");
        assert_eq!(fake.hits(kind.create_path()), 1);
        assert_eq!(fake.hits(kind.lookup_path()), 2);
    }
}

// ---- never adopt the wrong payout ---------------------------------------------------------------

#[tokio::test]
async fn a_lookup_answering_another_payout_is_a_conflict_never_adopted_never_re_created() {
    for kind in Kind::ALL {
        let (fake, client) = scripted(kind, [Step::ResetBeforeCommit], [Step::OtherPayout]);
        let outcome = match kind {
            Kind::Withdraw => {
                let o = client.create_withdraw(&withdraw("c-1")).await;
                assert_eq!(
                    o.conflict().unwrap().found.info.shop_payment_id,
                    "someone-else"
                );
                name(&o)
            }
            other => create(&client, other, "c-1").await,
        };
        assert_eq!(outcome, "conflict", "{kind:?}");
        assert_eq!(fake.hits(kind.create_path()), 1, "{kind:?}: never re-sent");
        assert_eq!(fake.records(kind.family()), 0);
    }
}

#[tokio::test]
async fn a_lookup_answering_the_id_with_another_amount_is_a_conflict() {
    for kind in Kind::ALL {
        let (fake, client) = scripted(kind, [Step::CommitThenDrop], [Step::OtherAmount]);
        assert_eq!(create(&client, kind, "c-2").await, "conflict", "{kind:?}");
        assert_eq!(fake.hits(kind.create_path()), 1);
    }
    // Both sides are in the outcome.
    let (fake, _, client) = rig();
    fake.script("/withdraw/create", [Step::CommitThenDrop]);
    fake.script("/withdraw/shop_payment_status", [Step::OtherAmount]);
    let outcome = client.create_withdraw(&withdraw("c-3")).await;
    let conflict = outcome.conflict().unwrap();
    assert_eq!(conflict.differences.len(), 1);
    assert_eq!(conflict.differences[0].field, "payee_receive");
    assert_eq!(conflict.differences[0].asked, "10.00");
    assert_eq!(conflict.differences[0].found, "1.0");
    assert_eq!(outcome.intent().id, "c-3");
    let err = outcome.into_result().unwrap_err();
    assert_eq!(err.name(), OutcomeName::Conflict);
}

#[tokio::test]
async fn an_id_reused_by_an_earlier_payout_with_another_amount_is_not_adopted() {
    for kind in Kind::ALL {
        // The first attempt meets code 6: the id holds a payout of 1.00 from an earlier order.
        let (fake, _, client) = rig();
        fake.insert_with(kind.family(), "reused-1", "1.0");
        let outcome = create(&client, kind, "reused-1").await;
        assert_eq!(outcome, "conflict", "{kind:?}");
        assert_eq!(fake.hits(kind.create_path()), 1);
        assert_eq!(fake.records(kind.family()), 1);
    }
}

// ---- a negative answer is not trusted while the first request may still be executing -----------

#[tokio::test]
async fn a_create_still_executing_when_looked_up_is_adopted_once_it_lands_never_sent_again() {
    for kind in Kind::ALL {
        // Held 50 s at Qostiq (past the 30 s attempt timeout), then applied.
        let (fake, client) = scripted(kind, [Step::Held(50)], []);
        let outcome = create(&client, kind, "held-1").await;
        assert_eq!(outcome, "adopted", "{kind:?}");
        assert_eq!(fake.hits(kind.create_path()), 1, "{kind:?}");
        assert_eq!(fake.records(kind.family()), 1);
        assert!(fake.commits(kind.create_path()) <= 1);
    }
}

#[tokio::test]
async fn a_refused_re_create_while_the_first_holds_the_money_is_never_reported_refused() {
    // A Qostiq slower than the settle window assumes (5 s here, the first create held 120 s): the
    // re-create is refused for funds. The old client reported `Refused`, `exists() == Some(false)`,
    // then the first payout landed.
    for kind in Kind::ALL {
        let (fake, clock, client) = rig_with_settle(Duration::from_secs(5));
        fake.script(kind.create_path(), [Step::Held(120)]);
        let outcome = create(&client, kind, "held-2").await;
        assert!(
            outcome == "adopted" || outcome.starts_with("unknown"),
            "{kind:?}: {outcome}"
        );
        assert_eq!(
            fake.hits(kind.create_path()),
            2,
            "{kind:?}: one re-create, refused"
        );
        // And it does land: a later call with the same id adopts it.
        clock.advance(time::Duration::minutes(5));
        assert_eq!(create(&client, kind, "held-2").await, "adopted", "{kind:?}");
        assert_eq!(fake.records(kind.family()), 1);
    }
}

#[tokio::test]
async fn a_resumed_create_looks_before_sending_anything() {
    let (fake, clock, client) = rig();
    fake.insert("withdraw", "r-1");
    let crashed = Evidence::interrupted_send(clock.now() - time::Duration::minutes(3));
    let outcome = client.resume(&withdraw("r-1"), crashed.clone()).await;
    assert_eq!(outcome.name(), OutcomeName::Adopted);
    assert_eq!(fake.hits("/withdraw/create"), 0);

    // Not there: sent again (same id) only a settle window after the resume.
    let (fake, clock, client) = rig();
    let resumed_at = clock.now();
    let outcome = client.resume(&withdraw("r-2"), crashed).await;
    assert_eq!(
        outcome.name(),
        OutcomeName::Recreated,
        "{}",
        steps(&outcome)
    );
    assert_eq!(steps(&outcome), "SLLS");
    let creates = fake.requests("/withdraw/create");
    assert_eq!(creates.len(), 1);
    assert!(creates[0].0 - resumed_at >= time::Duration::seconds(60));
}

#[tokio::test]
async fn a_failing_lookup_is_retried_as_a_read_then_reported_unknown_without_re_creating() {
    for kind in Kind::ALL {
        // One 5xx on the lookup: the executor retries the read.
        let (fake, client) = scripted(
            kind,
            [Step::CommitThenDrop],
            [Step::Status5xx {
                status: 503,
                commit: false,
            }],
        );
        assert_eq!(create(&client, kind, "l-1").await, "adopted");
        assert_eq!(fake.hits(kind.lookup_path()), 2);

        // The lookup never answers: 5 rounds × 3 attempts, then "unknown", one create only.
        let (fake, client) = scripted(
            kind,
            [Step::CommitThenTruncate],
            [Step::ResetBeforeCommit; 15],
        );
        assert_eq!(create(&client, kind, "l-2").await, "unknown after 5");
        assert_eq!(fake.hits(kind.create_path()), 1);
        assert_eq!(fake.hits(kind.lookup_path()), 15);
        assert_eq!(fake.records(kind.family()), 1);
    }
}

#[tokio::test]
async fn sixty_lost_answers_of_different_payouts_recover_within_one_floor_period() {
    // The floor is per payment: each payout's lookup takes its own turn. Keyed by shop (the old
    // client), the 60 lookups queued a minute apart: 59 minutes of virtual time.
    let (fake, clock, client) = rig();
    fake.script("/withdraw/create", [Step::CommitThenDrop; 60]);
    let start = clock.now();
    for n in 0..60 {
        assert_eq!(
            create(&client, Kind::Withdraw, &format!("f-{n}")).await,
            "adopted"
        );
    }
    assert_eq!(fake.hits("/withdraw/shop_payment_status"), 60);
    assert!(
        clock.now() - start < time::Duration::seconds(60),
        "{}",
        clock.now() - start
    );
}

#[tokio::test]
async fn two_polls_of_one_payment_are_never_closer_than_its_floor() {
    // Recovery lookups and status reads of the same shop_payment_id share the turn, at the floor
    // the lookup endpoint declares: 60 s for fiat and crypto withdrawals (seeds 001, 002), the
    // transport's default 10 s for transfers (Qostiq publishes none).
    for (kind, floor) in [
        (Kind::Withdraw, 60),
        (Kind::Crypto, 60),
        (Kind::Transfer, 10),
    ] {
        let (fake, client) = scripted(
            kind,
            [Step::ResetBeforeCommit],
            [Step::Status5xx {
                status: 503,
                commit: false,
            }],
        );
        assert_eq!(create(&client, kind, "one").await, "recreated");
        for _ in 0..2 {
            let found = match kind {
                Kind::Withdraw => client
                    .get_withdraw_by_shop_payment_id("one")
                    .await
                    .map(|l| l.found().is_some()),
                Kind::Crypto => client
                    .get_crypto_withdraw_by_shop_payment_id("one")
                    .await
                    .map(|l| l.found().is_some()),
                Kind::Transfer => client
                    .get_transfer("one")
                    .await
                    .map(|l| l.found().is_some()),
            };
            assert!(found.unwrap(), "{kind:?}");
        }
        let polls = fake.requests(kind.lookup_path());
        assert_eq!(
            polls.len(),
            5,
            "{kind:?}: 2 recovery lookups (one retried after a 503), 2 reads"
        );
        for gap in gaps(&polls) {
            assert!(gap >= time::Duration::seconds(floor), "{kind:?}: {gap}");
        }
    }
}

#[tokio::test]
async fn bill_creation_recovers_by_shop_order_id() {
    let bill = CreateBill::new(
        "10.00".parse().unwrap(),
        Currency::Uah,
        Currency::Uah,
        "order-9",
    );
    let (fake, _, client) = rig();
    fake.script("/bill/create", [Step::CommitThenDrop]);
    let outcome = client.create_bill(&bill).await;
    assert_eq!(outcome.name(), OutcomeName::Adopted);
    assert_eq!(outcome.payout().unwrap().shop_order_id(), "order-9");
    assert_eq!(fake.hits("/bill/create"), 1);

    let (fake, _, client) = rig();
    fake.script("/bill/create", [Step::ResetBeforeCommit]);
    let outcome = client.create_bill(&bill).await;
    assert_eq!(outcome.name(), OutcomeName::Recreated);
    assert!(outcome.payout().unwrap().url().is_some());
    assert_eq!(fake.hits("/bill/create"), 2);
    assert_eq!(fake.commits("/bill/create"), 1);
}

// ---- wait_until_final in virtual time --------------------------------------------------------

fn gaps(times: &[(OffsetDateTime, String)]) -> Vec<time::Duration> {
    times.windows(2).map(|w| w[1].0 - w[0].0).collect()
}

#[tokio::test]
async fn wait_until_final_withdraw_polls_at_most_every_60_seconds() {
    let (fake, clock, client) = rig();
    fake.statuses([1, 3, 3, 3, 5]);
    let done = client.wait_until_final_withdraw(77, None).await.unwrap();
    assert_eq!(done.status, WithdrawStatus::Success);
    assert_eq!(done.id, 77);
    let polls = fake.requests("/withdraw/status");
    assert_eq!(polls.len(), 5);
    for gap in gaps(&polls) {
        assert!(gap >= time::Duration::seconds(60), "{gap}");
    }
    assert_eq!(clock.now() - T0, time::Duration::seconds(240));
}

#[tokio::test]
async fn wait_until_final_crypto_withdraw_and_bill_use_their_floors() {
    let (fake, _, client) = rig();
    fake.statuses([1, 2, 5, 4]);
    let done = client
        .wait_until_final_crypto_withdraw(5, None)
        .await
        .unwrap();
    assert!(done.status.is_final());
    let polls = fake.requests("/crypto/withdraw/status");
    assert_eq!(polls.len(), 4);
    assert!(
        gaps(&polls)
            .iter()
            .all(|g| *g >= time::Duration::seconds(60))
    );

    let (fake, _, client) = rig();
    fake.insert("bill", "order-1");
    fake.statuses([1]);
    // The bill stays waiting: with a deadline 35 s away, polls at 0, 10, 20, 30 s.
    let err = client
        .wait_until_final_bill("order-1", Some(T0 + time::Duration::seconds(35)))
        .await
        .unwrap_err();
    assert!(
        matches!(err, WaitError::Deadline { last: Some(_), .. }),
        "{err}"
    );
    let polls = fake.requests("/bill/shop_order_status");
    assert_eq!(polls.len(), 4);
    for gap in gaps(&polls) {
        assert!(gap >= time::Duration::seconds(10), "{gap}");
    }
    assert!(
        polls
            .iter()
            .all(|(t, _)| *t < T0 + time::Duration::seconds(35))
    );
}

#[tokio::test]
async fn the_sandbox_opt_in_passes_through_and_nothing_else_goes_below_the_floor() {
    let (fake, _, client) = rig_with(Floors::below_provider_minimums_for_sandbox(
        Duration::from_secs(1),
    ));
    fake.statuses([1, 1, 6]);
    let done = client.wait_until_final_withdraw(1, None).await.unwrap();
    assert_eq!(done.status, WithdrawStatus::Rejected);
    let polls = fake.requests("/withdraw/status");
    assert_eq!(
        gaps(&polls),
        vec![time::Duration::seconds(1), time::Duration::seconds(1)]
    );

    // `stricter` cannot go below the provider minimums.
    let (fake, _, client) = rig_with(Floors::stricter(Duration::from_secs(1)));
    fake.statuses([1, 5]);
    client.wait_until_final_withdraw(1, None).await.unwrap();
    assert_eq!(
        gaps(&fake.requests("/withdraw/status")),
        vec![time::Duration::seconds(60)]
    );
}

#[tokio::test]
async fn a_hundred_waits_never_break_the_floor_even_with_failing_polls() {
    // Ten withdrawals, each waited for ten times in turn: every poll of one withdrawal is at least
    // its floor after the previous poll of that withdrawal, whatever happened to the others.
    let (fake, _, client) = rig();
    for i in 0..100u64 {
        fake.statuses([1, 2, 5]);
        if i % 3 == 0 {
            fake.script(
                "/withdraw/status",
                [
                    Step::Status5xx {
                        status: 503,
                        commit: false,
                    },
                    Step::ResetBeforeCommit,
                ],
            );
        }
        client
            .wait_until_final_withdraw(i % 10 + 1, None)
            .await
            .unwrap();
    }
    let polls = fake.requests("/withdraw/status");
    assert!(polls.len() >= 300);
    let mut by_withdrawal: HashMap<String, Vec<(OffsetDateTime, String)>> = HashMap::new();
    for poll in polls {
        let id = field(&poll.1, "withdraw_id").unwrap();
        by_withdrawal.entry(id).or_default().push(poll);
    }
    assert_eq!(by_withdrawal.len(), 10);
    for (id, polls) in &by_withdrawal {
        assert!(polls.len() >= 30, "{id}");
        for gap in gaps(polls) {
            assert!(gap >= time::Duration::seconds(60), "{id}: {gap}");
        }
    }
}

#[tokio::test]
async fn a_wait_is_cancelled_by_dropping_it() {
    // Real time here: the second poll waits 60 s for its turn; dropping the future ends it.
    let fake = Fake::new(Arc::new(ManualClock::new(T0)));
    fake.statuses([1]);
    let client = QostiqClient::builder(ShopId::new(112).unwrap(), Secret::new(SECRET).unwrap())
        .transport(fake.service())
        .build()
        .unwrap();
    let wait = client.wait_until_final_withdraw(3, None);
    assert!(
        tokio::time::timeout(Duration::from_millis(200), wait)
            .await
            .is_err()
    );
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert_eq!(fake.hits("/withdraw/status"), 1);
    // The dropped wait gave its turn back: the next poll of the shop is not pushed further out.
    let polls = client.executor().polls();
    assert!(format!("{polls:?}").contains("PollScheduler"));
}

#[tokio::test]
async fn a_not_found_operation_and_a_refused_poll_stop_the_wait() {
    let (fake, _, client) = rig();
    fake.insert("bill", "known");
    let err = client
        .wait_until_final_bill("missing", None)
        .await
        .unwrap_err();
    assert!(matches!(err, WaitError::NotFound));
    fake.script("/bill/shop_order_status", [Step::Reject]);
    let err = client
        .wait_until_final_bill("known", None)
        .await
        .unwrap_err();
    assert!(matches!(err, WaitError::Refused(_)), "{err}");
}

// ---- no secret in logs or Debug --------------------------------------------------------------

#[derive(Clone, Default)]
struct Capture {
    lines: Arc<Mutex<Vec<String>>>,
    next_id: Arc<AtomicU64>,
}

struct Fields<'a>(&'a mut String);

impl tracing::field::Visit for Fields<'_> {
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        let _ = write!(self.0, " {}={:?}", field.name(), value);
    }
    fn record_str(&mut self, field: &tracing::field::Field, value: &str) {
        let _ = write!(self.0, " {}={}", field.name(), value);
    }
}

impl tracing::Subscriber for Capture {
    fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, span: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        let mut line = format!("span {}", span.metadata().name());
        span.record(&mut Fields(&mut line));
        self.lines.lock().unwrap().push(line);
        tracing::span::Id::from_u64(self.next_id.fetch_add(1, Ordering::SeqCst) + 1)
    }
    fn record(&self, _: &tracing::span::Id, values: &tracing::span::Record<'_>) {
        let mut line = "record".to_owned();
        values.record(&mut Fields(&mut line));
        self.lines.lock().unwrap().push(line);
    }
    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
    fn event(&self, event: &tracing::Event<'_>) {
        let mut line = format!("event {}", event.metadata().level());
        event.record(&mut Fields(&mut line));
        self.lines.lock().unwrap().push(line);
    }
    fn enter(&self, _: &tracing::span::Id) {}
    fn exit(&self, _: &tracing::span::Id) {}
}

#[test]
fn no_secret_or_signature_appears_in_logs_or_debug_output() {
    let capture = Capture::default();
    let (fake, _, client) = rig();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap();
    tracing::subscriber::with_default(capture.clone(), || {
        runtime.block_on(async {
            fake.script(
                "/withdraw/create",
                [Step::CommitThenDrop, Step::ResetBeforeCommit],
            );
            fake.script("/transfer/create", [Step::ResetBeforeCommit]);
            fake.script("/crypto/withdraw/create", [Step::Reject]);
            fake.script(
                "/withdraw/shop_payment_status",
                [Step::Status5xx {
                    status: 500,
                    commit: false,
                }],
            );
            let a = create(&client, Kind::Withdraw, "s-1").await;
            let b = create(&client, Kind::Withdraw, "s-2").await;
            let c = create(&client, Kind::Transfer, "s-3").await;
            let d = create(&client, Kind::Crypto, "s-4").await;
            assert_eq!(
                [a, b, c, d],
                ["adopted", "recreated", "recreated", "refused 400"]
            );
            fake.statuses([1, 5]);
            client.wait_until_final_withdraw(9, None).await.unwrap();
        });
    });
    let signs: Vec<String> = fake
        .state
        .lock()
        .unwrap()
        .log
        .iter()
        .filter_map(|(_, _, body)| field(body, "sign"))
        .collect();
    assert!(signs.len() >= 8);
    let mut texts = capture.lines.lock().unwrap().clone();
    assert!(texts.iter().any(|l| l.contains("adopted")), "{texts:?}");
    texts.push(format!("{client:?}"));
    texts.push(format!("{:?}", client.context()));
    texts.push(format!(
        "{:?}",
        QostiqClient::builder(ShopId::new(1).unwrap(), Secret::new(SECRET).unwrap())
    ));
    for text in &texts {
        assert!(!text.contains(SECRET), "secret in {text}");
        for sign in &signs {
            assert!(!text.contains(sign.as_str()), "signature in {text}");
        }
    }
}

// ---- the same recovery over loopback sockets ---------------------------------------------------

const FOUND: &str = r#"{"data": {"id": 5, "payee_receive": 10.0, "ps_currency": 980, "shop_currency": 980, "shop_payment_id": "w-1", "shop_write_off": 10.2, "status": 1}, "error_code": 0, "message": "", "result": true}"#;
const NOT_FOUND: &str =
    r#"{"data": null, "error_code": 7, "message": "not found", "result": false}"#;
const CREATED: &str = r#"{"data": {"balance": 1.0, "id": 5, "payee_receive": 10.0, "ps_currency": 980, "shop_currency": 980, "shop_payment_id": "w-1", "shop_write_off": 10.2, "status": 1}, "error_code": 0, "message": "", "result": true}"#;

#[tokio::test]
async fn loopback_faults_on_create_withdraw_are_recovered_without_a_second_payout() {
    let cases = [
        (Fault::CommitThenDrop, "adopted"),
        (Fault::CommitThenDelay(Duration::from_secs(30)), "adopted"),
        (Fault::CommitThenTruncate, "adopted"),
        (
            Fault::Status5xx {
                status: StatusCode::BAD_GATEWAY,
                applied: true,
            },
            "adopted",
        ),
        (Fault::ResetBeforeCommit, "recreated"),
        (
            Fault::Status5xx {
                status: StatusCode::SERVICE_UNAVAILABLE,
                applied: false,
            },
            "recreated",
        ),
        // A 429 whose body is not the Qostiq envelope (a proxy page) is still a 429: refused before
        // processing, so the executor waits it out and sends the create again: created once.
        (
            Fault::Status429 {
                retry_after_secs: 0,
            },
            "created",
        ),
    ];
    for (fault, expected) in cases {
        let server = ScriptedServer::start(Provider::Qostiq).await.unwrap();
        server.set_reply("/withdraw/create", Reply::json(StatusCode::OK, CREATED));
        server.set_reply(
            "/withdraw/shop_payment_status",
            Reply::json(
                StatusCode::OK,
                if expected == "adopted" {
                    FOUND
                } else {
                    NOT_FOUND
                },
            ),
        );
        server.push_faults("/withdraw/create", [fault.clone()]);
        let base: BaseUrl = server.base_url();
        let client = QostiqClient::builder(ShopId::new(112).unwrap(), Secret::new(SECRET).unwrap())
            .base_url(base)
            .executor(|e| {
                e.attempt_timeout(Duration::from_millis(500))
                    .floors(Floors::below_provider_minimums_for_sandbox(Duration::ZERO))
                    .retry_policy(
                        RetryPolicy::standard()
                            .with_backoff(Duration::from_millis(1), Duration::from_millis(5)),
                    )
            })
            .build()
            .unwrap();
        let outcome = client.create_withdraw(&withdraw("w-1")).await;
        assert_eq!(outcome.name().as_str(), expected, "{fault:?}: {outcome:?}");
        let commits = server.commits("/withdraw/create");
        match expected {
            "adopted" => {
                assert_eq!(server.hits("/withdraw/create"), 1, "{fault:?}");
                assert_eq!(commits, 1, "{fault:?}");
            }
            "recreated" => {
                assert_eq!(server.hits("/withdraw/create"), 2, "{fault:?}");
                assert_eq!(commits, 1, "{fault:?}");
                // Once at once, once after the settle window (2 × 500 ms).
                assert_eq!(server.hits("/withdraw/shop_payment_status"), 2);
            }
            "created" => {
                assert_eq!(server.hits("/withdraw/create"), 2, "{fault:?}");
                assert_eq!(commits, 1, "{fault:?}");
                assert_eq!(
                    server.hits("/withdraw/shop_payment_status"),
                    0,
                    "no lookup needed"
                );
            }
            _ => assert_eq!(commits, 1, "{fault:?}"),
        }
    }
}

// ---- the payout journal ----------------------------------------------------------------------

mod journal {
    use super::*;
    use pay_store::interpose::{Interposed, Write, WriteHook};
    use pay_store::{
        Begin, EvidenceKind, IntentClaim, IntentJournal, IntentKey, IntentRecord, IntentState,
        Listing, MemoryStore, OwnerId, StoreError,
    };
    use pay_transport::journal::{Journal, JournalError};
    use serde_json::json;
    use std::error::Error as _;

    /// A client on the fake in virtual time, journaling into `store` with a 5-minute lease.
    fn rig_journaled(
        store: impl IntentJournal,
    ) -> (Fake, Arc<ManualClock>, QostiqClient<impl HttpService>) {
        let clock = Arc::new(ManualClock::new(T0));
        rig_on(clock, store)
    }

    fn rig_on(
        clock: Arc<ManualClock>,
        store: impl IntentJournal,
    ) -> (Fake, Arc<ManualClock>, QostiqClient<impl HttpService>) {
        let fake = Fake::new(clock.clone());
        let client = client_on(fake.service(), &clock, |e| {
            e.retry_budget(Arc::new(RetryBudget::new(100_000, 5, 10)))
                .rng_seed(7)
                .journal(Journal::new(store).lease(Duration::from_secs(300)))
        });
        (fake, clock, client)
    }

    /// A memory store on `clock` (leases expire in virtual time).
    fn memory(clock: &Arc<ManualClock>) -> MemoryStore {
        MemoryStore::with_clock(clock.clone())
    }

    /// A client journaling into a memory store, both on one virtual clock.
    fn rig_memory() -> (
        Fake,
        Arc<ManualClock>,
        MemoryStore,
        QostiqClient<impl HttpService>,
    ) {
        let clock = Arc::new(ManualClock::new(T0));
        let store = memory(&clock);
        let (fake, clock, client) = rig_on(clock, store.clone());
        (fake, clock, store, client)
    }

    /// The next withdraw create is applied but its answer lost, and the next `lookups` lookups
    /// fail: the outcome stays unknown.
    fn lose_the_answer_and_lookups(fake: &Fake, lookups: usize) {
        fake.script("/withdraw/create", [Step::CommitThenDrop]);
        fake.script(
            "/withdraw/shop_payment_status",
            vec![Step::ResetBeforeCommit; lookups],
        );
    }

    fn key(spid: &str) -> IntentKey {
        IntentKey::new(pay_core::error::Provider::Qostiq, "withdraw", spid)
    }

    async fn record(store: &MemoryStore, spid: &str) -> IntentRecord {
        store.get(&key(spid)).await.unwrap().unwrap()
    }

    /// The journal entries of an intent in short: `started`, `send`, `lookup`, `note`.
    fn entries(record: &IntentRecord) -> Vec<&'static str> {
        record
            .evidence
            .iter()
            .map(|e| {
                if e.data.get("send").is_some() {
                    "started"
                } else if e.data.get("note").is_some() {
                    "note"
                } else if e.kind == EvidenceKind::Lookup {
                    "lookup"
                } else {
                    "send"
                }
            })
            .collect()
    }

    fn journal_error<P>(outcome: &PayoutOutcome<P>) -> Option<&JournalError> {
        let error = match outcome.resolution() {
            Resolution::NotSent(e) | Resolution::Unknown(Some(e)) => e,
            _ => return None,
        };
        error.source()?.downcast_ref::<JournalError>()
    }

    #[tokio::test]
    async fn the_intent_and_each_attempt_are_journaled_before_the_request_leaves() {
        let clock = Arc::new(ManualClock::new(T0));
        let store = memory(&clock);
        let fake = Fake::new(clock.clone());
        // The transport checks the journal as each create arrives.
        let seen: Arc<Mutex<Vec<Vec<&'static str>>>> = Arc::default();
        let (watched, log, inner) = (store.clone(), seen.clone(), fake.clone());
        let transport = service_fn(move |req: Request<Bytes>| {
            let (store, log, inner) = (watched.clone(), log.clone(), inner.clone());
            async move {
                if req.uri().path() == "/withdraw/create" {
                    let stored = store.get(&key("j-1")).await.unwrap().unwrap();
                    log.lock().unwrap().push(entries(&stored));
                }
                inner.handle(req).await
            }
        });
        let client = client_on(transport, &clock, |e| {
            e.journal(pay_transport::journal::Journal::new(store.clone()))
        });
        // A 429 first: two attempts of one send, each journaled before it left.
        fake.script("/withdraw/create", [Step::TooMany]);
        let outcome = client.create_withdraw(&withdraw("j-1")).await;
        assert_eq!(outcome.name(), OutcomeName::Created);
        assert_eq!(
            *seen.lock().unwrap(),
            vec![vec!["started"], vec!["started", "started"]]
        );
        let stored = record(&store, "j-1").await;
        assert_eq!(entries(&stored), ["started", "started", "send"]);
        assert_eq!(stored.intent.state, IntentState::Final);
        assert_eq!(stored.intent.outcome.as_ref().unwrap().name, "created");
        // The full request, to send it again after a crash: the account in clear.
        assert_eq!(
            stored.intent.payload["request"]["account"],
            "4111111111111111"
        );
        assert_eq!(stored.intent.payload["intent"]["id"], "j-1");
    }

    #[tokio::test]
    async fn calling_again_with_the_same_id_resumes_the_intent_never_a_second_one() {
        let (fake, _, store, client) = rig_memory();
        // The answer is lost and every lookup fails: unknown, listed.
        lose_the_answer_and_lookups(&fake, 15);
        let first = client.create_withdraw(&withdraw("j-2")).await;
        assert_eq!(first.name(), OutcomeName::Unknown);
        assert_eq!(
            record(&store, "j-2").await.intent.state,
            IntentState::Unknown
        );
        // Called again: looked up (not sent), adopted; one payout, one intent. The evidence is
        // the intent's: the first call's send and five failed lookups, then this call's lookup.
        let again = client.create_withdraw(&withdraw("j-2")).await;
        assert_eq!(again.name(), OutcomeName::Adopted, "{}", steps(&again));
        assert_eq!(steps(&again), "SLLLLLL");
        assert_eq!(fake.hits("/withdraw/create"), 1);
        assert_eq!(fake.records("withdraw"), 1);
        assert_eq!(store.list(Listing::All, 10).await.unwrap().len(), 1);
        let stored = record(&store, "j-2").await;
        assert_eq!(stored.intent.outcome.unwrap().name, "adopted");
        // A third call sends nothing either: a final intent is answered by a lookup.
        let third = client.create_withdraw(&withdraw("j-2")).await;
        assert_eq!(third.name(), OutcomeName::Adopted);
        assert_eq!(fake.hits("/withdraw/create"), 1);
        assert_eq!(record(&store, "j-2").await.evidence, stored.evidence);
    }

    #[tokio::test]
    async fn another_request_under_a_journaled_id_is_refused_naming_the_field() {
        let (fake, _, store, client) = rig_memory();
        assert_eq!(
            client.create_withdraw(&withdraw("j-3")).await.name(),
            OutcomeName::Created
        );
        let mut more = withdraw("j-3");
        more.amount = "11.00".parse().unwrap();
        let mut elsewhere = withdraw("j-3");
        elsewhere.account = "5555555555554444".into();
        for (other, field) in [(more, "amount"), (elsewhere, "account")] {
            let outcome = client.create_withdraw(&other).await;
            match outcome.resolution() {
                Resolution::NotSent(pay_core::Error::InvalidInput { field: f, reason }) => {
                    assert_eq!(f, field);
                    assert!(!reason.contains("5555555555554444"), "{reason}");
                }
                other => panic!("{field}: {other:?}"),
            }
        }
        // `10.0` is the amount journaled as `10.00`: the same request.
        let mut same = withdraw("j-3");
        same.amount = "10.0".parse().unwrap();
        assert_eq!(
            client.create_withdraw(&same).await.name(),
            OutcomeName::Adopted
        );
        assert_eq!(fake.hits("/withdraw/create"), 1);
        assert_eq!(
            record(&store, "j-3").await.intent.payload["request"]["amount"],
            "10.00"
        );
    }

    #[tokio::test]
    async fn a_refused_or_unsent_intent_is_driven_again_by_a_new_call_with_the_same_id() {
        let (fake, _, store, client) = rig_memory();
        fake.script("/withdraw/create", [Step::Reject]);
        let refused = client.create_withdraw(&withdraw("j-4")).await;
        assert_eq!(refused.name(), OutcomeName::Refused);
        // The cause fixed, the same command again: sent again with the same id.
        let again = client.create_withdraw(&withdraw("j-4")).await;
        assert_eq!(again.name(), OutcomeName::Created, "{}", steps(&again));
        assert_eq!(fake.records("withdraw"), 1);
        let stored = record(&store, "j-4").await;
        assert_eq!(
            entries(&stored),
            ["started", "send", "note", "started", "send"]
        );
        assert_eq!(stored.intent.outcome.unwrap().name, "created");

        fake.script("/withdraw/create", [Step::Refused; 3]);
        let unsent = client.create_withdraw(&withdraw("j-5")).await;
        assert_eq!(unsent.name(), OutcomeName::NotSent);
        let again = client.create_withdraw(&withdraw("j-5")).await;
        assert_eq!(again.name(), OutcomeName::Created);
        assert_eq!(fake.records("withdraw"), 2);
    }

    #[tokio::test]
    async fn an_intent_driven_elsewhere_is_left_alone() {
        let (fake, _, store, client) = rig_memory();
        let other = OwnerId::new("instance-b").unwrap();
        let payload = pay_transport::journal::payload_of(&withdraw("j-6"));
        let Begin::Created(_) = store
            .begin(&key("j-6"), &payload, &other, Duration::from_secs(600))
            .await
            .unwrap()
        else {
            panic!("fresh key")
        };
        let outcome = client.create_withdraw(&withdraw("j-6")).await;
        assert_eq!(outcome.name(), OutcomeName::Unknown);
        assert!(matches!(
            journal_error(&outcome),
            Some(JournalError::Held { owner, .. }) if owner == "instance-b"
        ));
        assert_eq!(fake.hits("/withdraw/create"), 0);
        assert_eq!(fake.hits("/withdraw/shop_payment_status"), 0);
    }

    /// Store writes fail as unavailable once `healthy_writes` succeeded (`begin`, `renew`, `record`,
    /// `finish`, `mark_unknown`, every claim and release each count one).
    #[derive(Clone)]
    struct Failing {
        healthy_writes: Arc<Mutex<usize>>,
    }

    impl Failing {
        /// `inner`, its writes failing once `healthy_writes` succeeded.
        fn new(inner: MemoryStore, healthy_writes: usize) -> Interposed<MemoryStore, Failing> {
            let healthy_writes = Arc::new(Mutex::new(healthy_writes));
            Interposed::new(inner, Failing { healthy_writes })
        }
    }

    impl WriteHook for Failing {
        async fn before(&self, _write: &Write<'_>) -> Result<(), StoreError> {
            let mut left = self.healthy_writes.lock().unwrap();
            if *left == 0 {
                return Err(StoreError::Unavailable("the database is down".into()));
            }
            *left -= 1;
            Ok(())
        }
    }

    #[tokio::test]
    async fn no_journal_no_payout_when_the_store_is_down() {
        // Down from the start, at the first attempt (after `begin`), or at the attempt's record:
        // nothing is sent, and the outcome says so.
        for healthy_writes in [0, 1, 2] {
            let clock = Arc::new(ManualClock::new(T0));
            let inner = memory(&clock);
            let (fake, _, client) = rig_on(clock, Failing::new(inner.clone(), healthy_writes));
            let outcome = client.create_withdraw(&withdraw("j-7")).await;
            assert_eq!(outcome.name(), OutcomeName::NotSent, "{healthy_writes}");
            assert!(
                matches!(journal_error(&outcome), Some(JournalError::Unavailable(_))),
                "{healthy_writes}: {outcome:?}"
            );
            assert_eq!(fake.hits("/withdraw/create"), 0, "{healthy_writes}");
            let listed = inner.list(Listing::All, 10).await.unwrap();
            assert_eq!(listed.len(), usize::from(healthy_writes > 0));
        }
    }

    #[tokio::test]
    async fn a_store_lost_after_the_send_leaves_the_intent_for_resume_never_reported_not_sent() {
        let clock = Arc::new(ManualClock::new(T0));
        let inner = memory(&clock);
        // begin, renew, record "started": then the database goes away during the request.
        let (fake, _, client) = rig_on(clock.clone(), Failing::new(inner.clone(), 3));
        fake.script("/withdraw/create", [Step::CommitThenDrop]);
        let outcome = client.create_withdraw(&withdraw("j-8")).await;
        assert_eq!(outcome.name(), OutcomeName::Unknown);
        assert!(matches!(
            journal_error(&outcome),
            Some(JournalError::Unavailable(_))
        ));
        // Stopped at once: nothing looked up or sent unjournaled.
        assert_eq!(fake.hits("/withdraw/create"), 1);
        assert_eq!(fake.hits("/withdraw/shop_payment_status"), 0);
        // The database back and the lease over, resume settles it by lookup: adopted, one payout.
        clock.advance(time::Duration::minutes(10));
        let (resumer_fake, _, resumer) = rig_on(clock.clone(), inner.clone());
        resumer_fake.insert("withdraw", "j-8");
        let resumed = resumer.resume_journal().await.unwrap();
        assert_eq!(resumed.len(), 1);
        assert_eq!(resumed[0].outcome, OutcomeName::Adopted, "{resumed:?}");
        assert_eq!(resumer_fake.hits("/withdraw/create"), 0);
        assert_eq!(
            record(&inner, "j-8").await.intent.outcome.unwrap().name,
            "adopted"
        );
    }

    /// Journals `spid` as a process that died `state` would leave it, on `store`.
    async fn crashed(store: &MemoryStore, spid: &str, attempted: bool) {
        let dead = OwnerId::new("dead-process").unwrap();
        let payload = pay_transport::journal::payload_of(&withdraw(spid));
        let Begin::Created(lease) = store
            .begin(&key(spid), &payload, &dead, Duration::from_secs(60))
            .await
            .unwrap()
        else {
            panic!("fresh key")
        };
        if attempted {
            store
                .record(
                    &lease,
                    EvidenceKind::Attempt,
                    &json!({"send": "started", "at": "2024-01-01T00:00:00Z", "attempt": 1}),
                )
                .await
                .unwrap();
        }
    }

    #[tokio::test]
    async fn resume_drives_what_a_dead_process_left_by_lookup_never_a_second_payout() {
        let clock = Arc::new(ManualClock::new(T0));
        let store = memory(&clock);
        // Sent and applied, answer never recorded; sent and lost; never attempted.
        crashed(&store, "d-applied", true).await;
        crashed(&store, "d-lost", true).await;
        crashed(&store, "d-never", false).await;
        let (fake, _, client) = rig_on(clock.clone(), store.clone());
        fake.insert("withdraw", "d-applied");
        // Still leased by the dead process: nothing is taken yet.
        assert!(client.resume_journal().await.unwrap().is_empty());
        clock.advance(time::Duration::minutes(2));
        let mut resumed = client.resume_journal().await.unwrap();
        resumed.sort_by(|a, b| a.key.intent_id.cmp(&b.key.intent_id));
        let outcomes: Vec<(&str, OutcomeName)> = resumed
            .iter()
            .map(|r| (r.key.intent_id.as_str(), r.outcome))
            .collect();
        assert_eq!(
            outcomes,
            [
                ("d-applied", OutcomeName::Adopted),
                // Not found a settle window after the resume: sent again, same id.
                ("d-lost", OutcomeName::Recreated),
                // Never sent: not sent now either (a new call with the same id sends it).
                ("d-never", OutcomeName::NotSent),
            ]
        );
        assert_eq!(fake.hits("/withdraw/create"), 1);
        assert_eq!(fake.records("withdraw"), 2);
        assert!(
            store
                .list(Listing::Unfinished, 10)
                .await
                .unwrap()
                .is_empty()
        );
        // Nothing due any more.
        assert!(client.resume_journal().await.unwrap().is_empty());
        // The never-attempted one, called again: sent now.
        let sent = client.create_withdraw(&withdraw("d-never")).await;
        assert_eq!(sent.name(), OutcomeName::Created);
    }

    #[tokio::test]
    async fn an_unknown_intent_stays_listed_and_is_looked_up_again_on_each_resume() {
        let (fake, clock, store, client) = rig_memory();
        lose_the_answer_and_lookups(&fake, 30);
        assert_eq!(
            client.create_withdraw(&withdraw("u-1")).await.name(),
            OutcomeName::Unknown
        );
        // Not due yet (retried a settle window later).
        assert!(client.resume_journal().await.unwrap().is_empty());
        clock.advance(time::Duration::minutes(2));
        let resumed = client.resume_journal().await.unwrap();
        assert_eq!(resumed[0].outcome, OutcomeName::Unknown);
        assert_eq!(store.list(Listing::Unfinished, 10).await.unwrap().len(), 1);
        clock.advance(time::Duration::minutes(2));
        let resumed = client.resume_journal().await.unwrap();
        assert_eq!(resumed[0].outcome, OutcomeName::Adopted);
        assert_eq!(fake.hits("/withdraw/create"), 1);
        assert!(
            store
                .list(Listing::Unfinished, 10)
                .await
                .unwrap()
                .is_empty()
        );
    }

    #[tokio::test]
    async fn a_lost_lease_stops_the_drive_at_once() {
        let clock = Arc::new(ManualClock::new(T0));
        let store = memory(&clock);
        let fake = Fake::new(clock.clone());
        // While the create is in flight, the lease runs out and another instance claims it.
        let (thief, inner, at) = (store.clone(), fake.clone(), clock.clone());
        let transport = service_fn(move |req: Request<Bytes>| {
            let (thief, inner, at) = (thief.clone(), inner.clone(), at.clone());
            async move {
                if req.uri().path() == "/withdraw/create" {
                    at.advance(time::Duration::minutes(10));
                    let taken = thief
                        .claim_intent(
                            &key("l-1"),
                            &OwnerId::new("instance-b").unwrap(),
                            Duration::from_secs(600),
                        )
                        .await
                        .unwrap();
                    assert!(matches!(taken, IntentClaim::Claimed(_)));
                }
                inner.handle(req).await
            }
        });
        let client = client_on(transport, &clock, |e| {
            e.journal(Journal::new(store.clone()).lease(Duration::from_secs(300)))
        });
        fake.script("/withdraw/create", [Step::CommitThenDrop]);
        let outcome = client.create_withdraw(&withdraw("l-1")).await;
        assert_eq!(outcome.name(), OutcomeName::Unknown);
        assert!(matches!(
            journal_error(&outcome),
            Some(JournalError::LeaseLost(_))
        ));
        // No lookup, no second send by the fenced-off instance; its step was not written.
        assert_eq!(fake.hits("/withdraw/shop_payment_status"), 0);
        assert_eq!(fake.hits("/withdraw/create"), 1);
        let stored = record(&store, "l-1").await;
        assert_eq!(entries(&stored), ["started"]);
        assert_eq!(stored.intent.owner, "instance-b");
    }

    #[tokio::test]
    async fn a_lease_shorter_than_the_attempt_timeout_sends_nothing() {
        let clock = Arc::new(ManualClock::new(T0));
        let store = memory(&clock);
        let fake = Fake::new(clock.clone());
        let client = client_on(fake.service(), &clock, |e| {
            e.attempt_timeout(Duration::from_secs(30))
                .journal(Journal::new(store).lease(Duration::from_secs(20)))
        });
        let outcome = client.create_withdraw(&withdraw("s-1")).await;
        assert_eq!(outcome.name(), OutcomeName::NotSent);
        assert!(matches!(
            journal_error(&outcome),
            Some(JournalError::LeaseTooShort { .. })
        ));
        assert_eq!(fake.hits("/withdraw/create"), 0);
    }

    #[tokio::test]
    async fn crypto_withdrawals_transfers_and_bills_are_journaled_too() {
        let (fake, _, store, client) = rig_memory();
        assert_eq!(create(&client, Kind::Crypto, "k-1").await, "created");
        assert_eq!(create(&client, Kind::Transfer, "k-1").await, "created");
        let bill = CreateBill::new(
            "150.00".parse().unwrap(),
            Currency::Uah,
            Currency::Uah,
            "k-1",
        );
        assert_eq!(client.create_bill(&bill).await.name(), OutcomeName::Created);
        let mut operations: Vec<String> = store
            .list(Listing::All, 10)
            .await
            .unwrap()
            .into_iter()
            .map(|i| i.key.operation)
            .collect();
        operations.sort();
        assert_eq!(operations, ["bill", "crypto_withdraw", "transfer"]);
        // Called again: answered from the journal's intent (a lookup), never created twice.
        assert_eq!(create(&client, Kind::Crypto, "k-1").await, "adopted");
        assert_eq!(fake.hits("/crypto/withdraw/create"), 1);
    }

    #[tokio::test]
    async fn without_a_journal_nothing_changes() {
        let (fake, _, client) = rig();
        fake.script("/withdraw/create", [Step::Reject]);
        assert_eq!(
            client.create_withdraw(&withdraw("n-1")).await.name(),
            OutcomeName::Refused
        );
        assert!(client.resume_journal().await.unwrap().is_empty());
        let _ = rig_journaled(MemoryStore::new());
    }
}

#[test]
fn client_futures_can_be_spawned() {
    // The creates, resumes and waits run through pay-transport's generic client code: their
    // futures must stay `Send` for `tokio::spawn`.
    fn spawnable<T: Send>(_: &T) {}
    let (_, _, client) = rig();
    let payout = withdraw("s-1");
    spawnable(&client.create_withdraw(&payout));
    spawnable(&client.resume_journal());
    spawnable(&client.wait_until_final_withdraw(1, None));
    spawnable(&client.get_bill("o-1"));
}
