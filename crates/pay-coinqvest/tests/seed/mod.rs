//! The seed's example answers (`../shared/seeds/003_141c3876a44ac206.txt`), copied byte for byte.

/// POST checkout: Success Response application/json.
pub const CHECKOUT_CREATE: &str = r#"{
   "id":"6d55626309d6",
   "paymentMethods":[
      {
         "assetCode":"XLM",
         "blockchain":"Stellar Network",
         "paymentAmount":"165.7007861"
      },
      {
         "assetCode":"BTC",
         "blockchain":"Bitcoin",
         "paymentAmount":"0.0011102"
      },
      {
         "assetCode":"ETH",
         "blockchain":"Ethereum",
         "paymentAmount":"0.0440141"
      },
      {
         "assetCode":"LTC",
         "blockchain":"Litecoin",
         "paymentAmount":"0.1537514"
      },
      {
         "assetCode":"XRP",
         "blockchain":"XRP Ledger",
         "paymentAmount":"42.282669"
      }
   ]
}"#;

/// POST checkout/commit: Example Success Response for ETH application/json.
pub const CHECKOUT_COMMIT_ETH: &str = r#"{
   "depositInstructions":{
      "blockchain":"Ethereum",
      "assetCode":"ETH",
      "amount":"0.0056804",
      "address":"0xc85eBb197c8212C09B7d0905C3ce9e3fCe324F0B",
      "memo":null,
      "memoType":null,
      "destinationTag":null
   },
   "expirationTime":"2020-02-26T18:49:33+00:00",
   "checkoutId":"29d030183ce9"
}"#;

/// POST checkout/commit: Example Success Response for XLM application/json.
pub const CHECKOUT_COMMIT_XLM: &str = r#"{
   "depositInstructions":{
      "blockchain":"Stellar Network",
      "assetCode":"XLM",
      "amount":"17.8639906",
      "address":"GASKYWPPQ2VSO6KNIPIRVXMSSDGZLYZQ67CDTLVXOXYDG26SPZ66EDCQ",
      "memo":"snowy-hills",
      "memoType":"text",
      "destinationTag":null
   },
   "expirationTime":"2020-02-26T18:48:58+00:00",
   "checkoutId":"d95114c52bca"
}"#;

/// POST checkout/commit: Example Success Response for XRP application/json.
pub const CHECKOUT_COMMIT_XRP: &str = r#"{
   "depositInstructions":{
      "blockchain":"XRP Ledger",
      "assetCode":"XRP",
      "amount":"4.535824",
      "address":"rJY2W6QRaqbcmnYdzG3qdK1kYz5Ww6tXVk",
      "memo":null,
      "memoType":null,
      "destinationTag":"15918"
   },
   "expirationTime":"2020-02-26T18:48:30+00:00",
   "checkoutId":"1ff5df8ed792"
}"#;

/// POST checkout/hosted: Success Response application/json.
pub const CHECKOUT_HOSTED: &str = r#"{
    "id":"b5bcf27e5482",
    "url":"https:\/\/www.coinqvest.com\/en\/checkout?id=b5bcf27e5482"
}"#;

/// GET checkout: Success Response application/json.
pub const CHECKOUT_GET: &str = r#"{
   "checkout":{
      "id":"82098fd51fcc",
      "timestamp":"2020-03-02T19:36:33+00:00",
      "state":"COMPLETED",
      "hostedCheckoutUrl":null,
      "payments":[
         {
            "id":"06aadf4b25ac",
            "type":"PAYMENT",
            "state":"RESOLVED",
            "timestamp":"2020-03-02T21:37:10+02:00",
            "creditAssetCode":"USD",
            "creditAssetIssuer":"USD:GDUKMGUGDZQK6YHYA5Z6AY2G4XDSZPSZ3SW5UN3ARVMO6QSRDWP5YLEX",
            "creditAmount":"10.0000000",
            "sourceAssetCode":"XLM",
            "sourceAssetIssuer":"XLM:NATIVE",
            "sourceAmount":"170.1372000",
            "sourceBlockchain":"XLM",
            "sourceAccount":"GASKYWPPQ2VSO6KNIPIRVXMSSDGZLYZQ67CDTLVXOXYDG26SPZ66EDCQ",
            "sourceTxId":"1424f2e6d98c9a49b52baeaac5906a4d9e1cf5071d7cb558331ec23b5238258c",
            "customerId":"1acf0d0b10bd",
            "checkoutId":"82098fd51fcc"
         }
      ],
      "payload":{
         "charge":{
            "currency":"USD:GDUKMGUGDZQK6YHYA5Z6AY2G4XDSZPSZ3SW5UN3ARVMO6QSRDWP5YLEX",
            "customerId":"1acf0d0b10bd",
            "lineItems":[
               {
                  "description":"T-Shirt",
                  "netAmount":10
               }
            ]
         },
         "settlementCurrency":"USD"
      }
   }
}"#;

