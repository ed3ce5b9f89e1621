//! The `switchboard` command.

use std::io::{BufRead as _, IsTerminal as _};
use std::process::ExitCode;

use anyhow::Context as _;
use clap::{Parser, Subcommand, ValueEnum};
use switchboard::bootstrap::BootstrapReport;
use switchboard::config::Config;
use switchboard::server::{Application, open_store};
use switchboard_auth::{Argon2Hasher, HashCost};
use switchboard_domain::clock::SystemClock;
use switchboard_domain::users::model::{DisplayName, NewUser, Password, Role, Username};
use switchboard_domain::users::service::{UserAdmin, UserAdminError};

/// jemalloc instead of glibc's malloc, for Rust's allocations and (unprefixed `malloc`) for the
/// bundled SQLite's, with its background thread returning freed pages while the process idles.
/// glibc's per-thread arenas kept what the request, reader and writer threads freed: under a
/// steady mixed load the anonymous memory grew minute after minute and was not given back when
/// idle (the soak's figures are in docs/benchmarks.md).
///
/// Its options are compiled in (`.cargo/config.toml`; `MALLOC_CONF` overrides them): one arena
/// and freed pages returned after a second. A heap profile of the soak showed a live heap of at
/// most 35 MB, most of it SQLite's page caches, which each reader refills at every read
/// transaction after a write; with jemalloc's default of four arenas per core, each arena kept
/// its own freed pages and the resident memory swung between 85 and 200 MiB under a steady
/// load. With one arena (each thread's cache still takes most allocations) it stays flat.
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

#[derive(Debug, Parser)]
#[command(
    name = "switchboard",
    version,
    about = "WhatsApp customer-support backend",
    long_about = "WhatsApp customer-support backend. Configured by SWITCHBOARD_* environment \
                  variables (and a .env file in the working directory); see the README."
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Migrate the database, bootstrap the first admin, and serve the API (the default).
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Create a user (for example a second admin, or one to recover access).
    CreateUser {
        #[arg(long)]
        username: String,
        #[arg(long, value_enum)]
        role: RoleArg,
        /// Defaults to the username.
        #[arg(long)]
        display_name: Option<String>,
        /// Read the password from the first line of standard input instead of prompting.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Print the OpenAPI document (JSON) and exit.
    Openapi,
    /// Run the WhatsApp Cloud API simulator: a Graph API server for integration tests that
    /// posts signed webhooks to a callback (see the README). Reads no SWITCHBOARD_* settings.
    Simulator(SimulatorArgs),
}

#[derive(Debug, clap::Args)]
struct SimulatorArgs {
    /// Where to listen.
    #[arg(long, default_value = "127.0.0.1:9090")]
    bind: std::net::SocketAddr,
    /// The webhook to post messages and statuses to, e.g. http://127.0.0.1:8080/webhooks/whatsapp.
    #[arg(long)]
    callback_url: String,
    /// The Meta app secret the webhooks are signed with.
    #[arg(long)]
    app_secret: String,
    /// The token clients must send as `Authorization: Bearer <token>`.
    #[arg(long)]
    access_token: String,
    /// A business number, as PHONE_NUMBER_ID=DISPLAY_PHONE_NUMBER; repeatable. Default: the
    /// demo number.
    #[arg(long = "number", value_parser = parse_number)]
    numbers: Vec<(String, String)>,
    /// Milliseconds before the sent, delivered and read webhooks, e.g. 0,0,0.
    #[arg(long, value_parser = switchboard_simulator::mock::parse_status_delays)]
    status_delays_ms: Option<[std::time::Duration; 3]>,
    /// Enforce Meta's default throughput (80 messages/s per number) and pair limits.
    #[arg(long)]
    throughput_limits: bool,
}

fn parse_number(raw: &str) -> Result<(String, String), String> {
    let (id, display) = raw
        .split_once('=')
        .ok_or_else(|| "expected PHONE_NUMBER_ID=DISPLAY_PHONE_NUMBER".to_owned())?;
    if id.is_empty() || !id.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("{id:?} is not a numeric phone number id"));
    }
    Ok((id.to_owned(), display.to_owned()))
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum RoleArg {
    Admin,
    Agent,
    Viewer,
}

impl From<RoleArg> for Role {
    fn from(role: RoleArg) -> Self {
        match role {
            RoleArg::Admin => Role::Admin,
            RoleArg::Agent => Role::Agent,
            RoleArg::Viewer => Role::Viewer,
        }
    }
}

#[actix_web::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Some(Command::Simulator(args)) = cli.command {
        init_logging("info");
        return match simulator(args).await {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => fail(&format!("{e:#}")),
        };
    }
    if let Some(Command::Openapi) = cli.command {
        return match serde_json::to_string_pretty(&switchboard_http::api_doc()) {
            Ok(json) => {
                println!("{json}");
                ExitCode::SUCCESS
            }
            Err(e) => fail(&e),
        };
    }

    if let Err(e) = dotenvy::dotenv()
        && !e.not_found()
    {
        return fail(&format!(".env: {e}"));
    }
    let config = match Config::from_env() {
        Ok(config) => config,
        Err(e) => return fail(&e),
    };
    init_logging(&config.log);

    let result = match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(config).await,
        Command::Migrate => migrate(&config),
        Command::CreateUser {
            username,
            role,
            display_name,
            password_stdin,
        } => {
            create_user(
                &config,
                &username,
                role.into(),
                display_name,
                password_stdin,
            )
            .await
        }
        Command::Openapi | Command::Simulator(_) => {
            unreachable!("handled before configuration is read")
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(&format!("{e:#}")),
    }
}

