//! The PostgreSQL backend: one database shared by many instances.
//!
//! * **Clock**: the server's `clock_timestamp()`, the one clock every instance agrees on.
//! * **Atomicity**: every step is one statement (`INSERT … ON CONFLICT`, an `UPDATE` whose `WHERE`
//!   carries the lease fence) or one transaction; [`IntentJournal::claim_due`] takes work with
//!   `FOR UPDATE SKIP LOCKED`, so concurrent instances get disjoint intents without waiting.
//! * **Durability**: as the server's (`synchronous_commit = on`, the default, for no loss of an
//!   acknowledged commit; a synchronous standby for host loss).
//! * **Pool**: `deadpool-postgres`, statements prepared once per connection; connecting and
//!   waiting for a connection each time out after [`POOL_TIMEOUT`], so an outage fails calls
//!   instead of hanging them.
//! * **TLS**: [`PostgresStore::connect`] is plain TCP or a Unix socket; pass any `tokio-postgres`
//!   TLS connector (e.g. `tokio-postgres-rustls`) to [`PostgresStore::connect_with_tls`].
//!
//! Tables live in the first schema of the connection's `search_path`
//! (`?options=-csearch_path%3Dpay` in the URL).

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use deadpool_postgres::{Manager, ManagerConfig, Object, Pool, RecyclingMethod, Runtime};
use pay_core::error::Provider;
use serde_json::Value;
use time::OffsetDateTime;
use tokio_postgres::tls::{MakeTlsConnect, TlsConnect};
use tokio_postgres::{NoTls, Socket, Statement};

use crate::dedup::{Claim, DedupKey, DedupPolicy, DedupStore, Finality};
use crate::error::StoreError;
use crate::journal::{
    Begin, Claimed, Evidence, EvidenceKind, Intent, IntentClaim, IntentJournal, IntentKey,
    IntentRecord, IntentState, Lease, Listing, Outcome, OwnerId, StoredEvidence, StoredIntent,
    check_fence, checked, is_repeated_finish, lease_lost, parse_provider, to_micros,
};
use crate::turns::{PollKey, PollTurns, Turn, check_floor};

/// How long connecting, and waiting for a free pooled connection, may take.
pub const POOL_TIMEOUT: Duration = Duration::from_secs(10);

/// Schema migrations, in order: (version, SQL).
const MIGRATIONS: &[(i64, &str)] = &[(1, include_str!("../migrations/postgres/0001_init.sql"))];

/// The advisory lock serializing migrations across processes (`pay-store` in ASCII).
const MIGRATION_LOCK: i64 = 0x7061_792d_7374_6f72;

/// Expired rows are purged every this many writes of their kind, at most 500 at a time.
const PURGE_EVERY: u64 = 256;

/// A store in a PostgreSQL database. See the [module documentation](self).
#[derive(Clone)]
pub struct PostgresStore {
    pool: Pool,
    policy: DedupPolicy,
    writes: Arc<AtomicU64>,
}

impl fmt::Debug for PostgresStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PostgresStore")
            .field("pool", &self.pool.status())
            .field("policy", &self.policy)
            .finish()
    }
}

/// Writes `postgres://user@host:port/db` without the password.
pub(crate) fn describe(config: &tokio_postgres::Config, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    f.write_str("postgres://")?;
    if let Some(user) = config.get_user() {
        write!(f, "{user}@")?;
    }
    for (i, host) in config.get_hosts().iter().enumerate() {
        if i > 0 {
            f.write_str(",")?;
        }
        match host {
            tokio_postgres::config::Host::Tcp(name) => f.write_str(name)?,
            tokio_postgres::config::Host::Unix(path) => write!(f, "[{}]", path.display())?,
        }
        if let Some(port) = config.get_ports().get(i) {
            write!(f, ":{port}")?;
        }
    }
    write!(f, "/{}", config.get_dbname().unwrap_or_default())
}

fn db(e: impl std::error::Error + Send + Sync + 'static) -> StoreError {
    StoreError::unavailable(e)
}

impl PostgresStore {
    /// Connects without TLS (a trusted network or a Unix socket) with at most `pool_size`
    /// connections, and creates or migrates the schema.
    pub async fn connect(
        config: &tokio_postgres::Config,
        pool_size: usize,
    ) -> Result<Self, StoreError> {
        Self::connect_with_tls(config, pool_size, NoTls).await
    }