/// GET checkouts: Success Response application/json.
pub const CHECKOUTS_LIST: &str = r#"{
   "count":67,
   "limit":"2",
   "offset":0,
   "checkouts":[
      {
         "id":"82098fd51fcc",
         "timestamp":"2020-03-02T19:36:33+00:00",
         "state":"COMPLETED",
         "hostedCheckoutUrl":null,
         "payments":[
            {
               "id":"06aadf4b25ac",
               "type":"PAYMENT",
               "state":"RESOLVED",
               "timestamp":"2020-03-02T21:37:10+02:00",
               "creditAssetCode":"USD",
               "creditAssetIssuer":"USD:GDUKMGUGDZQK6YHYA5Z6AY2G4XDSZPSZ3SW5UN3ARVMO6QSRDWP5YLEX",
               "creditAmount":"0.0100000",
               "sourceAssetCode":"XLM",
               "sourceAssetIssuer":"XLM:NATIVE",
               "sourceAmount":"0.1701372",
               "sourceBlockchain":"XLM",
               "sourceAccount":"GASKYWPPQ2VSO6KNIPIRVXMSSDGZLYZQ67CDTLVXOXYDG26SPZ66EDCQ",
               "sourceTxId":"1424f2e6d98c9a49b52baeaac5906a4d9e1cf5071d7cb558331ec23b5238258c",
               "customerId":"1acf0d0b10bd",
               "checkoutId":"82098fd51fcc"
            }
         ],
         "payload":{
            "charge":{
               "currency":"USD:GDUKMGUGDZQK6YHYA5Z6AY2G4XDSZPSZ3SW5UN3ARVMO6QSRDWP5YLEX",
               "customerId":"1acf0d0b10bd",
               "lineItems":[
                  {
                     "description":"Sticker",
                     "netAmount":0.01
                  }
               ]
            },
            "settlementCurrency":"USD"
         }
      },
      {
         "id":"e506f9a487dc",
         "timestamp":"2020-03-02T19:49:56+00:00",
         "state":"EXPIRED",
         "hostedCheckoutUrl":null,
         "payments":[

         ],
         "payload":{
            "charge":{
               "currency":"USD:GDUKMGUGDZQK6YHYA5Z6AY2G4XDSZPSZ3SW5UN3ARVMO6QSRDWP5YLEX",
               "customerId":"1acf0d0b10bd",
               "lineItems":[
                  {
                     "description":"Sticker",
                     "netAmount":0.01
                  }
               ]
            },
            "settlementCurrency":"USD"
         }
      }
   ]
}"#;

/// GET payment: Success Response application/json.
pub const PAYMENT_GET: &str = r#"{
   "payment":{
      "id":"0bb9f9aa929f",
      "type":"PAYMENT",
      "state":"RESOLVED",
      "timestamp":"2020-03-01T13:33:51+02:00",
      "creditAssetCode":"USD",
      "creditAssetIssuer":"USD:GDUKMGUGDZQK6YHYA5Z6AY2G4XDSZPSZ3SW5UN3ARVMO6QSRDWP5YLEX",
      "creditAmount":"1.0000000",
      "sourceAssetCode":"XRP",
      "sourceAssetIssuer":"XRP:GBVOL67TMUQBGL4TZYNMY3ZQ5WGQYFPFD5VJRWXR72VA33VFNL225PL5",
      "sourceAmount":"4.4292550",
      "sourceBlockchain":"XRP",
      "sourceAccount":"rEfqXNqQoyVVgkcF51NQNGWst96KJFZQf2",
      "sourceTxId":"49A5EB13E1900BF800BF402B8D46FAF94315CA54D63050A7741BB55544772642",
      "customerId":"1acf0d0b10bd",
      "checkoutId":"2b2813372e89"
   }
}"#;

