//! One entry point from a URL: `memory:`, `sqlite:PATH`, `postgres://…`.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use pay_core::error::Provider;
use serde_json::Value;

use crate::dedup::{Claim, DedupKey, DedupPolicy, DedupStore};
use crate::error::StoreError;
use crate::journal::{
    Begin, Claimed, Evidence, EvidenceKind, Intent, IntentClaim, IntentJournal, IntentKey,
    IntentRecord, Lease, Listing, Outcome, OwnerId,
};
use crate::memory::MemoryStore;
use crate::turns::{PollKey, PollTurns, Turn};

/// Which store to open, parsed from a URL.
///
/// * `memory:` — [`MemoryStore`] (lost on exit).
/// * `sqlite:PATH` (or `sqlite://PATH`) — a SQLite file, created if missing (feature `sqlite`).
/// * `postgres://user:password@host:port/db?…` or `postgresql://…` — any libpq-style URL
///   (feature `postgres`); `?options=-csearch_path%3Dpay` puts the tables in schema `pay`.
///
/// ```
/// use pay_store::StoreConfig;
///
/// let config: StoreConfig = "sqlite:/var/lib/pay/journal.db".parse().unwrap();
/// assert_eq!(config.to_string(), "sqlite:/var/lib/pay/journal.db");
/// assert!("mysql://x".parse::<StoreConfig>().is_err());
/// ```
#[derive(Clone)]
pub struct StoreConfig {
    backend: Backend,
    dedup: DedupPolicy,
    pool_size: usize,
}

#[derive(Clone)]
enum Backend {
    Memory,
    #[cfg(feature = "sqlite")]
    Sqlite(std::path::PathBuf),
    #[cfg(feature = "postgres")]
    Postgres(Box<tokio_postgres::Config>),
}

impl StoreConfig {
    /// The webhook deduplication policy of the opened store (default: [`DedupPolicy::default`]).
    pub fn dedup_policy(mut self, policy: DedupPolicy) -> Self {
        self.dedup = policy;
        self
    }

    /// Most PostgreSQL connections the store opens (default 16; ignored by other backends).
    pub fn pool_size(mut self, size: usize) -> Self {
        self.pool_size = size.max(1);
        self
    }

    /// Opens the store, creating or migrating its schema.
    pub async fn open(&self) -> Result<Store, StoreError> {
        match &self.backend {
            Backend::Memory => Ok(Store::Memory(
                MemoryStore::new().with_dedup_policy(self.dedup),
            )),
            #[cfg(feature = "sqlite")]
            Backend::Sqlite(path) => Ok(Store::Sqlite(
                crate::sqlite::SqliteStore::open(path)
                    .await?
                    .with_dedup_policy(self.dedup),
            )),
            #[cfg(feature = "postgres")]
            Backend::Postgres(config) => Ok(Store::Postgres(
                crate::postgres::PostgresStore::connect(config, self.pool_size)
                    .await?
                    .with_dedup_policy(self.dedup),
            )),
        }
    }
}

impl FromStr for StoreConfig {
    type Err = StoreError;

    fn from_str(url: &str) -> Result<Self, StoreError> {
        let backend = if url == "memory:" {
            Backend::Memory
        } else if let Some(path) = url.strip_prefix("sqlite:") {
            sqlite_backend(path.strip_prefix("//").unwrap_or(path))?
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            postgres_backend(url)?
        } else {
            return Err(StoreError::Invalid(
                "store URL must be `memory:`, `sqlite:PATH` or `postgres://…`".to_owned(),
            ));
        };
        Ok(Self {
            backend,
            dedup: DedupPolicy::default(),
            pool_size: 16,
        })
    }
}

#[cfg(feature = "sqlite")]
fn sqlite_backend(path: &str) -> Result<Backend, StoreError> {
    if path.is_empty() {
        return Err(StoreError::Invalid(
            "`sqlite:` needs a file path".to_owned(),
        ));
    }
    Ok(Backend::Sqlite(path.into()))
}

#[cfg(not(feature = "sqlite"))]
fn sqlite_backend(_: &str) -> Result<Backend, StoreError> {
    Err(StoreError::Invalid(
        "pay-store was built without the `sqlite` feature".to_owned(),
    ))
}

#[cfg(feature = "postgres")]
fn postgres_backend(url: &str) -> Result<Backend, StoreError> {
    // The driver's own message may quote the URL (and so the password): keep only its kind.
    url.parse::<tokio_postgres::Config>()
        .map(|config| Backend::Postgres(Box::new(config)))
        .map_err(|_| StoreError::Invalid("malformed PostgreSQL URL".to_owned()))
}

#[cfg(not(feature = "postgres"))]
fn postgres_backend(_: &str) -> Result<Backend, StoreError> {
    Err(StoreError::Invalid(
        "pay-store was built without the `postgres` feature".to_owned(),
    ))
}

