//! Sandbox throughput: signed requests per second over loopback HTTP/1.1 (keep-alive).
//!
//! Starts the sandbox in-process, pre-signs a pool of requests (Qostiq `/shop_balance` and
//! `/withdraw/status` with `sign`, COINQVEST `GET /ping` and `GET /wallets` with digest headers),
//! then drives a fixed number of them through a hyper-util client at a fixed concurrency and prints
//! requests/s. Every answer must be HTTP 200 (and `"result": true` for Qostiq); any other answer
//! fails the run. Target (issue 6): ≥ 10,000 requests/s on the 2-core benchmark machine.
//!
//! `cargo bench -p pay-sandbox --bench throughput` (or `cargo xtask bench sandbox`). Knobs:
//! `SANDBOX_BENCH_REQUESTS` (default 100000), `SANDBOX_BENCH_CONCURRENCY` (default 48),
//! `SANDBOX_BENCH_SERVER_THREADS` / `SANDBOX_BENCH_CLIENT_THREADS` (default 1 each: the server and
//! the load generator each get one of the two cores).
#![allow(
    clippy::print_stdout,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::float_arithmetic,
    clippy::disallowed_methods,
    missing_docs
)] // benchmark binary: measures wall time

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::{Method, Request};
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use pay_core::clock::{Clock, SystemClock};
use pay_core::json::{Limits, StrictObject};
use pay_sandbox::{Sandbox, SandboxHandle};
use pay_signing::coinqvest::DigestSigner;

