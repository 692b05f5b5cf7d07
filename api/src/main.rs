//! `ccm`: run the API server and administer its database.

use std::io::BufRead;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use tracing_subscriber::EnvFilter;

use ccm_api::accounts::{bootstrap, create_platform_admin, Created};
use ccm_api::config::{Config, Environment, LogFormat};
use ccm_api::state::AppState;
use ccm_api::{open_database, openapi, seed};

#[derive(Parser)]
#[command(name = "ccm", version, about = "Child contact centre management API")]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the HTTP server (applies pending migrations first). The default command.
    Serve {
        /// Load the demonstration providers, centres and users if the database is empty.
        #[arg(long)]
        seed_demo: bool,
    },
    /// Apply pending database migrations and exit.
    Migrate,
    /// Create a platform admin account (the first account of a deployment).
    CreateAdmin {
        #[arg(long)]
        email: String,
        /// The password; read from CCM_ADMIN_PASSWORD or standard input if not given.
        #[arg(long, env = "CCM_ADMIN_PASSWORD", hide_env_values = true)]
        password: Option<String>,
        #[arg(long, default_value = "Platform admin")]
        name: String,
    },
    /// Load the demonstration data into an empty database and print the accounts.
    SeedDemo,
    /// Expire lapsed offers, mark reviews due and offer freed places once (for cron, when
    /// servers run with CCM_SWEEP_INTERVAL_SECS=0).
    Sweep,
    /// Retention of closed cases' records.
    Retention {
        #[command(subcommand)]
        command: RetentionCommand,
    },
    /// Print the OpenAPI document.
    Openapi {
        #[arg(long, value_enum, default_value_t = Format::Yaml)]
        format: Format,
    },
}

#[derive(Subcommand)]
enum RetentionCommand {
    /// Anonymise or delete each class of each closed case's records whose time is up under
    /// its provider's rules, unless a legal hold keeps it; print what changed as JSON.
    Run {
        /// Work out and print what would change, changing nothing.
        #[arg(long)]
        dry_run: bool,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Yaml,
    Json,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let command = cli.command.unwrap_or(Command::Serve { seed_demo: false });
    if let Command::Openapi { format } = command {
        let doc = openapi::document();
        let text = match format {
            Format::Yaml => openapi::yaml(),
            Format::Json => doc.to_pretty_json().unwrap_or_default(),
        };
        print!("{text}");
        return ExitCode::SUCCESS;
    }
    let config = match Config::from_env() {
        Ok(c) => c,
        Err(e) => return fail(&e.to_string()),
    };
    init_logging(config.log_format);
    match run(command, config) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(&e),
    }
}

fn run(command: Command, config: Config) -> Result<(), String> {
    let seeds = matches!(
        command,
        Command::SeedDemo | Command::Serve { seed_demo: true }
    );
    if seeds && config.environment == Environment::Production {
        return Err(
            "demo data is refused with CCM_ENV=production: its accounts share a published password"
                .into(),
        );
    }
    let db = open_database(&config)?;
    match command {
        Command::Migrate => {
            println!("database is up to date");
            Ok(())
        }
        Command::CreateAdmin {
            email,
            password,
            name,
        } => {
            let password = match password {
                Some(p) => p,
                None => read_password()?,
            };
            let email = email.trim().to_lowercase();
            match create_platform_admin(&db, &email, &password, &name)? {
                Created::New(id) => println!("created platform admin {email} ({id})"),
                Created::AlreadyExists(id) => {
                    println!("a platform admin {email} already exists ({id}); nothing changed")
                }
            }
            Ok(())
        }
        Command::SeedDemo => {
            match seed::seed_demo(&db)? {
                Some(report) => print!("{report}"),
                None => println!("the database already has data; demo data not loaded"),
            }
            Ok(())
        }
        Command::Serve { seed_demo } => {
            if let Some(email) = bootstrap(&db, &config)? {
                println!("created platform admin {email} from CCM_BOOTSTRAP_ADMIN_EMAIL");
            }
            if seed_demo {
                if let Some(report) = seed::seed_demo(&db)? {
                    print!("{report}");
                }
            }
            if config.environment == Environment::Development {
                tracing::warn!(
                    "running in development mode (CCM_ENV=production for a real deployment)"
                );
            }
            let state = AppState::new(db, config);
            actix_web::rt::System::new()
                .block_on(ccm_api::serve(state))
                .map_err(|e| format!("the server stopped: {e}"))
        }
        Command::Sweep => {
            let report = ccm_api::cases::sweep::sweep(
                &db,
                config.offer_expiry_days,
                time::OffsetDateTime::now_utc(),
            )
            .map_err(|e| e.to_string())?;
            println!(
                "offers expired: {}, reviews due: {}, places offered: {}",
                report.offers_expired, report.reviews_due, report.places_offered
            );
            Ok(())
        }
        Command::Retention {
            command: RetentionCommand::Run { dry_run },
        } => {
            let documents =
                ccm_persistence::document_store::FsDocumentStore::new(&config.document_dir);
            let today = ccm_domain::london::local_date(time::OffsetDateTime::now_utc());
            let report = ccm_api::cases::retention::run(&db, &documents, today, dry_run)
                .map_err(|e| e.to_string())?;
            println!(
                "{}",
                serde_json::to_string_pretty(&report).map_err(|e| e.to_string())?
            );
            Ok(())
        }
        Command::Openapi { .. } => Ok(()),
    }
}

fn read_password() -> Result<String, String> {
    eprint!("password for the new admin: ");
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|e| format!("cannot read the password: {e}"))?;
    Ok(line.trim_end_matches(['\r', '\n']).to_string())
}

fn init_logging(format: LogFormat) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    // Logs go to standard error, so a command's output (a retention report, the OpenAPI
    // document) on standard output stays clean to pipe.
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .with_writer(std::io::stderr);
    match format {
        LogFormat::Json => builder
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .init(),
        LogFormat::Text => builder.init(),
    }
}

fn fail(message: &str) -> ExitCode {
    eprintln!("ccm: {message}");
    ExitCode::FAILURE
}
