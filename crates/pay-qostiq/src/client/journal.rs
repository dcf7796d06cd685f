//! The journal form of the Qostiq creates the client recovers
//! ([`pay_transport::journal::Journaled`]): every field of the request, so a payout whose process
//! died can be sent again (same `shop_payment_id`) by another instance.
//!
//! Each request is written as a flat JSON object named after its fields: amounts as decimal
//! strings, fiat currencies by their numeric code, account numbers **in clear** (the journal lives
//! in the merchant's own database, like the rest of its payout records). Reading checks every
//! value as the request's own constructors do, so a hand-edited row is refused, never sent.

use pay_core::error::Error;
use pay_core::money::{Amount, Precision};
use pay_core::text::AccountNumber;
use pay_transport::journal::{Journaled, Stored, unreadable};
use serde_json::{Map, Value, json};

use crate::account::AccountDetails;
use crate::bills::{BillUrls, CreateBill, CreateBillV2};
use crate::crypto::CreateCryptoWithdraw;
use crate::currency::{CryptoAsset, Currency, Payway};
use crate::pay_form::Lang;
use crate::transfers::{CreateTransfer, TransferAmountType};
use crate::withdrawals::{CreateWithdraw, WithdrawAmountType, WithdrawTerms, withdraw_terms};

/// The Qostiq fields of a stored request, read with the checks of the request's own types.
trait QostiqFields {
    fn currency(&self, field: &str) -> Result<Currency, Error>;
    fn payway(&self) -> Result<Payway, Error>;
    fn withdraw_amount_type(&self) -> Result<WithdrawAmountType, Error>;
    fn account_details(&self) -> Result<Option<AccountDetails>, Error>;
    fn urls(&self) -> Result<BillUrls, Error>;
}

impl QostiqFields for Stored<'_> {
    fn currency(&self, field: &str) -> Result<Currency, Error> {
        self.get(field)
            .and_then(Value::as_u64)
            .and_then(|code| u16::try_from(code).ok())
            .map(Currency::from_code)
            .ok_or_else(|| unreadable(field, "not a numeric currency code"))
    }

    /// A payway with the precision it was sent with.
    fn payway(&self) -> Result<Payway, Error> {
        let payway = Payway::new(self.text("payway")?)?;
        Ok(match self.opt_u32("payway_precision")? {
            Some(decimals) => payway.with_precision(Precision::crypto(decimals)),
            None => payway,
        })
    }

    fn withdraw_amount_type(&self) -> Result<WithdrawAmountType, Error> {
        match self.text("amount_type")?.as_str() {
            "ps_amount" => Ok(WithdrawAmountType::PsAmount),
            "shop_amount" => Ok(WithdrawAmountType::ShopAmount),
            _ => Err(unreadable("amount_type", "not ps_amount or shop_amount")),
        }
    }

    fn account_details(&self) -> Result<Option<AccountDetails>, Error> {
        let Some(value) = self.get("account_details") else {
            return Ok(None);
        };
        let pairs = value
            .as_array()
            .ok_or_else(|| unreadable("account_details", "not a list"))?;
        let mut details = AccountDetails::new();
        for pair in pairs {
            match pair.as_array().map(Vec::as_slice) {
                Some([Value::String(name), Value::String(value)]) => {
                    details = details.with(name.clone(), value.clone())?;
                }
                _ => return Err(unreadable("account_details", "not [name, value] pairs")),
            }
        }
        Ok(Some(details))
    }

    fn urls(&self) -> Result<BillUrls, Error> {
        Ok(BillUrls {
            success_url: self.opt_text("success_url")?,
            failed_url: self.opt_text("failed_url")?,
            callback_url: self.opt_text("callback_url")?,
            callback_rejected_url: self.opt_text("callback_rejected_url")?,
        })
    }
}

fn details_json(details: &Option<AccountDetails>) -> Value {
    details.as_ref().map_or(Value::Null, |d| {
        Value::Array(d.iter().map(|(n, v)| json!([n, v])).collect())
    })
}

fn precision_json(payway: &Payway) -> Value {
    payway
        .crypto_precision()
        .map_or(Value::Null, |p| json!(p.decimals()))
}

