//! Shared polling turns: the polling floor of a payout holds across every instance, measured on the
//! store's clock.
//!
//! [`PollTurns::reserve`] atomically computes `turn = max(store_now, last_turn + floor)`, stores it
//! and returns it with `store_now`. The caller sleeps [`Turn::wait`] — a duration, so the caller's
//! own clock may be skewed from the store's and from its peers' — then polls. A caller that gives
//! up before its turn (its future dropped) calls [`PollTurns::give_back`]: the turn is undone if
//! no later one was reserved after it (otherwise the gap stays, which only errs on the slow side).

use std::future::Future;
use std::time::Duration;

use pay_core::error::Provider;
use time::OffsetDateTime;

use crate::error::StoreError;

/// What polls are spaced by: provider, operation and the id polled (a payout, a shop).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PollKey<'a> {
    /// The provider.
    pub provider: Provider,
    /// The status operation (`withdraw_status`).
    pub operation: &'a str,
    /// What is polled (the payout's id, or the shop's).
    pub subject: &'a str,
}

/// A reserved turn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Turn {
    /// When the caller may poll, on the store's clock.
    pub at: OffsetDateTime,
    /// The store's clock when the turn was reserved.
    pub store_now: OffsetDateTime,
    /// The turn before this one, restored by [`PollTurns::give_back`].
    pub(crate) previous: Option<OffsetDateTime>,
}

impl Turn {
    /// How long to wait, from when `reserve` returned, on the caller's own clock.
    pub fn wait(&self) -> Duration {
        Duration::try_from(self.at - self.store_now).unwrap_or(Duration::ZERO)
    }
}

/// Longest time a turn is remembered: floors longer than this are refused.
pub const TURN_MEMORY: Duration = Duration::from_secs(24 * 3600);

/// Polling turns shared by every instance on the store. See the [module documentation](self).
pub trait PollTurns: Send + Sync + 'static {
    /// Reserves the next turn of `key`, at least `floor` (at most [`TURN_MEMORY`]) after the
    /// previous one and not before the store's now.
    fn reserve(
        &self,
        key: &PollKey<'_>,
        floor: Duration,
    ) -> impl Future<Output = Result<Turn, StoreError>> + Send;

    /// Gives back a turn not used, if it is still the latest of `key`.
    fn give_back(
        &self,
        key: &PollKey<'_>,
        turn: &Turn,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
}

/// Checks a floor against [`TURN_MEMORY`].
pub(crate) fn check_floor(floor: Duration) -> Result<Duration, StoreError> {
    if floor > TURN_MEMORY {
        return Err(StoreError::Invalid(format!(
            "polling floor {floor:?} is longer than a day"
        )));
    }
    Ok(floor)
}

/// The turn after `last` for `floor`, not before `now`.
pub(crate) fn next_turn(
    now: OffsetDateTime,
    last: Option<OffsetDateTime>,
    floor: Duration,
) -> OffsetDateTime {
    let floor = crate::journal::to_time(floor);
    last.map_or(now, |last| last.saturating_add(floor).max(now))
}
