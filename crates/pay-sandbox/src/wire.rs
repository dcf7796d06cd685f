//! Replies on the wire: the response body (whole, or cut by `commit_then_truncate`) and the
//! service error that makes hyper abandon a connection without answering.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, ready};
use std::time::Duration;

use bytes::Bytes;
use http::Response;
use hyper::body::{Body, Frame, SizeHint};

use crate::exchange::Reply;

/// How long a truncated body waits after its first half before the connection breaks (so hyper
/// flushes the half).
const CUT_AFTER: Duration = Duration::from_millis(50);

/// Why the server abandons a request without (a whole) answer. As a service error it makes hyper
/// close the connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Abandoned {
    /// `commit_then_drop`: closed without answering.
    Dropped,
    /// `reset_before_commit`: reset without answering.
    Reset,
    /// `commit_then_truncate`: the body was cut.
    Cut,
}

impl fmt::Display for Abandoned {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Dropped => "connection dropped by an injected fault",
            Self::Reset => "connection reset by an injected fault",
            Self::Cut => "body truncated by an injected fault",
        })
    }
}

impl std::error::Error for Abandoned {}

/// The response body: the whole answer, or (truncation) its first half followed by an error that
/// makes hyper break the connection. Its size hint is the whole answer's length either way, so
/// `Content-Length` announces every byte.
pub(crate) struct ReplyBody {
    data: Option<Bytes>,
    declared: u64,
    cut: Option<Pin<Box<tokio::time::Sleep>>>,
}

impl Body for ReplyBody {
    type Data = Bytes;
    type Error = Abandoned;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Abandoned>>> {
        let this = &mut *self;
        if let Some(data) = this.data.take() {
            return Poll::Ready(Some(Ok(Frame::data(data))));
        }
        if let Some(sleep) = this.cut.as_mut() {
            ready!(sleep.as_mut().poll(cx));
            this.cut = None;
            return Poll::Ready(Some(Err(Abandoned::Cut)));
        }
        Poll::Ready(None)
    }

    fn is_end_stream(&self) -> bool {
        self.data.is_none() && self.cut.is_none()
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::with_exact(self.declared)
    }
}

/// The HTTP response of `reply`.
pub(crate) fn respond(reply: Reply) -> Response<ReplyBody> {
    build(reply, false)
}

/// The HTTP response of `reply` with its body cut in half (`commit_then_truncate`).
pub(crate) fn respond_truncated(reply: Reply) -> Response<ReplyBody> {
    build(reply, true)
}

fn build(reply: Reply, truncate: bool) -> Response<ReplyBody> {
    let declared = reply.body.len() as u64;
    let body = if truncate {
        ReplyBody {
            data: Some(reply.body.slice(..reply.body.len() / 2)),
            declared,
            cut: Some(Box::pin(tokio::time::sleep(CUT_AFTER))),
        }
    } else {
        ReplyBody {
            data: Some(reply.body),
            declared,
            cut: None,
        }
    };
    let mut response = Response::new(body);
    *response.status_mut() = reply.status;
    *response.headers_mut() = reply.headers;
    response
}
