//! How the payout commands (`pay qostiq withdraw-create`, `pay coinqvest withdrawal-commit`,
//! `pay qostiq bill-create`) print a [`PayoutOutcome`]: one JSON object, and the exit code.
//!
//! ```json
//! {"outcome": "adopted", "exists": true, "id": "w-1",
//!  "intent": {"operation": "qostiq.withdraw.create", "id": "w-1", "fields": {"payee_receive": "500.00", "account": "****1111"}},
//!  "payout": {...}, "evidence": {"steps": [...]}}
//! ```
//!
//! `conflict` adds `"conflict": {"found": {...}, "differences": [...]}`; `refused`, `not_sent` and
//! `unknown` add `"error"` when there is one. Account numbers are masked everywhere.
//!
//! | outcome | exit |
//! |---|---|
//! | `created`, `recreated`, `adopted`, `committed`: it exists as asked | 0 |
//! | `refused`, `not_sent`: nothing exists (nothing of this call can have done anything) | 1 |
//! | invalid input (nothing sent) | 2, on standard error, like every usage error |
//! | `unknown`: it may exist; run the same command again later (same id), or ask a person | 3 |
//! | `conflict`: another payout holds the id; a person compares both sides | 4 |

use pay_core::error::Error;
use pay_core::recovery::{OutcomeName, PayoutOutcome, Resolution};
use serde_json::{Map, Value, json};

/// Exit code of a payout that exists as asked.
pub(crate) const EXIT_EXISTS: u8 = 0;
/// Exit code of a payout refused or not sent: nothing exists.
pub(crate) const EXIT_NOTHING: u8 = 1;
/// Exit code of a usage error (invalid input before sending).
pub(crate) const EXIT_USAGE: u8 = 2;
/// Exit code of an unknown outcome.
pub(crate) const EXIT_UNKNOWN: u8 = 3;
/// Exit code of a conflict.
pub(crate) const EXIT_CONFLICT: u8 = 4;

/// What a payout command prints and how it exits.
pub(crate) enum Printed {
    /// One JSON object on standard output, and the exit code.
    Json(Value, u8),
    /// Invalid input: a message on standard error, exit 2.
    Usage(String),
}

/// The exit code of an outcome (see the module table).
pub(crate) fn exit_code(name: OutcomeName) -> u8 {
    match name {
        OutcomeName::Created
        | OutcomeName::Recreated
        | OutcomeName::Adopted
        | OutcomeName::Committed => EXIT_EXISTS,
        OutcomeName::Refused | OutcomeName::NotSent => EXIT_NOTHING,
        OutcomeName::Unknown => EXIT_UNKNOWN,
        OutcomeName::Conflict => EXIT_CONFLICT,
    }
}

/// Renders `outcome`, each payout through `payout_json`.
pub(crate) fn render<P>(outcome: PayoutOutcome<P>, payout_json: impl Fn(&P) -> Value) -> Printed {
    let name = outcome.name();
    let (resolution, intent, evidence) = outcome.into_parts();
    let mut fields = Map::new();
    for f in &intent.fields {
        // `Display` masks account numbers.
        fields.insert(f.name.clone(), Value::String(f.value.to_string()));
    }
    let mut out = Map::new();
    out.insert("outcome".into(), json!(name.as_str()));
    out.insert("exists".into(), json!(name.exists()));
    out.insert("id".into(), json!(intent.id));
    out.insert(
        "intent".into(),
        json!({"operation": intent.operation, "id": intent.id, "fields": fields}),
    );
    let mut payout = Value::Null;
    match &resolution {
        Resolution::Created(p)
        | Resolution::Committed(p)
        | Resolution::Recreated(p)
        | Resolution::Adopted(p) => payout = payout_json(p),
        Resolution::Refused(refusal) => {
            out.insert("error".into(), json!(refusal.to_string()));
        }
        Resolution::NotSent(Error::InvalidInput { field, reason }) => {
            return Printed::Usage(format!("invalid {field}: {reason} (nothing was sent)"));
        }
        Resolution::NotSent(e) | Resolution::Unknown(Some(e)) => {
            out.insert("error".into(), json!(e.to_string()));
        }
        Resolution::Unknown(None) => {}
        Resolution::Conflict(c) => {
            out.insert(
                "conflict".into(),
                json!({"found": payout_json(&c.found), "differences": c.differences}),
            );
        }
    }
    out.insert("payout".into(), payout);
    out.insert(
        "evidence".into(),
        serde_json::to_value(&evidence).unwrap_or(Value::Null),
    );
    Printed::Json(Value::Object(out), exit_code(name))
}

#[cfg(test)]
mod tests {
    use super::*;
    use pay_core::recovery::{Conflict, Difference, Evidence, FieldValue, Intent};
    use pay_core::text::AccountNumber;

    fn outcome(resolution: Resolution<u32>) -> PayoutOutcome<u32> {
        PayoutOutcome::new(
            resolution,
            Intent::new("qostiq.withdraw.create", "w-1").field(
                "account",
                FieldValue::Account(AccountNumber::new("4111111111111111").unwrap()),
            ),
            Evidence::default(),
        )
    }

    #[test]
    fn every_outcome_has_its_exit_code_and_masks_accounts() {
        let cases = [
            (Resolution::Created(1), "created", 0),
            (Resolution::Committed(1), "committed", 0),
            (Resolution::Recreated(1), "recreated", 0),
            (Resolution::Adopted(1), "adopted", 0),
            (
                Resolution::NotSent(Error::from(pay_core::error::TransportError::new(
                    pay_core::error::TransportErrorKind::Connect,
                    pay_core::error::Delivery::NotSent,
                    None,
                ))),
                "not_sent",
                1,
            ),
            (Resolution::Unknown(None), "unknown", 3),
            (
                Resolution::Conflict(Conflict {
                    found: 2,
                    differences: vec![Difference {
                        field: "id".into(),
                        asked: "w-1".into(),
                        found: "\"w-2\"".into(),
                    }],
                }),
                "conflict",
                4,
            ),
        ];
        for (resolution, name, code) in cases {
            let Printed::Json(json, exit) = render(outcome(resolution), |p| json!({"n": p})) else {
                panic!("{name}")
            };
            assert_eq!(json["outcome"], name);
            assert_eq!(exit, code, "{name}");
            let text = json.to_string();
            assert!(!text.contains("4111111111111111"), "{text}");
            assert_eq!(json["intent"]["fields"]["account"], "****1111");
            assert_eq!(json["payout"].is_null(), code != 0, "{name}");
            assert_eq!(json["conflict"].is_object(), name == "conflict");
        }
        assert!(matches!(
            render(
                outcome(Resolution::NotSent(Error::invalid_input("amount", "bad"))),
                |p| json!(p)
            ),
            Printed::Usage(_)
        ));
    }
}
