//! Golden requests: for every endpoint, with a fixed clock and secret, the exact method, path,
//! headers and body bytes. The `sign` in each expected body is not copied from the code under test:
//! it is computed here from PROTOCOL.md's rule (`sha256(v1:…:vN + secret)`, lowercase hex) with the
//! `sha2` crate, and also recomputed from the built body by pay-signing's server-side rendering.
#![allow(clippy::unwrap_used)] // test code: a failure is a failed test

use bytes::Bytes;
use http::Method;
use http::header::CONTENT_TYPE;
use pay_core::clock::FixedClock;
use pay_core::endpoint::{Endpoint, EndpointInfo};
use pay_core::error::Provider;
use pay_core::retry::RetryClass;
use pay_core::secret::Secret;
use pay_qostiq::bills::{BillUrls, CreateBill, CreateBillV2, GetBill};
use pay_qostiq::crypto::{
    CreateCryptoWithdraw, GetCryptoBalance, GetCryptoWithdraw, GetCryptoWithdrawByShopPaymentId,
    TryCryptoWithdraw,
};
use pay_qostiq::invoices::{CreateInvoice, TryInvoice};
use pay_qostiq::pay_form::{FormMethod, Lang, PayForm};
use pay_qostiq::shop::{GetInputConfig, GetOutputConfig, GetShopBalance, RegisterAccount};
use pay_qostiq::transfers::{CreateTransfer, GetTransfer, TransferAmountType, TryTransfer};
use pay_qostiq::withdrawals::{
    CheckAccount, CreateWithdraw, GetWithdraw, GetWithdrawByShopPaymentId, TryWithdraw,
    WithdrawAmountType,
};
use pay_qostiq::{
    AccountDetails, CryptoAsset, Currency, Payway, QostiqContext, QostiqRequest, ShopId,
    SignedBody, explain_body,
};
use sha2::{Digest, Sha256};
use time::macros::datetime;

mod support;

use support::{SECRET, amount, context};

/// The fixed instant: `2021-05-01 16:56:25.009469` UTC.
const NOW_FIAT: &str = "2021-05-01 16:56:25.009469";
const NOW_UNIX: &str = "1619888185";
const NOW_DAY_FIRST: &str = "01.05.2021 16:56:25";

/// PROTOCOL.md's rule, computed independently of pay-signing.
fn reference_sign(values: &[&str]) -> String {
    let mut hasher = Sha256::new();
    hasher.update(values.join(":").as_bytes());
    hasher.update(SECRET.as_bytes());
    hex::encode(hasher.finalize())
}

/// A request of any endpoint, as the golden checks see it (so one table can hold many endpoints).
trait GoldenRequest {
    fn info(&self) -> EndpointInfo;
    fn build(&self, context: &QostiqContext) -> http::Request<Bytes>;
    fn signed(&self, context: &QostiqContext) -> SignedBody;
}

impl<E: QostiqRequest> GoldenRequest for E {
    fn info(&self) -> EndpointInfo {
        E::INFO
    }

    fn build(&self, context: &QostiqContext) -> http::Request<Bytes> {
        self.build_request(context).unwrap()
    }

    fn signed(&self, context: &QostiqContext) -> SignedBody {
        self.signed_body(context).unwrap()
    }
}

/// One golden case: the request, its endpoint name and retry class, the signed values in order,
/// and the exact body (with `{SIGN}` standing for the reference signature of the values).
type Case<'a> = (
    &'a dyn GoldenRequest,
    &'a str,
    RetryClass,
    &'a [&'a str],
    &'a str,
);

/// Builds `request` and checks it against the expected body (with `{SIGN}` standing for the
/// reference signature of `values`), the endpoint facts, and the server-side rendering.
fn golden(
    request: &dyn GoldenRequest,
    name: &str,
    retry: RetryClass,
    values: &[&str],
    expected_body: &str,
) {
    let context = context();
    let built = request.build(&context);
    let info = request.info();
    let path = info.path;
    assert_eq!(built.method(), Method::POST, "{path}");
    assert_eq!(built.uri(), path, "{path}");
    assert_eq!(built.headers().len(), 1, "{path}: only Content-Type");
    assert_eq!(built.headers()[CONTENT_TYPE], "application/json", "{path}");
    let sign = reference_sign(values);
    let expected = expected_body.replace("{SIGN}", &sign);
    assert_eq!(
        std::str::from_utf8(built.body()).unwrap(),
        expected,
        "{path}"
    );
    assert_eq!(info.provider, Provider::Qostiq);
    assert_eq!(info.method, Method::POST);
    assert_eq!(info.name, name);
    assert_eq!(info.retry_class, retry, "{path}");
    // The server renders each signed value with Python's str(): it must get the same text.
    let explained = explain_body(path, built.body(), &Secret::new(SECRET).unwrap()).unwrap();
    assert_eq!(
        explained.sign, sign,
        "{path}: server-side rendering differs"
    );
    let signed = request.signed(&context);
    assert_eq!(signed.string_to_sign, format!("{}***", values.join(":")));
    assert_eq!(signed.sign, sign);
    assert_eq!(signed.body, *built.body());
}

