//! Callback and webhook delivery with the providers' retry behaviour, every attempt recorded.
//!
//! * Qostiq: up to **25 attempts**, until the receiver answers HTTP 200 with body `OK`; intervals
//!   grow from 1 minute to hours, the last attempt a day after the first ([`QOSTIQ_INTERVALS_MIN`]).
//! * COINQVEST: until HTTP 200, for **48 hours**, intervals doubling from 1 minute up to 4 hours
//!   ([`coinqvest_intervals_min`]).
//!
//! [`DeliverySchedule::speedup`] divides every interval (`callbacks_fast`: a minute becomes a
//! millisecond).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use http::header::{CONTENT_TYPE, USER_AGENT};
use http::{Method, Request};
use http_body_util::{BodyExt, Full, Limited};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use pay_core::clock::Clock;
use time::OffsetDateTime;
use tokio::sync::watch;

use crate::api::Api;
use crate::config::{DeliverySchedule, SandboxClock};
use crate::dates::w3c;
use crate::json::{Json, integer, object, optional_string, string};
use crate::locking::lock;
use crate::outbox::Outgoing;

/// Minutes to wait before each Qostiq attempt (25 attempts; the last one 24 h after the first).
const QOSTIQ_INTERVALS_MIN: [u64; 25] = [
    0, 1, 2, 4, 8, 15, 30, 30, 30, 60, 60, 60, 60, 60, 60, 60, 60, 60, 60, 60, 60, 60, 60, 60, 420,
];

/// COINQVEST's 48-hour retry window, in minutes.
const COINQVEST_WINDOW_MIN: u64 = 48 * 60;

/// Minutes to wait before each COINQVEST attempt: 0, 1, 2, 4, … doubling up to 240, while the
/// total stays within 48 hours.
fn coinqvest_intervals_min() -> Vec<u64> {
    let mut out = vec![0];
    let mut total = 0;
    let mut next = 1;
    while total + next <= COINQVEST_WINDOW_MIN {
        out.push(next);
        total += next;
        next = (next * 2).min(240);
    }
    out
}

/// One delivery attempt.
#[derive(Debug, Clone)]
struct Attempt {
    /// 1-based.
    number: u32,
    /// Sandbox time of the attempt.
    at: OffsetDateTime,
    /// The HTTP status, when an answer came.
    status: Option<u16>,
    /// The answer's body (first 200 characters).
    response: String,
    /// The transport error, if any.
    error: Option<String>,
}

/// Where a delivery stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DeliveryState {
    /// Still retrying.
    Pending,
    /// Accepted by the receiver.
    Delivered,
    /// Every attempt used.
    GaveUp,
    /// No URL configured: nothing sent.
    NoUrl,
}

/// A delivery and its attempts.
#[derive(Debug, Clone)]
struct DeliveryRecord {
    id: usize,
    outgoing: Outgoing,
    state: DeliveryState,
    attempts: Vec<Attempt>,
}

impl DeliveryRecord {
    /// The record as the admin API lists it.
    fn to_json(&self) -> Json {
        let state = match self.state {
            DeliveryState::Pending => "pending",
            DeliveryState::Delivered => "delivered",
            DeliveryState::GaveUp => "gave_up",
            DeliveryState::NoUrl => "no_url",
        };
        let out = &self.outgoing;
        object([
            ("id", integer(self.id as u64)),
            ("provider", string(out.sender.name())),
            ("kind", string(out.kind)),
            ("reference", string(&out.reference)),
            ("url", optional_string(out.url.as_deref())),
            ("state", string(state)),
            ("body", string(&out.body)),
            (
                "headers",
                Json::Object(
                    out.headers
                        .iter()
                        .map(|(k, v)| ((*k).to_owned(), string(v)))
                        .collect(),
                ),
            ),
            (
                "attempts",
                Json::Array(
                    self.attempts
                        .iter()
                        .map(|a| {
                            object([
                                ("number", integer(a.number)),
                                ("at", string(w3c(a.at))),
                                ("status", a.status.map_or(Json::Null, integer)),
                                ("response", string(&a.response)),
                                ("error", optional_string(a.error.as_deref())),
                            ])
                        })
                        .collect(),
                ),
            ),
        ])
    }
}

/// The delivery log and what sends: the HTTP client, the schedule, the sandbox clock.
pub(crate) struct Deliveries {
    log: Mutex<Vec<DeliveryRecord>>,
    client: Client<HttpConnector, Full<Bytes>>,
    schedule: DeliverySchedule,
    clock: Arc<SandboxClock>,
    shutdown: watch::Receiver<bool>,
}

impl Deliveries {
    /// An empty log; deliveries stop when `shutdown` flips to `true`.
    pub(crate) fn new(
        schedule: DeliverySchedule,
        clock: Arc<SandboxClock>,
        shutdown: watch::Receiver<bool>,
    ) -> Self {
        Self {
            log: Mutex::new(Vec::new()),
            client: Client::builder(TokioExecutor::new())
                .pool_max_idle_per_host(0)
                .build_http(),
            schedule,
            clock,
            shutdown,
        }
    }

