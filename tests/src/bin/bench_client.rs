//! `cargo xtask bench client`: the full COINQVEST client stack against a bare hyper-util client,
//! over loopback, in one run, as ratios.
//!
//! * (a) **client**: `CoinqvestClient::get_withdrawal(id)`: typed endpoint → executor (span, retry
//!   policy, timeout) → digest signature computed for the attempt → `HyperTransport` (hyper-util
//!   pooled client, rustls connector in `http` mode, body limit) → JSON parsed into a `Withdrawal`.
//! * (b) **bare**: hyper-util's legacy client over a plain `HttpConnector`, sending the same
//!   request (same URI and digest headers, built from pre-computed parts) and reading the body.
//!
//! The server is this binary started again as a child process (`bench_client serve`): a minimal
//! hyper HTTP/1.1 server on `127.0.0.1:0` answering a fixed `GET /withdrawal` JSON. Keeping it in
//! another process leaves this process's heap counters (a counting `#[global_allocator]`) to the
//! client alone.
//!
//! Latency: sequential requests (concurrency 1), p50 and mean, in 20 alternating rounds of (a) and (b)
//! so that machine noise hits both. Throughput: a fixed number of requests by 64 concurrent tasks,
//! alternating rounds, median round. Heap: bytes allocated per request (sequential), and the peak
//! of live bytes during a concurrency-64 round (sampled at every completion) above the live bytes
//! before it, divided by 64.
// A benchmark binary: it reads the monotonic clock, computes ratios in floating point and prints.
#![allow(
    clippy::disallowed_methods,
    clippy::float_arithmetic,
    reason = "benchmark timing and ratios, not money"
)]

use std::alloc::System;
use std::convert::Infallible;
use std::error::Error;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::{HeaderMap, Method, Request, Response, Uri};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use pay_coinqvest::DigestSigner;
use pay_coinqvest::client::CoinqvestClient;
use pay_core::secret::Secret;
use pay_tests::say;
use pay_transport::hyper_transport::HyperTransport;
use stats_alloc::{INSTRUMENTED_SYSTEM, StatsAlloc};
use tokio::net::TcpListener;

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

const KEY: &str = "bench-key";
const SECRET: &str = "bench-secret-not-a-real-one";
const ID: &str = "12d72c3c8145";
const WARM_UP: usize = 2_000;
const LATENCY_REQUESTS: usize = 20_000;
const LATENCY_ROUNDS: usize = 20;
const THROUGHPUT_REQUESTS: u64 = 30_000;
const THROUGHPUT_ROUNDS: usize = 3;
const CONCURRENCY: usize = 64;

const BODY: &str = r#"{"withdrawal":{"id":"12d72c3c8145","type":"WITHDRAWAL","state":"COMPLETED","origin":"API","timestamp":"2020-03-04T19:54:47+02:00","sourceAssetCode":"USD","sourceAssetIssuer":"USD:GDUKMGUGDZQK6YHYA5Z6AY2G4XDSZPSZ3SW5UN3ARVMO6QSRDWP5YLEX","sourceAmount":"142.3156600","targetAssetCode":"NGNT","targetAssetIssuer":"NGNT:GAWODAROMJ33V5YDFY3NPYTHVYQG7MJXVJ2ND3AOGIHYRWINES6ACCPD","targetAmount":"30727.1358200","withdrawalFee":"200.0000000","targetBlockchain":null,"targetFiatCurrency":"NGN","transactionId":"7ab8a1b6c9c3f6e1a5a9a1d0f3c2b4e5d6f708192a3b4c5d6e7f8091a2b3c4d5","targetAccount":{"nuban":"3080494548","bankName":"FirstBank"}}}"#;

type BoxError = Box<dyn Error + Send + Sync>;

fn main() -> Result<(), BoxError> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("serve") => return serve(),
        Some("profile") => return profile(args.get(1..).unwrap_or_default()),
        _ => {}
    }
    let mut server = ServerProcess::start()?;
    let result = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?
        .block_on(bench(server.port));
    server.stop();
    result
}

