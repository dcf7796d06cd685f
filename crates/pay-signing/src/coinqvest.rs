//! COINQVEST signatures: digest authentication of requests, basic authentication (a static, replayable
//! credential, so only as an explicit opt-in) and webhook verification.

use bytes::Bytes;
use hmac::digest::generic_array::GenericArray;
use hmac::{Hmac, Mac};
use http::header::{HeaderName, HeaderValue};
use http::{Method, Request};
use pay_core::endpoint::Authenticate;
use pay_core::error::{Error, SignatureError};
use pay_core::json::{JsonError, Limits, StrictObject};
use pay_core::secret::Secret;
use sha2::{Digest as _, Sha256};
use time::OffsetDateTime;
use zeroize::Zeroizing;

use crate::digest::{Keys, decode};

/// `X-Digest-Key`.
pub const X_DIGEST_KEY: HeaderName = HeaderName::from_static("x-digest-key");
/// `X-Digest-Timestamp`.
pub const X_DIGEST_TIMESTAMP: HeaderName = HeaderName::from_static("x-digest-timestamp");
/// `X-Digest-Signature`.
pub const X_DIGEST_SIGNATURE: HeaderName = HeaderName::from_static("x-digest-signature");
/// `X-Basic`.
pub const X_BASIC: HeaderName = HeaderName::from_static("x-basic");
/// `X-Webhook-Auth`.
pub const X_WEBHOOK_AUTH: HeaderName = HeaderName::from_static("x-webhook-auth");

/// The three digest-auth header values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DigestHeaders {
    /// `X-Digest-Key`: the API key.
    pub key: String,
    /// `X-Digest-Timestamp`: Unix seconds, the same text that was signed.
    pub timestamp: String,
    /// `X-Digest-Signature`: `hex(HMAC_SHA256(secret, path + timestamp + METHOD + body))`.
    pub signature: String,
}

/// Digest authentication: `X-Digest-Signature = hex(HMAC_SHA256(secret, PATH + TIMESTAMP + METHOD +
/// BODY))`, `PATH` relative to `/api/v1` without query, `BODY` exactly the bytes sent.
///
/// As an [`Authenticate`] it signs each attempt with the time it is given, so a retried request
/// carries a fresh timestamp (the server refuses ones older than 30 s).
///
/// ```
/// use http::Method;
/// use pay_core::secret::Secret;
/// use pay_signing::coinqvest::DigestSigner;
///
/// let signer = DigestSigner::new("a1b2c3d4e5f6", Secret::new("Abcd-Efgh-Ijkl-Mnop-Qrst-Uvwx").unwrap());
/// let headers = signer.sign("/auth-test", 1600000000, &Method::GET, b"");
/// assert_eq!(headers.signature, "fd7c0d99d89668be18afa1110b54ceaf1bed8d92c578fb4944b24adfe2b9cf2b");
/// ```
#[derive(Debug, Clone)]
pub struct DigestSigner {
    key: String,
    secret: Secret,
}

impl DigestSigner {
    /// A signer for API key `key` and its secret.
    pub fn new(key: impl Into<String>, secret: Secret) -> Self {
        Self {
            key: key.into(),
            secret,
        }
    }

    /// The API key (public).
    pub fn key(&self) -> &str {
        &self.key
    }

    /// Computes the digest headers for one attempt.
    pub fn sign(&self, path: &str, timestamp: i64, method: &Method, body: &[u8]) -> DigestHeaders {
        let timestamp = timestamp.to_string();
        let signature = self.signature_hex(path, &timestamp, method, body);
        DigestHeaders {
            key: self.key.clone(),
            timestamp,
            signature: hex_text(&signature).to_owned(),
        }
    }

    /// `hex(HMAC_SHA256(secret, path + timestamp + method + body))` as ASCII bytes.
    fn signature_hex(&self, path: &str, timestamp: &str, method: &Method, body: &[u8]) -> [u8; 64] {
        let mut mac = hmac_sha256(&self.secret);
        mac.update(path.as_bytes());
        mac.update(timestamp.as_bytes());
        mac.update(method.as_str().as_bytes());
        mac.update(body);
        let mut out = [0u8; 64];
        // 32 bytes always fit 64 hex digits: the error branch is unreachable.
        let _ = hex::encode_to_slice(mac.finalize().into_bytes(), &mut out);
        out
    }

    /// The exact bytes the signature covers (the secret is the HMAC key and never part of them).
    pub fn string_to_sign(path: &str, timestamp: i64, method: &Method, body: &[u8]) -> Vec<u8> {
        let timestamp = timestamp.to_string();
        let mut out = Vec::with_capacity(path.len() + timestamp.len() + 7 + body.len());
        out.extend_from_slice(path.as_bytes());
        out.extend_from_slice(timestamp.as_bytes());
        out.extend_from_slice(method.as_str().as_bytes());
        out.extend_from_slice(body);
        out
    }
}

