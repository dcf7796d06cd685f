//! The recovery loop (`Executor::recover`) in virtual time, against a scripted provider that keeps
//! books: answers lost after or before applying, requests held past the client's timeout and
//! applied later, refusals while a held request holds the money, another payout under the id, and
//! a resume after an interrupted send.
#![allow(clippy::unwrap_used)] // test code

mod support;

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use http::{Method, Request, Response, StatusCode};
use pay_core::clock::{Clock, ManualClock};
use pay_core::endpoint::{Endpoint, EndpointInfo, Lookup};
use pay_core::error::{
    Delivery, Error, Provider, ProviderError, TransportError, TransportErrorKind,
};
use pay_core::money::Amount;
use pay_core::recovery::{
    Action, Evidence, FieldValue, Intent, Observed, OutcomeName, PayoutRecord, Recoverable,
    RefusalClass, Resolution, StepAction, StepResult, Verdict,
};
use pay_core::retry::RetryClass;
use pay_transport::floors::Floors;
use pay_transport::recovery::Start;
use pay_transport::service::{HttpService, service_fn};
use pay_transport::sleep::VirtualSleep;
use pay_transport::{Executor, RetryPolicy};
use time::OffsetDateTime;
use time::macros::datetime;

use support::{info, run};

const T0: OffsetDateTime = datetime!(2024-11-18 13:41:57 UTC);

// ---- a toy payout API --------------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq, Eq)]
struct Payout {
    id: String,
    amount: Amount,
}

