//! Currencies and payways: ISO 4217 numeric codes for fiat, asset codes for crypto, payway aliases
//! with the decimal precision Qostiq applies to crypto amounts.

use std::fmt;
use std::str::FromStr;

use pay_core::error::Error;

use crate::body::Body;
use pay_core::money::{Amount, Precision};

macro_rules! fiat_currencies {
    ($($(#[$doc:meta])* $variant:ident = $code:literal, $name:literal;)*) => {
        /// A fiat currency by its ISO 4217 numeric code (`980` UAH, `840` USD, `978` EUR, `398` KZT …).
        ///
        /// Codes without a named variant are kept in [`Currency::Other`]; equality compares codes, so
        /// `Currency::Other(980) == Currency::Uah`. Use [`Currency::from_code`] to get the named variant.
        ///
        /// ```
        /// use pay_qostiq::Currency;
        ///
        /// assert_eq!(Currency::from_code(980), Currency::Uah);
        /// assert_eq!(Currency::Uah.code(), 980);
        /// assert_eq!(Currency::Uah.name(), Some("UAH"));
        /// assert_eq!("USD".parse::<Currency>().unwrap(), Currency::Usd);
        /// assert_eq!("978".parse::<Currency>().unwrap(), Currency::Eur);
        /// assert_eq!(Currency::from_code(999), Currency::Other(999));
        /// assert_eq!(Currency::Other(980), Currency::Uah);
        /// ```
        #[derive(Debug, Clone, Copy)]
        #[non_exhaustive]
        pub enum Currency {
            $($(#[$doc])* $variant,)*
            /// Any other ISO 4217 numeric code.
            Other(u16),
        }

        impl Currency {
            /// The currency with ISO numeric `code`, named when known.
            pub fn from_code(code: u16) -> Self {
                match code {
                    $($code => Self::$variant,)*
                    other => Self::Other(other),
                }
            }

            /// The ISO 4217 numeric code.
            pub fn code(self) -> u16 {
                match self {
                    $(Self::$variant => $code,)*
                    Self::Other(code) => code,
                }
            }

            /// The ISO 4217 alphabetic code (`"UAH"`), when known.
            pub fn name(self) -> Option<&'static str> {
                match Self::from_code(self.code()) {
                    $(Self::$variant => Some($name),)*
                    Self::Other(_) => None,
                }
            }

            fn from_name(name: &str) -> Option<Self> {
                match name {
                    $($name => Some(Self::$variant),)*
                    _ => None,
                }
            }
        }
    };
}

fiat_currencies! {
    /// Ukrainian hryvnia.
    Uah = 980, "UAH";
    /// US dollar.
    Usd = 840, "USD";
    /// Euro.
    Eur = 978, "EUR";
    /// Kazakhstani tenge.
    Kzt = 398, "KZT";
    /// Russian ruble.
    Rub = 643, "RUB";
    /// Polish złoty.
    Pln = 985, "PLN";
    /// Pound sterling.
    Gbp = 826, "GBP";
    /// Uzbekistani som.
    Uzs = 860, "UZS";
    /// Azerbaijani manat.
    Azn = 944, "AZN";
    /// Turkish lira.
    Try = 949, "TRY";
    /// Kyrgyzstani som.
    Kgs = 417, "KGS";
    /// Moldovan leu.
    Mdl = 498, "MDL";
    /// Georgian lari.
    Gel = 981, "GEL";
    /// Belarusian ruble.
    Byn = 933, "BYN";
}

impl PartialEq for Currency {
    fn eq(&self, other: &Self) -> bool {
        self.code() == other.code()
    }
}

impl Eq for Currency {}

impl std::hash::Hash for Currency {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.code().hash(state);
    }
}

impl fmt::Display for Currency {
    /// The numeric code, as sent and signed (`980`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.code())
    }
}

impl FromStr for Currency {
    type Err = Error;

    /// Accepts a numeric code (`"980"`) or a known alphabetic code (`"UAH"`).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if !s.is_empty() && s.len() <= 3 && s.bytes().all(|b| b.is_ascii_digit()) {
            let code: u16 = s
                .parse()
                .map_err(|_| Error::invalid_input("currency", "not a numeric code"))?;
            return Ok(Self::from_code(code));
        }
        Self::from_name(&s.to_ascii_uppercase()).ok_or_else(|| {
            Error::invalid_input(
                "currency",
                format!(
                    "{} is neither an ISO 4217 numeric code nor a known alphabetic code",
                    pay_core::text::Untrusted::new(s)
                ),
            )
        })
    }
}

