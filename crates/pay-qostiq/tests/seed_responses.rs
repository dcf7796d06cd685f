//! Every example response printed in the seeds (`../shared/seeds/000_…`, `001_…`, `002_…`), read
//! byte for byte from `testdata/seeds/qostiq/` (through `pay_testdata::seed`), parsed into the typed
//! output or the typed error. Callbacks printed in the seeds
//! carry signatures made with unknown secrets, so they are re-signed here with a known secret
//! (pay-signing's `sign_callback`) and then verified and parsed.
#![allow(clippy::panic, clippy::unwrap_used)] // test code: a failure is a failed test

use http::StatusCode;
use pay_core::endpoint::Lookup;
use pay_core::error::{Error, Provider};
use pay_core::money::Amount;
use pay_core::secret::Secret;
use pay_core::text::AccountNumber;
use pay_qostiq::bills::{BillRecord, CreateBill, CreateBillV2, GetBill};
use pay_qostiq::callbacks::{
    Callback, CallbackVerifier, CryptoWithdrawRecord, WithdrawRecord, verify_and_parse,
};
use pay_qostiq::crypto::{
    CreateCryptoWithdraw, GetCryptoBalance, GetCryptoWithdraw, GetCryptoWithdrawByShopPaymentId,
    TryCryptoWithdraw,
};
use pay_qostiq::shop::{GetInputConfig, GetOutputConfig, GetShopBalance, RegisterAccount};
use pay_qostiq::transfers::{CreateTransfer, GetTransfer, TransferAmountType, TryTransfer};
use pay_qostiq::withdrawals::{
    CheckAccount, CreateWithdraw, GetWithdraw, GetWithdrawByShopPaymentId, TryWithdraw,
    WithdrawAmountType,
};
use pay_qostiq::{
    BillStatus, CallbackStatus, CryptoAsset, CryptoWithdrawStatus, Currency, Payway,
    ProviderStatus, QostiqErrorCode, QostiqErrorExt, ShopId, WithdrawStatus,
};
use time::macros::datetime;

mod support;

use support::{amount, respond, seed};

fn refusal<T: std::fmt::Debug>(result: Result<T, Error>) -> (QostiqErrorCode, String, StatusCode) {
    match result {
        Err(Error::Provider(p)) => {
            assert_eq!(p.provider, Provider::Qostiq);
            (p.qostiq_code().unwrap(), p.message.clone(), p.status)
        }
        other => panic!("expected a provider refusal, got {other:?}"),
    }
}

fn bill() -> CreateBill {
    CreateBill::new(amount("23.15"), Currency::Uah, Currency::Uah, "4239")
}

// ---------------------------------------------------------------- seed 000: bills, transfers

#[test]
fn bill_create_examples() {
    let first = respond(&bill(), 200, &seed("bill_create")).unwrap();
    assert_eq!(first.id, 25);
    assert_eq!(first.lifetime_minutes, Some(43200));
    assert_eq!(first.created.text(), "Wed, 06 Dec 2017 14:30:44 GMT");
    assert_eq!(first.created.value(), Some(datetime!(2017-12-06 14:30:44)));
    assert_eq!(first.payer_account, None);
    assert_eq!(first.payer_price, Some(amount("23.15")));
    assert_eq!(first.shop_amount.unwrap().to_string(), "23.15");
    assert_eq!(first.shop_currency, Currency::Uah);
    assert_eq!(first.shop_id, ShopId::new(3).unwrap());
    assert_eq!(first.shop_order_id, "4239");
    assert_eq!(first.shop_refund, Some(amount("23.15")));
    assert_eq!(
        first.url,
        "https://wallet.qostiq.com/en/bill/pay/WtvoXPzcphd"
    );

    let (code, message, _) = refusal(respond(&bill(), 200, &seed("bill_create_invalid_sign")));
    assert_eq!(code, QostiqErrorCode::InvalidSign);
    assert_eq!(message, "invalid sign");

    let second = respond(&bill(), 200, &seed("bill_create_mock")).unwrap();
    assert_eq!(second.id, 26);
    assert_eq!(second.lifetime_minutes, Some(43200));
    assert_eq!(second.shop_refund, None);
}

