//! Operation statuses: bills, fiat withdrawals, crypto withdrawals, account checks and callbacks.
//! Every enum keeps codes it does not know (`Unknown`), which are never final: keep polling or ask
//! support, never assume an outcome.

use std::fmt;

use pay_core::event::Finality;
use pay_core::text::Untrusted;

macro_rules! status_enum {
    (
        $(#[$meta:meta])*
        $name:ident { $($(#[$doc:meta])* $variant:ident = $code:literal, $final:literal;)* }
        $(is_final: $(#[$final_doc:meta])*)?
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$doc])* $variant,)*
            /// A code this library does not know. Not final.
            Unknown(i64),
        }

        impl $name {
            /// The status for a numeric code.
            pub fn from_code(code: i64) -> Self {
                match code {
                    $($code => Self::$variant,)*
                    other => Self::Unknown(other),
                }
            }

            /// The numeric code.
            pub fn code(self) -> i64 {
                match self {
                    $(Self::$variant => $code,)*
                    Self::Unknown(code) => code,
                }
            }

            /// Whether the operation has reached an end state: stop polling.
            $($(#[$final_doc])*)?
            pub fn is_final(self) -> bool {
                match self {
                    $(Self::$variant => $final,)*
                    Self::Unknown(_) => false,
                }
            }
        }

        /// Read from the numeric code, sent as a number or a string of digits.
        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                pay_core::json::decode::int(deserializer).map(Self::from_code)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                match self {
                    Self::Unknown(code) => write!(f, "Unknown({code})"),
                    other => write!(f, "{other:?}({})", other.code()),
                }
            }
        }
    };
}

status_enum! {
    /// The status of a bill (wallet payment).
    ///
    /// ```
    /// use pay_qostiq::BillStatus;
    ///
    /// assert_eq!(BillStatus::from_code(2), BillStatus::Paid);
    /// assert!(BillStatus::Paid.is_final());
    /// assert!(!BillStatus::Waiting.is_final());
    /// assert!(!BillStatus::from_code(42).is_final());
    /// ```
    BillStatus {
        /// 1: waiting for the payer.
        Waiting = 1, false;
        /// 2: paid by the payer.
        Paid = 2, true;
        /// 3: canceled by the payer.
        Canceled = 3, true;
        /// 4: expired.
        Expired = 4, true;
    }
}

impl BillStatus {
    /// Whether the bill was paid (the only final status that credits the shop).
    pub fn is_paid(self) -> bool {
        self == Self::Paid
    }
}

status_enum! {
    /// The status of a fiat withdrawal.
    ///
    /// ```
    /// use pay_qostiq::WithdrawStatus;
    ///
    /// assert!(WithdrawStatus::from_code(5).is_final());
    /// assert!(WithdrawStatus::Success.is_success());
    /// assert!(!WithdrawStatus::PsProcessingError.is_final());
    /// assert_eq!(WithdrawStatus::from_code(8), WithdrawStatus::Unknown(8));
    /// ```
    WithdrawStatus {
        /// 1: created, waiting for processing.
        Created = 1, false;
        /// 2: waiting for an operator's confirmation.
        WaitingManualConfirmation = 2, false;
        /// 3: sent to the payment system.
        PsProcessing = 3, false;
        /// 4: error on the payment system side (ask again or contact support).
        PsProcessingError = 4, false;
        /// 5: done; the funds left the shop balance.
        Success = 5, true;
        /// 6: rejected by the payment system; funds not deducted.
        Rejected = 6, true;
        /// 7: confirmed by an operator, waiting for processing.
        ManualConfirmed = 7, false;
        /// 9: network error on the payment system side.
        PsNetworkError = 9, false;
        /// 10: canceled manually by Qostiq.
        CanceledManually = 10, true;
        /// 11: a successful withdrawal later canceled (refunded) by Qostiq.
        Refunded = 11, true;
    }
    is_final:
    ///
    /// Final is not forever: a withdrawal in [`Success`](Self::Success) (5) can later become
    /// [`Refunded`](Self::Refunded) (11) when Qostiq cancels it by hand (seed 001), and a
    /// `refunded` callback then follows the `success` one. Stop polling at a final status, but keep
    /// applying callbacks: pay-webhook's receiver hands a `refunded` callback to the handler after
    /// `success` (test `a_refunded_callback_after_success_reaches_the_handler`).
}

impl WithdrawStatus {
    /// Whether the payout reached the payee (status 5).
    pub fn is_success(self) -> bool {
        self == Self::Success
    }
}

status_enum! {
    /// The status of a crypto withdrawal.
    ///
    /// ```
    /// use pay_qostiq::CryptoWithdrawStatus;
    ///
    /// assert!(CryptoWithdrawStatus::from_code(3).is_final());
    /// assert!(!CryptoWithdrawStatus::ProcessingError.is_final());
    /// ```
    CryptoWithdrawStatus {
        /// 1: created.
        New = 1, false;
        /// 2: waiting for processing.
        Waiting = 2, false;
        /// 3: done; the funds left the shop balance.
        Success = 3, true;
        /// 4: rejected; funds not deducted.
        Rejected = 4, true;
        /// 5: processing error (ask again).
        ProcessingError = 5, false;
    }
}

impl CryptoWithdrawStatus {
    /// Whether the payout was sent (status 3).
    pub fn is_success(self) -> bool {
        self == Self::Success
    }
}

status_enum! {
    /// `provider_status` of `/check_account`.
    ///
    /// ```
    /// use pay_qostiq::ProviderStatus;
    ///
    /// assert_eq!(ProviderStatus::from_code(1), ProviderStatus::Available);
    /// ```
    ProviderStatus {
        /// 1: the account can be credited.
        Available = 1, true;
        /// 2: the provider failed; result unknown.
        ProviderError = 2, true;
        /// 3: processing error; result unknown.
        ProcessingError = 3, true;
    }
}

/// The `status` text of a callback or payment notification.
///
/// ```
/// use pay_qostiq::CallbackStatus;
///
/// assert_eq!(CallbackStatus::parse("success"), CallbackStatus::Success);
/// assert_eq!(CallbackStatus::parse("rejected"), CallbackStatus::Rejected);
/// assert_eq!(CallbackStatus::parse("held"), CallbackStatus::Other("held".into()));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum CallbackStatus {
    /// `success`.
    Success,
    /// `rejected`.
    Rejected,
    /// Any other text (kept as sent; treat as not final).
    Other(String),
}

impl CallbackStatus {
    /// Reads the status text.
    pub fn parse(text: &str) -> Self {
        match text {
            "success" => Self::Success,
            "rejected" => Self::Rejected,
            other => Self::Other(other.to_owned()),
        }
    }

    /// The text as sent.
    pub fn as_str(&self) -> &str {
        match self {
            Self::Success => "success",
            Self::Rejected => "rejected",
            Self::Other(text) => text,
        }
    }

    /// How final the reported status is, the one table pay-webhook deduplicates by: `success` and
    /// `rejected` (the two statuses seeds 000-002 document for callbacks) are
    /// [`Finality::Terminal`]; any other text is [`Finality::Unknown`], never
    /// [`Finality::Intermediate`]. Final is not forever: a fiat withdrawal in `success` can later be
    /// refunded by Qostiq ([`WithdrawStatus::Refunded`], 11), and a `refunded` callback may then
    /// follow the `success` one: of unknown finality, it always reaches the handler, never dropped
    /// as stale (pay-webhook's `a_refunded_callback_after_success_reaches_the_handler`).
    ///
    /// ```
    /// use pay_core::event::Finality;
    /// use pay_qostiq::CallbackStatus;
    ///
    /// assert_eq!(CallbackStatus::Success.finality(), Finality::Terminal);
    /// assert_eq!(CallbackStatus::parse("refunded").finality(), Finality::Unknown);
    /// ```
    pub fn finality(&self) -> Finality {
        match self {
            Self::Success | Self::Rejected => Finality::Terminal,
            Self::Other(_) => Finality::Unknown,
        }
    }

    /// Whether the callback reports an end state (`success` or `rejected`): [`Self::finality`] is
    /// [`Finality::Terminal`]. Any other status, such as `refunded` for a fiat withdrawal refunded
    /// after its `success` (status 11), is not final and can arrive after a final one: apply it,
    /// never drop it as stale.
    pub fn is_final(&self) -> bool {
        self.finality() == Finality::Terminal
    }
}

impl<'de> serde::Deserialize<'de> for CallbackStatus {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        <std::borrow::Cow<'de, str> as serde::Deserialize>::deserialize(deserializer)
            .map(|text| Self::parse(&text))
    }
}

