//! The pure decisions of a recovery: given the [`Evidence`] so far, send, look up (not before some
//! instant), or finish with an outcome. No IO and no clock: the instants come from the evidence.
//!
//! The rules, each a function tested on its own:
//!
//! * [`settle`]: a send whose outcome is unknown may still be applied by the provider for a while
//!   after its answer was lost (held in a queue, still executing). Its effect is settled only a
//!   **settle window** after it ended.
//! * [`is_conclusive`]: a negative answer (not found, still pending) says something only if it was
//!   asked after every uncertain send settled. Before that: wait and look again.
//! * [`may_resend`]: the same id is sent again only after a conclusive negative answer, only if the
//!   last send was not refused, within the re-send budget, and while a lookup is left to check it.
//! * [`may_report_refused`]: "refused" is reported only when no send of the intent can have done
//!   anything: every send was certainly not sent or refused without effect.
//! * [`next`]: the whole table, built on the four.

use std::time::Duration;

use time::OffsetDateTime;

use super::evidence::{Evidence, RefusalClass, StepAction, StepResult};
use super::intent::Verdict;
use super::outcome::OutcomeName;

/// What the money-moving request does, which names its first success.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// Creates a payout (Qostiq): answered → `created`.
    Create,
    /// Commits a prepared payout (COINQVEST): answered → `committed`.
    Commit,
}

/// The bounds of one recovery.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    /// What the request does.
    pub action: Action,
    /// How long after a send with an unknown outcome ended its effect may still appear at the
    /// provider ([`default_settle_window`]).
    pub settle_window: Duration,
    /// Lookups at most, per call ([`Policy::DEFAULT_LOOKUPS`]).
    pub lookups: u32,
    /// Sends of the same id after the first, at most, per call ([`Policy::DEFAULT_RESENDS`]).
    pub resends: u32,
    /// The first step of this call in the evidence: steps before it were made by earlier calls
    /// (a resumed recovery), and the per-call bounds count only the steps from here. 0 for a
    /// fresh start.
    pub first_step: usize,
}

impl Policy {
    /// Lookups per call by default: for each send whose answer is lost, one right after and one
    /// once it settled (two re-sends and a last check), or failing lookups ridden out.
    pub const DEFAULT_LOOKUPS: u32 = 5;
    /// Re-sends per call by default: two, each after a conclusive "nothing there". A re-send
    /// cannot pay twice (both providers refuse a second payout under one id: Qostiq's unique
    /// `shop_payment_id`, COINQVEST's commit of a committed withdrawal); the settle window keeps
    /// what is *reported* true. A call that still cannot decide answers `unknown`, resumable.
    pub const DEFAULT_RESENDS: u32 = 2;

    /// The default bounds for `action` with `settle_window`.
    pub fn new(action: Action, settle_window: Duration) -> Self {
        Self {
            action,
            settle_window,
            lookups: Self::DEFAULT_LOOKUPS,
            resends: Self::DEFAULT_RESENDS,
            first_step: 0,
        }
    }

    /// The steps of `evidence` made by this call.
    fn this_call<'e>(
        &self,
        evidence: &'e Evidence,
    ) -> impl Iterator<Item = &'e super::evidence::Step> {
        evidence.steps.iter().skip(self.first_step)
    }

    /// Re-sends made by this call: its sends, but for a call that sent first (a fresh start) the
    /// first one is not a re-send.
    fn resends_made(&self, evidence: &Evidence) -> usize {
        let sends = |s: &&super::evidence::Step| s.action == StepAction::Send;
        let here = self.this_call(evidence).filter(sends).count();
        let before = evidence
            .steps
            .iter()
            .take(self.first_step)
            .filter(sends)
            .count();
        if before == 0 {
            here.saturating_sub(1)
        } else {
            here
        }
    }
}

