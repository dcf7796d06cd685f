//! The SQLite backend: one file, for one machine.
//!
//! * **Durable commits**: WAL journal with `synchronous=FULL` (every commit is on disk before the
//!   call returns: a power cut loses nothing acknowledged).
//! * **Several processes** on the host may open the same file: every write is one `BEGIN IMMEDIATE`
//!   transaction (the database's write lock, waited for up to [`BUSY_TIMEOUT`]), decided after the
//!   lock is taken.
//! * **Clock**: the host's (injectable); every process on the host shares it.
//! * **Threads**: each handle owns one connection, used on Tokio's blocking pool, never on an async
//!   worker. Needs a Tokio runtime. Clones share the connection; open the file again for another.
//!
//! Not for a network file system (NFS, SMB): SQLite's locks are not reliable there.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use pay_core::clock::{Clock, SystemClock};
use pay_core::error::Provider;
use rusqlite::{Connection, OptionalExtension, Transaction, TransactionBehavior, params};
use serde_json::Value;
use time::OffsetDateTime;

use crate::dedup::{Claim, DedupKey, DedupPolicy, DedupStore, Finality};
use crate::error::StoreError;
use crate::journal::{
    Begin, Claimed, Evidence, EvidenceKind, Intent, IntentClaim, IntentJournal, IntentKey,
    IntentRecord, IntentState, Lease, Listing, Outcome, OwnerId, StoredEvidence, StoredIntent,
    check_fence, checked, is_repeated_finish, parse_provider, to_micros,
};
use crate::turns::{PollKey, PollTurns, TURN_MEMORY, Turn, check_floor, next_turn};

/// How long a write waits for another process's write lock before failing as unavailable.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// Schema migrations, in order: (version, SQL).
const MIGRATIONS: &[(i64, &str)] = &[(1, include_str!("../migrations/sqlite/0001_init.sql"))];

/// Expired rows are purged every this many writes of their kind, at most [`PURGE_BATCH`] at a time.
const PURGE_EVERY: u64 = 256;
const PURGE_BATCH: i64 = 500;

/// A store in a SQLite file. See the [module documentation](self).
#[derive(Debug, Clone)]
pub struct SqliteStore {
    inner: Arc<Inner>,
    policy: DedupPolicy,
}

#[derive(Debug)]
struct Inner {
    path: PathBuf,
    connection: Mutex<Connection>,
    clock: Arc<dyn Clock>,
    writes: AtomicU64,
}

impl SqliteStore {
    /// Opens (creating if missing) the file at `path` on the system clock, and creates or migrates
    /// the schema.
    pub async fn open(path: impl AsRef<Path>) -> Result<Self, StoreError> {
        Self::open_with_clock(path, Arc::new(SystemClock)).await
    }

    /// Like [`SqliteStore::open`], on `clock` (every process sharing the file must use the same
    /// time source).
    pub async fn open_with_clock(
        path: impl AsRef<Path>,
        clock: Arc<dyn Clock>,
    ) -> Result<Self, StoreError> {
        let path = path.as_ref().to_path_buf();
        let (opened, now) = (path.clone(), clock.clone());
        let connection = tokio::task::spawn_blocking(move || connect(&opened, &*now))
            .await
            .map_err(StoreError::unavailable)??;
        Ok(Self {
            inner: Arc::new(Inner {
                path,
                connection: Mutex::new(connection),
                clock,
                writes: AtomicU64::new(0),
            }),
            policy: DedupPolicy::default(),
        })
    }

    /// This handle with another deduplication policy.
    pub fn with_dedup_policy(mut self, policy: DedupPolicy) -> Self {
        self.policy = policy;
        self
    }

    /// The file.
    pub fn path(&self) -> &Path {
        &self.inner.path
    }

    /// The schema version of the file.
    pub async fn schema_version(&self) -> Result<i64, StoreError> {
        self.run(|connection, _| {
            connection
                .query_row("SELECT max(version) FROM pay_store_schema", [], |r| {
                    r.get::<_, i64>(0)
                })
                .map_err(StoreError::unavailable)
        })
        .await
    }

