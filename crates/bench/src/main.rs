//! `switchboard-bench`: starts the release server on loopback with a fresh SQLite database,
//! the mock provider with zero status delays and durable commits (production settings), runs
//! every scenario, prints one Markdown table and writes it into `docs/benchmarks.md`.

mod api;
mod cloud_payloads;
mod database;
mod driver;
mod fixtures;
mod probe;
mod recording_cloud;
mod report;
mod scenarios;
mod server;
mod soak;
mod wal_watch;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use clap::Parser;

use crate::database::Database;
use crate::report::{Machine, Row, per_second, thousands};
use crate::scenarios::{Bench, Scale};
use crate::server::{Launch, Server};

#[derive(Debug, Parser)]
#[command(about = "Benchmark Switchboard on this machine and record the figures")]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    /// The server binary to measure (build it with `cargo build --release -p switchboard`).
    #[arg(long, default_value = "target/release/switchboard")]
    server: PathBuf,
    /// Where the table goes, between its markers (created when missing).
    #[arg(long, default_value = "docs/benchmarks.md")]
    out: PathBuf,
    /// A smoke run at a fraction of the load; prints but writes nothing.
    #[arg(long)]
    quick: bool,
    /// Only the ceiling and webhook ingest (on PostgreSQL with rows 2b and 2c), at the chosen
    /// scale; prints but writes nothing: for working on the write path.
    #[arg(long)]
    ingest_only: bool,
    /// Business numbers the traffic is spread over.
    #[arg(long, default_value_t = 4)]
    numbers: usize,
    /// Also write the fixed-rate scenario's requests here as CSV (when each was due, in
    /// milliseconds since the Unix epoch, and its latency in microseconds), to line its
    /// stalls up with the server's log.
    #[arg(long)]
    timeline: Option<PathBuf>,
    /// The database the server runs on. With `postgres`, a fresh database on the server
    /// `--postgres-server` names; the run then also measures webhook ingest on SQLite (the
    /// ratio's denominator) and on two instances sharing the database.
    #[arg(long, value_enum, default_value_t = BackendChoice::Sqlite)]
    backend: BackendChoice,
    /// A PostgreSQL server whose user may create databases (`make bench BACKEND=postgres`
    /// starts a throwaway one with durable commits and sets the variable).
    #[arg(long, env = "SWITCHBOARD_TEST_DATABASE_URL")]
    postgres_server: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum BackendChoice {
    Sqlite,
    Postgres,
}

#[derive(Debug, clap::Subcommand)]
enum Command {
    /// Bulk-load conversations and messages into a data directory's database (not over HTTP).
    LoadFixtures {
        /// The server's data directory (`SWITCHBOARD_DATA_DIR`); stop the server first.
        #[arg(long)]
        data_dir: PathBuf,
        /// The server's PostgreSQL database instead of the data directory's SQLite one.
        #[arg(long)]
        database_url: Option<String>,
        #[arg(long, default_value_t = 100_000)]
        conversations: usize,
        #[arg(long, default_value_t = 1_000_000)]
        messages: usize,
        /// Business numbers to spread them over (missing ones are created).
        #[arg(long, default_value_t = 4)]
        numbers: usize,
    },
    /// The crash probe (a CI check): kill -9 the server under webhook load, while it dispatches
    /// replies in cloud mode, and in mock mode; fails unless nothing acknowledged was lost.
    ProbeCrash {
        /// Kills per part, on one data directory each.
        #[arg(long, default_value_t = 4)]
        rounds: usize,
        /// A PostgreSQL server whose user may create databases, for the two-instance part
        /// (`make probe-crash` starts a throwaway one); skipped without it.
        #[arg(long, env = "SWITCHBOARD_TEST_DATABASE_URL")]
        postgres_server: Option<String>,
    },
    /// Slow request bodies against the server while `/healthz` must keep answering (a CI check).
    ProbeSlowClients(probe::slow_clients::SlowClients),
    /// Sustained webhook ingest with a small WAL limit: the log stays near its limit, is
    /// emptied once the load stops and after a clean shutdown (a CI check).
    ProbeWal(probe::wal::WalProbe),
    /// Mixed load at a steady rate for minutes (`make soak`, not in CI): prints memory, WAL
    /// size and p99 each minute; fails unless memory stays flat.
    Soak(soak::Soak),
}

