//! Every case of `testdata/vectors/qostiq_requests.json` and `qostiq_callbacks.json` through
//! pay-qostiq's own API: one test per file, each failing case named.
//!
//! Requests: every body is re-signed through [`pay_qostiq::explain_body`] (the endpoint table, the
//! server's Python rendering). Where the body maps onto a typed request, meaning every signed value is
//! text the typed API sends as is (amounts whose text is their Python `str()`, a `now` in the
//! endpoint's form), the request is also rebuilt through its typed struct and its `sign` must equal
//! the vector's. Whether a case is typed is decided from the vector alone, before building.
//!
//! Callbacks: every case goes through [`pay_qostiq::callbacks::verify_and_parse`]; valid ones must
//! verify and parse into their typed callback, invalid ones must fail with the error their `why`
//! describes.
#![allow(clippy::panic, clippy::unwrap_used)] // helpers outside #[test]: a failure is a failed test

use pay_core::clock::FixedClock;
use pay_core::error::{Error, SignatureError};
use pay_core::json::{JsonError, Limits, StrictObject, Value, python};
use pay_core::money::{Amount, Precision};
use pay_core::secret::Secret;
use pay_qostiq::bills::{CreateBill, CreateBillV2, GetBill};
use pay_qostiq::callbacks::{Callback, CallbackVerifier, verify_and_parse};
use pay_qostiq::crypto::{
    CreateCryptoWithdraw, GetCryptoBalance, GetCryptoWithdraw, GetCryptoWithdrawByShopPaymentId,
    TryCryptoWithdraw,
};
use pay_qostiq::invoices::{CreateInvoice, TryInvoice};
use pay_qostiq::pay_form::PayForm;
use pay_qostiq::shop::{GetInputConfig, GetOutputConfig, GetShopBalance, RegisterAccount};
use pay_qostiq::transfers::{CreateTransfer, GetTransfer, TransferAmountType, TryTransfer};
use pay_qostiq::withdrawals::{
    CheckAccount, CreateWithdraw, GetWithdraw, GetWithdrawByShopPaymentId, TryWithdraw,
    WithdrawAmountType,
};
use pay_qostiq::{
    CallbackStatus, CryptoAsset, Currency, NowForm, Payway, QostiqContext, QostiqDateTime,
    QostiqRequest, ShopId, explain_body,
};
use support::vectors::{CallbackCase, RequestCase, report};
use time::OffsetDateTime;

mod support {
    pub mod vectors;
}

/// The `now` form each endpoint signs.
fn now_form(endpoint: &str) -> NowForm {
    if endpoint.starts_with("/crypto/") || endpoint == "/bill/create/v2" {
        NowForm::UnixSeconds
    } else if endpoint == "/account/register" {
        NowForm::DayFirst
    } else {
        NowForm::DateTime
    }
}

/// Field access on a vector body.
struct Fields<'o, 'a>(&'o StrictObject<'a>);

impl Fields<'_, '_> {
    fn value(&self, key: &str) -> &Value<'_> {
        &self
            .0
            .get(key)
            .unwrap_or_else(|| panic!("no `{key}`"))
            .value
    }

    /// A string, or a number's token.
    fn text(&self, key: &str) -> String {
        match self.value(key) {
            Value::String(s) => s.to_string(),
            Value::Number(t) => (*t).to_owned(),
            other => panic!("`{key}` is {other:?}"),
        }
    }

    fn amount(&self, key: &str) -> Amount {
        Amount::from_raw_json(self.0.get(key).unwrap().raw).unwrap()
    }

    fn currency(&self, key: &str) -> Currency {
        self.text(key).parse().unwrap()
    }

    fn asset(&self, key: &str) -> CryptoAsset {
        CryptoAsset::new(self.text(key)).unwrap()
    }

    fn payway(&self) -> Payway {
        Payway::new(self.text("payway")).unwrap()
    }

    /// A crypto payway; aliases outside the precision table get an explicit 18 decimals.
    fn crypto_payway(&self) -> Payway {
        let payway = self.payway();
        match payway.crypto_precision() {
            Some(_) => payway,
            None => payway.with_precision(Precision::crypto(18)),
        }
    }

    fn withdraw_type(&self) -> WithdrawAmountType {
        match self.text("amount_type").as_str() {
            "ps_amount" => WithdrawAmountType::PsAmount,
            "shop_amount" => WithdrawAmountType::ShopAmount,
            other => panic!("amount_type {other}"),
        }
    }

    fn transfer_type(&self) -> TransferAmountType {
        match self.text("amount_type").as_str() {
            "receive_amount" => TransferAmountType::ReceiveAmount,
            "writeoff_amount" => TransferAmountType::WriteoffAmount,
            other => panic!("amount_type {other}"),
        }
    }
}

