//! Checks run before anything is signed or sent; each error names the field.

use pay_core::error::Error;
use pay_core::money::{Amount, Precision};

/// A required identifier or text: not empty, not blank, no control characters, at most 255 chars.
pub(crate) fn text(field: &'static str, value: &str) -> Result<(), Error> {
    if value.trim().is_empty() {
        return Err(Error::invalid_input(field, "must not be empty"));
    }
    optional_text(field, Some(value))
}

/// The shop's id of an operation whose outcome comes back in a callback: a [`text`] without `:`.
/// Qostiq joins the signed values of a callback with an unescaped `:`, so a `:` in the id lets a
/// forger move part of it to a neighbouring key with the signature intact; the callback verifier
/// refuses such callbacks (`pay_signing::qostiq::Shape::Reference`), so it is refused here first.
pub(crate) fn reference(field: &'static str, value: &str) -> Result<(), Error> {
    text(field, value)?;
    if value.contains(':') {
        return Err(Error::invalid_input(
            field,
            "must not contain `:` (callbacks join their signed values with `:`; one carrying it \
             could be forged and is refused)",
        ));
    }
    Ok(())
}

/// The description of an operation whose outcome comes back in a callback: an [`optional_text`]
/// without `:`, for the same reason as [`reference`] (free text holding a `:` could absorb its
/// neighbours in a forged callback, so the verifier refuses such callbacks).
pub(crate) fn callback_text(field: &'static str, value: Option<&str>) -> Result<(), Error> {
    optional_text(field, value)?;
    if value.is_some_and(|v| v.contains(':')) {
        return Err(Error::invalid_input(
            field,
            "must not contain `:` (callbacks join their signed values with `:`; one carrying it \
             could be forged and is refused)",
        ));
    }
    Ok(())
}

/// An optional text: no control characters, at most 255 characters.
pub(crate) fn optional_text(field: &'static str, value: Option<&str>) -> Result<(), Error> {
    let Some(value) = value else { return Ok(()) };
    if value.chars().any(char::is_control) {
        return Err(Error::invalid_input(
            field,
            "must not contain control characters",
        ));
    }
    if value.chars().count() > 255 {
        return Err(Error::invalid_input(
            field,
            "must be at most 255 characters",
        ));
    }
    Ok(())
}

/// A fiat amount: positive, *written* with at most 2 decimals ("no more than 2 characters after
/// the dot", seeds 000 and 001): the amount is sent and signed as written, so `"10.000"` is refused
/// like `"10.001"`.
pub(crate) fn fiat_amount(field: &'static str, amount: &Amount) -> Result<(), Error> {
    amount.check_positive(field)?;
    amount.check_scale(field, Precision::FIAT)
}

/// An optional absolute `http(s)` URL.
pub(crate) fn optional_url(field: &'static str, value: Option<&str>) -> Result<(), Error> {
    let Some(url) = value else { return Ok(()) };
    let lower = url.to_ascii_lowercase();
    let rest = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"));
    match rest {
        Some(host)
            if !host.is_empty() && !url.chars().any(|c| c.is_whitespace() || c.is_control()) =>
        {
            Ok(())
        }
        _ => Err(Error::invalid_input(
            field,
            "must be an absolute http(s) URL",
        )),
    }
}

/// An e-mail address (`local@domain`), loosely: the server checks it for real.
pub(crate) fn email(field: &'static str, value: &str) -> Result<(), Error> {
    text(field, value)?;
    match value.split_once('@') {
        Some((local, domain))
            if !local.is_empty() && !domain.is_empty() && !value.contains(char::is_whitespace) =>
        {
            Ok(())
        }
        _ => Err(Error::invalid_input(field, "must be an e-mail address")),
    }
}

/// An optional e-mail address.
pub(crate) fn optional_email(field: &'static str, value: Option<&str>) -> Result<(), Error> {
    value.map_or(Ok(()), |v| email(field, v))
}