/// GET payments: Success Response application/json.
pub const PAYMENTS_LIST: &str = r#"{
   "count":2,
   "limit":250,
   "offset":0,
   "payments":[
      {
         "id":"0bb9f9aa929f",
         "type":"PAYMENT",
         "state":"RESOLVED",
         "timestamp":"2020-03-01T13:33:51+02:00",
         "creditAssetCode":"USD",
         "creditAssetIssuer":"USD:GDUKMGUGDZQK6YHYA5Z6AY2G4XDSZPSZ3SW5UN3ARVMO6QSRDWP5YLEX",
         "creditAmount":"1.0000000",
         "sourceAssetCode":"XRP",
         "sourceAssetIssuer":"XRP:GBVOL67TMUQBGL4TZYNMY3ZQ5WGQYFPFD5VJRWXR72VA33VFNL225PL5",
         "sourceAmount":"4.4292550",
         "sourceBlockchain":"XRP",
         "sourceAccount":"rEfqXNqQoyVVgkcF51NQNGWst96KJFZQf2",
         "sourceTxId":"49A5EB13E1900BF800BF402B8D46FAF94315CA54D63050A7741BB55544772642",
         "customerId":"1acf0d0b10bd",
         "checkoutId":"2b2813372e89"
      },
      {
         "id":"9de6b7b383a3",
         "type":"PAYMENT",
         "timestamp":"2020-03-01T16:16:51+02:00",
         "creditAssetCode":"USD",
         "creditAssetIssuer":"USD:GDUKMGUGDZQK6YHYA5Z6AY2G4XDSZPSZ3SW5UN3ARVMO6QSRDWP5YLEX",
         "creditAmount":"1.0000000",
         "sourceAssetCode":"XLM",
         "sourceAssetIssuer":"XLM:NATIVE",
         "sourceAmount":"17.7043058",
         "sourceBlockchain":"XLM",
         "sourceAccount":"GASKYWPPQ2VSO6KNIPIRVXMSSDGZLYZQ67CDTLVXOXYDG26SPZ66EDCQ",
         "sourceTxId":"21c604fc094f7f017138ddbee2215d7f7d993c4f77de2a0e887dc107da9915b7",
         "customerId":null,
         "checkoutId":"ba34d3ccda14"
      }
   ]
}"#;

/// GET wallets: Success Response application/json.
pub const WALLETS_LIST: &str = r#"{
   "wallets":[
      {
         "assetCode":"XLM",
         "type":"CRYPTO",
         "balance":950,
         "assets":[
            {
               "id":"XLM:NATIVE",
               "issuerName":"Stellar Development Foundation (SDF)",
               "issuerDomain":"stellar.org",
               "balance":950,
               "path":"\/api\/v1\/asset?id=XLM:NATIVE"
            }
         ]
      },
      {
         "assetCode":"BTC",
         "type":"CRYPTO",
         "balance":0,
         "assets":[

         ]
      },
      {
         "assetCode":"ETH",
         "type":"CRYPTO",
         "balance":0,
         "assets":[

         ]
      },
      {
         "assetCode":"LTC",
         "type":"CRYPTO",
         "balance":0,
         "assets":[

         ]
      },
      {
         "assetCode":"XRP",
         "type":"CRYPTO",
         "balance":562.9698492,
         "assets":[
            {
               "id":"XRP:GBVOL67TMUQBGL4TZYNMY3ZQ5WGQYFPFD5VJRWXR72VA33VFNL225PL5",
               "issuerName":"Stellarport",
               "issuerDomain":"stellarport.io",
               "balance":562.9698492,
               "path":"\/api\/v1\/asset?id=XRP:GBVOL67TMUQBGL4TZYNMY3ZQ5WGQYFPFD5VJRWXR72VA33VFNL225PL5"
            }
         ]
      },
      {
         "assetCode":"EUR",
         "type":"FIAT",
         "balance":0,
         "assets":[

         ]
      },
      {
         "assetCode":"NGN",
         "type":"FIAT",
         "balance":3938.25,
         "assets":[
            {
               "id":"NGNT:GAWODAROMJ33V5YDFY3NPYTHVYQG7MJXVJ2ND3AOGIHYRWINES6ACCPD",
               "issuerName":"Cowrie",
               "issuerDomain":"cowrie.exchange",
               "balance":3938.25,
               "path":"\/api\/v1\/asset?id=NGNT:GAWODAROMJ33V5YDFY3NPYTHVYQG7MJXVJ2ND3AOGIHYRWINES6ACCPD"
            }
         ]
      },
      {
         "assetCode":"USD",
         "type":"FIAT",
         "balance":10.835825,
         "assets":[
            {
               "id":"USD:GDUKMGUGDZQK6YHYA5Z6AY2G4XDSZPSZ3SW5UN3ARVMO6QSRDWP5YLEX",
               "issuerName":"AnchorUSD",
               "issuerDomain":"anchorusd.com",
               "balance":10.835825,
               "path":"\/api\/v1\/asset?id=USD:GDUKMGUGDZQK6YHYA5Z6AY2G4XDSZPSZ3SW5UN3ARVMO6QSRDWP5YLEX"
            }
         ]
      }
   ]
}"#;

