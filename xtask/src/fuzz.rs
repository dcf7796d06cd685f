//! `cargo xtask fuzz [--seconds N] [target...]`: runs the cargo-fuzz targets of `fuzz/`, each for
//! N seconds (default 30), one after the other, with the corpus seeded from the vectors.
//!
//! * Installs `cargo-fuzz` when `cargo fuzz` is missing (`cargo install cargo-fuzz --locked`).
//! * Sets `RUSTC_BOOTSTRAP=1`: cargo-fuzz passes nightly-only flags (`-Z sanitizer`, sancov), and
//!   only stable Rust is required here; the variable makes stable `rustc` accept them.
//! * Seeds `fuzz/corpus/<target>/` with every `body` of `testdata/vectors/*.json` (and, for the
//!   webhook target, `x_webhook_auth` + body in the target's input layout).
//! * Prints, per target, libFuzzer's executed-unit count and whether it found a crash (any crash
//!   fails the task; the reproducer is in `fuzz/artifacts/<target>/`).

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash as _, Hasher as _};
use std::io::{BufRead as _, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::workspace_root;

/// Every target in `fuzz/Cargo.toml`.
const TARGETS: &[&str] = &[
    "callback_verifier",
    "strict_json",
    "json_vs_serde",
    "coinqvest_webhook",
    "webhook_receiver",
];

/// What one target's run reported.
struct Outcome {
    target: String,
    executed: Option<u64>,
    per_second: Option<u64>,
    success: bool,
}

pub(crate) fn run(args: &[String]) -> Result<(), String> {
    let (seconds, targets) = parse_args(args)?;
    ensure_cargo_fuzz()?;
    let root = workspace_root();
    let mut outcomes = Vec::new();
    for target in &targets {
        let corpus = root.join("fuzz").join("corpus").join(target);
        let seeded = seed_corpus(target, &corpus, &root)?;
        eprintln!("xtask fuzz: {target}: {seeded} seed inputs, {seconds} s");
        outcomes.push(run_target(target, &corpus, seconds, &root)?);
    }
    eprintln!("xtask fuzz: summary");
    let mut failed = Vec::new();
    for o in &outcomes {
        let count = |v: Option<u64>| v.map_or_else(|| "?".to_owned(), |v| v.to_string());
        eprintln!(
            "  {:<20} executed {:>12}  ({} exec/s)  {}",
            o.target,
            count(o.executed),
            count(o.per_second),
            if o.success {
                "no crash"
            } else {
                "CRASH or error"
            }
        );
        if !o.success {
            failed.push(o.target.as_str());
        }
    }
    if failed.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "{} failed (see fuzz/artifacts/)",
            failed.join(", ")
        ))
    }
}

fn parse_args(args: &[String]) -> Result<(u64, Vec<String>), String> {
    let mut seconds = 30;
    let mut targets = Vec::new();
    let mut iter = args.iter();
    while let Some(arg) = iter.next() {
        match arg.as_str() {
            "--seconds" => {
                let value = iter.next().ok_or("--seconds needs a value")?;
                seconds = value
                    .parse()
                    .map_err(|_| format!("--seconds `{value}` is not a whole number"))?;
            }
            name if TARGETS.contains(&name) => targets.push(name.to_owned()),
            other => {
                return Err(format!(
                    "unknown argument `{other}`; usage: cargo xtask fuzz [--seconds N] [{}]",
                    TARGETS.join("|")
                ));
            }
        }
    }
    if targets.is_empty() {
        targets = TARGETS.iter().map(|t| (*t).to_owned()).collect();
    }
    Ok((seconds, targets))
}