#[test]
fn bill_create_v2_examples() {
    let request = CreateBillV2::new(Currency::Usd, "dc5a286e-6c5e-43e8-8c68-926fa15d09ec");
    for name in ["bill_create_v2", "bill_create_v2_mock"] {
        let body = seed(name);
        let created = respond(&request, 200, &body).unwrap();
        assert_eq!(created.id, 1914);
        assert_eq!(created.lifetime_minutes, Some(90));
        assert_eq!(created.payer_price, None);
        assert_eq!(created.shop_amount, None);
        assert_eq!(created.payer_currency, Some(Currency::Usd));
    }
    let (code, _, _) = refusal(respond(&request, 200, &seed("bill_create_v2_invalid_sign")));
    assert_eq!(code, QostiqErrorCode::InvalidSignOrParameters);
}

#[test]
fn bill_status_examples() {
    let lookup = GetBill::new("234234232323");
    let Lookup::Found(paid) = respond(&lookup, 200, &seed("bill_status")).unwrap() else {
        panic!("not found");
    };
    assert_eq!(paid.status, BillStatus::Paid);
    assert!(paid.status.is_final());
    assert!(paid.is_unique);
    assert_eq!(paid.payment_id, 852095);
    assert_eq!(paid.client_price, Some(amount("1.16")));
    assert_eq!(paid.shop_amount.unwrap().to_string(), "1.1");
    assert_eq!(
        paid.processed.unwrap().value(),
        Some(datetime!(2020-10-20 14:01:33))
    );
    assert_eq!(
        paid.ps_data
            .unwrap()
            .string_member("ps_payer_account")
            .as_deref(),
        Some("201538122124")
    );
    assert_eq!(paid.shop_id.get(), 1092);

    let Lookup::Found(last) = respond(
        &GetBill::new("123billtest"),
        200,
        &seed("bill_status_not_unique"),
    )
    .unwrap() else {
        panic!("not found");
    };
    assert!(!last.is_unique);
    assert_eq!(last.status, BillStatus::Expired);
    assert_eq!(last.processed, None);
    assert_eq!(last.shop_refund, Some(amount("0.93")));
}

