//! `faults --iterations N [--seed S]`: N seeded fault schedules per fault class against each
//! provider's client (run by `cargo xtask faults`; see `pay_tests::faults`).
//!
//! Prints one line per provider and class (`n/a` for a class a provider has no schedule for),
//! then exactly `faults: N per class, duplicates=D, lost=L, wrong=W, unknown=K` (summed over
//! providers), and exits non-zero if any payout was duplicated or lost or any outcome was wrong.

use std::future::Future;
use std::pin::Pin;
use std::process::ExitCode;

use pay_tests::faults::{ClassReport, FaultClass};
use pay_tests::{say, wall_clock};

type Run = fn(FaultClass, u64, u64) -> Pin<Box<dyn Future<Output = ClassReport> + Send>>;

/// Whether a provider's runner has a schedule for a class.
type Supports = fn(FaultClass) -> bool;

/// The providers whose clients are exercised: name, the classes it has schedules for, runner.
fn providers() -> Vec<(&'static str, Supports, Run)> {
    vec![
        ("qostiq", pay_tests::faults::qostiq::supports, |c, n, s| {
            Box::pin(pay_tests::faults::qostiq::run(c, n, s))
        }),
        (
            "coinqvest",
            pay_tests::faults::coinqvest::supports,
            |c, n, s| Box::pin(pay_tests::faults::coinqvest::run(c, n, s)),
        ),
    ]
}

struct Args {
    iterations: u64,
    seed: u64,
}

fn parse(args: &[String]) -> Result<Args, String> {
    let mut out = Args {
        iterations: 1_000,
        seed: 0x5EED_FA17,
    };
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let mut value = |name: &str| -> Result<u64, String> {
            it.next()
                .ok_or_else(|| format!("{name} needs a value"))?
                .parse()
                .map_err(|_| format!("{name} must be a non-negative integer"))
        };
        match arg.as_str() {
            "--iterations" => out.iterations = value("--iterations")?,
            "--seed" => out.seed = value("--seed")?,
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    Ok(out)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args = match parse(&args) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("faults: {e}\nusage: faults --iterations N [--seed S]");
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("faults: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let started = wall_clock();
    let mut total = ClassReport::default();
    runtime.block_on(async {
        for (provider, supports, run) in providers() {
            for class in FaultClass::ALL {
                if !supports(class) {
                    say(&format!("{provider} {class:<27} n/a"));
                    continue;
                }
                let class_started = wall_clock();
                let r = run(class, args.iterations, args.seed).await;
                let seconds = (wall_clock() - class_started).as_secs_f64();
                say(&format!("{provider} {class:<27} {r} ({seconds:.1} s)"));
                total.merge(r);
            }
        }
    });
    eprintln!(
        "faults: done in {:.1} s",
        (wall_clock() - started).as_secs_f64()
    );
    say(&format!(
        "faults: {} per class, duplicates={}, lost={}, wrong={}, unknown={}",
        args.iterations, total.duplicates, total.lost, total.wrong, total.unknown
    ));
    if !total.is_clean() {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
