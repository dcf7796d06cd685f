//! The record of one recovery: every send and lookup, when it started and ended (on the injected
//! clock), and what it returned, summarised. It is what the decisions of [`super::decide`] read, and
//! what a journal stores to resume a recovery later.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::PayoutRecord;
use super::intent::{Intent, Verdict};
use crate::error::{Error, Provider, ProviderError};
use crate::text::Untrusted;

/// How many characters of an error a step keeps.
const ERROR_MAX_CHARS: usize = 300;

/// Every step of a recovery, in order. `Default` is a fresh start (nothing sent yet).
///
/// Holds no account number and no secret: errors and payouts are summarised through
/// [`Untrusted`] (escaped, capped) and the payout's own masked summary.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Evidence {
    /// The steps, oldest first.
    pub steps: Vec<Step>,
}

/// One send of the money-moving request, or one lookup. Serialized flat:
/// `{"action": "send", "started": "…", "ended": "…", "result": "refused", "class": "exists", …}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Step {
    /// Send or lookup.
    pub action: StepAction,
    /// When the step started (before any wait for a polling turn).
    #[serde(with = "time::serde::rfc3339")]
    pub started: OffsetDateTime,
    /// When its answer (or failure) arrived; `None` while a send is open (the process stopped
    /// during it: see [`Evidence::interrupted_send`]).
    #[serde(with = "time::serde::rfc3339::option")]
    pub ended: Option<OffsetDateTime>,
    /// What it returned.
    #[serde(flatten)]
    pub result: StepResult,
}

/// What a step did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StepAction {
    /// Sent the money-moving request (create, commit) with the intent's id.
    Send,
    /// Looked the payout up by the intent's id.
    Lookup,
}

/// What a step returned, summarised.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "result", rename_all = "snake_case")]
pub enum StepResult {
    /// A payout came back (a send's answer, a lookup's find), judged against the intent.
    Payout {
        /// The judgement.
        #[serde(flatten)]
        verdict: Verdict,
        /// The payout in a few words (ids, status, amounts; accounts masked).
        summary: String,
    },
    /// A lookup answered that nothing exists under the id.
    NotFound,
    /// A send was refused by the provider.
    Refused {
        /// What the refusal means.
        class: RefusalClass,
        /// The HTTP status.
        status: u16,
        /// The provider's error code, if any.
        code: Option<i64>,
        /// The provider's message (escaped, capped).
        message: String,
    },
    /// A send certainly never reached the provider.
    NotSent {
        /// Why (escaped, capped).
        error: String,
    },
    /// A send may have reached the provider and been applied: its outcome is unknown.
    Unknown {
        /// Why (escaped, capped).
        error: String,
    },
    /// A lookup failed: no answer about the payout.
    Failed {
        /// Why (escaped, capped).
        error: String,
    },
}

/// What a provider's refusal of a send means for the intent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RefusalClass {
    /// The request was refused and nothing was done, and the refusal says nothing about an earlier
    /// payout under the id (bad amount, funds, signature).
    Definitive,
    /// Refused before processing (429): nothing was done.
    Throttled,
    /// Nothing was done by *this* request, but the payout may exist already (a COINQVEST commit
    /// answered 4xx: "already committed", or a refusal whose text is not a contract): read it
    /// before reporting anything.
    LookFirst,
    /// The provider says the id is taken (Qostiq `error_code` 6): something exists under it; look
    /// it up. A lookup that then answers "nothing" contradicts it and is not trusted.
    Exists,
}

impl RefusalClass {
    /// Whether a refusal of this class proves the request did nothing at the provider.
    pub fn did_nothing(self) -> bool {
        !matches!(self, Self::Exists)
    }
}

/// Text for a step: escaped and capped.
pub(crate) fn summarise(text: &str) -> String {
    Untrusted::new(text).max_chars(ERROR_MAX_CHARS).to_string()
}

