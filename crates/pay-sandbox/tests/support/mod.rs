//! A tiny hand-rolled client for the sandbox, signing with pay-signing, and a scripted callback
//! receiver.
#![allow(
    dead_code,
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing
)]

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::str::FromStr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use http::{HeaderMap, Method, Request, Response, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioIo};
use pay_core::clock::{Clock, SystemClock};
use pay_core::json::{Limits, StrictObject};
use pay_sandbox::{Sandbox, SandboxBuilder, SandboxHandle};
use pay_signing::coinqvest::{BasicAuth, DigestSigner};
use rust_decimal::Decimal;
use serde_json::Value;

#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Answer {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }
}

pub struct Harness {
    pub sandbox: SandboxHandle,
    pub http: Client<HttpConnector, Full<Bytes>>,
}

pub fn fast() -> SandboxBuilder {
    Sandbox::builder().callbacks_fast(true).seed(42)
}

/// A hyper client that opens a connection per request (no pooling: each fault meets a fresh one).
pub fn http_client() -> Client<HttpConnector, Full<Bytes>> {
    Client::builder(TokioExecutor::new())
        .pool_max_idle_per_host(0)
        .build_http()
}

/// Sends one request (20 s at most); `Err` describes a transport failure.
pub async fn send(
    http: &Client<HttpConnector, Full<Bytes>>,
    method: Method,
    url: &str,
    headers: &[(&str, String)],
    body: Vec<u8>,
) -> Result<Answer, String> {
    let mut builder = Request::builder().method(method).uri(url);
    for (k, v) in headers {
        builder = builder.header(*k, v);
    }
    let req = builder.body(Full::new(Bytes::from(body))).unwrap();
    let resp = tokio::time::timeout(Duration::from_secs(20), http.request(req))
        .await
        .map_err(|_| "timeout".to_owned())?
        .map_err(|e| format!("request: {e:?}"))?;
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    let body = resp
        .into_body()
        .collect()
        .await
        .map_err(|e| format!("body: {e:?}"))?
        .to_bytes();
    Ok(Answer {
        status,
        headers,
        body,
    })
}

impl Harness {
    pub async fn start(builder: SandboxBuilder) -> Self {
        let sandbox = builder.start().await.expect("sandbox starts");
        Self {
            sandbox,
            http: http_client(),
        }
    }

    pub async fn send(
        &self,
        method: Method,
        url: &str,
        headers: &[(&str, String)],
        body: Vec<u8>,
    ) -> Result<Answer, String> {
        send(&self.http, method, url, headers, body).await
    }

    /// The body of a signed Qostiq request: `fields` plus `sign` computed by pay-signing.
    pub fn qostiq_body(&self, endpoint: &str, fields: &Value) -> String {
        let text = fields.to_string();
        let object = StrictObject::parse(text.as_bytes(), Limits::default()).unwrap();
        let sign = pay_signing::qostiq::sign_body(
            endpoint,
            &object,
            &self.sandbox.credentials().qostiq_secret,
        )
        .unwrap()
        .sign;
        let mut fields = fields.clone();
        fields["sign"] = Value::String(sign);
        fields.to_string()
    }

    pub async fn qostiq_raw(&self, endpoint: &str, body: String) -> Answer {
        let url = format!("{}{endpoint}", self.sandbox.qostiq_base_url());
        self.send(
            Method::POST,
            &url,
            &[("content-type", "application/json".into())],
            body.into_bytes(),
        )
        .await
        .unwrap()
    }

    /// A signed Qostiq call: returns (HTTP status, envelope).
    pub async fn qostiq(&self, endpoint: &str, fields: Value) -> (u16, Value) {
        let body = self.qostiq_body(endpoint, &fields);
        let answer = self.qostiq_raw(endpoint, body).await;
        (answer.status, answer.json())
    }

    /// A signed Qostiq call that must succeed: returns `data`.
    pub async fn qostiq_ok(&self, endpoint: &str, fields: Value) -> Value {
        let (status, env) = self.qostiq(endpoint, fields).await;
        assert_eq!(status, 200, "{endpoint}: {env}");
        assert_eq!(env["result"], Value::Bool(true), "{endpoint}: {env}");
        assert_eq!(env["error_code"], 0, "{endpoint}: {env}");
        assert_eq!(env["message"], "Ok");
        env["data"].clone()
    }

    /// [`Harness::qostiq_ok`], asserting that the data has exactly the keys `expected`.
    pub async fn qostiq_shaped(&self, endpoint: &str, fields: Value, expected: &[&str]) -> Value {
        let data = self.qostiq_ok(endpoint, fields).await;
        assert_keys(&data, expected);
        data
    }

    pub fn shop_id(&self) -> u64 {
        self.sandbox.credentials().qostiq_shop_id
    }

    /// A COINQVEST call with digest auth at `timestamp` (default: now).
    pub async fn cq_at(
        &self,
        method: Method,
        path_and_query: &str,
        body: Option<&str>,
        timestamp: Option<i64>,
    ) -> Answer {
        let creds = self.sandbox.credentials();
        let signer = DigestSigner::new(&creds.coinqvest_key, creds.coinqvest_secret.clone());
        let path = path_and_query.split('?').next().unwrap();
        let body = body.unwrap_or("").as_bytes().to_vec();
        let ts = timestamp.unwrap_or_else(|| SystemClock.now().unix_timestamp());
        let headers = signer.sign(path, ts, &method, &body);
        let url = format!("{}{path_and_query}", self.sandbox.coinqvest_base_url());
        self.send(
            method,
            &url,
            &[
                ("content-type", "application/json".into()),
                ("x-digest-key", headers.key),
                ("x-digest-timestamp", headers.timestamp),
                ("x-digest-signature", headers.signature),
            ],
            body,
        )
        .await
        .unwrap()
    }

