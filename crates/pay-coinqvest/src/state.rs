//! States and other enumerations the API sends as strings. Every one accepts values it does not know
//! (kept in `Unknown`): COINQVEST added states over time, and a new one must not break parsing.
//!
//! ```
//! use pay_coinqvest::state::CheckoutState;
//!
//! let state: CheckoutState = serde_json::from_str(r#""DELAYED_COMPLETED""#).unwrap();
//! assert!(state.is_completed_and_credited());
//! let future: CheckoutState = serde_json::from_str(r#""PARTIALLY_REFUNDED""#).unwrap();
//! assert_eq!(future, CheckoutState::Unknown("PARTIALLY_REFUNDED".into()));
//! assert!(!future.is_completed_and_credited());
//! ```

use pay_core::event::Finality;

macro_rules! string_enum {
    (
        $(#[$meta:meta])*
        $name:ident { $( $(#[$vmeta:meta])* $variant:ident = $text:literal, )* }
    ) => {
        $(#[$meta])*
        #[derive(Clone, PartialEq, Eq, Hash)]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )*
            /// A value this version does not know, kept as sent.
            Unknown(String),
        }

        impl $name {
            /// The wire text.
            pub fn as_str(&self) -> &str {
                match self {
                    $( Self::$variant => $text, )*
                    Self::Unknown(text) => text,
                }
            }

            /// Reads the wire text; unknown values become `Unknown`.
            pub fn from_wire(text: &str) -> Self {
                match text {
                    $( $text => Self::$variant, )*
                    other => Self::Unknown(other.to_owned()),
                }
            }
        }

        /// The variant; a value this version does not know is written escaped
        /// ([`Untrusted`](pay_core::text::Untrusted)), as in `Display`.
        impl std::fmt::Debug for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                match self {
                    $( Self::$variant => f.write_str(stringify!($variant)), )*
                    Self::Unknown(text) => f
                        .debug_tuple("Unknown")
                        .field(&pay_core::text::Untrusted::new(text))
                        .finish(),
                }
            }
        }

        /// The wire text; a value this version does not know is quoted and escaped
        /// ([`Untrusted`](pay_core::text::Untrusted)): it came from the server and may be logged.
        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                match self {
                    Self::Unknown(text) => {
                        std::fmt::Display::fmt(&pay_core::text::Untrusted::new(text), f)
                    }
                    known => f.write_str(known.as_str()),
                }
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
                Ok(Self::from_wire(&text))
            }
        }
    };
}

pub(crate) use string_enum;

string_enum! {
    /// The state of a checkout (`GET /checkout`, `GET /checkouts`, checkout webhooks).
    CheckoutState {
        /// `NEW_CHARGE`: created, awaiting the customer's payment.
        NewCharge = "NEW_CHARGE",
        /// `IN_PROGRESS`: a payment was seen on the blockchain and awaits confirmation.
        InProgress = "IN_PROGRESS",
        /// `COMPLETED`: paid, confirmed and credited.
        Completed = "COMPLETED",
        /// `EXPIRED`: expired without a payment.
        Expired = "EXPIRED",
        /// `UNRESOLVED_GENERIC`: the payment diverged from what was expected, or a generic error.
        UnresolvedGeneric = "UNRESOLVED_GENERIC",
        /// `UNRESOLVED_UNDERPAID`: less than expected was paid.
        UnresolvedUnderpaid = "UNRESOLVED_UNDERPAID",
        /// `UNRESOLVED_OVERPAID`: more than expected was paid.
        UnresolvedOverpaid = "UNRESOLVED_OVERPAID",
        /// `DELAYED_COMPLETED`: paid in full after the charge expired, and credited.
        DelayedCompleted = "DELAYED_COMPLETED",
        /// `DELAYED_UNDERPAID`: paid too little after the charge expired.
        DelayedUnderpaid = "DELAYED_UNDERPAID",
        /// `DELAYED_OVERPAID`: paid too much after the charge expired.
        DelayedOverpaid = "DELAYED_OVERPAID",
        /// `RESOLVED`: marked as resolved by the merchant (credited).
        Resolved = "RESOLVED",
    }
}

impl CheckoutState {
    /// Whether the checkout completed and the funds were credited: `COMPLETED`, `DELAYED_COMPLETED`
    /// or `RESOLVED`. The only states in which to ship an order.
    pub fn is_completed_and_credited(&self) -> bool {
        matches!(
            self,
            Self::Completed | Self::DelayedCompleted | Self::Resolved
        )
    }

    /// How final the state is, the table pay-webhook deduplicates checkout events by:
    /// [`Finality::Terminal`] exactly when [`Self::is_completed_and_credited`]; every other known
    /// state is [`Finality::Intermediate`], `EXPIRED` included (a payment after the expiry makes the
    /// checkout `DELAYED_*`), as are the states that need the merchant's attention (resolving one
    /// makes it `RESOLVED`); a state this version does not know is [`Finality::Unknown`].
    ///
    /// ```
    /// use pay_coinqvest::state::CheckoutState;
    /// use pay_core::event::Finality;
    ///
    /// assert_eq!(CheckoutState::DelayedCompleted.finality(), Finality::Terminal);
    /// assert_eq!(CheckoutState::Expired.finality(), Finality::Intermediate);
    /// assert_eq!(CheckoutState::from_wire("PARTIALLY_REFUNDED").finality(), Finality::Unknown);
    /// ```
    pub fn finality(&self) -> Finality {
        match self {
            Self::Unknown(_) => Finality::Unknown,
            known if known.is_completed_and_credited() => Finality::Terminal,
            _ => Finality::Intermediate,
        }
    }

