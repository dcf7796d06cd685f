//! One method per COINQVEST endpoint, grouped as COINQVEST's documents group them: each builds
//! the typed request and runs it through the executor (with the one-time clock re-sync on
//! 401/403). The withdrawal commits are in `payouts`, the wait in `polling`, the page walker in
//! `pages`.

use pay_core::endpoint::Lookup;
use pay_transport::CallError;
use pay_transport::service::HttpService;

use super::CoinqvestClient;
use crate::checkouts::{
    Checkout, CheckoutCommitted, CheckoutCreated, CheckoutList, CheckoutParams, CommitCheckout,
    CreateCheckout, CreateHostedCheckout, GetCheckout, HostedCheckout, ListCheckouts,
};
use crate::customers::{
    CreateCustomer, Customer, CustomerCreated, CustomerList, CustomerUpdate, DeleteCustomer,
    GetCustomer, ListCustomers, NewCustomer, UpdateCustomer,
};
use crate::pagination::Page;
use crate::payments::{GetPayment, ListPayments, Payment, PaymentList};
use crate::reference::{
    Asset, AssetIssuer, AssetIssuerList, AssetList, Blockchain, BlockchainList, FiatCurrency,
    FiatCurrencyList, GetAsset, GetAssetIssuer, GetBlockchain, GetFiatCurrency, ListAssetIssuers,
    ListAssets, ListBlockchains, ListFiatCurrencies,
};
use crate::service::{AuthTest, GetTime, Ping, ServerTime, Success};
use crate::wallets::{GetWallet, ListWallets, Wallet, WalletList};
use crate::withdrawals::{
    CreateWithdrawal, GetWithdrawal, ListWithdrawals, Withdrawal, WithdrawalList,
};

impl<S: HttpService> CoinqvestClient<S> {
    // ---- checkouts ------------------------------------------------------------------------------

    /// `POST /checkout`: a white-label checkout.
    pub async fn create_checkout(
        &self,
        params: CheckoutParams,
    ) -> Result<CheckoutCreated, CallError> {
        self.call(&CreateCheckout::new(params)).await
    }

    /// `POST /checkout/commit` (never repeated once it may have been sent: on an unknown outcome,
    /// start a new checkout).
    pub async fn commit_checkout(
        &self,
        commit: &CommitCheckout,
    ) -> Result<CheckoutCommitted, CallError> {
        self.call(commit).await
    }

    /// `POST /checkout/hosted`: a hosted checkout page.
    pub async fn create_hosted_checkout(
        &self,
        params: CheckoutParams,
    ) -> Result<HostedCheckout, CallError> {
        self.call(&CreateHostedCheckout::new(params)).await
    }

    /// `GET /checkout?id=…`.
    pub async fn get_checkout(&self, id: impl Into<String>) -> Result<Lookup<Checkout>, CallError> {
        self.call(&GetCheckout::new(id)).await
    }

    /// `GET /checkouts`: one page (see [`pages`](Self::pages) for all).
    pub async fn list_checkouts(&self, page: Page) -> Result<CheckoutList, CallError> {
        self.call(&ListCheckouts::new(page)).await
    }

    // ---- payments -------------------------------------------------------------------------------

    /// `GET /payment?id=…`.
    pub async fn get_payment(&self, id: impl Into<String>) -> Result<Lookup<Payment>, CallError> {
        self.call(&GetPayment::new(id)).await
    }

    /// `GET /payments`: one page.
    pub async fn list_payments(&self, page: Page) -> Result<PaymentList, CallError> {
        self.call(&ListPayments::new(page)).await
    }

    // ---- wallets --------------------------------------------------------------------------------

    /// `GET /wallets`.
    pub async fn list_wallets(&self) -> Result<WalletList, CallError> {
        self.call(&ListWallets).await
    }

    /// `GET /wallet?assetCode=…`.
    pub async fn get_wallet(
        &self,
        asset_code: impl Into<String>,
    ) -> Result<Lookup<Wallet>, CallError> {
        self.call(&GetWallet::new(asset_code)).await
    }

    // ---- withdrawals ----------------------------------------------------------------------------

