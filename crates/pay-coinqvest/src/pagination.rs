//! Lists (`GET /checkouts`, `/payments`, `/withdrawals`, `/customers`) are paged by `limit` and
//! `offset`. [`Pages`] walks them without doing IO: it hands out the request to send, you feed it the
//! answer, and it works out the next request (or that there is none).
//!
//! ```
//! use pay_coinqvest::pagination::{Page, Pages};
//! use pay_coinqvest::payments::{ListPayments, PaymentList};
//! use pay_core::endpoint::Endpoint;
//!
//! let mut pages = Pages::new(ListPayments::new(Page::new(2, 0)));
//! let mut seen = 0;
//! while let Some(request) = pages.next_request() {
//!     let uri = request.build_request(&()).unwrap().uri().to_string();
//!     // ... sign and send, then parse (here: a canned answer with 3 payments in all).
//!     let body = match uri.as_str() {
//!         "/payments?limit=2&offset=0" => r#"{"count":3,"limit":"2","offset":0,"payments":[PAY,PAY]}"#,
//!         "/payments?limit=2&offset=2" => r#"{"count":3,"limit":2,"offset":"2","payments":[PAY]}"#,
//!         other => panic!("unexpected {other}"),
//!     }
//!     .replace("PAY", r#"{"id":"0bb9f9aa929f","type":"PAYMENT","state":"RESOLVED","timestamp":"2020-03-01T13:33:51+02:00","creditAssetCode":"USD","creditAssetIssuer":"USD:X","creditAmount":"1.0000000","sourceAssetCode":"XLM","sourceAssetIssuer":"XLM:NATIVE","sourceAmount":"4.4","sourceBlockchain":"XLM","sourceAccount":null,"sourceTxId":null,"customerId":null,"checkoutId":"2b2813372e89"}"#);
//!     let response = http::Response::new(bytes::Bytes::from(body));
//!     let list: PaymentList = request.parse_response(&response).unwrap();
//!     seen += list.payments.len();
//!     pages.advance(&list);
//! }
//! assert_eq!(seen, 3);
//! ```

/// The default and largest page size the API documents.
pub const DEFAULT_LIMIT: u32 = 250;

/// Which page of a list to ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Page {
    /// Most items to return (`limit`).
    pub limit: u32,
    /// How many items to skip (`offset`).
    pub offset: u64,
}

impl Page {
    /// A page of `limit` items starting after `offset` items.
    pub const fn new(limit: u32, offset: u64) -> Self {
        Self { limit, offset }
    }
}

impl Default for Page {
    /// `limit=250&offset=0`, the API's defaults, sent explicitly.
    fn default() -> Self {
        Self::new(DEFAULT_LIMIT, 0)
    }
}

/// The paging facts of a list answer ([`ListOutput::meta`]; each page type decodes them, with
/// `limit` and `offset` as numbers or strings).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ListMeta {
    /// How many items exist in all.
    pub count: u64,
    /// The `limit` the server applied.
    pub limit: u64,
    /// The `offset` the server applied.
    pub offset: u64,
}

/// A list answer: its paging facts and how many items this page holds.
pub trait ListOutput {
    /// The paging facts.
    fn meta(&self) -> ListMeta;
    /// How many items this page holds.
    fn items_len(&self) -> usize;
}

/// A list request that can produce the request for the following page.
pub trait Paginated: pay_core::endpoint::Endpoint + Sized {
    /// The page this request asks for.
    fn page(&self) -> Page;
    /// The same request for another page.
    fn with_page(&self, page: Page) -> Self;

    /// The request for the page after `output`, or `None` when `output` was the last page.
    ///
    /// The next offset is the answered offset plus the number of items received (not the limit: the
    /// server may cap it). An empty page ends the walk, so a misbehaving server cannot loop it.
    fn next_page(&self, output: &Self::Output) -> Option<Self>
    where
        Self::Output: ListOutput,
    {
        let meta = output.meta();
        let received = u64::try_from(output.items_len()).ok()?;
        if received == 0 {
            return None;
        }
        let next_offset = meta.offset.checked_add(received)?;
        if next_offset >= meta.count || next_offset <= self.page().offset {
            return None;
        }
        Some(self.with_page(Page::new(self.page().limit, next_offset)))
    }
}

