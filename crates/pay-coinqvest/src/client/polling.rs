//! Waiting for a final state: the wait polls one checkout through
//! [`pay_transport::client::wait_until_final`] at its endpoint's polling floor.

use pay_transport::client::WaitError;
use pay_transport::service::HttpService;
use time::OffsetDateTime;

use super::CoinqvestClient;
use crate::checkouts::{Checkout, GetCheckout};

impl<S: HttpService> CoinqvestClient<S> {
    /// Polls `GET /checkout?id=…` until the checkout leaves `NEW_CHARGE`/`IN_PROGRESS`, and returns
    /// it. Every poll (retries included) waits for the polling floor of this checkout
    /// ([`pay_transport::floors::DEFAULT_POLL_FLOOR`], 10 s: COINQVEST publishes none).
    ///
    /// Cancel by dropping the future, or pass a `deadline` on the client's clock: no poll starts
    /// after it ([`WaitError::Deadline`] with the last state seen). Failed polls (after the
    /// executor's own retries) are retried at the next turn; a refusal stops with
    /// [`WaitError::Refused`], the API's "not found" with [`WaitError::NotFound`]. The same
    /// shape as the Qostiq client's `wait_until_final_*`.
    pub async fn wait_until_final_checkout(
        &self,
        checkout_id: &str,
        deadline: Option<OffsetDateTime>,
    ) -> Result<Checkout, WaitError<Checkout>> {
        pay_transport::client::wait_until_final(
            self,
            &GetCheckout::new(checkout_id),
            checkout_id,
            deadline,
            |c: &Checkout| !c.state.is_pending(),
        )
        .await
    }
}