/// GET wallet: Success Response application/json.
pub const WALLET_GET: &str = r#"{
   "wallet":{
      "assetCode":"USD",
      "type":"FIAT",
      "balance":10.835825,
      "assets":[
         {
            "id":"USD:GDUKMGUGDZQK6YHYA5Z6AY2G4XDSZPSZ3SW5UN3ARVMO6QSRDWP5YLEX",
            "issuerName":"AnchorUSD",
            "issuerDomain":"anchorusd.com",
            "balance":10.835825,
            "path":"\/api\/v1\/asset?id=USD:GDUKMGUGDZQK6YHYA5Z6AY2G4XDSZPSZ3SW5UN3ARVMO6QSRDWP5YLEX"
         }
      ]
   }
}"#;

/// POST withdrawal: Success Response application/json.
pub const WITHDRAWAL_CREATE: &str = r#"{
   "withdrawal":{
      "id":"12d72c3c8145",
      "type":"WITHDRAWAL",
      "state":"PENDING_API_COMMIT",
      "origin":"UI",
      "timestamp":"2020-03-04T19:54:47+02:00",
      "sourceAssetCode":"USD",
      "sourceAssetIssuer":"USD:GDUKMGUGDZQK6YHYA5Z6AY2G4XDSZPSZ3SW5UN3ARVMO6QSRDWP5YLEX",
      "sourceAmount":"142.3156600",
      "targetAssetCode":"NGNT",
      "targetAssetIssuer":"NGNT:GAWODAROMJ33V5YDFY3NPYTHVYQG7MJXVJ2ND3AOGIHYRWINES6ACCPD",
      "targetAmount":"30727.1358200",
      "withdrawalFee":"200.0000000",
      "targetBlockchain":null,
      "targetFiatCurrency":"NGN",
      "transactionId":null,
      "targetAccount":{
         "nuban":"3080494548",
         "bankName":"FirstBank"
      }
   }
}"#;

/// POST withdrawal/commit: Success Response application/json.
pub const WITHDRAWAL_COMMIT: &str = r#"{
   "withdrawal":{
      "id":"12d72c3c8145",
      "type":"WITHDRAWAL",
      "state":"COMPLETED",
      "origin":"UI",
      "timestamp":"2020-03-04T19:54:47+02:00",
      "sourceAssetCode":"USD",
      "sourceAssetIssuer":"USD:GDUKMGUGDZQK6YHYA5Z6AY2G4XDSZPSZ3SW5UN3ARVMO6QSRDWP5YLEX",
      "sourceAmount":"142.3156600",
      "targetAssetCode":"NGNT",
      "targetAssetIssuer":"NGNT:GAWODAROMJ33V5YDFY3NPYTHVYQG7MJXVJ2ND3AOGIHYRWINES6ACCPD",
      "targetAmount":"30727.1358200",
      "withdrawalFee":"200.0000000",
      "targetBlockchain":null,
      "targetFiatCurrency":"NGN",
      "transactionId":"62070ddf01d98e4cb3dc25e5052810259013df28a9e551d948fa2e1b1757de09",
      "targetAccount":{
         "nuban":"3080494548",
         "bankName":"FirstBank"
      }
   }
}"#;

/// GET withdrawal: Success Response application/json.
pub const WITHDRAWAL_GET: &str = r#"{
   "withdrawal":{
      "id":"12d72c3c8145",
      "type":"WITHDRAWAL",
      "state":"COMPLETED",
      "origin":"UI",
      "timestamp":"2020-03-04T19:54:47+02:00",
      "sourceAssetCode":"USD",
      "sourceAssetIssuer":"USD:GDUKMGUGDZQK6YHYA5Z6AY2G4XDSZPSZ3SW5UN3ARVMO6QSRDWP5YLEX",
      "sourceAmount":"142.3156600",
      "targetAssetCode":"NGNT",
      "targetAssetIssuer":"NGNT:GAWODAROMJ33V5YDFY3NPYTHVYQG7MJXVJ2ND3AOGIHYRWINES6ACCPD",
      "targetAmount":"30727.1358200",
      "withdrawalFee":"200.0000000",
      "targetBlockchain":null,
      "targetFiatCurrency":"NGN",
      "transactionId":"62070ddf01d98e4cb3dc25e5052810259013df28a9e551d948fa2e1b1757de09",
      "targetAccount":{
         "nuban":"3080494548",
         "bankName":"FirstBank"
      }
   }
}"#;