    /// Connects through `tls` (any `tokio-postgres` TLS connector).
    pub async fn connect_with_tls<T>(
        config: &tokio_postgres::Config,
        pool_size: usize,
        tls: T,
    ) -> Result<Self, StoreError>
    where
        T: MakeTlsConnect<Socket> + Clone + Sync + Send + 'static,
        T::Stream: Sync + Send,
        T::TlsConnect: Sync + Send,
        <T::TlsConnect as TlsConnect<Socket>>::Future: Send,
    {
        let mut config = config.clone();
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(POOL_TIMEOUT);
        }
        let manager = Manager::from_config(
            config,
            tls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(pool_size.max(1))
            .runtime(Runtime::Tokio1)
            .create_timeout(Some(POOL_TIMEOUT))
            .wait_timeout(Some(POOL_TIMEOUT))
            .build()
            .map_err(db)?;
        let store = Self {
            pool,
            policy: DedupPolicy::default(),
            writes: Arc::new(AtomicU64::new(0)),
        };
        store.migrate().await?;
        Ok(store)
    }

    /// This handle with another deduplication policy (the pool stays shared).
    pub fn with_dedup_policy(mut self, policy: DedupPolicy) -> Self {
        self.policy = policy;
        self
    }

    /// The schema version of the database.
    pub async fn schema_version(&self) -> Result<i64, StoreError> {
        let client = self.client().await?;
        let row = client
            .query_one("SELECT max(version) FROM pay_store_schema", &[])
            .await
            .map_err(db)?;
        row.try_get(0).map_err(db)
    }

    async fn client(&self) -> Result<Object, StoreError> {
        self.pool.get().await.map_err(db)
    }

    /// A pooled connection and `sql` prepared on it (cached per connection).
    async fn prepared(&self, sql: &str) -> Result<(Object, Statement), StoreError> {
        let client = self.client().await?;
        let statement = client.prepare_cached(sql).await.map_err(db)?;
        Ok((client, statement))
    }

    /// Applies the missing migrations in one transaction under an advisory lock (two processes
    /// starting at once apply them once).
    async fn migrate(&self) -> Result<(), StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(db)?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
            .await
            .map_err(db)?;
        tx.batch_execute(
            "CREATE TABLE IF NOT EXISTS pay_store_schema (
                 version BIGINT PRIMARY KEY,
                 applied_at TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp()
             )",
        )
        .await
        .map_err(db)?;
        let found: i64 = tx
            .query_one(
                "SELECT coalesce(max(version), 0) FROM pay_store_schema",
                &[],
            )
            .await
            .and_then(|row| row.try_get(0))
            .map_err(db)?;
        let known = MIGRATIONS.last().map_or(0, |(v, _)| *v);
        if found > known {
            return Err(StoreError::SchemaTooNew { found, known });
        }
        for (version, sql) in MIGRATIONS.iter().filter(|(v, _)| *v > found) {
            tx.batch_execute(sql).await.map_err(db)?;
            tx.execute(
                "INSERT INTO pay_store_schema (version) VALUES ($1)",
                &[version],
            )
            .await
            .map_err(db)?;
        }
        tx.commit().await.map_err(db)
    }

    fn purge_due(&self) -> bool {
        self.writes
            .fetch_add(1, Ordering::Relaxed)
            .is_multiple_of(PURGE_EVERY)
    }
}

const INTENT_COLUMNS: &str = "id, provider, operation, intent_id, payload, state, owner, epoch, \
     lease_until, due_at, outcome_name, outcome_detail, evidence_count, created_at, updated_at, \
     finished_at";

/// The same columns qualified by the alias `p` (for `UPDATE … FROM … RETURNING`).
const INTENT_COLUMNS_P: &str = "p.id, p.provider, p.operation, p.intent_id, p.payload, p.state, \
     p.owner, p.epoch, p.lease_until, p.due_at, p.outcome_name, p.outcome_detail, \
     p.evidence_count, p.created_at, p.updated_at, p.finished_at";

/// The key columns compared to `$1, $2, $3`.
const BY_KEY: &str = "provider = $1 AND operation = $2 AND intent_id = $3";

/// The lease fence, with the owner in `$4` and the epoch in `$5`.
const FENCE: &str = "p.provider = $1 AND p.operation = $2 AND p.intent_id = $3 AND p.owner = $4 \
     AND p.epoch = $5 AND p.lease_until IS NOT NULL AND p.state <> 'final'";

type Row = StoredIntent<OffsetDateTime>;

