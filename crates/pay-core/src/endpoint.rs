//! A call is a value: a typed endpoint becomes an `http::Request<Bytes>`, and an
//! `http::Response<Bytes>` becomes its typed output or a typed [`Error`]. No IO happens here.
//!
//! Requests carry a URI made of the path and query *relative to the provider's base URL*
//! (`/withdraw/create`, `/checkout?id=82098fd51fcc`). Per-attempt authentication ([`Authenticate`]) sees
//! that relative target, which is what COINQVEST signs; [`BaseUrl::resolve`] then makes it absolute.

use std::fmt;
use std::net::IpAddr;
use std::time::Duration;

use bytes::Bytes;
use http::uri::{Authority, PathAndQuery, Scheme};
use http::{Method, Uri};
use time::OffsetDateTime;

use crate::error::{Error, Provider};
use crate::retry::RetryClass;
use crate::text::Untrusted;

/// Static facts about an endpoint, used for tracing, rate limits (keyed by [`name`](Self::name)),
/// polling floors and retry decisions. Each provider crate writes them once, in the endpoint's
/// definition; the transport reads them and names no provider operation itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EndpointInfo {
    /// The provider serving it.
    pub provider: Provider,
    /// A stable dotted name (`qostiq.withdraw.create`), used as a metric and rate-limit key.
    pub name: &'static str,
    /// The HTTP method.
    pub method: Method,
    /// The path relative to the base URL, without query (`/withdraw/create`).
    pub path: &'static str,
    /// How the request may be repeated.
    pub retry_class: RetryClass,
    /// For a status read of one payment: the provider's minimum spacing between two reads of the
    /// **same** payment (Qostiq bill status 10 s, withdraw status 60 s). `None` for an endpoint
    /// that is not a status read, or whose provider publishes no floor (the transport then uses
    /// its own default when the endpoint is polled).
    pub poll_floor: Option<Duration>,
}

/// One endpoint of a provider API.
///
/// `Context` is what the provider needs to build a request besides the typed input: for Qostiq, the
/// shop credentials and the instant to put in `now`; for COINQVEST nothing (its authentication is a
/// header added per attempt by an [`Authenticate`]).
pub trait Endpoint {
    /// What a successful response becomes.
    type Output;
    /// Provider inputs needed to build the request.
    type Context: ?Sized;
    /// Facts about the endpoint.
    const INFO: EndpointInfo;

    /// Builds the request (body serialized once), relative to the base URL.
    fn build_request(&self, context: &Self::Context) -> Result<http::Request<Bytes>, Error>;

    /// Reads a response, on any HTTP status, into the output or a typed error.
    fn parse_response(&self, response: &http::Response<Bytes>) -> Result<Self::Output, Error>;
}

/// Authentication applied to every attempt (a fresh timestamp each time), after the body is final.
pub trait Authenticate: fmt::Debug + Send + Sync {
    /// Adds whatever the provider needs (headers) to `request`, signing exactly its body bytes.
    fn authenticate(
        &self,
        request: &mut http::Request<Bytes>,
        now: OffsetDateTime,
    ) -> Result<(), Error>;
}

/// For providers whose requests are fully signed when built (Qostiq signs inside the body).
#[derive(Debug, Clone, Copy, Default)]
pub struct SignedInBody;

impl Authenticate for SignedInBody {
    fn authenticate(&self, _: &mut http::Request<Bytes>, _: OffsetDateTime) -> Result<(), Error> {
        Ok(())
    }
}

/// The answer of a lookup by the merchant's own id: "not found" is a value, because recovering a
/// create whose answer was lost depends on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lookup<T> {
    /// The provider has it.
    Found(T),
    /// The provider answered that it does not exist.
    NotFound,
}

impl<T> Lookup<T> {
    /// The found value, if any.
    pub fn found(self) -> Option<T> {
        match self {
            Self::Found(t) => Some(t),
            Self::NotFound => None,
        }
    }

    /// Maps the found value.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Lookup<U> {
        match self {
            Self::Found(t) => Lookup::Found(f(t)),
            Self::NotFound => Lookup::NotFound,
        }
    }
}

