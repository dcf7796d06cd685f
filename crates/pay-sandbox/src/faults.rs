//! The fault vocabulary: the classes of fault pay-rs is tested against, one name each, and the
//! fault the sandbox's server injects for each. The admin API (`POST /admin/faults`), the
//! [`ScriptedServer`](crate::ScriptedServer), pay-transport's and the provider crates' tests and
//! `cargo xtask faults` all speak it.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use http::StatusCode;

/// A class of fault. [`FaultClass::name`] is its one spelling everywhere (admin API, reports).
///
/// | class | the request is applied? | what the client sees |
/// |---|---|---|
/// | `commit_then_drop` | yes | the connection closes without an answer |
/// | `commit_then_delay` | yes | the answer, late |
/// | `commit_then_truncate` | yes | the full `Content-Length`, half the body, then the connection breaks |
/// | `reset_before_commit` | no | the connection is reset (TCP RST) without an answer |
/// | `status_5xx` | no (unless injected as applied) | a 5xx with the provider's error body |
/// | `status_429` | no | 429 with `Retry-After` |
/// | `lookup_other_payout` | — (a lookup) | another payout than the one asked for |
/// | `lookup_mismatch` | — (a lookup) | the asked payout with other amounts and another account |
/// | `id_reused` | no: an earlier payout holds the id | the create meets a duplicate with other terms |
/// | `held_then_commit` | yes, after a hold, even if the client has gone | the answer after the hold |
/// | `recreate_refused_in_flight` | yes, after a hold | as `held_then_commit`; meanwhile the route refuses every other request |
/// | `commit_answered_late` | yes | a caller's scenario, not one server fault: the commit is answered late (`commit_then_delay`), the caller drops the call and repeats it, and the repeat meets `already_completed` |
/// | `already_completed` | no | the provider's refusal of a payout already done |
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum FaultClass {
    /// The request is applied, then the connection closes without an answer.
    CommitThenDrop,
    /// The request is applied, then answered after the client's timeout.
    CommitThenDelay,
    /// The request is applied, then the body is cut.
    CommitThenTruncate,
    /// The connection is reset before the request is applied.
    ResetBeforeCommit,
    /// A 5xx answer (a burst, when injected several times).
    Status5xx,
    /// 429 with `Retry-After`.
    Status429,
    /// A lookup answers a different payout (another id).
    LookupOtherPayout,
    /// A lookup answers the asked id with another amount and account.
    LookupMismatch,
    /// The id was used by an earlier payout with other terms: the create meets a duplicate.
    IdReused,
    /// The request is still executing when the client looks it up (held past the client's
    /// timeout, then applied).
    HeldThenCommit,
    /// Held longer than the client's settle window: a re-send is refused while the first is in
    /// flight (it holds the money), then the first lands.
    RecreateRefusedInFlight,
    /// A commit applied but answered late; the caller drops the call and repeats it.
    CommitAnsweredLate,
    /// A repeated commit of a committed payout is refused ("already COMPLETED").
    AlreadyCompleted,
}

impl FaultClass {
    /// Every class, in report order.
    pub const ALL: [Self; 13] = [
        Self::CommitThenDrop,
        Self::CommitThenDelay,
        Self::CommitThenTruncate,
        Self::ResetBeforeCommit,
        Self::Status5xx,
        Self::Status429,
        Self::LookupOtherPayout,
        Self::LookupMismatch,
        Self::IdReused,
        Self::HeldThenCommit,
        Self::RecreateRefusedInFlight,
        Self::CommitAnsweredLate,
        Self::AlreadyCompleted,
    ];

    /// The class's name (`commit_then_drop`, …): what the admin API accepts and reports print.
    pub fn name(self) -> &'static str {
        match self {
            Self::CommitThenDrop => "commit_then_drop",
            Self::CommitThenDelay => "commit_then_delay",
            Self::CommitThenTruncate => "commit_then_truncate",
            Self::ResetBeforeCommit => "reset_before_commit",
            Self::Status5xx => "status_5xx",
            Self::Status429 => "status_429",
            Self::LookupOtherPayout => "lookup_other_payout",
            Self::LookupMismatch => "lookup_mismatch",
            Self::IdReused => "id_reused",
            Self::HeldThenCommit => "held_then_commit",
            Self::RecreateRefusedInFlight => "recreate_refused_in_flight",
            Self::CommitAnsweredLate => "commit_answered_late",
            Self::AlreadyCompleted => "already_completed",
        }
    }
}

impl fmt::Display for FaultClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A name that is no [`FaultClass`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown fault class `{0}`")]
pub struct UnknownFaultClass(pub String);

impl FromStr for FaultClass {
    type Err = UnknownFaultClass;

    /// Parses a [`FaultClass::name`].
    fn from_str(name: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|class| class.name() == name)
            .ok_or_else(|| UnknownFaultClass(name.to_owned()))
    }
}

