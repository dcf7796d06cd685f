//! Qostiq emulation: `POST /qostiq/<endpoint>` with a JSON body signed per PROTOCOL.md.
//!
//! [`protocol`] checks requests and writes answers; [`routes`] holds the route table; the other
//! modules are the endpoint families' handlers, plain functions over a [`Context`](crate::context)
//! and a verified request.

pub(crate) mod bills;
mod callbacks;
pub(crate) mod crypto;
mod crypto_wallet;
pub(crate) mod invoices;
mod money;
pub(crate) mod protocol;
mod routes;
pub(crate) mod shop;
pub(crate) mod transfers;
pub(crate) mod withdrawals;

pub(crate) use routes::{book_earlier, other_payout, serve};