fn read_row(row: &tokio_postgres::Row) -> Result<Row, StoreError> {
    Ok(Row {
        id: row.try_get(0).map_err(db)?,
        provider: row.try_get(1).map_err(db)?,
        operation: row.try_get(2).map_err(db)?,
        intent_id: row.try_get(3).map_err(db)?,
        payload: row.try_get(4).map_err(db)?,
        state: row.try_get(5).map_err(db)?,
        owner: row.try_get(6).map_err(db)?,
        epoch: row.try_get(7).map_err(db)?,
        lease_until: row.try_get(8).map_err(db)?,
        due_at: row.try_get(9).map_err(db)?,
        outcome_name: row.try_get(10).map_err(db)?,
        outcome_detail: row.try_get(11).map_err(db)?,
        evidence_count: i64::from(row.try_get::<_, i32>(12).map_err(db)?),
        created_at: row.try_get(13).map_err(db)?,
        updated_at: row.try_get(14).map_err(db)?,
        finished_at: row.try_get(15).map_err(db)?,
    })
}

fn read_evidence(row: &tokio_postgres::Row) -> Result<(i64, Evidence), StoreError> {
    let intent: i64 = row.try_get(0).map_err(db)?;
    let evidence = StoredEvidence {
        seq: i64::from(row.try_get::<_, i32>(1).map_err(db)?),
        kind: row.try_get(2).map_err(db)?,
        at: row.try_get(3).map_err(db)?,
        owner: row.try_get(4).map_err(db)?,
        epoch: row.try_get(5).map_err(db)?,
        data: row.try_get(6).map_err(db)?,
    }
    .into_evidence()?;
    Ok((intent, evidence))
}

/// Key parameters `$1, $2, $3`.
fn key_params(key: &IntentKey) -> (String, &str, &str) {
    (
        key.provider.to_string(),
        key.operation.as_str(),
        key.intent_id.as_str(),
    )
}

fn signed_epoch(lease: &Lease) -> Result<i64, StoreError> {
    i64::try_from(lease.epoch()).map_err(|_| lease_lost(lease))
}

async fn find(
    client: &impl deadpool_postgres::GenericClient,
    key: &IntentKey,
) -> Result<Option<Row>, StoreError> {
    let statement = client
        .prepare_cached(&format!(
            "SELECT {INTENT_COLUMNS} FROM pay_intents WHERE {BY_KEY}"
        ))
        .await
        .map_err(db)?;
    let (provider, operation, intent_id) = key_params(key);
    client
        .query_opt(&statement, &[&provider, &operation, &intent_id])
        .await
        .map_err(db)?
        .as_ref()
        .map(read_row)
        .transpose()
}

/// The evidence of the intents `ids`, grouped in the same order.
async fn evidence_of(
    client: &impl deadpool_postgres::GenericClient,
    ids: &[i64],
) -> Result<Vec<Vec<Evidence>>, StoreError> {
    let statement = client
        .prepare_cached(
            "SELECT intent, seq, kind, at, owner, epoch, data FROM pay_intent_evidence
             WHERE intent = ANY($1) ORDER BY intent, seq",
        )
        .await
        .map_err(db)?;
    let rows = client.query(&statement, &[&ids]).await.map_err(db)?;
    let mut grouped: Vec<Vec<Evidence>> = ids.iter().map(|_| Vec::new()).collect();
    for row in &rows {
        let (intent, evidence) = read_evidence(row)?;
        if let Some(slot) = ids
            .iter()
            .position(|id| *id == intent)
            .and_then(|i| grouped.get_mut(i))
        {
            slot.push(evidence);
        }
    }
    Ok(grouped)
}

async fn records_of(
    client: &impl deadpool_postgres::GenericClient,
    rows: Vec<Row>,
) -> Result<Vec<IntentRecord>, StoreError> {
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let evidence = evidence_of(client, &ids).await?;
    rows.into_iter()
        .zip(evidence)
        .map(|(row, evidence)| {
            Ok(IntentRecord {
                intent: row.into_intent()?,
                evidence,
            })
        })
        .collect()
}

async fn record_of(
    client: &impl deadpool_postgres::GenericClient,
    row: Row,
) -> Result<IntentRecord, StoreError> {
    records_of(client, vec![row])
        .await?
        .pop()
        .ok_or_else(|| StoreError::Corrupt("record vanished".to_owned()))
}

/// Why a fenced write matched no row: not found, finished, or the lease lost.
async fn refusal(client: &Object, lease: &Lease) -> StoreError {
    match find(client, lease.key()).await {
        Err(e) => e,
        Ok(None) => StoreError::NotFound(lease.key().to_string()),
        Ok(Some(row)) => match row.fence() {
            Err(e) => e,
            Ok(fence) => check_fence(&fence, lease)
                .err()
                .unwrap_or_else(|| lease_lost(lease)),
        },
    }
}

