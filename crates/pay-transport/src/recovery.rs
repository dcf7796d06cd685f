//! The one payout recovery loop, used by both clients: it runs the pure decisions of
//! [`pay_core::recovery::decide`] against the network, recording every send and lookup in the
//! [`Evidence`], and assembles the [`PayoutOutcome`].
//!
//! ```text
//! loop {
//!     match decide::next(policy, evidence) {
//!         Send                 => send the request (same id), judge the answer, record the step
//!         LookUp { not_before } => wait until not_before (settle window), look up through the
//!                                 polling floor of the payment, judge what is found, record
//!         Finish(name)         => the outcome, with the payout (or conflict) and the evidence
//!     }
//! }
//! ```
//!
//! The clients supply `send` and `look_up` (their own executor calls: Qostiq signs the body,
//! COINQVEST re-syncs its clock on 401/403); everything else — what a refusal means, when a "not
//! found" counts, when the same id may be sent again, when "refused" may be said — is decided here
//! and in pay-core, once for both providers.
//!
//! A recovery can start fresh ([`Start::Fresh`]) or resume from stored evidence
//! ([`Start::Resume`]): resumed, it never sends before it looked (an interrupted send is closed at
//! the resume and counts as a send with an unknown outcome).

use std::future::Future;
use std::time::Duration;

use pay_core::clock::Clock;
use pay_core::endpoint::{Endpoint, Lookup};
use pay_core::error::{
    Delivery, Error, Provider, ProviderError, TransportError, TransportErrorKind,
};
use pay_core::recovery::decide::{self, Next, Policy};
use pay_core::recovery::{
    Conflict, Evidence, LookupAnswer, OutcomeName, PayoutOutcome, Recoverable, Resolution,
    StepAction, StepResult, Verdict, refusal,
};
use pay_core::text::Untrusted;
use time::OffsetDateTime;

use crate::executor::CallError;
use crate::journal::{JournalError, NoLog, StepLog};
use crate::sleep::{Sleep, to_std};

/// Where a recovery starts.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Start {
    /// Nothing sent yet: send first.
    #[default]
    Fresh,
    /// Continue from stored evidence (e.g. [`Evidence::interrupted_send`]): decide from it, look
    /// before sending again.
    Resume(Evidence),
}

/// The bounds of the recoveries an executor runs (the [`Policy`] without the action).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecoveryBounds {
    /// How long the effect of a lost request may still appear
    /// ([`decide::default_settle_window`] of the attempt timeout by default).
    pub settle_window: Duration,
    /// Lookups per call ([`Policy::DEFAULT_LOOKUPS`] by default).
    pub lookups: u32,
    /// Re-sends of the same id per call ([`Policy::DEFAULT_RESENDS`] by default).
    pub resends: u32,
}

impl RecoveryBounds {
    /// The defaults for `attempt_timeout`.
    pub fn for_attempt_timeout(attempt_timeout: Duration) -> Self {
        Self {
            settle_window: decide::default_settle_window(attempt_timeout),
            lookups: Policy::DEFAULT_LOOKUPS,
            resends: Policy::DEFAULT_RESENDS,
        }
    }

    fn policy<R: Recoverable>(&self, first_step: usize) -> Policy {
        Policy {
            action: R::ACTION,
            settle_window: self.settle_window,
            lookups: self.lookups,
            resends: self.resends,
            first_step,
        }
    }
}

/// What the loop keeps beside the evidence: the values the evidence only summarises.
struct Kept<P> {
    /// The payout of the last step, if it returned one.
    payout: Option<P>,
    /// The latest refusal of a send.
    refusal: Option<ProviderError>,
    /// The latest error of any step.
    error: Option<Error>,
}

/// Runs one recovery of `request` with `send` and `look_up`, on `clock` and `sleep`, within
/// `bounds`. See the module docs.
pub async fn run<R, SF, LF>(
    clock: &dyn Clock,
    sleep: &dyn Sleep,
    bounds: &RecoveryBounds,
    request: &R,
    start: Start,
    send: impl FnMut() -> SF,
    look_up: impl FnMut() -> LF,
) -> PayoutOutcome<R::Payout>
where
    R: Recoverable,
    SF: Future<Output = Result<R::Output, CallError>>,
    LF: Future<Output = Result<<R::Lookup as Endpoint>::Output, CallError>>,
{
    match run_logged(
        clock, sleep, bounds, request, start, send, look_up, &mut NoLog,
    )
    .await
    {
        Ok(outcome) => outcome,
        // `NoLog` never stops a recovery.
        Err(stopped) => stopped.outcome(),
    }
}

/// A recovery stopped by its journal: why, and what it had gathered.
pub(crate) struct Stopped {
    /// Why.
    pub(crate) error: JournalError,
    /// What was asked.
    pub(crate) intent: pay_core::recovery::Intent,
    /// The steps made.
    pub(crate) evidence: Evidence,
}

