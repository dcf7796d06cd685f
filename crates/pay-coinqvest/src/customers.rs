//! Customers: `GET /customers`, `POST /customer`, `GET /customer`, `PUT /customer`,
//! `DELETE /customer`.
//!
//! `PUT /customer` is a partial update: each field is a [`Patch`]: absent leaves the value, `null`
//! unsets it.
//!
//! ```
//! use pay_coinqvest::customers::{CustomerUpdate, Patch, UpdateCustomer};
//! use pay_core::endpoint::Endpoint;
//!
//! let mut update = CustomerUpdate::new("fd4f47a50c7f");
//! update.email = Some("new@email-address.com".into());
//! update.note = Patch::Unset;
//! let request = UpdateCustomer::new(update).build_request(&()).unwrap();
//! assert_eq!(
//!     request.body().as_ref(),
//!     br#"{"customer":{"id":"fd4f47a50c7f","email":"new@email-address.com","note":null}}"#
//! );
//! ```

use bytes::Bytes;

use pay_core::Error;
use pay_core::datetime::Rfc3339DateTime;
use pay_core::endpoint::{Endpoint, EndpointInfo, Lookup};
use serde::{Deserialize, Serialize, Serializer};

use crate::service::{Success, decode_success};
use crate::{error, wire};
use pay_core::json::RawJson;

/// One field of a partial update.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Patch<T> {
    /// Leave the field as it is (the key is not sent).
    #[default]
    Keep,
    /// Set the field (the value is sent).
    Set(T),
    /// Unset the field (`null` is sent).
    Unset,
}

impl<T> Patch<T> {
    /// Whether the field is left alone.
    pub fn is_keep(&self) -> bool {
        matches!(self, Self::Keep)
    }
}

impl<T> From<Option<T>> for Patch<T> {
    /// `Some(v)` sets, `None` unsets.
    fn from(value: Option<T>) -> Self {
        value.map_or(Self::Unset, Self::Set)
    }
}

impl<T: Serialize> Serialize for Patch<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Set(value) => value.serialize(serializer),
            Self::Keep | Self::Unset => serializer.serialize_none(),
        }
    }
}

/// A new customer for `POST /customer`. If the email exists already, the server updates that customer.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct NewCustomer {
    /// The email address (mandatory; the upsert key).
    pub email: String,
    /// First name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub firstname: Option<String>,
    /// Last name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lastname: Option<String>,
    /// Company name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub company: Option<String>,
    /// First address line: `adr1`, `zip`, `city` and `countrycode` are given together or not at
    /// all (refused before sending otherwise).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub adr1: Option<String>,
    /// Second address line.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub adr2: Option<String>,
    /// Zip code.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub zip: Option<String>,
    /// City.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    /// Two-letter ISO country code.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub countrycode: Option<String>,
    /// Phone number.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phonenumber: Option<String>,
    /// Tax id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub taxid: Option<String>,
    /// A free note.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Any JSON object, kept exactly as given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub meta: Option<RawJson>,
}

impl NewCustomer {
    /// A customer with only an email.
    pub fn new(email: impl Into<String>) -> Self {
        Self {
            email: email.into(),
            ..Self::default()
        }
    }
}

/// A partial update for `PUT /customer`: `id` names the customer; every other field is left alone
/// unless set.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct CustomerUpdate {
    /// The customer id (mandatory).
    pub id: String,
    /// A new email (cannot be unset).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// First name.
    #[serde(skip_serializing_if = "Patch::is_keep")]
    pub firstname: Patch<String>,
    /// Last name.
    #[serde(skip_serializing_if = "Patch::is_keep")]
    pub lastname: Patch<String>,
    /// Company name.
    #[serde(skip_serializing_if = "Patch::is_keep")]
    pub company: Patch<String>,
    /// First address line: `adr1`, `zip`, `city` and `countrycode` are changed together or not at
    /// all (refused before sending otherwise).
    #[serde(skip_serializing_if = "Patch::is_keep")]
    pub adr1: Patch<String>,
    /// Second address line.
    #[serde(skip_serializing_if = "Patch::is_keep")]
    pub adr2: Patch<String>,
    /// Zip code.
    #[serde(skip_serializing_if = "Patch::is_keep")]
    pub zip: Patch<String>,
    /// City.
    #[serde(skip_serializing_if = "Patch::is_keep")]
    pub city: Patch<String>,
    /// Two-letter ISO country code.
    #[serde(skip_serializing_if = "Patch::is_keep")]
    pub countrycode: Patch<String>,
    /// Phone number.
    #[serde(skip_serializing_if = "Patch::is_keep")]
    pub phonenumber: Patch<String>,
    /// Tax id.
    #[serde(skip_serializing_if = "Patch::is_keep")]
    pub taxid: Patch<String>,
    /// A free note.
    #[serde(skip_serializing_if = "Patch::is_keep")]
    pub note: Patch<String>,
    /// Any JSON object.
    #[serde(skip_serializing_if = "Patch::is_keep")]
    pub meta: Patch<RawJson>,
}