impl BackendChoice {
    /// The markers its table is written between, so each backend's run keeps the other's.
    fn markers(self) -> (&'static str, &'static str) {
        match self {
            Self::Sqlite => (
                "<!-- bench:begin (written by `make bench`; edit outside the markers) -->",
                "<!-- bench:end -->",
            ),
            Self::Postgres => (
                "<!-- bench:postgres:begin (written by `make bench BACKEND=postgres`; edit \
                 outside the markers) -->",
                "<!-- bench:postgres:end -->",
            ),
        }
    }
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    if let Some(Command::LoadFixtures {
        data_dir,
        database_url,
        conversations,
        messages,
        numbers,
    }) = &cli.command
    {
        let started = std::time::Instant::now();
        let fixtures = fixtures::Fixtures {
            conversations: *conversations,
            messages: *messages,
            numbers: *numbers,
        };
        let db = match database_url {
            Some(url) => Database::Postgres(url.clone()),
            None => Database::sqlite(data_dir),
        };
        let stored = runtime.block_on(fixtures::load(&db, fixtures))?;
        println!(
            "stored {} messages in {:.1} s",
            thousands(stored as u64),
            started.elapsed().as_secs_f64()
        );
        return Ok(());
    }
    if let Some(Command::ProbeCrash {
        rounds,
        postgres_server,
    }) = &cli.command
    {
        return runtime.block_on(probe::crash::run(
            &cli.server,
            *rounds,
            postgres_server.as_deref(),
        ));
    }
    if let Some(Command::ProbeSlowClients(probe)) = &cli.command {
        return runtime.block_on(probe.run());
    }
    if let Some(Command::ProbeWal(probe)) = &cli.command {
        return runtime.block_on(probe.run());
    }
    if let Some(Command::Soak(soak)) = &cli.command {
        return runtime.block_on(soak.run());
    }
    let (rows, notes) = runtime.block_on(run(&cli))?;
    let table = report::table(&rows);
    println!("\n{table}");
    for note in &notes {
        println!("- {note}");
    }
    if !cli.quick && !cli.ingest_only {
        let document = report::document(&rows, &Machine::this_one(), &commit(), &notes);
        write_between_markers(&cli.out, cli.backend.markers(), &document)?;
        println!("\nwritten to {}", cli.out.display());
    }
    Ok(())
}

/// Rows 3, 4 and 7: status ingest, sends and webhook ingest at a fixed rate.
async fn other_writes(
    bench: &Bench,
    cli: &Cli,
    ceiling_rate: f64,
    rows: &mut Vec<Row>,
    notes: &mut Vec<String>,
) -> anyhow::Result<()> {
    let scale = bench.scale;
    let c = scale.concurrency;
    eprintln!("status ingest");
    let statuses = bench.status_ingest().await.context("status ingest")?;
    let updates = statuses.items_per_second();
    rows.push(Row::from_outcome(
        "3. status ingest (100 statuses per signed delivery)",
        &statuses,
        format!("{} req, {c} conc.", thousands(statuses.requests)),
        per_second(updates, "updates"),
        Some(ceiling_rate),
        verdict(updates >= 100_000.0, "≥ 100,000 updates/s"),
    ));

    eprintln!("send");
    let (send, drained, unsettled) = bench.send().await.context("send")?;
    if unsettled > 0 {
        notes.push(format!(
            "Send: {} replies were still waiting for the mock's status webhooks two minutes \
         after the last was accepted.",
            thousands(unsettled as u64)
        ));
    }
    let sends = send.requests_per_second();
    rows.push(Row::from_outcome(
        "4. send: `POST /conversations/{id}/messages` → 202",
        &send,
        format!("{} req, {c} conc.", thousands(send.requests)),
        per_second(sends, "req"),
        Some(ceiling_rate),
        verdict(sends >= 10_000.0, "≥ 10,000 req/s, all accepted"),
    ));
    notes.push(format!(
        "Send: every one of the {} replies was accepted by the mock {:.2} s after the first \
     was posted ({} messages/s through the dispatcher).",
        thousands(send.requests),
        drained.as_secs_f64(),
        thousands((send.requests as f64 / drained.as_secs_f64()).round() as u64),
    ));

    eprintln!("fixed rate");
    let steady = bench.fixed_rate_ingest().await;
    if let Some(path) = &cli.timeline {
        report::write_timeline(path, &steady)?;
    }
    let p99 = steady.quantile(0.99);
    rows.push(Row::from_outcome(
        "7. fixed rate: webhook ingest",
        &steady,
        format!(
            "{} events/s for {} s",
            thousands(u64::from(scale.fixed_rate)),
            scale.fixed_rate_for.as_secs()
        ),
        per_second(steady.items_per_second(), "events"),
        Some(ceiling_rate),
        verdict(p99 <= Duration::from_millis(10), "p99 ≤ 10 ms"),
    ));
    Ok(())
}

