//! `pay qostiq withdraw-create` and `pay coinqvest withdrawal-commit`, the real `pay` binary,
//! driven end to end against a misbehaving local server: the sandbox, with the recovery issue's
//! fault classes injected through its admin API. Each scenario checks the printed `"outcome"`,
//! the exit code, and the sandbox's books.
//!
//! Timing: attempts time out after 300 ms and the settle window is 900 ms; held requests are held
//! 600 ms (inside the window: found) or 3 s (past it: the re-create is refused meanwhile).
#![allow(clippy::indexing_slicing, clippy::panic, clippy::unwrap_used)] // helpers outside #[test]: a failure is a failed test

use std::path::PathBuf;
use std::process::Command;
use std::sync::OnceLock;
use std::time::Duration;

use http::Method;
use pay_coinqvest::client::CoinqvestClient;
use pay_coinqvest::withdrawals::{CreateWithdrawal, NgnBank, TargetAccount, Withdrawal};
use pay_sandbox::{Sandbox, SandboxHandle};
use pay_transport::floors::Floors;
use serde_json::{Value, json};

const USD: &str = "USD:GDUKMGUGDZQK6YHYA5Z6AY2G4XDSZPSZ3SW5UN3ARVMO6QSRDWP5YLEX";
const TIMING: [&str; 6] = [
    "--timeout",
    "300ms",
    "--settle-window",
    "900ms",
    "--sandbox-poll-floor",
    "0",
];

/// The `pay` binary: beside this test's own binary (`target/<profile>/pay`), built on demand when
/// only this package's tests were built.
fn pay_binary() -> &'static PathBuf {
    static PAY: OnceLock<PathBuf> = OnceLock::new();
    PAY.get_or_init(|| {
        let exe = std::env::current_exe().unwrap();
        let profile_dir = exe.parent().and_then(|deps| deps.parent()).unwrap();
        let pay = profile_dir.join(format!("pay{}", std::env::consts::EXE_SUFFIX));
        if !pay.exists() {
            let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
            let mut build = Command::new(cargo);
            build.args(["build", "--quiet", "-p", "pay-cli", "--bin", "pay"]);
            if profile_dir.ends_with("release") {
                build.arg("--release");
            }
            let status = build.status().unwrap();
            assert!(status.success(), "building the pay binary failed");
        }
        pay
    })
}

struct Rig {
    sandbox: SandboxHandle,
    /// The data directory of the `pay` runs: their default journal is `<data>/pay/journal.sqlite`.
    data: PathBuf,
}

impl Drop for Rig {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.data);
    }
}