impl CustomerUpdate {
    /// An update of customer `id` that changes nothing yet.
    pub fn new(id: impl Into<String>) -> Self {
        Self {
            id: id.into(),
            ..Self::default()
        }
    }
}

/// A customer, as the API returns it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct Customer {
    /// Unique identifier.
    pub id: String,
    /// Email address.
    pub email: String,
    /// First name.
    #[serde(default)]
    pub firstname: Option<String>,
    /// Last name.
    #[serde(default)]
    pub lastname: Option<String>,
    /// First and last name together.
    #[serde(default)]
    pub name: Option<String>,
    /// Company name.
    #[serde(default)]
    pub company: Option<String>,
    /// First address line.
    #[serde(default)]
    pub adr1: Option<String>,
    /// Second address line.
    #[serde(default)]
    pub adr2: Option<String>,
    /// Zip code.
    #[serde(default)]
    pub zip: Option<String>,
    /// City.
    #[serde(default)]
    pub city: Option<String>,
    /// Two-letter ISO country code.
    #[serde(default)]
    pub countrycode: Option<String>,
    /// Country name.
    #[serde(default)]
    pub country: Option<String>,
    /// Phone number.
    #[serde(default)]
    pub phonenumber: Option<String>,
    /// Tax id.
    #[serde(default)]
    pub taxid: Option<String>,
    /// A free note.
    #[serde(default)]
    pub note: Option<String>,
    /// The JSON stored with the customer, exactly as returned.
    #[serde(default)]
    pub meta: Option<RawJson>,
    /// When the customer was created.
    #[serde(default)]
    pub inserttime: Option<Rfc3339DateTime>,
    /// When the customer was last updated.
    #[serde(default)]
    pub updatetime: Option<Rfc3339DateTime>,
    /// Whether the customer has what an invoice needs.
    #[serde(default)]
    pub invoiceable: bool,
}

/// The longest customer id the API gives and takes (`string(12)` in every table of seed 003).
pub const MAX_CUSTOMER_ID_CHARS: usize = 12;

/// A customer id: not blank, at most [`MAX_CUSTOMER_ID_CHARS`] characters.
pub(crate) fn check_customer_id(field: &'static str, id: &str) -> Result<(), Error> {
    wire::require(field, id)?;
    let chars = id.chars().count();
    if chars > MAX_CUSTOMER_ID_CHARS {
        return Err(Error::invalid_input(
            field,
            format!(
                "{chars} characters; a customer id as given by POST /customer has at most \
                 {MAX_CUSTOMER_ID_CHARS}"
            ),
        ));
    }
    Ok(())
}

/// The address fields that come together ("Must be provided alongside …", seed 003).
const ADDRESS_FIELDS: [&str; 4] = ["adr1", "zip", "city", "countrycode"];

/// Refuses an address that is only partly given: `adr1`, `zip`, `city` and `countrycode` are sent
/// all together or not at all. `given` says, per field of [`ADDRESS_FIELDS`], whether it is sent.
fn check_address(given: [bool; 4]) -> Result<(), Error> {
    if given.iter().all(|g| *g) || given.iter().all(|g| !*g) {
        return Ok(());
    }
    let missing: Vec<&str> = ADDRESS_FIELDS
        .iter()
        .zip(given)
        .filter(|(_, g)| !g)
        .map(|(name, _)| *name)
        .collect();
    let given_field = ADDRESS_FIELDS
        .iter()
        .zip(given)
        .find(|(_, g)| *g)
        .map_or("adr1", |(name, _)| *name);
    Err(Error::invalid_input(
        format!("customer.{given_field}"),
        format!(
            "adr1, zip, city and countrycode are sent together or not at all; missing: {}",
            missing.join(", ")
        ),
    ))
}

fn check_countrycode(field: &'static str, code: Option<&str>) -> Result<(), Error> {
    match code {
        Some(code) if code.len() != 2 || !code.bytes().all(|b| b.is_ascii_alphabetic()) => Err(
            Error::invalid_input(field, "must be a two-letter ISO country code"),
        ),
        _ => Ok(()),
    }
}

/// `POST /customer`: creates a customer, or updates the one with the same email.
///
/// Retry class `Safe`: the server upserts by email, so repeating the same request converges on the
/// same customer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CreateCustomer {
    /// The customer.
    pub customer: NewCustomer,
}