impl StepResult {
    /// A payout judged `verdict`, summarised as `summary` (escaped and capped here).
    pub fn payout(verdict: Verdict, summary: &str) -> Self {
        Self::Payout {
            verdict,
            summary: summarise(summary),
        }
    }

    /// `payout` judged against `intent` and summarised.
    pub fn judged(intent: &Intent, payout: &impl PayoutRecord) -> Self {
        Self::payout(payout.judge(intent), &payout.summarize())
    }

    /// The result of a send that failed with `error`: refusals classified by `classify`, the
    /// money meaning of everything else from [`Error::outcome`]. A 429 whose body could not be
    /// decoded (a proxy page) is a refusal too ([`RefusalClass::Throttled`]).
    pub fn of_send_error(
        error: &Error,
        provider: Provider,
        classify: impl Fn(&ProviderError) -> RefusalClass,
    ) -> Self {
        use crate::error::RequestOutcome;
        if let Some(refusal) = refusal(error, provider) {
            return Self::Refused {
                class: classify(&refusal),
                status: refusal.status.as_u16(),
                code: refusal.code,
                message: summarise(&refusal.message),
            };
        }
        let error_text = summarise(&error.to_string());
        match error.outcome() {
            RequestOutcome::NotSent => Self::NotSent { error: error_text },
            // `refusal` covered every refusal.
            RequestOutcome::Refused | RequestOutcome::Unknown => {
                Self::Unknown { error: error_text }
            }
        }
    }

    /// The result of a lookup that failed with `error`.
    pub fn of_lookup_error(error: &Error) -> Self {
        Self::Failed {
            error: summarise(&error.to_string()),
        }
    }
}

/// The refusal in `error`, if it is one: a provider's refusal that is not a 5xx (as
/// [`Error::outcome`] counts it: Qostiq also refuses with HTTP 200 and `result: false`), or a 429
/// whose body was not `provider`'s (judged by its status, as
/// [`crate::retry::AttemptOutcome::of_error`] does).
pub fn refusal(error: &Error, provider: Provider) -> Option<ProviderError> {
    match error {
        Error::Provider(p) if !p.status.is_server_error() => Some(p.clone()),
        Error::Undecodable { status, .. } if *status == http::StatusCode::TOO_MANY_REQUESTS => {
            Some(ProviderError::new(
                provider,
                *status,
                None,
                "too many requests (the answer was not the provider's)",
                Vec::new(),
            ))
        }
        _ => None,
    }
}

impl Step {
    /// Whether this is a send whose effect may exist at the provider and is not known: its outcome
    /// was unknown, its answer did not show the payout as done, or it was refused because the id
    /// is taken.
    pub fn is_uncertain_send(&self) -> bool {
        if self.action != StepAction::Send {
            return false;
        }
        match &self.result {
            StepResult::Unknown { .. } => true,
            StepResult::Payout { verdict, .. } => {
                matches!(verdict, Verdict::Absent | Verdict::InDoubt { .. })
            }
            StepResult::Refused { class, .. } => !class.did_nothing(),
            StepResult::NotFound | StepResult::NotSent { .. } | StepResult::Failed { .. } => false,
        }
    }

    /// Whether this is a lookup that answered "nothing is there" (not found, or not committed).
    pub fn is_negative_lookup(&self) -> bool {
        self.action == StepAction::Lookup
            && matches!(
                self.result,
                StepResult::NotFound
                    | StepResult::Payout {
                        verdict: Verdict::Absent,
                        ..
                    }
            )
    }
}

impl Evidence {
    /// Evidence of a send that started at `started` and whose outcome is unknown because the
    /// process stopped during it (a crash, a dropped future): the entry point to resume a
    /// recovery without sending again. The recovery closes it at the moment it resumes
    /// ([`Evidence::close_open_sends`]).
    pub fn interrupted_send(started: OffsetDateTime) -> Self {
        Self {
            steps: vec![Step {
                action: StepAction::Send,
                started,
                ended: None,
                result: StepResult::Unknown {
                    error: "interrupted: the answer was never read".to_owned(),
                },
            }],
        }
    }

