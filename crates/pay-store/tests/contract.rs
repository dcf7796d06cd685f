//! One contract, every backend: the same tests run against memory, SQLite and PostgreSQL (the
//! latter when `PAY_TEST_POSTGRES_URL` is set; `.ci/postgres.sh` provides one).
#![allow(clippy::indexing_slicing, clippy::panic, clippy::unwrap_used)] // helpers outside #[test]: a failure is a failed test

mod support;

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use pay_core::error::Provider;
use pay_store::{
    Begin, Claim, DedupKey, DedupPolicy, DedupStore, EvidenceKind, Finality, IntentClaim,
    IntentJournal, IntentKey, IntentState, Lease, Listing, Outcome, OwnerId, PollKey, PollTurns,
    Store, StoreError,
};
use serde_json::json;
use support::Env;
use tokio::time::{Instant, sleep};

const LONG: Duration = Duration::from_secs(600);
/// A lease that expires during the test (long enough for a few durable commits on a loaded
/// machine before it does).
const SHORT: Duration = Duration::from_millis(500);
/// Comfortably past [`SHORT`].
const PAST_SHORT: Duration = Duration::from_millis(1_100);

fn key(id: &str) -> IntentKey {
    IntentKey::new(Provider::Qostiq, "withdraw", id)
}

fn owner(name: &str) -> OwnerId {
    OwnerId::unique(name)
}

fn outcome(name: &str) -> Outcome {
    Outcome {
        name: name.to_owned(),
        detail: json!({"payment_id": 149, "status": name}),
    }
}

async fn begin(store: &Store, id: &str, who: &OwnerId, lease: Duration) -> Lease {
    match store
        .begin(&key(id), &json!({"amount": "10.00", "id": id}), who, lease)
        .await
        .unwrap()
    {
        Begin::Created(lease) => lease,
        Begin::Existing(record) => panic!("{id} already journaled: {record:?}"),
    }
}

/// How many of these concurrent claims were granted the intent (each at epoch 2); the others
/// must find it held.
fn second_epoch_winners(answers: Vec<IntentClaim>) -> usize {
    let mut winners = 0;
    for answer in answers {
        match answer {
            IntentClaim::Claimed(claimed) => {
                winners += 1;
                assert_eq!(claimed.lease.epoch(), 2);
            }
            IntentClaim::Held(_) => {}
            other => panic!("unexpected {other:?}"),
        }
    }
    winners
}

fn assert_lease_lost(result: Result<impl std::fmt::Debug, StoreError>) {
    match result {
        Err(StoreError::LeaseLost { .. }) => {}
        other => panic!("expected LeaseLost, got {other:?}"),
    }
}

// ---------------------------------------------------------------- journal

async fn begin_writes_once_and_returns_the_stored_intent(env: Env) {
    let store = env.open().await;
    let me = owner("a");
    let payload = json!({"amount": "10.00", "currency": "USD", "note": "ünïcode"});
    let Begin::Created(lease) = store.begin(&key("o-1"), &payload, &me, LONG).await.unwrap() else {
        panic!("fresh key");
    };
    assert_eq!((lease.epoch(), lease.owner()), (1, &me));
    assert!(lease.duration() >= LONG - Duration::from_millis(1));

    // A second begin, even with another payload and owner, returns the stored intent unchanged.
    let other = json!({"amount": "99.00"});
    let Begin::Existing(record) = store
        .begin(&key("o-1"), &other, &owner("b"), LONG)
        .await
        .unwrap()
    else {
        panic!("second begin created a second intent");
    };
    assert_eq!(record.intent.payload, payload);
    assert_eq!(record.intent.state, IntentState::Open);
    assert_eq!(record.intent.epoch, 1);
    assert_eq!(record.intent.owner, me.as_str());
    assert_eq!(record.intent.lease.as_ref().unwrap().until, lease.until());

    let got = store.get(&key("o-1")).await.unwrap().unwrap();
    assert_eq!(got, record);
    assert_eq!(got.intent.key, key("o-1"));
    assert!(store.get(&key("o-2")).await.unwrap().is_none());
    // Same id under another operation or provider is another intent.
    let crypto = IntentKey::new(Provider::Qostiq, "crypto_withdraw", "o-1");
    assert!(matches!(
        store.begin(&crypto, &payload, &me, LONG).await.unwrap(),
        Begin::Created(_)
    ));
    let coinqvest = IntentKey::new(Provider::Coinqvest, "withdraw", "o-1");
    assert!(matches!(
        store.begin(&coinqvest, &payload, &me, LONG).await.unwrap(),
        Begin::Created(_)
    ));
}

