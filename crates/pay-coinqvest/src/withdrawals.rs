//! Withdrawals: `POST /withdrawal` (a quote), `POST /withdrawal/commit` (moves the money),
//! `GET /withdrawal`, `GET /withdrawals`.
//!
//! The target account is a [`TargetAccount`], one variant per kind the seed documents; the variant
//! decides `targetNetwork`.
//!
//! ```
//! use pay_coinqvest::withdrawals::{CreateWithdrawal, NgnBank, TargetAccount};
//! use pay_core::endpoint::Endpoint;
//!
//! let quote = CreateWithdrawal::new(
//!     "USD:GDUKMGUGDZQK6YHYA5Z6AY2G4XDSZPSZ3SW5UN3ARVMO6QSRDWP5YLEX",
//!     "100".parse().unwrap(),
//!     TargetAccount::NgnBank { nuban: "3080494548".into(), bank: NgnBank::FirstBank },
//! );
//! let request = quote.build_request(&()).unwrap();
//! assert_eq!(
//!     request.body().as_ref(),
//!     br#"{"sourceAsset":"USD:GDUKMGUGDZQK6YHYA5Z6AY2G4XDSZPSZ3SW5UN3ARVMO6QSRDWP5YLEX","sourceAmount":"100","targetNetwork":"NGN","targetAccount":{"nuban":"3080494548","bankName":"FirstBank"}}"#
//! );
//! ```

use bytes::Bytes;
use http::StatusCode;
use pay_core::Error;
use pay_core::datetime::Rfc3339DateTime;
use pay_core::endpoint::{Endpoint, EndpointInfo};
use pay_core::error::ProviderError;
use pay_core::money::Amount;
use pay_core::recovery::{
    Action, FieldValue, Intent, Observed, PayoutRecord, Recoverable, RefusalClass, Verdict,
};
use pay_core::text::AccountNumber;
use serde::{Deserialize, Serialize};

use crate::state::WithdrawalState;
use crate::{error, wire};

macro_rules! ngn_banks {
    ($( $variant:ident = $text:literal, )*) => {
        /// The banks an NGN withdrawal can go to; the seed says these are the only choices.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum NgnBank {
            $(
                #[doc = concat!("`", $text, "`.")]
                $variant,
            )*
        }

        impl NgnBank {
            /// Every bank, in the seed's order.
            pub const ALL: &'static [NgnBank] = &[$(NgnBank::$variant,)*];

            /// The wire text (`FirstBank`).
            pub fn as_str(&self) -> &'static str {
                match self {
                    $( Self::$variant => $text, )*
                }
            }
        }

        impl std::str::FromStr for NgnBank {
            type Err = Error;
            fn from_str(text: &str) -> Result<Self, Error> {
                match text {
                    $( $text => Ok(Self::$variant), )*
                    _ => Err(Error::invalid_input(
                        "targetAccount.bankName",
                        format!(
                            "{} is not one of the banks COINQVEST lists",
                            pay_core::text::Untrusted::new(text)
                        ),
                    )),
                }
            }
        }
    };
}

ngn_banks! {
    AccessBank = "AccessBank",
    CitiBank = "CitiBank",
    DiamondBank = "DiamondBank",
    Ecobank = "Ecobank",
    EnterpriseBank = "EnterpriseBank",
    Fcmb = "FCMB",
    FidelityBank = "FidelityBank",
    FirstBank = "FirstBank",
    GtBank = "GTBank",
    Heritage = "Heritage",
    JaizBank = "JaizBank",
    KeystoneBank = "KeystoneBank",
    ProvidusBank = "ProvidusBank",
    SkyeBank = "SkyeBank",
    Stanbic = "Stanbic",
    StandardChartered = "StandardChartered",
    SterlingBank = "SterlingBank",
    SuntrustBank = "SuntrustBank",
    Uba = "UBA",
    UnionBank = "UnionBank",
    UnityBank = "UnityBank",
    WemaBank = "WemaBank",
    ZenithBank = "ZenithBank",
}