    /// Marks every open send (no `ended`) as ended at `now` with an unknown outcome: from the
    /// provider's side it may still be processed until `now` plus the settle window.
    pub fn close_open_sends(&mut self, now: OffsetDateTime) {
        for step in &mut self.steps {
            if step.action == StepAction::Send && step.ended.is_none() {
                step.ended = Some(now.max(step.started));
                if !step.is_uncertain_send() {
                    step.result = StepResult::Unknown {
                        error: "interrupted: the answer was never read".to_owned(),
                    };
                }
            }
        }
    }

    /// The sends, in order.
    pub fn sends(&self) -> impl Iterator<Item = &Step> {
        self.steps.iter().filter(|s| s.action == StepAction::Send)
    }

    /// The lookups, in order.
    pub fn lookups(&self) -> impl Iterator<Item = &Step> {
        self.steps.iter().filter(|s| s.action == StepAction::Lookup)
    }

    /// Appends a step.
    pub fn push(
        &mut self,
        action: StepAction,
        started: OffsetDateTime,
        ended: OffsetDateTime,
        result: StepResult,
    ) {
        self.steps.push(Step {
            action,
            started,
            ended: Some(ended),
            result,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::{Delivery, TransportError, TransportErrorKind};
    use bytes::Bytes;
    use http::StatusCode;
    use time::macros::datetime;

    fn classify(p: &ProviderError) -> RefusalClass {
        if p.code == Some(6) {
            RefusalClass::Exists
        } else if p.status == StatusCode::TOO_MANY_REQUESTS {
            RefusalClass::Throttled
        } else {
            RefusalClass::Definitive
        }
    }

    #[test]
    fn send_errors_map_to_results() {
        let provider = |status: u16, code: Option<i64>| {
            Error::from(ProviderError::new(
                Provider::Qostiq,
                StatusCode::from_u16(status).unwrap(),
                code,
                "refused\nforged",
                vec![],
            ))
        };
        let transport = |delivery| {
            Error::from(TransportError::new(
                TransportErrorKind::Timeout,
                delivery,
                None,
            ))
        };
        // (error, expected result kind, refusal class)
        let cases: Vec<(Error, &str, Option<RefusalClass>)> = vec![
            (
                provider(400, Some(6)),
                "refused",
                Some(RefusalClass::Exists),
            ),
            (
                provider(400, Some(5)),
                "refused",
                Some(RefusalClass::Definitive),
            ),
            (
                provider(429, None),
                "refused",
                Some(RefusalClass::Throttled),
            ),
            (
                Error::undecodable(StatusCode::TOO_MANY_REQUESTS, "html", Bytes::new()),
                "refused",
                Some(RefusalClass::Throttled),
            ),
            (provider(502, None), "unknown", None),
            (
                Error::undecodable(StatusCode::OK, "truncated", Bytes::new()),
                "unknown",
                None,
            ),
            (transport(Delivery::MaybeSent), "unknown", None),
            (transport(Delivery::NotSent), "not_sent", None),
            (Error::invalid_input("amount", "bad"), "not_sent", None),
        ];
        for (error, kind, class) in cases {
            let result = StepResult::of_send_error(&error, Provider::Qostiq, classify);
            let json = serde_json::to_value(&result).unwrap();
            assert_eq!(json["result"], kind, "{error:?}");
            if let StepResult::Refused {
                class: got,
                message,
                ..
            } = &result
            {
                assert_eq!(Some(*got), class, "{error:?}");
                assert!(!message.contains('\n'), "{message}");
            } else {
                assert_eq!(class, None, "{error:?}");
            }
        }
    }

    #[test]
    fn steps_are_stored_flat_and_read_back() {
        let t = datetime!(2024-01-01 0:00 UTC);
        let evidence = Evidence {
            steps: vec![
                Step {
                    action: StepAction::Send,
                    started: t,
                    ended: Some(t),
                    result: StepResult::Refused {
                        class: RefusalClass::Exists,
                        status: 400,
                        code: Some(6),
                        message: "\"duplicate\"".into(),
                    },
                },
                Step {
                    action: StepAction::Lookup,
                    started: t,
                    ended: Some(t),
                    result: StepResult::payout(
                        Verdict::Conflict {
                            differences: vec![crate::recovery::Difference {
                                field: "payee_receive".into(),
                                asked: "500.00".into(),
                                found: "1.00".into(),
                            }],
                        },
                        "withdrawal 5",
                    ),
                },
            ],
        };
        let json = serde_json::to_value(&evidence).unwrap();
        assert_eq!(
            json["steps"][0],
            serde_json::json!({"action": "send", "started": "2024-01-01T00:00:00Z",
                "ended": "2024-01-01T00:00:00Z", "result": "refused", "class": "exists",
                "status": 400, "code": 6, "message": "\"duplicate\""})
        );
        assert_eq!(json["steps"][1]["result"], "payout");
        assert_eq!(json["steps"][1]["verdict"], "conflict");
        assert_eq!(json["steps"][1]["differences"][0]["asked"], "500.00");
        let back: Evidence = serde_json::from_value(json).unwrap();
        assert_eq!(back, evidence);
    }

    #[test]
    fn uncertain_sends_and_negative_lookups() {
        let t = datetime!(2024-01-01 0:00 UTC);
        let step = |action, result| Step {
            action,
            started: t,
            ended: Some(t),
            result,
        };
        let refused = |class| StepResult::Refused {
            class,
            status: 400,
            code: None,
            message: String::new(),
        };
        let payout = |verdict| StepResult::payout(verdict, "p");
        use StepAction::*;
        // (step, uncertain send, negative lookup)
        let cases = [
            (
                step(
                    Send,
                    StepResult::Unknown {
                        error: String::new(),
                    },
                ),
                true,
                false,
            ),
            (step(Send, payout(Verdict::Absent)), true, false),
            (
                step(
                    Send,
                    payout(Verdict::InDoubt {
                        reason: String::new(),
                    }),
                ),
                true,
                false,
            ),
            (step(Send, payout(Verdict::Same)), false, false),
            (step(Send, refused(RefusalClass::Exists)), true, false),
            (step(Send, refused(RefusalClass::Definitive)), false, false),
            (step(Send, refused(RefusalClass::LookFirst)), false, false),
            (step(Send, refused(RefusalClass::Throttled)), false, false),
            (
                step(
                    Send,
                    StepResult::NotSent {
                        error: String::new(),
                    },
                ),
                false,
                false,
            ),
            (step(Lookup, StepResult::NotFound), false, true),
            (step(Lookup, payout(Verdict::Absent)), false, true),
            (step(Lookup, payout(Verdict::Same)), false, false),
            (
                step(
                    Lookup,
                    StepResult::Failed {
                        error: String::new(),
                    },
                ),
                false,
                false,
            ),
        ];
        for (step, uncertain, negative) in cases {
            assert_eq!(step.is_uncertain_send(), uncertain, "{step:?}");
            assert_eq!(step.is_negative_lookup(), negative, "{step:?}");
        }
    }

    #[test]
    fn an_interrupted_send_is_closed_at_the_resume_and_round_trips() {
        let started = datetime!(2024-01-01 0:00 UTC);
        let mut evidence = Evidence::interrupted_send(started);
        let json = serde_json::to_string(&evidence).unwrap();
        assert!(json.contains(r#""ended":null"#), "{json}");
        assert!(json.contains(r#""action":"send""#), "{json}");
        assert!(json.contains(r#""result":"unknown""#), "{json}");
        let mut back: Evidence = serde_json::from_str(&json).unwrap();
        assert_eq!(back, evidence);
        let resumed = datetime!(2024-01-01 3:00 UTC);
        back.close_open_sends(resumed);
        evidence.close_open_sends(resumed);
        assert_eq!(back, evidence);
        assert_eq!(evidence.steps[0].ended, Some(resumed));
        assert!(evidence.steps[0].is_uncertain_send());
    }
}
