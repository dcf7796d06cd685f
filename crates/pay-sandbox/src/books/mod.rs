//! The providers' books: everything Qostiq and COINQVEST remember, behind one lock, with ids from
//! one seeded generator.

pub(crate) mod coinqvest;
pub(crate) mod qostiq;

use crate::config::SandboxConfig;
use crate::rng::Rng;

/// Everything the providers remember.
#[derive(Debug)]
pub(crate) struct Books {
    /// Ids, addresses and hashes.
    pub(crate) rng: Rng,
    /// The Qostiq shop's books.
    pub(crate) qostiq: qostiq::QostiqBooks,
    /// The COINQVEST account's books.
    pub(crate) coinqvest: coinqvest::CoinqvestBooks,
}

impl Books {
    /// The initial books for `config`.
    pub(crate) fn new(config: &SandboxConfig) -> Self {
        Self {
            rng: Rng::new(config.seed),
            qostiq: qostiq::QostiqBooks::new(config),
            coinqvest: coinqvest::CoinqvestBooks::new(config),
        }
    }
}
