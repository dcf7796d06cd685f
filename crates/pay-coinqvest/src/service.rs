//! Service endpoints: `GET /ping`, `GET /time`, `GET /auth-test`.
//!
//! # Keeping time with the server
//!
//! The server refuses digest timestamps older than 30 seconds. When the local clock may be off, sign
//! with a [`pay_core::clock::OffsetClock`] synchronised from `GET /time`:
//!
//! ```
//! use pay_coinqvest::service::{GetTime, ServerTime};
//! use pay_core::clock::{Clock, ManualClock, OffsetClock};
//! use pay_core::endpoint::Endpoint;
//! use time::macros::datetime;
//!
//! let local = ManualClock::new(datetime!(2018-05-09 20:43:00 UTC)); // 63 s behind the server
//! let clock = OffsetClock::new(&local);
//! let response = http::Response::new(bytes::Bytes::from_static(br#"{"time":1525898643}"#));
//! let server: ServerTime = GetTime.parse_response(&response).unwrap();
//! server.sync(&clock).unwrap(); // same as clock.sync_to(server.instant()?)
//! assert_eq!(clock.now().unix_timestamp(), 1525898643);
//! // Sign every attempt with `clock.now()`: DigestSigner::authenticate(&mut request, clock.now()).
//! ```
//!
//! The offset keeps the request's own latency (at most a second or two): well inside the 30-second
//! window. Re-synchronise when a request is refused with 401 and the clock may have drifted.

use bytes::Bytes;
use pay_core::Error;
use pay_core::clock::{Clock, OffsetClock};
use pay_core::endpoint::{Endpoint, EndpointInfo};
use serde::Deserialize;
use time::OffsetDateTime;

use crate::{error, wire};

/// `{"success": true}`, the answer of `GET /ping`, `GET /auth-test`, `PUT /customer` and
/// `DELETE /customer`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct Success {
    /// Whether the request was processed.
    pub success: bool,
}

/// Reads `{"success": …}` and treats `false` as a refusal.
pub(crate) fn decode_success(response: &http::Response<Bytes>) -> Result<Success, Error> {
    let out: Success = error::decode(response)?;
    if !out.success {
        return Err(Error::Provider(pay_core::error::ProviderError::new(
            pay_core::error::Provider::Coinqvest,
            response.status(),
            None,
            "the server answered success: false",
            Vec::new(),
        )));
    }
    Ok(out)
}

/// `GET /ping` (public): checks connectivity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Ping;

impl Endpoint for Ping {
    type Output = Success;
    type Context = ();
    const INFO: EndpointInfo = info!("coinqvest.ping", GET, "/ping", Safe);

    fn build_request(&self, _: &()) -> Result<http::Request<Bytes>, Error> {
        wire::get(Self::INFO.path, &[])
    }

    fn parse_response(&self, response: &http::Response<Bytes>) -> Result<Success, Error> {
        decode_success(response)
    }
}

/// `GET /time` (public): the server's Unix time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct GetTime;

/// The answer to `GET /time`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct ServerTime {
    /// Unix seconds on the server.
    pub time: i64,
}

impl ServerTime {
    /// The server time as an instant.
    pub fn instant(&self) -> Result<OffsetDateTime, Error> {
        OffsetDateTime::from_unix_timestamp(self.time)
            .map_err(|e| Error::invalid_input("time", e.to_string()))
    }

    /// Shifts `clock` so that it reads the server time now ([`OffsetClock::sync_to`]).
    pub fn sync<C: Clock>(&self, clock: &OffsetClock<C>) -> Result<(), Error> {
        clock.sync_to(self.instant()?);
        Ok(())
    }
}

impl Endpoint for GetTime {
    type Output = ServerTime;
    type Context = ();
    const INFO: EndpointInfo = info!("coinqvest.time", GET, "/time", Safe);

    fn build_request(&self, _: &()) -> Result<http::Request<Bytes>, Error> {
        wire::get(Self::INFO.path, &[])
    }

    fn parse_response(&self, response: &http::Response<Bytes>) -> Result<ServerTime, Error> {
        let out: ServerTime = error::decode(response)?;
        out.instant().map_err(|_| {
            Error::undecodable(
                response.status(),
                "time is out of range",
                response.body().clone(),
            )
        })?;
        Ok(out)
    }
}

/// `GET /auth-test` (protected): checks that authentication works.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct AuthTest;

impl Endpoint for AuthTest {
    type Output = Success;
    type Context = ();
    const INFO: EndpointInfo = info!("coinqvest.auth_test", GET, "/auth-test", Safe);

    fn build_request(&self, _: &()) -> Result<http::Request<Bytes>, Error> {
        wire::get(Self::INFO.path, &[])
    }

    fn parse_response(&self, response: &http::Response<Bytes>) -> Result<Success, Error> {
        decode_success(response)
    }
}
