//! Pure retry classification: given what an endpoint is and what an attempt produced, decide whether to
//! retry, recover by lookup, or stop. No IO, no clock, no randomness: the transport applies backoff and
//! budgets around these decisions.

use http::StatusCode;

use crate::error::{Delivery, Error};

/// How an endpoint may be repeated after a failed attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RetryClass {
    /// Reads and other requests without side effects: repeat on connection failures, 5xx and 429.
    Safe,
    /// Creates that move money (withdrawals, transfers): never re-sent once they may have reached the
    /// provider; an unknown outcome is resolved by looking the operation up by its own id.
    RecoverByLookup,
    /// Requests that must not be repeated once they may have been sent and cannot be looked up.
    Never,
}

/// What one attempt produced, as far as retrying is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttemptOutcome {
    /// An HTTP response was fully received with this status.
    Response(StatusCode),
    /// A response arrived but could not be decoded (truncated or garbled body).
    Undecodable,
    /// No complete response; the request may or may not have been sent.
    Failed(Delivery),
}

impl AttemptOutcome {
    /// The outcome an [`Error`] represents, or `None` for errors that no retry can change
    /// (invalid input, signature, provider refusals carry their status instead).
    pub fn of_error(error: &Error) -> Option<Self> {
        match error {
            Error::Transport(t) => Some(Self::Failed(t.delivery)),
            // A 429 or 5xx whose body is not the provider's shape (a proxy or rate-limiter page) is
            // judged by its status: 429 was refused before processing, 5xx is unknown either way.
            Error::Undecodable { status, .. }
                if *status == StatusCode::TOO_MANY_REQUESTS || status.is_server_error() =>
            {
                Some(Self::Response(*status))
            }
            Error::Undecodable { .. } => Some(Self::Undecodable),
            Error::Provider(p) => Some(Self::Response(p.status)),
            _ => None,
        }
    }
}

/// What to do next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RetryDecision {
    /// Send the same request again (after a backoff).
    Retry,
    /// The outcome is unknown: look the operation up before doing anything else.
    Recover,
    /// Stop and report the result as it is.
    Stop,
}

/// Decides what follows an attempt.
///
/// * Success and 4xx other than 429 stop: the answer is final.
/// * A request that certainly never left (connection refused) is repeated whatever its class: no money
///   can have moved.
/// * 429 is a refusal to process, so every class may repeat it after the `Retry-After` delay.
/// * 5xx, timeouts after sending, resets and truncated answers leave the outcome unknown: `Safe` repeats,
///   `RecoverByLookup` recovers, `Never` stops.
///
/// ```
/// use http::StatusCode;
/// use pay_core::error::Delivery;
/// use pay_core::retry::{classify, AttemptOutcome, RetryClass, RetryDecision};
///
/// let lost = AttemptOutcome::Failed(Delivery::MaybeSent);
/// assert_eq!(classify(RetryClass::Safe, lost), RetryDecision::Retry);
/// assert_eq!(classify(RetryClass::RecoverByLookup, lost), RetryDecision::Recover);
/// assert_eq!(classify(RetryClass::Never, lost), RetryDecision::Stop);
/// assert_eq!(
///     classify(RetryClass::RecoverByLookup, AttemptOutcome::Response(StatusCode::BAD_REQUEST)),
///     RetryDecision::Stop
/// );
/// ```
pub fn classify(class: RetryClass, outcome: AttemptOutcome) -> RetryDecision {
    let unknown = match outcome {
        AttemptOutcome::Failed(Delivery::NotSent) => return RetryDecision::Retry,
        AttemptOutcome::Response(StatusCode::TOO_MANY_REQUESTS) => return RetryDecision::Retry,
        AttemptOutcome::Response(status) => status.is_server_error(),
        AttemptOutcome::Undecodable | AttemptOutcome::Failed(Delivery::MaybeSent) => true,
    };
    if !unknown {
        return RetryDecision::Stop;
    }
    match class {
        RetryClass::Safe => RetryDecision::Retry,
        RetryClass::RecoverByLookup => RetryDecision::Recover,
        RetryClass::Never => RetryDecision::Stop,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use RetryClass::*;
    use RetryDecision::*;

    const CLASSES: [RetryClass; 3] = [Safe, RecoverByLookup, Never];

    #[test]
    fn final_answers_stop_every_class() {
        for class in CLASSES {
            for status in [200, 201, 400, 401, 403, 404, 409, 422] {
                let status = StatusCode::from_u16(status).unwrap();
                assert_eq!(
                    classify(class, AttemptOutcome::Response(status)),
                    Stop,
                    "{class:?} {status}"
                );
            }
        }
    }

    #[test]
    fn not_sent_and_429_retry_every_class() {
        for class in CLASSES {
            assert_eq!(
                classify(class, AttemptOutcome::Failed(Delivery::NotSent)),
                Retry
            );
            assert_eq!(
                classify(
                    class,
                    AttemptOutcome::Response(StatusCode::TOO_MANY_REQUESTS)
                ),
                Retry
            );
        }
    }

    #[test]
    fn unknown_outcomes_depend_on_class() {
        for outcome in [
            AttemptOutcome::Failed(Delivery::MaybeSent),
            AttemptOutcome::Undecodable,
            AttemptOutcome::Response(StatusCode::INTERNAL_SERVER_ERROR),
            AttemptOutcome::Response(StatusCode::BAD_GATEWAY),
            AttemptOutcome::Response(StatusCode::SERVICE_UNAVAILABLE),
            AttemptOutcome::Response(StatusCode::GATEWAY_TIMEOUT),
        ] {
            assert_eq!(classify(Safe, outcome), Retry, "{outcome:?}");
            assert_eq!(classify(RecoverByLookup, outcome), Recover, "{outcome:?}");
            assert_eq!(classify(Never, outcome), Stop, "{outcome:?}");
        }
    }

    #[test]
    fn errors_map_to_outcomes() {
        use crate::error::{TransportError, TransportErrorKind};
        let e = Error::from(TransportError::new(
            TransportErrorKind::Timeout,
            Delivery::MaybeSent,
            None,
        ));
        assert_eq!(
            AttemptOutcome::of_error(&e),
            Some(AttemptOutcome::Failed(Delivery::MaybeSent))
        );
        assert_eq!(
            AttemptOutcome::of_error(&Error::invalid_input("x", "y")),
            None
        );
        // A rate limiter's HTML page is still a 429: retried, not "outcome unknown".
        let page = bytes::Bytes::from_static(b"<html>Too Many Requests</html>");
        let limited = Error::undecodable(StatusCode::TOO_MANY_REQUESTS, "not JSON", page.clone());
        let outcome = AttemptOutcome::of_error(&limited).unwrap();
        assert_eq!(
            outcome,
            AttemptOutcome::Response(StatusCode::TOO_MANY_REQUESTS)
        );
        assert_eq!(classify(RecoverByLookup, outcome), Retry);
        let ok_garbled = Error::undecodable(StatusCode::OK, "truncated", page);
        assert_eq!(
            AttemptOutcome::of_error(&ok_garbled),
            Some(AttemptOutcome::Undecodable)
        );
    }
}
