//! A Rust client of the sandbox's admin API (`/admin/…`), for integration tests and scripts: act as
//! the payer, inject faults, read the books.
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use pay_sandbox::Sandbox;
//! use serde_json::json;
//!
//! let sandbox = Sandbox::builder().start().await?;
//! let admin = sandbox.admin();
//! admin.post("/faults", &json!({"route": "/qostiq/withdraw/create", "fault": "commit_then_drop", "count": 1})).await?;
//! let books = admin.get("/qostiq/state").await?;
//! # let _ = books; Ok(()) }
//! ```

use std::time::Duration;

use bytes::Bytes;
use http::{Method, Request, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use serde_json::Value;

/// How long one admin call may take.
const TIMEOUT: Duration = Duration::from_secs(30);

/// Why an admin call failed.
#[derive(Debug, thiserror::Error)]
#[error("admin {method} {path}: {reason}")]
pub struct AdminError {
    /// The method called.
    pub method: Method,
    /// The admin path called (`/faults`).
    pub path: String,
    /// What went wrong (transport, status with body, or JSON).
    pub reason: String,
    /// The HTTP status, when an answer arrived.
    pub status: Option<StatusCode>,
}

/// A JSON client of one sandbox's admin API. Cheap to clone.
#[derive(Debug, Clone)]
pub struct AdminClient {
    url: String,
    http: Client<HttpConnector, Full<Bytes>>,
}

impl AdminClient {
    /// A client for the admin API at `admin_url` (`http://127.0.0.1:PORT/admin`).
    pub fn new(admin_url: impl Into<String>) -> Self {
        Self {
            url: admin_url.into(),
            http: Client::builder(TokioExecutor::new()).build_http(),
        }
    }

    /// Sends `method path` with an optional JSON body; answers the JSON reply of a 2xx answer.
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
    ) -> Result<Value, AdminError> {
        let fail = |reason: String, status: Option<StatusCode>| AdminError {
            method: method.clone(),
            path: path.to_owned(),
            reason,
            status,
        };
        let bytes = body.map(|b| Bytes::from(b.to_string())).unwrap_or_default();
        let request = Request::builder()
            .method(method.clone())
            .uri(format!("{}{path}", self.url))
            .header(http::header::CONTENT_TYPE, "application/json")
            .body(Full::new(bytes))
            .map_err(|e| fail(e.to_string(), None))?;
        let response = tokio::time::timeout(TIMEOUT, self.http.request(request))
            .await
            .map_err(|_| fail("timed out".to_owned(), None))?
            .map_err(|e| fail(e.to_string(), None))?;
        let status = response.status();
        let body = response
            .into_body()
            .collect()
            .await
            .map_err(|e| fail(e.to_string(), Some(status)))?
            .to_bytes();
        let value: Value = serde_json::from_slice(&body)
            .map_err(|e| fail(format!("not JSON: {e}"), Some(status)))?;
        if !status.is_success() {
            return Err(fail(format!("HTTP {status}: {value}"), Some(status)));
        }
        Ok(value)
    }

    /// `GET path`.
    pub async fn get(&self, path: &str) -> Result<Value, AdminError> {
        self.call(Method::GET, path, None).await
    }

    /// `POST path` with a JSON body.
    pub async fn post(&self, path: &str, body: &Value) -> Result<Value, AdminError> {
        self.call(Method::POST, path, Some(body)).await
    }
}