/// Why a case cannot be rebuilt through a typed request (`None` when it can), from the vector alone.
fn not_typed_because(case: &RequestCase, object: &StrictObject<'_>) -> Option<String> {
    let keys = pay_signing::qostiq::signed_keys(&case.endpoint)?;
    for key in keys {
        let member = object.get(key)?;
        let python_text = python::str_form(&member.value);
        if key.ends_with("amount") {
            // The typed API sends an amount as the text of the decimal it was given.
            let typed = Amount::from_raw_json(member.raw).ok()?.to_string();
            if typed != python_text {
                return Some(format!(
                    "amount {} is signed as {python_text}, not as its text",
                    member.raw
                ));
            }
        }
        if *key == "now" {
            let form = now_form(&case.endpoint);
            let rendered = instant(&python_text).and_then(|at| form.render(at).ok());
            if rendered.as_deref() != Some(python_text.as_str()) {
                return Some(format!(
                    "now {python_text:?} is not in the endpoint's {form:?} form"
                ));
            }
        }
    }
    None
}

fn instant(text: &str) -> Option<OffsetDateTime> {
    if let Ok(seconds) = text.parse::<i64>() {
        return OffsetDateTime::from_unix_timestamp(seconds).ok();
    }
    QostiqDateTime::parse(text).assume_utc()
}

fn signed<E: QostiqRequest>(
    request: E,
    context: &QostiqContext,
) -> Result<(String, String), Error> {
    let body = request.signed_body(context)?;
    Ok((body.sign, body.string_to_sign))
}