async fn concurrent_begins_make_one_intent(env: Env) {
    let env = Arc::new(env);
    let answers = env
        .race(8, |store, n| async move {
            let payload = json!({"n": n});
            let answer = store
                .begin(&key("race"), &payload, &owner(&format!("p{n}")), LONG)
                .await
                .unwrap();
            (payload, answer)
        })
        .await;
    let mut created = Vec::new();
    let mut existing = Vec::new();
    for answer in answers {
        match answer {
            (payload, Begin::Created(lease)) => created.push((payload, lease)),
            (_, Begin::Existing(record)) => existing.push(record),
        }
    }
    assert_eq!(created.len(), 1, "exactly one begin creates the intent");
    let (winner, lease) = &created[0];
    for record in &existing {
        assert_eq!(&record.intent.payload, winner);
        assert_eq!(record.intent.owner, lease.owner().as_str());
    }
    let stored = env.open().await.get(&key("race")).await.unwrap().unwrap();
    assert_eq!(&stored.intent.payload, winner);
}

async fn evidence_outcome_and_repeated_finish(env: Env) {
    let store = env.open().await;
    let me = owner("a");
    let lease = begin(&store, "o-1", &me, LONG).await;
    let first = store
        .record(&lease, EvidenceKind::Attempt, &json!({"attempt": 1}))
        .await
        .unwrap();
    let second = store
        .record(
            &lease,
            EvidenceKind::Lookup,
            &json!({"status": "processing"}),
        )
        .await
        .unwrap();
    assert_eq!((first.seq, second.seq), (1, 2));
    assert!(second.at >= first.at);

    let record = store.get(&key("o-1")).await.unwrap().unwrap();
    assert_eq!(record.evidence, vec![first.clone(), second.clone()]);
    assert_eq!(record.intent.evidence_count, 2);
    assert_eq!(record.evidence[0].owner, me.as_str());
    assert_eq!(record.evidence[0].epoch, 1);
    assert_eq!(record.evidence[1].kind, EvidenceKind::Lookup);

    store.finish(&lease, &outcome("paid")).await.unwrap();
    // The same finish again (an ambiguous commit retried) succeeds; a different one does not.
    store.finish(&lease, &outcome("paid")).await.unwrap();
    match store.finish(&lease, &outcome("refused")).await {
        Err(StoreError::AlreadyFinished { outcome, .. }) => assert_eq!(outcome, "paid"),
        other => panic!("expected AlreadyFinished, got {other:?}"),
    }
    assert!(matches!(
        store.record(&lease, EvidenceKind::Note, &json!({})).await,
        Err(StoreError::AlreadyFinished { .. })
    ));
    assert!(matches!(
        store.mark_unknown(&lease, LONG).await,
        Err(StoreError::AlreadyFinished { .. })
    ));

    let done = store.get(&key("o-1")).await.unwrap().unwrap();
    assert_eq!(done.intent.state, IntentState::Final);
    assert_eq!(done.intent.outcome, Some(outcome("paid")));
    assert!(done.intent.lease.is_none());
    assert!(done.intent.finished_at.is_some());
    assert_eq!(done.evidence.len(), 2);
    assert!(matches!(
        store
            .claim_intent(&key("o-1"), &owner("b"), LONG)
            .await
            .unwrap(),
        IntentClaim::Finished(_)
    ));
    assert!(
        store
            .list(Listing::Unfinished, 100)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(matches!(
        store.claim_intent(&key("nope"), &me, LONG).await.unwrap(),
        IntentClaim::Missing
    ));
}

async fn unexpired_leases_hold_and_expired_ones_are_taken_over(env: Env) {
    let a_store = env.open().await;
    let b_store = env.open().await;
    let (a, b) = (owner("a"), owner("b"));
    let a_lease = begin(&a_store, "o-1", &a, SHORT).await;
    a_store
        .record(&a_lease, EvidenceKind::Attempt, &json!({"sent": true}))
        .await
        .unwrap();

    // Another owner, and the same owner, cannot claim a lease that has not expired.
    match b_store.claim_intent(&key("o-1"), &b, LONG).await.unwrap() {
        IntentClaim::Held(held) => {
            assert_eq!((held.owner.as_str(), held.epoch), (a.as_str(), 1));
        }
        other => panic!("expected Held, got {other:?}"),
    }
    assert!(matches!(
        a_store.claim_intent(&key("o-1"), &a, LONG).await.unwrap(),
        IntentClaim::Held(_)
    ));

    sleep(PAST_SHORT).await;
    let IntentClaim::Claimed(taken) = b_store.claim_intent(&key("o-1"), &b, LONG).await.unwrap()
    else {
        panic!("an expired lease is taken over");
    };
    assert_eq!(taken.lease.epoch(), 2);
    assert_eq!(taken.record.intent.owner, b.as_str());
    assert_eq!(
        taken.record.evidence.len(),
        1,
        "the new owner sees the attempt"
    );

    // Fencing: every write of the stale owner is refused, nothing of it is stored.
    assert_lease_lost(
        a_store
            .record(&a_lease, EvidenceKind::Attempt, &json!({"sent": "again"}))
            .await,
    );
    assert_lease_lost(a_store.finish(&a_lease, &outcome("paid")).await);
    assert_lease_lost(a_store.mark_unknown(&a_lease, LONG).await);
    assert_lease_lost(a_store.renew(&a_lease, LONG).await);
    assert_lease_lost(a_store.release_lease(&a_lease).await);
    let record = b_store.get(&key("o-1")).await.unwrap().unwrap();
    assert_eq!(record.evidence.len(), 1);
    assert_eq!(record.intent.state, IntentState::Open);

    b_store
        .finish(&taken.lease, &outcome("refused"))
        .await
        .unwrap();
    let record = a_store.get(&key("o-1")).await.unwrap().unwrap();
    assert_eq!(record.intent.outcome, Some(outcome("refused")));
}

async fn an_expired_lease_not_taken_over_still_serves_its_holder(env: Env) {
    let store = env.open().await;
    let me = owner("a");
    let lease = begin(&store, "o-1", &me, SHORT).await;
    sleep(PAST_SHORT).await;
    // Nobody else acted: the holder may still write, and renew.
    store
        .record(&lease, EvidenceKind::Lookup, &json!({}))
        .await
        .unwrap();
    let renewed = store.renew(&lease, LONG).await.unwrap();
    assert_eq!(renewed.epoch(), lease.epoch());
    assert!(renewed.until() > lease.until());
    assert!(matches!(
        store
            .claim_intent(&key("o-1"), &owner("b"), LONG)
            .await
            .unwrap(),
        IntentClaim::Held(_)
    ));
    store.finish(&renewed, &outcome("paid")).await.unwrap();
}

async fn concurrent_claims_have_one_winner(env: Env) {
    let env = Arc::new(env);
    let store = env.open().await;
    let lease = begin(&store, "o-1", &owner("crashed"), LONG).await;
    store.release_lease(&lease).await.unwrap();
    let answers = env
        .race(8, |store, n| async move {
            store
                .claim_intent(&key("o-1"), &owner(&format!("c{n}")), LONG)
                .await
                .unwrap()
        })
        .await;
    assert_eq!(
        second_epoch_winners(answers),
        1,
        "exactly one instance drives the intent"
    );
}

async fn claim_due_hands_out_disjoint_work(env: Env) {
    let env = Arc::new(env);
    let store = env.open().await;
    let mut expected = HashSet::new();
    for i in 0..24 {
        let id = format!("o-{i:02}");
        let lease = begin(&store, &id, &owner("crashed"), LONG).await;
        store.release_lease(&lease).await.unwrap();
        expected.insert(id);
    }
    // Not due: held, finished, or unknown with a delay.
    let held = begin(&store, "held", &owner("busy"), LONG).await;
    let done = begin(&store, "done", &owner("busy"), LONG).await;
    store.finish(&done, &outcome("paid")).await.unwrap();
    let later = begin(&store, "later", &owner("busy"), LONG).await;
    store.mark_unknown(&later, LONG).await.unwrap();

    let claimable = store.list(Listing::Claimable, 100).await.unwrap();
    assert_eq!(claimable.len(), 24);
    let unfinished = store.list(Listing::Unfinished, 100).await.unwrap();
    assert_eq!(
        unfinished.len(),
        26,
        "open, held and unknown intents are listed"
    );
    assert_eq!(store.list(Listing::Unfinished, 5).await.unwrap().len(), 5);

    let workers = env
        .race(4, |store, n| async move {
            let me = owner(&format!("w{n}"));
            let mut mine = Vec::new();
            loop {
                let batch = store.claim_due(&me, LONG, 3, None).await.unwrap();
                if batch.is_empty() {
                    return mine;
                }
                assert!(batch.len() <= 3);
                for claimed in batch {
                    assert_eq!(claimed.lease.owner(), &me);
                    assert_eq!(claimed.lease.epoch(), 2);
                    assert_eq!(claimed.record.intent.owner, me.as_str());
                    mine.push(claimed.record.intent.key.intent_id);
                }
            }
        })
        .await;
    let mut seen = HashSet::new();
    for mine in workers {
        for id in mine {
            assert!(seen.insert(id.clone()), "{id} was handed out twice");
        }
    }
    assert_eq!(seen, expected);
    assert!(
        store
            .list(Listing::Claimable, 100)
            .await
            .unwrap()
            .is_empty()
    );
    store.finish(&held, &outcome("paid")).await.unwrap();
}

async fn unknown_intents_stay_listed_and_come_back_when_due(env: Env) {
    let store = env.open().await;
    let me = owner("a");
    let lease = begin(&store, "o-1", &me, LONG).await;
    store.mark_unknown(&lease, SHORT).await.unwrap();
    assert_lease_lost(store.record(&lease, EvidenceKind::Lookup, &json!({})).await);

    let listed = store.list(Listing::Unfinished, 10).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].state, IntentState::Unknown);
    assert!(listed[0].lease.is_none());
    assert!(store.list(Listing::Claimable, 10).await.unwrap().is_empty());
    assert!(
        store
            .claim_due(&me, LONG, 10, None)
            .await
            .unwrap()
            .is_empty()
    );

    sleep(PAST_SHORT).await;
    let due = store.claim_due(&owner("b"), LONG, 10, None).await.unwrap();
    assert_eq!(due.len(), 1);
    assert_eq!(due[0].record.intent.state, IntentState::Unknown);
    assert_eq!(due[0].lease.epoch(), 2);
    store.finish(&due[0].lease, &outcome("paid")).await.unwrap();

    // An explicit claim does not wait for `due_at`.
    let lease = begin(&store, "o-2", &me, LONG).await;
    store.mark_unknown(&lease, LONG).await.unwrap();
    assert!(matches!(
        store.claim_intent(&key("o-2"), &me, LONG).await.unwrap(),
        IntentClaim::Claimed(_)
    ));
}