async fn run(cli: &Cli) -> anyhow::Result<(Vec<Row>, Vec<String>)> {
    let scale = if cli.quick { Scale::QUICK } else { Scale::FULL };
    // The server runs in its data directory, so a relative path would no longer name it.
    let binary = std::fs::canonicalize(&cli.server).with_context(|| {
        format!(
            "no server binary at {} (cargo build --release -p switchboard)",
            cli.server.display()
        )
    })?;
    let data = tempfile::tempdir()?;
    let db = match cli.backend {
        BackendChoice::Sqlite => Database::sqlite(data.path()),
        BackendChoice::Postgres => {
            let server = cli.postgres_server.as_deref().context(
                "--backend postgres needs --postgres-server or SWITCHBOARD_TEST_DATABASE_URL \
                 (make bench BACKEND=postgres starts a throwaway server)",
            )?;
            Database::fresh_postgres(server)?
        }
    };
    let launch = Launch::with_env(&db.server_env());
    let server = Server::start_with(&binary, data.path(), &launch).await?;
    // The whole run, fixture load included, at the default log limit.
    let wal = (!db.is_postgres()).then(|| {
        wal_watch::WalWatch::start(
            data.path(),
            switchboard_store::WalSettings::DEFAULT_LIMIT_BYTES,
        )
    });
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(512)
        .timeout(Duration::from_secs(30))
        .build()?;
    let api = api::Api::sign_in(client, &server.base).await?;
    // Set up outside the timed part.
    let mut numbers = Vec::new();
    for n in 0..cli.numbers {
        numbers.push(api.create_number(n).await?);
    }
    let bench = Bench {
        api,
        numbers: Arc::new(numbers),
        db,
        scale,
    };
    let c = scale.concurrency;
    let mut rows = Vec::new();
    let mut notes = Vec::new();

    eprintln!("ceiling: GET /healthz");
    let ceiling = bench.ceiling().await;
    let ceiling_rate = ceiling.requests_per_second();
    rows.push(Row::from_outcome(
        "1. ceiling: `GET /healthz`",
        &ceiling,
        format!("{} req, {c} conc.", thousands(ceiling.requests)),
        per_second(ceiling_rate, "req"),
        None,
        "—".to_owned(),
    ));

    eprintln!("webhook ingest");
    let ingest = bench.webhook_ingest().await.context("webhook ingest")?;
    let events = ingest.items_per_second();
    let ingest_target = if bench.db.is_postgres() {
        // Judged against SQLite in the same run (row 2b) once that has been measured.
        "≥ 8,000 events/s and ≥ 0.50 × SQLite (2b)".to_owned()
    } else {
        verdict(
            events >= 20_000.0 && events >= 0.3 * ceiling_rate,
            "≥ 20,000 events/s and ≥ 0.30 × ceiling",
        )
    };
    rows.push(Row::from_outcome(
        "2. webhook ingest (1 message per signed delivery)",
        &ingest,
        format!("{} req, {c} conc.", thousands(ingest.requests)),
        per_second(events, "events"),
        Some(ceiling_rate),
        ingest_target,
    ));

    if !cli.ingest_only {
        other_writes(&bench, cli, ceiling_rate, &mut rows, &mut notes).await?;
    }

    if bench.db.is_postgres() {
        eprintln!("webhook ingest on two instances");
        let twin = tempfile::tempdir()?;
        let second = Server::start_with(&binary, twin.path(), &launch).await?;
        let bases = [server.base.clone(), second.base.clone()];
        let both = bench
            .webhook_ingest_across(&bases, "twin")
            .await
            .context("webhook ingest on two instances")?;
        let rate = both.items_per_second();
        rows.push(Row::from_outcome(
            "2c. webhook ingest, two instances on the database",
            &both,
            format!("{} req, {c} conc.", thousands(both.requests)),
            per_second(rate, "events"),
            Some(ceiling_rate),
            verdict(rate >= events, "≥ one instance (2)"),
        ));
        drop(second);

        eprintln!("webhook ingest on SQLite, for the ratio");
        let reference = sqlite_ingest(&binary, &bench).await?;
        let sqlite_events = reference.items_per_second();
        rows.push(Row::from_outcome(
            "2b. webhook ingest on SQLite (same run, the reference)",
            &reference,
            format!("{} req, {c} conc.", thousands(reference.requests)),
            per_second(sqlite_events, "events"),
            Some(ceiling_rate),
            "—".to_owned(),
        ));
        if let Some(row) = rows.iter_mut().find(|r| r.scenario.starts_with("2. ")) {
            row.target = verdict(
                events >= 8_000.0 && events >= 0.5 * sqlite_events,
                &format!(
                    "≥ 8,000 events/s and ≥ 0.50 × SQLite (2b; here {:.2})",
                    events / sqlite_events
                ),
            );
        }
    }

    if cli.ingest_only {
        rows.sort_by_key(|r| r.scenario.chars().next());
        return Ok((rows, notes));
    }

    let writing_peak = server.memory()?.peak;
    drop(server);

    eprintln!("loading the read-path fixture");
    let loading = std::time::Instant::now();
    let fixture = fixtures::Fixtures {
        conversations: scale.fixture_conversations,
        messages: scale.fixture_messages,
        numbers: cli.numbers,
    };
    let stored = fixtures::load(&bench.db, fixture).await?;
    notes.push(format!(
        "Read path: {} fixture messages in {} conversations loaded in {:.1} s by \
         `switchboard-bench load-fixtures` (the webhook ingestion code, 5,000 messages a \
         transaction), on top of what the write scenarios stored; reads at concurrency {}.",
        thousands(stored as u64),
        thousands(scale.fixture_conversations as u64),
        loading.elapsed().as_secs_f64(),
        scale.read_concurrency,
    ));
    let server = Server::start_with(&binary, data.path(), &launch).await?;
    let bench = Bench {
        api: api::Api::sign_in(bench.api.client.clone(), &server.base).await?,
        ..bench
    };
    tokio::time::sleep(Duration::from_secs(1)).await;
    let idle_after_load = server.memory()?.current;
    for read in bench.reads().await? {
        eprintln!("read path: {}", read.name);
        let outcome = bench.read(&read).await;
        let p99 = outcome.quantile(0.99);
        rows.push(Row::from_outcome(
            &format!("5. read: {}", read.name),
            &outcome,
            format!(
                "{} req, {} conc.",
                thousands(outcome.requests),
                scale.read_concurrency
            ),
            per_second(outcome.requests_per_second(), "req"),
            Some(ceiling_rate),
            read_target(&bench.db, p99),
        ));
    }
    let reading_peak = server.memory()?.peak;
    const MIB: u64 = 1024 * 1024;
    rows.push(Row::whole_run(
        "6. memory: server RSS",
        format!(
            "peak {} MiB writing, {} MiB reading at {} messages; {} MiB idle after the load",
            writing_peak / MIB,
            reading_peak / MIB,
            thousands(stored as u64),
            idle_after_load / MIB,
        ),
        verdict(
            writing_peak.max(reading_peak) <= 150 * 1000 * 1000,
            "≤ 150 MB",
        ),
    ));
    drop(server);
    if let Some(wal) = wal {
        let wal = wal.stop().await;
        let wal_limit = switchboard_store::WalSettings::DEFAULT_LIMIT_BYTES;
        rows.push(Row::whole_run(
            "8. SQLite write-ahead log",
            format!(
                "high-water {} (limit {}), cut back {} times",
                wal_watch::mib(wal.high_water),
                wal_watch::mib(wal_limit),
                thousands(wal.shrinks),
            ),
            verdict(
                wal.high_water <= wal_limit + wal_limit / 4,
                "≤ 1.25 × the limit",
            ),
        ));
    }
    // In the order; scenarios ran in the order their set-up needs.
    rows.sort_by_key(|r| r.scenario.chars().next());
    Ok((rows, notes))
}