impl std::fmt::Display for NgnBank {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for NgnBank {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// Where a withdrawal goes. The variant decides `targetNetwork`.
///
/// Account numbers, IBANs, NUBANs and addresses are [`AccountNumber`]s: sent as written, masked in
/// `Debug` (`AccountNumber(****4548)`). SWIFT/BIC and routing numbers name a bank, not an account,
/// and are shown; so are memos and destination tags.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
#[non_exhaustive]
pub enum TargetAccount {
    /// A Stellar Network account (`XLM`; any Stellar asset, see [`CreateWithdrawal::target_asset`]).
    Stellar {
        /// The account (`G…`).
        account: AccountNumber,
        /// The memo, if the receiver needs one (exchanges do).
        #[serde(skip_serializing_if = "Option::is_none")]
        memo: Option<String>,
        /// The memo type (`text`, `id`, `hash`).
        #[serde(rename = "memoType", skip_serializing_if = "Option::is_none")]
        memo_type: Option<String>,
    },
    /// An EU bank account by IBAN (`EUR`).
    EurIban {
        /// The IBAN.
        iban: AccountNumber,
        /// The SWIFT/BIC code.
        swift: String,
    },
    /// A US bank account (`USD`).
    UsdBank {
        /// The account number.
        #[serde(rename = "accountNumber")]
        account_number: AccountNumber,
        /// The routing number.
        #[serde(rename = "routingNumber")]
        routing_number: String,
    },
    /// A Canadian bank account (`CAD`).
    CadBank {
        /// The account number.
        #[serde(rename = "accountNumber")]
        account_number: AccountNumber,
        /// The routing number.
        #[serde(rename = "routingNumber")]
        routing_number: String,
    },
    /// A Nigerian bank account (`NGN`).
    NgnBank {
        /// The NUBAN.
        nuban: AccountNumber,
        /// The bank.
        #[serde(rename = "bankName")]
        bank: NgnBank,
    },
    /// A Bitcoin address (`BTC`).
    Bitcoin {
        /// The address.
        address: AccountNumber,
    },
    /// An Ethereum address (`ETH`).
    Ethereum {
        /// The address.
        address: AccountNumber,
    },
    /// A Litecoin address (`LTC`).
    Litecoin {
        /// The address.
        address: AccountNumber,
    },
    /// An XRP Ledger account (`XRP`).
    Xrp {
        /// The account (`r…`).
        account: AccountNumber,
        /// The destination tag, if the receiver needs one (exchanges do).
        #[serde(rename = "destinationTag", skip_serializing_if = "Option::is_none")]
        destination_tag: Option<String>,
    },
}

impl TargetAccount {
    /// The `targetNetwork` this account lives on.
    pub fn network(&self) -> &'static str {
        match self {
            Self::Stellar { .. } => "XLM",
            Self::EurIban { .. } => "EUR",
            Self::UsdBank { .. } => "USD",
            Self::CadBank { .. } => "CAD",
            Self::NgnBank { .. } => "NGN",
            Self::Bitcoin { .. } => "BTC",
            Self::Ethereum { .. } => "ETH",
            Self::Litecoin { .. } => "LTC",
            Self::Xrp { .. } => "XRP",
        }
    }

    fn check(&self) -> Result<(), Error> {
        let fields: Vec<(&'static str, &str)> = match self {
            Self::Stellar { account, .. } => vec![("targetAccount.account", account.expose())],
            Self::EurIban { iban, swift } => {
                vec![
                    ("targetAccount.iban", iban.expose()),
                    ("targetAccount.swift", swift),
                ]
            }
            Self::UsdBank {
                account_number,
                routing_number,
            }
            | Self::CadBank {
                account_number,
                routing_number,
            } => vec![
                ("targetAccount.accountNumber", account_number.expose()),
                ("targetAccount.routingNumber", routing_number),
            ],
            Self::NgnBank { nuban, .. } => vec![("targetAccount.nuban", nuban.expose())],
            Self::Bitcoin { address } | Self::Ethereum { address } | Self::Litecoin { address } => {
                vec![("targetAccount.address", address.expose())]
            }
            Self::Xrp { account, .. } => vec![("targetAccount.account", account.expose())],
        };
        fields
            .into_iter()
            .try_for_each(|(field, value)| wire::require(field, value))
    }
}

/// `POST /withdrawal`: asks for a quote. Nothing moves until [`CommitWithdrawal`].
///
/// Retry class `Safe`: the answer is a quote in state `PENDING_API_COMMIT`. Repeating a request whose
/// answer was lost leaves at most an extra quote that is never committed (only its id, which was lost
/// with the answer, could commit it). No money moves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreateWithdrawal {
    /// The asset to withdraw from (`USD:GDUK…`, see `GET /wallets`).
    pub source_asset: String,
    /// The exact amount to withdraw, sent as a JSON string (`"10"`) as the seed's table says.
    pub source_amount: Amount,
    /// Stellar only: the asset the recipient is credited in (`XLM:NATIVE`).
    pub target_asset: Option<String>,
    /// Where the money goes; decides `targetNetwork`.
    pub target_account: TargetAccount,
    /// Non-Stellar targets only: the asset issuer to process the withdrawal (`BTC:GBVOL…`).
    pub relay: Option<String>,
}