/// A claimed row and its lease.
fn claimed(row: Row, owner: &OwnerId, granted: OffsetDateTime) -> Result<(Row, Lease), StoreError> {
    let key = IntentKey::new(
        parse_provider(&row.provider)?,
        row.operation.clone(),
        row.intent_id.clone(),
    );
    let until = row
        .lease_until
        .ok_or_else(|| StoreError::Corrupt(format!("claimed {key} without a lease")))?;
    let epoch = crate::journal::stored_epoch(row.epoch)?;
    let lease = Lease::new(key, owner.clone(), epoch, until, granted);
    Ok((row, lease))
}

/// The intent claimed by a `RETURNING {INTENT_COLUMNS_P}, clock_timestamp()` statement, with its
/// evidence and its lease (granted at the returned time).
async fn claimed_intent(
    client: &impl deadpool_postgres::GenericClient,
    row: &tokio_postgres::Row,
    owner: &OwnerId,
) -> Result<IntentClaim, StoreError> {
    let granted: OffsetDateTime = row.try_get(16).map_err(db)?;
    let (row, lease) = claimed(read_row(row)?, owner, granted)?;
    let record = record_of(client, row).await?;
    Ok(IntentClaim::Claimed(Claimed { lease, record }))
}

impl IntentJournal for PostgresStore {
    async fn begin(
        &self,
        key: &IntentKey,
        payload: &Value,
        owner: &OwnerId,
        lease: Duration,
    ) -> Result<Begin, StoreError> {
        let lease = to_micros(checked("lease", lease, true)?);
        let (client, insert) = self
            .prepared(
                "WITH now AS (SELECT clock_timestamp() AS t)
                 INSERT INTO pay_intents (provider, operation, intent_id, payload, state, owner,
                     epoch, lease_until, due_at, created_at, updated_at)
                 SELECT $1, $2, $3, $4, 'open', $5, 1, t + $6::bigint * interval '1 microsecond', t, t, t
                 FROM now
                 ON CONFLICT (provider, operation, intent_id) DO NOTHING
                 RETURNING lease_until, created_at",
            )
            .await?;
        let (provider, operation, intent_id) = key_params(key);
        let payload = payload.to_string();
        // Nothing is ever deleted, so a conflict means the row exists; the read retries once in
        // case it raced a transaction that was still committing.
        for _ in 0..2 {
            let inserted = client
                .query_opt(
                    &insert,
                    &[
                        &provider,
                        &operation,
                        &intent_id,
                        &payload,
                        &owner.as_str(),
                        &lease,
                    ],
                )
                .await
                .map_err(db)?;
            if let Some(row) = inserted {
                let until: OffsetDateTime = row.try_get(0).map_err(db)?;
                let now: OffsetDateTime = row.try_get(1).map_err(db)?;
                return Ok(Begin::Created(Lease::new(
                    key.clone(),
                    owner.clone(),
                    1,
                    until,
                    now,
                )));
            }
            if let Some(existing) = find(&client, key).await? {
                return Ok(Begin::Existing(record_of(&client, existing).await?));
            }
        }
        Err(StoreError::Corrupt(format!(
            "{key} conflicts but cannot be read"
        )))
    }

    async fn get(&self, key: &IntentKey) -> Result<Option<IntentRecord>, StoreError> {
        let mut client = self.client().await?;
        // One snapshot for the intent and its evidence.
        let tx = client
            .build_transaction()
            .isolation_level(tokio_postgres::IsolationLevel::RepeatableRead)
            .read_only(true)
            .start()
            .await
            .map_err(db)?;
        let record = match find(&tx, key).await? {
            Some(row) => Some(record_of(&tx, row).await?),
            None => None,
        };
        tx.commit().await.map_err(db)?;
        Ok(record)
    }