/// GET withdrawals: Success Response application/json.
pub const WITHDRAWALS_LIST: &str = r#"{
   "count":2,
   "limit":"10",
   "offset":0,
   "withdrawals":[
      {
         "id":"b35c97c377f9",
         "type":"WITHDRAWAL",
         "state":"COMPLETED",
         "origin":"UI",
         "timestamp":"2020-03-04T17:22:39+02:00",
         "sourceAssetCode":"XLM",
         "sourceAssetIssuer":"XLM:NATIVE",
         "sourceAmount":"0.1765850",
         "targetAssetCode":"XLM",
         "targetAssetIssuer":"XLM:NATIVE",
         "targetAmount":"0.1765850",
         "withdrawalFee":"0",
         "targetBlockchainId":"XLM",
         "targetFiatCurrencyId":null,
         "transactionId":"b7bb615cabf971d1e00256ae87249333e4deb9ef1ad5dad80ee2af0ea21d050b",
         "targetAccount":{
            "account":"GDONUHZKLSYLDOZWR2TDW25GFXOBWCCKTPK34DLUVSOMFHLGURX6FNU6",
            "memo":"EXODUS",
            "memoType":"text"
         }
      },
      {
         "id":"12d72c3c8145",
         "type":"WITHDRAWAL",
         "state":"COMPLETED",
         "origin":"UI",
         "timestamp":"2020-03-04T19:54:47+02:00",
         "sourceAssetCode":"USD",
         "sourceAssetIssuer":"USD:GDUKMGUGDZQK6YHYA5Z6AY2G4XDSZPSZ3SW5UN3ARVMO6QSRDWP5YLEX",
         "sourceAmount":"1.4231566",
         "targetAssetCode":"NGNT",
         "targetAssetIssuer":"NGNT:GAWODAROMJ33V5YDFY3NPYTHVYQG7MJXVJ2ND3AOGIHYRWINES6ACCPD",
         "targetAmount":"315.0909904",
         "withdrawalFee":"200.0000000",
         "targetBlockchainId":null,
         "targetFiatCurrencyId":"NGN",
         "transactionId":"62070ddf01d98e4cb3dc25e5052810259013df28a9e551d948fa2e1b1757de09",
         "targetAccount":{
            "nuban":"3080494548",
            "bankName":"FirstBank"
         }
      }
   ]
}"#;

/// GET asset-issuers: Success Response application/json.
pub const ASSET_ISSUERS_LIST: &str = r#"{
   "assetIssuers":[
      {
         "id":"BTC:GBVOL67TMUQBGL4TZYNMY3ZQ5WGQYFPFD5VJRWXR72VA33VFNL225PL5",
         "name":"Stellarport",
         "domain":"stellarport.io",
         "address":"StellarPort LLC, Chicago, IL, United States",
         "country":"US",
         "type":"CRYPTO",
         "checkouts":{
            "enabled":true,
            "min":"0.0002000",
            "max":null,
            "feeFixed":"0.0000000",
            "feePercent":"0.0000000"
         },
         "withdrawals":{
            "enabled":true,
            "min":"0.0050000",
            "max":null,
            "feeFixed":"0.0005000",
            "feePercent":"0.0050000"
         },
         "asset":{
            "id":"BTC:GBVOL67TMUQBGL4TZYNMY3ZQ5WGQYFPFD5VJRWXR72VA33VFNL225PL5",
            "name":"Bitcoin",
            "path":"\/api\/v1\/asset?id=BTC:GBVOL67TMUQBGL4TZYNMY3ZQ5WGQYFPFD5VJRWXR72VA33VFNL225PL5"
         },
         "blockchain":{
            "nativeAssetCode":"BTC",
            "name":"Bitcoin",
            "path":"\/api\/v1\/blockchain?assetCode=BTC"
         },
         "fiatCurrency":null
      },
      {
         "id":"USD:GDUKMGUGDZQK6YHYA5Z6AY2G4XDSZPSZ3SW5UN3ARVMO6QSRDWP5YLEX",
         "name":"AnchorUSD",
         "domain":"anchorusd.com",
         "address":"AnchorCoin LLC, CA, United States",
         "country":"US",
         "type":"FIAT",
         "checkouts":{
            "enabled":false,
            "min":"5.0000000",
            "max":null,
            "feeFixed":"5.0000000",
            "feePercent":"0.0100000"
         },
         "withdrawals":{
            "enabled":true,
            "min":"15.0000000",
            "max":null,
            "feeFixed":"5.0000000",
            "feePercent":"0.0200000"
         },
         "asset":{
            "id":"USD:GDUKMGUGDZQK6YHYA5Z6AY2G4XDSZPSZ3SW5UN3ARVMO6QSRDWP5YLEX",
            "name":"US Dollar",
            "path":"\/api\/v1\/asset?id=USD:GDUKMGUGDZQK6YHYA5Z6AY2G4XDSZPSZ3SW5UN3ARVMO6QSRDWP5YLEX"
         },
         "blockchain":null,
         "fiatCurrency":{
            "assetCode":"USD",
            "name":"US Dollar",
            "path":"\/api\/v1\/fiat-currency?assetCode=USD"
         }
      }
   ]
}"#;