/// The wire body of `POST /withdrawal`, in the official SDK's key order.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct CreateWithdrawalBody<'a> {
    source_asset: &'a str,
    source_amount: &'a Amount,
    target_network: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    target_asset: Option<&'a str>,
    target_account: &'a TargetAccount,
    #[serde(skip_serializing_if = "Option::is_none")]
    relay: Option<&'a str>,
}

impl CreateWithdrawal {
    /// A quote for withdrawing `source_amount` of `source_asset` to `target_account`.
    pub fn new(
        source_asset: impl Into<String>,
        source_amount: Amount,
        target_account: TargetAccount,
    ) -> Self {
        Self {
            source_asset: source_asset.into(),
            source_amount,
            target_asset: None,
            target_account,
            relay: None,
        }
    }

    /// Stellar targets: the asset to credit (`XLM:NATIVE`).
    #[must_use]
    pub fn target_asset(mut self, asset_id: impl Into<String>) -> Self {
        self.target_asset = Some(asset_id.into());
        self
    }

    /// Non-Stellar targets: the asset issuer to use (`BTC:GBVOL…`).
    #[must_use]
    pub fn relay(mut self, asset_issuer_id: impl Into<String>) -> Self {
        self.relay = Some(asset_issuer_id.into());
        self
    }

    /// The `targetNetwork` sent.
    pub fn target_network(&self) -> &'static str {
        self.target_account.network()
    }

    fn check(&self) -> Result<(), Error> {
        wire::require("sourceAsset", &self.source_asset)?;
        self.source_amount.check_positive("sourceAmount")?;
        self.target_account.check()?;
        let stellar = matches!(self.target_account, TargetAccount::Stellar { .. });
        if let Some(asset) = &self.target_asset {
            if !stellar {
                return Err(Error::invalid_input(
                    "targetAsset",
                    "only withdrawals to the Stellar Network (XLM) take a target asset",
                ));
            }
            wire::require("targetAsset", asset)?;
        }
        if let Some(relay) = &self.relay {
            if stellar {
                return Err(Error::invalid_input(
                    "relay",
                    "withdrawals to the Stellar Network take no relay",
                ));
            }
            wire::require("relay", relay)?;
        }
        Ok(())
    }
}

/// The target account as the API reports it: the fields of whichever kind it is (account numbers
/// kept as received, masked in `Debug`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct TargetAccountDetails {
    /// Stellar and XRP: the account.
    pub account: Option<AccountNumber>,
    /// Stellar: the memo.
    pub memo: Option<String>,
    /// Stellar: the memo type.
    pub memo_type: Option<String>,
    /// XRP: the destination tag.
    pub destination_tag: Option<String>,
    /// BTC, ETH, LTC: the address.
    pub address: Option<AccountNumber>,
    /// EUR: the IBAN.
    pub iban: Option<AccountNumber>,
    /// EUR: the SWIFT/BIC.
    pub swift: Option<String>,
    /// NGN: the NUBAN.
    pub nuban: Option<AccountNumber>,
    /// NGN: the bank's name.
    pub bank_name: Option<String>,
    /// USD, CAD: the account number.
    pub account_number: Option<AccountNumber>,
    /// USD, CAD: the routing number.
    pub routing_number: Option<String>,
}

/// A withdrawal.
///
/// Single withdrawals name the target `targetBlockchain`/`targetFiatCurrency`, list items
/// `targetBlockchainId`/`targetFiatCurrencyId` (a seed inconsistency): both are accepted.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Withdrawal {
    /// Unique identifier.
    pub id: String,
    /// `WITHDRAWAL`.
    #[serde(rename = "type")]
    pub withdrawal_type: String,
    /// The state.
    pub state: WithdrawalState,
    /// `UI` or `API`.
    pub origin: String,
    /// When the withdrawal was initiated.
    pub timestamp: Rfc3339DateTime,
    /// The asset debited (`USD`).
    pub source_asset_code: String,
    /// The issuer of the debited asset.
    pub source_asset_issuer: String,
    /// The amount debited, exact.
    pub source_amount: Amount,
    /// The asset sent (`NGNT`).
    pub target_asset_code: String,
    /// The entity processing the withdrawal.
    pub target_asset_issuer: String,
    /// The guaranteed amount received, exact.
    pub target_amount: Amount,
    /// The fee kept by the processing entity, exact.
    pub withdrawal_fee: Amount,
    /// The target blockchain (`XLM`), or `None` for bank accounts.
    #[serde(default, alias = "targetBlockchainId")]
    pub target_blockchain: Option<String>,
    /// The target fiat currency (`NGN`), or `None` for blockchains.
    #[serde(default, alias = "targetFiatCurrencyId")]
    pub target_fiat_currency: Option<String>,
    /// The Stellar transaction, once committed.
    #[serde(default)]
    pub transaction_id: Option<String>,
    /// The target account.
    #[serde(default)]
    pub target_account: TargetAccountDetails,
}