/// `bench_client profile <client|executor|bare> <n>`: only `n` sequential requests of one stack
/// after a warm-up, for `valgrind --tool=callgrind` (instruction counts do not depend on the
/// machine's load, so two builds compare exactly).
fn profile(args: &[String]) -> Result<(), BoxError> {
    const USAGE: &str = "usage: bench_client profile <client|executor|bare> <requests>";
    let (which, n) = match args {
        [which, n] => (which.clone(), n.parse::<usize>()?),
        _ => return Err(USAGE.into()),
    };
    let mut server = ServerProcess::start()?;
    let port = server.port;
    let result = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?
        .block_on(async move {
            let (full, bare) = stacks(port)?;
            let mut scratch = Latency::default();
            match which.as_str() {
                "client" => repeat(&full, n, &mut scratch).await,
                "bare" => repeat(&bare, n, &mut scratch).await,
                "executor" => {
                    let executor = ExecutorOnly::new(port, Some(bare.headers.clone()))?;
                    repeat(&executor, n, &mut scratch).await
                }
                _ => Err(USAGE.into()),
            }
        });
    server.stop();
    result
}

/// 100 warm-up requests, then `n`.
async fn repeat<S: Stack>(stack: &S, n: usize, into: &mut Latency) -> Result<(), BoxError> {
    sequential(stack, 100, into).await?;
    sequential(stack, n, into).await
}

// ---- the server (child process) -------------------------------------------------------------

fn serve() -> Result<(), BoxError> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?
        .block_on(async {
            let listener = TcpListener::bind("127.0.0.1:0").await?;
            say(&format!("port {}", listener.local_addr()?.port()));
            let body = Bytes::from_static(BODY.as_bytes());
            loop {
                let (stream, _) = listener.accept().await?;
                stream.set_nodelay(true)?;
                let body = body.clone();
                tokio::spawn(async move {
                    let service = hyper::service::service_fn(move |_req: Request<Incoming>| {
                        let body = body.clone();
                        async move {
                            let mut response = Response::new(Full::new(body));
                            response.headers_mut().insert(
                                http::header::CONTENT_TYPE,
                                http::HeaderValue::from_static("application/json"),
                            );
                            Ok::<_, Infallible>(response)
                        }
                    });
                    let _ = hyper::server::conn::http1::Builder::new()
                        .timer(TokioTimer::new())
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        })
}

/// The server child process; killed when the benchmark ends.
struct ServerProcess {
    child: Child,
    port: u16,
}

impl ServerProcess {
    fn start() -> Result<Self, BoxError> {
        let mut child = Command::new(std::env::current_exe()?)
            .arg("serve")
            .stdout(Stdio::piped())
            .spawn()?;
        let stdout = child.stdout.take().ok_or("no stdout from the server")?;
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line)?;
        let port = line
            .trim()
            .strip_prefix("port ")
            .ok_or("the server did not report its port")?
            .parse()?;
        Ok(Self { child, port })
    }

    fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        self.stop();
    }
}

// ---- the two stacks -------------------------------------------------------------------------

/// Something that sends the benchmark request and checks the answer.
trait Stack: Clone + 'static {
    fn send(&self) -> impl Future<Output = Result<(), BoxError>>;
}

#[derive(Clone)]
struct ClientStack {
    client: CoinqvestClient<HyperTransport>,
}

impl Stack for ClientStack {
    async fn send(&self) -> Result<(), BoxError> {
        match self.client.get_withdrawal(ID).await? {
            pay_core::endpoint::Lookup::Found(w) if w.id == ID => Ok(()),
            _ => Err("unexpected withdrawal".into()),
        }
    }
}

#[derive(Clone)]
struct Bare {
    client: Client<HttpConnector, Full<Bytes>>,
    uri: Uri,
    headers: HeaderMap,
}

impl Stack for Bare {
    async fn send(&self) -> Result<(), BoxError> {
        let mut request = Request::new(Full::new(Bytes::new()));
        *request.method_mut() = Method::GET;
        *request.uri_mut() = self.uri.clone();
        *request.headers_mut() = self.headers.clone();
        let response = self.client.request(request).await?;
        let body = response.into_body().collect().await?.to_bytes();
        if body.len() != BODY.len() {
            return Err("unexpected body".into());
        }
        Ok(())
    }
}

/// `HyperTransport` alone with the pre-built request: separates the transport from the executor.
#[derive(Clone)]
struct TransportOnly {
    transport: HyperTransport,
    uri: Uri,
    headers: HeaderMap,
}

impl Stack for TransportOnly {
    async fn send(&self) -> Result<(), BoxError> {
        use tower_service::Service;
        let mut request = Request::new(Bytes::new());
        *request.uri_mut() = self.uri.clone();
        *request.headers_mut() = self.headers.clone();
        let response = self.transport.clone().call(request).await?;
        if response.body().len() != BODY.len() {
            return Err("unexpected body".into());
        }
        Ok(())
    }
}