impl Stopped {
    /// `not_sent` when nothing of it can exist, else `unknown`.
    pub(crate) fn outcome<P>(self) -> PayoutOutcome<P> {
        crate::journal::stopped_outcome(self.error, self.intent, self.evidence)
    }
}

/// [`run`], with `log` called before every step and after it (the payout journal); an error from
/// it stops the recovery at once.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn run_logged<R, SF, LF, L>(
    clock: &dyn Clock,
    sleep: &dyn Sleep,
    bounds: &RecoveryBounds,
    request: &R,
    start: Start,
    mut send: impl FnMut() -> SF,
    mut look_up: impl FnMut() -> LF,
    log: &mut L,
) -> Result<PayoutOutcome<R::Payout>, Stopped>
where
    R: Recoverable,
    SF: Future<Output = Result<R::Output, CallError>>,
    LF: Future<Output = Result<<R::Lookup as Endpoint>::Output, CallError>>,
    L: StepLog,
{
    let intent = request.intent();
    let endpoint = R::INFO.name;
    let id = Untrusted::new(&intent.id);
    let mut evidence = match start {
        Start::Fresh => Evidence::default(),
        Start::Resume(mut stored) => {
            stored.close_open_sends(clock.now());
            tracing::info!(endpoint, %id, steps = stored.steps.len(), "resuming a payout recovery");
            stored
        }
    };
    // The bounds are per call: a resumed recovery gets its own lookups and re-sends.
    let policy = bounds.policy::<R>(evidence.steps.len());
    let this_call = policy.first_step;
    let mut kept = Kept {
        payout: None,
        refusal: None,
        error: None,
    };
    loop {
        let next = decide::next(&policy, &evidence);
        let (action, not_before) = match next {
            Next::Send => (StepAction::Send, None),
            Next::LookUp { not_before } => (StepAction::Lookup, not_before),
            Next::Finish(name) => {
                match finish(name, R::INFO.provider, &mut kept, &evidence) {
                    Ok(resolution) => {
                        log_finish(endpoint, id, name, &evidence);
                        return Ok(PayoutOutcome::new(resolution, intent, evidence));
                    }
                    // Decided on resumed evidence whose payout value was not stored: read it.
                    Err(NeedsPayout)
                        if evidence
                            .steps
                            .iter()
                            .skip(this_call)
                            .filter(|s| s.action == StepAction::Lookup)
                            .count()
                            < policy.lookups as usize =>
                    {
                        (StepAction::Lookup, None)
                    }
                    Err(NeedsPayout) => {
                        log_finish(endpoint, id, OutcomeName::Unknown, &evidence);
                        let resolution = Resolution::Unknown(kept.error.take());
                        return Ok(PayoutOutcome::new(resolution, intent, evidence));
                    }
                }
            }
        };
        let wait = not_before.map_or(Duration::ZERO, |at| to_std(at - clock.now()));
        if let Err(error) = log.before_step(wait).await {
            return Err(Stopped {
                error,
                intent,
                evidence,
            });
        }
        if let Some(not_before) = not_before {
            wait_until(clock, sleep, not_before).await;
        }
        let started = clock.now();
        let result = match action {
            StepAction::Send => {
                let answer = send().await;
                sent::<R>(&intent, answer, &mut kept)
            }
            StepAction::Lookup => {
                let answer = look_up().await;
                looked_up::<R>(&intent, answer, &mut kept)
            }
        };
        let ended = clock.now();
        tracing::debug!(
            endpoint,
            %id,
            action = ?action,
            result = %short(&result),
            "payout recovery step"
        );
        evidence.push(action, started, ended, result);
        if let Some(step) = evidence.steps.last()
            && let Err(error) = log.after_step(step).await
        {
            tracing::warn!(endpoint, %id, %error, "payout recovery stopped by its journal");
            return Err(Stopped {
                error,
                intent,
                evidence,
            });
        }
    }
}

/// The decided outcome needs a payout value that only the evidence's summary has (a resume).
struct NeedsPayout;