    async fn reopen(
        &self,
        key: &IntentKey,
        owner: &OwnerId,
        lease: Duration,
        reopenable: &[&str],
    ) -> Result<IntentClaim, StoreError> {
        let lease = to_micros(checked("lease", lease, true)?);
        let client = self.client().await?;
        if !reopenable.is_empty() {
            // A final intent with a reopenable outcome: open and claimed in one statement.
            let reopen = client
                .prepare_cached(&format!(
                    "UPDATE pay_intents p SET state = 'open', outcome_name = NULL,
                         outcome_detail = NULL, finished_at = NULL, due_at = clock_timestamp(),
                         owner = $4, epoch = p.epoch + 1,
                         lease_until = clock_timestamp() + $5::bigint * interval '1 microsecond',
                         updated_at = clock_timestamp()
                     WHERE p.provider = $1 AND p.operation = $2 AND p.intent_id = $3
                       AND p.state = 'final' AND p.outcome_name = ANY($6)
                     RETURNING {INTENT_COLUMNS_P}, clock_timestamp()"
                ))
                .await
                .map_err(db)?;
            let (provider, operation, intent_id) = key_params(key);
            let names: Vec<&str> = reopenable.to_vec();
            let reopened = client
                .query_opt(
                    &reopen,
                    &[
                        &provider,
                        &operation,
                        &intent_id,
                        &owner.as_str(),
                        &lease,
                        &names,
                    ],
                )
                .await
                .map_err(db)?;
            if let Some(row) = reopened {
                return claimed_intent(&client, &row, owner).await;
            }
        }
        // `clock_timestamp()` inline, not once up front: the row lock may be waited for, and the
        // lease must run from when it is granted. The grant time is read last (conservative).
        let update = client
            .prepare_cached(&format!(
                "UPDATE pay_intents p SET owner = $4, epoch = p.epoch + 1,
                     lease_until = clock_timestamp() + $5::bigint * interval '1 microsecond',
                     updated_at = clock_timestamp()
                 WHERE p.provider = $1 AND p.operation = $2 AND p.intent_id = $3
                   AND p.state <> 'final'
                   AND (p.lease_until IS NULL OR p.lease_until <= clock_timestamp())
                 RETURNING {INTENT_COLUMNS_P}, clock_timestamp()"
            ))
            .await
            .map_err(db)?;
        let (provider, operation, intent_id) = key_params(key);
        let updated = client
            .query_opt(
                &update,
                &[&provider, &operation, &intent_id, &owner.as_str(), &lease],
            )
            .await
            .map_err(db)?;
        if let Some(row) = updated {
            return claimed_intent(&client, &row, owner).await;
        }
        let Some(row) = find(&client, key).await? else {
            return Ok(IntentClaim::Missing);
        };
        if row.state()? == IntentState::Final {
            return Ok(IntentClaim::Finished(record_of(&client, row).await?));
        }
        match row.into_intent()?.lease {
            Some(held) => Ok(IntentClaim::Held(held)),
            // Released between the two statements: the caller may simply claim again.
            None => Err(StoreError::unavailable(
                "lease changed while claiming; retry",
            )),
        }
    }

    async fn claim_due(
        &self,
        owner: &OwnerId,
        lease: Duration,
        limit: u32,
        provider: Option<Provider>,
    ) -> Result<Vec<Claimed>, StoreError> {
        let lease = to_micros(checked("lease", lease, true)?);
        let provider = provider.map(|p| p.to_string());
        let (client, update) = self
            .prepared(&format!(
                "WITH now AS (SELECT clock_timestamp() AS t),
                 due AS (
                     SELECT id FROM pay_intents
                     WHERE state <> 'final'
                       AND (lease_until IS NULL OR lease_until <= clock_timestamp())
                       AND due_at <= clock_timestamp()
                       AND ($4::text IS NULL OR provider = $4)
                     ORDER BY due_at, id
                     LIMIT $3
                     FOR UPDATE SKIP LOCKED)
                 UPDATE pay_intents p SET owner = $1, epoch = p.epoch + 1,
                     lease_until = now.t + $2::bigint * interval '1 microsecond', updated_at = now.t
                 FROM due, now
                 WHERE p.id = due.id
                 RETURNING {INTENT_COLUMNS_P}"
            ))
            .await?;
        let rows = client
            .query(
                &update,
                &[&owner.as_str(), &lease, &i64::from(limit), &provider],
            )
            .await
            .map_err(db)?;
        let mut leases = Vec::with_capacity(rows.len());
        let mut claimed_rows = Vec::with_capacity(rows.len());
        for row in &rows {
            let row = read_row(row)?;
            let granted = row.updated_at;
            let (row, lease) = claimed(row, owner, granted)?;
            leases.push(lease);
            claimed_rows.push(row);
        }
        let mut claims: Vec<Claimed> = records_of(&client, claimed_rows)
            .await?
            .into_iter()
            .zip(leases)
            .map(|(record, lease)| Claimed { lease, record })
            .collect();
        claims.sort_by_key(|c| (c.record.intent.due_at, c.record.intent.created_at));
        Ok(claims)
    }

