//! The payouts: every money-moving create with recovery, through the journal when one is
//! configured, and the journal's resume. The work is pay-transport's
//! ([`pay_transport::client`]); this module names the Qostiq payouts.

use pay_core::recovery::{Evidence, PayoutOutcome, Recoverable};
use pay_transport::client;
use pay_transport::journal::{Claimed, Journaled, Resumed, StoreError};
use pay_transport::service::HttpService;

use super::QostiqClient;
use crate::bills::{BillRecord, CreateBill, CreateBillV2};
use crate::context::QostiqContext;
use crate::crypto::{CreateCryptoWithdraw, CryptoWithdrawal};
use crate::transfers::{CreateTransfer, Transfer};
use crate::withdrawals::{CreateWithdraw, Withdrawal};

/// A Qostiq money-moving create the client recovers: its [`Recoverable`] contract and its journal
/// form ([`Journaled`]); it is looked up by its [`Intent::id`](pay_core::recovery::Intent) under
/// the lookup endpoint's polling floor. Implemented for [`CreateWithdraw`],
/// [`CreateCryptoWithdraw`], [`CreateTransfer`], [`CreateBill`] and [`CreateBillV2`] (sealed).
pub trait QostiqPayout:
    Recoverable<Context = QostiqContext> + Journaled + Send + Sync + sealed::Sealed
{
}

mod sealed {
    pub trait Sealed {}
}

impl<R> QostiqPayout for R where
    R: Recoverable<Context = QostiqContext> + Journaled + Send + Sync + sealed::Sealed
{
}

impl sealed::Sealed for CreateWithdraw {}
impl sealed::Sealed for CreateCryptoWithdraw {}
impl sealed::Sealed for CreateTransfer {}
impl sealed::Sealed for CreateBill {}
impl sealed::Sealed for CreateBillV2 {}

impl<S: HttpService> QostiqClient<S> {
    /// Creates a payout with recovery (what every `create_*` method does), through the journal
    /// when one is configured (`.executor(|e| e.journal(…))` on the builder): a `shop_payment_id`
    /// journaled before is resumed, not created again, and another request under it is refused.
    pub async fn create<R: QostiqPayout>(&self, request: &R) -> PayoutOutcome<R::Payout> {
        client::create(self, request).await
    }

    /// Resumes the recovery of `request` from stored `evidence` (for instance
    /// [`Evidence::interrupted_send`] after a crash during the create): it looks the payout up
    /// before it sends anything, and sends again (with the same id) only after a conclusive
    /// "not found". For callers keeping their own evidence; with a journal, call
    /// [`QostiqClient::create`] again with the same request (or [`QostiqClient::resume_journal`]).
    pub async fn resume<R: QostiqPayout>(
        &self,
        request: &R,
        evidence: Evidence,
    ) -> PayoutOutcome<R::Payout> {
        client::resume(self, request, evidence).await
    }

    /// Drives the due Qostiq intents of the journal to an outcome (looked up before anything is sent again, never under a new id); an intent
    /// still `unknown` comes back on a later call. See [`client::resume_journal`].
    pub async fn resume_journal(&self) -> Result<Vec<Resumed>, StoreError> {
        client::resume_journal(self, false).await
    }

    /// Drives every unfinished Qostiq intent now, due or not (as `pay journal resume` does).
    pub async fn resume_journal_now(&self) -> Result<Vec<Resumed>, StoreError> {
        client::resume_journal(self, true).await
    }

    /// Drives one claimed intent, by its operation.
    pub(super) async fn resume_by_operation(&self, claimed: Claimed) -> Resumed {
        match claimed.record.intent.key.operation.as_str() {
            CreateWithdraw::OPERATION => {
                client::resume_as::<_, CreateWithdraw>(self, claimed).await
            }
            CreateCryptoWithdraw::OPERATION => {
                client::resume_as::<_, CreateCryptoWithdraw>(self, claimed).await
            }
            CreateTransfer::OPERATION => {
                client::resume_as::<_, CreateTransfer>(self, claimed).await
            }
            CreateBill::OPERATION => client::resume_as::<_, CreateBill>(self, claimed).await,
            CreateBillV2::OPERATION => client::resume_as::<_, CreateBillV2>(self, claimed).await,
            _ => client::not_driven(self, claimed).await,
        }
    }

    /// `/bill/create`, recovered by `/bill/shop_order_status` with the same `shop_order_id`
    /// (adopted only with the same amount and currency, and only if the id is unique).
    pub async fn create_bill(&self, request: &CreateBill) -> PayoutOutcome<BillRecord> {
        self.create(request).await
    }

    /// `/bill/create/v2`, recovered as [`QostiqClient::create_bill`].
    pub async fn create_bill_v2(&self, request: &CreateBillV2) -> PayoutOutcome<BillRecord> {
        self.create(request).await
    }

    /// `/transfer/create`, recovered by `/transfer/shop_payment_status` (adopted only with the same
    /// amount and currencies).
    pub async fn create_transfer(&self, request: &CreateTransfer) -> PayoutOutcome<Transfer> {
        self.create(request).await
    }

    /// `/withdraw/create`, recovered by `/withdraw/shop_payment_status` (withdraw floor, per
    /// payout).
    ///
    /// | what happened to the create | outcome |
    /// |---|---|
    /// | answered (with this `shop_payment_id` and amount) | `created` |
    /// | answer lost (drop, timeout, truncated body, 5xx, undecodable), and the lookup finds it with the same terms | `adopted` |
    /// | answer lost, "not found" asked a settle window after the loss | re-created once with the same id: `recreated` (or what the re-create leads to) |
    /// | refused with code 6 (the id is taken), found with the same terms | `adopted` |
    /// | the lookup (or the answer) shows another payout under the id, or other terms | `conflict` |
    /// | refused (4xx), nothing sent before could have done anything | `refused` |
    /// | connection refused until attempts ran out | `not_sent` |
    /// | still undecided after the recovery lookups (a re-create refused while the first holds the money, failing lookups) | `unknown` |
    pub async fn create_withdraw(&self, request: &CreateWithdraw) -> PayoutOutcome<Withdrawal> {
        self.create(request).await
    }

    /// `/crypto/withdraw/create` (signed with a fresh `now` on every (re-)create), recovered by
    /// `/crypto/withdraw/shop_payment_status` (crypto withdraw floor, per payout; the address is
    /// compared too). Outcomes as for [`QostiqClient::create_withdraw`].
    pub async fn create_crypto_withdraw(
        &self,
        request: &CreateCryptoWithdraw,
    ) -> PayoutOutcome<CryptoWithdrawal> {
        self.create(request).await
    }
}
