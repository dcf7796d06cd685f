//! The payout journal on the command line: the `--journal` option of the payout commands, and
//! `pay journal list | resume`.
//!
//! Every payout command journals (written before it is sent; see `pay_transport::journal`), in
//! `--journal URL` or `PAY_JOURNAL`: `sqlite:PATH`, `postgres://user@host:5432/db`, or `memory:`
//! (forgotten when the command exits: for throwaway use). The default is a SQLite file in the
//! user's data directory: `$XDG_DATA_HOME/pay/journal.sqlite`, else
//! `$HOME/.local/share/pay/journal.sqlite` (the directory is created, readable by the user only).
//! The file holds each payout's full request, account numbers included: keep it as private as the
//! credentials.
//!
//! * `pay journal list [--all] [--limit N]`: one JSON object per line for each intent not final
//!   (with `--all`, every intent): key, state, outcome, terms (accounts masked), the outcome's
//!   details and a summary of the evidence. Never the stored request.
//! * `pay journal resume`: drives every unfinished intent now (looked up before anything is sent
//!   again, never under a new id), one JSON line per intent, then a summary line. Exit 0 when every
//!   intent resolved (it exists as asked, or nothing exists), 3 if any is still unknown (or held by
//!   a running process, or of a provider without credentials), 4 if any is a conflict.

use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Args, Subcommand};
use pay_core::recovery::{OutcomeName, StepAction, StepResult};
use pay_store::{Intent, IntentJournal, Listing, Store, StoreConfig};
use pay_transport::client::{self, ProviderClient};
use pay_transport::journal::{Journal, OwnerId, Resumed, evidence_of, intent_of};
use serde_json::{Map, Value, json};

use crate::api::{self, CoinqvestCredentials, QostiqCredentials, RecoveryArgs};
use crate::{fail, payout};

/// Where payouts are journaled (the payout commands and `pay journal`).
#[derive(Debug, Args)]
pub(crate) struct JournalArgs {
    /// The journal: `sqlite:PATH`, `postgres://user:password@host:5432/db`, or `memory:`
    /// (forgotten at exit). Default: `$XDG_DATA_HOME/pay/journal.sqlite`, else
    /// `$HOME/.local/share/pay/journal.sqlite`. Prefer `PAY_JOURNAL` for a URL with a password.
    #[arg(long, env = "PAY_JOURNAL", hide_env_values = true)]
    journal: Option<String>,
    /// How long this process holds an intent it drives before another may take it over after a
    /// crash (renewed before every step; default twice the timeout plus 5 s, at least 60 s).
    #[arg(long, value_parser = api::duration)]
    journal_lease: Option<Duration>,
}

/// An opened journal.
pub(crate) struct Opened {
    store: Store,
    /// The URL, without any password.
    pub(crate) shown: String,
    lease: Option<Duration>,
}

/// Why the journal could not be opened.
pub(crate) enum OpenError {
    /// A bad URL, or no default location: exit 2.
    Usage(String),
    /// The store cannot be reached: payouts refuse to start.
    Unavailable(String),
}

impl JournalArgs {
    /// Opens the journal (creating the default directory and file when needed).
    pub(crate) async fn open(&self) -> Result<Opened, OpenError> {
        let url = match &self.journal {
            Some(url) => url.clone(),
            None => default_url().map_err(OpenError::Usage)?,
        };
        let config: StoreConfig = url
            .parse()
            .map_err(|e| OpenError::Usage(format!("--journal: {e}")))?;
        let shown = config.to_string();
        let store = config
            .open()
            .await
            .map_err(|e| OpenError::Unavailable(format!("journal {shown}: {e}")))?;
        Ok(Opened {
            store,
            shown,
            lease: self.journal_lease,
        })
    }
}