/// The executor over `HyperTransport` with a pre-built request and no typed parsing: with the
/// given pre-computed digest headers, or (`None`) signing every attempt.
#[derive(Clone)]
struct ExecutorOnly {
    executor: pay_transport::Executor<HyperTransport>,
    headers: HeaderMap,
}

impl ExecutorOnly {
    fn new(port: u16, pre_signed: Option<HeaderMap>) -> Result<Self, BoxError> {
        let base = format!("http://127.0.0.1:{port}/api/v1").parse()?;
        let builder = pay_transport::Executor::builder(HyperTransport::new()?, base);
        let (builder, headers) = match pre_signed {
            Some(headers) => (builder, headers),
            None => {
                let signer = DigestSigner::new(KEY, Secret::new(SECRET)?);
                (builder.authenticator(Arc::new(signer)), HeaderMap::new())
            }
        };
        Ok(Self {
            executor: builder.build()?,
            headers,
        })
    }
}

impl Stack for ExecutorOnly {
    async fn send(&self) -> Result<(), BoxError> {
        use pay_core::endpoint::Endpoint;
        let mut request = Request::new(Bytes::new());
        *request.uri_mut() = Uri::from_static("/withdrawal?id=12d72c3c8145");
        *request.headers_mut() = self.headers.clone();
        let done = self
            .executor
            .execute_request(
                &pay_coinqvest::withdrawals::GetWithdrawal::INFO,
                request,
                |r| Ok(r.body().len()),
            )
            .await?;
        if done.value != BODY.len() {
            return Err("unexpected body".into());
        }
        Ok(())
    }
}

fn stacks(port: u16) -> Result<(ClientStack, Bare), BoxError> {
    let base = format!("http://127.0.0.1:{port}/api/v1");
    let full = ClientStack {
        client: CoinqvestClient::builder(KEY, Secret::new(SECRET)?)
            .base_url(base.parse()?)
            .build()?,
    };
    // The same request, pre-built: URI and digest headers computed once.
    let signed = DigestSigner::new(KEY, Secret::new(SECRET)?).sign(
        "/withdrawal",
        1_700_000_000,
        &Method::GET,
        b"",
    );
    let mut headers = HeaderMap::new();
    headers.insert("x-digest-key", signed.key.parse()?);
    headers.insert("x-digest-timestamp", signed.timestamp.parse()?);
    headers.insert("x-digest-signature", signed.signature.parse()?);
    let mut http = HttpConnector::new();
    http.set_nodelay(true);
    let bare = Bare {
        client: Client::builder(TokioExecutor::new())
            .pool_timer(TokioTimer::new())
            .pool_idle_timeout(Duration::from_secs(30))
            .pool_max_idle_per_host(32)
            .build(http),
        uri: format!("{base}/withdrawal?id={ID}").parse()?,
        headers,
    };
    Ok((full, bare))
}

// ---- measurements ---------------------------------------------------------------------------

fn live_bytes() -> i64 {
    let s = GLOBAL.stats();
    let allocated = i64::try_from(s.bytes_allocated).unwrap_or(i64::MAX);
    let deallocated = i64::try_from(s.bytes_deallocated).unwrap_or(i64::MAX);
    allocated - deallocated + i64::try_from(s.bytes_reallocated).unwrap_or(0)
}

fn allocated_bytes() -> (u64, u64) {
    let s = GLOBAL.stats();
    let grown = u64::try_from(s.bytes_reallocated.max(0)).unwrap_or(0);
    (
        u64::try_from(s.bytes_allocated).unwrap_or(u64::MAX) + grown,
        u64::try_from(s.allocations + s.reallocations).unwrap_or(u64::MAX),
    )
}

#[derive(Debug, Default, Clone)]
struct Latency {
    samples: Vec<Duration>,
    bytes: u64,
    allocations: u64,
}

impl Latency {
    fn p50(&mut self) -> Duration {
        self.samples.sort_unstable();
        self.samples
            .get(self.samples.len() / 2)
            .copied()
            .unwrap_or_default()
    }

    fn mean(&self) -> Duration {
        let total: Duration = self.samples.iter().sum();
        total / u32::try_from(self.samples.len().max(1)).unwrap_or(u32::MAX)
    }

    fn per_request(&self) -> (f64, f64) {
        let n = self.samples.len().max(1) as f64;
        (self.bytes as f64 / n, self.allocations as f64 / n)
    }
}

