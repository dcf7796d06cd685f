//! Shop methods: `/account/register`, `/shop_balance`, `/shop_input_config/shop`,
//! `/shop_output_config/shop`.

use super::{QErr, QResult, Req, invoices, withdrawals};
use crate::json::{J, int, obj, py_float, s};
use crate::state::Ctx;

/// `POST /account/register`: the same email always gets the same wallet number.
pub fn register(ctx: &mut Ctx<'_>, req: &Req<'_, '_>) -> QResult {
    let email = req.text("email")?;
    if !email.contains('@') {
        return Err(QErr::bad("email: Not a valid email address."));
    }
    let existing = ctx
        .st
        .qostiq
        .accounts
        .iter()
        .find(|(e, _)| *e == email)
        .map(|(_, n)| n.clone());
    let number = match existing {
        Some(n) => n,
        None => {
            let n = format!("2014{:08}", ctx.st.rng.next_u64() % 100_000_000);
            ctx.st.qostiq.accounts.push((email.clone(), n.clone()));
            n
        }
    };
    Ok(obj([("account_number", s(number)), ("email", s(email))]))
}

/// The fiat balance lines.
pub fn balances_json(ctx: &Ctx<'_>) -> J {
    J::Arr(
        ctx.st
            .qostiq
            .fiat
            .iter()
            .map(|(currency, b)| {
                obj([
                    ("available", py_float(b.available)),
                    ("currency", int(*currency)),
                    ("hold", py_float(b.hold)),
                    ("frozen", py_float(b.frozen)),
                    ("rolling_reserve", py_float(b.rolling_reserve)),
                ])
            })
            .collect(),
    )
}

/// `POST /shop_balance`.
pub fn balance(ctx: &mut Ctx<'_>, _req: &Req<'_, '_>) -> QResult {
    Ok(obj([
        ("shop_id", int(ctx.creds.qostiq_shop_id)),
        ("balances", balances_json(ctx)),
    ]))
}

/// `POST /shop_input_config/shop`: the invoice payways.
pub fn input_config(_ctx: &mut Ctx<'_>, _req: &Req<'_, '_>) -> QResult {
    let payways = invoices::PAYWAYS
        .iter()
        .map(|p| {
            obj([
                ("add_ons_config", J::Null),
                ("alias", s(p.alias)),
                ("currency", int(p.currency)),
                (
                    "fee_config",
                    obj([
                        ("fix", py_float(p.fee.fix())),
                        ("percent", py_float(p.fee.percent())),
                    ]),
                ),
                (
                    "fee_part_config",
                    obj([("fix_part", int(0)), ("percent_part", J::Num("1.0".into()))]),
                ),
                ("id", int(p.id)),
                ("is_active", J::Bool(true)),
                (
                    "max_amount",
                    py_float(rust_decimal::Decimal::new(p.max.0, p.max.1)),
                ),
                (
                    "min_amount",
                    py_float(rust_decimal::Decimal::new(p.min.0, p.min.1)),
                ),
            ])
        })
        .collect();
    Ok(J::Arr(vec![obj([
        ("id", int(3)),
        ("name", s("Visa/MC")),
        ("payways", J::Arr(payways)),
        ("rating", int(2)),
    ])]))
}

/// `POST /shop_output_config/shop`: the withdraw payways and the transfer config.
pub fn output_config(_ctx: &mut Ctx<'_>, _req: &Req<'_, '_>) -> QResult {
    let cards = withdrawals::PAYWAYS
        .iter()
        .map(|p| {
            obj([
                (
                    "account_info_config",
                    obj([(
                        "account",
                        obj([
                            ("regex", s("^(4|5|6)[0-9]{15,17}$")),
                            ("title", s("Card number")),
                        ]),
                    )]),
                ),
                ("alias", s(p.alias)),
                ("currency", int(p.currency)),
                (
                    "fee_config",
                    obj([
                        ("fix", py_float(p.fee.fix())),
                        ("percent", py_float(p.fee.percent())),
                    ]),
                ),
                ("info_id", J::Null),
                (
                    "max_amount",
                    py_float(rust_decimal::Decimal::new(p.max.0, p.max.1)),
                ),
                (
                    "min_amount",
                    py_float(rust_decimal::Decimal::new(p.min.0, p.min.1)),
                ),
            ])
        })
        .collect();
    let transfer = obj([
        (
            "account_info_config",
            obj([(
                "payee_account",
                obj([
                    (
                        "regex",
                        s(
                            r"^20[\d]{10}$|^([a-zA-Z0-9_-]+\.)*[a-zA-Z0-9_-]+@[a-zA-Z0-9_-]+(\.[a-zA-Z0-9_-]+)*\.[a-zA-Z]{2,6}$",
                        ),
                    ),
                    ("title", s("Wallet number or email")),
                ]),
            )]),
        ),
        ("alias", s("qostiq_usd")),
        ("currency", int(840)),
        (
            "fee_config",
            obj([
                ("fix", J::Num("0.0".into())),
                ("percent", J::Num("0.0".into())),
            ]),
        ),
        ("info_id", J::Null),
        ("max_amount", J::Num("10000.0".into())),
        ("min_amount", J::Num("0.5".into())),
    ]);
    Ok(J::Arr(vec![
        obj([
            ("id", int(1)),
            ("name", s("Visa/MC")),
            ("payways", J::Arr(cards)),
            ("rating", int(1)),
        ]),
        obj([
            ("id", int(3)),
            ("is_transfer_config", J::Bool(true)),
            ("name", s("Qostiq")),
            ("payways", J::Arr(vec![transfer])),
            ("rating", int(22)),
        ]),
    ]))
}
