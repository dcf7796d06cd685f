//! Payee account details sent with withdrawals (`account_details`), and the account field
//! descriptions the server returns (`account_info_config`).

use std::fmt;

use pay_core::error::Error;
use pay_core::text::{AccountNumber, Untrusted, masked};

use pay_core::json::RawJson;
use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, Visitor};

/// An account number sent as a string or a number (`"201497141132"`, `201497141132`), or
/// `None` for `null` or an absent field.
pub(crate) fn opt_account<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<AccountNumber>, D::Error> {
    Ok(pay_core::json::decode::opt_text(deserializer)?.map(AccountNumber::from))
}

/// An account number sent as a string or a number.
pub(crate) fn account<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<AccountNumber, D::Error> {
    pay_core::json::decode::text(deserializer).map(AccountNumber::from)
}

/// Extra payee account fields a payway needs (`account_details`, never signed), in insertion order.
///
/// The names come from the `account_info_config` of `/withdraw/try` (every key besides `account`),
/// or from the payway's settings in the shop's profile.
///
/// ```
/// use pay_qostiq::AccountDetails;
///
/// let details = AccountDetails::new().with("fname", "Ksenia").unwrap().with("lname", "K").unwrap();
/// assert_eq!(details.get("fname"), Some("Ksenia"));
/// assert!(details.clone().with("fname", "again").is_err());
/// assert!(AccountDetails::new().with("", "x").is_err());
///
/// // Payee account fields: `Debug` shows the names and only the last four characters of values.
/// let details = AccountDetails::new().with("iban", "GB33BUKB20201555555555").unwrap();
/// assert_eq!(format!("{details:?}"), r#"AccountDetails({"iban": ****5555})"#);
/// ```
#[derive(Clone, Default, PartialEq, Eq, Hash)]
pub struct AccountDetails(Vec<(String, String)>);

impl fmt::Debug for AccountDetails {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        struct Fields<'a>(&'a [(String, String)]);
        impl fmt::Debug for Fields<'_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_map()
                    .entries(
                        self.0
                            .iter()
                            .map(|(name, value)| (Untrusted::new(name), masked(value))),
                    )
                    .finish()
            }
        }
        f.debug_tuple("AccountDetails")
            .field(&Fields(&self.0))
            .finish()
    }
}

impl AccountDetails {
    /// No details.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds `name: value`, refusing an empty or repeated name.
    pub fn with(
        mut self,
        name: impl Into<String>,
        value: impl Into<String>,
    ) -> Result<Self, Error> {
        let name = name.into();
        if name.is_empty() {
            return Err(Error::invalid_input(
                "account_details",
                "a field name is empty",
            ));
        }
        if self.get(&name).is_some() {
            return Err(Error::invalid_input(
                "account_details",
                format!("field `{name}` is given twice"),
            ));
        }
        self.0.push((name, value.into()));
        Ok(self)
    }

    /// The value of `name`.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The fields in insertion order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(n, v)| (n.as_str(), v.as_str()))
    }

    /// Whether there are no fields.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// Text in several languages (`{"en": "…", "ru": "…"}`), or one text (language `""`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct LocalizedText(Vec<(String, String)>);

impl LocalizedText {
    /// The text in `lang`, else English, else the first one.
    pub fn get(&self, lang: &str) -> Option<&str> {
        let find = |l: &str| self.0.iter().find(|(k, _)| k == l).map(|(_, v)| v.as_str());
        find(lang)
            .or_else(|| find("en"))
            .or_else(|| self.0.first().map(|(_, v)| v.as_str()))
    }

    /// Every `(language, text)` pair as received.
    pub fn entries(&self) -> &[(String, String)] {
        &self.0
    }
}

/// How one payee account field must look (`account_info_config.<name>`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct AccountField {
    /// The field name (`account`, `payee_account`, `contract`).
    pub name: String,
    /// Its title (`"Card number without spaces"`).
    pub title: Option<String>,
    /// Its label, possibly per language.
    pub label: Option<LocalizedText>,
    /// A comment, possibly per language.
    pub comment: Option<LocalizedText>,
    /// An example value.
    pub example: Option<String>,
    /// The regular expression (server dialect, Python) the value must match.
    pub regex: Option<String>,
    /// The whole description as received.
    pub raw: RawJson,
}

/// The account fields a payway needs, in the server's order (`account_info_config`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct AccountInfoConfig {
    /// Every described field.
    pub fields: Vec<AccountField>,
}

impl AccountInfoConfig {
    /// The field `name`.
    pub fn field(&self, name: &str) -> Option<&AccountField> {
        self.fields.iter().find(|f| f.name == name)
    }

    /// The names to send in [`AccountDetails`]: every field except the main `account` (and the
    /// transfer's `payee_account`), which are request fields of their own.
    pub fn detail_names(&self) -> impl Iterator<Item = &str> {
        self.fields
            .iter()
            .map(|f| f.name.as_str())
            .filter(|n| *n != "account" && *n != "payee_account")
    }
}

/// `account_info_config`: an object of field descriptions, read in the server's order, each kept
/// verbatim too.
impl<'de> Deserialize<'de> for AccountInfoConfig {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Fields;
        impl<'de> Visitor<'de> for Fields {
            type Value = AccountInfoConfig;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object of account field descriptions")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut fields = Vec::new();
                while let Some(name) = map.next_key::<String>()? {
                    let raw: RawJson = map.next_value()?;
                    let described: Described = pay_core::json::decode_checked(raw.as_str())
                        .map_err(|e| de::Error::custom(e.within(&name)))?;
                    fields.push(AccountField {
                        name,
                        title: described.title,
                        label: described.label,
                        comment: described.comment,
                        example: described.example,
                        regex: described.regex,
                        raw,
                    });
                }
                Ok(AccountInfoConfig { fields })
            }
        }
        deserializer.deserialize_map(Fields)
    }
}

/// One field description as sent.
#[derive(Deserialize)]
struct Described {
    #[serde(default, deserialize_with = "pay_core::json::decode::opt_text")]
    title: Option<String>,
    #[serde(default)]
    label: Option<LocalizedText>,
    #[serde(default)]
    comment: Option<LocalizedText>,
    #[serde(default, deserialize_with = "pay_core::json::decode::opt_text")]
    example: Option<String>,
    #[serde(default)]
    regex: Option<String>,
}

/// One text (language `""`), or an object of texts by language, in the server's order.
impl<'de> Deserialize<'de> for LocalizedText {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Texts;
        impl<'de> Visitor<'de> for Texts {
            type Value = LocalizedText;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string or an object of strings by language")
            }
            fn visit_str<E: de::Error>(self, text: &str) -> Result<Self::Value, E> {
                Ok(LocalizedText(vec![(String::new(), text.to_owned())]))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut entries = Vec::new();
                while let Some(entry) = map.next_entry::<String, String>()? {
                    entries.push(entry);
                }
                Ok(LocalizedText(entries))
            }
        }
        deserializer.deserialize_any(Texts)
    }
}