fn urls_json(out: &mut Map<String, Value>, urls: &BillUrls) {
    let BillUrls {
        success_url,
        failed_url,
        callback_url,
        callback_rejected_url,
    } = urls;
    out.insert("success_url".into(), json!(success_url));
    out.insert("failed_url".into(), json!(failed_url));
    out.insert("callback_url".into(), json!(callback_url));
    out.insert("callback_rejected_url".into(), json!(callback_rejected_url));
}

impl<C> WithdrawTerms<'_, C> {
    /// The journal form of a withdrawal: its shared terms, then `extras` (each create's own
    /// `shop_currency` form and callback fields).
    fn to_journal<const N: usize>(&self, extras: [(&str, Value); N]) -> Value {
        let fields = [
            ("account", json!(self.account.expose())),
            ("amount", json!(self.amount.to_string())),
            ("amount_type", json!(self.amount_type.as_str())),
            ("payway", json!(self.payway.as_str())),
            ("payway_precision", precision_json(self.payway)),
            ("shop_payment_id", json!(self.shop_payment_id)),
            ("account_details", details_json(self.account_details)),
            ("description", json!(self.description)),
        ];
        let out: Map<String, Value> = fields
            .into_iter()
            .chain(extras)
            .map(|(name, value)| (name.to_owned(), value))
            .collect();
        Value::Object(out)
    }
}

/// The shared terms of a withdrawal read back, with the checks of the requests' own types, into
/// the request `new` makes (with the required fields) and the optional ones set.
fn read_withdraw<R, C>(
    s: &Stored<'_>,
    shop_currency: C,
    new: fn(AccountNumber, Amount, WithdrawAmountType, Payway, C, String) -> R,
    optional: impl FnOnce(&mut R) -> (&mut Option<AccountDetails>, &mut Option<String>),
) -> Result<R, Error> {
    let mut request = new(
        s.account("account")?,
        s.amount("amount")?,
        s.withdraw_amount_type()?,
        s.payway()?,
        shop_currency,
        s.text("shop_payment_id")?,
    );
    let (account_details, description) = optional(&mut request);
    *account_details = s.account_details()?;
    *description = s.opt_text("description")?;
    Ok(request)
}

impl Journaled for CreateWithdraw {
    const OPERATION: &'static str = "withdraw";

    fn to_journal(&self) -> Value {
        withdraw_terms!(self).to_journal([
            ("shop_currency", json!(self.shop_currency.code())),
            ("email", json!(self.email)),
            ("callback_url", json!(self.callback_url)),
        ])
    }

    fn from_journal(value: &Value) -> Result<Self, Error> {
        let s = Stored::of(value)?;
        let mut request = read_withdraw(&s, s.currency("shop_currency")?, Self::new, |r| {
            (&mut r.account_details, &mut r.description)
        })?;
        request.email = s.opt_text("email")?;
        request.callback_url = s.opt_text("callback_url")?;
        Ok(request)
    }
}

impl Journaled for CreateCryptoWithdraw {
    const OPERATION: &'static str = "crypto_withdraw";

    fn to_journal(&self) -> Value {
        withdraw_terms!(self).to_journal([
            ("shop_currency", json!(self.shop_currency.as_str())),
            ("crypto_callback_url", json!(self.crypto_callback_url)),
        ])
    }

    fn from_journal(value: &Value) -> Result<Self, Error> {
        let s = Stored::of(value)?;
        let shop_currency = CryptoAsset::new(s.text("shop_currency")?)?;
        let mut request = read_withdraw(&s, shop_currency, Self::new, |r| {
            (&mut r.account_details, &mut r.description)
        })?;
        request.crypto_callback_url = s.opt_text("crypto_callback_url")?;
        Ok(request)
    }
}

impl Journaled for CreateTransfer {
    const OPERATION: &'static str = "transfer";

    fn to_journal(&self) -> Value {
        let Self {
            amount,
            amount_type,
            payee_account,
            payee_currency,
            shop_currency,
            shop_payment_id,
            description,
        } = self;
        json!({
            "amount": amount.to_string(),
            "amount_type": amount_type.as_str(),
            "payee_account": payee_account.expose(),
            "payee_currency": payee_currency.code(),
            "shop_currency": shop_currency.code(),
            "shop_payment_id": shop_payment_id,
            "description": description,
        })
    }

