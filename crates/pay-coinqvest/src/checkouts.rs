//! Checkouts: the charge builder and `POST /checkout`, `POST /checkout/commit`,
//! `POST /checkout/hosted`, `GET /checkout`, `GET /checkouts`.
//!
//! A charge is built and checked once, with its total computed exactly by the seed's formula:
//!
//! ```text
//! net        = sum(lineItems × quantity) − sum(discountItems) + sum(shippingCostItems)
//! taxableSum = net − sum(shippingCostItems) + sum(taxable shippingCostItems)
//! total      = net + taxableSum × sum(taxItems.percent)
//! ```
//!
//! ```
//! use pay_coinqvest::checkouts::{ChargeBuilder, CreateHostedCheckout, DiscountItem, LineItem, ShippingCostItem, TaxItem};
//! use pay_core::endpoint::Endpoint;
//!
//! let amount = |t: &str| t.parse().unwrap();
//! let params = ChargeBuilder::new("USD")
//!     .customer_id("716dad4c5e5f")
//!     .line_item(LineItem::new("T-Shirt", amount("10")).quantity(1).product_id("P1234"))
//!     .discount(DiscountItem::new("Loyalty Discount", amount("0.5")))
//!     .shipping(ShippingCostItem::new("Shipping and Handling", amount("3.99")).taxable(false))
//!     .tax(TaxItem::new("CA Sales Tax", amount("0.0825")))
//!     .settlement_currency("USD")
//!     .webhook("https://www.merchant.com/path/to/webhook")
//!     .build()
//!     .unwrap();
//! // net = 10 − 0.5 + 3.99 = 13.49; taxable = 13.49 − 3.99 = 9.5; total = 13.49 + 9.5 × 0.0825
//! assert_eq!(params.total().to_string(), "14.27375");
//! let request = CreateHostedCheckout::new(params).build_request(&()).unwrap();
//! assert_eq!(request.uri(), "/checkout/hosted");
//! assert!(request.body().starts_with(br#"{"charge":{"customerId":"716dad4c5e5f","currency":"USD","lineItems":[{"description":"T-Shirt","netAmount":10,"#));
//! ```

use bytes::Bytes;

use pay_core::Error;
use pay_core::datetime::Rfc3339DateTime;
use pay_core::endpoint::{Endpoint, EndpointInfo};
use pay_core::money::Amount;
use rust_decimal::Decimal;
use serde::ser::SerializeMap;
use serde::{Deserialize, Serialize, Serializer};

use crate::payments::Payment;
use crate::state::CheckoutState;
use crate::{error, wire};
use pay_core::json::RawJson;

/// Most characters (Unicode scalar values) in an item description.
pub const MAX_DESCRIPTION_CHARS: usize = 200;
/// Most characters in a line item's `productId`.
pub const MAX_PRODUCT_ID_CHARS: usize = 20;

/// A product or service charged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LineItem {
    /// Plain-text description, at most 200 characters.
    pub description: String,
    /// Net cost of one unit, in the charge currency. Sent as an exact JSON number.
    #[serde(serialize_with = "wire::as_number")]
    pub net_amount: Amount,
    /// Units charged (the server's default is 1). Sent only when set.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub quantity: Option<u32>,
    /// Your own product id, at most 20 characters. Sent only when set.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub product_id: Option<String>,
}

impl LineItem {
    /// One item of `net_amount`.
    pub fn new(description: impl Into<String>, net_amount: Amount) -> Self {
        Self {
            description: description.into(),
            net_amount,
            quantity: None,
            product_id: None,
        }
    }

    /// Sets the quantity.
    pub fn quantity(mut self, quantity: u32) -> Self {
        self.quantity = Some(quantity);
        self
    }

    /// Sets the product id.
    pub fn product_id(mut self, product_id: impl Into<String>) -> Self {
        self.product_id = Some(product_id.into());
        self
    }

    /// `quantity × netAmount` (quantity 1 when unset).
    fn subtotal(&self) -> Option<Decimal> {
        self.net_amount
            .decimal()
            .checked_mul(Decimal::from(self.quantity.unwrap_or(1)))
    }
}

