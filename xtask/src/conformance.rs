//! `cargo xtask conformance`: checks pay-coinqvest's digest signatures against the official Node SDK.
//!
//! 1. Installs npm `coinqvest-merchant-sdk@0.0.11` into `<target>/conformance/` (once).
//! 2. Runs a generated Node script that starts an HTTP capture server on `127.0.0.1:0`, points the SDK
//!    at it (an axios interceptor swaps the SDK's hard-coded base URL) and sends a set of requests:
//!    every endpoint kind, GETs with queries, POST/PUT/DELETE bodies, unicode. Each request is saved
//!    as it arrived: method, target, the SDK's digest headers and the exact body bytes.
//! 3. Runs `cargo run -p pay-coinqvest --example digest` over the captures: our `DigestSigner` must
//!    produce the same `X-Digest-Signature` for the same path, timestamp, method and body bytes.
//!
//! Prints `conformance: N/M requests agreed`. Without `npm` (or `node`) it says that it skipped and
//! succeeds; any disagreement, or a failed install, is an error.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::workspace_root;

/// The official SDK version the captures come from.
const SDK: &str = "coinqvest-merchant-sdk@0.0.11";
const SDK_VERSION: &str = "0.0.11";

/// The capture script. Argument: the output file (JSON lines).
const CAPTURE_JS: &str = r#"'use strict';
const http = require('http');
const fs = require('fs');
const axios = require('axios').default;
const Client = require('coinqvest-merchant-sdk');

const KEY = 'a1b2c3d4e5f6';
const SECRET = 'Abcd-Efgh-Ijkl-Mnop-Qrst-Uvwx';
const out = process.argv[2];
const captures = [];
let current = '';

setTimeout(() => { console.error('capture timed out'); process.exit(2); }, 60000).unref();

const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks);
    const target = req.url;
    captures.push({
      name: current,
      method: req.method,
      target,
      path: target.split('?')[0].replace(/^\/api\/v1/, ''),
      timestamp: String(req.headers['x-digest-timestamp'] || ''),
      key: String(req.headers['x-digest-key'] || ''),
      secret: SECRET,
      body_hex: body.toString('hex'),
      signature: String(req.headers['x-digest-signature'] || ''),
    });
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end('{"success":true}');
  });
});

const full = {
  charge: {
    customerId: '716dad4c5e5f',
    currency: 'USD',
    lineItems: [{ description: 'T-Shirt \u2713 Gr\u00f6\u00dfe M \ud83d\ude00', netAmount: 10, quantity: 1, productId: 'P1234' }],
    discountItems: [{ description: 'Loyalty Discount', netAmount: 0.5 }],
    shippingCostItems: [{ description: 'Shipping and Handling', netAmount: 3.99, taxable: false }],
    taxItems: [{ name: 'CA Sales Tax', percent: 0.0825 }],
  },
  settlementCurrency: 'USD',
  webhook: 'https://www.merchant.com/path/to/webhook',
  blockchainRelays: {
    ETH: 'ETH:GBDEVU63Y6NTHJQQZIKVTC23NWLQVP3WJ2RI2OTSJTNYOIGICST6DUXR',
    BTC: 'BTC:GATEMHCCKCY67ZUCKTROYN24ZYT5GK4EQZ65JJLDHKHRUZI3EUEKMTCH',
  },
  links: { cancelUrl: 'https://www.merchant.com/cancel', returnUrl: 'https://www.merchant.com/return?a=1&b=2' },
};
const usd = 'USD:GDUKMGUGDZQK6YHYA5Z6AY2G4XDSZPSZ3SW5UN3ARVMO6QSRDWP5YLEX';
const withdrawal = (network, account, extra) =>
  Object.assign({ sourceAsset: usd, sourceAmount: '100', targetNetwork: network, targetAccount: account }, extra || {});