impl Opened {
    /// The journal of a client of this process.
    pub(crate) fn journal(&self) -> Journal {
        let journal = Journal::new(self.store.clone()).owner(OwnerId::unique("pay-cli"));
        match self.lease {
            Some(lease) => journal.lease(lease),
            None => journal,
        }
    }

    /// The store (for shared polling turns).
    pub(crate) fn store(&self) -> Store {
        self.store.clone()
    }
}

/// `$XDG_DATA_HOME/pay/journal.sqlite`, else `$HOME/.local/share/pay/journal.sqlite`, the directory
/// created (mode 0700).
fn default_url() -> Result<String, String> {
    let absolute = |name: &str| {
        std::env::var_os(name)
            .map(PathBuf::from)
            .filter(|p| p.is_absolute())
    };
    let base = absolute("XDG_DATA_HOME")
        .or_else(|| absolute("HOME").map(|home| home.join(".local").join("share")))
        .ok_or_else(|| {
            "no journal location: set --journal (or PAY_JOURNAL), XDG_DATA_HOME or HOME".to_owned()
        })?;
    let dir = base.join("pay");
    std::fs::create_dir_all(&dir)
        .map_err(|e| format!("cannot create {}: {e} (set --journal)", dir.display()))?;
    restrict(&dir)?;
    Ok(format!("sqlite:{}", dir.join("journal.sqlite").display()))
}

#[cfg(unix)]
fn restrict(dir: &std::path::Path) -> Result<(), String> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
        .map_err(|e| format!("cannot restrict {}: {e}", dir.display()))
}

#[cfg(not(unix))]
fn restrict(_: &std::path::Path) -> Result<(), String> {
    Ok(())
}

/// `pay journal …`.
#[derive(Debug, Subcommand)]
pub(crate) enum JournalCommand {
    /// One JSON line per intent not final (every intent with `--all`): state, outcome, terms
    /// (accounts masked), evidence summary.
    List(ListArgs),
    /// Drives every unfinished intent to an outcome (never a second payout, never a new id).
    Resume(ResumeArgs),
}

/// `pay journal list`.
#[derive(Debug, Args)]
pub(crate) struct ListArgs {
    #[command(flatten)]
    journal: JournalArgs,
    /// Every intent, final ones included.
    #[arg(long)]
    all: bool,
    /// At most this many intents, oldest first.
    #[arg(long, default_value_t = 1000)]
    limit: u32,
}

/// `pay journal resume`.
#[derive(Debug, Args)]
pub(crate) struct ResumeArgs {
    #[command(flatten)]
    journal: JournalArgs,
    #[command(flatten)]
    qostiq: QostiqCredentials,
    #[command(flatten)]
    coinqvest: CoinqvestCredentials,
    #[command(flatten)]
    recovery: RecoveryArgs,
    /// Per-attempt timeout: seconds (`30`), or with a unit (`30s`, `500ms`).
    #[arg(long, default_value = "30", value_parser = api::duration)]
    timeout: Duration,
}

/// Runs `pay journal …`.
pub(crate) fn run(command: JournalCommand) -> ExitCode {
    crate::block_on(tokio::runtime::Builder::new_current_thread(), async move {
        match command {
            JournalCommand::List(args) => list(args).await,
            JournalCommand::Resume(args) => resume(args).await,
        }
    })
}

fn open_error(e: OpenError) -> ExitCode {
    match e {
        OpenError::Usage(message) => fail(payout::EXIT_USAGE, &message),
        OpenError::Unavailable(message) => fail(payout::EXIT_UNKNOWN, &message),
    }
}

/// Writes `lines` to standard output, one JSON value per line.
fn print(lines: &[Value]) -> Result<(), ExitCode> {
    let mut out = std::io::stdout().lock();
    for line in lines {
        if writeln!(out, "{line}").is_err() {
            return Err(ExitCode::from(payout::EXIT_USAGE));
        }
    }
    Ok(())
}