    /// Whether the checkout is still waiting (`NEW_CHARGE`, `IN_PROGRESS`): poll again later.
    pub fn is_pending(&self) -> bool {
        matches!(self, Self::NewCharge | Self::InProgress)
    }

    /// Whether a payment arrived that differs from the charge and needs the merchant's attention
    /// (`UNRESOLVED_*`, `DELAYED_UNDERPAID`, `DELAYED_OVERPAID`).
    pub fn needs_attention(&self) -> bool {
        matches!(
            self,
            Self::UnresolvedGeneric
                | Self::UnresolvedUnderpaid
                | Self::UnresolvedOverpaid
                | Self::DelayedUnderpaid
                | Self::DelayedOverpaid
        )
    }
}

string_enum! {
    /// The state of a payment: whether it was resolved and credited.
    PaymentState {
        /// `RESOLVED`: credited to the merchant's account.
        Resolved = "RESOLVED",
        /// `UNRESOLVED`: the amount was below or above the expected one, or another exception occurred.
        Unresolved = "UNRESOLVED",
    }
}

impl PaymentState {
    /// Whether the payment was credited (`RESOLVED`).
    pub fn is_resolved(&self) -> bool {
        matches!(self, Self::Resolved)
    }

    /// How final the state is, the table pay-webhook deduplicates payment webhooks by: `RESOLVED`
    /// is [`Finality::Terminal`]; `UNRESOLVED` is [`Finality::Intermediate`] (the merchant may
    /// still resolve it), so a late `UNRESOLVED` never replaces `RESOLVED`; a state this version
    /// does not know is [`Finality::Unknown`].
    pub fn finality(&self) -> Finality {
        match self {
            Self::Resolved => Finality::Terminal,
            Self::Unresolved => Finality::Intermediate,
            Self::Unknown(_) => Finality::Unknown,
        }
    }
}

string_enum! {
    /// The state of a withdrawal.
    WithdrawalState {
        /// `PENDING_API_COMMIT`: quoted by `POST /withdrawal`, waiting for `POST /withdrawal/commit`.
        PendingApiCommit = "PENDING_API_COMMIT",
        /// `PROCESSING`: committed, on its way.
        Processing = "PROCESSING",
        /// `COMPLETED`: committed and processed.
        Completed = "COMPLETED",
        /// `FAILED`: did not go through.
        Failed = "FAILED",
    }
}

impl WithdrawalState {
    /// Whether the withdrawal was committed (`PROCESSING` or `COMPLETED`): money has left or is leaving.
    pub fn is_committed(&self) -> bool {
        matches!(self, Self::Processing | Self::Completed)
    }

    /// Whether the withdrawal still awaits its commit (`PENDING_API_COMMIT`).
    pub fn is_awaiting_commit(&self) -> bool {
        matches!(self, Self::PendingApiCommit)
    }
}

string_enum! {
    /// Whether a wallet, asset or asset issuer is a cryptocurrency or fiat money.
    AssetKind {
        /// `CRYPTO`.
        Crypto = "CRYPTO",
        /// `FIAT`.
        Fiat = "FIAT",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checkout_states_round_trip() {
        let all = [
            "NEW_CHARGE",
            "IN_PROGRESS",
            "COMPLETED",
            "EXPIRED",
            "UNRESOLVED_GENERIC",
            "UNRESOLVED_UNDERPAID",
            "UNRESOLVED_OVERPAID",
            "DELAYED_COMPLETED",
            "DELAYED_UNDERPAID",
            "DELAYED_OVERPAID",
            "RESOLVED",
        ];
        let credited: Vec<_> = all
            .iter()
            .map(|t| CheckoutState::from_wire(t))
            .filter(CheckoutState::is_completed_and_credited)
            .map(|s| s.to_string())
            .collect();
        assert_eq!(credited, ["COMPLETED", "DELAYED_COMPLETED", "RESOLVED"]);
        for text in all {
            let state = CheckoutState::from_wire(text);
            assert!(!matches!(state, CheckoutState::Unknown(_)), "{text}");
            assert_eq!(
                serde_json::to_string(&state).unwrap(),
                format!("\"{text}\"")
            );
        }
        let terminal: Vec<_> = all
            .iter()
            .map(|t| CheckoutState::from_wire(t))
            .filter(|s| s.finality() == Finality::Terminal)
            .collect();
        assert_eq!(
            terminal,
            [
                CheckoutState::Completed,
                CheckoutState::DelayedCompleted,
                CheckoutState::Resolved
            ]
        );
        assert_eq!(PaymentState::Resolved.finality(), Finality::Terminal);
        assert_eq!(PaymentState::Unresolved.finality(), Finality::Intermediate);
        assert_eq!(
            PaymentState::from_wire("REVERSED").finality(),
            Finality::Unknown
        );
        assert!(CheckoutState::NewCharge.is_pending());
        assert!(CheckoutState::DelayedOverpaid.needs_attention());
        assert!(!CheckoutState::Expired.needs_attention());
    }

    #[test]
    fn unknown_values_are_kept() {
        let w: WithdrawalState = serde_json::from_str(r#""CANCELLED""#).unwrap();
        assert_eq!(w.as_str(), "CANCELLED");
        assert!(!w.is_committed());
        assert!(WithdrawalState::Processing.is_committed());
        let p: PaymentState = serde_json::from_str(r#""RESOLVED""#).unwrap();
        assert!(p.is_resolved());
        assert!(serde_json::from_str::<PaymentState>("1").is_err());
        assert_eq!(AssetKind::from_wire("FIAT"), AssetKind::Fiat);
    }
}