const calls = [
  ['ping', 'get', '/ping'],
  ['time', 'get', '/time'],
  ['auth-test', 'get', '/auth-test'],
  ['checkout.get', 'get', '/checkout', { id: '82098fd51fcc' }],
  ['checkouts.list', 'get', '/checkouts', { limit: 250, offset: 0 }],
  ['payment.get', 'get', '/payment', { id: '0bb9f9aa929f' }],
  ['payments.list', 'get', '/payments', { limit: 10, offset: 20 }],
  ['wallets.list', 'get', '/wallets'],
  ['wallet.get', 'get', '/wallet', { assetCode: 'USD' }],
  ['withdrawal.get', 'get', '/withdrawal', { id: '12d72c3c8145' }],
  ['withdrawals.list', 'get', '/withdrawals', { limit: 250, offset: 0 }],
  ['asset-issuers.list', 'get', '/asset-issuers'],
  ['asset-issuer.get', 'get', '/asset-issuer', { id: 'XLM:NATIVE' }],
  ['assets.list', 'get', '/assets'],
  ['asset.get', 'get', '/asset', { id: 'ETH:GBETHKBL5TCUTQ3JPDIYOZ5RDARTMHMEKIO2QZQ7IOZ4YC5XV3C2IKYU' }],
  ['fiat-currencies.list', 'get', '/fiat-currencies'],
  ['fiat-currency.get', 'get', '/fiat-currency', { assetCode: 'USD' }],
  ['blockchains.list', 'get', '/blockchains'],
  ['blockchain.get', 'get', '/blockchain', { assetCode: 'BTC' }],
  ['customers.list', 'get', '/customers', { limit: 250, offset: 0 }],
  ['customer.get', 'get', '/customer', { id: 'fd4f47a50c7f' }],
  ['checkout.create', 'post', '/checkout', full],
  ['checkout.hosted', 'post', '/checkout/hosted', { charge: { currency: 'USD', lineItems: [{ description: 'T-Shirt', netAmount: 10.0 }] } }],
  ['checkout.commit', 'post', '/checkout/commit', { checkoutId: '6d55626309d6', assetCode: 'ETH' }],
  ['withdrawal.create.xlm', 'post', '/withdrawal', withdrawal('XLM', { account: 'GASKYWPPQ2VSO6KNIPIRVXMSSDGZLYZQ67CDTLVXOXYDG26SPZ66EDCQ', memo: 'EXODUS', memoType: 'text' }, { targetAsset: 'XLM:NATIVE' })],
  ['withdrawal.create.eur', 'post', '/withdrawal', withdrawal('EUR', { iban: 'DE23100110012624331587', swift: 'NTSBDEB1XXX' })],
  ['withdrawal.create.usd', 'post', '/withdrawal', withdrawal('USD', { accountNumber: '000123456789', routingNumber: '110000000' })],
  ['withdrawal.create.cad', 'post', '/withdrawal', withdrawal('CAD', { accountNumber: '1234567', routingNumber: '000112345' })],
  ['withdrawal.create.ngn', 'post', '/withdrawal', withdrawal('NGN', { nuban: '3080494548', bankName: 'FirstBank' })],
  ['withdrawal.create.btc', 'post', '/withdrawal', withdrawal('BTC', { address: 'bc1qj633nx575jm28smgcp3mx6n3gh0zg6ndr0ew23' }, { relay: 'BTC:GBVOL67TMUQBGL4TZYNMY3ZQ5WGQYFPFD5VJRWXR72VA33VFNL225PL5' })],
  ['withdrawal.create.xrp', 'post', '/withdrawal', withdrawal('XRP', { account: 'rEfqXNqQoyVVgkcF51NQNGWst96KJFZQf2', destinationTag: '1234' })],
  ['withdrawal.commit', 'post', '/withdrawal/commit', { withdrawalId: '12d72c3c8145' }],
  ['customer.create', 'post', '/customer', { customer: { email: 'john@doe.com', firstname: 'J\u00f6hn', lastname: '\u5c71\u7530', meta: { reference: 123, tags: ['a/b', '\u20ac'] } } }],
  ['customer.update', 'put', '/customer', { customer: { id: 'fd4f47a50c7f', email: 'new@email-address.com', note: null } }],
  ['customer.delete', 'delete', '/customer', { id: 'fd4f47a50c7f' }],
];

