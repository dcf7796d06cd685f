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
//! 4. Drives the same SDK against a running sandbox (`pay sandbox --port 0`, built first): every one
//!    of the 29 COINQVEST endpoints, in an order that creates what the next call needs (checkout →
//!    commit → payer pays through the admin API → payment; withdrawal → commit; customer CRUD). Each
//!    call must be accepted (HTTP 200) and answered with the keys the seed documents.
//!
//! Prints `conformance: N/M requests agreed` and `conformance (sandbox): N/29 endpoints passed`.
//! Without `npm` (or `node`) it says that it skipped and succeeds; any disagreement, a failed
//! endpoint, or a failed install, is an error.

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

/// The sandbox script. Arguments: COINQVEST base URL (`…/coinqvest/api/v1`), admin URL, key, secret.
/// Prints `PASS <endpoint>` or `FAIL <endpoint>: <why>` per endpoint.
const SANDBOX_JS: &str = r#"'use strict';
const http = require('http');
const axios = require('axios').default;
const Client = require('coinqvest-merchant-sdk');

const [base, admin, KEY, SECRET] = process.argv.slice(2);
setTimeout(() => { console.error('sandbox conformance timed out'); process.exit(2); }, 120000).unref();
axios.interceptors.request.use((config) => Object.assign(config, { baseURL: base + '/' }));
const client = new Client(KEY, SECRET);
client.log = () => {};

const get = (value, path) => path.split('.').reduce((v, k) => (v === undefined || v === null ? undefined : v[k]), value);
let passed = 0;
const seen = new Set();
async function call(name, method, endpoint, params, keys) {
  seen.add(name);
  const r = await client[method](endpoint, params);
  if (!r) { console.log('FAIL ' + name + ': no response'); return undefined; }
  if (r.status !== 200) { console.log('FAIL ' + name + ': HTTP ' + r.status + ' ' + JSON.stringify(r.data)); return r.data; }
  const missing = keys.filter((k) => get(r.data, k) === undefined);
  if (missing.length) { console.log('FAIL ' + name + ': missing ' + missing.join(', ') + ' in ' + JSON.stringify(r.data).slice(0, 300)); return r.data; }
  passed += 1;
  console.log('PASS ' + name);
  return r.data;
}
function adminPost(path, body) {
  return new Promise((resolve, reject) => {
    const data = JSON.stringify(body);
    const req = http.request(admin + path, { method: 'POST', headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(data) } }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error('admin ' + path + ': ' + res.statusCode))));
    });
    req.on('error', reject);
    req.end(data);
  });
}

const PAYMENT = ['id', 'type', 'state', 'timestamp', 'creditAssetCode', 'creditAssetIssuer', 'creditAmount', 'sourceAssetCode', 'sourceAmount', 'checkoutId'];
const WITHDRAWAL = ['id', 'type', 'state', 'origin', 'timestamp', 'sourceAssetCode', 'sourceAssetIssuer', 'sourceAmount', 'targetAssetCode', 'targetAssetIssuer', 'targetAmount', 'withdrawalFee'];
const CUSTOMER = ['id', 'email', 'firstname', 'lastname', 'company', 'adr1', 'zip', 'city', 'countrycode', 'invoiceable'];
const LIST = ['count', 'limit', 'offset'];
const prefix = (p, keys) => keys.map((k) => p + '.' + k);
const charge = { charge: { currency: 'USD', lineItems: [{ description: 'T-Shirt', netAmount: 10, quantity: 2 }] } };