/// GET asset-issuer: Success Response application/json.
pub const ASSET_ISSUER_GET: &str = r#"{
      "assetIssuer":{
         "id":"EURT:GAP5LETOV6YIE62YAM56STDANPRDO7ZFDBGSNHJQIYGGKSMOZAHOOS2S",
         "name":"Tempo",
         "domain":"tempo.eu.com",
         "address":"TEMPO France S.A.S., 89, Boulevard de Magenta, 75010 Paris, France",
         "country":"FR",
         "type":"FIAT",
         "checkouts":{
            "enabled":false,
            "min":"0.0000000",
            "max":null,
            "feeFixed":"0.0000000",
            "feePercent":"0.0000000"
         },
         "withdrawals":{
            "enabled":true,
            "min":"10.0000000",
            "max":null,
            "feeFixed":"1.9800000",
            "feePercent":"0.0000000"
         },
         "asset":{
            "id":"EURT:GAP5LETOV6YIE62YAM56STDANPRDO7ZFDBGSNHJQIYGGKSMOZAHOOS2S",
            "name":"Euro",
            "path":"\/api\/v1\/asset?id=EURT:GAP5LETOV6YIE62YAM56STDANPRDO7ZFDBGSNHJQIYGGKSMOZAHOOS2S"
         },
         "blockchain":null,
         "fiatCurrency":{
            "assetCode":"EUR",
            "name":"Euro",
            "path":"\/api\/v1\/fiat-currency?assetCode=EUR"
         }
      }
}"#;

/// GET assets: Success Response application/json.
pub const ASSETS_LIST: &str = r#"{
   "assets":[
      {
         "id":"XLM:NATIVE",
         "code":"XLM",
         "name":"Lumens",
         "type":"CRYPTO",
         "issuer":{
            "id":"XLM:NATIVE",
            "name":"Stellar Development Foundation (SDF)",
            "path":"\/api\/v1\/asset-issuer?id=XLM:NATIVE"
         }
      },
      {
         "id":"USD:GDUKMGUGDZQK6YHYA5Z6AY2G4XDSZPSZ3SW5UN3ARVMO6QSRDWP5YLEX",
         "code":"USD",
         "name":"US Dollar",
         "type":"FIAT",
         "issuer":{
            "id":"USD:GDUKMGUGDZQK6YHYA5Z6AY2G4XDSZPSZ3SW5UN3ARVMO6QSRDWP5YLEX",
            "name":"AnchorUSD",
            "path":"\/api\/v1\/asset-issuer?id=USD:GDUKMGUGDZQK6YHYA5Z6AY2G4XDSZPSZ3SW5UN3ARVMO6QSRDWP5YLEX"
         }
      },
      {
         "id":"XRP:GBVOL67TMUQBGL4TZYNMY3ZQ5WGQYFPFD5VJRWXR72VA33VFNL225PL5",
         "code":"XRP",
         "name":"Ripple",
         "type":"CRYPTO",
         "issuer":{
            "id":"XRP:GBVOL67TMUQBGL4TZYNMY3ZQ5WGQYFPFD5VJRWXR72VA33VFNL225PL5",
            "name":"Stellarport",
            "path":"\/api\/v1\/asset-issuer?id=XRP:GBVOL67TMUQBGL4TZYNMY3ZQ5WGQYFPFD5VJRWXR72VA33VFNL225PL5"
         }
      }
   ]
}"#;

/// GET asset: Success Response application/json.
pub const ASSET_GET: &str = r#"{
   "asset":{
      "id":"ETH:GBETHKBL5TCUTQ3JPDIYOZ5RDARTMHMEKIO2QZQ7IOZ4YC5XV3C2IKYU",
      "code":"ETH",
      "name":"Ether",
      "type":"CRYPTO",
      "issuer":{
         "id":"ETH:GBETHKBL5TCUTQ3JPDIYOZ5RDARTMHMEKIO2QZQ7IOZ4YC5XV3C2IKYU",
         "name":"Firefly",
         "path":"\/api\/v1\/asset-issuer?id=ETH:GBETHKBL5TCUTQ3JPDIYOZ5RDARTMHMEKIO2QZQ7IOZ4YC5XV3C2IKYU"
      }
   }
}"#;