/// A provider base URL: `http` or `https`, no user name or password, no query or fragment, kept
/// without a trailing slash.
///
/// **TLS by default.** Every client checks its base URL with [`BaseUrl::require_tls`] when it is
/// built: `https://`, or plain `http://` only to a loopback host (`localhost`, `127.0.0.0/8`,
/// `[::1]`), or to any host through the one explicit opt-in
/// [`BaseUrl::allow_plain_http_for_sandbox`].
///
/// ```
/// use pay_core::endpoint::BaseUrl;
///
/// let base: BaseUrl = "https://www.coinqvest.com/api/v1/".parse().unwrap();
/// let uri = base.resolve(&"/checkout?id=82098fd51fcc".parse().unwrap()).unwrap();
/// assert_eq!(uri, "https://www.coinqvest.com/api/v1/checkout?id=82098fd51fcc");
/// assert!("ftp://example.com".parse::<BaseUrl>().is_err());
///
/// assert!(base.require_tls().is_ok());
/// let local: BaseUrl = "http://127.0.0.1:8080/qostiq".parse().unwrap();
/// assert!(local.require_tls().is_ok());
/// let remote: BaseUrl = "http://sandbox.internal:8080/qostiq".parse().unwrap();
/// assert!(remote.require_tls().is_err());
/// assert!(remote.allow_plain_http_for_sandbox().require_tls().is_ok());
/// ```
#[derive(Clone)]
pub struct BaseUrl {
    text: String,
    /// The parts of `text`, parsed once: joining a request target then copies only the path.
    scheme: Scheme,
    authority: Authority,
    /// The path of `text` (empty, or starting with `/` and not ending with one).
    path: String,
    /// Set only by [`BaseUrl::allow_plain_http_for_sandbox`].
    plain_http_for_sandbox: bool,
}

impl PartialEq for BaseUrl {
    fn eq(&self, other: &Self) -> bool {
        // The parts are a function of the text.
        self.text == other.text && self.plain_http_for_sandbox == other.plain_http_for_sandbox
    }
}

impl Eq for BaseUrl {}

/// The longest URI `http` accepts (`Uri` refuses longer ones when parsed from text).
const MAX_URI_LEN: usize = (u16::MAX - 1) as usize;

impl BaseUrl {
    /// The base URL text, without trailing slash.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Allows plain `http://` to this URL even when its host is not a loopback address: for a
    /// sandbox in another container or on another machine (`http://sandbox:8080/qostiq`). Requests,
    /// signatures and account numbers then cross the network unencrypted: never use it for a real
    /// provider.
    pub fn allow_plain_http_for_sandbox(mut self) -> Self {
        self.plain_http_for_sandbox = true;
        self
    }

    /// Whether the scheme is `https`.
    pub fn is_https(&self) -> bool {
        self.scheme == Scheme::HTTPS
    }