/// A discount subtracted from the charge.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DiscountItem {
    /// Plain-text description, at most 200 characters.
    pub description: String,
    /// The discount, a non-negative amount in the charge currency.
    #[serde(serialize_with = "wire::as_number")]
    pub net_amount: Amount,
}

impl DiscountItem {
    /// A discount of `net_amount`.
    pub fn new(description: impl Into<String>, net_amount: Amount) -> Self {
        Self {
            description: description.into(),
            net_amount,
        }
    }
}

/// Shipping or handling costs added to the charge.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ShippingCostItem {
    /// Plain-text description, at most 200 characters.
    pub description: String,
    /// The cost, in the charge currency.
    #[serde(serialize_with = "wire::as_number")]
    pub net_amount: Amount,
    /// Whether tax applies to this cost (the server's default is `false`). Sent only when set.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub taxable: Option<bool>,
}

impl ShippingCostItem {
    /// A cost of `net_amount`, not taxable unless [`taxable`](Self::taxable) says so.
    pub fn new(description: impl Into<String>, net_amount: Amount) -> Self {
        Self {
            description: description.into(),
            net_amount,
            taxable: None,
        }
    }

    /// Says explicitly whether the cost is taxable (sent as `taxable`).
    pub fn taxable(mut self, taxable: bool) -> Self {
        self.taxable = Some(taxable);
        self
    }

    fn is_taxable(&self) -> bool {
        self.taxable.unwrap_or(false)
    }
}

/// A tax applied to the taxable sum.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TaxItem {
    /// The tax's name (`CA Sales Tax`).
    pub name: String,
    /// The rate as a decimal fraction: `0.0825` is 8.25 %.
    #[serde(serialize_with = "wire::as_number")]
    pub percent: Amount,
}

impl TaxItem {
    /// A tax at `percent` (a fraction: `0.0825` for 8.25 %).
    pub fn new(name: impl Into<String>, percent: Amount) -> Self {
        Self {
            name: name.into(),
            percent,
        }
    }
}

/// Where to send the customer after a hosted checkout.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Links {
    /// Where to go when the customer cancels.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cancel_url: Option<String>,
    /// Where to go when the payment completed. Always confirm with `GET /checkout` when it is hit.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub return_url: Option<String>,
}

impl Links {
    fn is_empty(&self) -> bool {
        self.cancel_url.is_none() && self.return_url.is_none()
    }
}

/// Preferred asset issuers per blockchain (`"ETH": "ETH:GBDEV…"`), sent in insertion order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct BlockchainRelays(Vec<(String, String)>);

impl BlockchainRelays {
    /// The relays, in insertion order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl Serialize for BlockchainRelays {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (chain, issuer) in &self.0 {
            map.serialize_entry(chain, issuer)?;
        }
        map.end()
    }
}

/// The `charge` object of a checkout: checked, with its total computed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Charge {
    #[serde(skip_serializing_if = "Option::is_none")]
    customer_id: Option<String>,
    currency: String,
    line_items: Vec<LineItem>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    discount_items: Vec<DiscountItem>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    shipping_cost_items: Vec<ShippingCostItem>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    tax_items: Vec<TaxItem>,
    #[serde(skip)]
    total: Amount,
}

impl Charge {
    /// Starts a builder for a charge in `currency`. Same as [`ChargeBuilder::new`].
    pub fn builder(currency: impl Into<String>) -> ChargeBuilder {
        ChargeBuilder::new(currency)
    }

    /// The currency the charge is denominated in.
    pub fn currency(&self) -> &str {
        &self.currency
    }

    /// The customer the charge is linked to.
    pub fn customer_id(&self) -> Option<&str> {
        self.customer_id.as_deref()
    }

    /// The line items.
    pub fn line_items(&self) -> &[LineItem] {
        &self.line_items
    }

    /// The discounts.
    pub fn discount_items(&self) -> &[DiscountItem] {
        &self.discount_items
    }

    /// The shipping and handling costs.
    pub fn shipping_cost_items(&self) -> &[ShippingCostItem] {
        &self.shipping_cost_items
    }