fn fail(message: &dyn std::fmt::Display) -> ExitCode {
    eprintln!("switchboard: {message}");
    ExitCode::FAILURE
}

fn init_logging(filter: &str) {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new(filter))
        .with_target(false)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .init();
}

async fn serve(config: Config) -> anyhow::Result<()> {
    let bind = config.bind;
    let mut app = Application::build(config).await?;
    announce(&app.take_bootstrap_report());
    let host = match bind.ip() {
        ip if ip.is_unspecified() => "127.0.0.1".to_owned(),
        ip if ip.is_ipv6() => format!("[{ip}]"),
        ip => ip.to_string(),
    };
    println!("Switchboard is listening on http://{host}:{}", app.port());
    println!("  API docs: http://{host}:{}/docs", app.port());
    app.run_until_stopped().await?;
    Ok(())
}

/// Tells the operator, once, what the first-run bootstrap created.
fn announce(report: &BootstrapReport) {
    if let Some(admin) = &report.admin {
        match &admin.generated_password {
            Some(password) => println!(
                "Created the admin user {:?} with the generated password: {password}\n  \
                 (shown only this once; change it after signing in)",
                admin.username
            ),
            None => println!(
                "Created the admin user {:?} with the password from SWITCHBOARD_ADMIN_PASSWORD",
                admin.username
            ),
        }
        if admin.weak_password {
            tracing::warn!(
                "the bootstrap admin password is shorter than 8 characters: fine on a laptop, \
                 never on a server"
            );
        }
    }
    if let Some(number) = &report.demo_number {
        println!(
            "Created the demo business number {:?} ({}) on the mock WhatsApp provider",
            number.name, number.display_phone_number
        );
    }
}

async fn simulator(args: SimulatorArgs) -> anyhow::Result<()> {
    use switchboard_simulator::mock::DEMO_NUMBER;
    use switchboard_simulator::{DEFAULT_STATUS_DELAYS, SimulatorConfig, bind};

    let numbers = if args.numbers.is_empty() {
        vec![(
            DEMO_NUMBER.phone_number_id.to_owned(),
            DEMO_NUMBER.display_phone_number.to_owned(),
        )]
    } else {
        args.numbers
    };
    let listed = numbers
        .iter()
        .map(|(id, display)| format!("{id} ({display})"))
        .collect::<Vec<_>>()
        .join(", ");
    let (address, server) = bind(SimulatorConfig {
        bind: args.bind,
        callback_url: args.callback_url.clone(),
        app_secret: args.app_secret.into_bytes(),
        access_token: args.access_token,
        status_delays: args.status_delays_ms.unwrap_or(DEFAULT_STATUS_DELAYS),
        numbers,
        throughput_limits: args.throughput_limits,
    })
    .with_context(|| format!("--bind: cannot listen on {}", args.bind))?;
    println!("WhatsApp Cloud API simulator on http://{address} (Graph API base URL)");
    println!("  numbers: {listed}");
    println!("  webhooks to: {}", args.callback_url);
    server.await?;
    Ok(())
}

fn migrate(config: &Config) -> anyhow::Result<()> {
    let store = open_store(config)?;
    drop(store);
    println!("The database is up to date.");
    Ok(())
}

async fn create_user(
    config: &Config,
    username: &str,
    role: Role,
    display_name: Option<String>,
    password_stdin: bool,
) -> anyhow::Result<()> {
    let username = Username::parse(username).map_err(|e| anyhow::anyhow!("--{e}"))?;
    let display_name = DisplayName::parse(display_name.as_deref().unwrap_or(username.as_str()))
        .map_err(|e| anyhow::anyhow!("--{}", e.to_string().replacen('_', "-", 1)))?;
    let password = read_password(password_stdin)?;
    let store = open_store(config)?;
    let users = UserAdmin::new(
        std::sync::Arc::new(store),
        std::sync::Arc::new(Argon2Hasher::new(HashCost::Production)),
        std::sync::Arc::new(SystemClock),
    );
    let user = users
        .create_unchecked(NewUser {
            username,
            display_name,
            role,
            password,
        })
        .await
        .map_err(|e| match e {
            UserAdminError::UsernameTaken => {
                anyhow::anyhow!("--username: that username is already taken")
            }
            other => other.into(),
        })?;
    println!(
        "Created {} user {:?} (id {}).",
        user.role, user.username, user.id
    );
    Ok(())
}

fn read_password(from_stdin: bool) -> anyhow::Result<Password> {
    let raw = if from_stdin {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .context("cannot read the password from standard input")?;
        line.trim_end_matches(['\r', '\n']).to_owned()
    } else {
        if !std::io::stdin().is_terminal() {
            anyhow::bail!(
                "no terminal to prompt for a password: pass --password-stdin and pipe it in"
            );
        }
        let first = rpassword::prompt_password("Password: ")?;
        let second = rpassword::prompt_password("Repeat the password: ")?;
        if first != second {
            anyhow::bail!("the two passwords differ");
        }
        first
    };
    Password::parse("password", &raw).map_err(|e| anyhow::anyhow!("{e}"))
}

#[cfg(test)]
mod tests {
    use tikv_jemalloc_ctl::{config, opt};

    /// The options reach jemalloc only through its build script's environment: a build outside
    /// the workspace's cargo configuration would silently run on the defaults.
    #[test]
    fn the_allocator_runs_with_one_arena_a_one_second_decay_and_background_purging() {
        assert_eq!(opt::narenas::read().unwrap(), 1);
        assert!(opt::background_thread::read().unwrap());
        let compiled = config::malloc_conf::read().unwrap();
        assert!(
            compiled.contains("dirty_decay_ms:1000,muzzy_decay_ms:0"),
            "{compiled}"
        );
    }
}
