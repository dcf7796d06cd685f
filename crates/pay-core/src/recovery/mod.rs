//! Payout recovery, sans-IO: the contract every money-moving endpoint implements
//! ([`Recoverable`]), the exact comparison of what was asked with what a lookup found
//! ([`Intent`], [`Verdict`]), the record of a recovery ([`Evidence`]), the pure decisions
//! ([`decide`]), and the one outcome type of both providers ([`PayoutOutcome`]).
//!
//! Neither provider has idempotency keys. A payout whose answer is lost is recovered by looking it
//! up by its own id. Three rules keep that from paying twice or reporting the wrong thing:
//!
//! 1. **Adopt only the same payout.** A found payout is judged against the intent on exact values
//!    ([`Intent::compare`]); anything else under the id is a [`Conflict`], never success.
//! 2. **A negative answer is not conclusive while a lost request may still be applied.** "Not
//!    found" or "still pending" counts only when asked a settle window after the last uncertain
//!    send ended ([`decide::is_conclusive`]); before that the recovery waits and looks again.
//! 3. **"Refused" only when nothing of this call can exist** ([`decide::may_report_refused`]).
//!
//! The IO loop that runs these decisions is `pay_transport::recovery`; the endpoints implement
//! [`Recoverable`] next to their request types (pay-qostiq, pay-coinqvest).

pub mod decide;
mod evidence;
mod intent;
mod outcome;

pub use decide::{Action, Next, Policy};
pub use evidence::{Evidence, RefusalClass, Step, StepAction, StepResult, refusal};
pub use intent::{Difference, FieldValue, Intent, IntentField, Observed, Verdict};
pub use outcome::{Conflict, Failure, OutcomeName, PayoutError, PayoutOutcome, Resolution};

use crate::endpoint::{Endpoint, Lookup};
use crate::error::ProviderError;

/// The recovery contract of a money-moving endpoint (a create or a commit), implemented next to it.
///
/// It says what was asked ([`Recoverable::intent`]), how to look the payout up
/// ([`Recoverable::lookup`]) and what a refusal means ([`Recoverable::classify_refusal`]). The
/// payout type reads both the request's own answer (`From<Self::Output>`) and the lookup's
/// ([`LookupAnswer`]), and judges itself against the intent ([`PayoutRecord`]), so two requests
/// making the same kind of payout share one judgement. Every method is pure.
pub trait Recoverable: Endpoint {
    /// The payout as both the answer and the lookup give it (one type, so outcomes are uniform).
    type Payout: PayoutRecord + From<Self::Output>;
    /// The lookup by the intent's id.
    type Lookup: Endpoint<Context = Self::Context, Output: LookupAnswer<Self::Payout>>;
    /// Create or commit.
    const ACTION: Action;

    /// What this request asks for.
    fn intent(&self) -> Intent;

    /// The lookup of this request's payout by its id.
    fn lookup(&self) -> Self::Lookup;

    /// Whether a refusal of the lookup means "not found" (COINQVEST answers 404); by default none.
    fn lookup_refusal_is_not_found(refusal: &ProviderError) -> bool {
        let _ = refusal;
        false
    }

    /// What a refusal of this request means.
    fn classify_refusal(refusal: &ProviderError) -> RefusalClass;
}

/// A payout as a recovery reads it, whichever request made it.
pub trait PayoutRecord {
    /// The judgement of this payout against `intent`: the same payout, nothing done yet, something
    /// else, or not judgeable yet. Pure; used on the answer and on every lookup.
    fn judge(&self, intent: &Intent) -> Verdict;

    /// The payout in a few words for the evidence (ids, status, amounts; never an account number
    /// in full).
    fn summarize(&self) -> String;
}

/// A lookup's answer read as a payout, or "not found".
pub trait LookupAnswer<P> {
    /// The payout found, or [`Lookup::NotFound`].
    fn into_payout(self) -> Lookup<P>;
}

impl<T: Into<P>, P> LookupAnswer<P> for Lookup<T> {
    fn into_payout(self) -> Lookup<P> {
        self.map(Into::into)
    }
}
