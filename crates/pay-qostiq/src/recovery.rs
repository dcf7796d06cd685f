//! What the Qostiq payout creates share in their recovery contracts
//! ([`pay_core::recovery::Recoverable`], implemented next to each create): how a refusal of a
//! create reads, and how currencies and accounts enter an intent.
//!
//! | refusal of a create | class |
//! |---|---|
//! | `error_code` 6: the `shop_payment_id` (`shop_order_id`) is taken | [`RefusalClass::Exists`]: look it up; adopt only the same payout |
//! | HTTP 429 | [`RefusalClass::Throttled`]: not processed |
//! | anything else (4 too small, 5 funds, 10 parameters or sign, …) | [`RefusalClass::Definitive`]: this request did nothing |

use pay_core::error::ProviderError;
use pay_core::recovery::{FieldValue, RefusalClass};
use pay_core::text::AccountNumber;

use crate::currency::Currency;
use crate::error::{QostiqErrorCode, QostiqErrorExt};

/// What a refusal of a Qostiq create means for its recovery (see the module table).
pub(crate) fn classify_create_refusal(refusal: &ProviderError) -> RefusalClass {
    if refusal.qostiq_code() == Some(QostiqErrorCode::DuplicateShopPaymentId) {
        RefusalClass::Exists
    } else if refusal.status == http::StatusCode::TOO_MANY_REQUESTS {
        RefusalClass::Throttled
    } else {
        RefusalClass::Definitive
    }
}

/// A fiat currency as an intent compares it: its ISO numeric code.
pub(crate) fn currency(currency: Currency) -> FieldValue {
    FieldValue::text(currency.code().to_string())
}

/// An account as an intent keeps it (`None` for a blank or control-character value, which no
/// request can carry).
pub(crate) fn account(account: &AccountNumber) -> Option<FieldValue> {
    AccountNumber::new(account.expose())
        .ok()
        .map(FieldValue::Account)
}

#[cfg(test)]
mod tests {
    use super::*;
    use pay_core::error::Provider;

    #[test]
    fn refusals_of_creates() {
        let refusal = |status: u16, code: Option<i64>| {
            ProviderError::new(
                Provider::Qostiq,
                http::StatusCode::from_u16(status).unwrap(),
                code,
                "x",
                vec![],
            )
        };
        // (status, error_code, class)
        let cases = [
            (400, Some(6), RefusalClass::Exists),
            (200, Some(6), RefusalClass::Exists),
            (429, None, RefusalClass::Throttled),
            (429, Some(429), RefusalClass::Throttled),
            (400, Some(4), RefusalClass::Definitive),
            (400, Some(5), RefusalClass::Definitive),
            (400, Some(10), RefusalClass::Definitive),
            (403, Some(15), RefusalClass::Definitive),
            (200, Some(7), RefusalClass::Definitive),
        ];
        for (status, code, class) in cases {
            assert_eq!(
                classify_create_refusal(&refusal(status, code)),
                class,
                "{status} {code:?}"
            );
        }
        // Another provider's code 6 is not Qostiq's duplicate.
        let other = ProviderError::new(
            Provider::Coinqvest,
            http::StatusCode::BAD_REQUEST,
            Some(6),
            "x",
            vec![],
        );
        assert_eq!(classify_create_refusal(&other), RefusalClass::Definitive);
    }
}

/// The judgement of every create's payouts against its intent, on the seeds' field values.
#[cfg(test)]
mod judged {
    use pay_core::endpoint::Endpoint;
    use pay_core::recovery::{PayoutRecord, Recoverable, Verdict};

    use crate::ShopId;
    use crate::bills::{BillInfo, BillRecord, CreateBill, CreateBillV2};
    use crate::crypto::{CreateCryptoWithdraw, CryptoWithdrawInfo, CryptoWithdrawal};
    use crate::currency::{CryptoAsset, Currency, Payway};
    use crate::status::{BillStatus, CryptoWithdrawStatus, WithdrawStatus};
    use crate::transfers::{CreateTransfer, Transfer, TransferAmountType, TransferInfo};
    use crate::withdrawals::{CreateWithdraw, WithdrawAmountType, WithdrawInfo, Withdrawal};