    /// Runs `work` on the connection, on the blocking pool.
    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut Connection, &dyn Clock) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let inner = self.inner.clone();
        tokio::task::spawn_blocking(move || {
            let mut connection = inner
                .connection
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            work(&mut connection, &*inner.clock)
        })
        .await
        .map_err(StoreError::unavailable)?
    }

    /// Runs `work` in one `BEGIN IMMEDIATE` transaction (committed if it returns `Ok`), with the
    /// store's now read after the write lock was taken.
    async fn write<T: Send + 'static>(
        &self,
        work: impl FnOnce(&Transaction<'_>, i64) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        self.run(move |connection, clock| {
            let tx = connection
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(StoreError::unavailable)?;
            let now = micros(clock.now());
            let value = work(&tx, now)?;
            tx.commit().map_err(StoreError::unavailable)?;
            Ok(value)
        })
        .await
    }

    /// Whether this write should also purge expired rows.
    fn purge_due(&self) -> bool {
        self.inner
            .writes
            .fetch_add(1, Ordering::Relaxed)
            .is_multiple_of(PURGE_EVERY)
    }
}

/// Opens the connection, sets durability and locking, and migrates.
///
/// Two processes opening a new file at once can meet SQLite's locks where its busy handler is
/// not consulted (switching a fresh file to WAL, rebuilding the WAL index): such a `SQLITE_BUSY`
/// or `SQLITE_LOCKED` is retried from the start, pausing up to [`BUSY_TIMEOUT`] in all.
fn connect(path: &Path, clock: &dyn Clock) -> Result<Connection, StoreError> {
    let mut waited = Duration::ZERO;
    let mut pause = Duration::from_millis(5);
    loop {
        match try_connect(path, clock) {
            Err(Opening::Busy(_)) if waited < BUSY_TIMEOUT => {
                // Blocking is fine: `connect` runs on the blocking pool, never an async worker.
                std::thread::sleep(pause);
                waited += pause;
                pause = (pause * 2).min(Duration::from_millis(200));
            }
            Err(Opening::Busy(e)) => return Err(StoreError::unavailable(e)),
            Err(Opening::Failed(e)) => return Err(e),
            Ok(connection) => return Ok(connection),
        }
    }
}

/// Why one opening attempt failed.
enum Opening {
    /// Another connection held a lock SQLite would not wait for: try again.
    Busy(rusqlite::Error),
    /// Anything else.
    Failed(StoreError),
}

impl From<rusqlite::Error> for Opening {
    fn from(e: rusqlite::Error) -> Self {
        let busy = matches!(
            e.sqlite_error_code(),
            Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
        );
        if busy {
            Self::Busy(e)
        } else {
            Self::Failed(StoreError::unavailable(e))
        }
    }
}

impl From<StoreError> for Opening {
    fn from(e: StoreError) -> Self {
        Self::Failed(e)
    }
}

fn try_connect(path: &Path, clock: &dyn Clock) -> Result<Connection, Opening> {
    let mut connection = Connection::open(path)?;
    connection.busy_timeout(BUSY_TIMEOUT)?;
    let mode: String = connection.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(Opening::Failed(StoreError::Invalid(format!(
            "{} cannot use WAL (journal mode `{mode}`)",
            path.display()
        ))));
    }
    connection.execute_batch("PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;")?;
    migrate(&mut connection, clock)?;
    Ok(connection)
}

/// Applies the missing migrations in one `BEGIN IMMEDIATE` transaction (so two processes opening
/// a new file at once apply them once).
fn migrate(connection: &mut Connection, clock: &dyn Clock) -> Result<(), Opening> {
    let tx = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
    tx.execute_batch(
        "CREATE TABLE IF NOT EXISTS pay_store_schema (
             version INTEGER PRIMARY KEY,
             applied_at INTEGER NOT NULL
         )",
    )?;
    let found: i64 = tx.query_row(
        "SELECT coalesce(max(version), 0) FROM pay_store_schema",
        [],
        |r| r.get(0),
    )?;
    let known = MIGRATIONS.last().map_or(0, |(v, _)| *v);
    if found > known {
        return Err(StoreError::SchemaTooNew { found, known }.into());
    }
    for (version, sql) in MIGRATIONS.iter().filter(|(v, _)| *v > found) {
        tx.execute_batch(sql)?;
        tx.execute(
            "INSERT INTO pay_store_schema (version, applied_at) VALUES (?1, ?2)",
            params![version, micros(clock.now())],
        )?;
    }
    Ok(tx.commit()?)
}

