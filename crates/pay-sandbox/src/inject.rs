//! Fault injection: what happens to one request, the same way in both server modes. A mode (the
//! emulator, a script) says which step the request meets and how to apply it; this module acts
//! the fault out on the wire and counts what was received, applied and faulted.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::{Request, Response, StatusCode};
use http_body_util::{BodyExt, Limited};
use hyper::body::Incoming;

use crate::api::Api;
use crate::exchange::{ReceivedRequest, Reply};
use crate::fault_answers;
use crate::faults::Fault;
use crate::listener::Connection;
use crate::tamper;
use crate::traffic::Traffic;
use crate::wire::{Abandoned, ReplyBody, respond, respond_truncated};

/// Largest request body accepted (bigger ones are answered 413).
const MAX_BODY: usize = 1024 * 1024;

/// What the server does with one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// Apply the request and answer it normally.
    Apply,
    /// Inject this fault.
    Fault(Fault),
    /// Answer this reply without applying the request (a refusal, a read answering something
    /// else).
    Answer(Reply),
}

impl From<Fault> for Step {
    fn from(fault: Fault) -> Self {
        Self::Fault(fault)
    }
}

/// A server mode, as fault injection sees it.
pub(crate) trait Backend: Send + Sync + 'static {
    /// The API whose answers a faulted request to `request`'s route imitates.
    fn api(&self, request: &ReceivedRequest) -> Api;

    /// Called for every request received, before anything else.
    fn observe(&self, _request: &ReceivedRequest) {}

    /// The step this request meets (which uses it up).
    fn next_step(&self, request: &ReceivedRequest) -> Step;

    /// Applies the request and answers it.
    fn apply(&self, request: &ReceivedRequest) -> Reply;

    /// `lookup_other_payout`: another payout's answer, or `None` to answer normally.
    fn other_payout(&self, request: &ReceivedRequest) -> Option<Reply>;

    /// `id_reused`: books an earlier payout under the request's id and answers `None` (the
    /// request is then applied and meets it), or answers the duplicate refusal itself.
    fn reuse_id(&self, request: &ReceivedRequest) -> Option<Reply>;
}

/// Collects a request's body (answers 413 past 1 MiB).
pub(crate) async fn receive(request: Request<Incoming>) -> Result<ReceivedRequest, Reply> {
    let (parts, body) = request.into_parts();
    let body = match Limited::new(body, MAX_BODY).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(_) => {
            return Err(Reply::text(
                StatusCode::PAYLOAD_TOO_LARGE,
                "request body too large",
            ));
        }
    };
    let target = parts
        .uri
        .path_and_query()
        .map_or_else(|| parts.uri.path().to_owned(), |pq| pq.as_str().to_owned());
    Ok(ReceivedRequest {
        method: parts.method,
        target,
        headers: parts.headers,
        body,
    })
}

fn apply<B: Backend>(backend: &B, traffic: &Traffic, request: &ReceivedRequest) -> Reply {
    let reply = backend.apply(request);
    traffic.committed(request.path());
    reply
}

/// Serves `request` through its step: applied normally, answered otherwise, or faulted.
pub(crate) async fn serve<B: Backend>(
    backend: &Arc<B>,
    traffic: &Arc<Traffic>,
    connection: &Connection,
    request: ReceivedRequest,
) -> Result<Response<ReplyBody>, Abandoned> {
    let path = request.path();
    traffic.received(path);
    backend.observe(&request);
    let api = backend.api(&request);
    if traffic.is_held(path) {
        // A request of this route is held (`recreate_refused_in_flight`): refused.
        return Ok(respond(fault_answers::in_flight_refusal(api)));
    }
    let fault = match backend.next_step(&request) {
        Step::Apply => return Ok(respond(apply(&**backend, traffic, &request))),
        Step::Answer(reply) => {
            traffic.faulted(path);
            return Ok(respond(reply));
        }
        Step::Fault(fault) => fault,
    };
    traffic.faulted(path);
    tracing::debug!(path, fault = fault.class().name(), "injecting fault");
    match fault {
        Fault::ResetBeforeCommit => {
            connection.reset_on_close();
            Err(Abandoned::Reset)
        }
        Fault::Status5xx { status, applied } => {
            if applied {
                apply(&**backend, traffic, &request);
            }
            Ok(respond(fault_answers::unavailable(api, status, None)))
        }
        Fault::Status429 { retry_after_secs } => Ok(respond(fault_answers::unavailable(
            api,
            StatusCode::TOO_MANY_REQUESTS,
            Some(retry_after_secs),
        ))),
        Fault::AlreadyCompleted => Ok(respond(fault_answers::already_completed(api))),
        Fault::LookupOtherPayout => {
            let reply = match backend.other_payout(&request) {
                Some(other) => other,
                None => apply(&**backend, traffic, &request),
            };
            Ok(respond(reply))
        }
        Fault::LookupMismatch => {
            let mut reply = apply(&**backend, traffic, &request);
            if let Some(body) = tamper::mismatched(&reply.body) {
                reply.body = Bytes::from(body);
            }
            Ok(respond(reply))
        }
        Fault::IdReused => {
            let reply = match backend.reuse_id(&request) {
                Some(refusal) => refusal,
                None => apply(&**backend, traffic, &request),
            };
            Ok(respond(reply))
        }
        Fault::HeldThenCommit(hold) => {
            Ok(respond(held(backend, traffic, request, hold, false).await))
        }
        Fault::RecreateRefusedInFlight(hold) => {
            traffic.hold(path);
            Ok(respond(held(backend, traffic, request, hold, true).await))
        }
        Fault::CommitThenDrop => {
            apply(&**backend, traffic, &request);
            Err(Abandoned::Dropped)
        }
        Fault::CommitThenDelay(delay) => {
            let reply = apply(&**backend, traffic, &request);
            tokio::time::sleep(delay).await;
            Ok(respond(reply))
        }
        Fault::CommitThenTruncate => Ok(respond_truncated(apply(&**backend, traffic, &request))),
    }
}

/// Applies a request held `hold` first (`held_then_commit`; `recreate_refused_in_flight`, which
/// then ends the route's hold: `release`): in a task of its own, so it is applied even when the client has gone
/// (hyper drops a request's future when its connection closes; a server's work does not stop).
async fn held<B: Backend>(
    backend: &Arc<B>,
    traffic: &Arc<Traffic>,
    request: ReceivedRequest,
    hold: Duration,
    release: bool,
) -> Reply {
    let (backend, traffic) = (Arc::clone(backend), Arc::clone(traffic));
    let work = tokio::spawn(async move {
        tokio::time::sleep(hold).await;
        let reply = apply(&*backend, &traffic, &request);
        if release {
            traffic.release(request.path());
        }
        reply
    });
    work.await
        .unwrap_or_else(|_| Reply::text(StatusCode::INTERNAL_SERVER_ERROR, "held request failed"))
}