    /// `POST /withdrawal`: a quote (`PENDING_API_COMMIT`); nothing moves until
    /// [`commit_withdrawal`](Self::commit_withdrawal).
    pub async fn create_withdrawal(
        &self,
        quote: &CreateWithdrawal,
    ) -> Result<Withdrawal, CallError> {
        self.call(quote).await
    }

    /// `GET /withdrawal?id=…`.
    pub async fn get_withdrawal(
        &self,
        id: impl Into<String>,
    ) -> Result<Lookup<Withdrawal>, CallError> {
        self.call(&GetWithdrawal::new(id)).await
    }

    /// `GET /withdrawals`: one page.
    pub async fn list_withdrawals(&self, page: Page) -> Result<WithdrawalList, CallError> {
        self.call(&ListWithdrawals::new(page)).await
    }

    // ---- reference ------------------------------------------------------------------------------

    /// `GET /asset-issuers`.
    pub async fn list_asset_issuers(&self) -> Result<AssetIssuerList, CallError> {
        self.call(&ListAssetIssuers).await
    }

    /// `GET /asset-issuer?id=…`.
    pub async fn get_asset_issuer(
        &self,
        id: impl Into<String>,
    ) -> Result<Lookup<AssetIssuer>, CallError> {
        self.call(&GetAssetIssuer::new(id)).await
    }

    /// `GET /assets`.
    pub async fn list_assets(&self) -> Result<AssetList, CallError> {
        self.call(&ListAssets).await
    }

    /// `GET /asset?id=…`.
    pub async fn get_asset(&self, id: impl Into<String>) -> Result<Lookup<Asset>, CallError> {
        self.call(&GetAsset::new(id)).await
    }

    /// `GET /fiat-currencies`.
    pub async fn list_fiat_currencies(&self) -> Result<FiatCurrencyList, CallError> {
        self.call(&ListFiatCurrencies).await
    }

    /// `GET /fiat-currency?assetCode=…`.
    pub async fn get_fiat_currency(
        &self,
        asset_code: impl Into<String>,
    ) -> Result<Lookup<FiatCurrency>, CallError> {
        self.call(&GetFiatCurrency::new(asset_code)).await
    }

    /// `GET /blockchains`.
    pub async fn list_blockchains(&self) -> Result<BlockchainList, CallError> {
        self.call(&ListBlockchains).await
    }

    /// `GET /blockchain?assetCode=…`.
    pub async fn get_blockchain(
        &self,
        asset_code: impl Into<String>,
    ) -> Result<Lookup<Blockchain>, CallError> {
        self.call(&GetBlockchain::new(asset_code)).await
    }

    // ---- service --------------------------------------------------------------------------------

    /// `GET /ping`.
    pub async fn ping(&self) -> Result<Success, CallError> {
        self.call(&Ping).await
    }

    /// `GET /time` without touching the clock offset (see [`sync_clock`](Self::sync_clock)).
    pub async fn get_time(&self) -> Result<ServerTime, CallError> {
        self.call(&GetTime).await
    }

    /// `GET /auth-test`.
    pub async fn auth_test(&self) -> Result<Success, CallError> {
        self.call(&AuthTest).await
    }

    // ---- customers ------------------------------------------------------------------------------

    /// `GET /customers`: one page.
    pub async fn list_customers(&self, page: Page) -> Result<CustomerList, CallError> {
        self.call(&ListCustomers::new(page)).await
    }

    /// `POST /customer` (an upsert by email).
    pub async fn create_customer(
        &self,
        customer: NewCustomer,
    ) -> Result<CustomerCreated, CallError> {
        self.call(&CreateCustomer::new(customer)).await
    }

    /// `GET /customer?id=…`.
    pub async fn get_customer(&self, id: impl Into<String>) -> Result<Lookup<Customer>, CallError> {
        self.call(&GetCustomer::new(id)).await
    }

    /// `PUT /customer`.
    pub async fn update_customer(&self, update: CustomerUpdate) -> Result<Success, CallError> {
        self.call(&UpdateCustomer::new(update)).await
    }

    /// `DELETE /customer`.
    pub async fn delete_customer(&self, id: impl Into<String>) -> Result<Success, CallError> {
        self.call(&DeleteCustomer::new(id)).await
    }
}