fn micros(at: OffsetDateTime) -> i64 {
    i64::try_from(at.unix_timestamp_nanos() / 1_000).unwrap_or(i64::MAX)
}

fn instant(micros: i64) -> Result<OffsetDateTime, StoreError> {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(micros) * 1_000)
        .map_err(|e| StoreError::Corrupt(format!("timestamp {micros}: {e}")))
}

const INTENT_COLUMNS: &str = "id, provider, operation, intent_id, payload, state, owner, epoch, \
     lease_until, due_at, outcome_name, outcome_detail, evidence_count, created_at, updated_at, \
     finished_at";

fn read_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<RawRow> {
    Ok(RawRow {
        id: r.get(0)?,
        provider: r.get(1)?,
        operation: r.get(2)?,
        intent_id: r.get(3)?,
        payload: r.get(4)?,
        state: r.get(5)?,
        owner: r.get(6)?,
        epoch: r.get(7)?,
        lease_until: r.get(8)?,
        due_at: r.get(9)?,
        outcome_name: r.get(10)?,
        outcome_detail: r.get(11)?,
        evidence_count: r.get(12)?,
        created_at: r.get(13)?,
        updated_at: r.get(14)?,
        finished_at: r.get(15)?,
    })
}

/// A row as SQLite returns it (times in microseconds).
type RawRow = StoredIntent<i64>;

/// Converts the times of a row read from SQLite.
fn convert(raw: RawRow) -> Result<Row, StoreError> {
    Ok(Row {
        id: raw.id,
        provider: raw.provider,
        operation: raw.operation,
        intent_id: raw.intent_id,
        payload: raw.payload,
        state: raw.state,
        owner: raw.owner,
        epoch: raw.epoch,
        lease_until: raw.lease_until.map(instant).transpose()?,
        due_at: instant(raw.due_at)?,
        outcome_name: raw.outcome_name,
        outcome_detail: raw.outcome_detail,
        evidence_count: raw.evidence_count,
        created_at: instant(raw.created_at)?,
        updated_at: instant(raw.updated_at)?,
        finished_at: raw.finished_at.map(instant).transpose()?,
    })
}

type Row = StoredIntent<OffsetDateTime>;

fn find(tx: &Connection, key: &IntentKey) -> Result<Option<Row>, StoreError> {
    tx.prepare_cached(&format!(
        "SELECT {INTENT_COLUMNS} FROM pay_intents
         WHERE provider = ?1 AND operation = ?2 AND intent_id = ?3"
    ))
    .and_then(|mut statement| {
        statement
            .query_row(
                params![key.provider.to_string(), key.operation, key.intent_id],
                read_row,
            )
            .optional()
    })
    .map_err(StoreError::unavailable)?
    .map(convert)
    .transpose()
}

fn find_by_id(tx: &Connection, id: i64) -> Result<Row, StoreError> {
    tx.prepare_cached(&format!(
        "SELECT {INTENT_COLUMNS} FROM pay_intents WHERE id = ?1"
    ))
    .and_then(|mut statement| statement.query_row([id], read_row))
    .map_err(StoreError::unavailable)
    .and_then(convert)
}

fn evidence(tx: &Connection, id: i64) -> Result<Vec<Evidence>, StoreError> {
    let mut statement = tx
        .prepare_cached(
            "SELECT seq, kind, at, owner, epoch, data FROM pay_intent_evidence
             WHERE intent = ?1 ORDER BY seq",
        )
        .map_err(StoreError::unavailable)?;
    let rows = statement
        .query_map([id], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, i64>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, i64>(4)?,
                r.get::<_, String>(5)?,
            ))
        })
        .map_err(StoreError::unavailable)?;
    rows.map(|row| {
        let (seq, kind, at, owner, epoch, data) = row.map_err(StoreError::unavailable)?;
        StoredEvidence {
            seq,
            kind,
            at: instant(at)?,
            owner,
            epoch,
            data,
        }
        .into_evidence()
    })
    .collect()
}