server.listen(0, '127.0.0.1', async () => {
  const base = 'http://127.0.0.1:' + server.address().port + '/api/v1/';
  axios.interceptors.request.use((config) => Object.assign(config, { baseURL: base }));
  const client = new Client(KEY, SECRET);
  for (const [name, method, endpoint, params] of calls) {
    current = name;
    const response = await client[method](endpoint, params);
    if (!response || response.status !== 200) {
      console.error('request ' + name + ' failed');
      process.exit(1);
    }
  }
  server.close();
  fs.writeFileSync(out, captures.map((c) => JSON.stringify(c)).join('\n') + '\n');
  console.error('captured ' + captures.length + ' requests from ' + require('coinqvest-merchant-sdk/package.json').version);
});
"#;

/// Whether `program --version` runs.
fn available(program: &str) -> bool {
    Command::new(program)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("target"))
}

fn installed(scratch: &Path) -> bool {
    let manifest = scratch.join("node_modules/coinqvest-merchant-sdk/package.json");
    std::fs::read_to_string(manifest)
        .is_ok_and(|text| text.contains(&format!("\"version\": \"{SDK_VERSION}\"")))
}

fn install(scratch: &Path) -> Result<(), String> {
    if installed(scratch) {
        return Ok(());
    }
    std::fs::write(
        scratch.join("package.json"),
        "{\"name\": \"pay-rs-conformance\", \"private\": true}\n",
    )
    .map_err(|e| format!("cannot write package.json: {e}"))?;
    eprintln!("$ npm install {SDK} (in {})", scratch.display());
    let status = Command::new("npm")
        .args([
            "install",
            "--no-audit",
            "--no-fund",
            "--ignore-scripts",
            "--save-exact",
            SDK,
        ])
        .current_dir(scratch)
        .status()
        .map_err(|e| format!("cannot run npm: {e}"))?;
    if !status.success() || !installed(scratch) {
        return Err(format!("npm install {SDK} failed ({status})"));
    }
    Ok(())
}

/// Entry point of `cargo xtask conformance`.
pub fn run(args: &[String]) -> Result<(), String> {
    if let Some(extra) = args.first() {
        return Err(format!("unexpected argument `{extra}`"));
    }
    for program in ["npm", "node"] {
        if !available(program) {
            eprintln!(
                "conformance: SKIPPED: `{program}` not found; install Node.js and npm to compare \
                 signatures with {SDK}"
            );
            return Ok(());
        }
    }
    let scratch = target_dir().join("conformance");
    std::fs::create_dir_all(&scratch)
        .map_err(|e| format!("cannot create {}: {e}", scratch.display()))?;
    install(&scratch)?;

    let script = scratch.join("capture.js");
    let captured = scratch.join("captured.jsonl");
    std::fs::write(&script, CAPTURE_JS).map_err(|e| format!("cannot write capture.js: {e}"))?;
    let _ = std::fs::remove_file(&captured);
    eprintln!("$ node {}", script.display());
    let status = Command::new("node")
        .arg(&script)
        .arg(&captured)
        .current_dir(&scratch)
        .status()
        .map_err(|e| format!("cannot run node: {e}"))?;
    if !status.success() {
        return Err(format!("the capture script failed ({status})"));
    }

    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    eprintln!(
        "$ cargo run -q -p pay-coinqvest --example digest -- {}",
        captured.display()
    );
    let output = Command::new(cargo)
        .args([
            "run",
            "-q",
            "-p",
            "pay-coinqvest",
            "--example",
            "digest",
            "--",
        ])
        .arg(&captured)
        .current_dir(workspace_root())
        .output()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    let report = String::from_utf8_lossy(&output.stdout);
    let mut agreed = 0usize;
    let mut total = 0usize;
    for line in report.lines() {
        if line.starts_with("agree ") {
            agreed += 1;
            total += 1;
        } else if line.starts_with("DISAGREE ") {
            total += 1;
            eprintln!("  {line}");
        }
    }
    if total == 0 {
        return Err(format!(
            "no comparison ran: {}",
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    #[allow(clippy::print_stdout)] // the task's result line
    {
        println!("conformance: {agreed}/{total} requests agreed");
    }
    if agreed == total && output.status.success() {
        Ok(())
    } else {
        Err(format!("{} of {total} requests disagreed", total - agreed))
    }
}