async fn sequential<S: Stack>(stack: &S, n: usize, into: &mut Latency) -> Result<(), BoxError> {
    let (bytes0, allocs0) = allocated_bytes();
    for _ in 0..n {
        let started = Instant::now();
        stack.send().await?;
        into.samples.push(started.elapsed());
    }
    let (bytes1, allocs1) = allocated_bytes();
    // Exclude the samples vector's own growth: reserved up front.
    into.bytes += bytes1 - bytes0;
    into.allocations += allocs1 - allocs0;
    Ok(())
}

#[derive(Debug, Clone, Copy)]
struct Throughput {
    per_second: f64,
    peak_live_per_request: f64,
}

async fn concurrent<S: Stack>(stack: &S) -> Result<Throughput, BoxError> {
    let remaining = Arc::new(AtomicU64::new(THROUGHPUT_REQUESTS));
    let baseline = live_bytes();
    let peak = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..CONCURRENCY {
        let stack = stack.clone();
        let remaining = remaining.clone();
        let peak = peak.clone();
        tasks.spawn_local(async move {
            while remaining
                .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| n.checked_sub(1))
                .is_ok()
            {
                stack.send().await?;
                let live = usize::try_from((live_bytes() - baseline).max(0)).unwrap_or(0);
                peak.fetch_max(live, Ordering::Relaxed);
            }
            Ok::<(), BoxError>(())
        });
    }
    while let Some(done) = tasks.join_next().await {
        done??;
    }
    let elapsed = started.elapsed();
    Ok(Throughput {
        per_second: THROUGHPUT_REQUESTS as f64 / elapsed.as_secs_f64(),
        peak_live_per_request: peak.load(Ordering::Relaxed) as f64 / CONCURRENCY as f64,
    })
}

fn median(mut v: Vec<Throughput>) -> Throughput {
    v.sort_by(|a, b| a.per_second.total_cmp(&b.per_second));
    v.get(v.len() / 2).copied().unwrap_or(Throughput {
        per_second: 0.0,
        peak_live_per_request: 0.0,
    })
}

async fn bench(port: u16) -> Result<(), BoxError> {
    let local = tokio::task::LocalSet::new();
    local
        .run_until(async move {
            let (full, bare) = stacks(port)?;
            // Warm-up of bare here; `alternate` warms the stack it measures.
            let mut scratch = Latency::default();
            sequential(&bare, WARM_UP, &mut scratch).await?;
            let (mut a, mut b) = alternate(&full, &bare).await?;

            // One concurrent warm-up round each (grows both pools to 64 connections).
            concurrent(&full).await?;
            concurrent(&bare).await?;
            let mut ta = Vec::new();
            let mut tb = Vec::new();
            for _ in 0..THROUGHPUT_ROUNDS {
                ta.push(concurrent(&full).await?);
                tb.push(concurrent(&bare).await?);
            }
            report(&mut a, &mut b, median(ta), median(tb));
            let transport = TransportOnly {
                transport: HyperTransport::new()?,
                uri: bare.uri.clone(),
                headers: bare.headers.clone(),
            };
            let executor = ExecutorOnly::new(port, Some(bare.headers.clone()))?;
            let signing = ExecutorOnly::new(port, None)?;
            compare(
                &transport,
                &bare,
                "HyperTransport alone (same pre-built request)",
            )
            .await?;
            compare(
                &executor,
                &bare,
                "+ executor (pre-signed request, body length only)",
            )
            .await?;
            compare(
                &signing,
                &bare,
                "+ executor + per-attempt signature (no typed parse)",
            )
            .await?;
            breakdown()
        })
        .await
}

/// Latency of `stack` and `bare` (already warm) in [`LATENCY_ROUNDS`] alternating rounds, after
/// warming `stack` up: connections, pools, caches.
async fn alternate<S: Stack>(stack: &S, bare: &Bare) -> Result<(Latency, Latency), BoxError> {
    let mut scratch = Latency::default();
    sequential(stack, WARM_UP, &mut scratch).await?;
    let per_round = LATENCY_REQUESTS / LATENCY_ROUNDS;
    let mut a = Latency::default();
    let mut b = Latency::default();
    a.samples.reserve(LATENCY_REQUESTS);
    b.samples.reserve(LATENCY_REQUESTS);
    for _ in 0..LATENCY_ROUNDS {
        sequential(stack, per_round, &mut a).await?;
        sequential(bare, per_round, &mut b).await?;
    }
    Ok((a, b))
}