    /// The taxes.
    pub fn tax_items(&self) -> &[TaxItem] {
        &self.tax_items
    }

    /// The exact total, by the seed's formula (not rounded: the server rounds to the currency).
    pub fn total(&self) -> Amount {
        self.total
    }
}

/// The body of `POST /checkout` and `POST /checkout/hosted`: a checked charge and its options.
/// Built by [`ChargeBuilder::build`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CheckoutParams {
    charge: Charge,
    #[serde(skip_serializing_if = "Option::is_none")]
    settlement_currency: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    webhook: Option<String>,
    #[serde(skip_serializing_if = "BlockchainRelays::is_empty")]
    blockchain_relays: BlockchainRelays,
    #[serde(skip_serializing_if = "Links::is_empty")]
    links: Links,
}

impl CheckoutParams {
    /// The charge.
    pub fn charge(&self) -> &Charge {
        &self.charge
    }

    /// The charge's exact total.
    pub fn total(&self) -> Amount {
        self.charge.total
    }

    /// The currency to be credited in, if not the charge currency.
    pub fn settlement_currency(&self) -> Option<&str> {
        self.settlement_currency.as_deref()
    }

    /// The webhook URL for payment events.
    pub fn webhook(&self) -> Option<&str> {
        self.webhook.as_deref()
    }

    /// The preferred asset issuers.
    pub fn blockchain_relays(&self) -> &BlockchainRelays {
        &self.blockchain_relays
    }

    /// The cancel and return URLs.
    pub fn links(&self) -> &Links {
        &self.links
    }
}

/// Builds a [`CheckoutParams`]: line items, discounts, shipping costs, taxes, customer, settlement
/// currency, webhook URL, relays and links. [`build`](Self::build) refuses an invalid charge with
/// [`Error::InvalidInput`] naming the field in the API's own terms (`charge.lineItems[0].productId`).
#[derive(Debug, Clone, Default)]
#[must_use]
pub struct ChargeBuilder {
    currency: String,
    customer_id: Option<String>,
    line_items: Vec<LineItem>,
    discount_items: Vec<DiscountItem>,
    shipping_cost_items: Vec<ShippingCostItem>,
    tax_items: Vec<TaxItem>,
    settlement_currency: Option<String>,
    webhook: Option<String>,
    blockchain_relays: Vec<(String, String)>,
    links: Links,
}

impl ChargeBuilder {
    /// A charge denominated in `currency` (`USD`, a blockchain's native code, or an asset id).
    pub fn new(currency: impl Into<String>) -> Self {
        Self {
            currency: currency.into(),
            ..Self::default()
        }
    }

    /// Links the charge to a customer (`charge.customerId`, from `POST /customer`).
    pub fn customer_id(mut self, id: impl Into<String>) -> Self {
        self.customer_id = Some(id.into());
        self
    }

    /// Adds a line item.
    pub fn line_item(mut self, item: LineItem) -> Self {
        self.line_items.push(item);
        self
    }

    /// Adds a discount.
    pub fn discount(mut self, item: DiscountItem) -> Self {
        self.discount_items.push(item);
        self
    }

    /// Adds a shipping or handling cost.
    pub fn shipping(mut self, item: ShippingCostItem) -> Self {
        self.shipping_cost_items.push(item);
        self
    }

    /// Adds a tax.
    pub fn tax(mut self, item: TaxItem) -> Self {
        self.tax_items.push(item);
        self
    }

    /// The currency to be credited in (`settlementCurrency`).
    pub fn settlement_currency(mut self, currency: impl Into<String>) -> Self {
        self.settlement_currency = Some(currency.into());
        self
    }

    /// The webhook URL for payment events (`webhook`).
    pub fn webhook(mut self, url: impl Into<String>) -> Self {
        self.webhook = Some(url.into());
        self
    }

    /// Prefers `asset_issuer_id` for payments from `blockchain` (`blockchainRelays`).
    pub fn blockchain_relay(
        mut self,
        blockchain: impl Into<String>,
        asset_issuer_id: impl Into<String>,
    ) -> Self {
        self.blockchain_relays
            .push((blockchain.into(), asset_issuer_id.into()));
        self
    }

