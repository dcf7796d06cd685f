//! `cargo xtask faults --iterations N [--seed S]`: seeded fault schedules per fault class against
//! the Qostiq and COINQVEST clients (the `faults` binary of `pay-tests`, in release), checking every
//! outcome against the server's books. The binary prints one line per provider and class and a
//! last line `faults: N per class, duplicates=0, lost=0, wrong=0, unknown=K`; it exits non-zero on
//! any duplicate or lost payout or wrong outcome, which fails this command.

use crate::run_step;

/// Runs the fault-schedule binary with the given arguments.
pub fn run(args: &[String]) -> Result<(), String> {
    let mut iterations = "1000".to_owned();
    let mut seed: Option<String> = None;
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--iterations" => iterations = number(it.next(), "--iterations")?,
            "--seed" => seed = Some(number(it.next(), "--seed")?),
            other => {
                return Err(format!(
                    "unknown argument `{other}` (usage: cargo xtask faults --iterations N [--seed S])"
                ));
            }
        }
    }
    let mut cmd = vec![
        "run",
        "--release",
        "--quiet",
        "-p",
        "pay-tests",
        "--bin",
        "faults",
        "--",
        "--iterations",
        iterations.as_str(),
    ];
    if let Some(seed) = seed.as_deref() {
        cmd.extend(["--seed", seed]);
    }
    run_step("cargo", &cmd)
}

fn number(value: Option<&String>, name: &str) -> Result<String, String> {
    let value = value.ok_or_else(|| format!("{name} needs a value"))?;
    value
        .parse::<u64>()
        .map(|n| n.to_string())
        .map_err(|_| format!("{name} must be a non-negative integer, got `{value}`"))
}
