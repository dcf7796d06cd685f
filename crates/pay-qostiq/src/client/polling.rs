//! Waiting for a final status: each wait polls one payment through
//! [`pay_transport::client::wait_until_final`] at its endpoint's polling floor.

use pay_transport::client::WaitError;
use pay_transport::service::HttpService;
use time::OffsetDateTime;

use super::QostiqClient;
use crate::bills::{BillInfo, GetBill};
use crate::crypto::{CryptoWithdrawInfo, GetCryptoWithdraw};
use crate::withdrawals::{GetWithdraw, WithdrawInfo};

impl<S: HttpService> QostiqClient<S> {
    /// Polls `/bill/shop_order_status` (at the bill floor, ≥ 10 s) until the status is final.
    /// See [`QostiqClient::wait_until_final_withdraw`] for the deadline and errors.
    pub async fn wait_until_final_bill(
        &self,
        shop_order_id: &str,
        deadline: Option<OffsetDateTime>,
    ) -> Result<BillInfo, WaitError<BillInfo>> {
        pay_transport::client::wait_until_final(
            self,
            &GetBill::new(shop_order_id),
            shop_order_id,
            deadline,
            |b: &BillInfo| b.status.is_final(),
        )
        .await
    }

    /// Polls `/withdraw/status` (≥ 60 s apart for this payout unless the sandbox floors are set) until
    /// [`crate::WithdrawStatus::is_final`], and returns that status.
    ///
    /// Cancel by dropping the future (polls are reads: nothing is left half-done), or pass a
    /// `deadline` on the client's clock: no poll starts after it, and a wait for the next turn
    /// is cut at it ([`WaitError::Deadline`] with the last status seen). Failed polls (after the
    /// executor's own retries) are retried at the next turn; a refusal (4xx other than 429) stops
    /// with [`WaitError::Refused`], "not found" with [`WaitError::NotFound`].
    pub async fn wait_until_final_withdraw(
        &self,
        withdraw_id: u64,
        deadline: Option<OffsetDateTime>,
    ) -> Result<WithdrawInfo, WaitError<WithdrawInfo>> {
        pay_transport::client::wait_until_final(
            self,
            &GetWithdraw::new(withdraw_id),
            &withdraw_id.to_string(),
            deadline,
            |w: &WithdrawInfo| w.status.is_final(),
        )
        .await
    }

    /// Polls `/crypto/withdraw/status` until [`crate::CryptoWithdrawStatus::is_final`]; see
    /// [`QostiqClient::wait_until_final_withdraw`].
    pub async fn wait_until_final_crypto_withdraw(
        &self,
        withdraw_id: u64,
        deadline: Option<OffsetDateTime>,
    ) -> Result<CryptoWithdrawInfo, WaitError<CryptoWithdrawInfo>> {
        pay_transport::client::wait_until_final(
            self,
            &GetCryptoWithdraw::new(withdraw_id),
            &withdraw_id.to_string(),
            deadline,
            |w: &CryptoWithdrawInfo| w.status.is_final(),
        )
        .await
    }
}
