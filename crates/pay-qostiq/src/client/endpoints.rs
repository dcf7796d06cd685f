//! One method per Qostiq endpoint, grouped as Qostiq's documents group them: each builds the typed
//! request and runs it through the executor (status reads under their polling floor, per
//! payment). The payout creates are in `payouts`, the waits in `polling`.

use pay_core::endpoint::Lookup;
use pay_transport::CallError;
use pay_transport::service::HttpService;

use super::QostiqClient;
use crate::bills::{BillInfo, GetBill};
use crate::crypto::{
    CryptoBalances, CryptoWithdrawInfo, CryptoWithdrawQuote, GetCryptoBalance, GetCryptoWithdraw,
    GetCryptoWithdrawByShopPaymentId, TryCryptoWithdraw,
};
use crate::invoices::{CreateInvoice, InvoiceQuote, InvoiceRedirect, TryInvoice};
use crate::shop::{
    GetInputConfig, GetOutputConfig, GetShopBalance, InputMethod, OutputMethod, RegisterAccount,
    RegisteredAccount, ShopBalances,
};
use crate::transfers::{GetTransfer, TransferInfo, TransferQuote, TryTransfer};
use crate::withdrawals::{
    AccountCheck, CheckAccount, GetWithdraw, GetWithdrawByShopPaymentId, TryWithdraw, WithdrawInfo,
    WithdrawQuote,
};

impl<S: HttpService> QostiqClient<S> {
    // ---- bills ----------------------------------------------------------------------------------

    /// `/bill/shop_order_status` (bill polling floor, per bill).
    pub async fn get_bill(&self, shop_order_id: &str) -> Result<Lookup<BillInfo>, CallError> {
        self.poll(&GetBill::new(shop_order_id), shop_order_id).await
    }

    // ---- transfers ------------------------------------------------------------------------------

    /// `/transfer/try`.
    pub async fn try_transfer(&self, request: &TryTransfer) -> Result<TransferQuote, CallError> {
        self.call(request).await
    }

    /// `/transfer/shop_payment_status` (the default polling floor, per transfer: Qostiq publishes none).
    pub async fn get_transfer(
        &self,
        shop_payment_id: &str,
    ) -> Result<Lookup<TransferInfo>, CallError> {
        self.poll(&GetTransfer::new(shop_payment_id), shop_payment_id)
            .await
    }

    // ---- fiat withdrawals -----------------------------------------------------------------------

    /// `/withdraw/try`.
    pub async fn try_withdraw(&self, request: &TryWithdraw) -> Result<WithdrawQuote, CallError> {
        self.call(request).await
    }

    /// `/check_account`.
    pub async fn check_account(&self, request: &CheckAccount) -> Result<AccountCheck, CallError> {
        self.call(request).await
    }

    /// `/withdraw/status` by Qostiq's id (withdraw floor, ≥ 60 s).
    pub async fn get_withdraw(&self, withdraw_id: u64) -> Result<Lookup<WithdrawInfo>, CallError> {
        self.poll(&GetWithdraw::new(withdraw_id), &withdraw_id.to_string())
            .await
    }

    /// `/withdraw/shop_payment_status` by the shop's id (withdraw floor, ≥ 60 s for this payout).
    pub async fn get_withdraw_by_shop_payment_id(
        &self,
        shop_payment_id: &str,
    ) -> Result<Lookup<WithdrawInfo>, CallError> {
        self.poll(
            &GetWithdrawByShopPaymentId::new(shop_payment_id),
            shop_payment_id,
        )
        .await
    }

    // ---- crypto withdrawals ---------------------------------------------------------------------

    /// `/crypto/withdraw/try`.
    pub async fn try_crypto_withdraw(
        &self,
        request: &TryCryptoWithdraw,
    ) -> Result<CryptoWithdrawQuote, CallError> {
        self.call(request).await
    }

    /// `/crypto/withdraw/status` by Qostiq's id (crypto withdraw floor, ≥ 60 s).
    pub async fn get_crypto_withdraw(
        &self,
        withdraw_id: u64,
    ) -> Result<Lookup<CryptoWithdrawInfo>, CallError> {
        self.poll(
            &GetCryptoWithdraw::new(withdraw_id),
            &withdraw_id.to_string(),
        )
        .await
    }

    /// `/crypto/withdraw/shop_payment_status` (crypto withdraw floor, ≥ 60 s).
    pub async fn get_crypto_withdraw_by_shop_payment_id(
        &self,
        shop_payment_id: &str,
    ) -> Result<Lookup<CryptoWithdrawInfo>, CallError> {
        self.poll(
            &GetCryptoWithdrawByShopPaymentId::new(shop_payment_id),
            shop_payment_id,
        )
        .await
    }

    /// `/crypto/shop_balance`.
    pub async fn get_crypto_balance(&self) -> Result<CryptoBalances, CallError> {
        self.call(&GetCryptoBalance::new()).await
    }

    // ---- the shop -------------------------------------------------------------------------------

    /// `/account/register` (retry class `Never`: an unknown outcome is returned as the error).
    pub async fn register_account(
        &self,
        request: &RegisterAccount,
    ) -> Result<RegisteredAccount, CallError> {
        self.call(request).await
    }

    /// `/shop_balance`.
    pub async fn get_shop_balance(&self) -> Result<ShopBalances, CallError> {
        self.call(&GetShopBalance::new()).await
    }

    /// `/shop_input_config/shop`.
    pub async fn get_input_config(&self) -> Result<Vec<InputMethod>, CallError> {
        self.call(&GetInputConfig::new()).await
    }

    /// `/shop_output_config/shop`.
    pub async fn get_output_config(&self) -> Result<Vec<OutputMethod>, CallError> {
        self.call(&GetOutputConfig::new()).await
    }

    // ---- invoices -------------------------------------------------------------------------------

    /// `/invoice/try`.
    pub async fn try_invoice(&self, request: &TryInvoice) -> Result<InvoiceQuote, CallError> {
        self.call(request).await
    }

    /// `/invoice/create` (retry class `Never`: no payment happens until the payer acts).
    pub async fn create_invoice(
        &self,
        request: &CreateInvoice,
    ) -> Result<InvoiceRedirect, CallError> {
        self.call(request).await
    }
}
