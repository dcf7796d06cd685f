//! Which of the two emulated APIs something belongs to.

use pay_core::error::Provider;

/// One of the two APIs the sandbox speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Api {
    /// Qostiq.
    Qostiq,
    /// COINQVEST Merchant API v1.
    Coinqvest,
}

impl Api {
    /// The API of `provider`, when the sandbox speaks it.
    pub(crate) fn of(provider: Provider) -> Option<Self> {
        match provider {
            Provider::Qostiq => Some(Self::Qostiq),
            Provider::Coinqvest => Some(Self::Coinqvest),
            _ => None,
        }
    }

    /// `qostiq` or `coinqvest`: the admin API's spelling.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::Qostiq => "qostiq",
            Self::Coinqvest => "coinqvest",
        }
    }
}
