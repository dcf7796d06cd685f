//! `cargo xtask ci`: what CI runs, in order, stopping at the first failure.

use crate::run_step;

/// Format check, clippy with `-D warnings` on every target, then every test of the workspace.
pub(crate) fn run(args: &[String]) -> Result<(), String> {
    if let Some(extra) = args.first() {
        return Err(format!("unexpected argument `{extra}`"));
    }
    run_step("cargo", &["fmt", "--all", "--", "--check"])?;
    run_step(
        "cargo",
        &[
            "clippy",
            "--workspace",
            "--all-targets",
            "--locked",
            "--",
            "-D",
            "warnings",
        ],
    )?;
    run_step(
        "cargo",
        &["test", "--workspace", "--locked", "--no-fail-fast"],
    )?;
    eprintln!("xtask ci: all checks passed");
    Ok(())
}
