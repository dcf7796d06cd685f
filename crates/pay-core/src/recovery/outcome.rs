//! What a payout call established: one outcome type for every provider.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::evidence::Evidence;
use super::intent::{Difference, Intent};
use crate::error::{Error, ProviderError};
use crate::text::Untrusted;

/// The name of an outcome: exactly the strings the `pay` command prints and a journal stores.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OutcomeName {
    /// Made by the first request (Qostiq create).
    Created,
    /// Sent again with the same id after a conclusive "nothing there", and answered.
    Recreated,
    /// Found by a lookup: it exists as asked.
    Adopted,
    /// Committed by the first request (COINQVEST commit).
    Committed,
    /// Refused by the provider, and no request of this call can have done anything.
    Refused,
    /// Nothing reached the provider.
    NotSent,
    /// Still undecided after the bounded recovery.
    Unknown,
    /// Something else exists under this id.
    Conflict,
}

impl OutcomeName {
    /// `created`, `recreated`, `adopted`, `committed`, `refused`, `not_sent`, `unknown`,
    /// `conflict`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Created => "created",
            Self::Recreated => "recreated",
            Self::Adopted => "adopted",
            Self::Committed => "committed",
            Self::Refused => "refused",
            Self::NotSent => "not_sent",
            Self::Unknown => "unknown",
            Self::Conflict => "conflict",
        }
    }

    /// Whether the payout exists as asked: `Some(true)` for created, recreated, adopted and
    /// committed; `Some(false)` for refused and not sent; `None` for unknown and conflict.
    pub fn exists(self) -> Option<bool> {
        match self {
            Self::Created | Self::Recreated | Self::Adopted | Self::Committed => Some(true),
            Self::Refused | Self::NotSent => Some(false),
            Self::Unknown | Self::Conflict => None,
        }
    }
}

impl fmt::Display for OutcomeName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A payout found under the intent's id that is not the intent's: both sides.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conflict<P> {
    /// What the provider has under the id.
    pub found: P,
    /// Every term on which it differs from the intent ([`PayoutOutcome::intent`]).
    pub differences: Vec<Difference>,
}

/// How a payout call ended. Each variant's meaning for the money and what to do:
///
/// | variant | exists? | what to do |
/// |---|---|---|
/// | `Created`, `Committed` | yes, by the first request | record the payout |
/// | `Recreated` | yes: the first answer was lost, a conclusive lookup found nothing, the same id was sent again and answered | record the payout |
/// | `Adopted` | yes: a lookup found it as asked (made by this call or an earlier one) | record the payout |
/// | `Refused` | no: refused, and no request of this call can have done anything | fix the cause; the same id may be used again |
/// | `NotSent` | no: nothing reached the provider | call again with the same id |
/// | `Unknown` | **maybe** | never pay again under a new id; resume (call again with the same id) later, or ask a person |
/// | `Conflict` | something **else** holds the id | never success, never re-sent: a person compares both sides |
#[derive(Debug)]
pub enum Resolution<P> {
    /// Made by the first request.
    Created(P),
    /// Committed by the first request.
    Committed(P),
    /// Sent again with the same id after a conclusive "nothing there", and answered.
    Recreated(P),
    /// Found as asked by a lookup.
    Adopted(P),
    /// Refused; nothing was done.
    Refused(ProviderError),
    /// Nothing reached the provider.
    NotSent(Error),
    /// Undecided after the bounded recovery; the last error, if the last step failed.
    Unknown(Option<Error>),
    /// Something else under the id.
    Conflict(Conflict<P>),
}

/// What failed, for [`PayoutOutcome::into_result`]: the non-success variants of [`Resolution`].
#[derive(Debug)]
pub enum Failure<P> {
    /// Refused; nothing was done.
    Refused(ProviderError),
    /// Nothing reached the provider.
    NotSent(Error),
    /// Undecided; the last error, if any.
    Unknown(Option<Error>),
    /// Something else under the id.
    Conflict(Conflict<P>),
}

/// What a payout call established: the [`Resolution`], the [`Intent`] it was about, and the
/// [`Evidence`] gathered (every send and lookup, with timestamps).
///
/// ```
/// use pay_core::recovery::{Evidence, Intent, OutcomeName, PayoutOutcome, Resolution};
///
/// let outcome = PayoutOutcome::new(
///     Resolution::Adopted("payout 77"),
///     Intent::new("qostiq.withdraw.create", "w-1"),
///     Evidence::default(),
/// );
/// assert_eq!(outcome.name(), OutcomeName::Adopted);
/// assert_eq!(outcome.exists(), Some(true));
/// assert_eq!(outcome.id(), "w-1");
/// assert_eq!(outcome.payout(), Some(&"payout 77"));
/// assert_eq!(outcome.into_result().unwrap(), "payout 77");
/// ```
#[derive(Debug)]
#[must_use = "a payout outcome must be recorded; `unknown` and `conflict` need a person"]
pub struct PayoutOutcome<P> {
    resolution: Resolution<P>,
    intent: Intent,
    evidence: Evidence,
}

