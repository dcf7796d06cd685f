//! The answers a fault substitutes for the real one, in each provider's shapes: Qostiq's front
//! proxy answers 5xx and 429 with an nginx-style HTML page and refusals with its envelope;
//! COINQVEST answers `{"errors": […]}`.

use http::StatusCode;
use http::header::RETRY_AFTER;

use crate::api::Api;
use crate::coinqvest::protocol::CoinqvestError;
use crate::exchange::Reply;
use crate::qostiq::protocol::QostiqError;

/// `status_5xx` and `status_429`: `status`, with `Retry-After` when given.
pub(crate) fn unavailable(api: Api, status: StatusCode, retry_after_secs: Option<u64>) -> Reply {
    let reply = match api {
        Api::Qostiq => {
            let code = status.as_u16();
            let reason = status.canonical_reason().unwrap_or("Error");
            Reply::html(
                status,
                format!(
                    "<html><head><title>{code} {reason}</title></head><body><center><h1>{code} {reason}</h1></center></body></html>"
                ),
            )
        }
        Api::Coinqvest => {
            let message = if status == StatusCode::TOO_MANY_REQUESTS {
                "Too many requests."
            } else {
                "Service unavailable."
            };
            CoinqvestError::new(status, message).reply()
        }
    };
    match retry_after_secs.and_then(|s| s.to_string().parse().ok()) {
        Some(value) => reply.with_header(RETRY_AFTER, value),
        None => reply,
    }
}

/// `recreate_refused_in_flight`: the answer to a request that arrives while another request of
/// its route is held. Qostiq: "insufficient funds" (`error_code` 5: the first holds the balance);
/// COINQVEST: the refusal of a withdrawal being processed.
pub(crate) fn in_flight_refusal(api: Api) -> Reply {
    match api {
        Api::Qostiq => QostiqError::insufficient().reply(),
        Api::Coinqvest => {
            CoinqvestError::bad("Withdrawal is PROCESSING and cannot be committed.").reply()
        }
    }
}

/// `already_completed`: the refusal of a payout already done. COINQVEST: a committed withdrawal
/// committed again; Qostiq: a create repeating a `shop_payment_id` (`error_code` 6).
pub(crate) fn already_completed(api: Api) -> Reply {
    match api {
        Api::Qostiq => QostiqError::new(
            StatusCode::BAD_REQUEST,
            6,
            "Duplicate shop_payment_id: the payout was already created",
        )
        .reply(),
        Api::Coinqvest => {
            CoinqvestError::bad("Withdrawal is COMPLETED and cannot be committed.").reply()
        }
    }
}

/// `id_reused` on the scripted server (which has no books to book an earlier payout in): the
/// provider's duplicate refusal.
pub(crate) fn duplicate(api: Api) -> Reply {
    match api {
        Api::Qostiq => QostiqError::new(
            StatusCode::BAD_REQUEST,
            6,
            "Duplicate shop_payment_id: must be unique",
        )
        .reply(),
        Api::Coinqvest => CoinqvestError::bad("A withdrawal with this id already exists.").reply(),
    }
}
