//! `pay_store::interpose`: the hook runs around every write with its name, a failing `before`
//! writes nothing, `after` runs only for writes that succeeded, and reads pass through unhooked.
#![allow(clippy::panic, clippy::unwrap_used)] // helpers outside #[test]: a failure is a failed test

use std::sync::{Arc, Mutex};
use std::time::Duration;

use pay_core::error::Provider;
use pay_store::interpose::{Interposed, Write, WriteHook};
use pay_store::{
    Begin, EvidenceKind, IntentClaim, IntentJournal, IntentKey, Lease, Listing, MemoryStore,
    Outcome, OwnerId, StoreError,
};
use serde_json::json;

const LEASE: Duration = Duration::from_secs(60);

/// Logs `before <name>` / `after <name>`; fails the writes named in `fail`.
#[derive(Clone, Default)]
struct Log {
    seen: Arc<Mutex<Vec<String>>>,
    fail: &'static [&'static str],
}

impl Log {
    fn take(&self) -> Vec<String> {
        std::mem::take(&mut *self.seen.lock().unwrap())
    }
}

impl WriteHook for Log {
    async fn before(&self, write: &Write<'_>) -> Result<(), StoreError> {
        self.seen
            .lock()
            .unwrap()
            .push(format!("before {}", write.name()));
        if self.fail.contains(&write.name()) {
            return Err(StoreError::Unavailable("injected".into()));
        }
        Ok(())
    }

    async fn after(&self, write: &Write<'_>) {
        self.seen
            .lock()
            .unwrap()
            .push(format!("after {}", write.name()));
    }
}

fn key(id: &str) -> IntentKey {
    IntentKey::new(Provider::Qostiq, "withdraw", id)
}

/// A memory store behind a fresh log, with intent `id` begun by `me` (its lease).
async fn begun(id: &str, me: &OwnerId) -> (Interposed<MemoryStore, Log>, Log, Lease) {
    let log = Log::default();
    let store = Interposed::new(MemoryStore::new(), log.clone());
    let begin = store.begin(&key(id), &json!({}), me, LEASE).await.unwrap();
    let Begin::Created(lease) = begin else {
        panic!("fresh key")
    };
    (store, log, lease)
}

#[tokio::test]
async fn every_write_is_hooked_before_and_after_and_reads_are_not() {
    let me = OwnerId::unique("test");
    let (store, log, lease) = begun("a", &me).await;
    let lease = store.renew(&lease, LEASE).await.unwrap();
    store
        .record(&lease, EvidenceKind::Attempt, &json!({"n": 1}))
        .await
        .unwrap();
    store.mark_unknown(&lease, Duration::ZERO).await.unwrap();
    let IntentClaim::Claimed(claimed) = store.claim_intent(&key("a"), &me, LEASE).await.unwrap()
    else {
        panic!("claimable")
    };
    store.release_lease(&claimed.lease).await.unwrap();
    let due = store.claim_due(&me, LEASE, 10, None).await.unwrap();
    let outcome = Outcome {
        name: "refused".into(),
        detail: json!({}),
    };
    store.finish(&due[0].lease, &outcome).await.unwrap();
    store
        .reopen(&key("a"), &me, LEASE, &["refused"])
        .await
        .unwrap();
    store.get(&key("a")).await.unwrap();
    store.list(Listing::All, 10).await.unwrap();
    let names = [
        "begin",
        "renew",
        "record",
        "mark_unknown",
        "claim_intent",
        "release_lease",
        "claim_due",
        "finish",
        "reopen",
    ];
    let expected: Vec<String> = names
        .iter()
        .flat_map(|n| [format!("before {n}"), format!("after {n}")])
        .collect();
    assert_eq!(log.take(), expected);
}

#[tokio::test]
async fn a_failing_before_writes_nothing_and_skips_after() {
    let log = Log {
        fail: &["begin"],
        ..Log::default()
    };
    let inner = MemoryStore::new();
    let store = Interposed::new(inner.clone(), log.clone());
    let me = OwnerId::unique("test");
    let failed = store.begin(&key("b"), &json!({}), &me, LEASE).await;
    assert!(
        matches!(failed, Err(StoreError::Unavailable(_))),
        "{failed:?}"
    );
    assert_eq!(log.take(), ["before begin"]);
    assert!(inner.get(&key("b")).await.unwrap().is_none());
}

#[tokio::test]
async fn a_failed_write_of_the_inner_store_skips_after() {
    let me = OwnerId::unique("test");
    let (store, log, lease) = begun("c", &me).await;
    let outcome = Outcome {
        name: "paid".into(),
        detail: json!({}),
    };
    store.finish(&lease, &outcome).await.unwrap();
    log.take();
    // A finished intent takes no more evidence: the inner store refuses, `after` does not run.
    let refused = store.record(&lease, EvidenceKind::Lookup, &json!({})).await;
    assert!(
        matches!(refused, Err(StoreError::AlreadyFinished { .. })),
        "{refused:?}"
    );
    assert_eq!(log.take(), ["before record"]);
}