fn payout_json(id: &str, amount: &str) -> String {
    format!(r#"{{"id":"{id}","amount":"{amount}"}}"#)
}

fn read_payout(body: &[u8]) -> Result<Payout, Error> {
    let text = std::str::from_utf8(body).map_err(|_| Error::invalid_input("body", "utf-8"))?;
    let field = |key: &str| {
        let at = text.find(&format!("\"{key}\":\""))? + key.len() + 4;
        Some(text[at..].split('"').next()?.to_owned())
    };
    let (Some(id), Some(amount)) = (field("id"), field("amount")) else {
        return Err(Error::undecodable(
            StatusCode::OK,
            "no payout",
            Bytes::copy_from_slice(body),
        ));
    };
    Ok(Payout {
        id,
        amount: amount.parse().unwrap(),
    })
}

fn refusal(r: &Response<Bytes>) -> Error {
    let code = std::str::from_utf8(r.body())
        .ok()
        .and_then(|t| t.strip_prefix("code "))
        .and_then(|c| c.parse().ok());
    ProviderError::new(Provider::Qostiq, r.status(), code, "refused", vec![]).into()
}

/// A toy endpoint's facts: a Qostiq-like `POST` to `path`, without a polling floor.
const fn toy(name: &'static str, path: &'static str, retry_class: RetryClass) -> EndpointInfo {
    info(
        Provider::Qostiq,
        name,
        Method::POST,
        path,
        retry_class,
        None,
    )
}

/// The `POST` of endpoint `E` with `body`.
fn post<E: Endpoint>(body: String) -> Request<Bytes> {
    Request::post(E::INFO.path).body(Bytes::from(body)).unwrap()
}

#[derive(Debug, Clone)]
struct CreatePayout {
    id: String,
    amount: Amount,
}

impl Endpoint for CreatePayout {
    type Output = Payout;
    type Context = ();
    const INFO: EndpointInfo = toy("toy.payout.create", "/create", RetryClass::RecoverByLookup);

    fn build_request(&self, _: &()) -> Result<Request<Bytes>, Error> {
        Ok(post::<Self>(payout_json(
            &self.id,
            &self.amount.to_string(),
        )))
    }

    fn parse_response(&self, r: &Response<Bytes>) -> Result<Payout, Error> {
        if r.status().is_success() {
            read_payout(r.body())
        } else {
            Err(refusal(r))
        }
    }
}

#[derive(Debug, Clone)]
struct GetPayout {
    id: String,
}

impl Endpoint for GetPayout {
    type Output = Lookup<Payout>;
    type Context = ();
    const INFO: EndpointInfo = toy("toy.payout.get", "/get", RetryClass::Safe);

    fn build_request(&self, _: &()) -> Result<Request<Bytes>, Error> {
        Ok(post::<Self>(format!(r#"{{"id":"{}"}}"#, self.id)))
    }

    fn parse_response(&self, r: &Response<Bytes>) -> Result<Lookup<Payout>, Error> {
        match r.status() {
            StatusCode::OK => read_payout(r.body()).map(Lookup::Found),
            StatusCode::NOT_FOUND => Ok(Lookup::NotFound),
            _ => Err(refusal(r)),
        }
    }
}

impl Recoverable for CreatePayout {
    type Payout = Payout;
    type Lookup = GetPayout;
    const ACTION: Action = Action::Create;

    fn intent(&self) -> Intent {
        Intent::new(Self::INFO.name, &self.id).field("amount", FieldValue::Amount(self.amount))
    }

    fn lookup(&self) -> GetPayout {
        GetPayout {
            id: self.id.clone(),
        }
    }

    fn classify_refusal(refusal: &ProviderError) -> RefusalClass {
        match refusal.code {
            Some(6) => RefusalClass::Exists,
            _ if refusal.status == StatusCode::TOO_MANY_REQUESTS => RefusalClass::Throttled,
            _ => RefusalClass::Definitive,
        }
    }
}

impl PayoutRecord for Payout {
    fn judge(&self, intent: &Intent) -> Verdict {
        intent.judge(
            &Observed::with_id(&self.id).field("amount", Some(FieldValue::Amount(self.amount))),
        )
    }

    fn summarize(&self) -> String {
        format!("{} {}", self.id, self.amount)
    }
}

// ---- the scripted provider ---------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum OnCreate {
    Pass,
    /// Applied, answer lost.
    LostAfter,
    /// Not applied, answer lost (a reset).
    LostBefore,
    /// Held by the provider for this many seconds, then applied; the client's answer is lost.
    /// While held, another create of the same id is refused (the money is held): code 5.
    Held(i64),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum OnLookup {
    Pass,
    /// Answers another payout.
    Other,
    /// Answers 503 (retried by the executor as a read).
    Fail,
}

#[derive(Debug, Default)]
struct Books {
    payouts: HashMap<String, Amount>,
    held: Vec<(OffsetDateTime, String, Amount)>,
    creates: VecDeque<OnCreate>,
    lookups: VecDeque<OnLookup>,
    /// (path, time) of every request.
    log: Vec<(String, OffsetDateTime)>,
    applied: usize,
}

#[derive(Clone)]
struct FakeProvider {
    books: Arc<Mutex<Books>>,
    clock: Arc<ManualClock>,
}

fn answer(status: u16, body: String) -> Result<Response<Bytes>, TransportError> {
    Ok(Response::builder()
        .status(status)
        .body(Bytes::from(body))
        .unwrap())
}

fn lost() -> Result<Response<Bytes>, TransportError> {
    Err(TransportError::new(
        TransportErrorKind::ConnectionClosed,
        Delivery::MaybeSent,
        None,
    ))
}

impl FakeProvider {
    /// What the next create meets.
    fn on_create(&self, step: OnCreate) {
        self.books.lock().unwrap().creates.push_back(step);
    }

    /// The provider already holds payout `id` of `amount` (an earlier call's).
    fn holds(&self, id: &str, amount: &str) {
        self.books
            .lock()
            .unwrap()
            .payouts
            .insert(id.into(), amount.parse().unwrap());
    }

    /// How many payouts were applied (money moved).
    fn applied(&self) -> usize {
        self.books.lock().unwrap().applied
    }

    fn new(clock: Arc<ManualClock>) -> Self {
        Self {
            books: Arc::new(Mutex::new(Books::default())),
            clock,
        }
    }

    fn handle(&self, request: &Request<Bytes>) -> Result<Response<Bytes>, TransportError> {
        let now = self.clock.now();
        let mut b = self.books.lock().unwrap();
        let path = request.uri().path().to_owned();
        b.log.push((path.clone(), now));
        // Held requests whose time has come are applied (unless the id was taken meanwhile).
        let due: Vec<_> = b
            .held
            .iter()
            .filter(|(at, ..)| *at <= now)
            .cloned()
            .collect();
        b.held.retain(|(at, ..)| *at > now);
        for (_, id, amount) in due {
            if let std::collections::hash_map::Entry::Vacant(e) = b.payouts.entry(id) {
                e.insert(amount);
                b.applied += 1;
            }
        }
        let asked = read_payout(request.body()).ok();
        if path.ends_with("/create") {
            let p = asked.unwrap();
            let step = b.creates.pop_front().unwrap_or(OnCreate::Pass);
            if step == OnCreate::LostBefore {
                return lost();
            }
            if b.held.iter().any(|(_, id, _)| *id == p.id) {
                return answer(400, "code 5".into());
            }
            if b.payouts.contains_key(&p.id) {
                return answer(400, "code 6".into());
            }
            if let OnCreate::Held(seconds) = step {
                b.held
                    .push((now + time::Duration::seconds(seconds), p.id, p.amount));
                return lost();
            }
            b.payouts.insert(p.id.clone(), p.amount);
            b.applied += 1;
            return match step {
                OnCreate::LostAfter => lost(),
                _ => answer(200, payout_json(&p.id, &p.amount.to_string())),
            };
        }
        let body = std::str::from_utf8(request.body()).unwrap();
        let id = body.split('"').nth(3).unwrap().to_owned();
        match b.lookups.pop_front().unwrap_or(OnLookup::Pass) {
            OnLookup::Fail => answer(503, String::new()),
            OnLookup::Other => answer(200, payout_json("someone-else", "7.00")),
            OnLookup::Pass => match b.payouts.get(&id) {
                Some(amount) => answer(200, payout_json(&id, &amount.to_string())),
                None => answer(404, String::new()),
            },
        }
    }

    fn service(&self) -> impl HttpService + use<> {
        let p = self.clone();
        service_fn(move |r: Request<Bytes>| {
            let out = p.handle(&r);
            async move { out }
        })
    }

    fn times(&self, path: &str) -> Vec<OffsetDateTime> {
        let b = self.books.lock().unwrap();
        b.log
            .iter()
            .filter(|(p, _)| p == path)
            .map(|(_, t)| *t)
            .collect()
    }
}

fn rig(settle: Option<Duration>) -> (FakeProvider, Arc<ManualClock>, Executor<impl HttpService>) {
    let clock = Arc::new(ManualClock::new(T0));
    let provider = FakeProvider::new(clock.clone());
    let mut builder = Executor::builder(provider.service(), "https://toy.test".parse().unwrap())
        .clock(clock.clone())
        .sleep(Arc::new(VirtualSleep::new(clock.clone())))
        .attempt_timeout(Duration::from_secs(10))
        .retry_policy(RetryPolicy::standard().with_backoff(Duration::ZERO, Duration::ZERO))
        .floors(Floors::PROVIDER_MINIMUMS)
        .rng_seed(1);
    if let Some(window) = settle {
        builder = builder.settle_window(window);
    }
    (provider, clock, builder.build().unwrap())
}

fn recover(
    executor: &Executor<impl HttpService>,
    request: &CreatePayout,
    start: Start,
) -> pay_core::recovery::PayoutOutcome<Payout> {
    let lookup = request.lookup();
    run(executor.recover(
        request,
        start,
        || async { executor.execute(request, &()).await.map(|d| d.value) },
        || async {
            executor
                .execute_poll(&lookup, &(), &lookup.id)
                .await
                .map(|d| d.value)
        },
    ))
}

fn w1() -> CreatePayout {
    CreatePayout {
        id: "w-1".into(),
        amount: "500.00".parse().unwrap(),
    }
}

/// The recovery of [`w1`] on a fresh [`rig`] (settle window `settle`) whose first create meets
/// `on_create`.
fn recover_first(
    settle: Option<Duration>,
    on_create: OnCreate,
) -> (FakeProvider, pay_core::recovery::PayoutOutcome<Payout>) {
    let (provider, _, executor) = rig(settle);
    provider.on_create(on_create);
    let outcome = recover(&executor, &w1(), Start::Fresh);
    (provider, outcome)
}

/// Fails unless `outcome` is `name` (showing its [`actions`] if not).
fn assert_ended(outcome: &pay_core::recovery::PayoutOutcome<Payout>, name: OutcomeName) {
    assert_eq!(outcome.name(), name, "{}", actions(outcome));
}

/// Fails unless `outcome` is `name`, reached through the steps `trail` ([`actions`]).
fn assert_trail(
    outcome: &pay_core::recovery::PayoutOutcome<Payout>,
    name: OutcomeName,
    trail: &str,
) {
    assert_ended(outcome, name);
    assert_eq!(actions(outcome), trail);
}

fn actions(outcome: &pay_core::recovery::PayoutOutcome<Payout>) -> String {
    outcome
        .evidence()
        .steps
        .iter()
        .map(|s| {
            let action = match s.action {
                StepAction::Send => "S",
                StepAction::Lookup => "L",
            };
            let result = match &s.result {
                StepResult::Payout { verdict, .. } => match verdict {
                    Verdict::Same => "same",
                    Verdict::Absent => "absent",
                    Verdict::Conflict { .. } => "conflict",
                    Verdict::InDoubt { .. } => "doubt",
                },
                StepResult::NotFound => "notfound",
                StepResult::Refused { .. } => "refused",
                StepResult::NotSent { .. } => "notsent",
                StepResult::Unknown { .. } => "unknown",
                StepResult::Failed { .. } => "failed",
            };
            format!("{action}:{result}")
        })
        .collect::<Vec<_>>()
        .join(" ")
}

// ---- the tests ---------------------------------------------------------------------------------

#[test]
fn the_default_settle_window_is_twice_the_attempt_timeout() {
    let (_, _, executor) = rig(None);
    assert_eq!(
        executor.recovery_bounds().settle_window,
        Duration::from_secs(20)
    );
    assert_eq!(executor.recovery_bounds().lookups, 5);
    assert_eq!(executor.recovery_bounds().resends, 2);
    let (_, _, executor) = rig(Some(Duration::from_secs(5)));
    assert_eq!(
        executor.recovery_bounds().settle_window,
        Duration::from_secs(5)
    );
}

#[test]
fn a_lost_answer_of_an_applied_payout_is_adopted_after_one_lookup() {
    let (provider, outcome) = recover_first(None, OnCreate::LostAfter);
    assert_trail(&outcome, OutcomeName::Adopted, "S:unknown L:same");
    assert_eq!(outcome.payout().unwrap().amount, "500".parse().unwrap());
    assert_eq!(provider.applied(), 1);
}

#[test]
fn not_found_is_trusted_only_once_the_settle_window_passed_then_the_same_id_is_sent_again() {
    let (provider, outcome) = recover_first(None, OnCreate::LostBefore);
    assert_trail(
        &outcome,
        OutcomeName::Recreated,
        "S:unknown L:notfound L:notfound S:same",
    );
    let steps = &outcome.evidence().steps;
    let send_ended = steps[0].ended.unwrap();
    // The first lookup right away; the one that counts a window (20 s) after the lost send.
    assert_eq!(steps[1].started, send_ended);
    assert!(steps[2].started >= send_ended + time::Duration::seconds(20));
    let creates = provider.times("/create");
    assert_eq!(creates.len(), 2);
    assert!(creates[1] >= send_ended + time::Duration::seconds(20));
    assert_eq!(provider.applied(), 1);
}

#[test]
fn a_request_still_executing_when_looked_up_is_found_after_the_window_and_not_sent_again() {
    // Held 15 s (past the 10 s timeout), then applied: the early "not found" is not trusted.
    let (provider, outcome) = recover_first(None, OnCreate::Held(15));
    assert_trail(
        &outcome,
        OutcomeName::Adopted,
        "S:unknown L:notfound L:same",
    );
    assert_eq!(provider.times("/create").len(), 1);
    assert_eq!(provider.applied(), 1);
}

#[test]
fn a_refused_resend_while_the_first_request_holds_the_money_is_never_reported_refused() {
    // A settle window shorter than the provider's hold (a provider slower than assumed): the
    // re-send meets "insufficient funds" (the first one holds the balance). Looked up again, the
    // first one is found once it lands.
    let (provider, outcome) = recover_first(Some(Duration::from_secs(5)), OnCreate::Held(25));
    assert_trail(
        &outcome,
        OutcomeName::Adopted,
        "S:unknown L:notfound L:notfound S:refused L:notfound L:same",
    );
    assert_eq!(provider.applied(), 1);

    // Held longer than the recovery looks: "unknown", never "refused" nor "not sent".
    let (provider, clock, executor) = rig(Some(Duration::from_secs(5)));
    provider.on_create(OnCreate::Held(3_600));
    let outcome = recover(&executor, &w1(), Start::Fresh);
    assert_ended(&outcome, OutcomeName::Unknown);
    assert_eq!(outcome.exists(), None);
    assert!(
        outcome
            .into_result()
            .unwrap_err()
            .to_string()
            .contains("resume with the same id")
    );
    // …and it does land: a later call with the same id adopts it.
    clock.advance(time::Duration::hours(2));
    let later = recover(&executor, &w1(), Start::Fresh);
    assert_ended(&later, OutcomeName::Adopted);
    assert_eq!(provider.applied(), 1);
}

#[test]
fn another_payout_under_the_id_is_a_conflict_never_adopted_never_sent_again() {
    let (provider, _, executor) = rig(None);
    {
        let mut b = provider.books.lock().unwrap();
        b.creates.push_back(OnCreate::LostAfter);
        b.lookups.push_back(OnLookup::Other);
    }
    let outcome = recover(&executor, &w1(), Start::Fresh);
    assert_ended(&outcome, OutcomeName::Conflict);
    assert_eq!(outcome.exists(), None);
    assert_eq!(outcome.payout(), None);
    let conflict = outcome.conflict().unwrap();
    assert_eq!(conflict.found.id, "someone-else");
    let fields: Vec<&str> = conflict
        .differences
        .iter()
        .map(|d| d.field.as_str())
        .collect();
    assert_eq!(fields, ["id", "amount"]);
    assert_eq!(provider.times("/create").len(), 1);
}

#[test]
fn an_id_taken_by_an_earlier_payout_with_other_terms_is_a_conflict() {
    let (provider, _, executor) = rig(None);
    provider.holds("w-1", "1.00");
    let outcome = recover(&executor, &w1(), Start::Fresh);
    assert_trail(&outcome, OutcomeName::Conflict, "S:refused L:conflict");
    let d = &outcome.conflict().unwrap().differences[0];
    assert_eq!(
        (d.field.as_str(), d.asked.as_str(), d.found.as_str()),
        ("amount", "500.00", "1.00")
    );

    // The same terms: adopted (a repeat of an earlier call).
    let (provider, _, executor) = rig(None);
    provider.holds("w-1", "500");
    let outcome = recover(&executor, &w1(), Start::Fresh);
    assert_ended(&outcome, OutcomeName::Adopted);
}

#[test]
fn a_definitive_first_refusal_is_refused_and_nothing_is_looked_up() {
    let (provider, _, executor) = rig(None);
    provider.books.lock().unwrap().held.push((
        T0 + time::Duration::hours(1),
        "w-1".into(),
        "1".parse().unwrap(),
    ));
    let outcome = recover(&executor, &w1(), Start::Fresh);
    assert_ended(&outcome, OutcomeName::Refused);
    assert_eq!(outcome.exists(), Some(false));
    assert_eq!(provider.times("/get").len(), 0);
}

#[test]
fn failing_lookups_end_unknown_without_a_second_send() {
    let (provider, _, executor) = rig(None);
    {
        let mut b = provider.books.lock().unwrap();
        b.creates.push_back(OnCreate::LostAfter);
        b.lookups.extend([OnLookup::Fail; 15]);
    }
    let outcome = recover(&executor, &w1(), Start::Fresh);
    assert_trail(
        &outcome,
        OutcomeName::Unknown,
        "S:unknown L:failed L:failed L:failed L:failed L:failed",
    );
    assert!(matches!(outcome.resolution(), Resolution::Unknown(Some(_))));
    assert_eq!(provider.times("/create").len(), 1);
    // Each lookup is a read retried by the executor (3 attempts), every attempt through the
    // payment's floor (10 s for this operation).
    let gets = provider.times("/get");
    assert_eq!(gets.len(), 15);
    for pair in gets.windows(2) {
        assert!(pair[1] - pair[0] >= time::Duration::seconds(10));
    }
}

#[test]
fn a_resumed_recovery_looks_before_it_sends() {
    // Interrupted five minutes ago; the provider has it: adopted without sending.
    let (provider, _, executor) = rig(None);
    provider.holds("w-1", "500.00");
    let interrupted = Evidence::interrupted_send(T0 - time::Duration::minutes(5));
    let stored = serde_json::to_string(&interrupted).unwrap();
    let outcome = recover(
        &executor,
        &w1(),
        Start::Resume(serde_json::from_str(&stored).unwrap()),
    );
    assert_trail(&outcome, OutcomeName::Adopted, "S:unknown L:same");
    assert_eq!(provider.times("/create").len(), 0);
    assert_eq!(outcome.evidence().steps[0].ended, Some(T0));

    // Not there: the interrupted send settles a window after the resume, then the same id is sent.
    let (provider, clock, executor) = rig(None);
    let outcome = recover(&executor, &w1(), Start::Resume(interrupted));
    assert_ended(&outcome, OutcomeName::Recreated);
    let creates = provider.times("/create");
    assert_eq!(creates.len(), 1);
    assert!(creates[0] >= T0 + time::Duration::seconds(20));
    assert!(clock.now() >= T0 + time::Duration::seconds(20));
}

#[test]
fn evidence_timestamps_come_from_the_injected_clock_and_survive_serde() {
    let (provider, clock, executor) = rig(None);
    clock.advance(time::Duration::days(400));
    provider.on_create(OnCreate::LostBefore);
    let outcome = recover(&executor, &w1(), Start::Fresh);
    let evidence = outcome.evidence();
    assert!(
        evidence
            .steps
            .iter()
            .all(|s| s.started >= T0 + time::Duration::days(400))
    );
    let json = serde_json::to_string(evidence).unwrap();
    assert!(json.contains("2025-12-23T13:41:57Z"), "{json}");
    let back: Evidence = serde_json::from_str(&json).unwrap();
    assert_eq!(&back, evidence);
}

#[test]
fn a_recovery_that_ended_unknown_resumes_from_its_evidence_with_fresh_bounds() {
    let (provider, clock, executor) = rig(Some(Duration::from_secs(5)));
    provider.on_create(OnCreate::Held(3_600));
    let first = recover(&executor, &w1(), Start::Fresh);
    assert_ended(&first, OutcomeName::Unknown);
    // Stored, then resumed once the held request landed: it looks before anything else, and
    // its bounds are its own (the first call had used all of its lookups).
    let (_, _, evidence) = first.into_parts();
    let stored = serde_json::to_string(&evidence).unwrap();
    clock.advance(time::Duration::hours(2));
    let creates_before = provider.times("/create").len();
    let resumed = recover(
        &executor,
        &w1(),
        Start::Resume(serde_json::from_str(&stored).unwrap()),
    );
    assert_ended(&resumed, OutcomeName::Adopted);
    assert_eq!(
        provider.times("/create").len(),
        creates_before,
        "looked, not sent"
    );
    assert!(resumed.evidence().steps.len() > evidence.steps.len());
    assert_eq!(provider.applied(), 1);
}