/// The webhook scenario on a server of its own on SQLite, with the same numbers and load: the
/// denominator of PostgreSQL's ingest target, measured on the same machine in the same run.
async fn sqlite_ingest(binary: &Path, on_postgres: &Bench) -> anyhow::Result<driver::Outcome> {
    let data = tempfile::tempdir()?;
    let server = Server::start(binary, data.path()).await?;
    let api = api::Api::sign_in(on_postgres.api.client.clone(), &server.base).await?;
    let mut numbers = Vec::new();
    for n in 0..on_postgres.numbers.len() {
        numbers.push(api.create_number(n).await?);
    }
    let bench = Bench {
        api,
        numbers: Arc::new(numbers),
        db: Database::sqlite(data.path()),
        scale: on_postgres.scale,
    };
    bench
        .webhook_ingest()
        .await
        .context("webhook ingest on SQLite")
}

/// Reads answer from an index on either backend; PostgreSQL's bound is looser for the round
/// trips to another process that SQLite, in the server's own, does not make.
fn read_target(db: &Database, p99: Duration) -> String {
    if db.is_postgres() {
        verdict(p99 <= Duration::from_millis(10), "p99 ≤ 10 ms")
    } else {
        verdict(p99 <= Duration::from_millis(5), "p99 ≤ 5 ms")
    }
}

