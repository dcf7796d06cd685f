//! SQLite shared by several OS processes on one host, and a process killed mid-payout.
//!
//! The parent test re-runs this test binary as child processes (selected by `PAY_STORE_CHILD`),
//! each with its own connection to the same file.
#![cfg(feature = "sqlite")]
#![allow(clippy::panic, clippy::print_stdout, clippy::unwrap_used)] // helpers outside #[test]; children report on stdout

mod support;

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use pay_core::error::Provider;
use pay_store::testing::begin_attempted;
use pay_store::{
    Begin, Claim, DedupKey, DedupStore, EvidenceKind, Finality, IntentClaim, IntentJournal,
    IntentKey, IntentState, Listing, OwnerId, SqliteStore, StoreError,
};
use serde_json::json;
use support::TempDir;

const INTENTS: usize = 30;
const EVENTS: usize = 30;

fn key(id: &str) -> IntentKey {
    IntentKey::new(Provider::Qostiq, "withdraw", id)
}

/// Runs this binary's `child` test as another process with `role` on `path`.
fn spawn_child(role: &str, path: &Path) -> std::process::Child {
    Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "child", "--nocapture", "--test-threads", "1"])
        .env("PAY_STORE_CHILD", role)
        .env("PAY_STORE_PATH", path)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// The `@@ name value` lines a child printed (the harness may print before them on a line).
fn lines(output: &Output) -> Vec<(String, String)> {
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| line.split_once("@@ ").map(|(_, rest)| rest))
        .filter_map(|line| line.split_once(' '))
        .map(|(a, b)| (a.to_owned(), b.to_owned()))
        .collect()
}

/// The child side: does nothing unless started by a parent test.
#[test]
fn child() {
    let Ok(role) = std::env::var("PAY_STORE_CHILD") else {
        return;
    };
    let path = std::env::var("PAY_STORE_PATH").unwrap();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async move {
        match role.as_str() {
            "worker" => worker(&path).await,
            "crash" => crash(&path).await,
            other => panic!("unknown role {other}"),
        }
    });
}

/// Races the other worker: begins every intent, claims every event, then takes due work.
async fn worker(path: &str) {
    // Both workers open a file nobody created yet: the schema is created once.
    let store = SqliteStore::open(path).await.unwrap();
    let me = OwnerId::unique("worker");
    for i in 0..INTENTS {
        let id = format!("i-{i}");
        match store
            .begin(&key(&id), &json!({"i": i}), &me, Duration::from_secs(600))
            .await
            .unwrap()
        {
            Begin::Created(lease) => {
                println!("@@ created {id}");
                store.release_lease(&lease).await.unwrap();
            }
            Begin::Existing(_) => {}
        }
        let event = format!("e-{i}");
        let claim = store
            .claim(&DedupKey {
                event: &event,
                object: &event,
                finality: Finality::Terminal,
            })
            .await
            .unwrap();
        if claim == Claim::Proceed {
            println!("@@ proceed {event}");
        }
    }
    loop {
        let due = store
            .claim_due(&me, Duration::from_secs(600), 4, None)
            .await
            .unwrap();
        if due.is_empty() {
            break;
        }
        for claimed in due {
            println!("@@ claimed {}", claimed.record.intent.key.intent_id);
        }
    }
}