    /// Where to send the customer on cancel (`links.cancelUrl`).
    pub fn cancel_url(mut self, url: impl Into<String>) -> Self {
        self.links.cancel_url = Some(url.into());
        self
    }

    /// Where to send the customer on completion (`links.returnUrl`).
    pub fn return_url(mut self, url: impl Into<String>) -> Self {
        self.links.return_url = Some(url.into());
        self
    }

    /// Checks the charge and computes its total.
    ///
    /// Refused: an empty `currency`; no line items; a description that is empty or longer than 200
    /// characters; a `productId` longer than 20 characters; a quantity of 0; a negative amount; a tax
    /// rate below 0 or not below 1 (it is a fraction); an empty tax name; a total that is not above
    /// zero or overflows; a relay given twice; a customer id that is empty or longer than 12
    /// characters; an empty settlement currency, webhook or URL.
    pub fn build(self) -> Result<CheckoutParams, Error> {
        non_empty("charge.currency", &self.currency)?;
        if let Some(id) = &self.customer_id {
            crate::customers::check_customer_id("charge.customerId", id)?;
        }
        if self.line_items.is_empty() {
            return Err(Error::invalid_input(
                "charge.lineItems",
                "a charge needs at least one line item",
            ));
        }
        for (i, item) in self.line_items.iter().enumerate() {
            description(
                format!("charge.lineItems[{i}].description"),
                &item.description,
            )?;
            not_negative(format!("charge.lineItems[{i}].netAmount"), item.net_amount)?;
            if item.quantity == Some(0) {
                return Err(Error::invalid_input(
                    format!("charge.lineItems[{i}].quantity"),
                    "must be at least 1",
                ));
            }
            if let Some(product_id) = &item.product_id {
                let chars = product_id.chars().count();
                if chars > MAX_PRODUCT_ID_CHARS {
                    return Err(Error::invalid_input(
                        format!("charge.lineItems[{i}].productId"),
                        format!("{chars} characters; at most {MAX_PRODUCT_ID_CHARS} are allowed"),
                    ));
                }
            }
        }
        for (i, item) in self.discount_items.iter().enumerate() {
            description(
                format!("charge.discountItems[{i}].description"),
                &item.description,
            )?;
            not_negative(
                format!("charge.discountItems[{i}].netAmount"),
                item.net_amount,
            )?;
        }
        for (i, item) in self.shipping_cost_items.iter().enumerate() {
            description(
                format!("charge.shippingCostItems[{i}].description"),
                &item.description,
            )?;
            not_negative(
                format!("charge.shippingCostItems[{i}].netAmount"),
                item.net_amount,
            )?;
        }
        for (i, item) in self.tax_items.iter().enumerate() {
            if item.name.trim().is_empty() {
                return Err(Error::invalid_input(
                    format!("charge.taxItems[{i}].name"),
                    "must not be empty",
                ));
            }
            not_negative(format!("charge.taxItems[{i}].percent"), item.percent)?;
            // A fraction (`0.0825` is 8.25 %): `8.25` would charge 825 % tax.
            if item.percent.decimal() >= Decimal::ONE {
                return Err(Error::invalid_input(
                    format!("charge.taxItems[{i}].percent"),
                    format!(
                        "{} is not below 1: the rate is a fraction (0.0825 for 8.25 %)",
                        item.percent
                    ),
                ));
            }
        }
        if let Some(currency) = &self.settlement_currency {
            non_empty("settlementCurrency", currency)?;
        }
        if let Some(url) = &self.webhook {
            non_empty("webhook", url)?;
        }
        if let Some(url) = &self.links.cancel_url {
            non_empty("links.cancelUrl", url)?;
        }
        if let Some(url) = &self.links.return_url {
            non_empty("links.returnUrl", url)?;
        }
        for (i, (chain, issuer)) in self.blockchain_relays.iter().enumerate() {
            non_empty("blockchainRelays", chain)?;
            non_empty("blockchainRelays", issuer)?;
            if self
                .blockchain_relays
                .iter()
                .take(i)
                .any(|(earlier, _)| earlier == chain)
            {
                return Err(Error::invalid_input(
                    format!("blockchainRelays.{chain}"),
                    "given more than once",
                ));
            }
        }

        let total = charge_total(
            &self.line_items,
            &self.discount_items,
            &self.shipping_cost_items,
            &self.tax_items,
        )
        .ok_or_else(|| Error::invalid_input("charge", "the total overflows"))?;
        if !total.is_positive() {
            return Err(Error::invalid_input(
                "charge",
                format!("the total {total} must be greater than zero"),
            ));
        }
        Ok(CheckoutParams {
            charge: Charge {
                customer_id: self.customer_id,
                currency: self.currency,
                line_items: self.line_items,
                discount_items: self.discount_items,
                shipping_cost_items: self.shipping_cost_items,
                tax_items: self.tax_items,
                total,
            },
            settlement_currency: self.settlement_currency,
            webhook: self.webhook,
            blockchain_relays: BlockchainRelays(self.blockchain_relays),
            links: self.links,
        })
    }
}

