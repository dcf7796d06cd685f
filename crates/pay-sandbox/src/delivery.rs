//! Callback and webhook delivery with the providers' retry behaviour, every attempt recorded.
//!
//! * Qostiq: up to **25 attempts**, until the receiver answers HTTP 200 with body `OK`; intervals
//!   grow from 1 minute to hours, the last attempt a day after the first ([`QOSTIQ_INTERVALS_MIN`]).
//! * COINQVEST: until HTTP 200, for **48 hours**, intervals doubling from 1 minute up to 4 hours
//!   ([`coinqvest_intervals_min`]).
//!
//! [`DeliverySchedule::speedup`](crate::config::DeliverySchedule) divides every interval
//! (`callbacks_fast`: a minute becomes a millisecond).

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::header::{CONTENT_TYPE, USER_AGENT};
use http::{Method, Request};
use http_body_util::{BodyExt, Full, Limited};
use time::OffsetDateTime;

use crate::json::{J, int, obj, opt_s, s};
use crate::server::Shared;
use crate::state::lock;
use crate::time_fmt::w3c;

/// Minutes to wait before each Qostiq attempt (25 attempts; the last one 24 h after the first).
pub const QOSTIQ_INTERVALS_MIN: [u64; 25] = [
    0, 1, 2, 4, 8, 15, 30, 30, 30, 60, 60, 60, 60, 60, 60, 60, 60, 60, 60, 60, 60, 60, 60, 60, 420,
];

/// COINQVEST's 48-hour retry window, in minutes.
pub const COINQVEST_WINDOW_MIN: u64 = 48 * 60;

/// Minutes to wait before each COINQVEST attempt: 0, 1, 2, 4, … doubling up to 240, while the
/// total stays within 48 hours.
pub fn coinqvest_intervals_min() -> Vec<u64> {
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

/// Which provider sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Provider {
    /// Qostiq callback (success = HTTP 200 and body `OK`).
    Qostiq,
    /// COINQVEST webhook (success = HTTP 200).
    Coinqvest,
}

impl Provider {
    fn name(self) -> &'static str {
        match self {
            Self::Qostiq => "qostiq",
            Self::Coinqvest => "coinqvest",
        }
    }
}

/// A callback or webhook to send.
#[derive(Debug, Clone)]
pub struct Outgoing {
    /// Sender.
    pub provider: Provider,
    /// `withdraw`, `crypto_withdraw`, `payment`, `invoice`, `checkout_payment`, ...
    pub kind: &'static str,
    /// The operation it is about (id or shop id).
    pub reference: String,
    /// Destination (`None`: nothing configured; recorded, not sent).
    pub url: Option<String>,
    /// The exact body.
    pub body: String,
    /// Extra headers (`X-Webhook-Auth`).
    pub headers: Vec<(&'static str, String)>,
}

/// One delivery attempt.
#[derive(Debug, Clone)]
pub struct Attempt {
    /// 1-based.
    pub number: u32,
    /// Sandbox time of the attempt.
    pub at: OffsetDateTime,
    /// HTTP status, if an answer came.
    pub status: Option<u16>,
    /// Answer body (first 200 bytes).
    pub response: String,
    /// Transport error, if any.
    pub error: Option<String>,
}

/// Delivery state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryState {
    /// Still retrying.
    Pending,
    /// Accepted by the receiver.
    Delivered,
    /// All attempts used.
    GaveUp,
    /// No URL configured: nothing sent.
    NoUrl,
}

/// A delivery and its attempts.
#[derive(Debug, Clone)]
pub struct DeliveryRecord {
    /// Index in the log.
    pub id: usize,
    /// What is sent.
    pub outgoing: Outgoing,
    /// State.
    pub state: DeliveryState,
    /// Attempts so far.
    pub attempts: Vec<Attempt>,
}

impl DeliveryRecord {
    /// The record as JSON (admin API).
    pub fn to_json(&self) -> J {
        let state = match self.state {
            DeliveryState::Pending => "pending",
            DeliveryState::Delivered => "delivered",
            DeliveryState::GaveUp => "gave_up",
            DeliveryState::NoUrl => "no_url",
        };
        obj([
            ("id", int(self.id as u64)),
            ("provider", s(self.outgoing.provider.name())),
            ("kind", s(self.outgoing.kind)),
            ("reference", s(&self.outgoing.reference)),
            ("url", opt_s(self.outgoing.url.as_deref())),
            ("state", s(state)),
            ("body", s(&self.outgoing.body)),
            (
                "headers",
                J::Obj(
                    self.outgoing
                        .headers
                        .iter()
                        .map(|(k, v)| ((*k).to_owned(), s(v)))
                        .collect(),
                ),
            ),
            (
                "attempts",
                J::Arr(
                    self.attempts
                        .iter()
                        .map(|a| {
                            obj([
                                ("number", int(a.number)),
                                ("at", s(w3c(a.at))),
                                ("status", a.status.map_or(J::Null, int)),
                                ("response", s(&a.response)),
                                ("error", opt_s(a.error.as_deref())),
                            ])
                        })
                        .collect(),
                ),
            ),
        ])
    }
}

/// Records and starts delivering each outgoing message.
pub(crate) fn dispatch(shared: &Arc<Shared>, outgoing: Vec<Outgoing>) {
    for out in outgoing {
        let id = {
            let mut log = lock(&shared.deliveries);
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
            let shared = Arc::clone(shared);
            tokio::spawn(async move { deliver(shared, id, out).await });
        }
    }
}

fn scaled(minutes: u64, speedup: u32) -> Duration {
    let ms = minutes.saturating_mul(60_000) / u64::from(speedup.max(1));
    Duration::from_millis(ms)
}

async fn deliver(shared: Arc<Shared>, id: usize, out: Outgoing) {
    let Some(url) = out.url.clone() else { return };
    let intervals: Vec<u64> = match out.provider {
        Provider::Qostiq => QOSTIQ_INTERVALS_MIN.to_vec(),
        Provider::Coinqvest => coinqvest_intervals_min(),
    };
    let schedule = shared.config.delivery;
    let mut shutdown = shared.shutdown.clone();
    for (index, minutes) in intervals.iter().enumerate() {
        let wait = scaled(*minutes, schedule.speedup);
        if !wait.is_zero() {
            tokio::select! {
                () = tokio::time::sleep(wait) => {}
                _ = shutdown.changed() => return,
            }
        }
        let at = shared.now();
        let result =
            tokio::time::timeout(schedule.attempt_timeout, send(&shared, &url, &out)).await;
        let (status, response, error) = match result {
            Ok(Ok((status, body))) => (Some(status), body, None),
            Ok(Err(e)) => (None, String::new(), Some(e)),
            Err(_) => (None, String::new(), Some("timed out".to_owned())),
        };
        let accepted = match out.provider {
            Provider::Qostiq => status == Some(200) && response.trim() == "OK",
            Provider::Coinqvest => status == Some(200),
        };
        let mut log = lock(&shared.deliveries);
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
    if let Some(record) = lock(&shared.deliveries).get_mut(id) {
        record.state = DeliveryState::GaveUp;
    }
}

async fn send(shared: &Shared, url: &str, out: &Outgoing) -> Result<(u16, String), String> {
    let agent = match out.provider {
        Provider::Qostiq => "Qostiq Callback Sender (pay-sandbox)",
        Provider::Coinqvest => "COINQVEST Webhook Engine 1.0.0",
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
    let response = shared
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