fn verdict(met: bool, target: &str) -> String {
    format!("{target}: **{}**", if met { "met" } else { "missed" })
}

fn commit() -> String {
    let git = |args: &[&str]| {
        std::process::Command::new("git")
            .args(args)
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
    };
    let hash = git(&["rev-parse", "--short", "HEAD"]).unwrap_or_else(|| "unknown".to_owned());
    let dirty =
        git(&["status", "--porcelain", "--untracked-files=no"]).is_some_and(|s| !s.is_empty());
    if dirty {
        format!("{hash} + uncommitted changes")
    } else {
        hash
    }
}

/// Replaces what is between the markers (or appends them) and keeps the rest of the file,
/// where the analysis of the figures lives.
fn write_between_markers(
    path: &Path,
    (begin_marker, end_marker): (&str, &str),
    section: &str,
) -> anyhow::Result<()> {
    let existing = std::fs::read_to_string(path).unwrap_or_else(|_| "# Benchmarks\n\n".to_owned());
    let block = format!("{begin_marker}\n{section}{end_marker}");
    let updated = match (existing.find(begin_marker), existing.find(end_marker)) {
        (Some(begin), Some(end)) if end > begin => {
            format!(
                "{}{block}{}",
                &existing[..begin],
                &existing[end + end_marker.len()..]
            )
        }
        _ => format!("{}\n\n{block}\n", existing.trim_end()),
    };
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(path, updated).with_context(|| format!("cannot write {}", path.display()))
}