/// The seed's total formula in exact decimal arithmetic; `None` on overflow.
///
/// ```text
/// net        = sum(lineItems × quantity) − sum(discountItems) + sum(shippingCostItems)
/// taxableSum = net − sum(shippingCostItems) + sum(taxable shippingCostItems)
/// total      = net + taxableSum × sum(taxItems.percent)
/// ```
pub fn charge_total(
    line_items: &[LineItem],
    discount_items: &[DiscountItem],
    shipping_cost_items: &[ShippingCostItem],
    tax_items: &[TaxItem],
) -> Option<Amount> {
    let lines = sum(line_items.iter().map(LineItem::subtotal))?;
    let discounts = sum(discount_items.iter().map(|d| Some(d.net_amount.decimal())))?;
    let shipping = sum(shipping_cost_items
        .iter()
        .map(|s| Some(s.net_amount.decimal())))?;
    let taxable_shipping = sum(shipping_cost_items
        .iter()
        .filter(|s| s.is_taxable())
        .map(|s| Some(s.net_amount.decimal())))?;
    let rate = sum(tax_items.iter().map(|t| Some(t.percent.decimal())))?;

    let net = lines.checked_sub(discounts)?.checked_add(shipping)?;
    let taxable_sum = net.checked_sub(shipping)?.checked_add(taxable_shipping)?;
    let total = net.checked_add(taxable_sum.checked_mul(rate)?)?;
    Some(Amount::from_decimal(total.normalize()))
}

/// Exact sum; `None` if any term is `None` or the sum overflows.
fn sum(mut values: impl Iterator<Item = Option<Decimal>>) -> Option<Decimal> {
    values.try_fold(Decimal::ZERO, |acc, v| acc.checked_add(v?))
}

fn non_empty(field: &'static str, value: &str) -> Result<(), Error> {
    wire::require(field, value)
}

fn description(field: String, text: &str) -> Result<(), Error> {
    if text.trim().is_empty() {
        return Err(Error::invalid_input(field, "must not be empty"));
    }
    let chars = text.chars().count();
    if chars > MAX_DESCRIPTION_CHARS {
        return Err(Error::invalid_input(
            field,
            format!("{chars} characters; at most {MAX_DESCRIPTION_CHARS} are allowed"),
        ));
    }
    Ok(())
}

fn not_negative(field: String, amount: Amount) -> Result<(), Error> {
    if amount.is_negative() {
        return Err(Error::invalid_input(
            field,
            format!("{amount} must not be negative"),
        ));
    }
    Ok(())
}

/// `POST /checkout`: creates a white-label checkout and returns the payment methods to offer.
///
/// Retry class `Safe`: a checkout moves no money by itself. If an answer is lost and the request is
/// repeated, the first checkout is never shown to anyone and expires unpaid after 60 minutes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreateCheckout {
    /// The checked charge and its options.
    pub params: CheckoutParams,
}

impl CreateCheckout {
    /// Creates a white-label checkout for `params`.
    pub fn new(params: CheckoutParams) -> Self {
        Self { params }
    }
}

