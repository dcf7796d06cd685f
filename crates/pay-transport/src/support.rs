//! Test support for the unit tests of this crate.

use std::future::Future;
use std::task::{Context, Poll};

/// Drives `fut` to completion on this thread, polling with a no-op waker (for futures whose
/// waits are virtual, or that never wait).
pub(crate) fn block_on<F: Future>(fut: F) -> F::Output {
    let mut fut = std::pin::pin!(fut);
    let mut cx = Context::from_waker(std::task::Waker::noop());
    loop {
        if let Poll::Ready(v) = fut.as_mut().poll(&mut cx) {
            return v;
        }
    }
}
