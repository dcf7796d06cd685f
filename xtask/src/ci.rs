//! `cargo xtask ci`: what CI runs, in order, stopping at the first failure.

use std::process::Command;

use crate::{run_step, workspace_root};

/// Crates that must build without an async runtime or HTTP stack (their default features).
const SANS_IO: &[&str] = &["pay-core", "pay-signing", "pay-qostiq", "pay-coinqvest"];
/// What none of them may pull in.
const FORBIDDEN: &[&str] = &[
    "tokio",
    "hyper",
    "hyper-util",
    "tower",
    "tower-service",
    "tower-layer",
];

/// Optional features that CI builds, lints and tests on top of the defaults: the PostgreSQL backend
/// of pay-store (its tests need `PAY_TEST_POSTGRES_URL`, which `.ci/postgres.sh` provides; without
/// it they skip, and under `CI=true` they fail).
const EXTRA_FEATURES: &str = "pay-store/postgres";

/// Builds the rustdoc of every crate with warnings as errors (broken intra-doc links, bad HTML).
fn check_docs() -> Result<(), String> {
    let args = [
        "doc",
        "--workspace",
        "--no-deps",
        "--all-features",
        "--locked",
    ];
    eprintln!("$ RUSTDOCFLAGS=\"-D warnings\" cargo {}", args.join(" "));
    let status = Command::new("cargo")
        .args(args)
        .env("RUSTDOCFLAGS", "-D warnings")
        .current_dir(workspace_root())
        .status()
        .map_err(|e| format!("cannot run cargo doc: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err("rustdoc has warnings".to_owned())
    }
}

/// pay-store sits beside pay-transport, under the crates that will use it: it must not depend on
/// them (checked with every backend enabled).
const STORE_FORBIDDEN: &[&str] = &[
    "pay-webhook",
    "pay-transport",
    "pay-qostiq",
    "pay-coinqvest",
    "pay-sandbox",
    "pay-cli",
];

/// pay-sandbox is an independent implementation of the providers (it catches client bugs only if it
/// shares no code with the clients): it must not depend on them.
const SANDBOX_FORBIDDEN: &[&str] = &[
    "pay-qostiq",
    "pay-coinqvest",
    "pay-transport",
    "pay-webhook",
];

/// The normal dependencies of `krate` (with `features`), one crate name per line.
fn dependency_names(krate: &str, features: &str) -> Result<Vec<String>, String> {
    let mut args = vec![
        "tree", "-p", krate, "-e", "normal", "--prefix", "none", "--locked",
    ];
    if !features.is_empty() {
        args.extend(["--features", features]);
    }
    eprintln!("$ cargo {}", args.join(" "));
    let output = Command::new("cargo")
        .args(&args)
        .current_dir(workspace_root())
        .output()
        .map_err(|e| format!("cannot run cargo tree: {e}"))?;
    if !output.status.success() {
        return Err(format!("cargo tree -p {krate} failed"));
    }
    Ok(String::from_utf8_lossy(&output.stdout)
        .lines()
        .skip(1) // the crate itself
        .filter_map(|line| line.split_whitespace().next())
        .map(str::to_owned)
        .collect())
}

/// Fails if a sans-IO crate depends on an async runtime or HTTP stack, pay-store on a crate above
/// it, or pay-sandbox on the clients.
fn check_layering() -> Result<(), String> {
    for krate in SANS_IO {
        if let Some(name) = dependency_names(krate, "")?
            .iter()
            .find(|name| FORBIDDEN.contains(&name.as_str()))
        {
            return Err(format!(
                "{krate} depends on {name}: sans-IO crates must not"
            ));
        }
    }
    if let Some(name) = dependency_names("pay-store", "pay-store/sqlite,pay-store/postgres")?
        .iter()
        .find(|name| STORE_FORBIDDEN.contains(&name.as_str()))
    {
        return Err(format!(
            "pay-store depends on {name}: it must stay below the crates that use it"
        ));
    }
    if let Some(name) = dependency_names("pay-sandbox", "")?
        .iter()
        .find(|name| SANDBOX_FORBIDDEN.contains(&name.as_str()))
    {
        return Err(format!(
            "pay-sandbox depends on {name}: the emulator must stay independent of the clients"
        ));
    }
    eprintln!(
        "layering: {} sans-IO crates free of {}; pay-store free of {}; pay-sandbox free of {}",
        SANS_IO.len(),
        FORBIDDEN.join(", "),
        STORE_FORBIDDEN.join(", "),
        SANDBOX_FORBIDDEN.join(", ")
    );
    Ok(())
}

/// Fails if the repo's vector copy (`testdata/vectors`) differs from `../shared/vectors`, when that
/// folder exists beside the checkout (a fresh clone without it tests against its own copy).
fn check_vector_copy() -> Result<(), String> {
    let root = workspace_root();
    let shared = root.join("..").join("shared").join("vectors");
    let copy = root.join("testdata").join("vectors");
    if !shared.is_dir() {
        eprintln!("vectors: ../shared/vectors not present; testing against testdata/vectors");
        return Ok(());
    }
    let names = |dir: &std::path::Path| -> Result<Vec<String>, String> {
        let mut names = std::fs::read_dir(dir)
            .map_err(|e| format!("{}: {e}", dir.display()))?
            .filter_map(Result::ok)
            .map(|entry| entry.file_name().to_string_lossy().into_owned())
            .filter(|name| name.ends_with(".json"))
            .collect::<Vec<_>>();
        names.sort();
        Ok(names)
    };
    let (expected, present) = (names(&shared)?, names(&copy)?);
    if expected != present {
        return Err(format!(
            "testdata/vectors holds {present:?}, ../shared/vectors holds {expected:?}"
        ));
    }
    for name in &expected {
        let read = |dir: &std::path::Path| {
            std::fs::read(dir.join(name)).map_err(|e| format!("{}/{name}: {e}", dir.display()))
        };
        if read(&shared)? != read(&copy)? {
            return Err(format!(
                "testdata/vectors/{name} differs from ../shared/vectors/{name}: vectors are never edited"
            ));
        }
    }
    eprintln!(
        "vectors: testdata/vectors equals ../shared/vectors ({} files)",
        expected.len()
    );
    Ok(())
}

/// The vector-copy check, format check, clippy with `-D warnings` on every target, the layering check, rustdoc with
/// `-D warnings`, then every test of the workspace.
pub(crate) fn run(args: &[String]) -> Result<(), String> {
    if let Some(extra) = args.first() {
        return Err(format!("unexpected argument `{extra}`"));
    }
    check_vector_copy()?;
    run_step("cargo", &["fmt", "--all", "--", "--check"])?;
    run_step(
        "cargo",
        &[
            "clippy",
            "--workspace",
            "--all-targets",
            "--features",
            EXTRA_FEATURES,
            "--locked",
            "--",
            "-D",
            "warnings",
        ],
    )?;
    check_layering()?;
    check_docs()?;
    run_step(
        "cargo",
        &[
            "test",
            "--workspace",
            "--features",
            EXTRA_FEATURES,
            "--locked",
            "--no-fail-fast",
        ],
    )?;
    eprintln!("xtask ci: all checks passed");
    Ok(())
}