async fn a_crash_between_begin_and_finish_leaves_the_intent_listed(env: Env) {
    let crashed = owner("crashed");
    {
        let store = env.open().await;
        let lease = begin(&store, "o-1", &crashed, SHORT).await;
        store
            .record(&lease, EvidenceKind::Attempt, &json!({"attempt": 1}))
            .await
            .unwrap();
        // The process dies here: no finish, no release.
        drop(store);
    }
    let store = env.open().await;
    let listed = store.list(Listing::Unfinished, 10).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].key, key("o-1"));
    assert_eq!(listed[0].evidence_count, 1);
    sleep(PAST_SHORT).await;
    let due = store
        .claim_due(&owner("survivor"), LONG, 10, None)
        .await
        .unwrap();
    assert_eq!(due.len(), 1);
    assert_eq!(due[0].record.evidence[0].data, json!({"attempt": 1}));
    assert_eq!(due[0].record.evidence[0].owner, crashed.as_str());
    store.finish(&due[0].lease, &outcome("paid")).await.unwrap();
}

async fn claim_due_takes_one_providers_work_when_asked(env: Env) {
    let store = env.open().await;
    let crashed = owner("crashed");
    for (provider, id) in [
        (Provider::Qostiq, "q-1"),
        (Provider::Coinqvest, "c-1"),
        (Provider::Qostiq, "q-2"),
    ] {
        let key = IntentKey::new(provider, "withdraw", id);
        let Begin::Created(lease) = store
            .begin(&key, &json!({"id": id}), &crashed, LONG)
            .await
            .unwrap()
        else {
            panic!("fresh key {id}");
        };
        store.release_lease(&lease).await.unwrap();
    }
    let me = owner("coinqvest-worker");
    let mine = store
        .claim_due(&me, LONG, 10, Some(Provider::Coinqvest))
        .await
        .unwrap();
    let ids: Vec<&str> = mine
        .iter()
        .map(|c| c.record.intent.key.intent_id.as_str())
        .collect();
    assert_eq!(ids, ["c-1"]);
    let rest = store.claim_due(&me, LONG, 10, None).await.unwrap();
    let mut ids: Vec<&str> = rest
        .iter()
        .map(|c| c.record.intent.key.intent_id.as_str())
        .collect();
    ids.sort_unstable();
    assert_eq!(ids, ["q-1", "q-2"]);
}