    async fn renew(&self, lease: &Lease, duration: Duration) -> Result<Lease, StoreError> {
        let duration = to_micros(checked("lease", duration, true)?);
        let (client, update) = self
            .prepared(&format!(
                "UPDATE pay_intents p
                 SET lease_until = clock_timestamp() + $6::bigint * interval '1 microsecond',
                     updated_at = clock_timestamp()
                 WHERE {FENCE}
                 RETURNING p.lease_until, clock_timestamp()"
            ))
            .await?;
        let (provider, operation, intent_id) = key_params(lease.key());
        let epoch = signed_epoch(lease)?;
        let row = client
            .query_opt(
                &update,
                &[
                    &provider,
                    &operation,
                    &intent_id,
                    &lease.owner().as_str(),
                    &epoch,
                    &duration,
                ],
            )
            .await
            .map_err(db)?;
        match row {
            Some(row) => Ok(Lease::new(
                lease.key().clone(),
                lease.owner().clone(),
                lease.epoch(),
                row.try_get(0).map_err(db)?,
                row.try_get(1).map_err(db)?,
            )),
            None => Err(refusal(&client, lease).await),
        }
    }

    async fn record(
        &self,
        lease: &Lease,
        kind: EvidenceKind,
        data: &Value,
    ) -> Result<Evidence, StoreError> {
        let (client, insert) = self
            .prepared(&format!(
                "WITH now AS (SELECT clock_timestamp() AS t),
                 bumped AS (
                     UPDATE pay_intents p SET evidence_count = p.evidence_count + 1,
                         updated_at = now.t
                     FROM now WHERE {FENCE}
                     RETURNING p.id, p.evidence_count, now.t)
                 INSERT INTO pay_intent_evidence (intent, seq, kind, at, owner, epoch, data)
                 SELECT id, evidence_count, $6, t, $4, $5, $7 FROM bumped
                 RETURNING seq, at"
            ))
            .await?;
        let (provider, operation, intent_id) = key_params(lease.key());
        let epoch = signed_epoch(lease)?;
        let text = data.to_string();
        let row = client
            .query_opt(
                &insert,
                &[
                    &provider,
                    &operation,
                    &intent_id,
                    &lease.owner().as_str(),
                    &epoch,
                    &kind.as_str(),
                    &text,
                ],
            )
            .await
            .map_err(db)?;
        let Some(row) = row else {
            return Err(refusal(&client, lease).await);
        };
        let seq: i32 = row.try_get(0).map_err(db)?;
        Ok(Evidence {
            seq: u32::try_from(seq).map_err(|_| StoreError::Corrupt(format!("seq {seq}")))?,
            kind,
            at: row.try_get(1).map_err(db)?,
            owner: lease.owner().as_str().to_owned(),
            epoch: lease.epoch(),
            data: data.clone(),
        })
    }

    async fn finish(&self, lease: &Lease, outcome: &Outcome) -> Result<(), StoreError> {
        let (client, update) = self
            .prepared(&format!(
                "WITH now AS (SELECT clock_timestamp() AS t)
                 UPDATE pay_intents p SET state = 'final', outcome_name = $6,
                     outcome_detail = $7, lease_until = NULL, finished_at = now.t,
                     updated_at = now.t
                 FROM now WHERE {FENCE}"
            ))
            .await?;
        let (provider, operation, intent_id) = key_params(lease.key());
        let epoch = signed_epoch(lease)?;
        let detail = outcome.detail.to_string();
        let updated = client
            .execute(
                &update,
                &[
                    &provider,
                    &operation,
                    &intent_id,
                    &lease.owner().as_str(),
                    &epoch,
                    &outcome.name,
                    &detail,
                ],
            )
            .await
            .map_err(db)?;
        if updated == 1 {
            return Ok(());
        }
        if let Some(row) = find(&client, lease.key()).await?
            && is_repeated_finish(&row.fence()?, row.detail()?.as_ref(), lease, outcome)
        {
            return Ok(());
        }
        Err(refusal(&client, lease).await)
    }

    async fn mark_unknown(&self, lease: &Lease, retry_after: Duration) -> Result<(), StoreError> {
        let retry_after = to_micros(checked("retry_after", retry_after, false)?);
        self.end_lease(
            lease,
            "state = 'unknown', due_at = now.t + $6::bigint * interval '1 microsecond'",
            Some(retry_after),
        )
        .await
    }

    async fn release_lease(&self, lease: &Lease) -> Result<(), StoreError> {
        self.end_lease(lease, "due_at = now.t", None).await
    }

    async fn list(&self, listing: Listing, limit: u32) -> Result<Vec<Intent>, StoreError> {
        let client = self.client().await?;
        let filter = match listing {
            Listing::All => "TRUE",
            Listing::Unfinished => "state <> 'final'",
            Listing::Claimable => {
                "state <> 'final' AND (lease_until IS NULL OR lease_until <= clock_timestamp())
                 AND due_at <= clock_timestamp()"
            }
        };
        let statement = client
            .prepare_cached(&format!(
                "SELECT {INTENT_COLUMNS} FROM pay_intents WHERE {filter}
                 ORDER BY created_at, id LIMIT $1"
            ))
            .await
            .map_err(db)?;
        let rows = client
            .query(&statement, &[&i64::from(limit)])
            .await
            .map_err(db)?;
        rows.iter()
            .map(|row| read_row(row)?.into_intent())
            .collect()
    }
}