/// One way the customer can pay, with the amount to pay.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct PaymentMethod {
    /// The asset to pay with (`BTC`); send it to `POST /checkout/commit`.
    pub asset_code: String,
    /// The blockchain's name in plain text.
    pub blockchain: String,
    /// The exact amount to pay.
    pub payment_amount: Amount,
}

/// The answer to `POST /checkout`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct CheckoutCreated {
    /// The checkout id: store it to match payments.
    pub id: String,
    /// The payment methods to show the customer.
    pub payment_methods: Vec<PaymentMethod>,
}

impl CheckoutCreated {
    /// The commit request for the method the customer chose.
    pub fn commit(&self, asset_code: impl Into<String>) -> CommitCheckout {
        CommitCheckout::new(self.id.clone(), asset_code)
    }
}

impl Endpoint for CreateCheckout {
    type Output = CheckoutCreated;
    type Context = ();
    const INFO: EndpointInfo = info!("coinqvest.checkout.create", POST, "/checkout", Safe);

    fn build_request(&self, _: &()) -> Result<http::Request<Bytes>, Error> {
        wire::with_json(&Self::INFO, &self.params)
    }

    fn parse_response(&self, response: &http::Response<Bytes>) -> Result<CheckoutCreated, Error> {
        error::decode(response)
    }
}

/// `POST /checkout/commit`: commits the customer's chosen payment method and returns the deposit
/// instructions to display.
///
/// Retry class `Never`: the deposit instructions exist only in this answer (`GET /checkout` does not
/// return them), so a lost answer cannot be recovered by a lookup, and committing twice may not give
/// the same instructions. After an unknown outcome, start over with a new checkout; no money has moved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CommitCheckout {
    /// The id from `POST /checkout`.
    pub checkout_id: String,
    /// The chosen asset (`ETH`).
    pub asset_code: String,
}

impl CommitCheckout {
    /// Commits `checkout_id` to pay with `asset_code`.
    pub fn new(checkout_id: impl Into<String>, asset_code: impl Into<String>) -> Self {
        Self {
            checkout_id: checkout_id.into(),
            asset_code: asset_code.into(),
        }
    }
}

/// Where and how much the customer must pay.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct DepositInstructions {
    /// The blockchain's name.
    pub blockchain: String,
    /// The asset to pay (`ETH`).
    pub asset_code: String,
    /// The exact amount to pay.
    pub amount: Amount,
    /// The deposit address.
    pub address: String,
    /// XLM only: the memo the customer must attach. Show it with the address.
    pub memo: Option<String>,
    /// XLM only: the memo type.
    pub memo_type: Option<String>,
    /// XRP only: the destination tag the customer must attach.
    pub destination_tag: Option<String>,
}

/// The answer to `POST /checkout/commit`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct CheckoutCommitted {
    /// What to show the customer.
    pub deposit_instructions: DepositInstructions,
    /// When the 60-minute payment window closes (late payments are still credited).
    pub expiration_time: Rfc3339DateTime,
    /// The checkout id.
    pub checkout_id: String,
}

impl Endpoint for CommitCheckout {
    type Output = CheckoutCommitted;
    type Context = ();
    const INFO: EndpointInfo = info!("coinqvest.checkout.commit", POST, "/checkout/commit", Never);

    fn build_request(&self, _: &()) -> Result<http::Request<Bytes>, Error> {
        wire::require("checkoutId", &self.checkout_id)?;
        wire::require("assetCode", &self.asset_code)?;
        wire::with_json(&Self::INFO, self)
    }

    fn parse_response(&self, response: &http::Response<Bytes>) -> Result<CheckoutCommitted, Error> {
        error::decode(response)
    }
}

/// `POST /checkout/hosted`: creates a hosted checkout page and returns its URL.
///
/// Retry class `Safe`: as for [`CreateCheckout`], a repeated request only leaves an unused checkout
/// that expires unpaid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreateHostedCheckout {
    /// The checked charge and its options.
    pub params: CheckoutParams,
}

impl CreateHostedCheckout {
    /// Creates a hosted checkout for `params`.
    pub fn new(params: CheckoutParams) -> Self {
        Self { params }
    }
}

