//! COINQVEST Merchant API v1 emulation under `/coinqvest/api/v1/`.
//!
//! [`protocol`] authenticates requests and writes errors; [`routes`] holds the route table; the
//! other modules are the endpoint families' handlers, plain functions over a
//! [`Context`](crate::context) and a parsed request.

pub(crate) mod checkouts;
pub(crate) mod customers;
pub(crate) mod payments;
pub(crate) mod protocol;
pub(crate) mod reference;
mod routes;
mod service;
pub(crate) mod wallets;
mod webhooks;
pub(crate) mod withdrawals;

pub(crate) use routes::{Incoming, serve};
