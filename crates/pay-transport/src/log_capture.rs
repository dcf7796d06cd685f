//! A `tracing` subscriber that records every span and event field, at every level, as text: for
//! tests that assert what reaches the logs (no secret, no account number, no forged line).
//!
//! ```
//! use pay_transport::log_capture::LogCapture;
//!
//! let capture = LogCapture::default();
//! tracing::subscriber::with_default(capture.clone(), || {
//!     tracing::debug!(target: "pay", attempt = 1, error = %"refused", "attempt failed");
//! });
//! assert_eq!(
//!     capture.lines(),
//!     ["event DEBUG pay message=attempt failed attempt=1 error=refused"]
//! );
//! ```

use std::fmt::{self, Write as _};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};

/// Records every span (`span <name> <fields>`), every later `record` (`record <fields>`) and every
/// event (`event <LEVEL> <target> <fields>`), each field written ` name=value` with the value's
/// `Debug` (for `%`-fields, their `Display`). Clones share the lines.
#[derive(Clone, Default)]
pub struct LogCapture {
    lines: Arc<Mutex<Vec<String>>>,
    next_id: Arc<AtomicU64>,
}

impl LogCapture {
    /// Every line recorded so far.
    pub fn lines(&self) -> Vec<String> {
        self.lines
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    fn push(&self, line: String) {
        self.lines
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(line);
    }
}

impl fmt::Debug for LogCapture {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LogCapture").finish_non_exhaustive()
    }
}

struct Fields<'a>(&'a mut String);

impl Visit for Fields<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        let _ = write!(self.0, " {}={:?}", field.name(), value);
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        let _ = write!(self.0, " {}={}", field.name(), value);
    }
}

impl Subscriber for LogCapture {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, span: &Attributes<'_>) -> Id {
        let mut line = format!("span {}", span.metadata().name());
        span.record(&mut Fields(&mut line));
        self.push(line);
        Id::from_u64(
            self.next_id
                .fetch_add(1, Ordering::SeqCst)
                .saturating_add(1),
        )
    }
    fn record(&self, _: &Id, values: &Record<'_>) {
        let mut line = "record".to_owned();
        values.record(&mut Fields(&mut line));
        self.push(line);
    }
    fn record_follows_from(&self, _: &Id, _: &Id) {}
    fn event(&self, event: &Event<'_>) {
        let mut line = format!(
            "event {} {}",
            event.metadata().level(),
            event.metadata().target()
        );
        event.record(&mut Fields(&mut line));
        self.push(line);
    }
    fn enter(&self, _: &Id) {}
    fn exit(&self, _: &Id) {}
}
