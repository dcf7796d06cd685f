//! Shop methods: `/account/register`, `/shop_balance`, `/shop_input_config/shop`,
//! `/shop_output_config/shop`.

use super::money::limit_json;
use super::protocol::{QostiqAnswer, QostiqError, QostiqRequest};
use super::{invoices, withdrawals};
use crate::context::Context;
use crate::json::{Json, integer, object, python_float, string};

/// `POST /account/register`: the same email always gets the same wallet number.
pub(crate) fn register(ctx: &mut Context<'_>, req: &QostiqRequest<'_, '_>) -> QostiqAnswer {
    let email = req.text("email")?;
    if !email.contains('@') {
        return Err(QostiqError::bad("email: Not a valid email address."));
    }
    let existing = ctx
        .books
        .qostiq
        .accounts
        .iter()
        .find(|(e, _)| *e == email)
        .map(|(_, n)| n.clone());
    let number = match existing {
        Some(n) => n,
        None => {
            let n = format!("2014{:08}", ctx.books.rng.next_u64() % 100_000_000);
            ctx.books.qostiq.accounts.push((email.clone(), n.clone()));
            n
        }
    };
    Ok(object([
        ("account_number", string(number)),
        ("email", string(email)),
    ]))
}

/// The fiat balance lines.
pub(crate) fn balances_json(ctx: &Context<'_>) -> Json {
    Json::Array(
        ctx.books
            .qostiq
            .fiat
            .iter()
            .map(|(currency, b)| {
                object([
                    ("available", python_float(b.available)),
                    ("currency", integer(*currency)),
                    ("hold", python_float(b.hold)),
                    ("frozen", python_float(b.frozen)),
                    ("rolling_reserve", python_float(b.rolling_reserve)),
                ])
            })
            .collect(),
    )
}

/// `POST /shop_balance`.
pub(crate) fn balance(ctx: &mut Context<'_>, _req: &QostiqRequest<'_, '_>) -> QostiqAnswer {
    Ok(object([
        ("shop_id", integer(ctx.credentials.qostiq_shop_id)),
        ("balances", balances_json(ctx)),
    ]))
}

/// `POST /shop_input_config/shop`: the invoice payways.
pub(crate) fn input_config(_ctx: &mut Context<'_>, _req: &QostiqRequest<'_, '_>) -> QostiqAnswer {
    let payways = invoices::PAYWAYS
        .iter()
        .map(|p| {
            object([
                ("add_ons_config", Json::Null),
                ("alias", string(p.alias)),
                ("currency", integer(p.currency)),
                ("fee_config", p.fee.config_json()),
                (
                    "fee_part_config",
                    object([
                        ("fix_part", integer(0)),
                        ("percent_part", Json::Number("1.0".into())),
                    ]),
                ),
                ("id", integer(p.id)),
                ("is_active", Json::Bool(true)),
                ("max_amount", limit_json(p.max)),
                ("min_amount", limit_json(p.min)),
            ])
        })
        .collect();
    Ok(Json::Array(vec![object([
        ("id", integer(3)),
        ("name", string("Visa/MC")),
        ("payways", Json::Array(payways)),
        ("rating", integer(2)),
    ])]))
}

/// `POST /shop_output_config/shop`: the withdraw payways and the transfer config.
pub(crate) fn output_config(_ctx: &mut Context<'_>, _req: &QostiqRequest<'_, '_>) -> QostiqAnswer {
    let cards = withdrawals::PAYWAYS
        .iter()
        .map(|p| {
            object([
                (
                    "account_info_config",
                    object([(
                        "account",
                        object([
                            ("regex", string("^(4|5|6)[0-9]{15,17}$")),
                            ("title", string("Card number")),
                        ]),
                    )]),
                ),
                ("alias", string(p.alias)),
                ("currency", integer(p.currency)),
                ("fee_config", p.fee.config_json()),
                ("info_id", Json::Null),
                ("max_amount", limit_json(p.max)),
                ("min_amount", limit_json(p.min)),
            ])
        })
        .collect();
    let transfer = object([
        (
            "account_info_config",
            object([(
                "payee_account",
                object([
                    (
                        "regex",
                        string(
                            r"^20[\d]{10}$|^([a-zA-Z0-9_-]+\.)*[a-zA-Z0-9_-]+@[a-zA-Z0-9_-]+(\.[a-zA-Z0-9_-]+)*\.[a-zA-Z]{2,6}$",
                        ),
                    ),
                    ("title", string("Wallet number or email")),
                ]),
            )]),
        ),
        ("alias", string("qostiq_usd")),
        ("currency", integer(840)),
        (
            "fee_config",
            object([
                ("fix", Json::Number("0.0".into())),
                ("percent", Json::Number("0.0".into())),
            ]),
        ),
        ("info_id", Json::Null),
        ("max_amount", Json::Number("10000.0".into())),
        ("min_amount", Json::Number("0.5".into())),
    ]);
    Ok(Json::Array(vec![
        object([
            ("id", integer(1)),
            ("name", string("Visa/MC")),
            ("payways", Json::Array(cards)),
            ("rating", integer(1)),
        ]),
        object([
            ("id", integer(3)),
            ("is_transfer_config", Json::Bool(true)),
            ("name", string("Qostiq")),
            ("payways", Json::Array(vec![transfer])),
            ("rating", integer(22)),
        ]),
    ]))
}