/// GET fiat-currencies: Success Response application/json.
pub const FIAT_CURRENCIES_LIST: &str = r#"{
   "fiatCurrencies":[
      {
         "name":"US Dollar",
         "assetCode":"USD",
         "assetName":"US Dollar",
         "minChargeAmount":"0.01",
         "assetIssuers":[
            {
               "id":"USD:GDUKMGUGDZQK6YHYA5Z6AY2G4XDSZPSZ3SW5UN3ARVMO6QSRDWP5YLEX",
               "path":"\/api\/v1\/asset-issuer?id=USD:GDUKMGUGDZQK6YHYA5Z6AY2G4XDSZPSZ3SW5UN3ARVMO6QSRDWP5YLEX",
               "name":"AnchorUSD",
               "default":true
            }
         ]
      }
   ]
}"#;

/// GET fiat-currency: Success Response application/json.
pub const FIAT_CURRENCY_GET: &str = r#"{
   "fiatCurrency":[
      {
         "name":"US Dollar",
         "assetCode":"USD",
         "assetName":"US Dollar",
         "minChargeAmount":"0.01",
         "assetIssuers":[
            {
               "id":"USD:GDUKMGUGDZQK6YHYA5Z6AY2G4XDSZPSZ3SW5UN3ARVMO6QSRDWP5YLEX",
               "path":"\/api\/v1\/asset-issuer?id=USD:GDUKMGUGDZQK6YHYA5Z6AY2G4XDSZPSZ3SW5UN3ARVMO6QSRDWP5YLEX",
               "name":"AnchorUSD",
               "default":true
            }
         ]
      }
   ]
}"#;

/// GET blockchains: Success Response application/json.
pub const BLOCKCHAINS_LIST: &str = r#"{
   "blockchains":[
      {
         "name":"Stellar Network",
         "nativeAssetCode":"XLM",
         "nativeAssetName":"Lumens",
         "minChargeAmount":"0.0001",
         "assetIssuers":[
            {
               "id":"XLM:NATIVE",
               "path":"\/api\/v1\/asset-issuer?id=XLM:NATIVE",
               "name":"Stellar Development Foundation (SDF)",
               "default":true
            }
         ]
      },
      {
         "name":"Ethereum",
         "nativeAssetCode":"ETH",
         "nativeAssetName":"Ether",
         "minChargeAmount":"0.05",
         "assetIssuers":[
            {
               "id":"ETH:GBETHKBL5TCUTQ3JPDIYOZ5RDARTMHMEKIO2QZQ7IOZ4YC5XV3C2IKYU",
               "path":"\/api\/v1\/asset-issuer?id=ETH:GBETHKBL5TCUTQ3JPDIYOZ5RDARTMHMEKIO2QZQ7IOZ4YC5XV3C2IKYU",
               "name":"Firefly",
               "default":false
            },
            {
               "id":"ETH:GBDEVU63Y6NTHJQQZIKVTC23NWLQVP3WJ2RI2OTSJTNYOIGICST6DUXR",
               "path":"\/api\/v1\/asset-issuer?id=ETH:GBDEVU63Y6NTHJQQZIKVTC23NWLQVP3WJ2RI2OTSJTNYOIGICST6DUXR",
               "name":"Papaya",
               "default":false
            },
            {
               "id":"ETH:GBVOL67TMUQBGL4TZYNMY3ZQ5WGQYFPFD5VJRWXR72VA33VFNL225PL5",
               "path":"\/api\/v1\/asset-issuer?id=ETH:GBVOL67TMUQBGL4TZYNMY3ZQ5WGQYFPFD5VJRWXR72VA33VFNL225PL5",
               "name":"Stellarport",
               "default":true
            }
         ]
      }
   ]
}"#;