async fn list(args: ListArgs) -> ExitCode {
    let opened = match args.journal.open().await {
        Ok(opened) => opened,
        Err(e) => return open_error(e),
    };
    let listing = if args.all {
        Listing::All
    } else {
        Listing::Unfinished
    };
    let intents = match opened.store.list(listing, args.limit).await {
        Ok(intents) => intents,
        Err(e) => return fail(payout::EXIT_UNKNOWN, &format!("journal: {e}")),
    };
    let mut lines = Vec::with_capacity(intents.len());
    for intent in intents {
        match opened.store.get(&intent.key).await {
            Ok(Some(record)) => lines.push(listed(&record)),
            Ok(None) => {}
            Err(e) => return fail(payout::EXIT_UNKNOWN, &format!("journal: {e}")),
        }
    }
    match print(&lines) {
        Ok(()) => ExitCode::SUCCESS,
        Err(code) => code,
    }
}

/// One intent as `pay journal list` prints it: never the stored request, accounts masked.
fn listed(record: &pay_store::IntentRecord) -> Value {
    let intent = &record.intent;
    let mut terms = Map::new();
    if let Some(asked) = intent_of(&intent.payload) {
        for field in &asked.fields {
            // `Display` masks account numbers.
            terms.insert(field.name.clone(), json!(field.value.to_string()));
        }
    }
    let outcome = intent.outcome.as_ref();
    let exists = outcome
        .and_then(|o| serde_json::from_value::<OutcomeName>(json!(o.name)).ok())
        .map(OutcomeName::exists);
    let evidence = match evidence_of(record) {
        Ok(evidence) => {
            let last = evidence.steps.last().map(|s| {
                let action = match s.action {
                    StepAction::Send => "send",
                    StepAction::Lookup => "lookup",
                };
                format!("{action}: {}", step_result(&s.result, s.ended.is_none()))
            });
            json!({
                "entries": record.evidence.len(),
                "sends": evidence.sends().count(),
                "lookups": evidence.lookups().count(),
                "last": last,
            })
        }
        Err(e) => json!({"entries": record.evidence.len(), "error": e.to_string()}),
    };
    let time = |t: time::OffsetDateTime| {
        t.format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default()
    };
    json!({
        "key": intent.key.to_string(),
        "provider": intent.key.provider.to_string(),
        "operation": intent.key.operation,
        "id": intent.key.intent_id,
        "state": intent.state.as_str(),
        "outcome": outcome.map(|o| o.name.clone()),
        "exists": exists.flatten(),
        "terms": terms,
        "detail": outcome.map(|o| o.detail.clone()),
        "evidence": evidence,
        "lease": intent.lease.as_ref().map(|l| json!({"owner": l.owner, "until": time(l.until)})),
        "created_at": time(intent.created_at),
        "updated_at": time(intent.updated_at),
        "due_at": time(intent.due_at),
        "finished_at": intent.finished_at.map(time),
    })
}

fn step_result(result: &StepResult, open: bool) -> String {
    if open {
        return "interrupted".to_owned();
    }
    match result {
        StepResult::Payout { verdict, .. } => match verdict {
            pay_core::recovery::Verdict::Same => "the same payout".to_owned(),
            pay_core::recovery::Verdict::Absent => "nothing done yet".to_owned(),
            pay_core::recovery::Verdict::Conflict { .. } => "another payout".to_owned(),
            pay_core::recovery::Verdict::InDoubt { .. } => "in doubt".to_owned(),
        },
        StepResult::NotFound => "not found".to_owned(),
        StepResult::Refused { status, .. } => format!("refused ({status})"),
        StepResult::NotSent { .. } => "not sent".to_owned(),
        StepResult::Unknown { .. } => "outcome unknown".to_owned(),
        StepResult::Failed { .. } => "failed".to_owned(),
    }
}

/// `pay journal resume`'s tally: the unfinished intents, what was driven, and what was skipped.
struct Resuming<'a> {
    unfinished: &'a [Intent],
    reports: &'a mut Vec<Resumed>,
    skipped: &'a mut Vec<(String, &'static str)>,
}

