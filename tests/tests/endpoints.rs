//! Every entry of both providers' `ENDPOINTS` lists is served by the sandbox (a request reaches the
//! endpoint's handler, which accepts it or refuses it in the provider's own error format, never as
//! an unknown route) and documented in the provider's guide (`docs/qostiq.md`,
//! `docs/coinqvest.md`: one table row naming the method, the path and the name).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use bytes::Bytes;
use http::{Method, Request, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use pay_core::clock::{Clock, SystemClock};
use pay_core::endpoint::{Authenticate, BaseUrl, EndpointInfo};
use pay_sandbox::Sandbox;
use serde_json::Value;

type HttpClient = Client<HttpConnector, Full<Bytes>>;

async fn send(client: &HttpClient, request: Request<Bytes>) -> (StatusCode, Value) {
    let (parts, body) = request.into_parts();
    let response = client
        .request(Request::from_parts(parts, Full::new(body)))
        .await
        .unwrap();
    let status = response.status();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    let json = serde_json::from_slice(&bytes).unwrap_or_else(|e| {
        panic!(
            "{status}: not JSON ({e}): {}",
            String::from_utf8_lossy(&bytes)
        )
    });
    (status, json)
}

/// The row of `doc` that documents `info`: it names the method, the path and the name, each in
/// backquotes.
fn documented(doc: &str, info: &EndpointInfo) -> bool {
    let method = format!("`{}`", info.method);
    let path = format!("`{}`", info.path);
    let name = format!("`{}`", info.name);
    doc.lines()
        .any(|line| line.contains(&method) && line.contains(&path) && line.contains(&name))
}

fn doc(name: &str) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../docs")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn every_endpoint_is_documented() {
    for (file, list) in [
        ("qostiq.md", &pay_qostiq::ENDPOINTS[..]),
        ("coinqvest.md", &pay_coinqvest::ENDPOINTS[..]),
    ] {
        let text = doc(file);
        let missing: Vec<&str> = list
            .iter()
            .filter(|info| !documented(&text, info))
            .map(|info| info.name)
            .collect();
        assert!(missing.is_empty(), "docs/{file} has no row for {missing:?}");
    }
}

/// Qostiq: an unsigned `{}` reaches every emulated endpoint's verification, which refuses it with
/// Qostiq's envelope (`result: false`, `error_code` 10: a signed key is missing); an unknown path
/// answers 404 instead.
#[tokio::test]
async fn every_qostiq_endpoint_is_served() {
    let sandbox = Sandbox::builder().seed(3).start().await.unwrap();
    let client: HttpClient = Client::builder(TokioExecutor::new()).build_http();
    let base: BaseUrl = sandbox.qostiq_base_url().parse().unwrap();
    let post = |path: &str| {
        Request::builder()
            .method(Method::POST)
            .uri(base.resolve(&path.parse().unwrap()).unwrap())
            .header("content-type", "application/json")
            .body(Bytes::from_static(b"{}"))
            .unwrap()
    };
    let (status, _) = send(&client, post("/no/such/endpoint")).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "the unknown-route answer");
    for info in &pay_qostiq::ENDPOINTS {
        let (status, body) = send(&client, post(info.path)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{}: {body}", info.name);
        assert_eq!(body["result"], false, "{}: {body}", info.name);
        assert_eq!(body["error_code"], 10, "{}: {body}", info.name);
        let message = body["message"].as_str().unwrap();
        assert!(
            message.contains("Missing data for required field"),
            "{}: {message}",
            info.name
        );
    }
    sandbox.shutdown().await;
}

/// COINQVEST: a digest-signed request with no parameters reaches every emulated endpoint's handler
/// (which answers, or refuses a missing parameter with COINQVEST's `{"errors": [...]}`); an
/// unknown path answers "Endpoint not found." and a wrong method 405 instead.
#[tokio::test]
async fn every_coinqvest_endpoint_is_served() {
    let sandbox = Sandbox::builder().seed(3).start().await.unwrap();
    let creds = sandbox.credentials();
    let signer = pay_coinqvest::DigestSigner::new(
        creds.coinqvest_key.clone(),
        creds.coinqvest_secret.clone(),
    );
    let client: HttpClient = Client::builder(TokioExecutor::new()).build_http();
    let base: BaseUrl = sandbox.coinqvest_base_url().parse().unwrap();
    let signed = |method: Method, path: &str| {
        let mut request = Request::builder()
            .method(method)
            .uri(path)
            .body(Bytes::new())
            .unwrap();
        signer
            .authenticate(&mut request, SystemClock.now())
            .unwrap();
        let uri = base.resolve(request.uri()).unwrap();
        *request.uri_mut() = uri;
        request
    };
    let (status, body) = send(&client, signed(Method::GET, "/no-such-endpoint")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let unknown = body["errors"][0].as_str().unwrap().to_owned();
    for info in &pay_coinqvest::ENDPOINTS {
        let (status, body) = send(&client, signed(info.method.clone(), info.path)).await;
        assert_ne!(
            status,
            StatusCode::METHOD_NOT_ALLOWED,
            "{}: {body}",
            info.name
        );
        assert!(
            !matches!(status, StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN),
            "{}: the signed request was not accepted: {body}",
            info.name
        );
        if status == StatusCode::OK {
            assert!(body.is_object(), "{}: {body}", info.name);
        } else {
            let errors = body["errors"].as_array().unwrap_or_else(|| {
                panic!(
                    "{}: {status} without COINQVEST's errors list: {body}",
                    info.name
                )
            });
            assert!(
                errors.iter().all(|e| e.as_str() != Some(unknown.as_str())),
                "{}: answered as an unknown route: {body}",
                info.name
            );
        }
    }
    sandbox.shutdown().await;
}