    /// Records and starts delivering each outgoing message (needs a tokio runtime).
    pub(crate) fn dispatch(self: &Arc<Self>, outgoing: Vec<Outgoing>) {
        for out in outgoing {
            let id = {
                let mut log = lock(&self.log);
                let id = log.len();
                log.push(DeliveryRecord {
                    id,
                    state: if out.url.is_some() {
                        DeliveryState::Pending
                    } else {
                        DeliveryState::NoUrl
                    },
                    outgoing: out.clone(),
                    attempts: Vec::new(),
                });
                id
            };
            if out.url.is_some() {
                let deliveries = Arc::clone(self);
                tokio::spawn(async move { deliveries.deliver(id, out).await });
            }
        }
    }

    /// The log as the admin API lists it, filtered by provider and kind when given.
    pub(crate) fn to_json(&self, provider: Option<&str>, kind: Option<&str>) -> Json {
        Json::Array(
            lock(&self.log)
                .iter()
                .filter(|d| {
                    provider.is_none_or(|p| d.outgoing.sender.name() == p)
                        && kind.is_none_or(|k| d.outgoing.kind == k)
                })
                .map(DeliveryRecord::to_json)
                .collect(),
        )
    }

    async fn deliver(&self, id: usize, out: Outgoing) {
        let Some(url) = out.url.clone() else { return };
        let intervals: Vec<u64> = match out.sender {
            Api::Qostiq => QOSTIQ_INTERVALS_MIN.to_vec(),
            Api::Coinqvest => coinqvest_intervals_min(),
        };
        let mut shutdown = self.shutdown.clone();
        for (index, minutes) in intervals.iter().enumerate() {
            let wait = scaled(*minutes, self.schedule.speedup);
            if !wait.is_zero() {
                tokio::select! {
                    () = tokio::time::sleep(wait) => {}
                    _ = shutdown.changed() => return,
                }
            }
            let at = self.clock.now();
            let result =
                tokio::time::timeout(self.schedule.attempt_timeout, self.send(&url, &out)).await;
            let (status, response, error) = match result {
                Ok(Ok((status, body))) => (Some(status), body, None),
                Ok(Err(e)) => (None, String::new(), Some(e)),
                Err(_) => (None, String::new(), Some("timed out".to_owned())),
            };
            let accepted = match out.sender {
                Api::Qostiq => status == Some(200) && response.trim() == "OK",
                Api::Coinqvest => status == Some(200),
            };
            let mut log = lock(&self.log);
            if let Some(record) = log.get_mut(id) {
                record.attempts.push(Attempt {
                    number: u32::try_from(index + 1).unwrap_or(u32::MAX),
                    at,
                    status,
                    response: response.chars().take(200).collect(),
                    error,
                });
                if accepted {
                    record.state = DeliveryState::Delivered;
                    return;
                }
            }
        }
        if let Some(record) = lock(&self.log).get_mut(id) {
            record.state = DeliveryState::GaveUp;
        }
    }

    async fn send(&self, url: &str, out: &Outgoing) -> Result<(u16, String), String> {
        let agent = match out.sender {
            Api::Qostiq => "Qostiq Callback Sender (pay-sandbox)",
            Api::Coinqvest => "COINQVEST Webhook Engine 1.0.0",
        };
        let mut builder = Request::builder()
            .method(Method::POST)
            .uri(url)
            .header(CONTENT_TYPE, "application/json")
            .header(USER_AGENT, agent);
        for (name, value) in &out.headers {
            builder = builder.header(*name, value);
        }
        let request = builder
            .body(Full::new(Bytes::from(out.body.clone())))
            .map_err(|e| format!("bad request: {e}"))?;
        let response = self
            .client
            .request(request)
            .await
            .map_err(|e| format!("{e}"))?;
        let status = response.status().as_u16();
        let body = Limited::new(response.into_body(), 64 * 1024)
            .collect()
            .await
            .map_err(|e| format!("reading answer: {e}"))?
            .to_bytes();
        Ok((status, String::from_utf8_lossy(&body).into_owned()))
    }
}

fn scaled(minutes: u64, speedup: u32) -> Duration {
    let ms = minutes.saturating_mul(60_000) / u64::from(speedup.max(1));
    Duration::from_millis(ms)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schedules_match_the_providers() {
        assert_eq!(QOSTIQ_INTERVALS_MIN.len(), 25);
        assert_eq!(QOSTIQ_INTERVALS_MIN.iter().sum::<u64>(), 24 * 60);
        let cq = coinqvest_intervals_min();
        assert!(cq.iter().sum::<u64>() <= COINQVEST_WINDOW_MIN);
        assert!(cq.iter().sum::<u64>() > COINQVEST_WINDOW_MIN - 240);
        assert_eq!(scaled(1, 60_000), Duration::from_millis(1));
    }
}
