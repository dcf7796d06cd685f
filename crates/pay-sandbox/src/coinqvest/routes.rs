//! The COINQVEST route table and the request path through it: authenticate, parse, run the
//! handler.
//!
//! Adding an endpoint is one handler function (`fn(&mut Context, &CoinqvestRequest) ->
//! CoinqvestAnswer`, in the module of its family) plus one line in [`ROUTES`].

use http::{HeaderMap, Method, StatusCode};

use super::protocol::{
    self, AuthCheck, CoinqvestAnswer, CoinqvestError, CoinqvestHandler, CoinqvestRequest,
};
use super::{checkouts, customers, payments, reference, service, wallets, withdrawals};
use crate::exchange::{Reply, query_pairs};
use crate::json::Json;

/// One endpoint: method, path (relative to `/api/v1`), whether it is public, handler.
struct Route {
    method: Method,
    path: &'static str,
    public: bool,
    handler: CoinqvestHandler,
}

const fn public(method: Method, path: &'static str, handler: CoinqvestHandler) -> Route {
    Route {
        method,
        path,
        public: true,
        handler,
    }
}

const fn signed(method: Method, path: &'static str, handler: CoinqvestHandler) -> Route {
    Route {
        method,
        path,
        public: false,
        handler,
    }
}

/// Every emulated endpoint.
const ROUTES: &[Route] = &[
    public(Method::GET, "/ping", service::ping),
    public(Method::GET, "/time", service::time),
    signed(Method::GET, "/auth-test", service::auth_test),
    signed(Method::POST, "/checkout", checkouts::create),
    signed(Method::POST, "/checkout/commit", checkouts::commit),
    signed(Method::POST, "/checkout/hosted", checkouts::hosted),
    signed(Method::GET, "/checkout", checkouts::get),
    signed(Method::GET, "/checkouts", checkouts::list),
    signed(Method::GET, "/payment", payments::get),
    signed(Method::GET, "/payments", payments::list),
    signed(Method::GET, "/wallets", wallets::list),
    signed(Method::GET, "/wallet", wallets::get),
    signed(Method::POST, "/withdrawal", withdrawals::create),
    signed(Method::POST, "/withdrawal/commit", withdrawals::commit),
    signed(Method::GET, "/withdrawal", withdrawals::get),
    signed(Method::GET, "/withdrawals", withdrawals::list),
    signed(Method::GET, "/asset-issuers", reference::asset_issuers),
    signed(Method::GET, "/asset-issuer", reference::asset_issuer),
    signed(Method::GET, "/assets", reference::assets),
    signed(Method::GET, "/asset", reference::asset),
    signed(Method::GET, "/fiat-currencies", reference::fiat_currencies),
    signed(Method::GET, "/fiat-currency", reference::fiat_currency),
    signed(Method::GET, "/blockchains", reference::blockchains),
    signed(Method::GET, "/blockchain", reference::blockchain),
    signed(Method::POST, "/customer", customers::create),
    signed(Method::GET, "/customer", customers::get),
    signed(Method::PUT, "/customer", customers::update),
    signed(Method::DELETE, "/customer", customers::delete),
    signed(Method::GET, "/customers", customers::list),
];

/// A request to a COINQVEST endpoint, as received.
pub(crate) struct Incoming<'a> {
    /// The method.
    pub(crate) method: &'a Method,
    /// The path relative to `/api/v1`.
    pub(crate) endpoint: &'a str,
    /// The query string.
    pub(crate) query: &'a str,
    /// The headers (authentication).
    pub(crate) headers: &'a HeaderMap,
    /// The exact body.
    pub(crate) body: &'a [u8],
}

/// Serves one request: finds the route, authenticates and parses it, then lets `run` call the
/// handler (with the books locked) and answers its result.
pub(crate) fn serve(
    incoming: &Incoming<'_>,
    auth: &AuthCheck<'_>,
    run: impl FnOnce(CoinqvestHandler, &CoinqvestRequest) -> CoinqvestAnswer,
) -> Reply {
    let mut candidates = ROUTES
        .iter()
        .filter(|r| r.path == incoming.endpoint)
        .peekable();
    if candidates.peek().is_none() {
        return CoinqvestError::not_found("Endpoint not found.").reply();
    }
    let Some(route) = candidates.find(|r| r.method == incoming.method) else {
        return CoinqvestError::new(StatusCode::METHOD_NOT_ALLOWED, "Method not allowed.").reply();
    };
    if !route.public
        && let Err(e) = protocol::authenticate(
            auth,
            incoming.method,
            incoming.endpoint,
            incoming.headers,
            incoming.body,
        )
    {
        return e.reply();
    }
    let body = if incoming.body.iter().all(u8::is_ascii_whitespace) {
        Json::Object(Vec::new())
    } else {
        match Json::parse_object(incoming.body) {
            Some(body) => body,
            None => {
                return CoinqvestError::bad("Invalid JSON payload: expected one JSON object.")
                    .reply();
            }
        }
    };
    let request = CoinqvestRequest {
        query_pairs: query_pairs(incoming.query),
        body,
    };
    protocol::reply(run(route.handler, &request))
}