/// `success`, `rejected`, or any other text quoted and escaped ([`Untrusted`]): it came from the
/// callback and may end up in a log line.
impl fmt::Display for CallbackStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Other(text) => fmt::Display::fmt(&Untrusted::new(text), f),
            known => f.write_str(known.as_str()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn final_statuses_match_the_seeds() {
        let bill_final: Vec<i64> = (0..20)
            .filter(|c| BillStatus::from_code(*c).is_final())
            .collect();
        assert_eq!(bill_final, [2, 3, 4]);
        let withdraw_final: Vec<i64> = (0..20)
            .filter(|c| WithdrawStatus::from_code(*c).is_final())
            .collect();
        assert_eq!(withdraw_final, [5, 6, 10, 11]);
        for code in [1, 2, 3, 4, 7, 9] {
            assert!(!matches!(
                WithdrawStatus::from_code(code),
                WithdrawStatus::Unknown(_)
            ));
        }
        let crypto_final: Vec<i64> = (0..20)
            .filter(|c| CryptoWithdrawStatus::from_code(*c).is_final())
            .collect();
        assert_eq!(crypto_final, [3, 4]);
        for code in -3..30 {
            assert_eq!(WithdrawStatus::from_code(code).code(), code);
            assert_eq!(BillStatus::from_code(code).code(), code);
            assert_eq!(CryptoWithdrawStatus::from_code(code).code(), code);
        }
        assert_eq!(WithdrawStatus::Success.to_string(), "Success(5)");
        assert_eq!(WithdrawStatus::Unknown(8).to_string(), "Unknown(8)");
    }
}