fn ensure_cargo_fuzz() -> Result<(), String> {
    let present = Command::new("cargo")
        .args(["fuzz", "--version"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if present {
        return Ok(());
    }
    eprintln!("xtask fuzz: cargo-fuzz is missing, installing it");
    crate::run_step("cargo", &["install", "cargo-fuzz", "--locked"])
}

fn run_target(target: &str, corpus: &Path, seconds: u64, root: &Path) -> Result<Outcome, String> {
    let corpus_arg = corpus.display().to_string();
    let time_arg = format!("-max_total_time={seconds}");
    let args = [
        "fuzz",
        "run",
        target,
        &corpus_arg,
        "--",
        &time_arg,
        "-print_final_stats=1",
    ];
    eprintln!("$ RUSTC_BOOTSTRAP=1 cargo {}", args.join(" "));
    let mut child = Command::new("cargo")
        .args(args)
        .env("RUSTC_BOOTSTRAP", "1")
        .current_dir(root)
        .stdout(Stdio::inherit())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start cargo fuzz: {e}"))?;
    let mut executed = None;
    let mut per_second = None;
    if let Some(stderr) = child.stderr.take() {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            // libFuzzer logs every new coverage point: show the milestones, keep the stats.
            if let Some(v) = stat(&line, "stat::number_of_executed_units:") {
                executed = Some(v);
            }
            if let Some(v) = stat(&line, "stat::average_exec_per_sec:") {
                per_second = Some(v);
            }
            let milestone = [
                "INITED", "DONE", "pulse", "stat::", "ERROR", "panicked", "SUMMARY",
            ]
            .iter()
            .any(|m| line.contains(m))
                || line.starts_with("error")
                || line.contains("artifact")
                || line.contains("Compiling")
                || line.contains("Finished");
            if milestone {
                eprintln!("{line}");
            }
        }
    }
    let status = child
        .wait()
        .map_err(|e| format!("cargo fuzz did not finish: {e}"))?;
    Ok(Outcome {
        target: target.to_owned(),
        executed,
        per_second,
        success: status.success(),
    })
}

fn stat(line: &str, name: &str) -> Option<u64> {
    line.strip_prefix(name)?.trim().parse().ok()
}

/// Writes the seed inputs of `target` into `corpus` (content-named, so re-seeding is idempotent).
fn seed_corpus(target: &str, corpus: &Path, root: &Path) -> Result<usize, String> {
    std::fs::create_dir_all(corpus).map_err(|e| format!("{}: {e}", corpus.display()))?;
    let vectors = vectors_dir(root);
    let read = |file: &str| -> Result<String, String> {
        let path = vectors.join(file);
        std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))
    };
    let mut seeds: Vec<Vec<u8>> = Vec::new();
    match target {
        "callback_verifier" | "strict_json" | "json_vs_serde" => {
            for file in ["qostiq_callbacks.json", "qostiq_requests.json"] {
                seeds.extend(
                    string_fields(&read(file)?, "body")
                        .into_iter()
                        .map(String::into_bytes),
                );
            }
            if target != "callback_verifier" {
                for file in ["coinqvest_webhook.json", "coinqvest_digest.json"] {
                    seeds.extend(
                        string_fields(&read(file)?, "body")
                            .into_iter()
                            .map(String::into_bytes),
                    );
                }
            }
        }
        "coinqvest_webhook" => {
            // Input layout: one byte n, then n % 80 header bytes, then the body.
            let text = read("coinqvest_webhook.json")?;
            let bodies = string_fields(&text, "body");
            let auths = string_fields(&text, "x_webhook_auth");
            for (body, auth) in bodies.iter().zip(&auths) {
                let mut seed = vec![u8::try_from(auth.len() % 80).unwrap_or(0)];
                seed.extend_from_slice(auth.as_bytes());
                seed.extend_from_slice(body.as_bytes());
                seeds.push(seed);
            }
            for body in string_fields(&read("coinqvest_digest.json")?, "body") {
                let mut seed = vec![0u8];
                seed.extend_from_slice(body.as_bytes());
                seeds.push(seed);
            }
        }
        "webhook_receiver" => {
            // Input layout: flags byte, header lines, empty line, body. Flag 2 signs the body.
            for body in string_fields(&read("qostiq_callbacks.json")?, "body") {
                seeds.push([&[2u8][..], b"\n\n", body.as_bytes()].concat());
            }
            let text = read("coinqvest_webhook.json")?;
            let bodies = string_fields(&text, "body");
            for (body, auth) in bodies.iter().zip(string_fields(&text, "x_webhook_auth")) {
                seeds.push(
                    [
                        &[1u8][..],
                        b"x-webhook-auth: ",
                        auth.as_bytes(),
                        b"\n\n",
                        body.as_bytes(),
                    ]
                    .concat(),
                );
                seeds.push([&[3u8][..], b"\n\n", body.as_bytes()].concat());
            }
        }
        other => return Err(format!("no seeds defined for `{other}`")),
    }
    for seed in &seeds {
        let mut hasher = DefaultHasher::new();
        seed.hash(&mut hasher);
        let path = corpus.join(format!("seed-{:016x}", hasher.finish()));
        std::fs::write(&path, seed).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    Ok(seeds.len())
}