    fn from_journal(value: &Value) -> Result<Self, Error> {
        let s = Stored::of(value)?;
        let amount_type = match s.text("amount_type")?.as_str() {
            "receive_amount" => TransferAmountType::ReceiveAmount,
            "writeoff_amount" => TransferAmountType::WriteoffAmount,
            _ => {
                return Err(unreadable(
                    "amount_type",
                    "not receive_amount or writeoff_amount",
                ));
            }
        };
        Ok(Self {
            amount: s.amount("amount")?,
            amount_type,
            payee_account: s.account("payee_account")?,
            payee_currency: s.currency("payee_currency")?,
            shop_currency: s.currency("shop_currency")?,
            shop_payment_id: s.text("shop_payment_id")?,
            description: s.opt_text("description")?,
        })
    }
}

impl Journaled for CreateBill {
    const OPERATION: &'static str = "bill";

    fn to_journal(&self) -> Value {
        let Self {
            shop_amount,
            shop_currency,
            payer_currency,
            shop_order_id,
            description,
            payer_account,
            urls,
            lifetime_minutes,
        } = self;
        let mut out = Map::new();
        out.insert("shop_amount".into(), json!(shop_amount.to_string()));
        out.insert("shop_currency".into(), json!(shop_currency.code()));
        out.insert("payer_currency".into(), json!(payer_currency.code()));
        out.insert("shop_order_id".into(), json!(shop_order_id));
        out.insert("description".into(), json!(description));
        out.insert(
            "payer_account".into(),
            json!(payer_account.as_ref().map(AccountNumber::expose)),
        );
        urls_json(&mut out, urls);
        out.insert("lifetime_minutes".into(), json!(lifetime_minutes));
        Value::Object(out)
    }

    fn from_journal(value: &Value) -> Result<Self, Error> {
        let s = Stored::of(value)?;
        Ok(Self {
            shop_amount: s.amount("shop_amount")?,
            shop_currency: s.currency("shop_currency")?,
            payer_currency: s.currency("payer_currency")?,
            shop_order_id: s.text("shop_order_id")?,
            description: s.opt_text("description")?,
            payer_account: s.opt_account("payer_account")?,
            urls: s.urls()?,
            lifetime_minutes: s.opt_u32("lifetime_minutes")?,
        })
    }
}

impl Journaled for CreateBillV2 {
    const OPERATION: &'static str = "bill_v2";

    fn to_journal(&self) -> Value {
        let Self {
            currency,
            shop_order_id,
            amount,
            description,
            email,
            urls,
            lifetime_minutes,
            lang,
        } = self;
        let mut out = Map::new();
        out.insert("currency".into(), json!(currency.code()));
        out.insert("shop_order_id".into(), json!(shop_order_id));
        out.insert(
            "amount".into(),
            json!(amount.as_ref().map(ToString::to_string)),
        );
        out.insert("description".into(), json!(description));
        out.insert("email".into(), json!(email));
        urls_json(&mut out, urls);
        out.insert("lifetime_minutes".into(), json!(lifetime_minutes));
        out.insert("lang".into(), json!(lang.as_ref().map(Lang::as_str)));
        Value::Object(out)
    }

