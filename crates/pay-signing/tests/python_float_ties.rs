//! A genuine Qostiq callback carrying a float whose CPython `repr` breaks a tie to the even digit
//! verifies. The signature here is computed from the text CPython signs (`str(225500917378415.125)`
//! is `225500917378415.12`), independently of pay-core's renderer.
#![allow(clippy::unwrap_used)] // test code

use pay_core::secret::Secret;
use pay_signing::qostiq::{CallbackForm, CallbackVerifier};
use sha2::{Digest, Sha256};

#[test]
fn a_callback_with_a_tie_float_verifies() {
    let secret = "d3b07384d113edec49eaa6238ad5ff00";
    // A payment notification. Sorted keys: payment_id, ps_data, shop_amount, shop_currency,
    // shop_order_id, status; CPython's str() of each value.
    let signed = "7:{\"fee\": 2.9802322387695312e-08}:225500917378415.12:980:979:success";
    let sign = hex::encode(Sha256::digest(format!("{signed}{secret}")));
    let body = format!(
        r#"{{"payment_id": 7, "ps_data": {{"fee": 2.9802322387695312e-08}}, "shop_amount": 225500917378415.12, "shop_currency": 980, "shop_order_id": "979", "status": "success", "sign": "{sign}"}}"#
    );
    let verified = CallbackVerifier::new(Secret::new(secret).unwrap())
        .verify(body.as_bytes())
        .unwrap();
    assert_eq!(verified.form(), CallbackForm::Python);
}