/// The repo's copy of the vectors (`testdata/vectors`, as the vector tests read it).
fn vectors_dir(root: &Path) -> PathBuf {
    root.join("testdata").join("vectors")
}

/// Every JSON string value of `"key": "…"` in `text`, unescaped (a std-only scan: the vectors
/// are trusted, well-formed files, and xtask keeps no dependencies).
fn string_fields(text: &str, key: &str) -> Vec<String> {
    let needle = format!("\"{key}\"");
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find(&needle) {
        rest = rest.get(at + needle.len()..).unwrap_or_default();
        let after_colon = rest.trim_start().strip_prefix(':').map(str::trim_start);
        let Some(value) = after_colon.and_then(|s| s.strip_prefix('"')) else {
            continue;
        };
        if let Some((decoded, remaining)) = json_string(value) {
            out.push(decoded);
            rest = remaining;
        }
    }
    out
}

/// Decodes a JSON string body up to its closing quote; returns it and the text after the quote.
fn json_string(text: &str) -> Option<(String, &str)> {
    let mut out = String::new();
    let mut chars = text.char_indices();
    let mut pending_high: Option<u32> = None;
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => return Some((out, text.get(i + 1..)?)),
            '\\' => {
                let (_, e) = chars.next()?;
                let simple = match e {
                    '"' => Some('"'),
                    '\\' => Some('\\'),
                    '/' => Some('/'),
                    'b' => Some('\u{8}'),
                    'f' => Some('\u{c}'),
                    'n' => Some('\n'),
                    'r' => Some('\r'),
                    't' => Some('\t'),
                    'u' => None,
                    _ => return None,
                };
                if let Some(s) = simple {
                    out.push(s);
                    continue;
                }
                let mut unit = 0u32;
                for _ in 0..4 {
                    unit = unit * 16 + chars.next()?.1.to_digit(16)?;
                }
                match (pending_high.take(), unit) {
                    (None, 0xD800..=0xDBFF) => pending_high = Some(unit),
                    (Some(high), 0xDC00..=0xDFFF) => {
                        out.push(char::from_u32(
                            0x10000 + ((high - 0xD800) << 10) + (unit - 0xDC00),
                        )?);
                    }
                    // A lone surrogate (some vectors test them): keep a replacement character.
                    (high, _) => {
                        if high.is_some() {
                            out.push(char::REPLACEMENT_CHARACTER);
                        }
                        out.push(char::from_u32(unit).unwrap_or(char::REPLACEMENT_CHARACTER));
                    }
                }
            }
            c => out.push(c),
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extracts_and_unescapes_string_fields() {
        let text = r#"[{"body": "{\"a\": \"\\u2116\"}\n", "x": 1}, {"body" : "\ud83d\ude00"}]"#;
        assert_eq!(
            string_fields(text, "body"),
            ["{\"a\": \"\\u2116\"}\n", "😀"]
        );
    }

    #[test]
    fn parses_arguments() {
        let args = |v: &[&str]| v.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        let (s, t) = parse_args(&args(&["--seconds", "5", "strict_json"])).unwrap();
        assert_eq!((s, t), (5, vec!["strict_json".to_owned()]));
        assert_eq!(parse_args(&[]).unwrap().1.len(), TARGETS.len());
        assert!(parse_args(&args(&["nope"])).is_err());
        assert!(parse_args(&args(&["--seconds"])).is_err());
    }
}