    pub async fn cq(
        &self,
        method: Method,
        path_and_query: &str,
        body: Option<&str>,
    ) -> (u16, Value) {
        let answer = self.cq_at(method, path_and_query, body, None).await;
        (answer.status, answer.json())
    }

    pub async fn cq_ok(&self, method: Method, path_and_query: &str, body: Option<&str>) -> Value {
        let (status, json) = self.cq(method.clone(), path_and_query, body).await;
        assert_eq!(status, 200, "{method} {path_and_query}: {json}");
        json
    }

    pub async fn cq_basic(&self, method: Method, path: &str) -> Answer {
        let creds = self.sandbox.credentials();
        let basic = BasicAuth::new_replayable(&creds.coinqvest_key, creds.coinqvest_secret.clone());
        let url = format!("{}{path}", self.sandbox.coinqvest_base_url());
        self.send(
            method,
            &url,
            &[("x-basic", basic.header_value())],
            Vec::new(),
        )
        .await
        .unwrap()
    }

    pub async fn admin(&self, method: Method, path: &str, body: Option<Value>) -> (u16, Value) {
        let url = format!("{}{path}", self.sandbox.admin_url());
        let body = body.map(|b| b.to_string().into_bytes()).unwrap_or_default();
        let answer = self.send(method, &url, &[], body).await.unwrap();
        (answer.status, answer.json())
    }

    pub async fn admin_ok(&self, method: Method, path: &str, body: Option<Value>) -> Value {
        let (status, json) = self.admin(method.clone(), path, body).await;
        assert_eq!(status, 200, "{method} /admin{path}: {json}");
        assert_eq!(json["ok"], true);
        json
    }

    pub async fn fault(&self, spec: Value) {
        self.admin_ok(Method::POST, "/faults", Some(spec)).await;
    }

    pub async fn route_stats(&self, path: &str) -> (u64, u64, u64) {
        let json = self.admin_ok(Method::GET, "/requests", None).await;
        let r = &json["routes"][path];
        (
            r["received"].as_u64().unwrap_or(0),
            r["committed"].as_u64().unwrap_or(0),
            r["faulted"].as_u64().unwrap_or(0),
        )
    }

    pub async fn deliveries(&self, kind: &str) -> Vec<Value> {
        let json = self
            .admin_ok(Method::GET, &format!("/deliveries?kind={kind}"), None)
            .await;
        json["deliveries"].as_array().unwrap().clone()
    }

    /// Polls the delivery log until `pred` holds (generous timeout, no fixed sleeps).
    pub async fn wait_deliveries(&self, kind: &str, pred: impl Fn(&[Value]) -> bool) -> Vec<Value> {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
        loop {
            let list = self.deliveries(kind).await;
            if pred(&list) {
                return list;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "condition on {kind} deliveries never held: {list:?}"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

/// The keys of a JSON object, sorted.
fn keys(v: &Value) -> Vec<String> {
    let mut k: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
    k.sort();
    k
}

/// Asserts that the JSON object has exactly the keys `expected` (in any order).
pub fn assert_keys(v: &Value, expected: &[&str]) {
    let mut want: Vec<String> = expected.iter().map(|s| (*s).to_owned()).collect();
    want.sort();
    assert_eq!(keys(v), want, "{v}");
}

/// Decimal of a JSON number or string (test helper).
pub fn dec(v: &Value) -> Decimal {
    let text = match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    Decimal::from_str(&text).unwrap_or_else(|_| panic!("not a decimal: {v}"))
}

pub fn now_unix() -> i64 {
    SystemClock.now().unix_timestamp()
}

/// What a scripted receiver got.
#[derive(Debug, Clone)]
pub struct Received {
    pub headers: HeaderMap,
    pub body: Bytes,
}

/// A callback receiver answering from a script (then repeating the last answer).
pub struct Receiver {
    pub addr: SocketAddr,
    pub received: Arc<Mutex<Vec<Received>>>,
}

impl Receiver {
    pub async fn start(script: Vec<(u16, &'static str)>) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let received = Arc::new(Mutex::new(Vec::new()));
        let script = Arc::new(Mutex::new(VecDeque::from(script)));
        let rec = Arc::clone(&received);
        tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    return;
                };
                let rec = Arc::clone(&rec);
                let script = Arc::clone(&script);
                tokio::spawn(async move {
                    let service = service_fn(move |req: Request<Incoming>| {
                        let rec = Arc::clone(&rec);
                        let script = Arc::clone(&script);
                        async move {
                            let (parts, body) = req.into_parts();
                            let body = body
                                .collect()
                                .await
                                .map(|b| b.to_bytes())
                                .unwrap_or_default();
                            rec.lock().unwrap().push(Received {
                                headers: parts.headers,
                                body,
                            });
                            let (status, text) = {
                                let mut s = script.lock().unwrap();
                                if s.len() > 1 {
                                    s.pop_front().unwrap()
                                } else {
                                    *s.front().unwrap_or(&(200, "OK"))
                                }
                            };
                            let mut resp =
                                Response::new(Full::new(Bytes::from_static(text.as_bytes())));
                            *resp.status_mut() = StatusCode::from_u16(status).unwrap();
                            Ok::<_, std::convert::Infallible>(resp)
                        }
                    });
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        Self { addr, received }
    }

    pub fn url(&self) -> String {
        format!("http://{}/callback", self.addr)
    }

    pub fn bodies(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }
}