(async () => {
  await call('ping', 'get', '/ping', undefined, ['success']);
  await call('time', 'get', '/time', undefined, ['time']);
  await call('auth-test', 'get', '/auth-test', undefined, ['success']);

  const wallets = await call('wallets.list', 'get', '/wallets', undefined, ['wallets.0.assetCode', 'wallets.0.type', 'wallets.0.balance', 'wallets.0.assets']);
  const walletCode = get(wallets, 'wallets.0.assetCode') || 'USD';
  await call('wallet.get', 'get', '/wallet', { assetCode: walletCode }, ['wallet.assetCode', 'wallet.balance', 'wallet.assets']);

  const issuers = await call('asset-issuers.list', 'get', '/asset-issuers', undefined, prefix('assetIssuers.0', ['id', 'name', 'domain', 'country', 'type', 'checkouts', 'withdrawals', 'asset', 'blockchain']));
  await call('asset-issuer.get', 'get', '/asset-issuer', { id: get(issuers, 'assetIssuers.0.id') || 'XLM:NATIVE' }, prefix('assetIssuer', ['id', 'name', 'domain', 'asset', 'blockchain']));
  const assets = await call('assets.list', 'get', '/assets', undefined, prefix('assets.0', ['id', 'code', 'name', 'type', 'issuer']));
  await call('asset.get', 'get', '/asset', { id: get(assets, 'assets.0.id') || 'XLM:NATIVE' }, prefix('asset', ['id', 'code', 'name', 'type', 'issuer']));
  // The seed documents `fiatCurrency` and `blockchain` (single lookups) as one-element arrays.
  const fiats = await call('fiat-currencies.list', 'get', '/fiat-currencies', undefined, prefix('fiatCurrencies.0', ['name', 'assetCode', 'assetName']));
  await call('fiat-currency.get', 'get', '/fiat-currency', { assetCode: get(fiats, 'fiatCurrencies.0.assetCode') || 'USD' }, prefix('fiatCurrency.0', ['name', 'assetCode', 'assetName']));
  const chains = await call('blockchains.list', 'get', '/blockchains', undefined, prefix('blockchains.0', ['name', 'nativeAssetCode', 'nativeAssetName']));
  await call('blockchain.get', 'get', '/blockchain', { assetCode: get(chains, 'blockchains.0.nativeAssetCode') || 'XLM' }, prefix('blockchain.0', ['name', 'nativeAssetCode', 'nativeAssetName']));

  await call('checkout.hosted', 'post', '/checkout/hosted', charge, ['id', 'url']);
  const created = await call('checkout.create', 'post', '/checkout', charge, ['id', 'paymentMethods.0.assetCode', 'paymentMethods.0.blockchain', 'paymentMethods.0.paymentAmount']);
  const checkoutId = get(created, 'id') || 'missing';
  await call('checkout.commit', 'post', '/checkout/commit', { checkoutId, assetCode: 'XLM' }, ['checkoutId', 'expirationTime', ...prefix('depositInstructions', ['blockchain', 'assetCode', 'amount', 'address', 'memo', 'memoType'])]);
  await call('checkout.get', 'get', '/checkout', { id: checkoutId }, prefix('checkout', ['id', 'timestamp', 'state', 'payments', 'payload']));
  await call('checkouts.list', 'get', '/checkouts', { limit: 250, offset: 0 }, [...LIST, 'checkouts.0.id', 'checkouts.0.state']);

  await adminPost('/coinqvest/checkouts/complete', { checkout_id: checkoutId });
  const payments = await call('payments.list', 'get', '/payments', { limit: 250, offset: 0 }, [...LIST, ...prefix('payments.0', PAYMENT)]);
  await call('payment.get', 'get', '/payment', { id: get(payments, 'payments.0.id') || 'missing' }, prefix('payment', PAYMENT));

  const usd = 'USD:GDUKMGUGDZQK6YHYA5Z6AY2G4XDSZPSZ3SW5UN3ARVMO6QSRDWP5YLEX';
  const quote = await call('withdrawal.create', 'post', '/withdrawal', { sourceAsset: usd, sourceAmount: '100', targetNetwork: 'NGN', targetAccount: { nuban: '3080494548', bankName: 'FirstBank' } }, prefix('withdrawal', WITHDRAWAL));
  const withdrawalId = get(quote, 'withdrawal.id') || 'missing';
  await call('withdrawal.get', 'get', '/withdrawal', { id: withdrawalId }, prefix('withdrawal', WITHDRAWAL));
  await call('withdrawal.commit', 'post', '/withdrawal/commit', { withdrawalId }, prefix('withdrawal', ['id', 'state']));
  await call('withdrawals.list', 'get', '/withdrawals', { limit: 250, offset: 0 }, [...LIST, ...prefix('withdrawals.0', WITHDRAWAL)]);

  const customer = await call('customer.create', 'post', '/customer', { customer: { email: 'john@doe.com', firstname: 'J\u00f6hn', lastname: 'Doe', company: 'ACME', adr1: '1 Main St', zip: '10001', city: 'New York', countrycode: 'US' } }, ['customerId']);
  const customerId = get(customer, 'customerId') || 'missing';
  await call('customer.get', 'get', '/customer', { id: customerId }, prefix('customer', CUSTOMER));
  await call('customer.update', 'put', '/customer', { customer: { id: customerId, email: 'new@email-address.com', company: null } }, ['success']);
  await call('customers.list', 'get', '/customers', { limit: 250, offset: 0 }, [...LIST, ...prefix('customers.0', CUSTOMER)]);
  await call('customer.delete', 'delete', '/customer', { id: customerId }, ['success']);

  console.log('SUMMARY ' + passed + '/' + seen.size);
})().catch((e) => { console.error(e); process.exit(1); });
"#;

