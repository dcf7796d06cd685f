//! Test helpers (feature `test-util`): the PostgreSQL test server, a fresh schema per test, and
//! temporary directories for SQLite files, and the state a process killed mid-payout leaves.
//! Shared by the tests of every crate that uses a store.

use std::path::PathBuf;
use std::time::Duration;

use serde_json::{Value, json};

use crate::{Begin, EvidenceKind, IntentJournal, IntentKey, Lease, OwnerId, StoreError};

/// The test server's URL: `PAY_TEST_POSTGRES_URL`, or `None` outside CI (printing why the test is
/// skipped); under `CI=true` its absence is a failure (panics). `.ci/postgres.sh` provides one.
#[allow(clippy::panic)]
pub fn postgres_url() -> Option<String> {
    match std::env::var("PAY_TEST_POSTGRES_URL") {
        Ok(url) if !url.is_empty() => Some(url),
        _ if std::env::var("CI").is_ok_and(|v| v == "true") => {
            panic!(
                "CI=true but PAY_TEST_POSTGRES_URL is not set: run the tests under .ci/postgres.sh"
            )
        }
        _ => {
            eprintln!(
                "SKIPPED: PAY_TEST_POSTGRES_URL not set; run the tests under `.ci/postgres.sh` for the PostgreSQL backend"
            );
            None
        }
    }
}

/// Creates a fresh schema on the server at `base` and returns a URL whose connections use it (its
/// tables are created on open): each test gets an empty database of its own.
#[cfg(feature = "postgres")]
pub async fn fresh_schema(base: &str) -> Result<String, crate::StoreError> {
    let schema = format!("t{:016x}", fastrand::u64(..));
    let (client, connection) = tokio_postgres::connect(base, tokio_postgres::NoTls)
        .await
        .map_err(crate::StoreError::unavailable)?;
    let task = tokio::spawn(connection);
    let created = client
        .batch_execute(&format!("CREATE SCHEMA {schema}"))
        .await
        .map_err(crate::StoreError::unavailable);
    drop(client);
    let _ = task.await;
    created?;
    let separator = if base.contains('?') { '&' } else { '?' };
    Ok(format!("{base}{separator}options=-csearch_path%3D{schema}"))
}

/// Journals a fresh intent under `key` for `owner` and records its first attempt, as a client does
/// just before it sends: what a process killed at that moment leaves behind. Returns the lease;
/// [`StoreError::Invalid`] if `key` was already journaled.
pub async fn begin_attempted(
    store: &impl IntentJournal,
    key: &IntentKey,
    payload: &Value,
    owner: &OwnerId,
    lease: Duration,
) -> Result<Lease, StoreError> {
    let Begin::Created(lease) = store.begin(key, payload, owner, lease).await? else {
        return Err(StoreError::Invalid(format!("{key} is already journaled")));
    };
    store
        .record(&lease, EvidenceKind::Attempt, &json!({"attempt": 1}))
        .await?;
    Ok(lease)
}

/// A temporary directory removed when dropped.
#[derive(Debug)]
pub struct TempDir(PathBuf);

impl TempDir {
    /// A new empty directory under the system's temporary directory.
    pub fn new() -> std::io::Result<Self> {
        let path = std::env::temp_dir().join(format!(
            "pay-store-test-{}-{:016x}",
            std::process::id(),
            fastrand::u64(..)
        ));
        std::fs::create_dir_all(&path)?;
        Ok(Self(path))
    }

    /// The path of `name` inside it.
    pub fn file(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }

    /// A `sqlite:` URL for the file `name` inside it.
    pub fn sqlite_url(&self, name: &str) -> String {
        format!("sqlite:{}", self.file(name).display())
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