async fn reopen_opens_only_the_named_final_outcomes(env: Env) {
    let store = env.open().await;
    let me = owner("a");
    // A refused intent is reopened under a new lease, its evidence kept.
    let lease = begin(&store, "refused", &me, LONG).await;
    store
        .record(&lease, EvidenceKind::Attempt, &json!({"attempt": 1}))
        .await
        .unwrap();
    store.finish(&lease, &outcome("refused")).await.unwrap();
    let IntentClaim::Claimed(again) = store
        .reopen(&key("refused"), &owner("b"), LONG, &["refused", "not_sent"])
        .await
        .unwrap()
    else {
        panic!("a refused intent is reopened");
    };
    assert_eq!(again.lease.epoch(), 2);
    assert_eq!(again.record.intent.state, IntentState::Open);
    assert_eq!(again.record.intent.outcome, None);
    assert_eq!(again.record.intent.finished_at, None);
    assert_eq!(again.record.evidence.len(), 1);
    // The old lease is fenced off; the new one drives it to another outcome.
    assert!(store.finish(&lease, &outcome("refused")).await.is_err());
    store
        .record(
            &again.lease,
            EvidenceKind::Note,
            &json!({"note": "reopened"}),
        )
        .await
        .unwrap();
    store
        .finish(&again.lease, &outcome("created"))
        .await
        .unwrap();
    // Another outcome is not reopened.
    match store
        .reopen(&key("refused"), &me, LONG, &["refused", "not_sent"])
        .await
        .unwrap()
    {
        IntentClaim::Finished(record) => {
            assert_eq!(record.intent.outcome.unwrap().name, "created");
        }
        other => panic!("a created intent was reopened: {other:?}"),
    }
    // Nothing reopenable given: a plain claim, which leaves final intents alone.
    let done = begin(&store, "done", &me, LONG).await;
    store.finish(&done, &outcome("refused")).await.unwrap();
    assert!(matches!(
        store.reopen(&key("done"), &me, LONG, &[]).await.unwrap(),
        IntentClaim::Finished(_)
    ));
    // Open intents answer as claim_intent does.
    let held = begin(&store, "held", &me, LONG).await;
    assert!(matches!(
        store
            .reopen(&key("held"), &owner("b"), LONG, &["refused"])
            .await
            .unwrap(),
        IntentClaim::Held(_)
    ));
    assert!(matches!(
        store
            .reopen(&key("missing"), &me, LONG, &["refused"])
            .await
            .unwrap(),
        IntentClaim::Missing
    ));
    store.finish(&held, &outcome("created")).await.unwrap();
    // Every intent, final ones included.
    let all = store.list(Listing::All, 10).await.unwrap();
    assert_eq!(all.len(), 3);
    assert!(
        store
            .list(Listing::Unfinished, 10)
            .await
            .unwrap()
            .is_empty()
    );
}

