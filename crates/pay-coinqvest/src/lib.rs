//! # pay-coinqvest
//!
//! The COINQVEST Merchant API v1, sans IO: every one of its 29 endpoints as a typed request that
//! becomes an `http::Request<Bytes>` and a typed answer read from an `http::Response<Bytes>`, exact
//! money ([`Amount`](pay_core::money::Amount), never `f64`), digest authentication signing exactly the
//! bytes sent, and verified webhooks.
//!
//! | family | endpoints |
//! |---|---|
//! | [`checkouts`] | `POST /checkout`, `POST /checkout/commit`, `POST /checkout/hosted`, `GET /checkout`, `GET /checkouts` |
//! | [`payments`] | `GET /payment`, `GET /payments` |
//! | [`wallets`] | `GET /wallets`, `GET /wallet` |
//! | [`withdrawals`] | `POST /withdrawal`, `POST /withdrawal/commit`, `GET /withdrawal`, `GET /withdrawals` |
//! | [`reference`](mod@reference) | `GET /asset-issuers`, `/asset-issuer`, `/assets`, `/asset`, `/fiat-currencies`, `/fiat-currency`, `/blockchains`, `/blockchain` |
//! | [`service`] | `GET /ping`, `GET /time`, `GET /auth-test` |
//! | [`customers`] | `GET /customers`, `POST /customer`, `GET /customer`, `PUT /customer`, `DELETE /customer` |
//! | [`webhooks`] | the payment webhook, flat and `{eventType, data}` |
//!
//! Requests carry a target relative to the base URL ([`DEFAULT_BASE_URL`]); authentication is a
//! per-attempt header added by [`DigestSigner`] (through [`pay_core::endpoint::Authenticate`]) after the
//! body is final, with a fresh timestamp each attempt.
//!
//! ```
//! use pay_coinqvest::checkouts::{ChargeBuilder, CreateHostedCheckout, HostedCheckout, LineItem};
//! use pay_coinqvest::DigestSigner;
//! use pay_core::endpoint::{Authenticate, BaseUrl, Endpoint};
//! use pay_core::secret::Secret;
//! use time::macros::datetime;
//!
//! let params = ChargeBuilder::new("USD")
//!     .line_item(LineItem::new("T-Shirt", "10.00".parse().unwrap()))
//!     .build()
//!     .unwrap();
//! let call = CreateHostedCheckout::new(params);
//! let mut request = call.build_request(&()).unwrap();
//! assert_eq!(
//!     request.body().as_ref(),
//!     br#"{"charge":{"currency":"USD","lineItems":[{"description":"T-Shirt","netAmount":10}]}}"#
//! );
//! let signer = DigestSigner::new("a1b2c3d4e5f6", Secret::new("Abcd-Efgh-Ijkl-Mnop-Qrst-Uvwx").unwrap());
//! signer.authenticate(&mut request, datetime!(2020-09-13 12:26:42 UTC)).unwrap();
//! assert_eq!(request.headers()["X-Digest-Timestamp"], "1600000002");
//! assert_eq!(
//!     request.headers()["X-Digest-Signature"],
//!     "2c1e5abd77037e520bd239b5d1c1bb10e8c8d33a2b7f3a77c59cdec52c07e0d2"
//! );
//! let base: BaseUrl = pay_coinqvest::DEFAULT_BASE_URL.parse().unwrap();
//! assert_eq!(base.resolve(request.uri()).unwrap(), "https://www.coinqvest.com/api/v1/checkout/hosted");
//!
//! // ... send it with any HTTP client, then:
//! let response = http::Response::new(bytes::Bytes::from_static(
//!     br#"{"id":"b5bcf27e5482","url":"https:\/\/www.coinqvest.com\/en\/checkout?id=b5bcf27e5482"}"#,
//! ));
//! let hosted: HostedCheckout = call.parse_response(&response).unwrap();
//! assert_eq!(hosted.url, "https://www.coinqvest.com/en/checkout?id=b5bcf27e5482");
//! ```
//!
//! See `docs/coinqvest.md` for a guide per flow. With the `client` feature, the `client` module (not built
//! by default) runs every endpoint over HTTP with retries, commit recovery and clock re-sync.

/// Builds the [`EndpointInfo`](pay_core::endpoint::EndpointInfo) of a COINQVEST endpoint. COINQVEST
/// publishes no polling floor: its status reads leave `poll_floor` empty and get the transport's
/// default when polled.
macro_rules! info {
    ($name:literal, $method:ident, $path:literal, $retry:ident) => {
        pay_core::endpoint::EndpointInfo {
            provider: pay_core::error::Provider::Coinqvest,
            name: $name,
            method: http::Method::$method,
            path: $path,
            retry_class: pay_core::retry::RetryClass::$retry,
            poll_floor: None,
        }
    };
}