fn record_of(tx: &Connection, row: Row) -> Result<IntentRecord, StoreError> {
    let evidence = evidence(tx, row.id)?;
    Ok(IntentRecord {
        intent: row.into_intent()?,
        evidence,
    })
}

/// Gives `owner` a new lease (next epoch) on the row `id` and returns it with the record.
fn claim_row(
    tx: &Connection,
    id: i64,
    key: IntentKey,
    owner: &OwnerId,
    lease: Duration,
    now: i64,
) -> Result<Claimed, StoreError> {
    let until = now.saturating_add(to_micros(lease));
    tx.prepare_cached(
        "UPDATE pay_intents SET owner = ?2, epoch = epoch + 1, lease_until = ?3, updated_at = ?4
         WHERE id = ?1",
    )
    .and_then(|mut s| s.execute(params![id, owner.as_str(), until, now]))
    .map_err(StoreError::unavailable)?;
    let record = record_of(tx, find_by_id(tx, id)?)?;
    let lease = Lease::new(
        key,
        owner.clone(),
        record.intent.epoch,
        instant(until)?,
        instant(now)?,
    );
    Ok(Claimed { lease, record })
}

/// Loads the row of `lease` and checks the fence.
fn fenced(tx: &Connection, lease: &Lease) -> Result<Row, StoreError> {
    let row =
        find(tx, lease.key())?.ok_or_else(|| StoreError::NotFound(lease.key().to_string()))?;
    check_fence(&row.fence()?, lease)?;
    Ok(row)
}

