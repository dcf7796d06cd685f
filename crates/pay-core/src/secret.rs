//! Secrets: redacted in every printout, zeroized on drop, never compared with `==`.

use std::fmt;

use zeroize::Zeroizing;

use crate::error::Error;

/// The text every `Debug` and `Display` of a [`Secret`] prints.
pub const REDACTED: &str = "Secret(***)";

/// A credential (API secret, shop secret key).
///
/// * `Debug` and `Display` print [`REDACTED`], never the value.
/// * The memory is zeroized when the value is dropped.
/// * There is no `PartialEq`: compare signatures, not secrets, and do it in constant time.
/// * An empty, whitespace-only or control-character secret is refused at construction: a signature
///   keyed by `""` authenticates anyone, and a blank one or one carrying a stray newline (a secret
///   file read with its line ending) is a configuration mistake that would only show up as
///   signatures the provider refuses.
///
/// ```
/// use pay_core::secret::Secret;
///
/// let secret = Secret::new("SecretKey01").unwrap();
/// assert_eq!(format!("{secret:?}"), "Secret(***)");
/// assert_eq!(secret.expose(), "SecretKey01");
/// assert!(Secret::new("").is_err());
/// assert!(Secret::new("   ").is_err());
/// assert!(Secret::new("SecretKey01\n").is_err());
/// ```
#[derive(Clone)]
pub struct Secret(Zeroizing<String>);

impl Secret {
    /// Wraps `value`, refusing an empty or whitespace-only value and control characters
    /// ([`Error::InvalidInput`] naming `secret`; the value is never part of the error).
    pub fn new(value: impl Into<String>) -> Result<Self, Error> {
        let value = Zeroizing::new(value.into());
        if value.is_empty() {
            return Err(Error::invalid_input("secret", "must not be empty"));
        }
        if value.trim().is_empty() {
            return Err(Error::invalid_input(
                "secret",
                "must not be blank (whitespace only)",
            ));
        }
        if value.chars().any(char::is_control) {
            return Err(Error::invalid_input(
                "secret",
                "must not contain control characters (a line ending?)",
            ));
        }
        Ok(Self(value))
    }

    /// The secret text, for the signing code that needs it. Never log the result.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The secret as bytes, for hashing.
    pub fn expose_bytes(&self) -> &[u8] {
        self.0.as_bytes()
    }

    /// A masked form safe to print: the first two characters, then `***`
    /// (only `***` when the secret is shorter than eight characters).
    pub fn masked(&self) -> String {
        let mut chars = self.0.chars();
        if self.0.chars().count() < 8 {
            return "***".to_owned();
        }
        let head: String = chars.by_ref().take(2).collect();
        format!("{head}***")
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

impl std::str::FromStr for Secret {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::new(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_and_display_are_pinned() {
        let secret = Secret::new("d3b07384d113edec49eaa6238ad5ff00").unwrap();
        assert_eq!(format!("{secret:?}"), "Secret(***)");
        assert_eq!(format!("{secret:#?}"), "Secret(***)");
        assert_eq!(secret.to_string(), "Secret(***)");
        #[derive(Debug)]
        #[allow(dead_code)]
        struct Credentials {
            shop_id: u64,
            secret: Secret,
        }
        let creds = Credentials {
            shop_id: 112,
            secret,
        };
        assert_eq!(
            format!("{creds:?}"),
            "Credentials { shop_id: 112, secret: Secret(***) }"
        );
    }

    #[test]
    fn empty_is_refused() {
        let err = Secret::new("").unwrap_err();
        assert!(matches!(err, Error::InvalidInput { ref field, .. } if field == "secret"));
    }

    /// Attack: a blank or control-character secret would key every signature with a value nobody
    /// meant; each is refused like an empty one, and the error never repeats the value.
    #[test]
    fn blank_and_control_character_secrets_are_refused() {
        for bad in [
            " ",
            "   ",
            "\t",
            "\n",
            "\r\n",
            "\u{3000}",
            "SecretKey01\n",
            "Secret\u{0}Key",
            "\u{1b}[31mkey",
            "key\u{7f}",
            "key\u{85}",
        ] {
            let err = Secret::new(bad).unwrap_err();
            assert!(
                matches!(err, Error::InvalidInput { ref field, .. } if field == "secret"),
                "{bad:?}: {err:?}"
            );
            let shown = format!("{err} {err:?}");
            for visible in ["SecretKey01", "Secret", "key"] {
                assert!(!shown.contains(visible), "{shown}");
            }
        }
        for good in ["SecretKey01", " padded key ", "ключ-секрет", "a b"] {
            assert_eq!(Secret::new(good).unwrap().expose(), good);
        }
    }

    #[test]
    fn masked_keeps_only_a_prefix() {
        assert_eq!(Secret::new("SecretKey01").unwrap().masked(), "Se***");
        assert_eq!(Secret::new("short").unwrap().masked(), "***");
    }
}