impl Currency {
    /// Refuses code 0 and codes above 999 (not ISO 4217 numeric).
    pub(crate) fn check(self, field: &'static str) -> Result<(), Error> {
        if self.code() == 0 || self.code() > 999 {
            return Err(Error::invalid_input(
                field,
                format!("{} is not an ISO 4217 numeric code", self.code()),
            ));
        }
        Ok(())
    }
}

/// A crypto asset code as Qostiq writes it (`"USDT"`, `"BNB"`, `"TON"`).
///
/// ```
/// use pay_qostiq::CryptoAsset;
///
/// let usdt = CryptoAsset::new("USDT").unwrap();
/// assert_eq!(usdt.as_str(), "USDT");
/// assert!(CryptoAsset::new("").is_err());
/// assert!(CryptoAsset::new("US DT").is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CryptoAsset(String);

impl CryptoAsset {
    /// An asset code: 1 to 16 ASCII letters or digits.
    pub fn new(code: impl Into<String>) -> Result<Self, Error> {
        let code = code.into();
        if code.is_empty() || code.len() > 16 || !code.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(Error::invalid_input(
                "currency",
                "a crypto asset code is 1 to 16 ASCII letters or digits",
            ));
        }
        Ok(Self(code))
    }

    /// A code as the server sent it (not validated).
    pub(crate) fn from_response(code: String) -> Self {
        Self(code)
    }

    /// The code.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Read as the server sent it (any string).
impl<'de> serde::Deserialize<'de> for CryptoAsset {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        <String as serde::Deserialize>::deserialize(deserializer).map(Self::from_response)
    }
}

/// An ISO 4217 numeric code (`980`, `"980"`), 0 to 999.
impl<'de> serde::Deserialize<'de> for Currency {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let code = pay_core::json::decode::uint(deserializer)?;
        u16::try_from(code)
            .ok()
            .filter(|c| *c <= 999)
            .map(Self::from_code)
            .ok_or_else(|| {
                <D::Error as serde::de::Error>::custom("expected an ISO 4217 numeric currency code")
            })
    }
}

impl fmt::Display for CryptoAsset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A currency of a Qostiq balance, as requests carry it: a fiat [`Currency`] (sent as its numeric
/// code) or a [`CryptoAsset`] (sent as its ticker).
pub(crate) trait BalanceCurrency {
    /// Refuses a currency the endpoints do not take.
    fn check(&self, field: &'static str) -> Result<(), Error>;
    /// Adds the currency to `body` as a signed value.
    fn sign(&self, body: Body, field: &'static str) -> Body;
    /// The wire text, as an intent compares it and a summary shows it.
    fn wire_text(&self) -> String;
}

impl BalanceCurrency for Currency {
    fn check(&self, field: &'static str) -> Result<(), Error> {
        Currency::check(*self, field)
    }

    fn sign(&self, body: Body, field: &'static str) -> Body {
        body.sign_int(field, self.code())
    }

    fn wire_text(&self) -> String {
        self.code().to_string()
    }
}

impl BalanceCurrency for CryptoAsset {
    /// An asset is checked when made.
    fn check(&self, _field: &'static str) -> Result<(), Error> {
        Ok(())
    }

    fn sign(&self, body: Body, field: &'static str) -> Body {
        body.sign_str(field, self.as_str())
    }

    fn wire_text(&self) -> String {
        self.as_str().to_owned()
    }
}

/// A payway alias (`"card_uah"`, `"qostiq_usd"`, `"usdt_bep20"`, `"ton_ton"`): the payment direction.
///
/// For crypto payways, [`Payway::crypto_precision`] gives the number of decimals Qostiq keeps
/// (PROTOCOL.md "Amount precision"); an alias outside that table needs [`Payway::with_precision`]
/// before a crypto withdrawal can be built, because the server would round silently.
///
/// ```
/// use pay_core::money::Precision;
/// use pay_qostiq::Payway;
///
/// assert_eq!(Payway::new("usdt_trc20").unwrap().crypto_precision(), Some(Precision::crypto(6)));
/// assert_eq!(Payway::new("usdt_bep20").unwrap().crypto_precision(), Some(Precision::crypto(18)));
/// assert_eq!(Payway::new("btc_btc").unwrap().crypto_precision(), Some(Precision::crypto(8)));
/// assert_eq!(Payway::new("ton_ton").unwrap().crypto_precision(), None);
/// let ton = Payway::new("ton_ton").unwrap().with_precision(Precision::crypto(9));
/// assert_eq!(ton.crypto_precision(), Some(Precision::crypto(9)));
/// assert!(Payway::new("").is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Payway {
    alias: String,
    precision: Option<Precision>,
}

impl Payway {
    /// A payway alias: ASCII letters, digits, `_` and `-`, 1 to 64 characters.
    pub fn new(alias: impl Into<String>) -> Result<Self, Error> {
        let alias = alias.into();
        if alias.is_empty()
            || alias.len() > 64
            || !alias
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
        {
            return Err(Error::invalid_input(
                "payway",
                "a payway alias is 1 to 64 ASCII letters, digits, `_` or `-`",
            ));
        }
        Ok(Self {
            alias,
            precision: None,
        })
    }

    /// States the precision of a crypto payway explicitly (overrides the built-in table).
    pub fn with_precision(mut self, precision: Precision) -> Self {
        self.precision = Some(precision);
        self
    }

    /// The alias.
    pub fn as_str(&self) -> &str {
        &self.alias
    }

    /// Decimals Qostiq keeps for amounts on this crypto payway: the explicit precision, else the
    /// documented table (BTC, LTC 8; TRX and USDT on TRON, Polygon, Ethereum 6; MATIC, BUSD, ETH, BNB
    /// and USDT on BSC 18), else `None`.
    pub fn crypto_precision(&self) -> Option<Precision> {
        self.precision
            .or_else(|| known_crypto_precision(&self.alias))
    }

    /// Refuses `amount` if it is written with more decimals than this crypto payway keeps, trailing
    /// zeros included (it is sent and signed as written; never rounded).
    pub(crate) fn check_crypto_amount(
        &self,
        field: &'static str,
        amount: &Amount,
    ) -> Result<(), Error> {
        let precision = self.crypto_precision().ok_or_else(|| {
            Error::invalid_input(
                "payway",
                format!(
                    "the precision of crypto payway `{}` is unknown; state it with Payway::with_precision",
                    self.alias
                ),
            )
        })?;
        amount.check_scale(field, precision)
    }
}

impl fmt::Display for Payway {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.alias)
    }
}