impl IntentJournal for SqliteStore {
    async fn begin(
        &self,
        key: &IntentKey,
        payload: &Value,
        owner: &OwnerId,
        lease: Duration,
    ) -> Result<Begin, StoreError> {
        let lease = to_micros(checked("lease", lease, true)?);
        let (key, owner) = (key.clone(), owner.clone());
        let payload = payload.to_string();
        self.write(move |tx, now| {
            if let Some(existing) = find(tx, &key)? {
                return Ok(Begin::Existing(record_of(tx, existing)?));
            }
            let until = now.saturating_add(lease);
            tx.prepare_cached(
                "INSERT INTO pay_intents (provider, operation, intent_id, payload, state, owner,
                     epoch, lease_until, due_at, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, 'open', ?5, 1, ?6, ?7, ?7, ?7)",
            )
            .and_then(|mut s| {
                s.execute(params![
                    key.provider.to_string(),
                    key.operation,
                    key.intent_id,
                    payload,
                    owner.as_str(),
                    until,
                    now
                ])
            })
            .map_err(StoreError::unavailable)?;
            Ok(Begin::Created(Lease::new(
                key,
                owner,
                1,
                instant(until)?,
                instant(now)?,
            )))
        })
        .await
    }

    async fn get(&self, key: &IntentKey) -> Result<Option<IntentRecord>, StoreError> {
        let key = key.clone();
        self.run(move |connection, _| {
            // One read transaction: the intent and its evidence from the same snapshot.
            let tx = connection.transaction().map_err(StoreError::unavailable)?;
            find(&tx, &key)?.map(|row| record_of(&tx, row)).transpose()
        })
        .await
    }

    async fn claim_due(
        &self,
        owner: &OwnerId,
        lease: Duration,
        limit: u32,
        provider: Option<Provider>,
    ) -> Result<Vec<Claimed>, StoreError> {
        let lease = checked("lease", lease, true)?;
        let owner = owner.clone();
        let provider = provider.map(|p| p.to_string());
        self.write(move |tx, now| {
            let due = {
                let mut statement = tx
                    .prepare_cached(
                        "SELECT id, provider, operation, intent_id FROM pay_intents
                         WHERE state <> 'final' AND (lease_until IS NULL OR lease_until <= ?1)
                           AND due_at <= ?1 AND (?3 IS NULL OR provider = ?3)
                         ORDER BY due_at, id LIMIT ?2",
                    )
                    .map_err(StoreError::unavailable)?;
                let rows = statement
                    .query_map(params![now, limit, provider], |r| {
                        Ok((
                            r.get::<_, i64>(0)?,
                            r.get::<_, String>(1)?,
                            r.get::<_, String>(2)?,
                            r.get::<_, String>(3)?,
                        ))
                    })
                    .map_err(StoreError::unavailable)?;
                rows.collect::<Result<Vec<(i64, String, String, String)>, _>>()
                    .map_err(StoreError::unavailable)?
            };
            due.into_iter()
                .map(|(id, provider, operation, intent_id)| {
                    let key = IntentKey::new(parse_provider(&provider)?, operation, intent_id);
                    claim_row(tx, id, key, &owner, lease, now)
                })
                .collect()
        })
        .await
    }

    async fn reopen(
        &self,
        key: &IntentKey,
        owner: &OwnerId,
        lease: Duration,
        reopenable: &[&str],
    ) -> Result<IntentClaim, StoreError> {
        let lease = checked("lease", lease, true)?;
        let (key, owner) = (key.clone(), owner.clone());
        let reopenable: Vec<String> = reopenable.iter().map(|&n| n.to_owned()).collect();
        self.write(move |tx, now| {
            let Some(row) = find(tx, &key)? else {
                return Ok(IntentClaim::Missing);
            };
            let id = row.id;
            if row.state()? == IntentState::Final {
                if !row
                    .outcome_name
                    .as_ref()
                    .is_some_and(|name| reopenable.contains(name))
                {
                    return Ok(IntentClaim::Finished(record_of(tx, row)?));
                }
                tx.prepare_cached(
                    "UPDATE pay_intents SET state = 'open', outcome_name = NULL,
                         outcome_detail = NULL, finished_at = NULL, due_at = ?2
                     WHERE id = ?1",
                )
                .and_then(|mut s| s.execute(params![id, now]))
                .map_err(StoreError::unavailable)?;
            } else if row.lease_until.is_some_and(|until| micros(until) > now) {
                if let Some(held) = row.into_intent()?.lease {
                    return Ok(IntentClaim::Held(held));
                }
                return Err(StoreError::Corrupt(format!("lease of {key}")));
            }
            claim_row(tx, id, key, &owner, lease, now).map(IntentClaim::Claimed)
        })
        .await
    }

    async fn renew(&self, lease: &Lease, duration: Duration) -> Result<Lease, StoreError> {
        let duration = to_micros(checked("lease", duration, true)?);
        let lease = lease.clone();
        self.write(move |tx, now| {
            let row = fenced(tx, &lease)?;
            let until = now.saturating_add(duration);
            tx.prepare_cached(
                "UPDATE pay_intents SET lease_until = ?2, updated_at = ?3 WHERE id = ?1",
            )
            .and_then(|mut s| s.execute(params![row.id, until, now]))
            .map_err(StoreError::unavailable)?;
            Ok(Lease::new(
                lease.key().clone(),
                lease.owner().clone(),
                lease.epoch(),
                instant(until)?,
                instant(now)?,
            ))
        })
        .await
    }

    async fn record(
        &self,
        lease: &Lease,
        kind: EvidenceKind,
        data: &Value,
    ) -> Result<Evidence, StoreError> {
        let lease = lease.clone();
        let data = data.clone();
        self.write(move |tx, now| {
            let row = fenced(tx, &lease)?;
            let seq = row.evidence_count.saturating_add(1);
            tx.prepare_cached(
                "UPDATE pay_intents SET evidence_count = ?2, updated_at = ?3 WHERE id = ?1",
            )
            .and_then(|mut s| s.execute(params![row.id, seq, now]))
            .map_err(StoreError::unavailable)?;
            tx.prepare_cached(
                "INSERT INTO pay_intent_evidence (intent, seq, kind, at, owner, epoch, data)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )
            .and_then(|mut s| {
                s.execute(params![
                    row.id,
                    seq,
                    kind.as_str(),
                    now,
                    lease.owner().as_str(),
                    row.epoch,
                    data.to_string()
                ])
            })
            .map_err(StoreError::unavailable)?;
            Ok(Evidence {
                seq: u32::try_from(seq).map_err(|_| StoreError::Corrupt(format!("seq {seq}")))?,
                kind,
                at: instant(now)?,
                owner: lease.owner().as_str().to_owned(),
                epoch: lease.epoch(),
                data,
            })
        })
        .await
    }

    async fn finish(&self, lease: &Lease, outcome: &Outcome) -> Result<(), StoreError> {
        let lease = lease.clone();
        let outcome = outcome.clone();
        self.write(move |tx, now| {
            let row = find(tx, lease.key())?
                .ok_or_else(|| StoreError::NotFound(lease.key().to_string()))?;
            if is_repeated_finish(&row.fence()?, row.detail()?.as_ref(), &lease, &outcome) {
                return Ok(());
            }
            check_fence(&row.fence()?, &lease)?;
            tx.prepare_cached(
                "UPDATE pay_intents SET state = 'final', outcome_name = ?2, outcome_detail = ?3,
                     lease_until = NULL, finished_at = ?4, updated_at = ?4
                 WHERE id = ?1",
            )
            .and_then(|mut s| {
                s.execute(params![
                    row.id,
                    outcome.name,
                    outcome.detail.to_string(),
                    now
                ])
            })
            .map_err(StoreError::unavailable)?;
            Ok(())
        })
        .await
    }

    async fn mark_unknown(&self, lease: &Lease, retry_after: Duration) -> Result<(), StoreError> {
        let retry_after = to_micros(checked("retry_after", retry_after, false)?);
        let lease = lease.clone();
        self.write(move |tx, now| {
            let row = fenced(tx, &lease)?;
            tx.prepare_cached(
                "UPDATE pay_intents SET state = 'unknown', lease_until = NULL, due_at = ?2,
                     updated_at = ?3
                 WHERE id = ?1",
            )
            .and_then(|mut s| s.execute(params![row.id, now.saturating_add(retry_after), now]))
            .map_err(StoreError::unavailable)?;
            Ok(())
        })
        .await
    }

    async fn release_lease(&self, lease: &Lease) -> Result<(), StoreError> {
        let lease = lease.clone();
        self.write(move |tx, now| {
            let row = fenced(tx, &lease)?;
            tx.prepare_cached(
                "UPDATE pay_intents SET lease_until = NULL, due_at = ?2, updated_at = ?2
                 WHERE id = ?1",
            )
            .and_then(|mut s| s.execute(params![row.id, now]))
            .map_err(StoreError::unavailable)?;
            Ok(())
        })
        .await
    }

    async fn list(&self, listing: Listing, limit: u32) -> Result<Vec<Intent>, StoreError> {
        self.run(move |connection, clock| {
            let now = micros(clock.now());
            let filter = match listing {
                Listing::All => "?1 IS NULL",
                Listing::Unfinished => "state <> 'final'",
                Listing::Claimable => {
                    "state <> 'final' AND (lease_until IS NULL OR lease_until <= ?1)
                     AND due_at <= ?1"
                }
            };
            let mut statement = connection
                .prepare_cached(&format!(
                    "SELECT {INTENT_COLUMNS} FROM pay_intents WHERE {filter}
                     ORDER BY created_at, id LIMIT ?2"
                ))
                .map_err(StoreError::unavailable)?;
            let parameters = match listing {
                Listing::All | Listing::Unfinished => params![None::<i64>, limit],
                Listing::Claimable => params![Some(now), limit],
            };
            let rows = statement
                .query_map(parameters, read_row)
                .map_err(StoreError::unavailable)?;
            rows.map(|row| convert(row.map_err(StoreError::unavailable)?)?.into_intent())
                .collect()
        })
        .await
    }
}