async fn concurrent_reopens_have_one_winner(env: Env) {
    let env = Arc::new(env);
    let store = env.open().await;
    let lease = begin(&store, "o-1", &owner("a"), LONG).await;
    store.finish(&lease, &outcome("not_sent")).await.unwrap();
    let answers = env
        .race(6, |store, n| async move {
            store
                .reopen(&key("o-1"), &owner(&format!("r{n}")), LONG, &["not_sent"])
                .await
                .unwrap()
        })
        .await;
    assert_eq!(
        second_epoch_winners(answers),
        1,
        "exactly one call drives the reopened intent"
    );
}

async fn release_makes_an_intent_claimable_at_once(env: Env) {
    let store = env.open().await;
    let lease = begin(&store, "o-1", &owner("a"), LONG).await;
    assert!(store.list(Listing::Claimable, 10).await.unwrap().is_empty());
    store.release_lease(&lease).await.unwrap();
    assert_eq!(store.list(Listing::Claimable, 10).await.unwrap().len(), 1);
    // Released is released: the old lease writes nothing more.
    assert_lease_lost(store.release_lease(&lease).await);
    assert_lease_lost(store.renew(&lease, LONG).await);
}

async fn bad_arguments_are_refused(env: Env) {
    let store = env.open().await;
    let me = owner("a");
    assert!(matches!(
        store
            .begin(&key("o-1"), &json!({}), &me, Duration::ZERO)
            .await,
        Err(StoreError::Invalid(_))
    ));
    assert!(matches!(
        store
            .begin(&key("o-1"), &json!({}), &me, Duration::from_secs(u64::MAX))
            .await,
        Err(StoreError::Invalid(_))
    ));
    assert!(store.get(&key("o-1")).await.unwrap().is_none());
    let turn_key = PollKey {
        provider: Provider::Qostiq,
        operation: "withdraw_status",
        subject: "1",
    };
    assert!(matches!(
        store
            .reserve(&turn_key, Duration::from_secs(2 * 86_400))
            .await,
        Err(StoreError::Invalid(_))
    ));
    assert!(OwnerId::new("").is_err());
    assert!(OwnerId::new("has space").is_err());
    assert!(OwnerId::new("x".repeat(201)).is_err());
}