    fn amount(text: &str) -> pay_core::money::Amount {
        text.parse().unwrap()
    }

    /// The fields that differ, or `same`.
    fn verdict(v: Verdict) -> String {
        match v {
            Verdict::Same => "same".to_owned(),
            Verdict::Conflict { differences } => differences
                .iter()
                .map(|d| d.field.as_str())
                .collect::<Vec<_>>()
                .join(","),
            other => format!("{other:?}"),
        }
    }

    fn withdraw_info(spid: &str, receive: &str, write_off: &str, currency: u16) -> WithdrawInfo {
        WithdrawInfo {
            id: 11298076,
            status: WithdrawStatus::from_code(3),
            payee_receive: amount(receive),
            ps_currency: Currency::from_code(980),
            shop_currency: Currency::from_code(currency),
            shop_payment_id: spid.to_owned(),
            shop_write_off: amount(write_off),
            rejected_reason: None,
        }
    }

    #[test]
    fn withdraw_table() {
        let create = |amount_type| {
            CreateWithdraw::new(
                "4111111111111111",
                amount("500.00"),
                amount_type,
                Payway::new("card_uah").unwrap(),
                Currency::Uah,
                "w-1",
            )
        };
        let ps = create(WithdrawAmountType::PsAmount);
        let shop = create(WithdrawAmountType::ShopAmount);
        // (request, found, verdict)
        let cases = [
            (&ps, withdraw_info("w-1", "500", "510", 980), "same"),
            (&ps, withdraw_info("w-1", "500.00", "510.00", 980), "same"),
            // Another shop_payment_id: someone else's payout.
            (&ps, withdraw_info("w-2", "500", "510", 980), "id"),
            // The same id from an earlier payout of 1.00.
            (&ps, withdraw_info("w-1", "1", "1.02", 980), "payee_receive"),
            // Rounded by the provider: not guessed, a conflict.
            (
                &ps,
                withdraw_info("w-1", "500.01", "510", 980),
                "payee_receive",
            ),
            (
                &ps,
                withdraw_info("w-1", "500", "510", 840),
                "shop_currency",
            ),
            // shop_amount compares what left the shop.
            (&shop, withdraw_info("w-1", "490.19", "500", 980), "same"),
            (
                &shop,
                withdraw_info("w-1", "500", "510", 980),
                "shop_write_off",
            ),
        ];
        for (request, info, expected) in cases {
            let payout = Withdrawal::from(info.clone());
            let got = verdict(payout.judge(&request.intent()));
            assert_eq!(got, expected, "{:?} vs {info:?}", request.amount_type);
        }
        let intent = ps.intent();
        assert_eq!(intent.operation, CreateWithdraw::INFO.name);
        assert_eq!(intent.id, "w-1");
        assert!(!format!("{intent:?}").contains("4111111111111111"));
        assert_eq!(ps.lookup().shop_payment_id, "w-1");
    }