impl DedupStore for SqliteStore {
    async fn claim(&self, key: &DedupKey<'_>) -> Result<Claim, StoreError> {
        let lease = to_micros(checked("dedup lease", self.policy.lease, true)?);
        let (event, object, finality) = (key.event.to_owned(), key.object.to_owned(), key.finality);
        self.write(move |tx, now| {
            let existing: Option<(bool, i64)> = tx
                .prepare_cached("SELECT applied, until FROM pay_webhook_events WHERE event_key = ?1")
                .and_then(|mut s| s.query_row([&event], |r| Ok((r.get(0)?, r.get(1)?))).optional())
                .map_err(StoreError::unavailable)?;
            match existing {
                Some((true, until)) if until > now => return Ok(Claim::Duplicate),
                Some((false, until)) if until > now => return Ok(Claim::InProgress),
                _ => {}
            }
            if finality == Finality::Intermediate {
                let terminal: Option<i64> = tx
                    .prepare_cached(
                        "SELECT until FROM pay_webhook_objects WHERE object_key = ?1 AND until > ?2",
                    )
                    .and_then(|mut s| s.query_row(params![object, now], |r| r.get(0)).optional())
                    .map_err(StoreError::unavailable)?;
                if terminal.is_some() {
                    return Ok(Claim::Stale);
                }
            }
            tx.prepare_cached(
                "INSERT INTO pay_webhook_events (event_key, applied, until) VALUES (?1, 0, ?2)
                 ON CONFLICT (event_key) DO UPDATE SET applied = 0, until = excluded.until",
            )
            .and_then(|mut s| s.execute(params![event, now.saturating_add(lease)]))
            .map_err(StoreError::unavailable)?;
            Ok(Claim::Proceed)
        })
        .await
    }