// ---------------------------------------------------------------- dedup

fn event<'a>(event: &'a str, object: &'a str, finality: Finality) -> DedupKey<'a> {
    DedupKey {
        event,
        object,
        finality,
    }
}

async fn dedup_claim_complete_release(env: Env) {
    let store = env.open().await;
    let done = event("q|withdraw|1|success", "q|withdraw|1", Finality::Terminal);
    assert_eq!(store.claim(&done).await.unwrap(), Claim::Proceed);
    assert_eq!(store.claim(&done).await.unwrap(), Claim::InProgress);
    store.complete(&done).await.unwrap();
    assert_eq!(store.claim(&done).await.unwrap(), Claim::Duplicate);
    // Releasing an applied event changes nothing.
    DedupStore::release(&store, &done).await.unwrap();
    assert_eq!(store.claim(&done).await.unwrap(), Claim::Duplicate);

    // A failed handler's release lets the provider's retry through.
    let other = event("q|withdraw|2|success", "q|withdraw|2", Finality::Terminal);
    assert_eq!(store.claim(&other).await.unwrap(), Claim::Proceed);
    DedupStore::release(&store, &other).await.unwrap();
    assert_eq!(store.claim(&other).await.unwrap(), Claim::Proceed);

    // A final status is never replaced by an intermediate one; unknown statuses pass.
    let late = event(
        "q|withdraw|1|processing",
        "q|withdraw|1",
        Finality::Intermediate,
    );
    assert_eq!(store.claim(&late).await.unwrap(), Claim::Stale);
    let new = event(
        "q|withdraw|1|something_new",
        "q|withdraw|1",
        Finality::Unknown,
    );
    assert_eq!(store.claim(&new).await.unwrap(), Claim::Proceed);
    let elsewhere = event(
        "q|withdraw|3|processing",
        "q|withdraw|3",
        Finality::Intermediate,
    );
    assert_eq!(store.claim(&elsewhere).await.unwrap(), Claim::Proceed);
    // An intermediate event completed before the terminal one is not a terminal mark.
    store.complete(&elsewhere).await.unwrap();
    let still = event(
        "q|withdraw|3|waiting",
        "q|withdraw|3",
        Finality::Intermediate,
    );
    assert_eq!(store.claim(&still).await.unwrap(), Claim::Proceed);
}

