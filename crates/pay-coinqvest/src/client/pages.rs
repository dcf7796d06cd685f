//! Walking a list endpoint page by page: [`CoinqvestClient::pages`].

use std::fmt;

use pay_transport::CallError;
use pay_transport::service::HttpService;

use super::CoinqvestClient;
use crate::pagination::{ListOutput, Pages, Paginated};

impl<S: HttpService> CoinqvestClient<S> {
    /// Walks every page of a list (`ListCheckouts`, `ListPayments`, `ListWithdrawals`,
    /// `ListCustomers`) starting with `first`.
    ///
    /// ```no_run
    /// # async fn demo(client: pay_coinqvest::client::CoinqvestClient) -> Result<(), pay_transport::CallError> {
    /// use pay_coinqvest::payments::ListPayments;
    ///
    /// let mut pages = client.pages(ListPayments::default());
    /// while let Some(page) = pages.next_page().await {
    ///     for payment in page?.payments {
    ///         println!("{} {}", payment.id, payment.credit_amount);
    ///     }
    /// }
    /// # Ok(()) }
    /// ```
    pub fn pages<E>(&self, first: E) -> PageWalker<'_, S, E>
    where
        E: Paginated<Context = ()>,
        E::Output: ListOutput,
    {
        PageWalker {
            client: self,
            pages: Pages::new(first),
        }
    }
}

/// Follows the pages of a list through the client: see [`CoinqvestClient::pages`].
pub struct PageWalker<'a, S, E> {
    client: &'a CoinqvestClient<S>,
    pages: Pages<E>,
}

impl<S, E: fmt::Debug> fmt::Debug for PageWalker<'_, S, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PageWalker")
            .field("pages", &self.pages)
            .finish_non_exhaustive()
    }
}

impl<S, E> PageWalker<'_, S, E>
where
    S: HttpService,
    E: Paginated<Context = ()>,
    E::Output: ListOutput,
{
    /// The next page, or `None` after the last one. After an error the walk stays on the same
    /// page: calling again repeats that read.
    pub async fn next_page(&mut self) -> Option<Result<E::Output, CallError>> {
        let request = self.pages.next_request()?;
        let page = self.client.call(request).await;
        if let Ok(output) = &page {
            self.pages.advance(output);
        }
        Some(page)
    }

    /// Every remaining page, or the first error.
    pub async fn collect_all(mut self) -> Result<Vec<E::Output>, CallError> {
        let mut out = Vec::new();
        while let Some(page) = self.next_page().await {
            out.push(page?);
        }
        Ok(out)
    }

    /// Pages read so far.
    pub fn pages_read(&self) -> u64 {
        self.pages.pages_read()
    }
}
