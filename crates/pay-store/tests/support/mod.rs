//! Test environments: a fresh, empty store of each backend, and more handles on the same data.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::future::Future;
use std::sync::Arc;

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
    /// Runs `contenders` calls at once, each on its own new handle (as separate instances would),
    /// `contend(store, n)` for the `n`th, and returns their answers in that order.
    pub async fn race<T, F, Fut>(self: &Arc<Self>, contenders: usize, contend: F) -> Vec<T>
    where
        T: Send + 'static,
        F: Fn(Store, usize) -> Fut + Clone + Send + 'static,
        Fut: Future<Output = T> + Send,
    {
        let mut tasks = Vec::new();
        for n in 0..contenders {
            let (env, contend) = (Arc::clone(self), contend.clone());
            tasks.push(tokio::spawn(async move {
                let store = env.open().await;
                contend(store, n).await
            }));
        }
        let mut answers = Vec::new();
        for task in tasks {
            answers.push(task.await.unwrap());
        }
        answers
    }

    pub fn memory() -> Self {
        Self {
            backend: Backend::Memory(Store::Memory(pay_store::MemoryStore::new())),
        }
    }

    pub fn sqlite() -> Self {
        Self {
            backend: Backend::Sqlite(TempDir::new().unwrap()),
        }
    }

    /// A fresh schema in the test server, or `None` (with the reason printed) when there is no
    /// server outside CI. Under `CI=true` a missing server fails the test.
    #[cfg(feature = "postgres")]
    pub async fn postgres() -> Option<Self> {
        let base = pay_store::testing::postgres_url()?;
        let url = pay_store::testing::fresh_schema(&base)
            .await
            .expect("create the test schema");
        Some(Self {
            backend: Backend::Postgres { url },
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

pub use pay_store::testing::TempDir;