/// The default settle window for an attempt timeout: **twice the attempt timeout** (60 s for the
/// default 30 s).
///
/// A request whose answer was lost reached the provider at the latest when its attempt ended. A
/// provider processes a request within about the time we wait for one (an API that routinely
/// took longer would fail every call of ours), so one attempt timeout after the end covers a
/// request that arrived at the last moment; the second covers a request that sat in the
/// provider's queue or proxy first. A provider that holds requests longer needs a longer window
/// (set it on the client builder).
pub fn default_settle_window(attempt_timeout: Duration) -> Duration {
    attempt_timeout.saturating_mul(2)
}

/// What to do next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Next {
    /// Send the request with the intent's id (the first time, or again).
    Send,
    /// Look the payout up, not before `not_before` when set (wait until then).
    LookUp {
        /// The earliest instant the lookup may start (the settle deadline).
        not_before: Option<OffsetDateTime>,
    },
    /// Stop: the outcome is decided.
    Finish(OutcomeName),
}

/// When the effect of every uncertain send is settled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Settle {
    /// No send is uncertain: every send was answered, refused without effect, or never sent.
    Nothing,
    /// The last instant an uncertain send may still take effect.
    At(OffsetDateTime),
    /// A send never ended (close it with [`Evidence::close_open_sends`]): never settled.
    Open,
}

/// When the uncertain sends of `evidence` settle under `policy`.
pub fn settle(policy: &Policy, evidence: &Evidence) -> Settle {
    let window = time::Duration::try_from(policy.settle_window).unwrap_or(time::Duration::MAX);
    let mut deadline = None;
    for step in evidence.sends().filter(|s| s.is_uncertain_send()) {
        let Some(ended) = step.ended else {
            return Settle::Open;
        };
        let settles = ended.saturating_add(window);
        deadline = Some(deadline.map_or(settles, |d: OffsetDateTime| d.max(settles)));
    }
    deadline.map_or(Settle::Nothing, Settle::At)
}

/// Whether a negative answer asked at `asked_at` is conclusive: every uncertain send had settled.
pub fn is_conclusive(policy: &Policy, evidence: &Evidence, asked_at: OffsetDateTime) -> bool {
    match settle(policy, evidence) {
        Settle::Nothing => true,
        Settle::At(deadline) => asked_at >= deadline,
        Settle::Open => false,
    }
}

/// Whether "refused" may be reported: at least one send was refused, and every send either never
/// left or was refused in a way that proves it did nothing ([`RefusalClass::did_nothing`]). One
/// send with an unknown outcome, or a refusal saying the id is taken, rules it out for good.
pub fn may_report_refused(evidence: &Evidence) -> bool {
    let mut refused = false;
    for send in evidence.sends() {
        match &send.result {
            StepResult::NotSent { .. } => {}
            StepResult::Refused { class, .. } if class.did_nothing() => refused = true,
            _ => return false,
        }
    }
    refused
}

/// Whether the intent may be sent again now, with the same id: the last step is a conclusive
/// negative lookup after an uncertain send, this call's last send was not refused (a refusal of a
/// re-send means something still holds the id or the money: look again instead), a re-send is
/// left to this call, and a lookup is left to check it. The negative lookup must be this call's
/// own: a resumed recovery looks before it sends. A refusal made by an earlier call is stale: a
/// resumed call that then found nothing, conclusively, may send again (a re-send cannot pay
/// twice: both providers refuse a second payout under one id).
pub fn may_resend(policy: &Policy, evidence: &Evidence) -> bool {
    let Some(last) = evidence.steps.last() else {
        return false;
    };
    if evidence.steps.len() <= policy.first_step {
        return false;
    }
    let settled_before_asking =
        matches!(settle(policy, evidence), Settle::At(deadline) if last.started >= deadline);
    let last_send_not_refused = match policy
        .this_call(evidence)
        .filter(|s| s.action == StepAction::Send)
        .last()
    {
        Some(s) => matches!(
            s.result,
            StepResult::Unknown { .. } | StepResult::NotSent { .. } | StepResult::Payout { .. }
        ),
        None => evidence.sends().last().is_some(),
    };
    last.is_negative_lookup()
        && settled_before_asking
        && last_send_not_refused
        && policy.resends_made(evidence) < policy.resends as usize
        && lookups_left(policy, evidence)
}