impl PostgresStore {
    /// Ends the lease with `set` (extra assignments; `$6` is `extra` when given).
    async fn end_lease(
        &self,
        lease: &Lease,
        set: &str,
        extra: Option<i64>,
    ) -> Result<(), StoreError> {
        let (client, update) = self
            .prepared(&format!(
                "WITH now AS (SELECT clock_timestamp() AS t)
                 UPDATE pay_intents p SET lease_until = NULL, updated_at = now.t, {set}
                 FROM now WHERE {FENCE}"
            ))
            .await?;
        let (provider, operation, intent_id) = key_params(lease.key());
        let epoch = signed_epoch(lease)?;
        let owner = lease.owner().as_str();
        let updated = match &extra {
            Some(extra) => {
                client
                    .execute(
                        &update,
                        &[&provider, &operation, &intent_id, &owner, &epoch, extra],
                    )
                    .await
            }
            None => {
                client
                    .execute(
                        &update,
                        &[&provider, &operation, &intent_id, &owner, &epoch],
                    )
                    .await
            }
        }
        .map_err(db)?;
        if updated == 1 {
            Ok(())
        } else {
            Err(refusal(&client, lease).await)
        }
    }

    /// Deletes up to 500 expired rows of `table` (keyed by `key`) whose `column` is before `cutoff`
    /// (an SQL expression), skipping rows other sessions hold.
    async fn purge(
        &self,
        client: &Object,
        table: &str,
        key: &str,
        column: &str,
        cutoff: &str,
    ) -> Result<(), StoreError> {
        client
            .batch_execute(&format!(
                "DELETE FROM {table} WHERE ({key}) IN (
                     SELECT {key} FROM {table} WHERE {column} < {cutoff}
                     LIMIT 500 FOR UPDATE SKIP LOCKED)"
            ))
            .await
            .map_err(db)
    }
}

impl DedupStore for PostgresStore {
    async fn claim(&self, key: &DedupKey<'_>) -> Result<Claim, StoreError> {
        let lease = to_micros(checked("dedup lease", self.policy.lease, true)?);
        // One statement: read the event and the object's terminal mark, and claim only if neither
        // stands in the way. A concurrent claimer that committed first makes the insert's
        // `WHERE` false: then the answer is `InProgress`.
        let (client, statement) = self
            .prepared(
                "WITH now AS (SELECT clock_timestamp() AS t),
                 existing AS (
                     SELECT e.applied FROM pay_webhook_events e, now
                     WHERE e.event_key = $1 AND e.until > now.t),
                 stale AS (
                     SELECT 1 FROM pay_webhook_objects o, now
                     WHERE $3 AND o.object_key = $2 AND o.until > now.t),
                 claimed AS (
                     INSERT INTO pay_webhook_events AS e (event_key, applied, until)
                     SELECT $1, false, now.t + $4::bigint * interval '1 microsecond' FROM now
                     WHERE NOT EXISTS (SELECT 1 FROM existing) AND NOT EXISTS (SELECT 1 FROM stale)
                     ON CONFLICT (event_key) DO UPDATE
                         SET applied = false, until = EXCLUDED.until
                         WHERE e.until <= clock_timestamp()
                     RETURNING 1)
                 SELECT (SELECT applied FROM existing),
                        EXISTS (SELECT 1 FROM stale),
                        EXISTS (SELECT 1 FROM claimed)",
            )
            .await?;
        let intermediate = key.finality == Finality::Intermediate;
        let row = client
            .query_one(
                &statement,
                &[&key.event, &key.object, &intermediate, &lease],
            )
            .await
            .map_err(db)?;
        let existing: Option<bool> = row.try_get(0).map_err(db)?;
        let stale: bool = row.try_get(1).map_err(db)?;
        let claimed: bool = row.try_get(2).map_err(db)?;
        Ok(match (existing, stale, claimed) {
            (Some(true), _, _) => Claim::Duplicate,
            (Some(false), _, _) => Claim::InProgress,
            (None, true, _) => Claim::Stale,
            (None, false, true) => Claim::Proceed,
            (None, false, false) => Claim::InProgress,
        })
    }