/// Rebuilds the case through its typed request: `(sign, masked string to sign)`.
fn typed(case: &RequestCase, object: &StrictObject<'_>) -> Result<(String, String), Error> {
    let f = Fields(object);
    let now = match object.get("now") {
        Some(m) => instant(&python::str_form(&m.value)).unwrap(),
        None => OffsetDateTime::UNIX_EPOCH,
    };
    let shop_id: u64 = f.text("shop_id").parse().unwrap();
    let context = QostiqContext::new(
        ShopId::new(shop_id)?,
        Secret::new(case.secret.as_str())?,
        FixedClock(now),
    );
    let c = &context;
    match case.endpoint.as_str() {
        "pay-form" => {
            let form = PayForm::new(
                f.amount("amount"),
                f.currency("currency"),
                f.text("shop_order_id"),
            )
            .sign(c)?;
            Ok((form.sign, form.string_to_sign))
        }
        "/invoice/try" => signed(
            TryInvoice::new(
                f.amount("amount"),
                f.currency("currency"),
                f.payway(),
                f.text("shop_order_id"),
            ),
            c,
        ),
        "/invoice/create" => signed(
            CreateInvoice::new(
                f.amount("amount"),
                f.currency("currency"),
                f.payway(),
                f.text("shop_order_id"),
            ),
            c,
        ),
        "/bill/create" => signed(
            CreateBill::new(
                f.amount("shop_amount"),
                f.currency("shop_currency"),
                f.currency("payer_currency"),
                f.text("shop_order_id"),
            ),
            c,
        ),
        "/bill/create/v2" => signed(
            CreateBillV2::new(f.currency("currency"), f.text("shop_order_id")),
            c,
        ),
        "/bill/shop_order_status" => signed(GetBill::new(f.text("shop_order_id")), c),
        "/transfer/try" => signed(
            TryTransfer::new(
                f.amount("amount"),
                f.transfer_type(),
                f.currency("payee_currency"),
                f.currency("shop_currency"),
            ),
            c,
        ),
        "/transfer/create" => signed(
            CreateTransfer::new(
                f.amount("amount"),
                f.transfer_type(),
                f.text("payee_account"),
                f.currency("payee_currency"),
                f.currency("shop_currency"),
                f.text("shop_payment_id"),
            ),
            c,
        ),
        "/transfer/shop_payment_status" => signed(GetTransfer::new(f.text("shop_payment_id")), c),
        "/withdraw/try" => signed(
            TryWithdraw::new(
                f.amount("amount"),
                f.withdraw_type(),
                f.payway(),
                f.currency("shop_currency"),
            ),
            c,
        ),
        "/check_account" => signed(
            CheckAccount::new(f.text("account"), f.amount("amount"), f.payway()),
            c,
        ),
        "/withdraw/create" => signed(
            CreateWithdraw::new(
                f.text("account"),
                f.amount("amount"),
                f.withdraw_type(),
                f.payway(),
                f.currency("shop_currency"),
                f.text("shop_payment_id"),
            ),
            c,
        ),
        "/withdraw/status" => signed(GetWithdraw::new(f.text("withdraw_id").parse().unwrap()), c),
        "/withdraw/shop_payment_status" => signed(
            GetWithdrawByShopPaymentId::new(f.text("shop_payment_id")),
            c,
        ),
        "/account/register" => signed(RegisterAccount::new(f.text("email")), c),
        "/shop_balance" => signed(GetShopBalance::new(), c),
        "/shop_input_config/shop" => signed(GetInputConfig::new(), c),
        "/shop_output_config/shop" => signed(GetOutputConfig::new(), c),
        "/crypto/withdraw/try" => signed(
            TryCryptoWithdraw::new(
                f.amount("amount"),
                f.withdraw_type(),
                f.crypto_payway(),
                f.asset("shop_currency"),
            ),
            c,
        ),
        "/crypto/withdraw/create" => signed(
            CreateCryptoWithdraw::new(
                f.text("account"),
                f.amount("amount"),
                f.withdraw_type(),
                f.crypto_payway(),
                f.asset("shop_currency"),
                f.text("shop_payment_id"),
            ),
            c,
        ),
        "/crypto/withdraw/status" => signed(
            GetCryptoWithdraw::new(f.text("withdraw_id").parse().unwrap()),
            c,
        ),
        "/crypto/withdraw/shop_payment_status" => signed(
            GetCryptoWithdrawByShopPaymentId::new(f.text("shop_payment_id")),
            c,
        ),
        "/crypto/shop_balance" => signed(GetCryptoBalance::new(), c),
        other => panic!("no typed request for {other}"),
    }
}

#[test]
fn qostiq_requests() {
    let cases: Vec<RequestCase> = pay_testdata::vectors("qostiq_requests.json");
    let mut failures = Vec::new();
    let mut typed_count = 0;
    for (i, case) in cases.iter().enumerate() {
        let name = format!("#{i} {} {}", case.endpoint, case.body);
        let secret = Secret::new(case.secret.as_str()).unwrap();
        let masked = match case.string_to_sign.strip_suffix(case.secret.as_str()) {
            Some(values) => format!("{values}***"),
            None => {
                failures.push(format!(
                    "{name}: string_to_sign does not end with the secret"
                ));
                continue;
            }
        };
        // 1. Through the endpoint table, as the server renders the body.
        match explain_body(&case.endpoint, case.body.as_bytes(), &secret) {
            Ok(explained) => {
                if explained.sign != case.sign {
                    failures.push(format!(
                        "{name}: table sign {} != {}",
                        explained.sign, case.sign
                    ));
                }
                if explained.string_to_sign != masked {
                    failures.push(format!(
                        "{name}: table string {:?} != {masked:?}",
                        explained.string_to_sign
                    ));
                }
            }
            Err(e) => failures.push(format!("{name}: explain_body failed: {e}")),
        }
        // 2. Through the typed request, when the vector's values are what the typed API sends.
        let object = StrictObject::parse(case.body.as_bytes(), Limits::default()).unwrap();
        if not_typed_because(case, &object).is_some() {
            continue;
        }
        typed_count += 1;
        match typed(case, &object) {
            Ok((sign, string_to_sign)) => {
                if sign != case.sign {
                    failures.push(format!("{name}: typed sign {sign} != {}", case.sign));
                }
                if string_to_sign != masked {
                    failures.push(format!(
                        "{name}: typed string {string_to_sign:?} != {masked:?}"
                    ));
                }
            }
            Err(e) => failures.push(format!("{name}: typed request refused: {e}")),
        }
    }
    report("qostiq_requests.json", &failures, cases.len());
    // 37 of the 52 vectors map onto typed requests; the rest sign `now` in another form than the
    // endpoint's, or a JSON float whose Python text differs from its token (`10.50`, `1E2`).
    assert!(
        typed_count >= 37,
        "only {typed_count} of {} cases went through typed requests",
        cases.len()
    );
}