/// HMAC-SHA256 keyed by `secret`. Keys up to the 64-byte block size are zero-padded and longer keys
/// hashed first (RFC 2104 §2), which is exactly what `Hmac::new_from_slice` does, without its
/// (never taken) error path.
fn hmac_sha256(secret: &Secret) -> Hmac<Sha256> {
    let hashed: Zeroizing<[u8; 32]>;
    let mut key = secret.expose_bytes();
    if key.len() > 64 {
        hashed = Zeroizing::new(Sha256::digest(key).into());
        key = hashed.as_slice();
    }
    let mut block = Zeroizing::new([0u8; 64]);
    for (slot, byte) in block.iter_mut().zip(key) {
        *slot = *byte;
    }
    <Hmac<Sha256> as Mac>::new(GenericArray::from_slice(block.as_slice()))
}

fn sensitive(value: &str, field: &'static str) -> Result<HeaderValue, Error> {
    let mut value = HeaderValue::from_str(value)
        .map_err(|_| Error::invalid_input(field, "not a valid header value"))?;
    value.set_sensitive(true);
    Ok(value)
}

impl Authenticate for DigestSigner {
    fn authenticate(&self, request: &mut Request<Bytes>, now: OffsetDateTime) -> Result<(), Error> {
        let key = sensitive(&self.key, "api_key")?;
        let mut timestamp = HeaderValue::from(now.unix_timestamp());
        timestamp.set_sensitive(true);
        let signature = self.signature_hex(
            request.uri().path(),
            timestamp.to_str().unwrap_or_default(),
            request.method(),
            request.body(),
        );
        let signature = sensitive(hex_text(&signature), "signature")?;
        let headers = request.headers_mut();
        headers.insert(X_DIGEST_KEY, key);
        headers.insert(X_DIGEST_TIMESTAMP, timestamp);
        headers.insert(X_DIGEST_SIGNATURE, signature);
        Ok(())
    }
}

/// The text of hex digits produced by `hex::encode_to_slice` (always ASCII).
fn hex_text(digits: &[u8]) -> &str {
    std::str::from_utf8(digits).unwrap_or_default()
}

/// Basic authentication: `X-Basic: hex(sha256(key ":" secret))`.
///
/// The header never changes, so anyone who sees one request can replay it forever. Prefer
/// [`DigestSigner`]; this exists only for setups that cannot keep time, behind a constructor whose
/// name says so.
#[derive(Debug, Clone)]
pub struct BasicAuth {
    key: String,
    secret: Secret,
}

impl BasicAuth {
    /// Opts in to the replayable basic scheme.
    pub fn new_replayable(key: impl Into<String>, secret: Secret) -> Self {
        Self {
            key: key.into(),
            secret,
        }
    }

    /// The `X-Basic` header value.
    pub fn header_value(&self) -> String {
        let mut hasher = Sha256::new();
        hasher.update(self.key.as_bytes());
        hasher.update(b":");
        hasher.update(self.secret.expose_bytes());
        hex::encode(hasher.finalize())
    }

    /// The hashed string with the secret masked: `key:***`.
    pub fn explain(&self) -> String {
        format!("{}:***", self.key)
    }
}

impl Authenticate for BasicAuth {
    fn authenticate(&self, request: &mut Request<Bytes>, _: OffsetDateTime) -> Result<(), Error> {
        request
            .headers_mut()
            .insert(X_BASIC, sensitive(&self.header_value(), "x_basic")?);
        Ok(())
    }
}

/// Verifies `X-Webhook-Auth = hex(sha256(secret + raw_body))` over the raw bytes, then parses the body
/// strictly. The construction is plain SHA-256 and so open to length extension: that is why the body
/// must then be exactly one JSON object with nothing after it, which [`StrictObject`] enforces.
///
/// ```
/// use pay_core::secret::Secret;
/// use pay_signing::coinqvest::{WebhookVerifier, sign_webhook};
///
/// let secret = Secret::new("Abcd-Efgh-Ijkl-Mnop-Qrst-Uvwx").unwrap();
/// let body = br#"{"eventType":"CHECKOUT_COMPLETED","data":{}}"#;
/// let auth = sign_webhook(&secret, body);
/// let verifier = WebhookVerifier::new(secret);
/// assert!(verifier.verify(Some(&auth), body).is_ok());
/// assert!(verifier.verify(None, body).is_err());
/// ```
#[derive(Debug, Clone)]
pub struct WebhookVerifier {
    keys: Keys,
}

impl WebhookVerifier {
    /// A verifier for one secret.
    pub fn new(secret: Secret) -> Self {
        Self {
            keys: Keys::one(secret),
        }
    }

    /// A verifier accepting any of `secrets`. Refuses an empty list.
    pub fn with_secrets(secrets: Vec<Secret>) -> Result<Self, SignatureError> {
        Keys::many(secrets).map(|keys| Self { keys })
    }

