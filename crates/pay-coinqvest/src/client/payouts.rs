//! The payouts: the withdrawal commit with recovery, through the journal when one is configured,
//! and the journal's resume. The work is pay-transport's ([`pay_transport::client`]); this module
//! names the COINQVEST payout.

use pay_core::recovery::{Evidence, PayoutOutcome};
use pay_transport::client;
use pay_transport::journal::{Claimed, Journaled, Resumed, StoreError};
use pay_transport::service::HttpService;

use super::CoinqvestClient;
use crate::withdrawals::{CommitWithdrawal, Withdrawal};

impl<S: HttpService> CoinqvestClient<S> {
    /// `POST /withdrawal/commit` of `withdrawal_id`: **moves the money**, with recovery (see the
    /// module docs and [`CommitWithdrawal`]). Only the id is compared; prefer
    /// [`commit_quote`](Self::commit_quote) when you have the quote.
    ///
    /// | what happened | outcome |
    /// |---|---|
    /// | answered | `committed` |
    /// | answer lost (drop, timeout, truncated body, 5xx), and the withdrawal reads committed | `adopted` |
    /// | refused 4xx (e.g. "already COMPLETED" on a repeated commit), and it reads committed | `adopted` |
    /// | answer lost, `PENDING_API_COMMIT` read a settle window after the loss | committed again: `recreated` |
    /// | refused, and it reads `PENDING_API_COMMIT` (or not found), with no lost commit before | `refused` |
    /// | the read shows another withdrawal | `conflict` |
    /// | never sent (connection refused until attempts ran out) | `not_sent` |
    /// | still undecided after the reads | `unknown` (resume with the same id later) |
    pub async fn commit_withdrawal(
        &self,
        withdrawal_id: impl Into<String>,
    ) -> PayoutOutcome<Withdrawal> {
        self.commit(&CommitWithdrawal::new(withdrawal_id)).await
    }

    /// Commits `quote` (from [`create_withdrawal`](Self::create_withdrawal)) pinned to its terms:
    /// a withdrawal read back with another amount, asset or target account is a `conflict`.
    pub async fn commit_quote(&self, quote: &Withdrawal) -> PayoutOutcome<Withdrawal> {
        self.commit(&CommitWithdrawal::for_quote(quote)).await
    }

    /// Runs `commit` with recovery, through the journal when one is configured
    /// (`.executor(|e| e.journal(…))` on the builder): a withdrawal id journaled before is
    /// resumed, not committed again blindly, and another commit (other terms) under it is refused.
    pub async fn commit(&self, commit: &CommitWithdrawal) -> PayoutOutcome<Withdrawal> {
        client::create(self, commit).await
    }

    /// Resumes the recovery of `commit` from stored `evidence` (for instance
    /// [`Evidence::interrupted_send`] after a crash during the commit): it reads the withdrawal
    /// before it commits anything again. For callers keeping their own evidence; with a journal,
    /// call [`commit`](Self::commit) again (or [`resume_journal`](Self::resume_journal)).
    pub async fn resume_commit(
        &self,
        commit: &CommitWithdrawal,
        evidence: Evidence,
    ) -> PayoutOutcome<Withdrawal> {
        client::resume(self, commit, evidence).await
    }

    /// Drives the due COINQVEST intents of the journal to an outcome (read before anything is committed again); an intent
    /// still `unknown` comes back on a later call. See [`client::resume_journal`].
    pub async fn resume_journal(&self) -> Result<Vec<Resumed>, StoreError> {
        client::resume_journal(self, false).await
    }

    /// Drives every unfinished COINQVEST intent now, due or not (as `pay journal resume` does).
    pub async fn resume_journal_now(&self) -> Result<Vec<Resumed>, StoreError> {
        client::resume_journal(self, true).await
    }

    /// Drives one claimed intent, by its operation.
    pub(super) async fn resume_by_operation(&self, claimed: Claimed) -> Resumed {
        match claimed.record.intent.key.operation.as_str() {
            CommitWithdrawal::OPERATION => {
                client::resume_as::<_, CommitWithdrawal>(self, claimed).await
            }
            _ => client::not_driven(self, claimed).await,
        }
    }
}