/// The answer to `POST /checkout/hosted`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct HostedCheckout {
    /// The checkout id: store it, and confirm payment with `GET /checkout`.
    pub id: String,
    /// The page to send the customer to.
    pub url: String,
}

impl HostedCheckout {
    /// The request that reads this checkout's state.
    pub fn status_request(&self) -> GetCheckout {
        GetCheckout::new(self.id.clone())
    }
}

impl Endpoint for CreateHostedCheckout {
    type Output = HostedCheckout;
    type Context = ();
    const INFO: EndpointInfo = info!("coinqvest.checkout.hosted", POST, "/checkout/hosted", Safe);

    fn build_request(&self, _: &()) -> Result<http::Request<Bytes>, Error> {
        wire::with_json(&Self::INFO, &self.params)
    }

    fn parse_response(&self, response: &http::Response<Bytes>) -> Result<HostedCheckout, Error> {
        error::decode(response)
    }
}

/// A checkout, as `GET /checkout` and `GET /checkouts` return it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Checkout {
    /// Unique identifier.
    pub id: String,
    /// When the checkout was created.
    pub timestamp: Rfc3339DateTime,
    /// The overall state: credit only when [`CheckoutState::is_completed_and_credited`].
    pub state: CheckoutState,
    /// The hosted page, for hosted checkouts.
    #[serde(default)]
    pub hosted_checkout_url: Option<String>,
    /// The payments made against this checkout.
    #[serde(default)]
    pub payments: Vec<Payment>,
    /// The payload originally submitted, kept as exact JSON (see [`Checkout::submitted_charge`]).
    #[serde(default)]
    pub payload: Option<RawJson>,
}

impl Checkout {
    /// Whether the checkout completed and was credited (`COMPLETED`, `DELAYED_COMPLETED`, `RESOLVED`).
    pub fn is_completed_and_credited(&self) -> bool {
        self.state.is_completed_and_credited()
    }

    /// The charge originally submitted, decoded from [`payload`](Self::payload), to compare with
    /// your own order. `None` when the answer carries no payload.
    pub fn submitted_charge(&self) -> Option<Result<SubmittedCharge, Error>> {
        #[derive(Deserialize)]
        struct Payload {
            charge: SubmittedCharge,
        }
        let payload = self.payload.as_ref().filter(|p| !p.is_null())?;
        Some(
            payload
                .parse::<Payload>()
                .map(|p| p.charge)
                .map_err(|e| Error::invalid_input("checkout.payload", e.to_string())),
        )
    }
}

/// A line of a submitted charge, as echoed back.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct SubmittedItem {
    /// The description (or tax name).
    #[serde(alias = "name")]
    pub description: String,
    /// The net amount (for taxes: the rate).
    #[serde(alias = "percent")]
    pub net_amount: Amount,
    /// The quantity, when one was sent.
    #[serde(default)]
    pub quantity: Option<u32>,
}

/// The charge of a checkout as the server echoes it back in `payload`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct SubmittedCharge {
    /// The charge currency (the server may expand it to an asset id).
    pub currency: String,
    /// The linked customer.
    #[serde(default)]
    pub customer_id: Option<String>,
    /// The line items.
    #[serde(default)]
    pub line_items: Vec<SubmittedItem>,
    /// The discounts.
    #[serde(default)]
    pub discount_items: Vec<SubmittedItem>,
    /// The shipping costs.
    #[serde(default)]
    pub shipping_cost_items: Vec<SubmittedItem>,
    /// The taxes.
    #[serde(default)]
    pub tax_items: Vec<SubmittedItem>,
}

get_endpoint!(
/// `GET /checkout?id=…`: one checkout, with its state and payments. Use it to confirm a webhook or a
/// return-URL hit before crediting.
    GetCheckout, id, "id", Checkout, CheckoutEnvelope, "checkout",
    "coinqvest.checkout.get", "/checkout"
);

crate::pagination::paginated_list! {
    /// `GET /checkouts?limit=…&offset=…`: a page of checkouts, newest first.
    request: ListCheckouts,
    output: CheckoutList { checkouts: Vec<Checkout> },
    noun: "checkouts",
    info: ("coinqvest.checkouts.list", "/checkouts"),
}
