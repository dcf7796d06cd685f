//! `cargo xtask bench [suite...]`: runs the benchmark suites one after the other (figures go to
//! `docs/benchmarks.md`). Other crates add their suites to [`SUITES`].

use crate::run_step;

/// A benchmark suite: a name and the cargo arguments that run it.
struct Suite {
    name: &'static str,
    cargo_args: &'static [&'static str],
}

/// Every suite, in the order `docs/benchmarks.md` lists them.
const SUITES: &[Suite] = &[
    Suite {
        name: "signing",
        cargo_args: &["bench", "-p", "pay-signing", "--bench", "signing"],
    },
    Suite {
        name: "webhook",
        cargo_args: &["bench", "-p", "pay-webhook", "--bench", "receiver"],
    },
    Suite {
        name: "sandbox",
        cargo_args: &["bench", "-p", "pay-sandbox", "--bench", "throughput"],
    },
    Suite {
        name: "client",
        cargo_args: &[
            "run",
            "--release",
            "-p",
            "pay-tests",
            "--bin",
            "bench_client",
        ],
    },
    // PostgreSQL rows need PAY_TEST_POSTGRES_URL: `.ci/postgres.sh cargo xtask bench journal`.
    Suite {
        name: "journal",
        cargo_args: &[
            "run",
            "--release",
            "-p",
            "pay-tests",
            "--bin",
            "bench_journal",
        ],
    },
    // PostgreSQL rows need PAY_TEST_POSTGRES_URL: `.ci/postgres.sh cargo xtask bench store`.
    Suite {
        name: "store",
        cargo_args: &[
            "bench",
            "-p",
            "pay-store",
            "--features",
            "postgres",
            "--bench",
            "store",
        ],
    },
    Suite {
        name: "json",
        cargo_args: &["bench", "-p", "pay-core", "--bench", "json"],
    },
];

pub(crate) fn run(args: &[String]) -> Result<(), String> {
    let selected: Vec<&Suite> = if args.is_empty() {
        SUITES.iter().collect()
    } else {
        args.iter()
            .map(|name| {
                SUITES.iter().find(|s| s.name == name).ok_or_else(|| {
                    let known: Vec<&str> = SUITES.iter().map(|s| s.name).collect();
                    format!("unknown suite `{name}`; known: {}", known.join(", "))
                })
            })
            .collect::<Result<_, _>>()?
    };
    for suite in selected {
        eprintln!("xtask bench: {}", suite.name);
        run_step("cargo", suite.cargo_args)?;
    }
    Ok(())
}