    async fn complete(&self, key: &DedupKey<'_>) -> Result<(), StoreError> {
        let retention = to_micros(checked("dedup retention", self.policy.retention, true)?);
        let (event, object, finality) = (key.event.to_owned(), key.object.to_owned(), key.finality);
        let purge = self.purge_due();
        self.write(move |tx, now| {
            let until = now.saturating_add(retention);
            tx.prepare_cached(
                "INSERT INTO pay_webhook_events (event_key, applied, until) VALUES (?1, 1, ?2)
                 ON CONFLICT (event_key) DO UPDATE SET applied = 1, until = excluded.until",
            )
            .and_then(|mut s| s.execute(params![event, until]))
            .map_err(StoreError::unavailable)?;
            if finality == Finality::Terminal {
                tx.prepare_cached(
                    "INSERT INTO pay_webhook_objects (object_key, until) VALUES (?1, ?2)
                     ON CONFLICT (object_key) DO UPDATE SET until = max(until, excluded.until)",
                )
                .and_then(|mut s| s.execute(params![object, until]))
                .map_err(StoreError::unavailable)?;
            }
            if purge {
                for table in ["pay_webhook_events", "pay_webhook_objects"] {
                    let key = if table == "pay_webhook_events" {
                        "event_key"
                    } else {
                        "object_key"
                    };
                    tx.execute(
                        &format!(
                            "DELETE FROM {table} WHERE {key} IN
                             (SELECT {key} FROM {table} WHERE until <= ?1 LIMIT ?2)"
                        ),
                        params![now, PURGE_BATCH],
                    )
                    .map_err(StoreError::unavailable)?;
                }
            }
            Ok(())
        })
        .await
    }

    async fn release(&self, key: &DedupKey<'_>) -> Result<(), StoreError> {
        let event = key.event.to_owned();
        self.write(move |tx, _| {
            tx.prepare_cached(
                "DELETE FROM pay_webhook_events WHERE event_key = ?1 AND applied = 0",
            )
            .and_then(|mut s| s.execute([event]))
            .map_err(StoreError::unavailable)?;
            Ok(())
        })
        .await
    }
}

impl PollTurns for SqliteStore {
    async fn reserve(&self, key: &PollKey<'_>, floor: Duration) -> Result<Turn, StoreError> {
        let floor = check_floor(floor)?;
        let (provider, operation, subject) = (
            key.provider.to_string(),
            key.operation.to_owned(),
            key.subject.to_owned(),
        );
        let purge = self.purge_due();
        self.write(move |tx, now| {
            let last: Option<i64> = tx
                .prepare_cached(
                    "SELECT last_turn FROM pay_poll_turns
                     WHERE provider = ?1 AND operation = ?2 AND subject = ?3",
                )
                .and_then(|mut s| {
                    s.query_row(params![provider, operation, subject], |r| r.get(0))
                        .optional()
                })
                .map_err(StoreError::unavailable)?;
            let previous = last.map(instant).transpose()?;
            let store_now = instant(now)?;
            let at = next_turn(store_now, previous, floor);
            tx.prepare_cached(
                "INSERT INTO pay_poll_turns (provider, operation, subject, last_turn)
                 VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (provider, operation, subject) DO UPDATE SET last_turn = excluded.last_turn",
            )
            .and_then(|mut s| s.execute(params![provider, operation, subject, micros(at)]))
            .map_err(StoreError::unavailable)?;
            if purge {
                tx.execute(
                    "DELETE FROM pay_poll_turns WHERE (provider, operation, subject) IN
                     (SELECT provider, operation, subject FROM pay_poll_turns
                      WHERE last_turn < ?1 LIMIT ?2)",
                    params![now.saturating_sub(to_micros(TURN_MEMORY)), PURGE_BATCH],
                )
                .map_err(StoreError::unavailable)?;
            }
            Ok(Turn {
                at,
                store_now,
                previous,
            })
        })
        .await
    }

