//! Polling floors across instances: two clients, each with its own handle on one store (a SQLite
//! file; a PostgreSQL database when `PAY_TEST_POSTGRES_URL` is set), poll one payout of the sandbox
//! at once: every poll takes a turn, and the turns, on the store's clock, are never closer than the
//! floor. With turns in each process's memory instead, the sandbox receives polls closer than the
//! floor.
//!
//! A poll leaves at its turn plus its process's own scheduling delay, so the gaps the sandbox sees
//! are the turns' gaps give or take that delay; the floor itself is kept on the store's clock.
#![allow(clippy::indexing_slicing, clippy::unwrap_used)] // helpers outside #[test]: a failure is a failed test

use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use http::Request;
use pay_core::clock::{Clock, SystemClock};
use pay_qostiq::client::QostiqClient;
use pay_qostiq::withdrawals::{CreateWithdraw, WithdrawAmountType};
use pay_qostiq::{Currency, Payway, ShopId};
use pay_sandbox::{Sandbox, SandboxHandle};
use pay_store::{PollKey, PollTurns, Store, StoreConfig, StoreError, Turn};
use pay_transport::floors::Floors;
use pay_transport::hyper_transport::HyperTransport;
use pay_transport::service::{HttpService, service_fn};
use time::OffsetDateTime;
use tower_service::Service;

/// The payout's polling floor (the sandbox opt-in, so the test takes seconds).
const FLOOR: Duration = Duration::from_millis(250);
/// Polls per client.
const POLLS: usize = 6;
type Sent = Arc<Mutex<Vec<OffsetDateTime>>>;

/// A store handle noting every turn it reserves (on the store's clock).
#[derive(Clone)]
struct Noting {
    inner: Store,
    turns: Sent,
}

impl PollTurns for Noting {
    async fn reserve(&self, key: &PollKey<'_>, floor: Duration) -> Result<Turn, StoreError> {
        let turn = self.inner.reserve(key, floor).await?;
        self.turns.lock().unwrap().push(turn.at);
        Ok(turn)
    }

    async fn give_back(&self, key: &PollKey<'_>, turn: &Turn) -> Result<(), StoreError> {
        self.inner.give_back(key, turn).await
    }
}

/// The default transport, noting when each status read leaves.
fn watched(sent: Sent) -> impl HttpService {
    let inner = HyperTransport::new().unwrap();
    service_fn(move |request: Request<Bytes>| {
        let (sent, mut inner) = (sent.clone(), inner.clone());
        async move {
            if request.uri().path().ends_with("/shop_payment_status") {
                sent.lock().unwrap().push(SystemClock.now());
            }
            std::future::poll_fn(|cx| inner.poll_ready(cx)).await?;
            inner.call(request).await
        }
    })
}

async fn client(
    sandbox: &SandboxHandle,
    sent: Sent,
    turns: Option<(&str, Sent)>,
) -> QostiqClient<impl HttpService> {
    let creds = sandbox.credentials();
    let mut builder = QostiqClient::builder(
        ShopId::new(creds.qostiq_shop_id).unwrap(),
        creds.qostiq_secret.clone(),
    )
    .transport(watched(sent))
    .base_url(sandbox.qostiq_base_url().parse().unwrap())
    .executor(|e| e.floors(Floors::below_provider_minimums_for_sandbox(FLOOR)));
    if let Some((url, noted)) = turns {
        // Its own handle (connection or pool) on the shared store.
        let store = url.parse::<StoreConfig>().unwrap().open().await.unwrap();
        builder = builder.executor(|e| {
            e.poll_turns(Noting {
                inner: store,
                turns: noted,
            })
        });
    }
    builder.build().unwrap()
}

/// Two clients poll one payout `POLLS` times each, at once: the gaps between the polls the
/// sandbox received, and between the turns taken in the shared store (when there is one), in
/// order.
async fn gaps(shared: Option<&str>) -> (Vec<time::Duration>, Vec<time::Duration>) {
    let sandbox = Sandbox::builder().seed(5).start().await.unwrap();
    let (sent, noted): (Sent, Sent) = (Arc::default(), Arc::default());
    let turns = shared.map(|url| (url, noted.clone()));
    let a = client(&sandbox, sent.clone(), turns.clone()).await;
    let b = client(&sandbox, sent.clone(), turns).await;
    let payout = CreateWithdraw::new(
        format!("{:032}", 77),
        "10.00".parse().unwrap(),
        WithdrawAmountType::PsAmount,
        Payway::new("card_uah").unwrap(),
        Currency::Uah,
        "polled-1",
    );
    assert_eq!(a.create_withdraw(&payout).await.name().as_str(), "created");
    tokio::join!(poll(&a), poll(&b));
    let apart = |times: &Sent| {
        let mut times = times.lock().unwrap().clone();
        times.sort();
        times.windows(2).map(|w| w[1] - w[0]).collect::<Vec<_>>()
    };
    assert_eq!(sent.lock().unwrap().len(), POLLS * 2);
    (apart(&sent), apart(&noted))
}

async fn poll<S: HttpService>(client: &QostiqClient<S>) {
    for _ in 0..POLLS {
        client
            .get_withdraw_by_shop_payment_id("polled-1")
            .await
            .unwrap();
    }
}

/// Every poll took a turn, and no two turns are closer than the floor (store clock).
fn assert_floor_kept((_, turns): (Vec<time::Duration>, Vec<time::Duration>)) {
    let floor = time::Duration::try_from(FLOOR).unwrap();
    assert_eq!(turns.len(), POLLS * 2 - 1, "one turn per poll");
    let closest = turns.iter().min().unwrap();
    assert!(
        *closest >= floor,
        "two turns {closest} apart, floor {floor}: {turns:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_clients_sharing_a_sqlite_store_never_poll_one_payout_below_its_floor() {
    let dir = pay_store::testing::TempDir::new().unwrap();
    assert_floor_kept(gaps(Some(&dir.sqlite_url("turns.db"))).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_clients_sharing_a_postgres_store_never_poll_one_payout_below_its_floor() {
    let Some(base) = pay_store::testing::postgres_url() else {
        return;
    };
    let url = pay_store::testing::fresh_schema(&base).await.unwrap();
    assert_floor_kept(gaps(Some(&url)).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_clients_with_turns_in_their_own_memory_poll_below_the_floor() {
    // What the shared store prevents: each client keeps the floor only against itself.
    let (gaps, _) = gaps(None).await;
    let floor = time::Duration::try_from(FLOOR).unwrap();
    assert!(gaps.iter().any(|g| *g < floor / 2), "{gaps:?}");
}