/// Begins a payout, records the attempt, and dies before finishing it.
async fn crash(path: &str) {
    let store = SqliteStore::open(path).await.unwrap();
    let me = OwnerId::unique("doomed");
    let payload = json!({"amount": "5.00"});
    let lease = Duration::from_millis(300);
    begin_attempted(&store, &key("crash-1"), &payload, &me, lease)
        .await
        .unwrap();
    println!("@@ owner {me}");
    std::process::abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_processes_share_one_file_without_double_work() {
    let dir = TempDir::new().unwrap();
    let path = dir.file("shared.db");
    let children = [spawn_child("worker", &path), spawn_child("worker", &path)];
    let outputs: Vec<Output> = children
        .into_iter()
        .map(|child| child.wait_with_output().unwrap())
        .collect();
    let mut created = HashMap::<String, usize>::new();
    let mut proceeded = HashMap::<String, usize>::new();
    let mut claimed = HashMap::<String, usize>::new();
    for output in &outputs {
        assert!(
            output.status.success(),
            "child failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        for (what, id) in lines(output) {
            let counts = match what.as_str() {
                "created" => &mut created,
                "proceed" => &mut proceeded,
                "claimed" => &mut claimed,
                other => panic!("unexpected line {other}"),
            };
            *counts.entry(id).or_default() += 1;
        }
    }
    // Each intent was created by exactly one process, each event reached one handler.
    assert_eq!(created.len(), INTENTS);
    assert!(created.values().all(|n| *n == 1), "{created:?}");
    assert_eq!(proceeded.len(), EVENTS);
    assert!(proceeded.values().all(|n| *n == 1), "{proceeded:?}");
    // Due work was never handed to both.
    assert!(claimed.values().all(|n| *n == 1), "{claimed:?}");

    let store = SqliteStore::open(&path).await.unwrap();
    assert_eq!(store.schema_version().await.unwrap(), 1);
    let rest = store
        .claim_due(
            &OwnerId::unique("parent"),
            Duration::from_secs(600),
            100,
            None,
        )
        .await
        .unwrap();
    let all: HashSet<String> = claimed
        .into_keys()
        .chain(rest.into_iter().map(|c| c.record.intent.key.intent_id))
        .collect();
    assert_eq!(all.len(), INTENTS);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_process_leaves_its_intent_listed_for_takeover() {
    let dir = TempDir::new().unwrap();
    let path = dir.file("crash.db");
    let output = spawn_child("crash", &path).wait_with_output().unwrap();
    assert!(!output.status.success(), "the child was meant to abort");
    let lines = lines(&output);
    let dead_owner = &lines
        .iter()
        .find(|(what, _)| what == "owner")
        .expect("the child got as far as recording its attempt")
        .1;

    let store = SqliteStore::open(&path).await.unwrap();
    let listed = store.list(Listing::Unfinished, 10).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].key, key("crash-1"));
    assert_eq!(listed[0].state, IntentState::Open);
    assert_eq!(&listed[0].owner, dead_owner);

    tokio::time::sleep(Duration::from_millis(500)).await;
    let me = OwnerId::unique("survivor");
    let IntentClaim::Claimed(taken) = store
        .claim_intent(&key("crash-1"), &me, Duration::from_secs(60))
        .await
        .unwrap()
    else {
        panic!("the dead owner's lease expired");
    };
    assert_eq!(taken.lease.epoch(), 2);
    assert_eq!(taken.record.evidence.len(), 1);
    assert_eq!(taken.record.evidence[0].kind, EvidenceKind::Attempt);
    assert_eq!(&taken.record.evidence[0].owner, dead_owner);
}

#[tokio::test]
async fn a_schema_newer_than_this_build_is_refused() {
    let dir = TempDir::new().unwrap();
    let path = dir.file("future.db");
    drop(SqliteStore::open(&path).await.unwrap());
    let connection = rusqlite::Connection::open(&path).unwrap();
    connection
        .execute(
            "INSERT INTO pay_store_schema (version, applied_at) VALUES (99, 0)",
            [],
        )
        .unwrap();
    drop(connection);
    match SqliteStore::open(&path).await {
        Err(StoreError::SchemaTooNew {
            found: 99,
            known: 1,
        }) => {}
        other => panic!("expected SchemaTooNew, got {other:?}"),
    }
}

#[tokio::test]
async fn an_unusable_path_fails_to_open() {
    let dir = TempDir::new().unwrap();
    let missing = dir.file("no/such/dir/store.db");
    assert!(matches!(
        SqliteStore::open(&missing).await,
        Err(StoreError::Unavailable(_))
    ));
}