/// p50 of `stack` against `bare` in alternating rounds, printed as one line.
async fn compare<S: Stack>(stack: &S, bare: &Bare, what: &str) -> Result<(), BoxError> {
    let (mut a, mut b) = alternate(stack, bare).await?;
    let (p50a, p50b) = (a.p50(), b.p50());
    say(&format!(
        "of which {what}: p50 {:.1} µs vs bare {:.1} µs = {:.3}x",
        micros(p50a),
        micros(p50b),
        micros(p50a) / micros(p50b)
    ));
    Ok(())
}

/// The CPU cost of the client's own steps, without IO: where the difference comes from.
fn breakdown() -> Result<(), BoxError> {
    use pay_coinqvest::withdrawals::GetWithdrawal;
    use pay_core::endpoint::{Authenticate, BaseUrl, Endpoint};
    const N: u32 = 100_000;
    let call = GetWithdrawal::new(ID);
    let base: BaseUrl = "http://127.0.0.1:1/api/v1".parse()?;
    let signer = DigestSigner::new(KEY, Secret::new(SECRET)?);
    let now = pay_core::clock::Clock::now(&pay_core::clock::SystemClock);
    let response = Response::new(Bytes::from_static(BODY.as_bytes()));
    let time = |f: &mut dyn FnMut() -> Result<(), BoxError>| -> Result<f64, BoxError> {
        let started = Instant::now();
        for _ in 0..N {
            f()?;
        }
        Ok(micros(started.elapsed()) / f64::from(N))
    };
    let build = time(&mut || {
        let request = call.build_request(&())?;
        std::hint::black_box(base.resolve(request.uri())?);
        Ok(())
    })?;
    let sign = time(&mut || {
        let mut request = call.build_request(&())?;
        signer.authenticate(&mut request, now)?;
        std::hint::black_box(request);
        Ok(())
    })? - build;
    let parse = time(&mut || {
        std::hint::black_box(call.parse_response(&response)?);
        Ok(())
    })?;
    let strict = time(&mut || {
        let limits = pay_core::json::Limits::RESPONSES;
        std::hint::black_box(pay_core::json::validate(response.body(), limits)?);
        Ok(())
    })?;
    say(&format!(
        "client CPU per request without IO: build + resolve {build:.2} µs, digest sign {sign:.2} µs, parse {parse:.2} µs (of which the strict JSON check {strict:.2} µs)"
    ));
    Ok(())
}

fn micros(d: Duration) -> f64 {
    d.as_secs_f64() * 1e6
}

fn report(a: &mut Latency, b: &mut Latency, ta: Throughput, tb: Throughput) {
    let (p50a, p50b) = (a.p50(), b.p50());
    let (meana, meanb) = (a.mean(), b.mean());
    let (bytes_a, allocs_a) = a.per_request();
    let (bytes_b, allocs_b) = b.per_request();
    let latency_ratio = micros(p50a) / micros(p50b);
    let mean_ratio = micros(meana) / micros(meanb);
    let throughput_ratio = ta.per_second / tb.per_second;
    let verdict = |ok: bool| if ok { "met" } else { "MISSED" };
    let lines = [
        format!(
            "client stack vs bare hyper-util, loopback, GET /withdrawal ({} B JSON)",
            BODY.len()
        ),
        format!(
            "latency c=1 ({LATENCY_REQUESTS} requests each): p50 {:.1} µs vs {:.1} µs = {latency_ratio:.3}x (target <= 1.15x: {}); mean {:.1} µs vs {:.1} µs = {mean_ratio:.3}x",
            micros(p50a),
            micros(p50b),
            verdict(latency_ratio <= 1.15),
            micros(meana),
            micros(meanb),
        ),
        format!(
            "throughput c={CONCURRENCY} ({THROUGHPUT_REQUESTS} requests, median of {THROUGHPUT_ROUNDS}): {:.0} req/s vs {:.0} req/s = {throughput_ratio:.3}x (target >= 0.9x: {})",
            ta.per_second,
            tb.per_second,
            verdict(throughput_ratio >= 0.9),
        ),
        format!(
            "heap per request c=1: {bytes_a:.0} B in {allocs_a:.1} allocations vs {bytes_b:.0} B in {allocs_b:.1} allocations"
        ),
        format!(
            "peak live heap per in-flight request c={CONCURRENCY}: {:.0} B vs {:.0} B",
            ta.peak_live_per_request, tb.peak_live_per_request
        ),
    ];
    for line in lines {
        say(&line);
    }
}