impl CreateCustomer {
    /// Creates `customer`.
    pub fn new(customer: NewCustomer) -> Self {
        Self { customer }
    }
}

/// The answer to `POST /customer`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct CustomerCreated {
    /// The customer id: store it, and link charges to it.
    pub customer_id: String,
}

impl Endpoint for CreateCustomer {
    type Output = CustomerCreated;
    type Context = ();
    const INFO: EndpointInfo = info!("coinqvest.customer.create", POST, "/customer", Safe);

    fn build_request(&self, _: &()) -> Result<http::Request<Bytes>, Error> {
        wire::require("customer.email", &self.customer.email)?;
        let c = &self.customer;
        check_address([
            c.adr1.is_some(),
            c.zip.is_some(),
            c.city.is_some(),
            c.countrycode.is_some(),
        ])?;
        check_countrycode("customer.countrycode", c.countrycode.as_deref())?;
        wire::with_json(&Self::INFO, self)
    }

    fn parse_response(&self, response: &http::Response<Bytes>) -> Result<CustomerCreated, Error> {
        error::decode(response)
    }
}

/// `GET /customer?id=…`: one customer (`Lookup::NotFound` on the API's own 404).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GetCustomer {
    /// The customer id.
    pub id: String,
}

impl GetCustomer {
    /// Asks for customer `id`.
    pub fn new(id: impl Into<String>) -> Self {
        Self { id: id.into() }
    }
}

#[derive(Deserialize)]
struct CustomerEnvelope {
    customer: Customer,
}

impl Endpoint for GetCustomer {
    type Output = Lookup<Customer>;
    type Context = ();
    const INFO: EndpointInfo = info!("coinqvest.customer.get", GET, "/customer", Safe);

    fn build_request(&self, _: &()) -> Result<http::Request<Bytes>, Error> {
        check_customer_id("id", &self.id)?;
        wire::get(Self::INFO.path, &[("id", &self.id)])
    }

    fn parse_response(&self, response: &http::Response<Bytes>) -> Result<Lookup<Customer>, Error> {
        error::decode_lookup::<CustomerEnvelope>(response).map(|found| found.map(|e| e.customer))
    }
}

/// `PUT /customer`: updates the fields set in a [`CustomerUpdate`].
///
/// Retry class `Safe`: the same update applied twice leaves the same customer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UpdateCustomer {
    /// The update.
    pub customer: CustomerUpdate,
}

impl UpdateCustomer {
    /// Applies `update`.
    pub fn new(update: CustomerUpdate) -> Self {
        Self { customer: update }
    }
}

impl Endpoint for UpdateCustomer {
    type Output = Success;
    type Context = ();
    const INFO: EndpointInfo = info!("coinqvest.customer.update", PUT, "/customer", Safe);

    fn build_request(&self, _: &()) -> Result<http::Request<Bytes>, Error> {
        check_customer_id("customer.id", &self.customer.id)?;
        if let Some(email) = &self.customer.email {
            wire::require("customer.email", email)?;
        }
        let c = &self.customer;
        check_address([
            !c.adr1.is_keep(),
            !c.zip.is_keep(),
            !c.city.is_keep(),
            !c.countrycode.is_keep(),
        ])?;
        if let Patch::Set(code) = &self.customer.countrycode {
            check_countrycode("customer.countrycode", Some(code))?;
        }
        wire::with_json(&Self::INFO, self)
    }

    fn parse_response(&self, response: &http::Response<Bytes>) -> Result<Success, Error> {
        decode_success(response)
    }
}

/// `DELETE /customer` with body `{"id": …}`.
///
/// Retry class `Safe`: deleting twice leaves the customer deleted; a refusal of the repeat (not
/// found) after a lost first answer means the first one worked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeleteCustomer {
    /// The customer id.
    pub id: String,
}

impl DeleteCustomer {
    /// Deletes customer `id`.
    pub fn new(id: impl Into<String>) -> Self {
        Self { id: id.into() }
    }
}

impl Endpoint for DeleteCustomer {
    type Output = Success;
    type Context = ();
    const INFO: EndpointInfo = info!("coinqvest.customer.delete", DELETE, "/customer", Safe);

    fn build_request(&self, _: &()) -> Result<http::Request<Bytes>, Error> {
        check_customer_id("id", &self.id)?;
        wire::with_json(&Self::INFO, self)
    }

    fn parse_response(&self, response: &http::Response<Bytes>) -> Result<Success, Error> {
        decode_success(response)
    }
}

crate::pagination::paginated_list! {
    /// `GET /customers?limit=…&offset=…`: a page of customers, newest first.
    request: ListCustomers,
    output: CustomerList { customers: Vec<Customer> },
    noun: "customers",
    info: ("coinqvest.customers.list", "/customers"),
}
