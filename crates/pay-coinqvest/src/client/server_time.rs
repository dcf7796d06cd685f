//! Server time: COINQVEST refuses signatures whose timestamp is 30 s off its clock. Every attempt
//! is signed with the executor's `now` shifted by an offset learnt from `GET /time`; a request
//! refused as unauthenticated (401/403) triggers **one** re-sync and **one** repeat (a refused
//! request was not applied, so this is safe for every endpoint). It never loops.

use std::future::Future;
use std::sync::Arc;

use pay_core::clock::{Clock, OffsetClock};
use pay_core::endpoint::{Authenticate, Endpoint};
use pay_core::error::Error;
use pay_transport::service::HttpService;
use pay_transport::{CallError, Executed};
use time::OffsetDateTime;

use super::CoinqvestClient;
use crate::service::{GetTime, ServerTime};

/// The offset clock shared by the client and its authenticator.
pub(super) type ServerClock = Arc<OffsetClock<Arc<dyn Clock>>>;

/// Signs every attempt with the server's time: the executor's `now` plus the synchronised offset.
#[derive(Debug)]
pub(super) struct ServerTimeAuth {
    pub(super) inner: Arc<dyn Authenticate>,
    pub(super) server_clock: ServerClock,
}

impl Authenticate for ServerTimeAuth {
    fn authenticate(
        &self,
        request: &mut http::Request<bytes::Bytes>,
        now: OffsetDateTime,
    ) -> Result<(), Error> {
        self.inner
            .authenticate(request, now.saturating_add(self.server_clock.offset()))
    }
}

impl<S: HttpService> CoinqvestClient<S> {
    /// The current offset between the server's clock and the local one, as learnt from `GET /time`.
    pub fn clock_offset(&self) -> time::Duration {
        self.server_clock.offset()
    }

    /// `GET /time`, then shifts the signing clock so it reads the server's time.
    pub async fn sync_clock(&self) -> Result<ServerTime, CallError> {
        let time = self.executor.execute(&GetTime, &()).await?.value;
        // `GetTime::parse_response` already refused out-of-range times.
        if let Ok(at) = time.instant() {
            self.server_clock.sync_to(at);
        }
        Ok(time)
    }

    pub(super) fn should_resync<E: Endpoint>(&self, error: &CallError) -> bool {
        self.resync
            && E::INFO.name != <GetTime as Endpoint>::INFO.name
            && matches!(error.error(), Error::Provider(p) if p.is_authentication())
    }

    /// One `GET /time`, then the request once more. If the re-sync fails, the original refusal is
    /// returned.
    pub(super) async fn resync_then<T, F, Fut>(
        &self,
        refused: CallError,
        again: F,
    ) -> Result<T, CallError>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<Executed<T>, CallError>>,
    {
        let before = self.server_clock.offset();
        match self.sync_clock().await {
            Ok(_) => {
                tracing::debug!(
                    offset_before_ms = millis(before),
                    offset_ms = millis(self.server_clock.offset()),
                    "coinqvest: refused as unauthenticated; clock re-synced, repeating once"
                );
                again().await.map(|done| done.value)
            }
            Err(e) => {
                tracing::debug!(error = %e, "coinqvest: clock re-sync failed");
                Err(refused)
            }
        }
    }
}

fn millis(d: time::Duration) -> i64 {
    i64::try_from(d.whole_milliseconds()).unwrap_or(i64::MAX)
}