impl Rig {
    async fn start() -> Self {
        static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let sandbox = Sandbox::builder().seed(11).start().await.unwrap();
        let data = std::env::temp_dir().join(format!(
            "pay-e2e-cli-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&data).unwrap();
        Self { sandbox, data }
    }

    async fn fault(&self, rule: Value) {
        self.sandbox.admin().post("/faults", &rule).await.unwrap();
    }

    /// Injects `fault` on `route` for its next request only.
    async fn fault_once(&self, route: &str, fault: &str) {
        self.fault(json!({"route": route, "fault": fault, "count": 1}))
            .await;
    }

    async fn books(&self, provider: &str) -> Value {
        self.sandbox
            .admin()
            .call(Method::GET, &format!("/{provider}/state"), None)
            .await
            .unwrap()
    }

    /// Runs `pay <args>` with the sandbox's credentials and this rig's data directory, off the
    /// runtime's threads (which serve the sandbox).
    async fn run_pay(&self, args: Vec<String>) -> std::process::Output {
        let creds = self.sandbox.credentials().clone();
        let data = self.data.clone();
        tokio::task::spawn_blocking(move || {
            Command::new(pay_binary())
                .args(&args)
                .env("XDG_DATA_HOME", &data)
                .env_remove("PAY_JOURNAL")
                .env("QOSTIQ_SHOP_ID", creds.qostiq_shop_id.to_string())
                .env("QOSTIQ_SECRET", creds.qostiq_secret.expose())
                .env("COINQVEST_KEY", &creds.coinqvest_key)
                .env("COINQVEST_SECRET", creds.coinqvest_secret.expose())
                .output()
                .unwrap()
        })
        .await
        .unwrap()
    }

    /// Runs `pay <args>`: exit code and the printed JSON (`null` when nothing was printed).
    async fn pay(&self, args: Vec<String>) -> (i32, Value) {
        let output = self.run_pay(args).await;
        let stdout = String::from_utf8_lossy(&output.stdout);
        let json = if stdout.trim().is_empty() {
            Value::Null
        } else {
            serde_json::from_str(stdout.trim()).unwrap_or_else(|_| {
                panic!(
                    "not one JSON object: {stdout}\nstderr: {}",
                    String::from_utf8_lossy(&output.stderr)
                )
            })
        };
        (output.status.code().unwrap(), json)
    }

    /// `pay qostiq withdraw-create` of `amount` UAH to `account` under `id`.
    async fn withdraw(&self, id: &str, account: &str, amount: &str) -> (i32, Value) {
        self.withdraw_at(&self.sandbox.qostiq_base_url(), id, account, amount)
            .await
    }

    async fn withdraw_at(&self, base: &str, id: &str, account: &str, amount: &str) -> (i32, Value) {
        let mut args: Vec<String> = [
            "qostiq",
            "withdraw-create",
            "--base-url",
            base,
            "--payway",
            "card_uah",
            "--account",
            account,
            "--amount",
            amount,
            "--currency",
            "UAH",
            "--amount-type",
            "ps_amount",
            "--shop-payment-id",
            id,
        ]
        .map(str::to_owned)
        .to_vec();
        args.extend(TIMING.map(str::to_owned));
        self.pay(args).await
    }

    /// Withdrawals in the books under `id`.
    async fn withdrawals(&self, id: &str) -> Vec<Value> {
        let books = self.books("qostiq").await;
        books["withdrawals"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|w| w["shop_payment_id"] == id)
            .cloned()
            .collect()
    }

    /// A COINQVEST quote, made through the library client.
    async fn quote(&self) -> Withdrawal {
        let creds = self.sandbox.credentials();
        let client =
            CoinqvestClient::builder(creds.coinqvest_key.clone(), creds.coinqvest_secret.clone())
                .base_url(self.sandbox.coinqvest_base_url().parse().unwrap())
                .executor(|e| e.floors(Floors::below_provider_minimums_for_sandbox(Duration::ZERO)))
                .build()
                .unwrap();
        client
            .create_withdrawal(&CreateWithdrawal::new(
                USD,
                "100".parse().unwrap(),
                TargetAccount::NgnBank {
                    nuban: "3080494548".into(),
                    bank: NgnBank::FirstBank,
                },
            ))
            .await
            .unwrap()
    }

    /// `pay coinqvest withdrawal-commit --id <id> [extra…]`.
    async fn commit(&self, id: &str, extra: &[&str]) -> (i32, Value) {
        let base = self.sandbox.coinqvest_base_url();
        let mut args: Vec<String> = [
            "coinqvest",
            "withdrawal-commit",
            "--base-url",
            &base,
            "--id",
            id,
        ]
        .map(str::to_owned)
        .to_vec();
        args.extend(extra.iter().map(|a| (*a).to_owned()));
        args.extend(TIMING.map(str::to_owned));
        self.pay(args).await
    }

    /// The state of COINQVEST withdrawal `id` in the books.
    async fn state(&self, id: &str) -> String {
        let books = self.books("coinqvest").await;
        books["withdrawals"]
            .as_array()
            .unwrap()
            .iter()
            .find(|w| w["id"] == id)
            .map(|w| w["state"].as_str().unwrap().to_owned())
            .unwrap()
    }
}

/// A 32-character card token (the sandbox's accepted form) unique to `n`.
fn card(n: u32) -> String {
    format!("{n:032}")
}

/// (exit code, outcome): what the assertions compare.
fn seen(result: &(i32, Value)) -> (i32, &str) {
    (result.0, result.1["outcome"].as_str().unwrap_or("?"))
}

const CREATE: &str = "/qostiq/withdraw/create";
const LOOKUP: &str = "/qostiq/withdraw/shop_payment_status";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn qostiq_withdraw_create_outcomes_and_exit_codes() {
    let r = Rig::start().await;

    // Answered: created, 0; the account is printed masked.
    let out = r.withdraw("w-created", &card(1), "10.00").await;
    assert_eq!(seen(&out), (0, "created"), "{}", out.1);
    assert_eq!(out.1["exists"], true);
    assert_eq!(out.1["intent"]["fields"]["account"], "****0001");
    assert!(!out.1.to_string().contains(&card(1)));
    assert_eq!(out.1["payout"]["shop_payment_id"], "w-created");

    // Refused (below the payway's minimum): nothing exists, 1.
    let out = r.withdraw("w-refused", &card(2), "0.50").await;
    assert_eq!(seen(&out), (1, "refused"), "{}", out.1);
    assert!(r.withdrawals("w-refused").await.is_empty());

    // Never sent (nothing listens): 1.
    let out = r
        .withdraw_at("http://127.0.0.1:1/qostiq", "w-not-sent", &card(3), "10.00")
        .await;
    assert_eq!(seen(&out), (1, "not_sent"), "{}", out.1);

    // Reset before applying: "not found" trusted after the window, re-created with the same id.
    r.fault_once(CREATE, "reset_before_commit").await;
    let out = r.withdraw("w-recreated", &card(4), "10.00").await;
    assert_eq!(seen(&out), (0, "recreated"), "{}", out.1);
    assert_eq!(r.withdrawals("w-recreated").await.len(), 1);
    let steps = out.1["evidence"]["steps"].as_array().unwrap();
    assert_eq!(
        steps.len(),
        4,
        "send, lookup, lookup after the window, send"
    );

    // Invalid input: a usage error, nothing sent.
    let out = r
        .pay(
            [
                "qostiq",
                "withdraw-create",
                "--base-url",
                &r.sandbox.qostiq_base_url(),
                "--payway",
                "card_uah",
                "--account",
                &card(5),
                "--amount",
                "10.001",
                "--currency",
                "UAH",
                "--shop-payment-id",
                "w-usage",
            ]
            .map(str::to_owned)
            .to_vec(),
        )
        .await;
    assert_eq!((out.0, out.1.clone()), (2, Value::Null));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn qostiq_a_lookup_answering_a_different_payout_is_a_conflict() {
    let r = Rig::start().await;
    assert_eq!(seen(&r.withdraw("decoy", &card(90), "10.00").await).0, 0);
    r.fault_once(CREATE, "commit_then_drop").await;
    r.fault_once(LOOKUP, "lookup_other_payout").await;
    let out = r.withdraw("w-other", &card(6), "10.00").await;
    assert_eq!(seen(&out), (4, "conflict"), "{}", out.1);
    assert_eq!(out.1["exists"], Value::Null);
    assert_eq!(out.1["conflict"]["found"]["shop_payment_id"], "decoy");
    assert_eq!(out.1["payout"], Value::Null);
    // Ours exists (the create applied): the conflict is the lookup's, never adopted as success.
    assert_eq!(r.withdrawals("w-other").await.len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn qostiq_a_lookup_answering_the_id_with_another_amount_is_a_conflict() {
    let r = Rig::start().await;
    r.fault_once(CREATE, "commit_then_drop").await;
    r.fault_once(LOOKUP, "lookup_mismatch").await;
    let out = r.withdraw("w-mismatch", &card(7), "500.00").await;
    assert_eq!(seen(&out), (4, "conflict"), "{}", out.1);
    let differences = out.1["conflict"]["differences"].as_array().unwrap();
    assert_eq!(differences[0]["field"], "payee_receive");
    assert_eq!(differences[0]["asked"], "500.00");
    assert_eq!(differences[0]["found"], "501.0");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn qostiq_an_id_reused_by_an_earlier_payout_is_a_conflict_not_adopted() {
    let r = Rig::start().await;
    r.fault_once(CREATE, "id_reused").await;
    let out = r.withdraw("w-reused", &card(8), "10.00").await;
    assert_eq!(seen(&out), (4, "conflict"), "{}", out.1);
    // The books hold the earlier payout only: ours was never made.
    let held = r.withdrawals("w-reused").await;
    assert_eq!(held.len(), 1);
    assert_ne!(held[0]["account"], card(8));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn qostiq_a_create_still_executing_when_looked_up_is_adopted() {
    let r = Rig::start().await;
    r.fault(json!({"route": CREATE, "fault": "held_then_commit", "hold_ms": 600, "count": 1}))
        .await;
    let out = r.withdraw("w-held", &card(9), "10.00").await;
    assert_eq!(seen(&out), (0, "adopted"), "{}", out.1);
    assert_eq!(r.withdrawals("w-held").await.len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn qostiq_a_refused_re_create_while_the_first_is_in_flight_is_unknown_never_refused() {
    let r = Rig::start().await;
    r.fault(json!({"route": CREATE, "fault": "recreate_refused_in_flight", "hold_ms": 3000, "count": 1}))
        .await;
    let out = r.withdraw("w-flight", &card(10), "10.00").await;
    assert_eq!(seen(&out), (3, "unknown"), "{}", out.1);
    assert_eq!(out.1["exists"], Value::Null);
    let refused_resend = out.1["evidence"]["steps"]
        .as_array()
        .unwrap()
        .iter()
        .any(|s| s["action"] == "send" && s["result"] == "refused");
    assert!(refused_resend, "{}", out.1);
    // The first create lands; the same command again adopts it.
    tokio::time::sleep(Duration::from_millis(3_000)).await;
    let out = r.withdraw("w-flight", &card(10), "10.00").await;
    assert_eq!(seen(&out), (0, "adopted"), "{}", out.1);
    assert_eq!(r.withdrawals("w-flight").await.len(), 1);
}

const COMMIT: &str = "/coinqvest/api/v1/withdrawal/commit";
const READ: &str = "/coinqvest/api/v1/withdrawal";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn coinqvest_withdrawal_commit_outcomes_and_exit_codes() {
    let r = Rig::start().await;
    let quote = r.quote().await;
    let out = r.commit(&quote.id, &[]).await;
    assert_eq!(seen(&out), (0, "committed"), "{}", out.1);
    assert_eq!(out.1["payout"]["state"], "COMPLETED");
    assert_eq!(out.1["payout"]["target_account"], "****4548");

    // Repeated by a process that has no record of it (a journal lost with its host): 400 "already
    // COMPLETED", read, adopted.
    let out = r.commit(&quote.id, &["--journal", "memory:"]).await;
    assert_eq!(seen(&out), (0, "adopted"), "{}", out.1);
    assert_eq!(out.1["evidence"]["steps"][0]["result"], "refused");

    // An id the server does not know: refused (the read finds nothing), 1.
    let out = r.commit("000000000000", &[]).await;
    assert_eq!(seen(&out), (1, "refused"), "{}", out.1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn coinqvest_a_commit_answered_late_then_repeated_is_committed_both_times() {
    let r = Rig::start().await;
    let quote = r.quote().await;
    r.fault(json!({"route": COMMIT, "fault": "commit_then_delay", "delay_ms": 3000, "count": 1}))
        .await;
    let out = r.commit(&quote.id, &[]).await;
    assert_eq!(seen(&out), (0, "adopted"), "{}", out.1);
    let out = r.commit(&quote.id, &[]).await;
    assert_eq!(seen(&out), (0, "adopted"), "{}", out.1);
    assert_eq!(r.state(&quote.id).await, "COMPLETED");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn coinqvest_a_read_answering_another_withdrawal_or_other_terms_is_a_conflict() {
    let r = Rig::start().await;
    let other = r.quote().await;
    let quote = r.quote().await;
    r.fault_once(COMMIT, "commit_then_drop").await;
    r.fault_once(READ, "lookup_other_payout").await;
    let out = r.commit(&quote.id, &[]).await;
    assert_eq!(seen(&out), (4, "conflict"), "{}", out.1);
    assert_eq!(out.1["conflict"]["found"]["id"], other.id.as_str());

    // The same id with another amount, held to the quote's terms.
    let quote = r.quote().await;
    r.fault_once(COMMIT, "commit_then_drop").await;
    r.fault_once(READ, "lookup_mismatch").await;
    let amount = quote.source_amount.to_string();
    let out = r
        .commit(
            &quote.id,
            &["--source-amount", &amount, "--target-account", "3080494548"],
        )
        .await;
    assert_eq!(seen(&out), (4, "conflict"), "{}", out.1);
    let fields: Vec<&str> = out.1["conflict"]["differences"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["sourceAmount", "targetAccount"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn coinqvest_a_commit_held_past_the_timeout_is_adopted_never_not_committed() {
    let r = Rig::start().await;
    let quote = r.quote().await;
    r.fault(json!({"route": COMMIT, "fault": "held_then_commit", "hold_ms": 600, "count": 1}))
        .await;
    let out = r.commit(&quote.id, &[]).await;
    assert_eq!(seen(&out), (0, "adopted"), "{}", out.1);
    let steps = out.1["evidence"]["steps"].as_array().unwrap();
    assert_eq!(
        steps[1]["verdict"], "absent",
        "read while held: still pending"
    );
    assert_eq!(r.state(&quote.id).await, "COMPLETED");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn coinqvest_a_re_commit_refused_while_the_first_is_in_flight_is_unknown_never_refused() {
    let r = Rig::start().await;
    let quote = r.quote().await;
    r.fault(json!({"route": COMMIT, "fault": "recreate_refused_in_flight", "hold_ms": 3000, "count": 1}))
        .await;
    let out = r.commit(&quote.id, &[]).await;
    assert_eq!(seen(&out), (3, "unknown"), "{}", out.1);
    tokio::time::sleep(Duration::from_millis(3_000)).await;
    assert_eq!(r.state(&quote.id).await, "COMPLETED");
    let out = r.commit(&quote.id, &[]).await;
    assert_eq!(seen(&out), (0, "adopted"), "{}", out.1);
}

// ---- the journal: `--journal`, `pay journal list`, `pay journal resume` -------------------------

impl Rig {
    /// `pay journal <args…>` (JSON lines) with the sandbox's credentials and base URLs.
    async fn journal(&self, args: &[&str]) -> (i32, Vec<Value>) {
        let mut all: Vec<String> = ["journal"]
            .iter()
            .chain(args)
            .map(|a| (*a).to_owned())
            .collect();
        if args.first() == Some(&"resume") {
            all.extend(
                [
                    "--qostiq-base-url",
                    &self.sandbox.qostiq_base_url(),
                    "--coinqvest-base-url",
                    &self.sandbox.coinqvest_base_url(),
                ]
                .map(str::to_owned),
            );
            all.extend(TIMING.map(str::to_owned));
        }
        let output = self.run_pay(all).await;
        let lines = String::from_utf8_lossy(&output.stdout)
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        (output.status.code().unwrap(), lines)
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_cli_journals_every_payout_resumes_by_id_and_lists_masked() {
    let r = Rig::start().await;
    // Unknown: the answer lost, every lookup broken.
    r.fault_once(CREATE, "commit_then_drop").await;
    r.fault(json!({"route": LOOKUP, "fault": "reset_before_commit", "count": 50}))
        .await;
    let out = r.withdraw("j-unknown", &card(20), "10.00").await;
    assert_eq!(seen(&out), (3, "unknown"), "{}", out.1);
    let journal = out.1["journal"].as_str().unwrap().to_owned();
    assert!(journal.ends_with("/pay/journal.sqlite"), "{journal}");
    assert!(journal.starts_with(&format!("sqlite:{}", r.data.display())));

    // Listed: unknown, the account masked, the request never printed.
    let (code, lines) = r.journal(&["list"]).await;
    assert_eq!(code, 0);
    assert_eq!(lines.len(), 1, "{lines:?}");
    let listed = &lines[0];
    assert_eq!(listed["key"], "qostiq/withdraw/j-unknown");
    assert_eq!(listed["state"], "unknown");
    assert_eq!(listed["terms"]["account"], "****0020");
    assert_eq!(listed["evidence"]["sends"], 1);
    assert!(!serde_json::to_string(&lines).unwrap().contains(&card(20)));

    // Another amount under the id: refused before sending, naming the field.
    let out = r.withdraw("j-unknown", &card(20), "11.00").await;
    assert_eq!((out.0, out.1.clone()), (2, Value::Null));

    // The lookups heal; `pay journal resume` settles it: adopted, exit 0, one payout.
    r.sandbox
        .admin()
        .call(Method::DELETE, "/faults", None)
        .await
        .unwrap();
    let (code, lines) = r.journal(&["resume"]).await;
    assert_eq!(code, 0, "{lines:?}");
    assert_eq!(lines[0]["key"], "qostiq/withdraw/j-unknown");
    assert_eq!(lines[0]["outcome"], "adopted");
    assert_eq!(lines.last().unwrap()["unknown"], 0);
    assert_eq!(r.withdrawals("j-unknown").await.len(), 1);
    let (_, lines) = r.journal(&["list"]).await;
    assert!(lines.is_empty(), "{lines:?}");
    let (_, lines) = r.journal(&["list", "--all"]).await;
    assert_eq!(lines[0]["outcome"], "adopted");
    assert_eq!(lines[0]["exists"], true);

    // The same command again: answered from the journal's intent (a lookup), never sent again.
    let out = r.withdraw("j-unknown", &card(20), "10.00").await;
    assert_eq!(seen(&out), (0, "adopted"), "{}", out.1);
    assert_eq!(r.withdrawals("j-unknown").await.len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_journal_refuses_the_payout_before_anything_is_sent() {
    let r = Rig::start().await;
    let mut args: Vec<String> = [
        "qostiq",
        "withdraw-create",
        "--base-url",
        &r.sandbox.qostiq_base_url(),
        "--payway",
        "card_uah",
        "--account",
        &card(30),
        "--amount",
        "10.00",
        "--currency",
        "UAH",
        "--shop-payment-id",
        "j-down",
        "--journal",
        "postgres://nobody@127.0.0.1:1/pay",
    ]
    .map(str::to_owned)
    .to_vec();
    args.extend(TIMING.map(str::to_owned));
    let out = r.pay(args).await;
    assert_eq!(seen(&out), (1, "not_sent"), "{}", out.1);
    assert!(
        out.1["error"]
            .as_str()
            .unwrap()
            .contains("no journal, no payout"),
        "{}",
        out.1
    );
    assert!(r.withdrawals("j-down").await.is_empty());
    // A malformed journal URL is a usage error.
    let out = r
        .pay(
            ["journal", "list", "--journal", "mysql://x"]
                .map(str::to_owned)
                .to_vec(),
        )
        .await;
    assert_eq!(out.0, 2);
}

// ---- two instances resuming one journal at once ------------------------------------------------

/// Journals `n` withdrawals as processes that died after sending left them (the attempt recorded,
/// no answer), the even ones applied by the sandbox, with leases that expired: what two resumers
/// then share.
async fn crashed_intents(r: &Rig, journal: &str, n: u32) -> Vec<(String, String)> {
    use pay_qostiq::client::QostiqClient;
    use pay_qostiq::withdrawals::{CreateWithdraw, WithdrawAmountType};
    use pay_qostiq::{Currency, Payway, ShopId};
    use pay_store::{Begin, EvidenceKind, IntentJournal, IntentKey, OwnerId, StoreConfig};

    let store = journal
        .parse::<StoreConfig>()
        .unwrap()
        .open()
        .await
        .unwrap();
    let creds = r.sandbox.credentials();
    let unjournaled = QostiqClient::builder(
        ShopId::new(creds.qostiq_shop_id).unwrap(),
        creds.qostiq_secret.clone(),
    )
    .base_url(r.sandbox.qostiq_base_url().parse().unwrap())
    .executor(|e| e.floors(Floors::below_provider_minimums_for_sandbox(Duration::ZERO)))
    .build()
    .unwrap();
    let dead = OwnerId::new("dead-process").unwrap();
    let mut intents = Vec::new();
    for i in 0..n {
        let id = format!("two-{i}");
        let request = CreateWithdraw::new(
            card(200 + i),
            "10.00".parse().unwrap(),
            WithdrawAmountType::PsAmount,
            Payway::new("card_uah").unwrap(),
            Currency::Uah,
            id.as_str(),
        );
        let key = IntentKey::new(pay_core::error::Provider::Qostiq, "withdraw", id.as_str());
        let payload = pay_transport::journal::payload_of(&request);
        let Begin::Created(lease) = store
            .begin(&key, &payload, &dead, Duration::from_millis(300))
            .await
            .unwrap()
        else {
            panic!("fresh key {id}")
        };
        store
            .record(
                &lease,
                EvidenceKind::Attempt,
                &json!({"send": "started", "at": "2024-01-01T00:00:00Z", "attempt": 1}),
            )
            .await
            .unwrap();
        if i % 2 == 0 {
            let applied = unjournaled.create_withdraw(&request).await;
            assert_eq!(applied.name().as_str(), "created");
        }
        intents.push((key.to_string(), id));
    }
    tokio::time::sleep(Duration::from_millis(400)).await;
    intents
}

/// Two `pay journal resume` processes at once on `journal`: every intent driven by exactly one,
/// every payout made once.
async fn two_resumers_drive_each_intent_once(journal: String) {
    const N: u32 = 24;
    let r = Rig::start().await;
    let intents = crashed_intents(&r, &journal, N).await;
    let creates_before = r.create_requests().await;
    let args = ["resume", "--journal", journal.as_str()];
    let ((code_a, lines_a), (code_b, lines_b)) = tokio::join!(r.journal(&args), r.journal(&args));
    assert!(
        [0, 3].contains(&code_a) && [0, 3].contains(&code_b),
        "{lines_a:?} {lines_b:?}"
    );
    let mut driven: std::collections::HashMap<String, Vec<String>> = Default::default();
    for line in lines_a.iter().chain(&lines_b) {
        if let (Some(key), Some(outcome)) = (line["key"].as_str(), line["outcome"].as_str()) {
            if outcome != "unknown" {
                driven
                    .entry(key.to_owned())
                    .or_default()
                    .push(outcome.to_owned());
            } else {
                // The other process held it: reported, not driven.
                assert!(
                    line["error"]
                        .as_str()
                        .unwrap_or("")
                        .contains("being driven by"),
                    "{line}"
                );
            }
        }
    }
    for (i, (key, id)) in intents.iter().enumerate() {
        let expected = if i % 2 == 0 { "adopted" } else { "recreated" };
        assert_eq!(driven.get(key), Some(&vec![expected.to_owned()]), "{key}");
        assert_eq!(r.withdrawals(id).await.len(), 1, "{id}");
    }
    // Only the unapplied half was sent again, once each.
    assert_eq!(r.create_requests().await - creates_before, u64::from(N / 2));
    let (_, unfinished) = r.journal(&["list", "--journal", journal.as_str()]).await;
    assert!(unfinished.is_empty(), "{unfinished:?}");
}

impl Rig {
    /// Requests the sandbox received on `/qostiq/withdraw/create`.
    async fn create_requests(&self) -> u64 {
        let stats = self.sandbox.admin().get("/requests").await.unwrap();
        stats["routes"][CREATE]["received"].as_u64().unwrap_or(0)
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_processes_resuming_one_sqlite_journal_drive_each_intent_once() {
    let dir = pay_store::testing::TempDir::new().unwrap();
    two_resumers_drive_each_intent_once(dir.sqlite_url("journal.sqlite")).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_processes_resuming_one_postgres_journal_drive_each_intent_once() {
    let Some(base) = pay_store::testing::postgres_url() else {
        return;
    };
    let url = pay_store::testing::fresh_schema(&base).await.unwrap();
    two_resumers_drive_each_intent_once(url).await;
}