    fn from_journal(value: &Value) -> Result<Self, Error> {
        let s = Stored::of(value)?;
        let lang = match s.opt_text("lang")?.as_deref() {
            None => None,
            Some("en") => Some(Lang::En),
            Some("pl") => Some(Lang::Pl),
            Some("ru") => Some(Lang::Ru),
            Some("uk") => Some(Lang::Uk),
            Some(_) => return Err(unreadable("lang", "not en, pl, ru or uk")),
        };
        Ok(Self {
            currency: s.currency("currency")?,
            shop_order_id: s.text("shop_order_id")?,
            amount: s.opt_amount("amount")?,
            description: s.opt_text("description")?,
            email: s.opt_text("email")?,
            urls: s.urls()?,
            lifetime_minutes: s.opt_u32("lifetime_minutes")?,
            lang,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pay_core::endpoint::Endpoint;
    use pay_core::money::Amount;

    fn amount(text: &str) -> Amount {
        text.parse().unwrap()
    }

    /// Writes, reads back, and checks the same request (and the same signed body) comes out.
    fn round_trip<R: Journaled + PartialEq + std::fmt::Debug>(request: R) -> Value {
        let stored = request.to_journal();
        let text = stored.to_string();
        let back = R::from_journal(&serde_json::from_str(&text).unwrap()).unwrap();
        assert_eq!(back, request);
        assert_eq!(back.to_journal(), stored);
        stored
    }

    #[test]
    fn every_create_round_trips_in_full() {
        let mut w = CreateWithdraw::new(
            "4111111111111111",
            amount("500.00"),
            WithdrawAmountType::ShopAmount,
            Payway::new("card_uah").unwrap(),
            Currency::Uah,
            "w-1",
        );
        w.account_details = Some(AccountDetails::new().with("iban", "UA21").unwrap());
        w.description = Some("Salary".into());
        w.email = Some("payee@example.com".into());
        w.callback_url = Some("https://shop.example/cb".into());
        let stored = round_trip(w);
        assert_eq!(stored["account"], "4111111111111111");
        assert_eq!(stored["amount"], "500.00");
        assert_eq!(stored["shop_currency"], 980);

        let mut c = CreateCryptoWithdraw::new(
            "0xf8227AA7aF9B5166AF69581C703A4398387B2B07",
            amount("0.000103"),
            WithdrawAmountType::PsAmount,
            Payway::new("ton_ton")
                .unwrap()
                .with_precision(Precision::crypto(9)),
            CryptoAsset::new("TON").unwrap(),
            "c-1",
        );
        c.account_details = Some(AccountDetails::new().with("comment", "memo").unwrap());
        c.crypto_callback_url = Some("https://shop.example/crypto".into());
        let stored = round_trip(c.clone());
        assert_eq!(stored["payway_precision"], 9);
        // The body sent again is byte for byte the body sent first.
        let context = crate::QostiqContext::new(
            crate::ShopId::new(112).unwrap(),
            pay_core::secret::Secret::new("s").unwrap(),
            pay_core::clock::FixedClock(time::macros::datetime!(2024-01-01 0:00 UTC)),
        );
        let back = CreateCryptoWithdraw::from_journal(&stored).unwrap();
        let (a, b) = (
            c.build_request(&context).map(|r| r.into_body()),
            back.build_request(&context).map(|r| r.into_body()),
        );
        assert_eq!(a.ok(), b.ok());

        let mut t = CreateTransfer::new(
            amount("10"),
            TransferAmountType::WriteoffAmount,
            "payee@example.com",
            Currency::Usd,
            Currency::Uah,
            "t-1",
        );
        t.description = Some("Refund".into());
        round_trip(t);

        let mut bill = CreateBill::new(amount("150.00"), Currency::Uah, Currency::Usd, "o-1");
        bill.payer_account = Some(AccountNumber::new("payer@example.com").unwrap());
        bill.urls.callback_url = Some("https://shop.example/bill".into());
        bill.lifetime_minutes = Some(60);
        round_trip(bill);

        let mut v2 = CreateBillV2::new(Currency::Eur, "o-2");
        v2.amount = Some(amount("9.99"));
        v2.lang = Some(Lang::Uk);
        round_trip(v2);
    }

    #[test]
    fn tampered_rows_are_refused_not_sent() {
        let w = CreateWithdraw::new(
            "4111111111111111",
            amount("500.00"),
            WithdrawAmountType::PsAmount,
            Payway::new("card_uah").unwrap(),
            Currency::Uah,
            "w-1",
        )
        .to_journal();
        let edits: [(&str, Value); 6] = [
            ("amount", json!("5OO")),
            ("amount", json!(500)),
            ("account", json!("")),
            ("amount_type", json!("both")),
            ("shop_currency", json!("UAH")),
            ("payway", json!("card uah")),
        ];
        for (field, value) in edits {
            let mut edited = w.clone();
            edited[field] = value.clone();
            assert!(
                CreateWithdraw::from_journal(&edited).is_err(),
                "{field} = {value} was accepted"
            );
        }
        let mut missing = w.clone();
        missing.as_object_mut().unwrap().remove("shop_payment_id");
        assert!(CreateWithdraw::from_journal(&missing).is_err());
        assert!(CreateWithdraw::from_journal(&json!([1])).is_err());
    }
}