/// The documented crypto precision of a payway alias `<asset>_<network>`.
fn known_crypto_precision(alias: &str) -> Option<Precision> {
    let lower = alias.to_ascii_lowercase();
    let (asset, network) = lower.split_once('_').unwrap_or((lower.as_str(), ""));
    let decimals = match asset {
        "btc" | "ltc" => 8,
        "trx" => 6,
        "usdt" => match network {
            "trc20" | "tron" | "trx" => 6,
            "polygon" | "matic" | "erc20" | "eth" | "ethereum" => 6,
            "bep20" | "bsc" | "bnb" => 18,
            _ => return None,
        },
        "matic" | "busd" | "eth" | "bnb" => 18,
        _ => return None,
    };
    Some(Precision::crypto(decimals))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_names_round_trip() {
        for code in [
            980u16, 840, 978, 398, 643, 985, 826, 860, 944, 949, 417, 498, 981, 933,
        ] {
            let currency = Currency::from_code(code);
            assert!(!matches!(currency, Currency::Other(_)), "{code}");
            let name = currency.name().unwrap();
            assert_eq!(name.parse::<Currency>().unwrap(), currency);
            assert_eq!(currency.to_string(), code.to_string());
        }
        assert_eq!("uah".parse::<Currency>().unwrap(), Currency::Uah);
        assert!("XXX".parse::<Currency>().is_err());
        assert!("".parse::<Currency>().is_err());
        assert!(Currency::Other(0).check("c").is_err());
        assert!(Currency::Other(1000).check("c").is_err());
        assert_eq!(Currency::Other(999).name(), None);
    }

    #[test]
    fn crypto_precision_table() {
        let cases = [
            ("btc_btc", Some(8)),
            ("ltc_ltc", Some(8)),
            ("trx_trc20", Some(6)),
            ("usdt_trc20", Some(6)),
            ("usdt_polygon", Some(6)),
            ("usdt_erc20", Some(6)),
            ("usdt_bep20", Some(18)),
            ("bnb_bep20", Some(18)),
            ("eth_erc20", Some(18)),
            ("matic_polygon", Some(18)),
            ("busd_bep20", Some(18)),
            ("ton_ton", None),
            ("usdt_unknown", None),
            ("card_uah", None),
        ];
        for (alias, decimals) in cases {
            assert_eq!(
                Payway::new(alias).unwrap().crypto_precision(),
                decimals.map(Precision::crypto),
                "{alias}"
            );
        }
    }
}
