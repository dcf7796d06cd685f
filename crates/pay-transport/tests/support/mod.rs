//! Shared test endpoints and helpers.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::future::Future;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
pub use http::Method;
use http::{Request, Response, StatusCode};
pub use pay_core::endpoint::{Endpoint, EndpointInfo};
use pay_core::error::{Error, Provider, ProviderError};
pub use pay_core::retry::RetryClass;
use pay_sandbox::ScriptedServer;

/// What every test endpoint returns on a final answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub status: StatusCode,
    pub body: Bytes,
}

fn parse(provider: Provider, r: &Response<Bytes>) -> Result<Answer, Error> {
    let status = r.status();
    if status.is_server_error() || status == StatusCode::TOO_MANY_REQUESTS {
        return Err(ProviderError::new(provider, status, None, "injected", vec![]).into());
    }
    if status.is_success() && r.body().first() != Some(&b'{') && !r.body().is_empty() {
        return Err(Error::undecodable(status, "not JSON", r.body().clone()));
    }
    Ok(Answer {
        status,
        body: r.body().clone(),
    })
}

/// The facts of a test endpoint.
pub const fn info(
    provider: Provider,
    name: &'static str,
    method: Method,
    path: &'static str,
    retry_class: RetryClass,
    poll_floor: Option<Duration>,
) -> EndpointInfo {
    EndpointInfo {
        provider,
        name,
        method,
        path,
        retry_class,
        poll_floor,
    }
}

macro_rules! endpoint {
    ($name:ident, $ename:literal, $method:ident, $path:literal, $class:ident, $provider:ident, $floor:expr) => {
        /// A test endpoint.
        #[derive(Debug, Clone, Default)]
        pub struct $name {
            pub body: Bytes,
        }
        impl Endpoint for $name {
            type Output = Answer;
            type Context = ();
            const INFO: EndpointInfo = info(
                Provider::$provider,
                $ename,
                Method::$method,
                $path,
                RetryClass::$class,
                $floor,
            );
            fn build_request(&self, _: &()) -> Result<Request<Bytes>, Error> {
                Request::builder()
                    .method(Method::$method)
                    .uri($path)
                    .header("content-type", "application/json")
                    .body(self.body.clone())
                    .map_err(|_| Error::invalid_input("request", "invalid"))
            }
            fn parse_response(&self, r: &Response<Bytes>) -> Result<Answer, Error> {
                parse(Provider::$provider, r)
            }
        }
    };
}

endpoint!(
    CreateWithdraw,
    "qostiq.withdraw.create",
    POST,
    "/withdraw/create",
    RecoverByLookup,
    Qostiq,
    None
);
endpoint!(
    WithdrawStatus,
    "qostiq.withdraw.status",
    POST,
    "/withdraw/status",
    Safe,
    Qostiq,
    Some(Duration::from_secs(60))
);
endpoint!(
    CommitWithdrawal,
    "coinqvest.withdrawal.commit",
    POST,
    "/withdrawal/commit",
    Never,
    Coinqvest,
    None
);
endpoint!(
    GetCheckout,
    "coinqvest.checkout.get",
    GET,
    "/checkout",
    Safe,
    Coinqvest,
    None
);

/// Collects values across calls of a `service_fn`.
#[derive(Debug, Clone)]
pub struct Log<T>(pub Arc<Mutex<Vec<T>>>);

impl<T> Default for Log<T> {
    fn default() -> Self {
        Self(Arc::new(Mutex::new(Vec::new())))
    }
}

impl<T: Clone> Log<T> {
    pub fn push(&self, v: T) {
        self.0.lock().unwrap().push(v);
    }
    pub fn all(&self) -> Vec<T> {
        self.0.lock().unwrap().clone()
    }
    pub fn len(&self) -> usize {
        self.0.lock().unwrap().len()
    }
}

/// The sandbox's scripted loopback server; its faults answer the COINQVEST way (`{"errors": …}`).
pub async fn scripted_server() -> ScriptedServer {
    ScriptedServer::start(Provider::Coinqvest).await.unwrap()
}

/// Drives a future whose every wait is virtual: it never stays pending.
pub fn run<F: Future>(fut: F) -> F::Output {
    let mut fut = std::pin::pin!(fut);
    let mut cx = Context::from_waker(std::task::Waker::noop());
    for _ in 0..10_000 {
        if let Poll::Ready(v) = fut.as_mut().poll(&mut cx) {
            return v;
        }
    }
    panic!("future did not complete in virtual time")
}
