//! Workspace-level tests and drivers. Vector and end-to-end tests live in `tests/tests/`; the
//! fault-schedule runner behind `cargo xtask faults` lives in [`faults`], the crash runner behind
//! `cargo xtask crash` in [`crash`].

pub mod crash;
pub mod faults;

use std::time::Instant;

/// Prints one line on standard output, flushed at once: a runner's report line, or a driver's
/// protocol line that its runner reads as it comes.
#[allow(
    clippy::print_stdout,
    reason = "the runners' reports and the drivers' protocol are their stdout"
)]
pub fn say(line: &str) {
    use std::io::Write as _;
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{line}");
    let _ = out.flush();
}

/// The wall clock, for the durations a report states only (the runs themselves never read it).
#[allow(
    clippy::disallowed_methods,
    reason = "the reports state how long a run took"
)]
pub fn wall_clock() -> Instant {
    Instant::now()
}
