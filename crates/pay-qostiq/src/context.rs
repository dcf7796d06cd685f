//! What every signed request needs besides its own fields: the shop id, the shop's secret key and a
//! clock for `now`.

use std::fmt;
use std::sync::Arc;

use pay_core::clock::{Clock, SystemClock};
use pay_core::error::Error;
use pay_core::secret::Secret;
use time::OffsetDateTime;

/// The API host, `https://core.qostiq.com`. Requests are built relative to it (see
/// [`pay_core::endpoint::BaseUrl`]); sandboxes and white-label hosts use another base.
pub const DEFAULT_BASE_URL: &str = "https://core.qostiq.com";

/// The PAY page host, `https://pay.qostiq.com` (the form action is `<base>/<lang>/pay`).
pub const DEFAULT_PAY_BASE_URL: &str = "https://pay.qostiq.com";

/// A shop identifier in the Qostiq system (`shop_id`), a positive integer.
///
/// ```
/// use pay_qostiq::ShopId;
///
/// let shop = ShopId::new(112).unwrap();
/// assert_eq!(shop.get(), 112);
/// assert_eq!(shop.to_string(), "112");
/// assert!(ShopId::new(0).is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ShopId(u64);

impl ShopId {
    /// Wraps a shop id, refusing `0`.
    pub fn new(id: u64) -> Result<Self, Error> {
        if id == 0 {
            return Err(Error::invalid_input(
                "shop_id",
                "must be a positive integer",
            ));
        }
        Ok(Self(id))
    }

    /// A shop id read from a response, as given (may be any integer the server sent).
    pub(crate) fn from_response(id: u64) -> Self {
        Self(id)
    }

    /// The numeric id.
    pub fn get(self) -> u64 {
        self.0
    }
}

/// Read as the server sent it (a number or a string of digits; any integer).
impl<'de> serde::Deserialize<'de> for ShopId {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        pay_core::json::decode::uint(deserializer).map(Self::from_response)
    }
}

impl fmt::Display for ShopId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// The context every Qostiq request is built with: the shop id, the shop's secret key and the clock
/// that supplies `now`. Build it once and reuse it; `Debug` never prints the secret.
///
/// ```
/// use pay_core::clock::FixedClock;
/// use pay_core::secret::Secret;
/// use pay_qostiq::{QostiqContext, ShopId};
/// use time::macros::datetime;
///
/// let context = QostiqContext::new(
///     ShopId::new(112).unwrap(),
///     Secret::new("SecretKey01").unwrap(),
///     FixedClock(datetime!(2021-05-01 16:56:25.009469 UTC)),
/// );
/// assert_eq!(context.shop_id().get(), 112);
/// assert_eq!(context.now(), datetime!(2021-05-01 16:56:25.009469 UTC));
/// assert!(!format!("{context:?}").contains("SecretKey01"));
/// ```
#[derive(Debug, Clone)]
pub struct QostiqContext {
    shop_id: ShopId,
    secret: Secret,
    clock: Arc<dyn Clock>,
}

impl QostiqContext {
    /// A context reading `now` from `clock`.
    pub fn new(shop_id: ShopId, secret: Secret, clock: impl Clock + 'static) -> Self {
        Self {
            shop_id,
            secret,
            clock: Arc::new(clock),
        }
    }

    /// A context reading `now` from a shared clock.
    pub fn with_shared_clock(shop_id: ShopId, secret: Secret, clock: Arc<dyn Clock>) -> Self {
        Self {
            shop_id,
            secret,
            clock,
        }
    }

    /// A context on the wall clock ([`SystemClock`]).
    pub fn with_system_clock(shop_id: ShopId, secret: Secret) -> Self {
        Self::new(shop_id, secret, SystemClock)
    }

    /// The shop id.
    pub fn shop_id(&self) -> ShopId {
        self.shop_id
    }

    /// The shop's secret key.
    pub fn secret(&self) -> &Secret {
        &self.secret
    }

    /// The current instant, from the injected clock.
    pub fn now(&self) -> OffsetDateTime {
        self.clock.now()
    }
}