    /// Replaces the parsing limits (default [`Limits::EVENTS`]).
    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.keys.limits = limits;
        self
    }

    /// Verifies the header against the raw body, then parses the body strictly.
    pub fn verify<'a>(
        &self,
        x_webhook_auth: Option<&str>,
        body: &'a [u8],
    ) -> Result<StrictObject<'a>, SignatureError> {
        self.verify_indexed(x_webhook_auth, body)
            .map(|(object, _)| object)
    }

    /// Like [`verify`](Self::verify), also answering which configured secret matched (0 is the
    /// first; useful while rotating).
    pub fn verify_indexed<'a>(
        &self,
        x_webhook_auth: Option<&str>,
        body: &'a [u8],
    ) -> Result<(StrictObject<'a>, usize), SignatureError> {
        let received = decode(x_webhook_auth.unwrap_or("").trim())?;
        if body.len() > self.keys.limits.max_bytes {
            let limit = self.keys.limits.max_bytes;
            return Err(JsonError::TooLarge {
                size: body.len(),
                limit,
            }
            .into());
        }
        let matched = self
            .keys
            .secrets
            .matching(&received, |secret| webhook_digest(secret, body))
            .ok_or(SignatureError::Mismatch)?;
        Ok((StrictObject::parse(body, self.keys.limits)?, matched))
    }
}

fn webhook_digest(secret: &Secret, body: &[u8]) -> [u8; 32] {
    let mut hasher = Sha256::new();
    hasher.update(secret.expose_bytes());
    hasher.update(body);
    hasher.finalize().into()
}

/// Computes `X-Webhook-Auth` for a body (to build signed test events).
pub fn sign_webhook(secret: &Secret, body: &[u8]) -> String {
    hex::encode(webhook_digest(secret, body))
}

/// What the webhook signature covers, secret masked: `***` followed by the body.
pub fn explain_webhook(body: &[u8]) -> String {
    format!("***{}", String::from_utf8_lossy(body))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_keys_match_the_reference_hmac() {
        for len in [1usize, 32, 63, 64, 65, 200] {
            let secret = Secret::new("k".repeat(len)).unwrap();
            let mut ours = hmac_sha256(&secret);
            let mut reference =
                <Hmac<Sha256> as hmac::digest::KeyInit>::new_from_slice(secret.expose_bytes())
                    .unwrap();
            ours.update(b"msg");
            reference.update(b"msg");
            assert_eq!(
                ours.finalize().into_bytes(),
                reference.finalize().into_bytes(),
                "{len}"
            );
        }
    }

    #[test]
    fn authenticate_sets_sensitive_headers_and_resigns() {
        let signer = DigestSigner::new(
            "a1b2c3d4e5f6",
            Secret::new("Abcd-Efgh-Ijkl-Mnop-Qrst-Uvwx").unwrap(),
        );
        let mut request = Request::get("/auth-test").body(Bytes::new()).unwrap();
        let t0 = OffsetDateTime::from_unix_timestamp(1_600_000_000).unwrap();
        signer.authenticate(&mut request, t0).unwrap();
        let h = request.headers();
        assert_eq!(h[&X_DIGEST_TIMESTAMP], "1600000000");
        assert_eq!(
            h[&X_DIGEST_SIGNATURE],
            "fd7c0d99d89668be18afa1110b54ceaf1bed8d92c578fb4944b24adfe2b9cf2b"
        );
        assert!(h[&X_DIGEST_SIGNATURE].is_sensitive());
        signer
            .authenticate(&mut request, t0 + time::Duration::seconds(5))
            .unwrap();
        assert_eq!(request.headers()[&X_DIGEST_TIMESTAMP], "1600000005");
        assert_eq!(
            request
                .headers()
                .get_all(&X_DIGEST_SIGNATURE)
                .iter()
                .count(),
            1
        );
    }

    #[test]
    fn basic_auth_is_sha256_of_key_colon_secret() {
        let auth = BasicAuth::new_replayable("key", Secret::new("secret").unwrap());
        assert_eq!(
            auth.header_value(),
            hex::encode(Sha256::digest(b"key:secret"))
        );
        assert_eq!(auth.explain(), "key:***");
    }

    #[test]
    fn webhook_rejections() {
        let secret = Secret::new("s3cret-Value").unwrap();
        let verifier = WebhookVerifier::new(secret.clone());
        let body = br#"{"a":1}"#;
        let good = sign_webhook(&secret, body);
        assert_eq!(
            verifier.verify(Some(""), body).unwrap_err(),
            SignatureError::Missing
        );
        assert!(matches!(
            verifier.verify(Some(&good[..32]), body),
            Err(SignatureError::Malformed { .. })
        ));
        let glued = [body.as_slice(), b"{\"a\":2}"].concat();
        let glued_auth = sign_webhook(&secret, &glued);
        assert!(matches!(
            verifier.verify(Some(&glued_auth), &glued),
            Err(SignatureError::Body(_))
        ));
        assert_eq!(
            verifier.verify(Some(&good), b"{\"a\":2}").unwrap_err(),
            SignatureError::Mismatch
        );
    }
}