impl<P> PayoutOutcome<P> {
    /// Assembles an outcome (the recovery loop does this).
    pub fn new(resolution: Resolution<P>, intent: Intent, evidence: Evidence) -> Self {
        Self {
            resolution,
            intent,
            evidence,
        }
    }

    /// How it ended.
    pub fn resolution(&self) -> &Resolution<P> {
        &self.resolution
    }

    /// The resolution, by value.
    pub fn into_resolution(self) -> Resolution<P> {
        self.resolution
    }

    /// The three parts, by value.
    pub fn into_parts(self) -> (Resolution<P>, Intent, Evidence) {
        (self.resolution, self.intent, self.evidence)
    }

    /// What was asked.
    pub fn intent(&self) -> &Intent {
        &self.intent
    }

    /// Every send and lookup made, with timestamps.
    pub fn evidence(&self) -> &Evidence {
        &self.evidence
    }

    /// The intent's id (`shop_payment_id`, `shop_order_id`, withdrawal id), whatever the outcome.
    pub fn id(&self) -> &str {
        &self.intent.id
    }

    /// The outcome's name.
    pub fn name(&self) -> OutcomeName {
        match &self.resolution {
            Resolution::Created(_) => OutcomeName::Created,
            Resolution::Committed(_) => OutcomeName::Committed,
            Resolution::Recreated(_) => OutcomeName::Recreated,
            Resolution::Adopted(_) => OutcomeName::Adopted,
            Resolution::Refused(_) => OutcomeName::Refused,
            Resolution::NotSent(_) => OutcomeName::NotSent,
            Resolution::Unknown(_) => OutcomeName::Unknown,
            Resolution::Conflict(_) => OutcomeName::Conflict,
        }
    }

    /// Whether the payout exists as asked ([`OutcomeName::exists`]).
    pub fn exists(&self) -> Option<bool> {
        self.name().exists()
    }

    /// The payout, when it exists as asked (created, committed, recreated, adopted).
    pub fn payout(&self) -> Option<&P> {
        match &self.resolution {
            Resolution::Created(p)
            | Resolution::Committed(p)
            | Resolution::Recreated(p)
            | Resolution::Adopted(p) => Some(p),
            _ => None,
        }
    }

    /// The conflict, when something else holds the id.
    pub fn conflict(&self) -> Option<&Conflict<P>> {
        match &self.resolution {
            Resolution::Conflict(c) => Some(c),
            _ => None,
        }
    }

    /// `Ok(payout)` when it exists as asked, else a [`PayoutError`] keeping the variant, the
    /// intent and the evidence.
    pub fn into_result(self) -> Result<P, PayoutError<P>> {
        let failure = match self.resolution {
            Resolution::Created(p)
            | Resolution::Committed(p)
            | Resolution::Recreated(p)
            | Resolution::Adopted(p) => return Ok(p),
            Resolution::Refused(e) => Failure::Refused(e),
            Resolution::NotSent(e) => Failure::NotSent(e),
            Resolution::Unknown(e) => Failure::Unknown(e),
            Resolution::Conflict(c) => Failure::Conflict(c),
        };
        Err(PayoutError(Box::new(ErrorParts {
            failure,
            intent: self.intent,
            evidence: self.evidence,
        })))
    }
}

/// A payout call that did not end with the payout: refused, not sent, unknown or conflict.
#[derive(Debug)]
pub struct PayoutError<P>(Box<ErrorParts<P>>);

#[derive(Debug)]
struct ErrorParts<P> {
    failure: Failure<P>,
    intent: Intent,
    evidence: Evidence,
}

impl<P> PayoutError<P> {
    /// What failed.
    pub fn failure(&self) -> &Failure<P> {
        &self.0.failure
    }

    /// What failed, by value.
    pub fn into_failure(self) -> Failure<P> {
        self.0.failure
    }

    /// The outcome's name (`refused`, `not_sent`, `unknown`, `conflict`).
    pub fn name(&self) -> OutcomeName {
        match &self.0.failure {
            Failure::Refused(_) => OutcomeName::Refused,
            Failure::NotSent(_) => OutcomeName::NotSent,
            Failure::Unknown(_) => OutcomeName::Unknown,
            Failure::Conflict(_) => OutcomeName::Conflict,
        }
    }

    /// Whether the payout exists ([`OutcomeName::exists`]): `Some(false)` or `None`.
    pub fn exists(&self) -> Option<bool> {
        self.name().exists()
    }