/// Seed 000's `/bill/create/v2` example is a free-amount bill: it answers `"shop_amount": null`
/// (with `payer_price` and `shop_refund`) until the payer chooses an amount, and
/// `/bill/shop_order_status` answers the unpaid bill the same way. Such an answer must decode
/// (before, it was undecodable: `wait_until_final_bill` never ended and a lost v2 create could
/// never be adopted).
#[test]
fn unpaid_free_amount_bill_status_has_no_shop_amount() {
    let created = respond(
        &CreateBillV2::new(Currency::Usd, "dc5a286e-6c5e-43e8-8c68-926fa15d09ec"),
        200,
        &seed("bill_create_v2"),
    )
    .unwrap();
    assert_eq!(created.shop_amount, None);
    // The status example, for that bill before payment: the create's nulls, status 1 Waiting.
    let unpaid = seed("bill_status")
        .replace(r#""client_price": 1.16"#, r#""client_price": null"#)
        .replace(
            r#""processed": "2020-10-20 14:01:33""#,
            r#""processed": null"#,
        )
        .replace(r#""shop_amount": 1.1"#, r#""shop_amount": null"#)
        .replace(r#""shop_refund": 1.1"#, r#""shop_refund": null"#)
        .replace(r#""status": 2"#, r#""status": 1"#);
    let Lookup::Found(info) = respond(&GetBill::new("234234232323"), 200, &unpaid).unwrap() else {
        panic!("not found");
    };
    assert_eq!(info.shop_amount, None);
    assert_eq!(info.shop_refund, None);
    assert_eq!(info.status, BillStatus::Waiting);
    assert!(!info.status.is_final());

    // A lost free-amount create is adopted from that answer (nothing to compare but the id and
    // the currency).
    use pay_core::recovery::{PayoutRecord, Recoverable, Verdict};
    let create = CreateBillV2::new(Currency::Uah, "234234232323");
    let found = BillRecord::from(info);
    assert_eq!(found.shop_amount(), None);
    assert_eq!(found.judge(&create.intent()), Verdict::Same);
}

#[test]
fn transfer_try_examples() {
    let request = TryTransfer::new(
        amount("1.11"),
        TransferAmountType::ReceiveAmount,
        Currency::Eur,
        Currency::Usd,
    );
    let first = respond(&request, 200, &seed("transfer_try")).unwrap();
    assert_eq!(first.payee_amount, amount("1.11"));
    assert_eq!(first.write_off_amount, amount("1.19"));
    assert_eq!(first.payee_currency, Currency::Eur);
    assert_eq!(first.info.as_ref().unwrap().as_str(), "{}");
    let config = first.account_info_config.unwrap();
    let field = config.field("payee_account").unwrap();
    assert_eq!(field.example.as_deref(), Some("31557414711"));
    assert_eq!(
        field.label.as_ref().unwrap().get("ru"),
        Some("Введите номер кошелька или email")
    );
    assert_eq!(
        field.comment.as_ref().unwrap().get("en"),
        Some("Enter Wallet Number or Email")
    );
    assert!(field.regex.as_deref().unwrap().starts_with(r"^3[\d]{10}$|"));
    assert_eq!(config.detail_names().count(), 0);

    // The mock server's answer sends the currencies as strings.
    let second = respond(&request, 200, &seed("transfer_try_mock")).unwrap();
    assert_eq!(second.payee_currency, Currency::Eur);
    assert_eq!(second.shop_currency, Currency::Usd);
}

#[test]
fn transfer_create_examples() {
    let request = CreateTransfer::new(
        amount("10"),
        TransferAmountType::ReceiveAmount,
        "201497141132",
        Currency::Uah,
        Currency::Uah,
        "55ac443d-958b-40e3-8956-e04e72561324",
    );
    for (name, balance, id) in [
        ("transfer_create", "0.9", 3),
        ("transfer_create_mock", "88.91", 12),
    ] {
        let body = seed(name);
        let transfer = respond(&request, 200, &body).unwrap();
        assert_eq!(transfer.id, id);
        assert_eq!(transfer.balance, Some(amount(balance)));
        assert_eq!(
            transfer.payee_account.as_ref().map(AccountNumber::expose),
            Some("201497141132")
        );
        assert_eq!(transfer.payee_amount, amount("10"));
        assert_eq!(transfer.shop, Some(ShopId::new(112).unwrap()));
        assert_eq!(transfer.shop_payment_id, None);
    }
}

#[test]
fn transfer_status_examples() {
    let lookup = GetTransfer::new("55ac443d-958b-40e3-8956-e04e72561322");
    let found = respond(&lookup, 200, &seed("transfer_status"))
        .unwrap()
        .found()
        .unwrap();
    assert_eq!(found.id, 3);
    assert_eq!(found.receive_amount, amount("1"));
    assert_eq!(
        found.shop_payment_id,
        "55ac443d-958b-40e3-8956-e04e72561322"
    );
    let not_found = respond(&lookup, 200, &seed("transfer_status_not_found")).unwrap();
    assert_eq!(not_found, Lookup::NotFound);
}

// ---------------------------------------------------------------- seed 001: withdrawals, shop

fn withdraw_try() -> TryWithdraw {
    TryWithdraw::new(
        amount("1"),
        WithdrawAmountType::PsAmount,
        Payway::new("card_uah").unwrap(),
        Currency::Uah,
    )
}

#[test]
fn withdraw_try_examples() {
    let first = respond(&withdraw_try(), 200, &seed("withdraw_try")).unwrap();
    assert_eq!(first.payee_receive, amount("1"));
    assert_eq!(first.shop_write_off, amount("1.01"));
    let config = first.account_info_config.unwrap();
    assert_eq!(
        config.field("account").unwrap().title.as_deref(),
        Some("Card number without spaces")
    );
    let second = respond(&withdraw_try(), 200, &seed("withdraw_try_mock")).unwrap();
    assert_eq!(second.info, None);
    assert_eq!(second.shop_write_off, amount("1.02"));
}

#[test]
fn check_account_examples() {
    let check = CheckAccount::new(
        "4111111111111111",
        amount("1"),
        Payway::new("card_uah").unwrap(),
    );
    let first = respond(&check, 200, &seed("check_account")).unwrap();
    assert_eq!(first.provider_status, ProviderStatus::Available);
    assert!(first.is_available());
    assert_eq!(
        first
            .account_info
            .unwrap()
            .string_member("verified")
            .as_deref(),
        Some("true")
    );
    let second = respond(&check, 200, &seed("check_account_mock")).unwrap();
    assert_eq!(second.result, Some(true));
    assert_eq!(second.account_info, None);
    assert!(second.is_available());
}

#[test]
fn withdraw_create_examples() {
    let request = CreateWithdraw::new(
        "test_acc",
        amount("1"),
        WithdrawAmountType::PsAmount,
        Payway::new("card_uah").unwrap(),
        Currency::Uah,
        "63288d86-241c-418e-94b8-db4bbf5026f",
    );
    let first = respond(&request, 200, &seed("withdraw_create")).unwrap();
    assert_eq!(first.balance.unwrap().to_string(), "0.0");
    assert_eq!(first.info.status, WithdrawStatus::Success);
    assert_eq!(first.info.shop_write_off, amount("1.05"));
    assert_eq!(first.info.ps_currency, Currency::Usd);
    let second = respond(&request, 200, &seed("withdraw_create_mock")).unwrap();
    assert_eq!(second.info.id, 11298076);
    assert_eq!(second.info.status, WithdrawStatus::PsProcessing);
    assert!(!second.info.status.is_final());
}

#[test]
fn withdraw_status_examples() {
    let lookup = GetWithdraw::new(11298076);
    let rejected = respond(&lookup, 200, &seed("withdraw_status_rejected"))
        .unwrap()
        .found()
        .unwrap();
    assert_eq!(rejected.status, WithdrawStatus::Rejected);
    assert!(rejected.status.is_final());
    assert_eq!(
        rejected.rejected_reason.as_deref(),
        Some("Card number does not exist. Please check the number")
    );
    let not_found = &seed("withdraw_status_not_found");
    assert_eq!(respond(&lookup, 200, not_found).unwrap(), Lookup::NotFound);
    let success = respond(&lookup, 200, &seed("withdraw_status_mock"))
        .unwrap()
        .found()
        .unwrap();
    assert!(success.status.is_success());
    // "Returning unsuccessful status on request": code 7.
    let seven = &seed("withdraw_status_not_found_mock");
    assert_eq!(
        respond(&GetWithdraw::new(25161103), 200, seven).unwrap(),
        Lookup::NotFound
    );
}

#[test]
fn withdraw_shop_payment_status_examples() {
    let lookup = GetWithdrawByShopPaymentId::new("63288d86-241c-418e-94b8-db4bbf5026f");
    let not_found = &seed("withdraw_shop_payment_status_not_found");
    assert_eq!(respond(&lookup, 200, not_found).unwrap(), Lookup::NotFound);
    let found = respond(&lookup, 200, &seed("withdraw_shop_payment_status_mock"))
        .unwrap()
        .found()
        .unwrap();
    assert_eq!(found.shop_payment_id, "63288d86-241c-418e-94b8-db4bbf5026f");
}

#[test]
fn account_register_example() {
    let registered = respond(
        &RegisterAccount::new("example@email.com"),
        200,
        &seed("account_register"),
    )
    .unwrap();
    assert_eq!(registered.account_number.expose(), "201499789419");
    assert_eq!(registered.email.as_deref(), Some("example@email.com"));
}

#[test]
fn shop_balance_examples() {
    let with_reserve = respond(&GetShopBalance::new(), 200, &seed("shop_balance")).unwrap();
    assert_eq!(with_reserve.balances.len(), 3);
    let uah = with_reserve.get(Currency::Uah).unwrap();
    assert_eq!(uah.total(), Some(amount("48.1")));
    assert_eq!(uah.withdrawable(), amount("13.1"));
    let eur = with_reserve.get(Currency::Eur).unwrap();
    assert_eq!(eur.withdrawable(), Amount::ZERO);
    let without = respond(&GetShopBalance::new(), 200, &seed("shop_balance_mock")).unwrap();
    let uah = without.get(Currency::Uah).unwrap();
    assert_eq!(uah.rolling_reserve, None);
    assert_eq!(uah.withdrawable(), amount("28.1"));
    assert_eq!(without.shop_id, Some(ShopId::new(112).unwrap()));
}

#[test]
fn input_config_example() {
    let methods = respond(&GetInputConfig::new(), 200, &seed("input_config")).unwrap();
    assert_eq!(methods.len(), 1);
    assert_eq!(methods[0].name, "Visa/MC");
    assert_eq!(methods[0].rating, Some(2));
    let payway = &methods[0].payways[0];
    assert_eq!(payway.alias, "card_uah");
    assert_eq!(payway.id, Some(154));
    assert_eq!(payway.is_active, Some(true));
    assert_eq!(payway.fee_config.as_ref().unwrap().percent, amount("6.0"));
    assert_eq!(
        payway.fee_part_config.as_ref().unwrap().percent_part,
        amount("1.0")
    );
    assert_eq!(payway.max_amount, Some(amount("100000.0")));
    assert_eq!(payway.add_ons_config, None);
}

#[test]
fn output_config_example() {
    let methods = respond(&GetOutputConfig::new(), 200, &seed("output_config")).unwrap();
    assert_eq!(methods.len(), 2);
    assert!(!methods[0].is_transfer_config);
    assert!(methods[1].is_transfer_config);
    let card = &methods[0].payways[0];
    assert_eq!(card.fee_config.as_ref().unwrap().fix, amount("10.0"));
    assert_eq!(
        card.account_info_config
            .as_ref()
            .unwrap()
            .field("account")
            .unwrap()
            .regex
            .as_deref(),
        Some("^(4|5|6)[0-9]{15,17}$")
    );
    assert_eq!(methods[1].payways[0].min_amount, Some(amount("0.5")));
    // The example leaves out what the table documents: not sent is not "disabled".
    assert_eq!(card.is_active, None);
    assert!(!card.is_disabled());
}

/// Seed 001's `/shop_output_config/shop` table documents `is_active`, `fix_part` and
/// `percent_part` (and the payway `id`) for withdrawal payways, in the form its input-config example
/// shows them (`"fee_part_config": {"fix_part": 0, "percent_part": 1.0}, "id": 154,
/// "is_active": true`). They are read, so a merchant sees a disabled payway (before, they were
/// dropped).
#[test]
fn output_config_reads_the_documented_payway_fields() {
    let body = seed("output_config").replacen(
        r#""info_id": null,"#,
        r#""fee_part_config": {
"fix_part": 0,
"percent_part": 1.0
},
"id": 154,
"info_id": null,
"is_active": false,"#,
        1,
    );
    let methods = respond(&GetOutputConfig::new(), 200, &body).unwrap();
    let card = &methods[0].payways[0];
    assert_eq!(card.id, Some(154));
    assert_eq!(card.is_active, Some(false));
    assert!(card.is_disabled());
    let split = card.fee_part_config.as_ref().unwrap();
    assert_eq!(split.fix_part, amount("0"));
    assert_eq!(split.percent_part, amount("1.0"));
    let wallet = &methods[1].payways[0];
    assert_eq!((wallet.id, wallet.is_active), (None, None));
    // A malformed documented field is an error naming it, not silently dropped.
    let bad = body.replacen(r#""is_active": false"#, r#""is_active": "no""#, 1);
    let err = respond(&GetOutputConfig::new(), 200, &bad).unwrap_err();
    assert!(
        err.to_string().contains("data[0].payways[0].is_active"),
        "{err}"
    );
}

#[test]
fn withdraw_callback_example() {
    let secret = Secret::new("Testkey1").unwrap();
    // The seed's example without its `sign` (made with an unknown secret), re-signed.
    let body =
        pay_signing::qostiq::sign_callback(&secret, seed("withdraw_callback").as_bytes()).unwrap();
    let verifier = CallbackVerifier::new(secret);
    let Callback::Withdraw(callback) = verify_and_parse(&verifier, body.as_bytes()).unwrap() else {
        panic!("not a withdraw callback");
    };
    assert_eq!(callback.status, CallbackStatus::Success);
    assert_eq!(callback.payment_id, 64045);
    assert_eq!(callback.shop_payment_id, "12345678");
    assert_eq!(callback.payee_receive, amount("10.5"));
    assert_eq!(callback.shop_write_off, amount("11.5"));
    assert_eq!(callback.ps_currency, Currency::Usd);
    assert_eq!(
        callback.account_details.as_ref().unwrap().as_str(),
        r#"{"customer_id": "12345678"}"#
    );
    let mut record = WithdrawRecord::new("12345678");
    record.shop_write_off = Some(amount("11.50"));
    record.payee_receive = Some(amount("10.50"));
    record.shop_currency = Some(Currency::Usd);
    record.ps_currency = Some(Currency::Usd);
    record.shop_id = Some(ShopId::new(1).unwrap());
    assert_eq!(callback.mismatches(&record), vec![]);
    let mut other = WithdrawRecord::new("99");
    other.shop_currency = Some(Currency::Uah);
    other.shop_write_off = Some(amount("11.49"));
    let fields: Vec<_> = callback
        .mismatches(&other)
        .into_iter()
        .map(|m| m.field)
        .collect();
    assert_eq!(
        fields,
        ["shop_payment_id", "shop_write_off", "shop_currency"]
    );
}

// ---------------------------------------------------------------- seed 002: crypto

#[test]
fn crypto_withdraw_try_example() {
    let request = TryCryptoWithdraw::new(
        amount("1.00000001"),
        WithdrawAmountType::PsAmount,
        Payway::new("usdt_bep20").unwrap(),
        CryptoAsset::new("USDT").unwrap(),
    );
    let quote = respond(&request, 200, &seed("crypto_withdraw_try")).unwrap();
    assert_eq!(quote.payee_receive.to_string(), "1.000000001");
    assert_eq!(quote.shop_write_off.to_string(), "1.03000000103");
    assert_eq!(quote.payee_currency.as_str(), "USDT");
}

#[test]
fn crypto_withdraw_create_example() {
    let request = CreateCryptoWithdraw::new(
        "EQC67_9GtyJveay9fYwjuOUg2VvokASM3xI7MQ7R84UzC2Qx",
        amount("1"),
        WithdrawAmountType::PsAmount,
        Payway::new("ton_ton").unwrap(),
        CryptoAsset::new("TON").unwrap(),
        "test_withdraw_id_4",
    );
    let created = respond(&request, 200, &seed("crypto_withdraw_create")).unwrap();
    assert_eq!(created.balance, Some(amount("2.96")));
    assert_eq!(created.info.id, 15);
    assert_eq!(created.info.status, CryptoWithdrawStatus::Waiting);
    assert_eq!(created.info.shop_write_off.to_string(), "1.005");
    assert_eq!(
        created
            .info
            .payee_address
            .as_ref()
            .map(AccountNumber::expose),
        Some("EQC67_9GtyJveay9fYwjuOUg2VvokASM3xI7MQ7R84UzC2Qx")
    );
}

#[test]
fn crypto_withdraw_callback_example() {
    let secret = Secret::new("Testkey1").unwrap();
    let body =
        pay_signing::qostiq::sign_callback(&secret, seed("crypto_withdraw_callback").as_bytes())
            .unwrap();
    let verifier = CallbackVerifier::new(secret);
    let Callback::CryptoWithdraw(callback) = verify_and_parse(&verifier, body.as_bytes()).unwrap()
    else {
        panic!("not a crypto withdraw callback");
    };
    assert_eq!(callback.payment_id, 58);
    assert_eq!(callback.shop_order_id, "test_withdraw_id_5");
    assert_eq!(callback.payee_receive.to_string(), "0.000100000000000000");
    assert_eq!(callback.description, None);
    assert_eq!(
        callback.transaction_hash().as_deref(),
        Some("0x8d3d3f6851a16c4f5d957124fa8444f4be9add351aa9c4e301e2eeff13a910df")
    );
    let mut record = CryptoWithdrawRecord::new("test_withdraw_id_5");
    record.shop_write_off = Some(amount("0.000103"));
    record.payee_receive = Some(amount("0.0001"));
    record.shop_currency = Some(CryptoAsset::new("BNB").unwrap());
    record.address = Some("0xf8227AA7aF9B5166AF69581C703A4398387B2B07".into());
    assert_eq!(callback.mismatches(&record), vec![]);
    record.payee_receive = Some(amount("0.001"));
    assert_eq!(callback.mismatches(&record).len(), 1);
}

#[test]
fn crypto_withdraw_status_examples() {
    let body = &seed("crypto_withdraw_status");
    let by_id = respond(&GetCryptoWithdraw::new(15), 200, body)
        .unwrap()
        .found()
        .unwrap();
    assert_eq!(by_id.status, CryptoWithdrawStatus::Waiting);
    assert_eq!(by_id.shop_write_off, amount("0.000103"));
    let lookup = GetCryptoWithdrawByShopPaymentId::new("test_withdraw_id_4");
    let by_shop = respond(&lookup, 200, body).unwrap().found().unwrap();
    assert_eq!(by_shop, by_id);
    let not_found = respond(
        &lookup,
        200,
        &seed("crypto_withdraw_shop_payment_status_not_found"),
    )
    .unwrap();
    assert_eq!(not_found, Lookup::NotFound);
}

/// Seed 002's crypto amounts are Python `Decimal` text inside strings (`"0.000103000000000000"`);
/// a Python server writes a small `Decimal` in exponent form (`str(Decimal("0.0000001"))` is
/// `"1E-7"`). The seed's status answer and callback with such amounts read them exactly (before,
/// both were refused as "not a decimal amount", the callback after its signature had verified).
#[test]
fn crypto_amounts_in_python_exponent_form_are_exact() {
    let body = seed("crypto_withdraw_status")
        .replace(r#""payee_receive": "0.0001""#, r#""payee_receive": "1E-7""#)
        .replace(
            r#""shop_write_off": "0.000103""#,
            r#""shop_write_off": "1.03E-7""#,
        );
    let found = respond(&GetCryptoWithdraw::new(15), 200, &body)
        .unwrap()
        .found()
        .unwrap();
    assert_eq!(found.payee_receive.to_string(), "0.0000001");
    assert_eq!(found.shop_write_off, amount("0.000000103"));

    let secret = Secret::new("Testkey1").unwrap();
    let callback = seed("crypto_withdraw_callback")
        .replace(r#""0.000100000000000000""#, r#""1E-7""#)
        .replace(r#""0.000103000000000000""#, r#""0E-8""#);
    let signed = pay_signing::qostiq::sign_callback(&secret, callback.as_bytes()).unwrap();
    let verifier = CallbackVerifier::new(secret);
    let Callback::CryptoWithdraw(read) = verify_and_parse(&verifier, signed.as_bytes()).unwrap()
    else {
        panic!("not a crypto withdraw callback");
    };
    assert_eq!(read.payee_receive, amount("0.0000001"));
    assert_eq!(read.shop_write_off.to_string(), "0.00000000");
}

#[test]
fn crypto_balance_example() {
    let balances = respond(&GetCryptoBalance::new(), 200, &seed("crypto_balance")).unwrap();
    assert_eq!(balances.balances.len(), 2);
    let bnb = balances.get("BNB").unwrap();
    assert_eq!(bnb.total(), Some(amount("0.0011639903")));
    assert_eq!(balances.shop_id, Some(ShopId::new(6).unwrap()));
}

// ---------------------------------------------------------------- envelope rules

#[test]
fn refusals_are_read_on_every_http_status() {
    let duplicate = r#"{"data": null, "error_code": 6, "message": "shop_payment_id not unique", "result": false}"#;
    let request = CreateWithdraw::new(
        "4111111111111111",
        amount("1"),
        WithdrawAmountType::PsAmount,
        Payway::new("card_uah").unwrap(),
        Currency::Uah,
        "x",
    );
    let (code, message, status) = refusal(respond(&request, 400, duplicate));
    assert_eq!(code, QostiqErrorCode::DuplicateShopPaymentId);
    assert_eq!(message, "shop_payment_id not unique");
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let err = respond(&request, 400, duplicate).unwrap_err();
    assert_eq!(err.outcome(), pay_core::error::RequestOutcome::Refused);
    for (code, named) in [
        (4, QostiqErrorCode::AmountTooSmall),
        (11, QostiqErrorCode::ShopNotFound),
        (15, QostiqErrorCode::ShopIpDenied),
        (99, QostiqErrorCode::Other(99)),
    ] {
        let body =
            format!(r#"{{"data": null, "error_code": {code}, "message": "m", "result": false}}"#);
        assert_eq!(refusal(respond(&request, 200, &body)).0, named);
    }
}

#[test]
fn not_found_with_a_5xx_is_not_trusted() {
    let lookup = GetWithdrawByShopPaymentId::new("x");
    let body = r#"{"data": null, "error_code": 7, "message": "not found", "result": false}"#;
    let err = respond(&lookup, 502, body).unwrap_err();
    assert_eq!(err.outcome(), pay_core::error::RequestOutcome::Unknown);
    assert_eq!(err.qostiq_code(), Some(QostiqErrorCode::NotFound));
    // Code 7 on a non-lookup endpoint stays a refusal.
    let create = TryWithdraw::new(
        amount("1"),
        WithdrawAmountType::PsAmount,
        Payway::new("card_uah").unwrap(),
        Currency::Uah,
    );
    assert_eq!(
        refusal(respond(&create, 200, body)).0,
        QostiqErrorCode::NotFound
    );
}

#[test]
fn bodies_that_are_not_the_envelope_are_undecodable_with_the_raw_bytes() {
    let lookup = GetWithdraw::new(1);
    for (status, body) in [
        (200, ""),
        (502, "<html>Bad Gateway</html>"),
        (200, r#"{"data": {"id": 1}}"#),
        (200, r#"{"result": "true", "error_code": 0}"#),
        (200, r#"{"result": true, "error_code": 0, "data": null}"#),
        (
            200,
            r#"{"result": true, "error_code": 0, "data": {"id": 1}}"#,
        ),
        (200, r#"{"result": true, "result": true}"#),
        (
            200,
            r#"{"result": true, "error_code": 0, "data": {}} trailing"#,
        ),
        (
            200,
            r#"{"result": true, "error_code": 0, "data": {"id": 1, "status": 5, "payee_receive": 1e999999, "ps_currency": 980, "shop_currency": 980, "shop_payment_id": "a", "shop_write_off": 1}}"#,
        ),
    ] {
        match respond(&lookup, status, body) {
            Err(Error::Undecodable {
                status: s,
                body: raw,
                reason,
            }) => {
                assert_eq!(s.as_u16(), status);
                assert_eq!(raw, body.as_bytes(), "{reason}");
            }
            other => panic!("{body}: expected Undecodable, got {other:?}"),
        }
    }
    let Err(Error::Undecodable { reason, .. }) = respond(
        &lookup,
        200,
        r#"{"result": true, "error_code": 0, "data": {"id": 1, "status": "five"}}"#,
    ) else {
        panic!()
    };
    assert_eq!(
        reason,
        r#"data.status: invalid value: string "five", expected an integer (a number or a string of digits)"#
    );
}
