//! `cargo xtask bench [suite...]`: runs the benchmark suites one after the other (figures go to
//! `docs/benchmarks.md`). Other crates add their suites to [`SUITES`].

use crate::run_step;

/// A benchmark suite: a name and how cargo runs it.
struct Suite {
    name: &'static str,
    runs: Runs,
}

/// How cargo runs a suite.
enum Runs {
    /// `cargo bench -p <package> [--features <features>] --bench <bench>`: a criterion bench.
    Bench {
        package: &'static str,
        features: Option<&'static str>,
        bench: &'static str,
    },
    /// `cargo run --release -p pay-tests --bin <bin>`: a measuring binary of the tests crate.
    TestsBinary(&'static str),
}

impl Runs {
    fn cargo_args(&self) -> Vec<&'static str> {
        match *self {
            Self::Bench {
                package,
                features,
                bench,
            } => {
                let mut args = vec!["bench", "-p", package];
                if let Some(features) = features {
                    args.extend(["--features", features]);
                }
                args.extend(["--bench", bench]);
                args
            }
            Self::TestsBinary(bin) => vec!["run", "--release", "-p", "pay-tests", "--bin", bin],
        }
    }
}

/// A suite named `name`.
const fn suite(name: &'static str, runs: Runs) -> Suite {
    Suite { name, runs }
}

/// A criterion bench of `package` without extra features.
const fn bench(package: &'static str, bench: &'static str) -> Runs {
    Runs::Bench {
        package,
        features: None,
        bench,
    }
}

/// Every suite, in the order `docs/benchmarks.md` lists them.
const SUITES: &[Suite] = &[
    suite("signing", bench("pay-signing", "signing")),
    suite("webhook", bench("pay-webhook", "receiver")),
    suite("sandbox", bench("pay-sandbox", "throughput")),
    suite("client", Runs::TestsBinary("bench_client")),
    // PostgreSQL rows need PAY_TEST_POSTGRES_URL: `.ci/postgres.sh cargo xtask bench journal`.
    suite("journal", Runs::TestsBinary("bench_journal")),
    // PostgreSQL rows need PAY_TEST_POSTGRES_URL: `.ci/postgres.sh cargo xtask bench store`.
    suite(
        "store",
        Runs::Bench {
            package: "pay-store",
            features: Some("postgres"),
            bench: "store",
        },
    ),
    suite("json", bench("pay-core", "json")),
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
        run_step("cargo", &suite.runs.cargo_args())?;
    }
    Ok(())
}