fn finish<P>(
    name: OutcomeName,
    provider: Provider,
    kept: &mut Kept<P>,
    evidence: &Evidence,
) -> Result<Resolution<P>, NeedsPayout> {
    let last_send = evidence.sends().last().map(|s| &s.result);
    let payout = |kept: &mut Kept<P>| kept.payout.take().ok_or(NeedsPayout);
    Ok(match name {
        OutcomeName::Created => Resolution::Created(payout(kept)?),
        OutcomeName::Committed => Resolution::Committed(payout(kept)?),
        OutcomeName::Recreated => Resolution::Recreated(payout(kept)?),
        OutcomeName::Adopted => Resolution::Adopted(payout(kept)?),
        OutcomeName::Conflict => {
            let differences = match evidence.steps.last().map(|s| &s.result) {
                Some(StepResult::Payout {
                    verdict: Verdict::Conflict { differences },
                    ..
                }) => differences.clone(),
                _ => Vec::new(),
            };
            Resolution::Conflict(Conflict {
                found: payout(kept)?,
                differences,
            })
        }
        // On resumed evidence only the summaries are there: rebuild from them.
        OutcomeName::Refused => Resolution::Refused(kept.refusal.take().unwrap_or_else(|| {
            let (status, code, message) = match last_send {
                Some(StepResult::Refused {
                    status,
                    code,
                    message,
                    ..
                }) => (*status, *code, message.as_str()),
                _ => (400, None, "refused"),
            };
            let status =
                http::StatusCode::from_u16(status).unwrap_or(http::StatusCode::BAD_REQUEST);
            ProviderError::new(provider, status, code, message, Vec::new())
        })),
        OutcomeName::NotSent => Resolution::NotSent(kept.error.take().unwrap_or_else(|| {
            let message = match last_send {
                Some(StepResult::NotSent { error }) => error.clone(),
                _ => "not sent".to_owned(),
            };
            TransportError::new(
                TransportErrorKind::Other,
                Delivery::NotSent,
                Some(message.into()),
            )
            .into()
        })),
        OutcomeName::Unknown => Resolution::Unknown(kept.error.take()),
    })
}

/// Records a send's answer.
fn sent<R: Recoverable>(
    intent: &pay_core::recovery::Intent,
    answer: Result<R::Output, CallError>,
    kept: &mut Kept<R::Payout>,
) -> StepResult {
    match answer {
        Ok(output) => {
            let payout = R::Payout::from(output);
            let result = StepResult::judged(intent, &payout);
            kept.payout = Some(payout);
            result
        }
        Err(e) => {
            kept.payout = None;
            let error = e.into_error();
            let result = StepResult::of_send_error(&error, R::INFO.provider, R::classify_refusal);
            if matches!(result, StepResult::Refused { .. }) {
                kept.refusal = refusal(&error, R::INFO.provider);
            }
            kept.error = Some(error);
            result
        }
    }
}

/// Records a lookup's answer.
fn looked_up<R: Recoverable>(
    intent: &pay_core::recovery::Intent,
    answer: Result<<R::Lookup as Endpoint>::Output, CallError>,
    kept: &mut Kept<R::Payout>,
) -> StepResult {
    kept.payout = None;
    match answer {
        Ok(output) => match output.into_payout() {
            Lookup::Found(payout) => {
                let result = StepResult::judged(intent, &payout);
                kept.payout = Some(payout);
                result
            }
            Lookup::NotFound => StepResult::NotFound,
        },
        Err(e) => match e.error() {
            Error::Provider(p) if R::lookup_refusal_is_not_found(p) => StepResult::NotFound,
            _ => {
                let error = e.into_error();
                let result = StepResult::of_lookup_error(&error);
                kept.error = Some(error);
                result
            }
        },
    }
}

/// Sleeps until `instant` on `clock`, re-reading it after every wake-up (a sleeper may wake a
/// little early relative to the clock).
async fn wait_until(clock: &dyn Clock, sleep: &dyn Sleep, instant: OffsetDateTime) {
    loop {
        let now = clock.now();
        if now >= instant {
            return;
        }
        sleep.sleep(to_std(instant - now)).await;
    }
}

/// A step's result in one word, for logs.
fn short(result: &StepResult) -> &'static str {
    match result {
        StepResult::Payout { verdict, .. } => match verdict {
            Verdict::Same => "same payout",
            Verdict::Absent => "nothing done yet",
            Verdict::Conflict { .. } => "another payout",
            Verdict::InDoubt { .. } => "in doubt",
        },
        StepResult::NotFound => "not found",
        StepResult::Refused { .. } => "refused",
        StepResult::NotSent { .. } => "not sent",
        StepResult::Unknown { .. } => "outcome unknown",
        StepResult::Failed { .. } => "lookup failed",
    }
}

fn log_finish(endpoint: &str, id: Untrusted<'_>, name: OutcomeName, evidence: &Evidence) {
    let steps = evidence.steps.len();
    let outcome = name.as_str();
    match name {
        OutcomeName::Unknown => {
            tracing::error!(endpoint, %id, outcome, steps, "payout outcome still unknown: resume with the same id or ask a person");
        }
        OutcomeName::Conflict => {
            tracing::error!(endpoint, %id, outcome, steps, "another payout holds this id: needs a person");
        }
        _ if steps > 1 => {
            tracing::info!(endpoint, %id, outcome, steps, "payout recovered");
        }
        _ => tracing::debug!(endpoint, %id, outcome, "payout answered"),
    }
}
