//! `cargo xtask crash --kills N [--backend sqlite|postgres|both] [--seed S] [--lanes L]`: the crash
//! test (the `crash` binary of `pay-tests` and the `pay` binary, in release). Real OS processes
//! create journaled payouts against a `pay sandbox` process with fault classes on and are killed
//! with SIGKILL at chosen points and at random times; the journal is resumed; the sandbox's books
//! are compared with the journal. The last line is
//! `crash: N kills, intents=…, duplicates=0, lost=0, wrong=0, unresolved=K`; any duplicate, lost
//! payout or wrong outcome fails the command. PostgreSQL runs under `.ci/postgres.sh` when
//! `PAY_TEST_POSTGRES_URL` is not set.

use std::process::Command;

use crate::{run_step, workspace_root};

pub fn run(args: &[String]) -> Result<(), String> {
    let mut kills = "200".to_owned();
    let mut backend = "both".to_owned();
    let mut seed: Option<String> = None;
    let mut lanes: Option<String> = None;
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let mut value = |name: &str| {
            it.next()
                .cloned()
                .ok_or_else(|| format!("{name} needs a value"))
        };
        match arg.as_str() {
            "--kills" => kills = number(&value("--kills")?, "--kills")?,
            "--seed" => seed = Some(number(&value("--seed")?, "--seed")?),
            "--lanes" => lanes = Some(number(&value("--lanes")?, "--lanes")?),
            "--backend" => {
                backend = value("--backend")?;
                if !["sqlite", "postgres", "both"].contains(&backend.as_str()) {
                    return Err(format!(
                        "--backend must be sqlite, postgres or both, got `{backend}`"
                    ));
                }
            }
            other => {
                return Err(format!(
                    "unknown argument `{other}` (usage: cargo xtask crash --kills N [--backend sqlite|postgres|both] [--seed S] [--lanes L])"
                ));
            }
        }
    }
    run_step(
        "cargo",
        &[
            "build",
            "--release",
            "--quiet",
            "-p",
            "pay-cli",
            "--bin",
            "pay",
            "-p",
            "pay-tests",
            "--bin",
            "crash",
        ],
    )?;
    let root = workspace_root();
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| root.join("target"))
        .join("release");
    let (crash, pay) = (target.join("crash"), target.join("pay"));
    let mut command: Vec<String> = vec![
        crash.display().to_string(),
        "run".into(),
        "--kills".into(),
        kills,
        "--backend".into(),
        backend.clone(),
        "--pay".into(),
        pay.display().to_string(),
    ];
    if let Some(seed) = seed {
        command.extend(["--seed".into(), seed]);
    }
    if let Some(lanes) = lanes {
        command.extend(["--lanes".into(), lanes]);
    }
    let needs_server = backend != "sqlite"
        && std::env::var("PAY_TEST_POSTGRES_URL").map_or(true, |u| u.is_empty());
    if needs_server {
        command.insert(0, ".ci/postgres.sh".into());
        command.insert(0, "bash".into());
    }
    let (program, rest) = command
        .split_first()
        .ok_or_else(|| "empty command".to_owned())?;
    eprintln!("$ {program} {}", rest.join(" "));
    let status = Command::new(program)
        .args(rest)
        .current_dir(&root)
        .status()
        .map_err(|e| format!("cannot start {program}: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("the crash test failed ({status})"))
    }
}

fn number(value: &str, name: &str) -> Result<String, String> {
    value
        .parse::<u64>()
        .map(|n| n.to_string())
        .map_err(|_| format!("{name} must be a non-negative integer, got `{value}`"))
}