/// Whether this call may still look up.
fn lookups_left(policy: &Policy, evidence: &Evidence) -> bool {
    policy
        .this_call(evidence)
        .filter(|s| s.action == StepAction::Lookup)
        .count()
        < policy.lookups as usize
}

/// The next step of a recovery (see the module docs; `docs/reliability.md` has the table).
pub fn next(policy: &Policy, evidence: &Evidence) -> Next {
    let Some(last) = evidence.steps.last() else {
        return Next::Send;
    };
    let look_again = |not_before| {
        if lookups_left(policy, evidence) {
            Next::LookUp { not_before }
        } else {
            Next::Finish(OutcomeName::Unknown)
        }
    };
    match (last.action, &last.result) {
        (
            _,
            StepResult::Payout {
                verdict: Verdict::Conflict { .. },
                ..
            },
        ) => Next::Finish(OutcomeName::Conflict),
        (
            StepAction::Send,
            StepResult::Payout {
                verdict: Verdict::Same,
                ..
            },
        ) => {
            if evidence.sends().count() == 1 {
                Next::Finish(match policy.action {
                    Action::Create => OutcomeName::Created,
                    Action::Commit => OutcomeName::Committed,
                })
            } else {
                Next::Finish(OutcomeName::Recreated)
            }
        }
        (StepAction::Send, StepResult::NotSent { .. })
            if evidence
                .sends()
                .all(|s| matches!(s.result, StepResult::NotSent { .. })) =>
        {
            Next::Finish(OutcomeName::NotSent)
        }
        (
            StepAction::Send,
            StepResult::Refused {
                class: RefusalClass::Definitive | RefusalClass::Throttled,
                ..
            },
        ) if may_report_refused(evidence) => Next::Finish(OutcomeName::Refused),
        (StepAction::Send, _) => look_again(None),
        (
            StepAction::Lookup,
            StepResult::Payout {
                verdict: Verdict::Same,
                ..
            },
        ) => Next::Finish(OutcomeName::Adopted),
        (StepAction::Lookup, _) if last.is_negative_lookup() => match settle(policy, evidence) {
            Settle::Nothing if may_report_refused(evidence) => Next::Finish(OutcomeName::Refused),
            Settle::Nothing | Settle::Open => look_again(None),
            Settle::At(deadline) if last.started < deadline => look_again(Some(deadline)),
            Settle::At(_) if may_resend(policy, evidence) => Next::Send,
            Settle::At(_) => look_again(None),
        },
        (StepAction::Lookup, _) => look_again(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::recovery::evidence::Step;
    use time::macros::datetime;

    const T0: OffsetDateTime = datetime!(2024-01-01 0:00 UTC);
    const WINDOW: Duration = Duration::from_secs(60);

    fn at(seconds: i64) -> OffsetDateTime {
        T0 + time::Duration::seconds(seconds)
    }

    /// A step from a compact spelling: `S:unknown@0-1` is a send started at 0 s, ended at 1 s.
    fn step(spec: &str) -> Step {
        let (head, times) = spec.split_once('@').unwrap();
        let (action, result) = head.split_once(':').unwrap();
        let (start, end) = times.split_once('-').unwrap();
        let action = match action {
            "S" => StepAction::Send,
            "L" => StepAction::Lookup,
            other => panic!("{other}"),
        };
        let refused = |class| StepResult::Refused {
            class,
            status: 400,
            code: None,
            message: String::new(),
        };
        let result = match result {
            "same" => StepResult::payout(Verdict::Same, "p"),
            "absent" => StepResult::payout(Verdict::Absent, "p"),
            "doubt" => StepResult::payout(
                Verdict::InDoubt {
                    reason: "ON_HOLD".into(),
                },
                "p",
            ),
            "conflict" => StepResult::payout(
                Verdict::Conflict {
                    differences: vec![],
                },
                "p",
            ),
            "notfound" => StepResult::NotFound,
            "unknown" => StepResult::Unknown {
                error: String::new(),
            },
            "notsent" => StepResult::NotSent {
                error: String::new(),
            },
            "failed" => StepResult::Failed {
                error: String::new(),
            },
            "definitive" => refused(RefusalClass::Definitive),
            "throttled" => refused(RefusalClass::Throttled),
            "lookfirst" => refused(RefusalClass::LookFirst),
            "exists" => refused(RefusalClass::Exists),
            other => panic!("{other}"),
        };
        Step {
            action,
            started: at(start.parse().unwrap()),
            ended: if end == "open" {
                None
            } else {
                Some(at(end.parse().unwrap()))
            },
            result,
        }
    }

    fn evidence(specs: &[&str]) -> Evidence {
        Evidence {
            steps: specs.iter().map(|s| step(s)).collect(),
        }
    }

    /// The tables' bounds: four lookups, one re-send (the defaults are larger; see
    /// `the_defaults`).
    fn create() -> Policy {
        Policy {
            lookups: 4,
            resends: 1,
            ..Policy::new(Action::Create, WINDOW)
        }
    }

    /// Two lost sends, each followed by two conclusive "not found" lookups.
    const TWO_LOST_SENDS: [&str; 6] = [
        "S:unknown@0-30",
        "L:notfound@30-31",
        "L:notfound@90-91",
        "S:unknown@91-121",
        "L:notfound@121-122",
        "L:notfound@181-182",
    ];

    #[test]
    fn the_bounds_are_per_call_so_a_resumed_recovery_can_finish() {
        // A first call used all its lookups and its re-send, and ended unknown.
        let spent = TWO_LOST_SENDS;
        assert_eq!(
            next(&create(), &evidence(&spent)),
            Next::Finish(OutcomeName::Unknown)
        );
        // Resumed later: this call looks again, and may re-send after a conclusive answer.
        let resumed = Policy {
            first_step: spent.len(),
            ..create()
        };
        assert_eq!(
            next(&resumed, &evidence(&spent)),
            Next::LookUp { not_before: None }
        );
        let mut ev = evidence(&spent);
        ev.steps.push(step("L:notfound@900-901"));
        assert_eq!(next(&resumed, &ev), Next::Send);
        ev.steps.push(step("S:same@901-902"));
        assert_eq!(next(&resumed, &ev), Next::Finish(OutcomeName::Recreated));
        // A re-send refused by an earlier call is stale: resumed, the call that finds nothing
        // (conclusively) sends again; within one call a refused re-send is never followed by
        // another.
        let mut refused = evidence(&spent);
        refused.steps.push(step("L:notfound@900-901"));
        refused.steps.push(step("S:definitive@901-902"));
        refused.steps.push(step("L:notfound@902-903"));
        assert_eq!(next(&resumed, &refused), Next::LookUp { not_before: None });
        let again = Policy {
            first_step: refused.steps.len(),
            ..create()
        };
        assert_eq!(next(&again, &refused), Next::LookUp { not_before: None });
        refused.steps.push(step("L:notfound@2000-2001"));
        assert_eq!(next(&again, &refused), Next::Send);
        // An earlier uncertain send still forbids "refused" in a resumed call.
        let mut ev = evidence(&spent);
        ev.steps.push(step("L:notfound@900-901"));
        ev.steps.push(step("S:definitive@901-902"));
        assert!(!may_report_refused(&ev));
        assert_eq!(next(&resumed, &ev), Next::LookUp { not_before: None });
        // A resumed call's sends are all re-sends.
        let interrupted = evidence(&["S:unknown@0-open"]);
        let policy = Policy {
            first_step: 1,
            resends: 1,
            ..create()
        };
        assert_eq!(policy.resends_made(&interrupted), 0);
        let mut ev = interrupted;
        ev.steps.push(step("S:unknown@100-130"));
        assert_eq!(policy.resends_made(&ev), 1);
    }

    #[test]
    fn the_defaults() {
        let p = Policy::new(Action::Commit, WINDOW);
        assert_eq!((p.lookups, p.resends), (5, 2));
        // With the defaults, two lost sends in a row are still re-sent once each.
        let ev = evidence(&TWO_LOST_SENDS);
        assert_eq!(next(&p, &ev), Next::Send);
        let mut ev = ev;
        ev.steps.push(step("S:unknown@182-212"));
        ev.steps.push(step("L:notfound@212-213"));
        assert_eq!(next(&p, &ev), Next::Finish(OutcomeName::Unknown));
    }

    #[test]
    fn the_default_settle_window_is_twice_the_attempt_timeout() {
        assert_eq!(
            default_settle_window(Duration::from_secs(30)),
            Duration::from_secs(60)
        );
        assert_eq!(default_settle_window(Duration::MAX), Duration::MAX);
    }

    #[test]
    fn settle_table() {
        // (evidence, settle)
        let cases: &[(&[&str], Settle)] = &[
            (&[], Settle::Nothing),
            (&["S:definitive@0-1"], Settle::Nothing),
            (&["S:lookfirst@0-1", "L:notfound@1-2"], Settle::Nothing),
            (&["S:notsent@0-1"], Settle::Nothing),
            (&["S:unknown@0-30"], Settle::At(at(90))),
            (&["S:exists@0-2"], Settle::At(at(62))),
            (&["S:absent@0-2"], Settle::At(at(62))),
            // The latest uncertain send decides.
            (
                &[
                    "S:unknown@0-30",
                    "L:notfound@30-31",
                    "L:notfound@90-91",
                    "S:unknown@91-121",
                ],
                Settle::At(at(181)),
            ),
            (
                &["S:unknown@0-30", "L:notfound@90-91", "S:definitive@91-92"],
                Settle::At(at(90)),
            ),
            (&["S:unknown@0-open"], Settle::Open),
        ];
        for (specs, expected) in cases {
            assert_eq!(settle(&create(), &evidence(specs)), *expected, "{specs:?}");
        }
    }

    #[test]
    fn conclusive_table() {
        // (evidence, asked at, conclusive)
        let cases: &[(&[&str], i64, bool)] = &[
            (&["S:unknown@0-30"], 30, false),
            (&["S:unknown@0-30"], 89, false),
            (&["S:unknown@0-30"], 90, true),
            (&["S:unknown@0-30"], 500, true),
            (&["S:unknown@0-open"], 10_000, false),
            (&["S:lookfirst@0-1"], 1, true),
            (&["S:exists@0-1"], 30, false),
            (&["S:exists@0-1"], 61, true),
        ];
        for (specs, asked, expected) in cases {
            assert_eq!(
                is_conclusive(&create(), &evidence(specs), at(*asked)),
                *expected,
                "{specs:?} at {asked}"
            );
        }
    }

    #[test]
    fn may_report_refused_table() {
        // (evidence, may report refused)
        let cases: &[(&[&str], bool)] = &[
            (&[], false),
            (&["S:definitive@0-1"], true),
            (&["S:throttled@0-1"], true),
            (&["S:lookfirst@0-1", "L:notfound@1-2"], true),
            (&["S:notsent@0-1"], false),
            (&["S:notsent@0-1", "L:failed@1-2", "S:definitive@2-3"], true),
            // Once a send may have done something, never.
            (
                &["S:unknown@0-1", "L:notfound@61-62", "S:definitive@62-63"],
                false,
            ),
            (&["S:exists@0-1"], false),
            (
                &["S:absent@0-1", "L:notfound@61-62", "S:definitive@62-63"],
                false,
            ),
            (&["S:same@0-1"], false),
        ];
        for (specs, expected) in cases {
            assert_eq!(may_report_refused(&evidence(specs)), *expected, "{specs:?}");
        }
    }

    #[test]
    fn may_resend_table() {
        // (evidence, may re-send)
        let cases: &[(&[&str], bool)] = &[
            (&[], false),
            // Conclusive "not found" after a lost answer.
            (
                &["S:unknown@0-30", "L:notfound@30-31", "L:notfound@90-91"],
                true,
            ),
            (&["S:unknown@0-30", "L:notfound@90-91"], true),
            // Not conclusive yet.
            (&["S:unknown@0-30", "L:notfound@30-31"], false),
            (&["S:unknown@0-30", "L:notfound@89-90"], false),
            // COINQVEST "still pending" counts as negative.
            (&["S:unknown@0-30", "L:absent@90-91"], true),
            (&["S:unknown@0-30", "L:absent@31-32"], false),
            // The last step must be the negative lookup.
            (
                &["S:unknown@0-30", "L:notfound@90-91", "L:failed@91-92"],
                false,
            ),
            (&["S:unknown@0-30", "L:same@90-91"], false),
            // A refused send is never followed by a re-send.
            (
                &[
                    "S:unknown@0-30",
                    "L:notfound@90-91",
                    "S:definitive@91-92",
                    "L:notfound@92-93",
                ],
                false,
            ),
            (&["S:exists@0-1", "L:notfound@61-62"], false),
            // Nothing uncertain: nothing to re-send (the refusal stands).
            (&["S:lookfirst@0-1", "L:notfound@1-2"], false),
            // One re-send per call by default.
            (
                &[
                    "S:unknown@0-30",
                    "L:notfound@90-91",
                    "S:unknown@91-121",
                    "L:notfound@181-182",
                ],
                false,
            ),
            // No lookup left to check a re-send.
            (
                &[
                    "S:unknown@0-30",
                    "L:failed@30-31",
                    "L:failed@31-32",
                    "L:failed@32-33",
                    "L:notfound@90-91",
                ],
                false,
            ),
            // An open send never settles.
            (&["S:unknown@0-open", "L:notfound@900-901"], false),
        ];
        for (specs, expected) in cases {
            assert_eq!(
                may_resend(&create(), &evidence(specs)),
                *expected,
                "{specs:?}"
            );
        }
        let two = Policy {
            resends: 2,
            ..create()
        };
        assert!(may_resend(
            &two,
            &evidence(&[
                "S:unknown@0-30",
                "L:notfound@90-91",
                "S:unknown@91-121",
                "L:notfound@181-182"
            ])
        ));
    }

    #[test]
    fn next_step_table() {
        use Next::*;
        use OutcomeName as O;
        let look = LookUp { not_before: None };
        let wait_until = |s: i64| LookUp {
            not_before: Some(at(s)),
        };
        // (evidence, next)
        let cases: &[(&[&str], Next)] = &[
            (&[], Send),
            // Answered.
            (&["S:same@0-1"], Finish(O::Created)),
            (&["S:conflict@0-1"], Finish(O::Conflict)),
            (&["S:absent@0-1"], look),
            (&["S:doubt@0-1"], look),
            // Never sent / refused at once.
            (&["S:notsent@0-1"], Finish(O::NotSent)),
            (&["S:definitive@0-1"], Finish(O::Refused)),
            (&["S:throttled@0-1"], Finish(O::Refused)),
            // A refusal that may hide an existing payout is looked up first.
            (&["S:lookfirst@0-1"], look),
            (&["S:lookfirst@0-1", "L:notfound@1-2"], Finish(O::Refused)),
            (&["S:lookfirst@0-1", "L:absent@1-2"], Finish(O::Refused)),
            (&["S:lookfirst@0-1", "L:same@1-2"], Finish(O::Adopted)),
            (&["S:lookfirst@0-1", "L:conflict@1-2"], Finish(O::Conflict)),
            // Duplicate id: adopted only if it is the same payout.
            (&["S:exists@0-1"], look),
            (&["S:exists@0-1", "L:same@1-2"], Finish(O::Adopted)),
            (&["S:exists@0-1", "L:conflict@1-2"], Finish(O::Conflict)),
            (&["S:exists@0-1", "L:notfound@1-2"], wait_until(61)),
            (
                &["S:exists@0-1", "L:notfound@1-2", "L:notfound@61-62"],
                look,
            ),
            // Lost answer: look at once, adopt what is there.
            (&["S:unknown@0-30"], look),
            (&["S:unknown@0-30", "L:same@30-31"], Finish(O::Adopted)),
            (&["S:unknown@0-30", "L:conflict@30-31"], Finish(O::Conflict)),
            // "Not found" before the window: wait until it settles, look again.
            (&["S:unknown@0-30", "L:notfound@30-31"], wait_until(90)),
            (&["S:unknown@0-30", "L:absent@30-31"], wait_until(90)),
            // The first request landed meanwhile.
            (
                &["S:unknown@0-30", "L:notfound@30-31", "L:same@90-91"],
                Finish(O::Adopted),
            ),
            // Conclusive: re-send with the same id.
            (
                &["S:unknown@0-30", "L:notfound@30-31", "L:notfound@90-91"],
                Send,
            ),
            (
                &[
                    "S:unknown@0-30",
                    "L:notfound@30-31",
                    "L:notfound@90-91",
                    "S:same@91-92",
                ],
                Finish(O::Recreated),
            ),
            (
                &[
                    "S:unknown@0-30",
                    "L:absent@30-31",
                    "L:absent@90-91",
                    "S:same@91-92",
                ],
                Finish(O::Recreated),
            ),
            // The re-send is refused (the first one holds the balance): look again, never "refused".
            (
                &[
                    "S:unknown@0-30",
                    "L:notfound@30-31",
                    "L:notfound@90-91",
                    "S:definitive@91-92",
                ],
                look,
            ),
            (
                &[
                    "S:unknown@0-30",
                    "L:notfound@30-31",
                    "L:notfound@90-91",
                    "S:definitive@91-92",
                    "L:same@151-152",
                ],
                Finish(O::Adopted),
            ),
            (
                &[
                    "S:unknown@0-30",
                    "L:notfound@30-31",
                    "L:notfound@90-91",
                    "S:definitive@91-92",
                    "L:notfound@151-152",
                ],
                look,
            ),
            (
                &[
                    "S:unknown@0-30",
                    "L:notfound@30-31",
                    "L:notfound@90-91",
                    "S:definitive@91-92",
                    "L:notfound@151-152",
                    "L:notfound@211-212",
                ],
                Finish(O::Unknown),
            ),
            (
                &[
                    "S:unknown@0-30",
                    "L:notfound@30-31",
                    "L:notfound@90-91",
                    "S:lookfirst@91-92",
                ],
                look,
            ),
            // A COINQVEST re-commit answered "already COMPLETED": look, adopt.
            (
                &[
                    "S:unknown@0-30",
                    "L:absent@30-31",
                    "L:absent@90-91",
                    "S:lookfirst@91-92",
                    "L:same@92-93",
                ],
                Finish(O::Adopted),
            ),
            // The re-send lost too: its own window.
            (
                &[
                    "S:unknown@0-30",
                    "L:notfound@30-31",
                    "L:notfound@90-91",
                    "S:unknown@91-121",
                ],
                look,
            ),
            (
                &[
                    "S:unknown@0-30",
                    "L:notfound@30-31",
                    "L:notfound@90-91",
                    "S:unknown@91-121",
                    "L:notfound@121-122",
                ],
                wait_until(181),
            ),
            (
                &[
                    "S:unknown@0-30",
                    "L:notfound@30-31",
                    "L:notfound@90-91",
                    "S:unknown@91-121",
                    "L:same@121-122",
                ],
                Finish(O::Adopted),
            ),
            // A re-send certainly not sent: still uncertain from the first; look again.
            (
                &[
                    "S:unknown@0-30",
                    "L:notfound@30-31",
                    "L:notfound@90-91",
                    "S:notsent@91-92",
                ],
                look,
            ),
            // Failing lookups use up the rounds, then "unknown".
            (&["S:unknown@0-30", "L:failed@30-31"], look),
            (
                &[
                    "S:unknown@0-30",
                    "L:failed@30-31",
                    "L:failed@31-32",
                    "L:failed@32-33",
                    "L:failed@33-34",
                ],
                Finish(O::Unknown),
            ),
            (
                &[
                    "S:unknown@0-30",
                    "L:doubt@30-31",
                    "L:doubt@31-32",
                    "L:doubt@32-33",
                    "L:doubt@33-34",
                ],
                Finish(O::Unknown),
            ),
            // The last lookup before the window: "unknown", never "refused" or "not committed".
            (
                &[
                    "S:unknown@0-30",
                    "L:failed@30-31",
                    "L:failed@31-32",
                    "L:failed@32-33",
                    "L:notfound@33-34",
                ],
                Finish(O::Unknown),
            ),
            // Resumed after a crash during the send: look first, never send first.
            (&["S:unknown@0-open"], look),
            (&["S:unknown@0-open", "L:notfound@900-901"], look),
        ];
        for (specs, expected) in cases {
            assert_eq!(next(&create(), &evidence(specs)), *expected, "{specs:?}");
        }
        let commit = Policy {
            action: Action::Commit,
            ..create()
        };
        assert_eq!(
            next(&commit, &evidence(&["S:same@0-1"])),
            Finish(O::Committed)
        );
    }

    /// Whatever the evidence, `refused` and `not_sent` are only reached when no send can have done
    /// anything, and a re-send only follows a conclusive negative lookup.
    #[test]
    fn no_evidence_leads_to_refused_after_an_uncertain_send() {
        let results = [
            "same",
            "absent",
            "doubt",
            "conflict",
            "notfound",
            "unknown",
            "notsent",
            "failed",
            "definitive",
            "throttled",
            "lookfirst",
            "exists",
        ];
        let policy = create();
        // Every sequence of up to four steps (sends and lookups), ten seconds apart.
        let mut sequences: Vec<Vec<String>> = vec![vec![]];
        for depth in 0..4 {
            let mut longer = Vec::new();
            for seq in &sequences {
                if seq.len() != depth {
                    continue;
                }
                for action in ["S", "L"] {
                    for result in results {
                        let t = seq.len() as i64 * 40;
                        let mut s = seq.clone();
                        s.push(format!("{action}:{result}@{t}-{}", t + 30));
                        longer.push(s);
                    }
                }
            }
            sequences.extend(longer);
        }
        for seq in sequences {
            let specs: Vec<&str> = seq.iter().map(String::as_str).collect();
            let ev = evidence(&specs);
            let uncertain = ev.sends().any(|s| s.is_uncertain_send());
            match next(&policy, &ev) {
                Next::Finish(OutcomeName::Refused) | Next::Finish(OutcomeName::NotSent) => {
                    assert!(!uncertain, "{specs:?}");
                }
                Next::Send if !ev.steps.is_empty() => {
                    let last = ev.steps.last().unwrap();
                    assert!(last.is_negative_lookup(), "{specs:?}");
                    assert!(is_conclusive(&policy, &ev, last.started), "{specs:?}");
                }
                _ => {}
            }
        }
    }
}