/// One fault the server injects into one request: a class with its parameters. The answers a
/// fault substitutes are the provider's own shapes (an nginx-style HTML page for a Qostiq 5xx,
/// `{"errors": […]}` for COINQVEST).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Fault {
    /// Apply the request, then close the connection without answering.
    CommitThenDrop,
    /// Apply the request, then answer after this delay.
    CommitThenDelay(Duration),
    /// Apply the request, then send the full `Content-Length`, half the body, and break the
    /// connection.
    CommitThenTruncate,
    /// Reset the connection (TCP RST) without applying the request.
    ResetBeforeCommit,
    /// Answer this 5xx; `applied`: apply the request first (a 5xx after the work was done).
    Status5xx {
        /// The status (500–599).
        status: StatusCode,
        /// Whether the request is applied before the 5xx is answered.
        applied: bool,
    },
    /// Answer 429 with `Retry-After: retry_after_secs`, without applying.
    Status429 {
        /// The `Retry-After` seconds.
        retry_after_secs: u64,
    },
    /// A lookup answers another payout: the emulator's latest other payout of the family (the
    /// normal answer when there is none); the scripted server's reply with the payout's ids
    /// changed.
    LookupOtherPayout,
    /// A lookup answers the asked payout with every amount raised by 1 and every account changed.
    LookupMismatch,
    /// The create meets a duplicate: the emulator books an earlier payout under the request's id
    /// with other terms (amount + 1, account changed), then the request is refused as a duplicate
    /// of it; the scripted server answers the provider's duplicate refusal.
    IdReused,
    /// Hold the request this long, then apply and answer it, even if the client has gone.
    HeldThenCommit(Duration),
    /// As [`Fault::HeldThenCommit`]; meanwhile every other request to the route is refused the
    /// provider's way (Qostiq `error_code` 5 "insufficient funds", COINQVEST 400 "Withdrawal is
    /// PROCESSING").
    RecreateRefusedInFlight(Duration),
    /// Refuse without applying, the provider's way for a payout already done (COINQVEST 400
    /// "Withdrawal is COMPLETED and cannot be committed.", Qostiq `error_code` 6).
    AlreadyCompleted,
}

impl Fault {
    /// The class of this fault.
    pub fn class(&self) -> FaultClass {
        match self {
            Self::CommitThenDrop => FaultClass::CommitThenDrop,
            Self::CommitThenDelay(_) => FaultClass::CommitThenDelay,
            Self::CommitThenTruncate => FaultClass::CommitThenTruncate,
            Self::ResetBeforeCommit => FaultClass::ResetBeforeCommit,
            Self::Status5xx { .. } => FaultClass::Status5xx,
            Self::Status429 { .. } => FaultClass::Status429,
            Self::LookupOtherPayout => FaultClass::LookupOtherPayout,
            Self::LookupMismatch => FaultClass::LookupMismatch,
            Self::IdReused => FaultClass::IdReused,
            Self::HeldThenCommit(_) => FaultClass::HeldThenCommit,
            Self::RecreateRefusedInFlight(_) => FaultClass::RecreateRefusedInFlight,
            Self::AlreadyCompleted => FaultClass::AlreadyCompleted,
        }
    }

    /// Whether the request is applied before the fault acts (or, for a hold, after it): the
    /// server's books change although the client may see no answer.
    pub fn applies_request(&self) -> bool {
        match self {
            Self::CommitThenDrop
            | Self::CommitThenDelay(_)
            | Self::CommitThenTruncate
            | Self::HeldThenCommit(_)
            | Self::RecreateRefusedInFlight(_) => true,
            Self::Status5xx { applied, .. } => *applied,
            Self::ResetBeforeCommit
            | Self::Status429 { .. }
            | Self::LookupOtherPayout
            | Self::LookupMismatch
            | Self::IdReused
            | Self::AlreadyCompleted => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_name_parses_back_and_names_are_unique() {
        for class in FaultClass::ALL {
            assert_eq!(class.name().parse::<FaultClass>(), Ok(class));
            assert_eq!(class.to_string(), class.name());
        }
        let mut names: Vec<_> = FaultClass::ALL.iter().map(|c| c.name()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), FaultClass::ALL.len());
        assert_eq!(
            "5xx_burst".parse::<FaultClass>(),
            Err(UnknownFaultClass("5xx_burst".into()))
        );
    }

    #[test]
    fn every_fault_has_a_class_and_only_caller_scenarios_have_none() {
        let faults = [
            Fault::CommitThenDrop,
            Fault::CommitThenDelay(Duration::ZERO),
            Fault::CommitThenTruncate,
            Fault::ResetBeforeCommit,
            Fault::Status5xx {
                status: StatusCode::BAD_GATEWAY,
                applied: false,
            },
            Fault::Status429 {
                retry_after_secs: 1,
            },
            Fault::LookupOtherPayout,
            Fault::LookupMismatch,
            Fault::IdReused,
            Fault::HeldThenCommit(Duration::ZERO),
            Fault::RecreateRefusedInFlight(Duration::ZERO),
            Fault::AlreadyCompleted,
        ];
        let classes: Vec<FaultClass> = faults.iter().map(Fault::class).collect();
        let missing: Vec<FaultClass> = FaultClass::ALL
            .into_iter()
            .filter(|c| !classes.contains(c))
            .collect();
        assert_eq!(missing, [FaultClass::CommitAnsweredLate]);
        let applied: Vec<&str> = faults
            .iter()
            .filter(|f| f.applies_request())
            .map(|f| f.class().name())
            .collect();
        assert_eq!(
            applied,
            [
                "commit_then_drop",
                "commit_then_delay",
                "commit_then_truncate",
                "held_then_commit",
                "recreate_refused_in_flight"
            ]
        );
        assert!(
            Fault::Status5xx {
                status: StatusCode::BAD_GATEWAY,
                applied: true
            }
            .applies_request()
        );
    }
}