    async fn complete(&self, key: &DedupKey<'_>) -> Result<(), StoreError> {
        let retention = to_micros(checked("dedup retention", self.policy.retention, true)?);
        let (client, statement) = self
            .prepared(
                "WITH now AS (SELECT clock_timestamp() AS t),
                 event AS (
                     INSERT INTO pay_webhook_events AS e (event_key, applied, until)
                     SELECT $1, true, now.t + $3::bigint * interval '1 microsecond' FROM now
                     ON CONFLICT (event_key) DO UPDATE SET applied = true, until = EXCLUDED.until
                     RETURNING 1)
                 INSERT INTO pay_webhook_objects AS o (object_key, until)
                 SELECT $2, now.t + $3::bigint * interval '1 microsecond' FROM now, event WHERE $4
                 ON CONFLICT (object_key) DO UPDATE SET until = GREATEST(o.until, EXCLUDED.until)",
            )
            .await?;
        let terminal = key.finality == Finality::Terminal;
        client
            .execute(
                &statement,
                &[&key.event, &key.object, &retention, &terminal],
            )
            .await
            .map_err(db)?;
        if self.purge_due() {
            let now = "clock_timestamp()";
            self.purge(&client, "pay_webhook_events", "event_key", "until", now)
                .await?;
            self.purge(&client, "pay_webhook_objects", "object_key", "until", now)
                .await?;
        }
        Ok(())
    }

    async fn release(&self, key: &DedupKey<'_>) -> Result<(), StoreError> {
        let (client, statement) = self
            .prepared("DELETE FROM pay_webhook_events WHERE event_key = $1 AND NOT applied")
            .await?;
        client
            .execute(&statement, &[&key.event])
            .await
            .map_err(db)?;
        Ok(())
    }
}

impl PollTurns for PostgresStore {
    async fn reserve(&self, key: &PollKey<'_>, floor: Duration) -> Result<Turn, StoreError> {
        let floor = to_micros(check_floor(floor)?);
        // The row exists first (`-infinity`: no turn yet), so the update below always has a row
        // to lock and returns the turn it replaced.
        let (client, ensure) = self
            .prepared(
                "INSERT INTO pay_poll_turns (provider, operation, subject, last_turn)
                 VALUES ($1, $2, $3, '-infinity')
                 ON CONFLICT (provider, operation, subject) DO NOTHING",
            )
            .await?;
        let take = client
            .prepare_cached(
                "UPDATE pay_poll_turns p
                 SET last_turn = GREATEST(clock_timestamp(),
                                          old.last_turn + $4::bigint * interval '1 microsecond')
                 FROM (SELECT provider, operation, subject, last_turn FROM pay_poll_turns
                       WHERE provider = $1 AND operation = $2 AND subject = $3
                       FOR UPDATE) old
                 WHERE p.provider = old.provider AND p.operation = old.operation
                   AND p.subject = old.subject
                 RETURNING p.last_turn, NULLIF(old.last_turn, '-infinity'), clock_timestamp()",
            )
            .await
            .map_err(db)?;
        let provider = key.provider.to_string();
        let params: [&(dyn tokio_postgres::types::ToSql + Sync); 3] =
            [&provider, &key.operation, &key.subject];
        client.execute(&ensure, &params).await.map_err(db)?;
        let row = client
            .query_opt(&take, &[&provider, &key.operation, &key.subject, &floor])
            .await
            .map_err(db)?
            .ok_or_else(|| StoreError::unavailable("polling turn row vanished; retry"))?;
        if self.purge_due() {
            self.purge(
                &client,
                "pay_poll_turns",
                "provider, operation, subject",
                "last_turn",
                "clock_timestamp() - interval '1 day'",
            )
            .await?;
        }
        let at: OffsetDateTime = row.try_get(0).map_err(db)?;
        let previous: Option<OffsetDateTime> = row.try_get(1).map_err(db)?;
        let store_now: OffsetDateTime = row.try_get(2).map_err(db)?;
        // `store_now` was read after `at` was computed and before the answer left the server: a
        // wait measured from it ends at or after `at` on the store's clock.
        Ok(Turn {
            at,
            store_now,
            previous,
        })
    }

    async fn give_back(&self, key: &PollKey<'_>, turn: &Turn) -> Result<(), StoreError> {
        let (client, statement) = self
            .prepared(
                "UPDATE pay_poll_turns SET last_turn = coalesce($5::timestamptz, '-infinity')
                 WHERE provider = $1 AND operation = $2 AND subject = $3 AND last_turn = $4",
            )
            .await?;
        let provider = key.provider.to_string();
        client
            .execute(
                &statement,
                &[
                    &provider,
                    &key.operation,
                    &key.subject,
                    &turn.at,
                    &turn.previous,
                ],
            )
            .await
            .map_err(db)?;
        Ok(())
    }
}