async fn dedup_leases_and_retention_expire(env: Env) {
    let store = env
        .open_with(DedupPolicy {
            lease: SHORT,
            retention: Duration::from_millis(1_500),
        })
        .await;
    let e = event("c|payment|1|RESOLVED", "c|payment|1", Finality::Terminal);
    assert_eq!(store.claim(&e).await.unwrap(), Claim::Proceed);
    assert_eq!(store.claim(&e).await.unwrap(), Claim::InProgress);
    sleep(PAST_SHORT).await;
    // A handler that hung past its lease lets a redelivery through.
    assert_eq!(store.claim(&e).await.unwrap(), Claim::Proceed);
    store.complete(&e).await.unwrap();
    let late = event(
        "c|payment|1|UNRESOLVED",
        "c|payment|1",
        Finality::Intermediate,
    );
    assert_eq!(store.claim(&e).await.unwrap(), Claim::Duplicate);
    assert_eq!(store.claim(&late).await.unwrap(), Claim::Stale);
    sleep(Duration::from_millis(1_800)).await;
    assert_eq!(store.claim(&e).await.unwrap(), Claim::Proceed);
    assert_eq!(store.claim(&late).await.unwrap(), Claim::Proceed);
}

async fn concurrent_dedup_claims_have_one_winner(env: Env) {
    let env = Arc::new(env);
    for round in 0..3 {
        let answers = env
            .race(8, move |store, _| async move {
                let name = format!("c|payment|{round}|RESOLVED");
                let object = format!("c|payment|{round}");
                store
                    .claim(&event(&name, &object, Finality::Terminal))
                    .await
                    .unwrap()
            })
            .await;
        let mut proceeds = 0;
        for answer in answers {
            match answer {
                Claim::Proceed => proceeds += 1,
                Claim::InProgress => {}
                other => panic!("unexpected {other:?}"),
            }
        }
        assert_eq!(proceeds, 1, "one delivery reaches the handler");
    }
}

// ---------------------------------------------------------------- polling turns

fn poll(subject: &str) -> PollKey<'_> {
    PollKey {
        provider: Provider::Qostiq,
        operation: "withdraw_status",
        subject,
    }
}

async fn turns_are_spaced_by_the_floor_and_given_back(env: Env) {
    let store = env.open().await;
    let floor = Duration::from_secs(60);
    let first = store.reserve(&poll("1"), floor).await.unwrap();
    assert!(first.at <= first.store_now, "the first poll goes at once");
    assert_eq!(first.wait(), Duration::ZERO);
    let second = store.reserve(&poll("1"), floor).await.unwrap();
    assert_eq!(second.at, first.at + time::Duration::seconds(60));
    assert!(second.wait() > Duration::from_secs(59));
    // Other subjects and operations are independent.
    let other = store.reserve(&poll("2"), floor).await.unwrap();
    assert_eq!(other.wait(), Duration::ZERO);
    let bill = PollKey {
        operation: "bill_status",
        ..poll("1")
    };
    let bill_turn = store.reserve(&bill, floor).await.unwrap();
    assert_eq!(bill_turn.wait(), Duration::ZERO);

    // A cancelled wait gives its turn back: the next reserver gets the same slot.
    store.give_back(&poll("1"), &second).await.unwrap();
    let again = store.reserve(&poll("1"), floor).await.unwrap();
    assert_eq!(again.at, second.at);
    // A turn with a later one after it is not given back (the gap stays).
    let third = store.reserve(&poll("1"), floor).await.unwrap();
    store.give_back(&poll("1"), &again).await.unwrap();
    let fourth = store.reserve(&poll("1"), floor).await.unwrap();
    assert_eq!(fourth.at, third.at + time::Duration::seconds(60));
    // Giving back a first turn leaves no trace.
    store.give_back(&poll("2"), &other).await.unwrap();
    let fresh = store.reserve(&poll("2"), floor).await.unwrap();
    assert_eq!(fresh.wait(), Duration::ZERO);
}