    /// What was asked.
    pub fn intent(&self) -> &Intent {
        &self.0.intent
    }

    /// Every send and lookup made.
    pub fn evidence(&self) -> &Evidence {
        &self.0.evidence
    }
}

impl<P> fmt::Display for PayoutError<P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {}: {}",
            self.0.intent.operation,
            Untrusted::new(&self.0.intent.id),
            self.name()
        )?;
        let steps = self.0.evidence.steps.len();
        match &self.0.failure {
            Failure::Refused(e) => write!(f, " ({e})"),
            Failure::NotSent(e) => write!(f, " ({e})"),
            Failure::Unknown(Some(e)) => write!(
                f,
                " after {steps} step(s), last error: {e}; it may exist: resume with the same id"
            ),
            Failure::Unknown(None) => write!(
                f,
                " after {steps} step(s); it may exist: resume with the same id"
            ),
            Failure::Conflict(c) => {
                f.write_str(": another payout holds the id (")?;
                for (i, d) in c.differences.iter().enumerate() {
                    if i > 0 {
                        f.write_str("; ")?;
                    }
                    write!(f, "{d}")?;
                }
                f.write_str(")")
            }
        }
    }
}

impl<P: fmt::Debug> std::error::Error for PayoutError<P> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &self.0.failure {
            Failure::Refused(e) => Some(e),
            Failure::NotSent(e) | Failure::Unknown(Some(e)) => Some(e),
            Failure::Unknown(None) | Failure::Conflict(_) => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Provider;
    use http::StatusCode;

    fn outcome(resolution: Resolution<u32>) -> PayoutOutcome<u32> {
        PayoutOutcome::new(
            resolution,
            Intent::new("qostiq.withdraw.create", "w-1"),
            Evidence::default(),
        )
    }

    fn refusal() -> ProviderError {
        ProviderError::new(
            Provider::Qostiq,
            StatusCode::BAD_REQUEST,
            Some(4),
            "too small",
            vec![],
        )
    }

    #[test]
    fn every_variant_has_its_name_existence_payout_and_result() {
        // (resolution, name, exists, payout)
        type Case = (Resolution<u32>, &'static str, Option<bool>, Option<u32>);
        let cases: Vec<Case> = vec![
            (Resolution::Created(1), "created", Some(true), Some(1)),
            (Resolution::Committed(2), "committed", Some(true), Some(2)),
            (Resolution::Recreated(3), "recreated", Some(true), Some(3)),
            (Resolution::Adopted(4), "adopted", Some(true), Some(4)),
            (Resolution::Refused(refusal()), "refused", Some(false), None),
            (
                Resolution::NotSent(Error::invalid_input("amount", "bad")),
                "not_sent",
                Some(false),
                None,
            ),
            (Resolution::Unknown(None), "unknown", None, None),
            (
                Resolution::Conflict(Conflict {
                    found: 9,
                    differences: vec![Difference {
                        field: "payee_receive".into(),
                        asked: "500.00".into(),
                        found: "1.00".into(),
                    }],
                }),
                "conflict",
                None,
                None,
            ),
        ];
        for (resolution, name, exists, payout) in cases {
            let o = outcome(resolution);
            assert_eq!(o.name().as_str(), name);
            assert_eq!(
                serde_json::to_string(&o.name()).unwrap(),
                format!("\"{name}\"")
            );
            assert_eq!(o.exists(), exists, "{name}");
            assert_eq!(o.payout().copied(), payout, "{name}");
            assert_eq!(o.id(), "w-1");
            assert_eq!(o.conflict().is_some(), name == "conflict");
            match o.into_result() {
                Ok(p) => assert_eq!(Some(p), payout),
                Err(e) => {
                    assert_eq!(payout, None);
                    assert_eq!(e.name().as_str(), name, "the error keeps the variant");
                    assert_eq!(e.exists(), exists);
                    assert_eq!(e.intent().id, "w-1");
                    let shown = e.to_string();
                    assert!(
                        shown.starts_with("qostiq.withdraw.create \"w-1\": "),
                        "{shown}"
                    );
                    assert!(shown.contains(name), "{shown}");
                }
            }
        }
    }

    #[test]
    fn a_conflict_error_names_both_sides() {
        let e = outcome(Resolution::Conflict(Conflict {
            found: 9,
            differences: vec![Difference {
                field: "id".into(),
                asked: "w-1".into(),
                found: "\"w-2\"".into(),
            }],
        }))
        .into_result()
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "qostiq.withdraw.create \"w-1\": conflict: another payout holds the id (id: asked w-1, found \"w-2\")"
        );
        assert!(matches!(e.failure(), Failure::Conflict(c) if c.found == 9));
    }
}