impl TargetAccountDetails {
    /// The account number proper, whichever kind the account is (`address`, `account`, `iban`,
    /// `nuban`, `accountNumber`).
    pub fn number(&self) -> Option<&AccountNumber> {
        self.address
            .as_ref()
            .or(self.account.as_ref())
            .or(self.iban.as_ref())
            .or(self.nuban.as_ref())
            .or(self.account_number.as_ref())
    }
}

impl Withdrawal {
    /// The commit request for this quote, pinned to its terms ([`CommitWithdrawal::for_quote`]).
    pub fn commit(&self) -> CommitWithdrawal {
        CommitWithdrawal::for_quote(self)
    }
}

#[derive(Deserialize)]
struct WithdrawalEnvelope {
    withdrawal: Withdrawal,
}

impl Endpoint for CreateWithdrawal {
    type Output = Withdrawal;
    type Context = ();
    const INFO: EndpointInfo = info!("coinqvest.withdrawal.create", POST, "/withdrawal", Safe);

    fn build_request(&self, _: &()) -> Result<http::Request<Bytes>, Error> {
        self.check()?;
        let body = CreateWithdrawalBody {
            source_asset: &self.source_asset,
            source_amount: &self.source_amount,
            target_network: self.target_account.network(),
            target_asset: self.target_asset.as_deref(),
            target_account: &self.target_account,
            relay: self.relay.as_deref(),
        };
        wire::with_json(&Self::INFO, &body)
    }

    fn parse_response(&self, response: &http::Response<Bytes>) -> Result<Withdrawal, Error> {
        error::decode::<WithdrawalEnvelope>(response).map(|e| e.withdrawal)
    }
}

/// `POST /withdrawal/commit`: commits a quote. **This moves the money.**
///
/// Retry class `RecoverByLookup`: never re-sent after an unknown outcome. It implements
/// [`Recoverable`]: the withdrawal is read with `GET /withdrawal` ([`GetWithdrawal`]) and judged:
///
/// | the withdrawal read | verdict |
/// |---|---|
/// | another id, or (for a commit pinned to its quote) another `sourceAmount`, `sourceAssetIssuer`, `targetAmount` or target account | conflict |
/// | `PROCESSING`, `COMPLETED` | committed (adopt it) |
/// | `FAILED` | committed, then failed (adopt it: its state says the money came back) |
/// | `PENDING_API_COMMIT` | not committed (yet: conclusive only after the settle window) |
/// | a state this version does not know | in doubt: look again later |
///
/// A refusal of the commit (any 4xx but 401, 403 and 429) is read before anything is reported:
/// COINQVEST refuses a commit of a withdrawal that is already committed ("Withdrawal is COMPLETED
/// and cannot be committed"), and its messages are not a contract.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CommitWithdrawal {
    /// The id from `POST /withdrawal`.
    pub withdrawal_id: String,
    /// The quote's terms the commit expects (all unknown by default): a withdrawal read under the
    /// id must show every one that is set.
    #[serde(skip)]
    pub terms: QuoteTerms,
}

/// What a quote guaranteed, as a commit expects to find it. `None` is not compared.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct QuoteTerms {
    /// The asset debited (`sourceAssetIssuer`).
    pub source_asset_issuer: Option<String>,
    /// The amount debited.
    pub source_amount: Option<Amount>,
    /// The guaranteed amount received.
    pub target_amount: Option<Amount>,
    /// The target account number.
    pub target_account: Option<AccountNumber>,
}

impl CommitWithdrawal {
    /// Commits withdrawal `withdrawal_id` (its terms unknown: only the id is compared; see
    /// [`CommitWithdrawal::expecting`]).
    pub fn new(withdrawal_id: impl Into<String>) -> Self {
        Self {
            withdrawal_id: withdrawal_id.into(),
            terms: QuoteTerms::default(),
        }
    }

    /// Commits `quote`, pinned to its terms: a withdrawal read back under its id with another
    /// amount, asset or target account is a conflict, never adopted.
    pub fn for_quote(quote: &Withdrawal) -> Self {
        Self::new(quote.id.clone()).expecting(QuoteTerms {
            source_asset_issuer: Some(quote.source_asset_issuer.clone()),
            source_amount: Some(quote.source_amount),
            target_amount: Some(quote.target_amount),
            target_account: quote
                .target_account
                .number()
                .and_then(|n| AccountNumber::new(n.expose()).ok()),
        })
    }