async fn concurrent_reservers_with_skewed_clocks_keep_the_floor(env: Env) {
    let env = Arc::new(env);
    let floor = Duration::from_millis(150);
    let start = Instant::now();
    let mut turns = env
        .race(6, move |store, n| async move {
            // This host's clock is off by up to ±50 minutes: the turn is used as a duration.
            let skew = Duration::from_secs(n as u64 * 1_000);
            let local_now = || Instant::now() + skew;
            let turn = store.reserve(&poll("shared"), floor).await.unwrap();
            let reserved = Instant::now();
            let deadline = local_now() + turn.wait();
            while local_now() < deadline {
                sleep(deadline - local_now()).await;
            }
            let polled = Instant::now();
            assert!(polled - reserved >= turn.wait());
            (turn, polled - start)
        })
        .await;
    turns.sort_by_key(|(turn, _)| turn.at);
    for pair in turns.windows(2) {
        let gap = pair[1].0.at - pair[0].0.at;
        assert!(
            gap >= time::Duration::try_from(floor).unwrap(),
            "turns {gap} apart, floor {floor:?}"
        );
    }
    // Six turns 150 ms apart: the last poller waited at least 5 floors from the first turn.
    let span = turns[5].0.at - turns[0].0.at;
    assert!(span >= time::Duration::milliseconds(750));
}

// ---------------------------------------------------------------- schema

async fn opening_is_idempotent_and_concurrent(env: Env) {
    let env = Arc::new(env);
    let stores = env.race(4, |store, _| async move { store }).await;
    let lease = begin(&stores[0], "o-1", &owner("a"), LONG).await;
    for store in &stores {
        assert_eq!(
            store.get(&key("o-1")).await.unwrap().unwrap().intent.epoch,
            lease.epoch()
        );
        let version = store.schema_version().await.unwrap();
        assert!(version.is_none() || version == Some(1), "{version:?}");
    }
    // Opening again keeps the data.
    let again = env.open().await;
    assert!(again.get(&key("o-1")).await.unwrap().is_some());
}

macro_rules! contract {
    ($($name:ident),* $(,)?) => {
        mod memory {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name(super::Env::memory()).await
                }
            )*
        }
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name(super::Env::sqlite()).await
                }
            )*
        }
        #[cfg(feature = "postgres")]
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let Some(env) = super::Env::postgres().await else { return };
                    super::$name(env).await
                }
            )*
        }
    };
}

contract!(
    begin_writes_once_and_returns_the_stored_intent,
    concurrent_begins_make_one_intent,
    evidence_outcome_and_repeated_finish,
    unexpired_leases_hold_and_expired_ones_are_taken_over,
    an_expired_lease_not_taken_over_still_serves_its_holder,
    concurrent_claims_have_one_winner,
    claim_due_hands_out_disjoint_work,
    claim_due_takes_one_providers_work_when_asked,
    reopen_opens_only_the_named_final_outcomes,
    concurrent_reopens_have_one_winner,
    unknown_intents_stay_listed_and_come_back_when_due,
    a_crash_between_begin_and_finish_leaves_the_intent_listed,
    release_makes_an_intent_claimable_at_once,
    bad_arguments_are_refused,
    dedup_claim_complete_release,
    dedup_leases_and_retention_expire,
    concurrent_dedup_claims_have_one_winner,
    turns_are_spaced_by_the_floor_and_given_back,
    concurrent_reservers_with_skewed_clocks_keep_the_floor,
    opening_is_idempotent_and_concurrent,
);