/// Shows the URL without any password.
impl fmt::Display for StoreConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.backend {
            Backend::Memory => f.write_str("memory:"),
            #[cfg(feature = "sqlite")]
            Backend::Sqlite(path) => write!(f, "sqlite:{}", path.display()),
            #[cfg(feature = "postgres")]
            Backend::Postgres(config) => crate::postgres::describe(config, f),
        }
    }
}

impl fmt::Debug for StoreConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StoreConfig")
            .field("url", &self.to_string())
            .field("dedup", &self.dedup)
            .field("pool_size", &self.pool_size)
            .finish()
    }
}

/// An opened store of any backend (what [`StoreConfig::open`] gives).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum Store {
    /// In memory.
    Memory(MemoryStore),
    /// A SQLite file.
    #[cfg(feature = "sqlite")]
    Sqlite(crate::sqlite::SqliteStore),
    /// A PostgreSQL database.
    #[cfg(feature = "postgres")]
    Postgres(crate::postgres::PostgresStore),
}

impl Store {
    /// The schema version of the database (`None` in memory).
    pub async fn schema_version(&self) -> Result<Option<i64>, StoreError> {
        match self {
            Store::Memory(_) => Ok(None),
            #[cfg(feature = "sqlite")]
            Store::Sqlite(s) => s.schema_version().await.map(Some),
            #[cfg(feature = "postgres")]
            Store::Postgres(s) => s.schema_version().await.map(Some),
        }
    }
}

/// Calls the same method on whichever backend `self` is.
macro_rules! dispatch {
    ($self:ident, $store:ident => $call:expr) => {
        match $self {
            Store::Memory($store) => $call,
            #[cfg(feature = "sqlite")]
            Store::Sqlite($store) => $call,
            #[cfg(feature = "postgres")]
            Store::Postgres($store) => $call,
        }
    };
}

impl IntentJournal for Store {
    async fn begin(
        &self,
        key: &IntentKey,
        payload: &Value,
        owner: &OwnerId,
        lease: Duration,
    ) -> Result<Begin, StoreError> {
        dispatch!(self, s => s.begin(key, payload, owner, lease).await)
    }

    async fn get(&self, key: &IntentKey) -> Result<Option<IntentRecord>, StoreError> {
        dispatch!(self, s => s.get(key).await)
    }

    async fn claim_due(
        &self,
        owner: &OwnerId,
        lease: Duration,
        limit: u32,
        provider: Option<Provider>,
    ) -> Result<Vec<Claimed>, StoreError> {
        dispatch!(self, s => s.claim_due(owner, lease, limit, provider).await)
    }

    async fn reopen(
        &self,
        key: &IntentKey,
        owner: &OwnerId,
        lease: Duration,
        reopenable: &[&str],
    ) -> Result<IntentClaim, StoreError> {
        dispatch!(self, s => s.reopen(key, owner, lease, reopenable).await)
    }

    async fn renew(&self, lease: &Lease, duration: Duration) -> Result<Lease, StoreError> {
        dispatch!(self, s => s.renew(lease, duration).await)
    }

    async fn record(
        &self,
        lease: &Lease,
        kind: EvidenceKind,
        data: &Value,
    ) -> Result<Evidence, StoreError> {
        dispatch!(self, s => s.record(lease, kind, data).await)
    }

    async fn finish(&self, lease: &Lease, outcome: &Outcome) -> Result<(), StoreError> {
        dispatch!(self, s => s.finish(lease, outcome).await)
    }

    async fn mark_unknown(&self, lease: &Lease, retry_after: Duration) -> Result<(), StoreError> {
        dispatch!(self, s => s.mark_unknown(lease, retry_after).await)
    }

    async fn release_lease(&self, lease: &Lease) -> Result<(), StoreError> {
        dispatch!(self, s => s.release_lease(lease).await)
    }

    async fn list(&self, listing: Listing, limit: u32) -> Result<Vec<Intent>, StoreError> {
        dispatch!(self, s => s.list(listing, limit).await)
    }
}

impl DedupStore for Store {
    async fn claim(&self, key: &DedupKey<'_>) -> Result<Claim, StoreError> {
        dispatch!(self, s => DedupStore::claim(s, key).await)
    }

    async fn complete(&self, key: &DedupKey<'_>) -> Result<(), StoreError> {
        dispatch!(self, s => s.complete(key).await)
    }

    async fn release(&self, key: &DedupKey<'_>) -> Result<(), StoreError> {
        dispatch!(self, s => DedupStore::release(s, key).await)
    }
}

impl PollTurns for Store {
    async fn reserve(&self, key: &PollKey<'_>, floor: Duration) -> Result<Turn, StoreError> {
        dispatch!(self, s => s.reserve(key, floor).await)
    }

    async fn give_back(&self, key: &PollKey<'_>, turn: &Turn) -> Result<(), StoreError> {
        dispatch!(self, s => s.give_back(key, turn).await)
    }
}
