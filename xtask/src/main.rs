//! `cargo xtask <command>`: the project's developer and CI tasks, std only.
//!
//! * `ci`: format check, clippy with `-D warnings`, every test (the README's test command).
//! * `fuzz [--seconds N] [target...]`: the cargo-fuzz targets of `fuzz/`.
//! * `bench`: every benchmark suite (figures go to `docs/benchmarks.md`).
//! * `faults --iterations N [--seed S]`: fault schedules against the clients (no duplicate, no lost payout).
//! * `crash --kills N [--backend sqlite|postgres|both] [--seed S]`: payout processes killed with
//!   SIGKILL, the journal resumed, the sandbox's books compared with it.

use std::process::{Command, ExitCode};

mod bench;
mod ci;
mod conformance;
mod crash;
mod faults;
mod fuzz;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some((command, rest)) = args.split_first() else {
        eprintln!("usage: cargo xtask <ci|fuzz|bench|conformance|faults|crash> [args]");
        return ExitCode::from(2);
    };
    let result = match command.as_str() {
        "ci" => ci::run(rest),
        "fuzz" => fuzz::run(rest),
        "bench" => bench::run(rest),
        "conformance" => conformance::run(rest),
        "faults" => faults::run(rest),
        "crash" => crash::run(rest),
        other => Err(format!("unknown command `{other}`")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("xtask {command}: {message}");
            ExitCode::FAILURE
        }
    }
}

/// Runs `program args` from the workspace root, echoing it; fails if it fails.
pub(crate) fn run_step(program: &str, args: &[&str]) -> Result<(), String> {
    eprintln!("$ {program} {}", args.join(" "));
    let status = Command::new(program)
        .args(args)
        .current_dir(workspace_root())
        .status()
        .map_err(|e| format!("cannot start {program}: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("`{program} {}` failed ({status})", args.join(" ")))
    }
}

/// The workspace root (the parent of `xtask/`).
pub(crate) fn workspace_root() -> std::path::PathBuf {
    let manifest = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest
        .parent()
        .map(std::path::Path::to_path_buf)
        .unwrap_or(manifest)
}