/// GET blockchain: Success Response application/json.
pub const BLOCKCHAIN_GET: &str = r#"{
   "blockchain":[
      {
         "name":"Bitcoin",
         "nativeAssetCode":"BTC",
         "nativeAssetName":"Bitcoin",
         "minChargeAmount":"0.005",
         "assetIssuers":[
            {
               "id":"BTC:GATEMHCCKCY67ZUCKTROYN24ZYT5GK4EQZ65JJLDHKHRUZI3EUEKMTCH",
               "path":"\/api\/v1\/asset-issuer?id=BTC:GATEMHCCKCY67ZUCKTROYN24ZYT5GK4EQZ65JJLDHKHRUZI3EUEKMTCH",
               "name":"NaoBTC",
               "default":false
            },
            {
               "id":"BTC:GAUTUYY2THLF7SGITDFMXJVYH3LHDSMGEAKSBU267M2K7A3W543CKUEF",
               "path":"\/api\/v1\/asset-issuer?id=BTC:GAUTUYY2THLF7SGITDFMXJVYH3LHDSMGEAKSBU267M2K7A3W543CKUEF",
               "name":"Papaya",
               "default":false
            },
            {
               "id":"BTC:GBVOL67TMUQBGL4TZYNMY3ZQ5WGQYFPFD5VJRWXR72VA33VFNL225PL5",
               "path":"\/api\/v1\/asset-issuer?id=BTC:GBVOL67TMUQBGL4TZYNMY3ZQ5WGQYFPFD5VJRWXR72VA33VFNL225PL5",
               "name":"Stellarport",
               "default":true
            }
         ]
      }
   ]
}"#;

/// GET ping: Success Response application/json.
pub const PING: &str = r#"{
    "success":true
}"#;

/// GET time: Success Response application/json.
pub const TIME: &str = r#"{
    "time":1525898643
}"#;

/// GET auth-test: Success Response application/json.
pub const AUTH_TEST: &str = r#"{
    "success":true
}"#;

/// GET customers: Success Response application/json.
pub const CUSTOMERS_LIST: &str = r#"{
   "count":1,
   "limit":"250",
   "offset":"0",
   "customers":[
      {
         "id":"fd4f47a50c7f",
         "email":"john@doe.com",
         "firstname":"John",
         "lastname":"Doe",
         "name":"John Doe",
         "company":"ACME Inc.",
         "adr1":"810 Beach St",
         "adr2":"Finance Dept",
         "zip":"CA 94133",
         "city":"San Francisco",
         "countrycode":"US",
         "country":"United States",
         "phonenumber":"+14156226819",
         "taxid":"US1234567890",
         "note":"Always pays on time. Never late.",
         "meta":{
            "reference":123
         },
         "inserttime":"2018-12-10T16:16:18+00:00",
         "updatetime":"2018-12-11T17:34:09+00:00",
         "invoiceable":true
      }
   ]
}"#;

/// POST customer: Success Response application/json.
pub const CUSTOMER_CREATE: &str = r#"{
    "customerId":"fd4f47a50c7f"
}"#;

/// GET customer: Success Response application/json.
pub const CUSTOMER_GET: &str = r#"{
   "customer":{
      "id":"fd4f47a50c7f",
      "email":"john@doe.com",
      "firstname":"John",
      "lastname":"Doe",
      "name":"John Doe",
      "company":"ACME Inc.",
      "adr1":"810 Beach St",
      "adr2":"Finance Dept",
      "zip":"CA 94133",
      "city":"San Francisco",
      "countrycode":"US",
      "country":"United States",
      "phonenumber":"+14156226819",
      "taxid":"US1234567890",
      "note":"Always pays on time. Never late.",
      "meta":{
         "reference":123
      },
      "inserttime":"2018-12-10T16:16:18+00:00",
      "updatetime":"2018-12-11T17:34:09+00:00",
      "invoiceable":true
   }
}"#;

/// PUT customer: Success Response application/json.
pub const CUSTOMER_UPDATE: &str = r#"{
    "success": true
}"#;

/// DELETE customer: Success Response application/json.
pub const CUSTOMER_DELETE: &str = r#"{
    "success":true
}"#;

/// WEBHOOK payment: Webhook Payload Body.
pub const WEBHOOK_PAYMENT: &str = r#"{
  "id": "cb69affabf53",
  "type": "PAYMENT",
  "state":"RESOLVED",
  "timestamp": "2020-03-02T16:04:50+02:00",
  "creditAssetCode": "USD",
  "creditAssetIssuer": "USD:GDUKMGUGDZQK6YHYA5Z6AY2G4XDSZPSZ3SW5UN3ARVMO6QSRDWP5YLEX",
  "creditAmount": "0.0100000",
  "sourceAssetCode": "XLM",
  "sourceAssetIssuer": "XLM:NATIVE",
  "sourceAmount": "0.1728238",
  "sourceBlockchain": "XLM",
  "sourceAccount": "GASKYWPPQ2VSO6KNIPIRVXMSSDGZLYZQ67CDTLVXOXYDG26SPZ66EDCQ",
  "sourceTxId": "0235acde7bb5c14536d534f816a69ccb66d4d4d95e8bbd5ca7b9c81c85790f7a",
  "customerId": "1acf0d0b10bd",
  "checkoutId": "87508a7a78c3"
}"#;