    /// Whether the host is a loopback address: `localhost` (any case, nothing appended),
    /// `127.0.0.0/8`, `[::1]`, or an IPv4-mapped loopback (`[::ffff:127.0.0.1]`). Names that merely
    /// start like one (`127.0.0.1.evil.test`, `localhost.evil.test`) are not.
    pub fn is_loopback(&self) -> bool {
        let host = self.authority.host();
        if host.eq_ignore_ascii_case("localhost") {
            return true;
        }
        let bare = host
            .strip_prefix('[')
            .and_then(|h| h.strip_suffix(']'))
            .unwrap_or(host);
        match bare.parse::<IpAddr>() {
            Ok(IpAddr::V4(v4)) => v4.is_loopback(),
            Ok(IpAddr::V6(v6)) => {
                v6.is_loopback() || v6.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback())
            }
            Err(_) => false,
        }
    }

    /// The TLS rule, checked by every executor (and so every client) when it is built: `https`,
    /// or plain `http` to a loopback host, or plain `http` after
    /// [`allow_plain_http_for_sandbox`](Self::allow_plain_http_for_sandbox). Otherwise
    /// [`Error::InvalidInput`] naming `base_url`.
    pub fn require_tls(&self) -> Result<(), Error> {
        if self.is_https() || self.is_loopback() || self.plain_http_for_sandbox {
            return Ok(());
        }
        Err(Error::invalid_input(
            "base_url",
            format!(
                "plain http:// is refused for {} (not a loopback address): use https://, a \
                 loopback address (localhost, 127.0.0.1, [::1]), or, for a sandbox only, the \
                 explicit opt-in BaseUrl::allow_plain_http_for_sandbox",
                Untrusted::new(self.authority.host())
            ),
        ))
    }

    /// Makes a relative request target absolute.
    pub fn resolve(&self, relative: &Uri) -> Result<Uri, Error> {
        let target = relative
            .path_and_query()
            .map(|pq| pq.as_str())
            .unwrap_or("/");
        if !target.starts_with('/') || relative.scheme().is_some() {
            return Err(Error::invalid_input(
                "uri",
                "request target must be a relative path",
            ));
        }
        let invalid = || Error::invalid_input("uri", "not a valid URI once joined to the base URL");
        // Same limit as parsing the joined text would apply.
        if self.text.len() + target.len() > MAX_URI_LEN {
            return Err(invalid());
        }
        let mut path = String::with_capacity(self.path.len() + target.len());
        path.push_str(&self.path);
        path.push_str(target);
        let mut parts = http::uri::Parts::default();
        parts.scheme = Some(self.scheme.clone());
        parts.authority = Some(self.authority.clone());
        parts.path_and_query =
            Some(PathAndQuery::from_maybe_shared(Bytes::from(path)).map_err(|_| invalid())?);
        Uri::from_parts(parts).map_err(|_| invalid())
    }
}

impl std::str::FromStr for BaseUrl {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let uri: Uri = s
            .parse()
            .map_err(|_| Error::invalid_input("base_url", "not a valid URL"))?;
        match uri.scheme_str() {
            Some("http" | "https") => {}
            _ => {
                return Err(Error::invalid_input(
                    "base_url",
                    "scheme must be http or https",
                ));
            }
        }
        let Some(authority) = uri.authority() else {
            return Err(Error::invalid_input("base_url", "a host is required"));
        };
        // Never echo the URL here: it may hold a password.
        if authority.as_str().contains('@') {
            return Err(Error::invalid_input(
                "base_url",
                "no user name or password allowed (it would be printed wherever the URL is; \
                 credentials go to the client builder)",
            ));
        }
        if uri.query().is_some() || s.contains('#') {
            return Err(Error::invalid_input(
                "base_url",
                "no query or fragment allowed",
            ));
        }
        let text = s.trim_end_matches('/').to_owned();
        // Parsed again without the trailing slashes: the parts must be those of `text`.
        let trimmed: Uri = text
            .parse()
            .map_err(|_| Error::invalid_input("base_url", "not a valid URL"))?;
        let mut parts = trimmed.into_parts();
        let (Some(scheme), Some(authority)) = (parts.scheme.take(), parts.authority.take()) else {
            return Err(Error::invalid_input("base_url", "a host is required"));
        };
        let path = parts
            .path_and_query
            .as_ref()
            .map(|pq| pq.path().trim_end_matches('/').to_owned())
            .unwrap_or_default();
        Ok(Self {
            text,
            scheme,
            authority,
            path,
            plain_http_for_sandbox: false,
        })
    }
}

impl fmt::Debug for BaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut tuple = f.debug_tuple("BaseUrl");
        tuple.field(&self.text);
        if self.plain_http_for_sandbox {
            tuple.field(&format_args!("plain_http_for_sandbox"));
        }
        tuple.finish()
    }
}