/// One pre-built request.
#[derive(Clone)]
struct Prepared {
    method: Method,
    url: String,
    headers: Vec<(&'static str, String)>,
    body: Bytes,
    qostiq: bool,
}

impl Prepared {
    fn request(&self) -> Request<Full<Bytes>> {
        let mut builder = Request::builder()
            .method(self.method.clone())
            .uri(&self.url);
        for (name, value) in &self.headers {
            builder = builder.header(*name, value);
        }
        builder.body(Full::new(self.body.clone())).unwrap()
    }
}

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn qostiq_signed(sandbox: &SandboxHandle, endpoint: &str, fields: &str) -> Prepared {
    let object = StrictObject::parse(fields.as_bytes(), Limits::default()).unwrap();
    let sign =
        pay_signing::qostiq::sign_body(endpoint, &object, &sandbox.credentials().qostiq_secret)
            .unwrap()
            .sign;
    let body = format!(
        "{},\"sign\":\"{sign}\"}}",
        fields.strip_suffix('}').unwrap()
    );
    Prepared {
        method: Method::POST,
        url: format!("{}{endpoint}", sandbox.qostiq_base_url()),
        headers: vec![("content-type", "application/json".to_owned())],
        body: Bytes::from(body),
        qostiq: true,
    }
}

fn coinqvest_signed(sandbox: &SandboxHandle, path: &str, timestamp: i64) -> Prepared {
    let creds = sandbox.credentials();
    let signer = DigestSigner::new(&creds.coinqvest_key, creds.coinqvest_secret.clone());
    let digest = signer.sign(path, timestamp, &Method::GET, b"");
    Prepared {
        method: Method::GET,
        url: format!("{}{path}", sandbox.coinqvest_base_url()),
        headers: vec![
            ("x-digest-key", digest.key),
            ("x-digest-timestamp", digest.timestamp),
            ("x-digest-signature", digest.signature),
        ],
        body: Bytes::new(),
        qostiq: false,
    }
}

type HttpClient = Client<HttpConnector, Full<Bytes>>;

async fn send(client: &HttpClient, prepared: &Prepared) -> Result<(), String> {
    let response = client
        .request(prepared.request())
        .await
        .map_err(|e| format!("{} {}: {e:?}", prepared.method, prepared.url))?;
    let status = response.status();
    let body = response
        .into_body()
        .collect()
        .await
        .map_err(|e| format!("body: {e}"))?
        .to_bytes();
    if status != 200 || (prepared.qostiq && !contains(&body, b"\"result\":true")) {
        return Err(format!(
            "{} {}: {status} {}",
            prepared.method,
            prepared.url,
            String::from_utf8_lossy(&body)
        ));
    }
    Ok(())
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// Creates one withdrawal so `/withdraw/status` finds a record; returns its id.
async fn create_withdrawal(sandbox: &SandboxHandle, client: &HttpClient) -> u64 {
    let shop = sandbox.credentials().qostiq_shop_id;
    let create = qostiq_signed(
        sandbox,
        "/withdraw/create",
        &format!(
            "{{\"account\":\"4111111111111111\",\"amount\":\"10.00\",\"amount_type\":\"ps_amount\",\"payway\":\"card_uah\",\"shop_currency\":980,\"shop_id\":{shop},\"shop_payment_id\":\"bench-1\"}}"
        ),
    );
    let response = client.request(create.request()).await.unwrap();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    let value: serde_json::Value = serde_json::from_slice(&body).unwrap();
    value["data"]["id"]
        .as_u64()
        .unwrap_or_else(|| panic!("withdraw/create: {value}"))
}

fn pool(sandbox: &SandboxHandle, withdraw_id: u64, size: usize) -> Vec<Prepared> {
    let shop = sandbox.credentials().qostiq_shop_id;
    let now = SystemClock.now().unix_timestamp();
    (0..size)
        .map(|i| match i % 4 {
            0 => qostiq_signed(
                sandbox,
                "/shop_balance",
                &format!("{{\"now\":\"{}\",\"shop_id\":{shop}}}", 1_700_000_000 + i),
            ),
            1 => qostiq_signed(
                sandbox,
                "/withdraw/status",
                &format!(
                    "{{\"now\":\"{}\",\"shop_id\":{shop},\"withdraw_id\":{withdraw_id}}}",
                    1_700_000_000 + i
                ),
            ),
            2 => coinqvest_signed(sandbox, "/ping", now),
            _ => coinqvest_signed(sandbox, "/wallets", now),
        })
        .collect()
}

/// Sends `total` requests from `pool` over `concurrency` workers; returns the elapsed time.
async fn drive(
    client: &HttpClient,
    pool: Arc<Vec<Prepared>>,
    total: usize,
    concurrency: usize,
) -> Duration {
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let workers: Vec<_> = (0..concurrency)
        .map(|_| {
            let client = client.clone();
            let pool = Arc::clone(&pool);
            let next = Arc::clone(&next);
            tokio::spawn(async move {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= total {
                        return Ok::<(), String>(());
                    }
                    send(&client, &pool[i % pool.len()]).await?;
                }
            })
        })
        .collect();
    for worker in workers {
        if let Err(e) = worker.await.unwrap() {
            panic!("a request failed: {e}");
        }
    }
    started.elapsed()
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` passes nothing: run a smoke pass.
    let smoke = !std::env::args().any(|a| a == "--bench");
    let total = if smoke {
        2_000
    } else {
        env_usize("SANDBOX_BENCH_REQUESTS", 100_000)
    };
    let concurrency = env_usize("SANDBOX_BENCH_CONCURRENCY", 48).max(1);
    let server_threads = env_usize("SANDBOX_BENCH_SERVER_THREADS", 1).max(1);
    let client_threads = env_usize("SANDBOX_BENCH_CLIENT_THREADS", 1).max(1);

    // The server on its own runtime, the load generator on another: neither starves the other.
    let server_rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(server_threads)
        .thread_name("sandbox")
        .enable_all()
        .build()
        .unwrap();
    let sandbox = server_rt
        .block_on(Sandbox::builder().seed(1).start())
        .unwrap();
    let client_rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(client_threads)
        .thread_name("load")
        .enable_all()
        .build()
        .unwrap();

    client_rt.block_on(async {
        let client: HttpClient = Client::builder(TokioExecutor::new())
            .pool_max_idle_per_host(concurrency)
            .build_http();
        let withdraw_id = create_withdrawal(&sandbox, &client).await;
        let warmup = Arc::new(pool(&sandbox, withdraw_id, 1024));
        drive(&client, warmup, 4_000.min(total), concurrency).await;
        // Signed right before the measured run: the COINQVEST digests stay inside the 30 s window.
        let pool = Arc::new(pool(&sandbox, withdraw_id, 4096));
        let elapsed = drive(&client, pool, total, concurrency).await;
        let per_second = total as f64 / elapsed.as_secs_f64();
        println!(
            "sandbox throughput: {total} signed requests (25% each: Qostiq /shop_balance, Qostiq /withdraw/status, COINQVEST GET /ping, COINQVEST GET /wallets), concurrency {concurrency}, server threads {server_threads}, client threads {client_threads}"
        );
        println!(
            "sandbox throughput: {:.2} s, {per_second:.0} requests/s{}",
            elapsed.as_secs_f64(),
            if smoke { " (smoke run)" } else { "" }
        );
        if !smoke && per_second < 10_000.0 {
            println!("sandbox throughput: BELOW the 10,000 requests/s target");
        }
    });
    server_rt.block_on(sandbox.shutdown());
}
