//! Qostiq `error_code`s, named. A refusal arrives as
//! [`pay_core::error::ProviderError`] (`provider: Qostiq`, `code: Some(n)`, the server's message);
//! [`QostiqErrorCode::of`] (or [`QostiqErrorExt`]) names the code.

use std::fmt;

use pay_core::error::{Error, Provider, ProviderError};

/// A Qostiq `error_code` (PROTOCOL.md "Known error codes").
///
/// ```
/// use http::StatusCode;
/// use pay_core::error::{Error, Provider, ProviderError};
/// use pay_qostiq::{QostiqErrorCode, QostiqErrorExt};
///
/// let refusal = ProviderError::new(Provider::Qostiq, StatusCode::BAD_REQUEST, Some(6), "not unique", vec![]);
/// assert_eq!(QostiqErrorCode::of(&refusal), Some(QostiqErrorCode::DuplicateShopPaymentId));
/// let error = Error::from(refusal);
/// assert_eq!(error.qostiq_code(), Some(QostiqErrorCode::DuplicateShopPaymentId));
/// assert_eq!(QostiqErrorCode::from_code(123), QostiqErrorCode::Other(123));
/// assert!(QostiqErrorCode::from_code(7).is_not_found());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum QostiqErrorCode {
    /// 0: no error.
    Ok,
    /// 1: invalid sign (older endpoints).
    InvalidSign,
    /// 4: amount too small.
    AmountTooSmall,
    /// 6: `shop_payment_id` (or `shop_order_id`) is not unique.
    DuplicateShopPaymentId,
    /// 7: not found (status lookups: the operation does not exist).
    NotFound,
    /// 10: invalid sign on newer endpoints, also generic bad parameters.
    InvalidSignOrParameters,
    /// 11: shop not found.
    ShopNotFound,
    /// 15: the shop's IP address is not allowed.
    ShopIpDenied,
    /// 2000: withdrawal not found.
    WithdrawNotFound,
    /// Any other code.
    Other(i64),
}

impl QostiqErrorCode {
    /// The named code for `code`.
    pub fn from_code(code: i64) -> Self {
        match code {
            0 => Self::Ok,
            1 => Self::InvalidSign,
            4 => Self::AmountTooSmall,
            6 => Self::DuplicateShopPaymentId,
            7 => Self::NotFound,
            10 => Self::InvalidSignOrParameters,
            11 => Self::ShopNotFound,
            15 => Self::ShopIpDenied,
            2000 => Self::WithdrawNotFound,
            other => Self::Other(other),
        }
    }

    /// The numeric code.
    pub fn code(self) -> i64 {
        match self {
            Self::Ok => 0,
            Self::InvalidSign => 1,
            Self::AmountTooSmall => 4,
            Self::DuplicateShopPaymentId => 6,
            Self::NotFound => 7,
            Self::InvalidSignOrParameters => 10,
            Self::ShopNotFound => 11,
            Self::ShopIpDenied => 15,
            Self::WithdrawNotFound => 2000,
            Self::Other(code) => code,
        }
    }

    /// The code of a Qostiq refusal; `None` for other providers or refusals without a code.
    pub fn of(error: &ProviderError) -> Option<Self> {
        if error.provider != Provider::Qostiq {
            return None;
        }
        error.code.map(Self::from_code)
    }

    /// Whether the code says the looked-up operation does not exist (7 or 2000).
    pub fn is_not_found(self) -> bool {
        matches!(self, Self::NotFound | Self::WithdrawNotFound)
    }

    /// Whether the code may mean the signature was refused (1, or 10 which also covers bad parameters).
    pub fn may_be_invalid_sign(self) -> bool {
        matches!(self, Self::InvalidSign | Self::InvalidSignOrParameters)
    }
}

impl fmt::Display for QostiqErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Other(code) => write!(f, "error_code {code}"),
            named => write!(f, "{named:?} (error_code {})", named.code()),
        }
    }
}

/// Reads the Qostiq error code off an error.
pub trait QostiqErrorExt {
    /// The named Qostiq `error_code`, when this is a Qostiq refusal with a code.
    fn qostiq_code(&self) -> Option<QostiqErrorCode>;
}

impl QostiqErrorExt for ProviderError {
    fn qostiq_code(&self) -> Option<QostiqErrorCode> {
        QostiqErrorCode::of(self)
    }
}

impl QostiqErrorExt for Error {
    fn qostiq_code(&self) -> Option<QostiqErrorCode> {
        match self {
            Error::Provider(p) => QostiqErrorCode::of(p),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        for code in [0, 1, 4, 6, 7, 10, 11, 15, 2000, 3, -1, 9999] {
            assert_eq!(QostiqErrorCode::from_code(code).code(), code);
        }
        for code in [0, 1, 4, 6, 7, 10, 11, 15, 2000] {
            assert!(!matches!(
                QostiqErrorCode::from_code(code),
                QostiqErrorCode::Other(_)
            ));
        }
        assert!(QostiqErrorCode::WithdrawNotFound.is_not_found());
        assert!(QostiqErrorCode::InvalidSign.may_be_invalid_sign());
        assert_eq!(
            QostiqErrorCode::NotFound.to_string(),
            "NotFound (error_code 7)"
        );
    }

    #[test]
    fn other_providers_have_no_qostiq_code() {
        let e = ProviderError::new(
            Provider::Coinqvest,
            http::StatusCode::BAD_REQUEST,
            Some(7),
            "x",
            vec![],
        );
        assert_eq!(e.qostiq_code(), None);
        assert_eq!(Error::invalid_input("a", "b").qostiq_code(), None);
    }
}