    #[test]
    fn crypto_table() {
        let request = CreateCryptoWithdraw::new(
            "0xf8227AA7aF9B5166AF69581C703A4398387B2B07",
            amount("0.0001"),
            WithdrawAmountType::PsAmount,
            Payway::new("usdt_bep20").unwrap(),
            CryptoAsset::new("USDT").unwrap(),
            "test_withdraw_id_4",
        );
        let info = |spid: &str, address: Option<&str>, receive: &str| CryptoWithdrawInfo {
            id: 15,
            status: CryptoWithdrawStatus::from_code(2),
            payee_address: address.map(pay_core::text::AccountNumber::from),
            payee_currency: CryptoAsset::new("USDT").unwrap(),
            payee_receive: amount(receive),
            shop_currency: CryptoAsset::new("USDT").unwrap(),
            shop_payment_id: spid.to_owned(),
            shop_write_off: amount("0.000103"),
        };
        let ours = Some("0xf8227AA7aF9B5166AF69581C703A4398387B2B07");
        // (found, verdict): the seed's own answer first.
        let cases = [
            (info("test_withdraw_id_4", ours, "0.0001"), "same"),
            (
                info("test_withdraw_id_4", ours, "0.000100000000000000"),
                "same",
            ),
            (info("test_withdraw_id_4", None, "0.0001"), "same"),
            (
                info(
                    "test_withdraw_id_4",
                    Some("0xAttacker0000000000000000000000000000000"),
                    "0.0001",
                ),
                "payee_address",
            ),
            (info("test_withdraw_id_4", ours, "0.0002"), "payee_receive"),
            (info("test_withdraw_id_5", ours, "0.0001"), "id"),
        ];
        for (found, expected) in cases {
            let payout = CryptoWithdrawal::from(found.clone());
            let got = verdict(payout.judge(&request.intent()));
            assert_eq!(got, expected, "{found:?}");
        }
    }

    #[test]
    fn transfer_table() {
        let receive = CreateTransfer::new(
            amount("10"),
            TransferAmountType::ReceiveAmount,
            "201497141132",
            Currency::Uah,
            Currency::Uah,
            "55ac443d",
        );
        let writeoff = CreateTransfer::new(
            amount("10"),
            TransferAmountType::WriteoffAmount,
            "201497141132",
            Currency::Uah,
            Currency::Uah,
            "55ac443d",
        );
        let info = |spid: &str, receive: &str, write_off: &str| TransferInfo {
            id: 3,
            payee_currency: Currency::Uah,
            receive_amount: amount(receive),
            shop_currency: Currency::Uah,
            shop_payment_id: spid.to_owned(),
            write_off_amount: amount(write_off),
        };
        let cases = [
            (&receive, info("55ac443d", "10", "10.2"), "same"),
            (&receive, info("55ac443d", "1", "1"), "payee_amount"),
            (&writeoff, info("55ac443d", "9.8", "10"), "same"),
            (
                &writeoff,
                info("55ac443d", "10", "10.2"),
                "write_off_amount",
            ),
            (&receive, info("other", "10", "10"), "id"),
        ];
        for (request, found, expected) in cases {
            let payout = Transfer::from(found.clone());
            let got = verdict(payout.judge(&request.intent()));
            assert_eq!(got, expected, "{found:?}");
        }
    }

    #[test]
    fn bill_table() {
        let bill = CreateBill::new(amount("23.15"), Currency::Uah, Currency::Uah, "4239");
        let mut free = CreateBillV2::new(Currency::Uah, "4239");
        let info = |order: &str, shop_amount: &str, unique: bool| BillInfo {
            status: BillStatus::from_code(1),
            is_unique: unique,
            payment_id: 9,
            client_price: None,
            created: None,
            processed: None,
            description: None,
            payway: None,
            ps_currency: None,
            ps_data: None,
            shop_amount: Some(amount(shop_amount)),
            shop_currency: Currency::Uah,
            shop_id: ShopId::from_response(112),
            shop_order_id: order.to_owned(),
            shop_refund: None,
        };
        let found = |i: BillInfo| BillRecord::Found(i);
        assert_eq!(
            verdict(found(info("4239", "23.15", true)).judge(&bill.intent())),
            "same"
        );
        assert_eq!(
            verdict(found(info("4239", "1", true)).judge(&bill.intent())),
            "shop_amount"
        );
        // Several bills share the order id: the lookup shows the last one; never guessed.
        assert_eq!(
            verdict(found(info("4239", "23.15", false)).judge(&bill.intent())),
            "is_unique"
        );
        // A free-amount bill has no amount to compare.
        assert_eq!(
            verdict(found(info("4239", "99", true)).judge(&free.intent())),
            "same"
        );
        free.amount = Some(amount("5"));
        assert_eq!(
            verdict(found(info("4239", "99", true)).judge(&free.intent())),
            "shop_amount"
        );
    }
}