/// Checks every case of a table with [`golden`].
fn golden_table(cases: &[Case<'_>]) {
    for &(request, name, retry, values, expected_body) in cases {
        golden(request, name, retry, values, expected_body);
    }
}

#[test]
fn bill_create() {
    let mut bill = CreateBill::new(amount("23.15"), Currency::Uah, Currency::Usd, "4239");
    golden(
        &bill,
        "qostiq.bill.create",
        RetryClass::RecoverByLookup,
        &["840", "23.15", "980", "112", "4239"],
        r#"{"payer_currency":840,"shop_amount":"23.15","shop_currency":980,"shop_id":112,"shop_order_id":"4239","sign":"{SIGN}"}"#,
    );
    bill.description = Some("Test Bill".into());
    bill.payer_account = Some("support@qostiq.com".into());
    bill.urls = BillUrls {
        success_url: Some("https://shop.example/ok".into()),
        failed_url: Some("https://shop.example/fail".into()),
        callback_url: Some("https://shop.example/cb".into()),
        callback_rejected_url: Some("https://shop.example/rej".into()),
    };
    bill.lifetime_minutes = Some(43200);
    golden(
        &bill,
        "qostiq.bill.create",
        RetryClass::RecoverByLookup,
        &["840", "23.15", "980", "112", "4239"],
        r#"{"payer_currency":840,"shop_amount":"23.15","shop_currency":980,"shop_id":112,"shop_order_id":"4239","description":"Test Bill","payer_account":"support@qostiq.com","failed_url":"https://shop.example/fail","success_url":"https://shop.example/ok","callback_url":"https://shop.example/cb","callback_rejected_url":"https://shop.example/rej","lifetime":"43200","sign":"{SIGN}"}"#,
    );
}

#[test]
fn bill_create_v2() {
    let mut bill = CreateBillV2::new(Currency::Usd, "dc5a286e-6c5e-43e8-8c68-926fa15d09ec");
    golden(
        &bill,
        "qostiq.bill.create_v2",
        RetryClass::RecoverByLookup,
        &[
            "840",
            NOW_UNIX,
            "112",
            "dc5a286e-6c5e-43e8-8c68-926fa15d09ec",
        ],
        r#"{"currency":840,"now":1619888185,"shop_id":112,"shop_order_id":"dc5a286e-6c5e-43e8-8c68-926fa15d09ec","sign":"{SIGN}"}"#,
    );
    bill.amount = Some(amount("10.00"));
    bill.email = Some("example@mail.com".into());
    bill.lang = Some(Lang::Uk);
    bill.lifetime_minutes = Some(90);
    golden(
        &bill,
        "qostiq.bill.create_v2",
        RetryClass::RecoverByLookup,
        &[
            "840",
            NOW_UNIX,
            "112",
            "dc5a286e-6c5e-43e8-8c68-926fa15d09ec",
        ],
        r#"{"currency":840,"now":1619888185,"shop_id":112,"shop_order_id":"dc5a286e-6c5e-43e8-8c68-926fa15d09ec","amount":"10.00","email":"example@mail.com","lifetime":"90","lang":"uk","sign":"{SIGN}"}"#,
    );
}

#[test]
fn transfer_create() {
    let mut transfer = CreateTransfer::new(
        amount("10"),
        TransferAmountType::WriteoffAmount,
        "201497141132",
        Currency::Uah,
        Currency::Kzt,
        "55ac443d-958b-40e3-8956-e04e72561324",
    );
    transfer.description = Some("Оплата заказа".into());
    golden(
        &transfer,
        "qostiq.transfer.create",
        RetryClass::RecoverByLookup,
        &[
            "10",
            "writeoff_amount",
            "201497141132",
            "980",
            "398",
            "112",
            "55ac443d-958b-40e3-8956-e04e72561324",
        ],
        r#"{"amount":"10","amount_type":"writeoff_amount","payee_account":"201497141132","payee_currency":980,"shop_currency":398,"shop_id":112,"shop_payment_id":"55ac443d-958b-40e3-8956-e04e72561324","description":"Оплата заказа","sign":"{SIGN}"}"#,
    );
}

#[test]
fn withdraw_create() {
    let mut payout = CreateWithdraw::new(
        "test acc",
        amount("1"),
        WithdrawAmountType::PsAmount,
        Payway::new("card_uah").unwrap(),
        Currency::Usd,
        "63288d86-241c-418e-94b8-db4bbf5026fe",
    );
    let values = [
        "test acc",
        "1",
        "ps_amount",
        "card_uah",
        "840",
        "112",
        "63288d86-241c-418e-94b8-db4bbf5026fe",
    ];
    golden(
        &payout,
        "qostiq.withdraw.create",
        RetryClass::RecoverByLookup,
        &values,
        r#"{"account":"test acc","amount":"1","amount_type":"ps_amount","payway":"card_uah","shop_currency":840,"shop_id":112,"shop_payment_id":"63288d86-241c-418e-94b8-db4bbf5026fe","sign":"{SIGN}"}"#,
    );
    payout.account_details = Some(
        AccountDetails::new()
            .with("fname", "ksu")
            .unwrap()
            .with("lname", "ksu")
            .unwrap(),
    );
    payout.description = Some("Test desc".into());
    payout.email = Some("test@email.com".into());
    payout.callback_url = Some("https://shop.com/withdraw/callback".into());
    golden(
        &payout,
        "qostiq.withdraw.create",
        RetryClass::RecoverByLookup,
        &values,
        r#"{"account":"test acc","amount":"1","amount_type":"ps_amount","payway":"card_uah","shop_currency":840,"shop_id":112,"shop_payment_id":"63288d86-241c-418e-94b8-db4bbf5026fe","account_details":{"fname":"ksu","lname":"ksu"},"description":"Test desc","email":"test@email.com","callback_url":"https://shop.com/withdraw/callback","sign":"{SIGN}"}"#,
    );
}

#[test]
fn crypto_withdraw_create() {
    let mut payout = CreateCryptoWithdraw::new(
        "EQC67_9GtyJveay9fYwjuOUg2VvokASM3xI7MQ7R84UzC2Qx",
        amount("1"),
        WithdrawAmountType::PsAmount,
        Payway::new("ton_ton")
            .unwrap()
            .with_precision(pay_core::money::Precision::crypto(9)),
        CryptoAsset::new("TON").unwrap(),
        "test_withdraw_id_4",
    );
    payout.account_details = Some(AccountDetails::new().with("comment", "12345678").unwrap());
    payout.description = Some("test description".into());
    payout.crypto_callback_url = Some("https://shop.com/callback/crypto".into());
    golden(
        &payout,
        "qostiq.crypto.withdraw.create",
        RetryClass::RecoverByLookup,
        &[
            "EQC67_9GtyJveay9fYwjuOUg2VvokASM3xI7MQ7R84UzC2Qx",
            "1",
            "ps_amount",
            NOW_UNIX,
            "ton_ton",
            "TON",
            "112",
            "test_withdraw_id_4",
        ],
        r#"{"account":"EQC67_9GtyJveay9fYwjuOUg2VvokASM3xI7MQ7R84UzC2Qx","amount":"1","amount_type":"ps_amount","now":1619888185,"payway":"ton_ton","shop_currency":"TON","shop_id":112,"shop_payment_id":"test_withdraw_id_4","account_details":{"comment":"12345678"},"description":"test description","crypto_callback_url":"https://shop.com/callback/crypto","sign":"{SIGN}"}"#,
    );
}

/// The quotes and the account check: fees and requirements, nothing created.
#[test]
fn quotes() {
    let mut check = CheckAccount::new("test_acc", amount("10.5"), Payway::new("card_uah").unwrap());
    check.account_details = Some(AccountDetails::new().with("contract", "C1234").unwrap());
    golden_table(&[
        (
            &TryTransfer::new(
                amount("1.11"),
                TransferAmountType::ReceiveAmount,
                Currency::Eur,
                Currency::Usd,
            ),
            "qostiq.transfer.try",
            RetryClass::Safe,
            &["1.11", "receive_amount", "978", "840", "112"],
            r#"{"amount":"1.11","amount_type":"receive_amount","payee_currency":978,"shop_currency":840,"shop_id":112,"sign":"{SIGN}"}"#,
        ),
        (
            &TryWithdraw::new(
                amount("0.50"),
                WithdrawAmountType::PsAmount,
                Payway::new("card_uah").unwrap(),
                Currency::Uah,
            ),
            "qostiq.withdraw.try",
            RetryClass::Safe,
            &["0.50", "ps_amount", "card_uah", "980", "112"],
            r#"{"amount":"0.50","amount_type":"ps_amount","payway":"card_uah","shop_currency":980,"shop_id":112,"sign":"{SIGN}"}"#,
        ),
        (
            &check,
            "qostiq.check_account",
            RetryClass::Safe,
            &["test_acc", "10.5", "card_uah", "112"],
            r#"{"account":"test_acc","amount":"10.5","payway":"card_uah","shop_id":112,"account_details":{"contract":"C1234"},"sign":"{SIGN}"}"#,
        ),
        (
            &TryCryptoWithdraw::new(
                amount("1.00000001"),
                WithdrawAmountType::PsAmount,
                Payway::new("usdt_bep20").unwrap(),
                CryptoAsset::new("USDT").unwrap(),
            ),
            "qostiq.crypto.withdraw.try",
            RetryClass::Safe,
            &[
                "1.00000001",
                "ps_amount",
                NOW_UNIX,
                "usdt_bep20",
                "USDT",
                "112",
            ],
            r#"{"amount":"1.00000001","amount_type":"ps_amount","now":1619888185,"payway":"usdt_bep20","shop_currency":"USDT","shop_id":112,"sign":"{SIGN}"}"#,
        ),
    ]);
}

/// The status lookups, by the shop's id or Qostiq's, with `now` in each endpoint's form.
#[test]
fn status_lookups() {
    golden_table(&[
        (
            &GetBill::new("234234232323"),
            "qostiq.bill.shop_order_status",
            RetryClass::Safe,
            &[NOW_FIAT, "112", "234234232323"],
            r#"{"now":"2021-05-01 16:56:25.009469","shop_id":112,"shop_order_id":"234234232323","sign":"{SIGN}"}"#,
        ),
        (
            &GetTransfer::new("55ac443d-958b-40e3-8956-e04e72561322"),
            "qostiq.transfer.shop_payment_status",
            RetryClass::Safe,
            &[NOW_FIAT, "112", "55ac443d-958b-40e3-8956-e04e72561322"],
            r#"{"now":"2021-05-01 16:56:25.009469","shop_id":112,"shop_payment_id":"55ac443d-958b-40e3-8956-e04e72561322","sign":"{SIGN}"}"#,
        ),
        (
            &GetWithdraw::new(11298076),
            "qostiq.withdraw.status",
            RetryClass::Safe,
            &[NOW_FIAT, "112", "11298076"],
            r#"{"now":"2021-05-01 16:56:25.009469","shop_id":112,"withdraw_id":11298076,"sign":"{SIGN}"}"#,
        ),
        (
            &GetWithdrawByShopPaymentId::new("63288d86-241c-418e-94b8-db4bbf5026f"),
            "qostiq.withdraw.shop_payment_status",
            RetryClass::Safe,
            &[NOW_FIAT, "112", "63288d86-241c-418e-94b8-db4bbf5026f"],
            r#"{"now":"2021-05-01 16:56:25.009469","shop_id":112,"shop_payment_id":"63288d86-241c-418e-94b8-db4bbf5026f","sign":"{SIGN}"}"#,
        ),
        (
            &GetCryptoWithdraw::new(15),
            "qostiq.crypto.withdraw.status",
            RetryClass::Safe,
            &[NOW_UNIX, "112", "15"],
            r#"{"now":1619888185,"shop_id":112,"withdraw_id":15,"sign":"{SIGN}"}"#,
        ),
        (
            &GetCryptoWithdrawByShopPaymentId::new("test_withdraw_id_4"),
            "qostiq.crypto.withdraw.shop_payment_status",
            RetryClass::Safe,
            &[NOW_UNIX, "112", "test_withdraw_id_4"],
            r#"{"now":1619888185,"shop_id":112,"shop_payment_id":"test_withdraw_id_4","sign":"{SIGN}"}"#,
        ),
    ]);
}

/// The requests about the shop itself.
#[test]
fn shop_queries() {
    golden_table(&[
        (
            &GetCryptoBalance::new(),
            "qostiq.crypto.shop_balance",
            RetryClass::Safe,
            &[NOW_UNIX, "112"],
            r#"{"now":1619888185,"shop_id":112,"sign":"{SIGN}"}"#,
        ),
        (
            &RegisterAccount::new("example@email.com"),
            "qostiq.account.register",
            RetryClass::Never,
            &["example@email.com", NOW_DAY_FIRST, "112"],
            r#"{"email":"example@email.com","now":"01.05.2021 16:56:25","shop_id":112,"sign":"{SIGN}"}"#,
        ),
        (
            &GetShopBalance::new(),
            "qostiq.shop_balance",
            RetryClass::Safe,
            &[NOW_FIAT, "112"],
            r#"{"now":"2021-05-01 16:56:25.009469","shop_id":112,"sign":"{SIGN}"}"#,
        ),
        (
            &GetInputConfig::new(),
            "qostiq.shop_input_config",
            RetryClass::Safe,
            &[NOW_FIAT, "112"],
            r#"{"now":"2021-05-01 16:56:25.009469","shop_id":112,"sign":"{SIGN}"}"#,
        ),
        (
            &GetOutputConfig::new(),
            "qostiq.shop_output_config",
            RetryClass::Safe,
            &[NOW_FIAT, "112"],
            r#"{"now":"2021-05-01 16:56:25.009469","shop_id":112,"sign":"{SIGN}"}"#,
        ),
    ]);
}

#[test]
fn invoice_try() {
    let mut invoice = TryInvoice::new(
        amount("12.34"),
        Currency::Uah,
        Payway::new("card_uah").unwrap(),
        "4126",
    );
    invoice.invoice.description = Some("Test".into());
    golden(
        &invoice,
        "qostiq.invoice.try",
        RetryClass::Safe,
        &["12.34", "980", "card_uah", "112", "4126"],
        r#"{"amount":"12.34","currency":980,"payway":"card_uah","shop_id":112,"shop_order_id":"4126","description":"Test","sign":"{SIGN}"}"#,
    );
}

#[test]
fn invoice_create() {
    let mut invoice = CreateInvoice::new(
        amount("12.34"),
        Currency::Uah,
        Payway::new("card_uah").unwrap(),
        "4126",
    );
    invoice.invoice.success_url = Some("https://shop.example/ok".into());
    invoice.invoice.failed_url = Some("https://shop.example/fail".into());
    invoice.invoice.callback_url = Some("https://shop.example/cb".into());
    golden(
        &invoice,
        "qostiq.invoice.create",
        RetryClass::Never,
        &["12.34", "980", "card_uah", "112", "4126"],
        r#"{"amount":"12.34","currency":980,"payway":"card_uah","shop_id":112,"shop_order_id":"4126","success_url":"https://shop.example/ok","failed_url":"https://shop.example/fail","callback_url":"https://shop.example/cb","sign":"{SIGN}"}"#,
    );
}

#[test]
fn invoice_create_confirmed_example() {
    // PROTOCOL.md's confirmed example: 12.34:980:card_uah:5:4126SecretKey01 → 4c2608a8…4104.
    let context = QostiqContext::new(
        ShopId::new(5).unwrap(),
        Secret::new("SecretKey01").unwrap(),
        FixedClock(datetime!(2021-05-01 0:00 UTC)),
    );
    let invoice = CreateInvoice::new(
        amount("12.34"),
        Currency::Uah,
        Payway::new("card_uah").unwrap(),
        "4126",
    );
    let signed = invoice.signed_body(&context).unwrap();
    assert_eq!(
        signed.sign,
        "4c2608a8638c0650d54dd4809bd69ab50d1a1cd55f2e13366b68d43caee34104"
    );
}

#[test]
fn pay_form() {
    // PROTOCOL.md's confirmed example: 10.00:980:1:101SecretKey01 → 7354edb9…dc69.
    let context = QostiqContext::new(
        ShopId::new(1).unwrap(),
        Secret::new("SecretKey01").unwrap(),
        FixedClock(datetime!(2021-05-01 0:00 UTC)),
    );
    let mut form = PayForm::new(amount("10.00"), Currency::Uah, "101");
    form.description = Some("Order <101> & \"more\"".into());
    form.callback_url = Some("https://shop.example/cb".into());
    form.lang = Lang::Uk;
    let signed = form.sign(&context).unwrap();
    let sign = "7354edb970dae3b496572252d7d7578fc8e0f1061b2e69a9eda1b39f3cdadc69";
    assert_eq!(signed.sign, sign);
    assert_eq!(signed.string_to_sign, "10.00:980:1:101***");
    assert_eq!(signed.form.method, FormMethod::Post);
    assert_eq!(signed.form.action, "https://pay.qostiq.com/uk/pay");
    let expected_fields: Vec<(String, String)> = [
        ("amount", "10.00"),
        ("currency", "980"),
        ("shop_id", "1"),
        ("shop_order_id", "101"),
        ("description", "Order <101> & \"more\""),
        ("callback_url", "https://shop.example/cb"),
        ("sign", sign),
    ]
    .iter()
    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
    .collect();
    assert_eq!(signed.form.fields, expected_fields);
    assert_eq!(
        signed.form.to_html(),
        format!(
            "<form method=\"post\" action=\"https://pay.qostiq.com/uk/pay\" accept-charset=\"utf-8\">\n\
             \x20 <input type=\"hidden\" name=\"amount\" value=\"10.00\">\n\
             \x20 <input type=\"hidden\" name=\"currency\" value=\"980\">\n\
             \x20 <input type=\"hidden\" name=\"shop_id\" value=\"1\">\n\
             \x20 <input type=\"hidden\" name=\"shop_order_id\" value=\"101\">\n\
             \x20 <input type=\"hidden\" name=\"description\" value=\"Order &lt;101&gt; &amp; &quot;more&quot;\">\n\
             \x20 <input type=\"hidden\" name=\"callback_url\" value=\"https://shop.example/cb\">\n\
             \x20 <input type=\"hidden\" name=\"sign\" value=\"{sign}\">\n\
             \x20 <button type=\"submit\">Pay</button>\n</form>\n"
        )
    );
    // A configurable PAY host.
    form.base_url = Some("http://127.0.0.1:8080/".parse().unwrap());
    assert_eq!(
        form.sign(&context).unwrap().form.action,
        "http://127.0.0.1:8080/uk/pay"
    );
}

#[test]
fn every_endpoint_is_in_the_signed_keys_table_and_named_uniquely() {
    use pay_core::endpoint::EndpointInfo;
    let infos: [EndpointInfo; 22] = [
        CreateBill::INFO,
        CreateBillV2::INFO,
        GetBill::INFO,
        TryTransfer::INFO,
        CreateTransfer::INFO,
        GetTransfer::INFO,
        TryWithdraw::INFO,
        CheckAccount::INFO,
        CreateWithdraw::INFO,
        GetWithdraw::INFO,
        GetWithdrawByShopPaymentId::INFO,
        TryCryptoWithdraw::INFO,
        CreateCryptoWithdraw::INFO,
        GetCryptoWithdraw::INFO,
        GetCryptoWithdrawByShopPaymentId::INFO,
        GetCryptoBalance::INFO,
        RegisterAccount::INFO,
        GetShopBalance::INFO,
        GetInputConfig::INFO,
        GetOutputConfig::INFO,
        TryInvoice::INFO,
        CreateInvoice::INFO,
    ];
    let mut names: Vec<_> = infos.iter().map(|i| i.name).collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), infos.len());
    for info in &infos {
        assert!(
            pay_signing::qostiq::signed_keys(info.path).is_some(),
            "{}",
            info.path
        );
        assert!(info.name.starts_with("qostiq."));
    }
    // Every seed endpoint of the table (all but the three beyond-the-seeds crypto extras) is covered.
    for (endpoint, _) in pay_signing::qostiq::SIGNED_KEYS {
        let covered = *endpoint == "pay-form" || infos.iter().any(|i| i.path == *endpoint);
        let not_ours = matches!(
            *endpoint,
            "/crypto/shop_address/create" | "/crypto/bill/try" | "/crypto/transfer/try"
        );
        assert!(covered || not_ours, "{endpoint} has no typed request");
    }
}