/// Declares a `GET` endpoint that lists every item without paging (`/wallets`, `/assets`, …): the
/// request, its answer and the `Endpoint` impl.
macro_rules! list_endpoint {
    ($(#[$doc:meta])* $name:ident, $out:ident, $field:ident: $item:ty, $wire:literal, $dotted:literal, $path:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
        pub struct $name;

        #[doc = concat!("The answer to `GET ", $path, "`.")]
        #[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
        #[non_exhaustive]
        pub struct $out {
            /// The items.
            #[serde(rename = $wire)]
            pub $field: Vec<$item>,
        }

        impl pay_core::endpoint::Endpoint for $name {
            type Output = $out;
            type Context = ();
            const INFO: pay_core::endpoint::EndpointInfo = info!($dotted, GET, $path, Safe);

            fn build_request(&self, _: &()) -> Result<http::Request<bytes::Bytes>, pay_core::Error> {
                $crate::wire::get(Self::INFO.path, &[])
            }

            fn parse_response(&self, response: &http::Response<bytes::Bytes>) -> Result<$out, pay_core::Error> {
                $crate::error::decode(response)
            }
        }
    };
}

/// Declares a `GET` endpoint that reads one object by one query parameter (`/checkout?id=…`,
/// `/wallet?assetCode=…`): the request, the answer's envelope and the `Endpoint` impl, answering
/// `Lookup::NotFound` on the API's own 404. The last, optional, argument is a `deserialize_with`
/// for the object (one-element arrays).
macro_rules! get_endpoint {
    ($(#[$doc:meta])* $name:ident, $field:ident, $param:literal, $out:ty, $envelope:ident, $wire:literal, $dotted:literal, $path:literal $(, $with:literal)?) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub struct $name {
            #[doc = concat!("Sent as `", $param, "`.")]
            pub $field: String,
        }

        impl $name {
            #[doc = concat!("Asks for `", $param, "` = `", stringify!($field), "`.")]
            pub fn new($field: impl Into<String>) -> Self {
                Self { $field: $field.into() }
            }
        }

        #[derive(serde::Deserialize)]
        struct $envelope {
            #[serde(rename = $wire $(, deserialize_with = $with)?)]
            inner: $out,
        }

        impl pay_core::endpoint::Endpoint for $name {
            type Output = pay_core::endpoint::Lookup<$out>;
            type Context = ();
            const INFO: pay_core::endpoint::EndpointInfo = info!($dotted, GET, $path, Safe);

            fn build_request(&self, _: &()) -> Result<http::Request<bytes::Bytes>, pay_core::Error> {
                $crate::wire::require($param, &self.$field)?;
                $crate::wire::get(Self::INFO.path, &[($param, &self.$field)])
            }

            fn parse_response(
                &self,
                response: &http::Response<bytes::Bytes>,
            ) -> Result<pay_core::endpoint::Lookup<$out>, pay_core::Error> {
                $crate::error::decode_lookup::<$envelope>(response).map(|found| found.map(|e| e.inner))
            }
        }
    };
}

pub mod checkouts;
#[cfg(feature = "client")]
pub mod client;
pub mod customers;
pub mod error;
pub mod pagination;
pub mod payments;
pub mod reference;
pub mod service;
pub mod state;
pub mod wallets;
pub mod webhooks;
mod wire;
pub mod withdrawals;

pub use pay_signing::coinqvest::{BasicAuth, DigestSigner, WebhookVerifier, sign_webhook};

/// The production base URL. Keep it configurable: the same API has moved hosts before.
pub const DEFAULT_BASE_URL: &str = "https://www.coinqvest.com/api/v1";

/// Every endpoint of the API, for tables, metrics and tests.
pub static ENDPOINTS: [pay_core::endpoint::EndpointInfo; 29] = {
    use pay_core::endpoint::Endpoint as E;
    [
        <checkouts::CreateCheckout as E>::INFO,
        <checkouts::CommitCheckout as E>::INFO,
        <checkouts::CreateHostedCheckout as E>::INFO,
        <checkouts::GetCheckout as E>::INFO,
        <checkouts::ListCheckouts as E>::INFO,
        <payments::GetPayment as E>::INFO,
        <payments::ListPayments as E>::INFO,
        <wallets::ListWallets as E>::INFO,
        <wallets::GetWallet as E>::INFO,
        <withdrawals::CreateWithdrawal as E>::INFO,
        <withdrawals::CommitWithdrawal as E>::INFO,
        <withdrawals::GetWithdrawal as E>::INFO,
        <withdrawals::ListWithdrawals as E>::INFO,
        <reference::ListAssetIssuers as E>::INFO,
        <reference::GetAssetIssuer as E>::INFO,
        <reference::ListAssets as E>::INFO,
        <reference::GetAsset as E>::INFO,
        <reference::ListFiatCurrencies as E>::INFO,
        <reference::GetFiatCurrency as E>::INFO,
        <reference::ListBlockchains as E>::INFO,
        <reference::GetBlockchain as E>::INFO,
        <service::Ping as E>::INFO,
        <service::GetTime as E>::INFO,
        <service::AuthTest as E>::INFO,
        <customers::ListCustomers as E>::INFO,
        <customers::CreateCustomer as E>::INFO,
        <customers::GetCustomer as E>::INFO,
        <customers::UpdateCustomer as E>::INFO,
        <customers::DeleteCustomer as E>::INFO,
    ]
};