impl Resuming<'_> {
    /// Whether any unfinished intent is `provider`'s.
    fn has(&self, provider: pay_core::error::Provider) -> bool {
        self.unfinished.iter().any(|i| i.key.provider == provider)
    }

    /// Drives every unfinished intent of `C`'s provider now with `client`; without credentials
    /// (`Ok(None)`) its intents are skipped, with `missing` as the reason.
    async fn provider<C: ProviderClient>(
        &mut self,
        client: Result<Option<C>, String>,
        missing: &'static str,
    ) -> Result<(), ExitCode> {
        match client {
            Ok(Some(client)) => match client::resume_journal(&client, true).await {
                Ok(done) => self.reports.extend(done),
                Err(e) => return Err(fail(payout::EXIT_UNKNOWN, &format!("journal: {e}"))),
            },
            Ok(None) => self.skipped.extend(
                self.unfinished
                    .iter()
                    .filter(|i| i.key.provider == C::PROVIDER)
                    .map(|i| (i.key.to_string(), missing)),
            ),
            Err(message) => return Err(fail(payout::EXIT_USAGE, &message)),
        }
        Ok(())
    }
}

async fn resume(args: ResumeArgs) -> ExitCode {
    let opened = match args.journal.open().await {
        Ok(opened) => opened,
        Err(e) => return open_error(e),
    };
    let mut reports: Vec<Resumed> = Vec::new();
    let mut skipped: Vec<(String, &'static str)> = Vec::new();
    let unfinished = match opened.store.list(Listing::Unfinished, u32::MAX).await {
        Ok(intents) => intents,
        Err(e) => return fail(payout::EXIT_UNKNOWN, &format!("journal: {e}")),
    };
    let mut resumed = Resuming {
        unfinished: &unfinished,
        reports: &mut reports,
        skipped: &mut skipped,
    };
    if resumed.has(pay_core::error::Provider::Qostiq) {
        let client = args
            .qostiq
            .client(&args.recovery, args.timeout, Some(&opened));
        if let Err(code) = resumed
            .provider(
                client,
                "no Qostiq credentials (QOSTIQ_SHOP_ID, QOSTIQ_SECRET)",
            )
            .await
        {
            return code;
        }
    }
    if resumed.has(pay_core::error::Provider::Coinqvest) {
        let client =
            args.coinqvest
                .client(&args.qostiq, &args.recovery, args.timeout, Some(&opened));
        if let Err(code) = resumed
            .provider(
                client,
                "no COINQVEST credentials (COINQVEST_KEY, COINQVEST_SECRET)",
            )
            .await
        {
            return code;
        }
    }
    let mut lines: Vec<Value> = reports
        .iter()
        .map(|r| {
            json!({
                "key": r.key.to_string(),
                "outcome": r.outcome.as_str(),
                "exists": r.outcome.exists(),
                "payout": r.payout,
                "error": r.error,
            })
        })
        .collect();
    lines.extend(skipped.iter().map(|(key, why)| {
        json!({"key": key, "outcome": "skipped", "exists": null, "payout": null, "error": why})
    }));
    let count = |name: OutcomeName| reports.iter().filter(|r| r.outcome == name).count();
    let (unknown, conflict) = (
        count(OutcomeName::Unknown) + skipped.len(),
        count(OutcomeName::Conflict),
    );
    lines.push(json!({
        "resumed": reports.len(),
        "unknown": unknown,
        "conflict": conflict,
        "journal": opened.shown,
    }));
    if let Err(code) = print(&lines) {
        return code;
    }
    ExitCode::from(if conflict > 0 {
        payout::EXIT_CONFLICT
    } else if unknown > 0 {
        payout::EXIT_UNKNOWN
    } else {
        payout::EXIT_EXISTS
    })
}
