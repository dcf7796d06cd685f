//! Shared sandbox state: one lock over the providers' books (deterministic ids from a seeded
//! generator), plus request statistics.

pub mod coinqvest;
pub mod qostiq;

use std::collections::BTreeMap;
use std::sync::{Mutex, MutexGuard, PoisonError};

use time::OffsetDateTime;

use crate::config::{Credentials, SandboxConfig};
use crate::delivery::Outgoing;
use crate::json::{J, int, obj};

/// A small deterministic generator (SplitMix64): ids, addresses, transaction hashes.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// Seeded generator.
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    /// Next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// `len` lowercase hex characters.
    pub fn hex(&mut self, len: usize) -> String {
        let mut out = String::with_capacity(len + 16);
        while out.len() < len {
            out.push_str(&format!("{:016x}", self.next_u64()));
        }
        out.truncate(len);
        out
    }

    /// A uniform draw in `0..1_000_000` (for probabilities in parts per million).
    pub fn ppm(&mut self) -> u32 {
        u32::try_from(self.next_u64() % 1_000_000).unwrap_or(0)
    }
}

/// Everything the providers remember.
#[derive(Debug)]
pub struct State {
    /// Id generator.
    pub rng: Rng,
    /// Qostiq books.
    pub qostiq: qostiq::QostiqState,
    /// COINQVEST books.
    pub coinqvest: coinqvest::CoinqvestState,
}

impl State {
    /// Initial state for `config`.
    pub fn new(config: &SandboxConfig) -> Self {
        Self {
            rng: Rng::new(config.seed),
            qostiq: qostiq::QostiqState::new(config),
            coinqvest: coinqvest::CoinqvestState::new(config),
        }
    }
}

/// What one request handler may touch: the state, the current time, and an outbox of callbacks
/// sent once the lock is released.
pub struct Ctx<'a> {
    /// The books.
    pub st: &'a mut State,
    /// Sandbox time of the request.
    pub now: OffsetDateTime,
    /// `http://host:port` of the sandbox (for URLs in answers).
    pub base_url: &'a str,
    /// Callbacks/webhooks to deliver.
    pub out: &'a mut Vec<Outgoing>,
    /// Merchant credentials (callbacks and webhooks are signed with them).
    pub creds: &'a Credentials,
}

/// Per-route request counters.
#[derive(Debug, Default, Clone, Copy)]
pub struct RouteStats {
    /// Requests received.
    pub received: u64,
    /// Requests whose handler ran (state applied when the request was valid).
    pub committed: u64,
    /// Requests that met an injected fault.
    pub faulted: u64,
}

/// Request statistics keyed by path.
#[derive(Debug, Default)]
pub struct Stats {
    routes: BTreeMap<String, RouteStats>,
}

impl Stats {
    /// Counters of `path`, created on first use.
    pub fn route(&mut self, path: &str) -> &mut RouteStats {
        self.routes.entry(path.to_owned()).or_default()
    }

    /// The counters as JSON.
    pub fn to_json(&self) -> J {
        J::Obj(
            self.routes
                .iter()
                .map(|(path, s)| {
                    (
                        path.clone(),
                        obj([
                            ("received", int(s.received)),
                            ("committed", int(s.committed)),
                            ("faulted", int(s.faulted)),
                        ]),
                    )
                })
                .collect(),
        )
    }
}

/// Locks a mutex, recovering from poisoning (a panicked handler must not wedge the server).
pub fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}
