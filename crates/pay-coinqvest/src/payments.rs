//! Payments: `GET /payment` and `GET /payments`. A payment is money a customer sent against a
//! checkout; the same object arrives in the flat payment webhook.

use pay_core::datetime::Rfc3339DateTime;
use pay_core::money::Amount;
use pay_core::text::AccountNumber;
use serde::Deserialize;

use crate::state::PaymentState;

/// A payment by a customer.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Payment {
    /// Unique identifier (12 characters).
    pub id: String,
    /// The payment type; `PAYMENT` is the only documented value.
    #[serde(rename = "type")]
    pub payment_type: String,
    /// `RESOLVED` or `UNRESOLVED`. The seed's own `GET /payments` example omits it on one item, so it
    /// is optional here.
    #[serde(default)]
    pub state: Option<PaymentState>,
    /// When the payment was made.
    pub timestamp: Rfc3339DateTime,
    /// The asset credited to the merchant (`USD`).
    pub credit_asset_code: String,
    /// The issuer of the credited asset.
    pub credit_asset_issuer: String,
    /// The amount credited, exact.
    pub credit_amount: Amount,
    /// The asset the customer paid with (`BTC`, `XLM`, ...).
    pub source_asset_code: String,
    /// The entity that processed the payment.
    pub source_asset_issuer: String,
    /// The exact amount the customer paid.
    pub source_amount: Amount,
    /// The blockchain the payment came from.
    pub source_blockchain: String,
    /// The paying account on that blockchain (masked in `Debug`).
    pub source_account: Option<AccountNumber>,
    /// The transaction id on that blockchain.
    pub source_tx_id: Option<String>,
    /// The related customer.
    pub customer_id: Option<String>,
    /// The related checkout: confirm with `GET /checkout` before crediting.
    pub checkout_id: String,
}

impl Payment {
    /// The request that confirms this payment's checkout (`GET /checkout?id=<checkoutId>`).
    pub fn confirmation_request(&self) -> crate::checkouts::GetCheckout {
        crate::checkouts::GetCheckout::new(self.checkout_id.clone())
    }
}

get_endpoint!(
    /// `GET /payment?id=…`: one payment.
    GetPayment, id, "id", Payment, PaymentEnvelope, "payment", "coinqvest.payment.get", "/payment"
);

crate::pagination::paginated_list! {
    /// `GET /payments?limit=…&offset=…`: a page of payments, newest first.
    request: ListPayments,
    output: PaymentList { payments: Vec<Payment> },
    noun: "payments",
    info: ("coinqvest.payments.list", "/payments"),
}
