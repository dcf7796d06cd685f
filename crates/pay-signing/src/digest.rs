//! Decoding received signatures and comparing them in constant time.

use pay_core::error::SignatureError;
use pay_core::json::Limits;
use pay_core::secret::Secret;
use subtle::ConstantTimeEq;

/// A SHA-256 or HMAC-SHA256 output.
pub(crate) type Digest = [u8; 32];

/// Decodes a received signature: exactly 64 hexadecimal digits (either case).
pub(crate) fn decode(text: &str) -> Result<Digest, SignatureError> {
    if text.is_empty() {
        return Err(SignatureError::Missing);
    }
    if text.len() != 64 {
        return Err(SignatureError::Malformed {
            reason: "expected 64 hexadecimal digits",
        });
    }
    let mut out = [0u8; 32];
    hex::decode_to_slice(text, &mut out).map_err(|_| SignatureError::Malformed {
        reason: "not hexadecimal",
    })?;
    Ok(out)
}

/// Constant-time equality of two digests.
pub(crate) fn matches(expected: &Digest, received: &Digest) -> bool {
    expected.ct_eq(received).into()
}

/// What every verifier holds: the secrets it accepts and the limits a body is parsed under
/// (default [`Limits::EVENTS`]).
#[derive(Debug, Clone)]
pub(crate) struct Keys {
    pub(crate) secrets: Secrets,
    pub(crate) limits: Limits,
}

impl Keys {
    /// One secret.
    pub(crate) fn one(secret: Secret) -> Self {
        Self::with(Secrets(vec![secret]))
    }

    /// Several secrets, the current one first; refuses an empty list
    /// ([`SignatureError::NoSecret`]).
    pub(crate) fn many(secrets: Vec<Secret>) -> Result<Self, SignatureError> {
        if secrets.is_empty() {
            return Err(SignatureError::NoSecret);
        }
        Ok(Self::with(Secrets(secrets)))
    }

    fn with(secrets: Secrets) -> Self {
        Self {
            secrets,
            limits: Limits::EVENTS,
        }
    }
}

/// The secrets a verifier accepts, the current one first (several while rotating); never empty.
#[derive(Debug, Clone)]
pub(crate) struct Secrets(Vec<Secret>);

impl Secrets {
    /// The index of the first secret whose digest (`digest_with`) matches `received`, each compared
    /// in constant time.
    pub(crate) fn matching(
        &self,
        received: &Digest,
        digest_with: impl Fn(&Secret) -> Digest,
    ) -> Option<usize> {
        self.0
            .iter()
            .position(|secret| matches(&digest_with(secret), received))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decode_checks_length_then_digits() {
        assert_eq!(decode(""), Err(SignatureError::Missing));
        assert!(matches!(
            decode("ab"),
            Err(SignatureError::Malformed { .. })
        ));
        assert!(matches!(
            decode(&"g".repeat(64)),
            Err(SignatureError::Malformed { .. })
        ));
        assert!(matches!(
            decode(&"é".repeat(32)),
            Err(SignatureError::Malformed { .. })
        ));
        assert_eq!(decode(&"AB".repeat(32)).unwrap(), [0xab; 32]);
    }
}