/// Number of COINQVEST endpoints (seed 003).
const ENDPOINTS: usize = 29;
/// The credentials the sandbox is started with for the run.
const SANDBOX_KEY: &str = "conformance-api-key";
const SANDBOX_SECRET: &str = "Conformance-Secret-0001";

/// Kills the sandbox when the run ends, whatever happened.
struct Running(std::process::Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `pay sandbox --port 0` (built first) and returns it with its COINQVEST and admin URLs.
fn start_sandbox() -> Result<(Running, String, String), String> {
    use std::io::BufRead as _;
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    eprintln!("$ cargo build -q -p pay-cli");
    let status = Command::new(&cargo)
        .args(["build", "-q", "-p", "pay-cli"])
        .current_dir(workspace_root())
        .status()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if !status.success() {
        return Err(format!("cargo build -p pay-cli failed ({status})"));
    }
    let pay = target_dir().join("debug").join("pay");
    eprintln!("$ {} sandbox --port 0 --callbacks-fast", pay.display());
    let mut child = Command::new(&pay)
        .args(["sandbox", "--port", "0", "--callbacks-fast", "--seed", "1"])
        .env("COINQVEST_KEY", SANDBOX_KEY)
        .env("COINQVEST_SECRET", SANDBOX_SECRET)
        .stdout(std::process::Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", pay.display()))?;
    let stdout = child.stdout.take().ok_or("no sandbox stdout")?;
    let running = Running(child);
    let (mut coinqvest, mut admin) = (None, None);
    for line in std::io::BufReader::new(stdout).lines() {
        let line = line.map_err(|e| format!("sandbox output: {e}"))?;
        let line = line.trim();
        if let Some(url) = line.strip_prefix("COINQVEST base URL:") {
            coinqvest = Some(url.trim().to_owned());
        } else if let Some(url) = line.strip_prefix("admin API:") {
            admin = Some(url.trim().to_owned());
        }
        if line.contains("Ctrl-C") {
            break;
        }
    }
    match (coinqvest, admin) {
        (Some(c), Some(a)) => Ok((running, c, a)),
        _ => Err("the sandbox did not print its URLs".to_owned()),
    }
}

/// Drives the SDK against the sandbox; returns (passed, failures).
fn sandbox_conformance(scratch: &Path) -> Result<(usize, Vec<String>), String> {
    let (_sandbox, coinqvest, admin) = start_sandbox()?;
    let script = scratch.join("sandbox.js");
    std::fs::write(&script, SANDBOX_JS).map_err(|e| format!("cannot write sandbox.js: {e}"))?;
    eprintln!("$ node {} {coinqvest} {admin}", script.display());
    let output = Command::new("node")
        .arg(&script)
        .args([&coinqvest, &admin, SANDBOX_KEY, SANDBOX_SECRET])
        .current_dir(scratch)
        .output()
        .map_err(|e| format!("cannot run node: {e}"))?;
    let report = String::from_utf8_lossy(&output.stdout);
    let passed = report.lines().filter(|l| l.starts_with("PASS ")).count();
    let failures: Vec<String> = report
        .lines()
        .filter(|l| l.starts_with("FAIL "))
        .map(str::to_owned)
        .collect();
    if !output.status.success() {
        return Err(format!(
            "the sandbox script failed ({}): {}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    Ok((passed, failures))
}

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
    if agreed != total || !output.status.success() {
        return Err(format!("{} of {total} requests disagreed", total - agreed));
    }

    let (passed, failures) = sandbox_conformance(&scratch)?;
    for failure in &failures {
        eprintln!("  {failure}");
    }
    #[allow(clippy::print_stdout)] // the task's result line
    {
        println!("conformance (sandbox): {passed}/{ENDPOINTS} endpoints passed");
    }
    if passed == ENDPOINTS && failures.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "{} of {ENDPOINTS} endpoints failed against the sandbox",
            ENDPOINTS.saturating_sub(passed)
        ))
    }
}