#[test]
fn the_untyped_request_cases_are_the_expected_ones() {
    // Every case left to the table is so for a reason stated by `not_typed_because`, never because
    // the endpoint lacks a typed request.
    let cases: Vec<RequestCase> = pay_testdata::vectors("qostiq_requests.json");
    for case in &cases {
        let object = StrictObject::parse(case.body.as_bytes(), Limits::default()).unwrap();
        if let Some(reason) = not_typed_because(case, &object) {
            assert!(
                reason.starts_with("amount") || reason.starts_with("now"),
                "{}: {reason}",
                case.endpoint
            );
        }
    }
}

#[test]
fn qostiq_callbacks() {
    let cases: Vec<CallbackCase> = pay_testdata::vectors("qostiq_callbacks.json");
    let mut failures = Vec::new();
    for (i, case) in cases.iter().enumerate() {
        let why = case.why.as_deref().unwrap_or("valid");
        let name = format!("#{i} ({why})");
        let verifier = match Secret::new(case.secret.as_str()) {
            // The withdraw vector echoes `test_add_on`, a parameter the shop passed (seed 001).
            Ok(secret) => CallbackVerifier::new(secret)
                .custom_fields(["test_add_on"])
                .unwrap(),
            Err(e) => {
                // An empty secret is refused before anything is verified.
                if case.valid {
                    failures.push(format!("{name}: secret refused: {e}"));
                } else if !why.contains("empty secret") {
                    failures.push(format!("{name}: refused for the wrong reason: {e}"));
                }
                continue;
            }
        };
        let result = verify_and_parse(&verifier, case.body.as_bytes());
        match (case.valid, result) {
            (true, Ok(callback)) => {
                let status = match &callback {
                    Callback::Withdraw(c) => &c.status,
                    Callback::CryptoWithdraw(c) => &c.status,
                    Callback::Payment(c) => &c.status,
                    other => {
                        failures.push(format!("{name}: not a known callback: {other:?}"));
                        continue;
                    }
                };
                if *status != CallbackStatus::Success {
                    failures.push(format!("{name}: status {status}"));
                }
            }
            (true, Err(e)) => failures.push(format!("{name}: valid callback refused: {e}")),
            (false, Ok(_)) => failures.push(format!("{name}: invalid callback accepted")),
            (false, Err(e)) => {
                let expected = match why {
                    "tampered status" | "wrong secret" => {
                        matches!(e, Error::Signature(SignatureError::Mismatch))
                    }
                    "missing sign" => matches!(e, Error::Signature(SignatureError::Missing)),
                    "truncated sign" => {
                        matches!(e, Error::Signature(SignatureError::Malformed { .. }))
                    }
                    "duplicate key" => matches!(
                        e,
                        Error::Signature(SignatureError::Body(JsonError::DuplicateKey { .. }))
                    ),
                    "trailing bytes" => matches!(
                        e,
                        Error::Signature(SignatureError::Body(JsonError::TrailingBytes { .. }))
                    ),
                    _ => matches!(e, Error::Signature(_)),
                };
                if !expected {
                    failures.push(format!("{name}: refused with an unexpected error: {e:?}"));
                }
            }
        }
    }
    report("qostiq_callbacks.json", &failures, cases.len());
}
