//! Test environments: a fresh, empty store of each backend, and more handles on the same data.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::PathBuf;

use pay_store::{DedupPolicy, Store, StoreConfig};

/// Where a test's data lives; [`Env::open`] gives a new handle (its own connection) on it.
pub struct Env {
    pub backend: Backend,
}

pub enum Backend {
    Memory(Store),
    Sqlite(TempDir),
    #[cfg(feature = "postgres")]
    Postgres {
        url: String,
    },
}

impl Env {
    pub fn memory() -> Self {
        Self {
            backend: Backend::Memory(Store::Memory(pay_store::MemoryStore::new())),
        }
    }

    pub fn sqlite() -> Self {
        Self {
            backend: Backend::Sqlite(TempDir::new()),
        }
    }

    /// A fresh schema in the test server, or `None` (with the reason printed) when there is no
    /// server outside CI. Under `CI=true` a missing server fails the test.
    #[cfg(feature = "postgres")]
    pub async fn postgres() -> Option<Self> {
        let base = postgres_url()?;
        let schema = format!("t{:016x}", fastrand::u64(..));
        let (client, connection) = tokio_postgres::connect(&base, tokio_postgres::NoTls)
            .await
            .expect("connect to the test server");
        tokio::spawn(connection);
        client
            .batch_execute(&format!("CREATE SCHEMA {schema}"))
            .await
            .expect("create the test schema");
        let separator = if base.contains('?') { '&' } else { '?' };
        Some(Self {
            backend: Backend::Postgres {
                url: format!("{base}{separator}options=-csearch_path%3D{schema}"),
            },
        })
    }

    /// The URL a handle is opened from.
    pub fn url(&self) -> String {
        match &self.backend {
            Backend::Memory(_) => "memory:".to_owned(),
            Backend::Sqlite(dir) => format!("sqlite:{}", dir.file("store.db").display()),
            #[cfg(feature = "postgres")]
            Backend::Postgres { url } => url.clone(),
        }
    }

    /// A new handle on the same data.
    pub async fn open(&self) -> Store {
        self.open_with(DedupPolicy::default()).await
    }

    /// A new handle with a deduplication policy.
    pub async fn open_with(&self, policy: DedupPolicy) -> Store {
        match &self.backend {
            Backend::Memory(Store::Memory(shared)) => {
                Store::Memory(shared.clone().with_dedup_policy(policy))
            }
            _ => self
                .url()
                .parse::<StoreConfig>()
                .unwrap()
                .dedup_policy(policy)
                .pool_size(4)
                .open()
                .await
                .unwrap(),
        }
    }
}

/// The test server's URL: `PAY_TEST_POSTGRES_URL`, or `None` outside CI (printing why the test is
/// skipped); under `CI=true` its absence is a failure.
#[cfg(feature = "postgres")]
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
                "SKIPPED: PAY_TEST_POSTGRES_URL not set; run `.ci/postgres.sh cargo test -p pay-store --features postgres` for the PostgreSQL backend"
            );
            None
        }
    }
}

/// A temporary directory removed when dropped.
pub struct TempDir(PathBuf);

impl TempDir {
    pub fn new() -> Self {
        let path = std::env::temp_dir().join(format!(
            "pay-store-test-{}-{:016x}",
            std::process::id(),
            fastrand::u64(..)
        ));
        std::fs::create_dir_all(&path).unwrap();
        Self(path)
    }

    pub fn file(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