/// A sans-IO walk over every page of a list. See the [module documentation](self).
#[derive(Debug, Clone)]
pub struct Pages<E> {
    next: Option<E>,
    pages: u64,
}

impl<E> Pages<E>
where
    E: Paginated,
    E::Output: ListOutput,
{
    /// Starts with `first`.
    pub fn new(first: E) -> Self {
        Self {
            next: Some(first),
            pages: 0,
        }
    }

    /// The request to send now, or `None` when every page was read.
    pub fn next_request(&self) -> Option<&E> {
        self.next.as_ref()
    }

    /// Feeds the answer to [`next_request`](Self::next_request); works out the following request.
    pub fn advance(&mut self, output: &E::Output) {
        self.pages += 1;
        self.next = self
            .next
            .as_ref()
            .and_then(|current| current.next_page(output));
    }

    /// How many pages were fed so far.
    pub fn pages_read(&self) -> u64 {
        self.pages
    }
}

/// Declares a paged list endpoint (`GET /checkouts`, `/payments`, `/withdrawals`, `/customers`): the
/// request (a [`Page`]), its output page (`count`, lenient `limit`/`offset`, the items), and their
/// [`ListOutput`], `Endpoint` and [`Paginated`] impls.
macro_rules! paginated_list {
    (
        $(#[$request_doc:meta])*
        request: $request:ident,
        output: $output:ident { $items:ident: Vec<$item:ty> },
        noun: $noun:literal,
        info: ($name:literal, $path:literal),
    ) => {
        $(#[$request_doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
        pub struct $request {
            /// The page to fetch.
            pub page: $crate::pagination::Page,
        }

        impl $request {
            /// Asks for `page`.
            pub fn new(page: $crate::pagination::Page) -> Self {
                Self { page }
            }
        }

        #[doc = concat!("A page of ", $noun, ".")]
        #[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
        #[non_exhaustive]
        pub struct $output {
            #[doc = concat!("How many ", $noun, " exist.")]
            #[serde(deserialize_with = "pay_core::json::decode::uint")]
            pub count: u64,
            /// The limit applied (a number or a string on the wire).
            #[serde(deserialize_with = "pay_core::json::decode::uint")]
            pub limit: u64,
            /// The offset applied (a number or a string on the wire).
            #[serde(deserialize_with = "pay_core::json::decode::uint")]
            pub offset: u64,
            #[doc = concat!("The ", $noun, " of this page.")]
            pub $items: Vec<$item>,
        }

        impl $crate::pagination::ListOutput for $output {
            fn meta(&self) -> $crate::pagination::ListMeta {
                $crate::pagination::ListMeta {
                    count: self.count,
                    limit: self.limit,
                    offset: self.offset,
                }
            }
            fn items_len(&self) -> usize {
                self.$items.len()
            }
        }

        impl pay_core::endpoint::Endpoint for $request {
            type Output = $output;
            type Context = ();
            const INFO: pay_core::endpoint::EndpointInfo = info!($name, GET, $path, Safe);

            fn build_request(&self, _: &()) -> Result<http::Request<bytes::Bytes>, pay_core::Error> {
                $crate::wire::get_page(Self::INFO.path, self.page)
            }

            fn parse_response(
                &self,
                response: &http::Response<bytes::Bytes>,
            ) -> Result<$output, pay_core::Error> {
                $crate::error::decode(response)
            }
        }

        impl $crate::pagination::Paginated for $request {
            fn page(&self) -> $crate::pagination::Page {
                self.page
            }
            fn with_page(&self, page: $crate::pagination::Page) -> Self {
                Self { page }
            }
        }
    };
}
pub(crate) use paginated_list;