    async fn give_back(&self, key: &PollKey<'_>, turn: &Turn) -> Result<(), StoreError> {
        let (provider, operation, subject) = (
            key.provider.to_string(),
            key.operation.to_owned(),
            key.subject.to_owned(),
        );
        let (at, previous) = (micros(turn.at), turn.previous.map(micros));
        self.write(move |tx, _| {
            let result = match previous {
                Some(previous) => tx.execute(
                    "UPDATE pay_poll_turns SET last_turn = ?5
                     WHERE provider = ?1 AND operation = ?2 AND subject = ?3 AND last_turn = ?4",
                    params![provider, operation, subject, at, previous],
                ),
                None => tx.execute(
                    "DELETE FROM pay_poll_turns
                     WHERE provider = ?1 AND operation = ?2 AND subject = ?3 AND last_turn = ?4",
                    params![provider, operation, subject, at],
                ),
            };
            result.map(drop).map_err(StoreError::unavailable)
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A file another connection holds locked while this one opens it: opening waits for the lock
    /// instead of failing `Unavailable`. (The race this retry loop also covers, two processes
    /// switching one fresh file to WAL at once, is exercised by `tests/sqlite_processes.rs`; it
    /// does not reproduce on demand.)
    #[test]
    fn opening_waits_for_a_file_another_connection_holds_locked() {
        let dir = std::env::temp_dir().join(format!("pay-store-unit-{:016x}", fastrand::u64(..)));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("locked.db");
        let holder = Connection::open(&path).unwrap();
        holder
            .execute_batch("CREATE TABLE t (x INTEGER); BEGIN EXCLUSIVE; INSERT INTO t VALUES (1);")
            .unwrap();
        let opener = {
            let path = path.clone();
            std::thread::spawn(move || connect(&path, &SystemClock).map(drop))
        };
        std::thread::sleep(Duration::from_millis(300));
        holder.execute_batch("COMMIT").unwrap();
        assert!(opener.join().unwrap().is_ok());
    }

    #[test]
    fn connections_are_durable_wal_with_a_busy_timeout() {
        let dir = std::env::temp_dir().join(format!("pay-store-unit-{:016x}", fastrand::u64(..)));
        std::fs::create_dir_all(&dir).unwrap();
        let connection = connect(&dir.join("s.db"), &SystemClock).unwrap();
        let pragma = |name: &str| -> String {
            connection
                .query_row(&format!("PRAGMA {name}"), [], |r| {
                    r.get::<_, rusqlite::types::Value>(0)
                })
                .map(|v| format!("{v:?}"))
                .unwrap()
        };
        assert_eq!(pragma("journal_mode"), "Text(\"wal\")");
        assert_eq!(pragma("synchronous"), "Integer(2)"); // FULL
        assert_eq!(pragma("busy_timeout"), "Integer(10000)");
        assert_eq!(pragma("foreign_keys"), "Integer(1)");
        drop(connection);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn timestamps_round_trip_at_microsecond_precision() {
        let at = time::macros::datetime!(2024-05-06 7:08:09.123456 UTC);
        assert_eq!(instant(micros(at)).unwrap(), at);
    }

    #[test]
    fn lease_lost_names_the_intent() {
        use crate::journal::lease_lost;
        let lease = Lease::new(
            IntentKey::new(pay_core::error::Provider::Qostiq, "withdraw", "o-1"),
            OwnerId::new("a").unwrap(),
            3,
            OffsetDateTime::UNIX_EPOCH,
            OffsetDateTime::UNIX_EPOCH,
        );
        assert_eq!(
            lease_lost(&lease).to_string(),
            "lease on qostiq/withdraw/o-1 lost by a (epoch 3): released or taken over"
        );
    }
}