    /// The same commit, expecting `terms` of the withdrawal it commits.
    #[must_use]
    pub fn expecting(mut self, terms: QuoteTerms) -> Self {
        self.terms = terms;
        self
    }
}

impl Recoverable for CommitWithdrawal {
    type Payout = Withdrawal;
    type Lookup = GetWithdrawal;
    const ACTION: Action = Action::Commit;

    /// The withdrawal id; with the quote's terms, `sourceAmount`, `sourceAssetIssuer`,
    /// `targetAmount` and `targetAccount`.
    fn intent(&self) -> Intent {
        let t = &self.terms;
        Intent::new(Self::INFO.name, &self.withdrawal_id)
            .optional_field("sourceAmount", t.source_amount.map(FieldValue::Amount))
            .optional_field(
                "sourceAssetIssuer",
                t.source_asset_issuer.clone().map(FieldValue::Text),
            )
            .optional_field("targetAmount", t.target_amount.map(FieldValue::Amount))
            .optional_field(
                "targetAccount",
                t.target_account.clone().map(FieldValue::Account),
            )
    }

    fn lookup(&self) -> GetWithdrawal {
        GetWithdrawal::new(self.withdrawal_id.clone())
    }

    /// `GET /withdrawal` answers 404 for an id it does not know.
    fn lookup_refusal_is_not_found(refusal: &ProviderError) -> bool {
        refusal.status == StatusCode::NOT_FOUND
    }

    /// 401/403: not authenticated, nothing done (the client re-syncs its clock once before);
    /// 429: throttled; any other refusal: read the withdrawal first.
    fn classify_refusal(refusal: &ProviderError) -> RefusalClass {
        match refusal.status {
            StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => RefusalClass::Definitive,
            StatusCode::TOO_MANY_REQUESTS => RefusalClass::Throttled,
            _ => RefusalClass::LookFirst,
        }
    }
}

impl PayoutRecord for Withdrawal {
    fn judge(&self, intent: &Intent) -> Verdict {
        let observed = Observed::with_id(&self.id)
            .field("sourceAmount", Some(FieldValue::Amount(self.source_amount)))
            .field(
                "sourceAssetIssuer",
                Some(FieldValue::text(self.source_asset_issuer.clone())),
            )
            .field("targetAmount", Some(FieldValue::Amount(self.target_amount)))
            .field(
                "targetAccount",
                self.target_account
                    .number()
                    .and_then(|n| AccountNumber::new(n.expose()).ok())
                    .map(FieldValue::Account),
            );
        match intent.judge(&observed) {
            Verdict::Same => match &self.state {
                WithdrawalState::Processing
                | WithdrawalState::Completed
                | WithdrawalState::Failed => Verdict::Same,
                WithdrawalState::PendingApiCommit => Verdict::Absent,
                WithdrawalState::Unknown(state) => Verdict::InDoubt {
                    reason: format!("state {}", pay_core::text::Untrusted::new(state)),
                },
            },
            other => other,
        }
    }

    fn summarize(&self) -> String {
        format!(
            "withdrawal {} {}, source {} {}, target {} {}",
            self.id,
            self.state,
            self.source_amount,
            self.source_asset_code,
            self.target_amount,
            self.target_asset_code
        )
    }
}

impl Endpoint for CommitWithdrawal {
    type Output = Withdrawal;
    type Context = ();
    const INFO: EndpointInfo = info!(
        "coinqvest.withdrawal.commit",
        POST, "/withdrawal/commit", RecoverByLookup
    );

    fn build_request(&self, _: &()) -> Result<http::Request<Bytes>, Error> {
        wire::require("withdrawalId", &self.withdrawal_id)?;
        wire::with_json(&Self::INFO, self)
    }

    fn parse_response(&self, response: &http::Response<Bytes>) -> Result<Withdrawal, Error> {
        error::decode::<WithdrawalEnvelope>(response).map(|e| e.withdrawal)
    }
}

get_endpoint!(
    /// `GET /withdrawal?id=…`: one withdrawal.
    GetWithdrawal, id, "id", Withdrawal, WithdrawalReadEnvelope, "withdrawal",
    "coinqvest.withdrawal.get", "/withdrawal"
);

crate::pagination::paginated_list! {
    /// `GET /withdrawals?limit=…&offset=…`: a page of withdrawals, newest first.
    request: ListWithdrawals,
    output: WithdrawalList { withdrawals: Vec<Withdrawal> },
    noun: "withdrawals",
    info: ("coinqvest.withdrawals.list", "/withdrawals"),
}
