//! `crash`: the crash runner behind `cargo xtask crash` (see `pay_tests::crash`).
//!
//! * `crash run --kills N [--backend sqlite|postgres|both] [--seed S] [--lanes L] --pay PATH`:
//!   the run. Prints one line per backend, then exactly
//!   `crash: N kills, intents=…, duplicates=0, lost=0, wrong=0, unresolved=K` (summed), and exits
//!   non-zero on any duplicate, lost payout or wrong outcome. PostgreSQL needs
//!   `PAY_TEST_POSTGRES_URL` (`.ci/postgres.sh` provides one).
//! * `crash drive --journal URL --base URL --point P --seed S --kind K --id ID --tag T` and
//!   `crash resume --journal URL --base URL --point P --seed S`: the processes it starts and kills.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use pay_tests::crash::{ClientArgs, CrashReport, Point, RunConfig};
use pay_tests::{say, wall_clock};

/// `--name value` pairs.
fn options(args: &[String]) -> Result<Vec<(String, String)>, String> {
    let mut out = Vec::new();
    let mut it = args.iter();
    while let Some(name) = it.next() {
        let value = it
            .next()
            .ok_or_else(|| format!("{name} needs a value"))?
            .clone();
        out.push((name.clone(), value));
    }
    Ok(out)
}

fn get<'a>(options: &'a [(String, String)], name: &str) -> Option<&'a str> {
    options
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

fn number(options: &[(String, String)], name: &str, default: u64) -> Result<u64, String> {
    get(options, name).map_or(Ok(default), |v| {
        v.parse()
            .map_err(|_| format!("{name} must be a non-negative integer"))
    })
}

fn client_args(options: &[(String, String)]) -> Result<ClientArgs, String> {
    let required = |name: &str| {
        get(options, name)
            .map(str::to_owned)
            .ok_or_else(|| format!("{name} is required"))
    };
    let point = required("--point")?;
    Ok(ClientArgs {
        journal: required("--journal")?,
        base: required("--base")?,
        point: Point::parse(&point).ok_or_else(|| format!("unknown point `{point}`"))?,
        seed: number(options, "--seed", 0)?,
    })
}

fn runtime(multi_thread: bool) -> Result<tokio::runtime::Runtime, String> {
    let mut builder = if multi_thread {
        tokio::runtime::Builder::new_multi_thread()
    } else {
        tokio::runtime::Builder::new_current_thread()
    };
    builder
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the runtime: {e}"))
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some((command, rest)) = args.split_first() else {
        eprintln!("usage: crash <run|drive|resume> [options]");
        return ExitCode::from(2);
    };
    let result = options(rest).and_then(|options| match command.as_str() {
        "drive" => {
            let args = client_args(&options)?;
            let kind = get(&options, "--kind").ok_or("--kind is required")?;
            let id = get(&options, "--id").ok_or("--id is required")?;
            let tag = get(&options, "--tag").ok_or("--tag is required")?;
            runtime(false)?.block_on(pay_tests::crash::drive(&args, kind, id, tag))?;
            Ok(true)
        }
        "resume" => {
            let args = client_args(&options)?;
            runtime(false)?.block_on(pay_tests::crash::resume(&args))?;
            Ok(true)
        }
        "run" => run(&options),
        other => Err(format!("unknown command `{other}`")),
    });
    match result {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("crash: {e}");
            ExitCode::from(2)
        }
    }
}

/// `crash run`: `Ok(false)` when something went wrong.
fn run(options: &[(String, String)]) -> Result<bool, String> {
    let kills = number(options, "--kills", 200)?;
    let seed = number(options, "--seed", 0xC0A5_7E57)?;
    let lanes = number(options, "--lanes", 4)?;
    let pay =
        PathBuf::from(get(options, "--pay").ok_or("--pay PATH (the pay binary) is required")?);
    let crash = std::env::current_exe().map_err(|e| e.to_string())?;
    let backends: Vec<&str> = match get(options, "--backend").unwrap_or("sqlite") {
        "sqlite" => vec!["sqlite"],
        "postgres" => vec!["postgres"],
        "both" => vec!["sqlite", "postgres"],
        other => {
            return Err(format!(
                "unknown backend `{other}` (sqlite, postgres, both)"
            ));
        }
    };
    let runtime = runtime(true)?;
    let mut total = CrashReport::default();
    for backend in backends {
        let started = wall_clock();
        let dir = pay_store::testing::TempDir::new().map_err(|e| e.to_string())?;
        let journal = match backend {
            "sqlite" => dir.sqlite_url("journal.sqlite"),
            _ => {
                let base = std::env::var("PAY_TEST_POSTGRES_URL").map_err(|_| {
                    "PAY_TEST_POSTGRES_URL is not set: run under .ci/postgres.sh".to_owned()
                })?;
                runtime
                    .block_on(pay_store::testing::fresh_schema(&base))
                    .map_err(|e| e.to_string())?
            }
        };
        let config = RunConfig {
            kills,
            seed,
            pay: pay.clone(),
            crash: crash.clone(),
            journal,
            lanes,
        };
        let report = runtime.block_on(pay_tests::crash::run(&config))?;
        if std::env::var_os("CRASH_KEEP").is_some() {
            eprintln!("crash: kept {}", config.journal);
            std::mem::forget(dir);
        }
        let elapsed: Duration = wall_clock() - started;
        say(&format!(
            "crash[{backend}]: {} ({:.1} s)",
            report.line().trim_start_matches("crash: "),
            elapsed.as_secs_f64()
        ));
        total.merge(report);
    }
    say(&total.line());
    Ok(total.is_clean())
}
