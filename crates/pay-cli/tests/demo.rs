//! `pay demo` end to end: every step holds, the summary says so, exit 0.
#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)] // test code

use std::process::Command;

#[test]
fn demo_runs_every_step_and_exits_zero() {
    let output = Command::new(env!("CARGO_BIN_EXE_pay"))
        .arg("demo")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(stdout.contains("11/11 steps held"), "{stdout}");
    assert!(stdout.contains("exactly one withdrawal"), "{stdout}");
    assert!(!stdout.contains("FAIL"), "{stdout}");
}