impl fmt::Display for BaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_url_rules() {
        let base: BaseUrl = "http://127.0.0.1:8080/qostiq".parse().unwrap();
        assert_eq!(
            base.resolve(&"/withdraw/create".parse().unwrap()).unwrap(),
            "http://127.0.0.1:8080/qostiq/withdraw/create"
        );
        assert!("https://x.test/?a=1".parse::<BaseUrl>().is_err());
        assert!("/relative".parse::<BaseUrl>().is_err());
        assert!(
            base.resolve(&"http://evil.test/x".parse().unwrap())
                .is_err()
        );
    }

    /// Joining from the cached parts gives exactly what formatting and re-parsing gave.
    #[test]
    fn resolve_matches_format_and_parse() {
        let bases = [
            "http://127.0.0.1:8080",
            "http://127.0.0.1:8080/",
            "https://www.coinqvest.com/api/v1/",
            "https://x.test:443/a%20b//",
            "http://[::1]:9/p",
        ];
        let targets = [
            "/",
            "/withdraw/create",
            "/checkout?id=82098fd51fcc",
            "/a/b?x=1&y=%20z",
            "//double",
            "/q?",
        ];
        for base in bases {
            let parsed: BaseUrl = base.parse().unwrap();
            for target in targets {
                let relative: Uri = target.parse().unwrap();
                let expected: Uri = format!("{}{target}", parsed.as_str()).parse().unwrap();
                let got = parsed.resolve(&relative).unwrap();
                assert_eq!(got, expected, "{base} + {target}");
                assert_eq!(got.to_string(), expected.to_string(), "{base} + {target}");
            }
        }
        let base: BaseUrl = "http://x.test/api".parse().unwrap();
        let long: Uri = format!("/{}", "a".repeat(MAX_URI_LEN - 8)).parse().unwrap();
        assert!(format!("{base}{long}").parse::<Uri>().is_err());
        assert!(base.resolve(&long).is_err());
    }

    /// Attack: a production client must not talk plain HTTP to anything but this machine, and
    /// hosts that only look like loopback must not pass.
    #[test]
    fn plain_http_is_refused_except_for_loopback_or_the_opt_in() {
        let allowed = [
            "https://www.coinqvest.com/api/v1",
            "https://core.qostiq.com",
            "http://127.0.0.1:8080/qostiq",
            "http://127.1.2.3",
            "http://localhost:9000",
            "http://LOCALHOST",
            "http://[::1]:8080",
            "http://[::ffff:127.0.0.1]:8080",
            "HTTP://127.0.0.1",
        ];
        for url in allowed {
            let base: BaseUrl = url.parse().unwrap();
            assert!(base.require_tls().is_ok(), "{url}");
        }
        let refused = [
            "http://core.qostiq.com",
            "http://sandbox:8080/qostiq",
            "http://127.0.0.1.evil.com",
            "http://localhost.evil.com",
            "http://evil.com/127.0.0.1",
            "http://localhost.",
            "http://0.0.0.0:8080",
            "http://10.0.0.1",
            "http://[::ffff:10.0.0.1]",
            "http://[::127.0.0.1]",
            "http://2130706433",
            "http://0x7f000001",
        ];
        for url in refused {
            let base: BaseUrl = url.parse().unwrap();
            let err = base.require_tls().unwrap_err();
            assert!(
                matches!(err, Error::InvalidInput { ref field, .. } if field == "base_url"),
                "{url}: {err:?}"
            );
            let message = err.to_string();
            assert!(message.contains("plain http:// is refused"), "{message}");
            assert!(
                message.contains("allow_plain_http_for_sandbox"),
                "{message}"
            );
            let opted_in = base.allow_plain_http_for_sandbox();
            assert!(opted_in.require_tls().is_ok(), "{url}");
            assert!(format!("{opted_in:?}").contains("plain_http_for_sandbox"));
        }
    }

    /// Userinfo tricks (`http://127.0.0.1@evil.com` goes to evil.com) and passwords are refused
    /// outright, without echoing the URL.
    #[test]
    fn user_names_and_passwords_are_refused() {
        for url in [
            "http://127.0.0.1@evil.com",
            "http://localhost:80@evil.com/",
            "https://user:hunter2@www.coinqvest.com/api/v1",
            "https://user@x.test:443/a%20b//",
        ] {
            let err = url.parse::<BaseUrl>().unwrap_err();
            assert!(
                matches!(err, Error::InvalidInput { ref field, .. } if field == "base_url"),
                "{url}"
            );
            assert!(!format!("{err} {err:?}").contains("hunter2"));
        }
    }

    #[test]
    fn lookup_helpers() {
        assert_eq!(Lookup::Found(2).map(|x| x * 2).found(), Some(4));
        assert_eq!(Lookup::<u8>::NotFound.found(), None);
    }
}
